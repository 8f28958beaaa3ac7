#!/bin/sh
# mk/layers.sh SRCDIR — the layer rules of doc/architecture.md, checked on
# every build (mk/layers.mk). Per-library CFLAGS already keep libpq's include
# path from the engine's clients; this also catches a header that happens to
# sit on the default include path, and the engine's private header.
#   - only src/engine and src/sandbox include libpq-fe.h;
#   - src/engine, src/common, src/monitor, src/import, src/sandbox, src/record
#     include no curses or readline;
#   - sqlite3.h only in src/record (and the report command in src/cli): the
#     console reads recordings through record_read.h;
#   - only src/engine includes engine_int.h (the others use engine.h);
#   - only src/import includes import_int.h (the others use import.h);
#   - only src/monitor includes monitor_int.h (the others use monitor.h).
cd "${1:-.}" || exit 2
bad=0
report() {
    hits=$(grep -lE "$2" $3 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layer rule broken: $1:" $hits >&2
        bad=1
    fi
}
report "libpq-fe.h outside src/engine and src/sandbox" \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](libpq-fe\.h|libpq/|postgresql/)' \
    "src/ui/* src/cli/* src/common/* src/monitor/* src/import/* src/record/*"
report "curses or readline below the UI" \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|readline/|term\.h)' \
    "src/engine/* src/common/* src/monitor/* src/import/* src/sandbox/* src/record/*"
report "sqlite3.h outside src/record" \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]sqlite3\.h' \
    "src/ui/* src/common/* src/monitor/* src/engine/* src/import/* src/sandbox/*"
report "engine_int.h outside src/engine" \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*"engine/engine_int\.h"' \
    "src/ui/* src/cli/* src/common/* src/monitor/* src/import/* src/sandbox/* src/record/*"
report "import_int.h outside src/import" \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*"import/import_int\.h"' \
    "src/ui/* src/cli/* src/common/* src/monitor/* src/engine/* src/sandbox/* src/record/*"
report "monitor_int.h outside src/monitor" \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*"monitor/monitor_int\.h"' \
    "src/engine/* src/ui/* src/cli/* src/common/* src/import/* src/sandbox/* src/record/*"
exit $bad
