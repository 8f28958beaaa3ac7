#!/bin/sh
# tests/cli/run_usage.sh — the command line without a server: --help,
# --version, usage errors (exit 2 with a hint), option checks of `run`.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"

# Nothing here may reach a server: point libpq at a closed port.
export PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2

out=$("$PGDECK" --version); rc=$?
is "$rc" 0 "--version exits 0"
is "$out" "pgdeck 0.1.0" "--version prints the package version"

out=$("$PGDECK" --help); rc=$?
is "$rc" 0 "--help exits 0"
for cmd in "pgdeck run" "pgdeck import" "pgdeck top" "pgdeck explain" "pgdeck demo" "--clients" "--pipeline" \
    "--format=table|csv|json" "--stats" "-W, --password" "postgres:// URI" "3 cannot connect"; do
    case "$out" in
    *"$cmd"*) ok 0 "--help mentions $cmd" ;;
    *) ok 1 "--help mentions $cmd" ;;
    esac
done

out=$("$PGDECK" run --help); rc=$?
is "$rc" 0 "run --help exits 0"
like "$out" '--sync=end\|each' "run --help shows --sync"
like "$out" '--repeat=M' "run --help shows --repeat"
like "$out" '--jobs=J' "run --help shows --jobs"

# usage errors: exit 2, a message naming the problem, and the hint line
usage() { # usage NAME REGEX ARGS...
    name=$1 re=$2
    shift 2
    err=$("$PGDECK" "$@" 2>&1 >/dev/null)
    rc=$?
    is "$rc" 2 "$name: exit 2"
    like "$err" "$re" "$name: says why"
    like "$err" 'Try "pgdeck( run)? --help"' "$name: hint line"
}
usage "run without SQL" 'nothing to run' run
usage "bad --format" '--format must be table, csv or json' run -c 'select 1' --format=xml
usage "unknown option" 'unknown or incomplete option --frobnicate' run -c 'select 1' --frobnicate
usage "unknown short option" 'unknown option -Z' run -Z -c 'select 1'
usage "-c without a value" 'option -c needs a value' run -c
usage "--format without a value" 'option --format needs a value' run -c 'select 1' --format
usage "--sync without --pipeline" '--sync needs --pipeline' run -c 'select 1' --sync=each
usage "bad --sync" '--sync must be end or each' run --pipeline -c 'select 1' --sync=sometimes
usage "--pipeline with --clients" 'cannot be combined' run --pipeline --clients 2 -c 'select 1'
usage "--clients 0" '--clients must be' run --clients 0 -c 'select 1'
usage "--jobs 0" '--jobs must be a number from 1 to 64' run --jobs 0 --clients 2 -c 'select 1'
usage "--jobs without a load" '--jobs needs --clients' run --jobs 2 -c 'select 1'
usage "--no-pin without a load" '--no-pin needs --clients' run --no-pin -c 'select 1'
usage "--repeat x" '--repeat must be' run --repeat x -c 'select 1'
usage "--time -1" '--time must be' run --time -1 -c 'select 1'
usage "bad --stats target" '--stats takes stderr or stdout' run -c 'select 1' --stats=file
usage "extra positional" 'unexpected argument "three"' run -c 'select 1' one two three
usage "--set without =" 'expected SECTION.KEY=VALUE' run -c 'select 1' --set pool.max_size

usage "--set unknown key" 'pool.nosuch' run -c 'select 1' --set pool.nosuch=1
usage "--set bad value" 'max_size' run -c 'select 1' --set pool.max_size=lots
usage "--config missing file" '/nonexistent/pgdeck.conf' run -c 'select 1' --config /nonexistent/pgdeck.conf

err=$("$PGDECK" run -f /nonexistent/script.sql 2>&1); rc=$?
is "$rc" 1 "unreadable -f file: exit 1"
like "$err" '/nonexistent/script.sql: cannot open: No such file or directory' "unreadable -f file: says so"

out=$(printf '' | "$PGDECK" run -f - 2>&1); rc=$?
is "$rc" 0 "an empty script does nothing and exits 0 (as psql)"
is "$out" "" "an empty script prints nothing"

# the man page follows --help: every long option of every command is in it
missing=""
for c in "" run import top explain demo fleet; do
    for o in $("$PGDECK" $c --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        m=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
        grep -q -- "$m" "$top_srcdir/doc/pgdeck.1" || missing="$missing ${c:-pgdeck}:$o"
    done
done
is "$missing" "" "doc/pgdeck.1 names every option --help shows"

done_testing
