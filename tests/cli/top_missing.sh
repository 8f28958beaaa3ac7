#!/bin/sh
# tests/cli/top_missing.sh — `pgdeck top` on a cluster without
# pg_stat_statements in shared_preload_libraries: exit 1, the reason and the
# remedy (the same text the Slow pane shows), nothing on stdout; then with
# the extension created but still not loaded.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start --no-pg-stat-statements
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

"$PGDECK" top --once >"$tmp/out" 2>"$tmp/err"
is $? 1 "not preloaded: exit 1"
err=$(cat "$tmp/err")
like "$err" "pg_stat_statements is not in shared_preload_libraries" "the reason"
like "$err" "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; restart the server" "the remedy"
is "$(cat "$tmp/out")" "" "nothing on stdout"
"$PGDECK" top --once --json >"$tmp/out" 2>"$tmp/err"
is $? 1 "--json too: exit 1"
is "$(cat "$tmp/out")" "" "no JSON on stdout"

cluster_psql -c "create extension pg_stat_statements" >/dev/null
"$PGDECK" top --once >"$tmp/out" 2>"$tmp/err"
is $? 1 "created but not loaded: exit 1"
like "$(cat "$tmp/err")" "installed in postgres but the library is not in shared_preload_libraries" "the reason"
done_testing
