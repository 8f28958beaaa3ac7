#!/bin/sh
# tests/integration/regress_parity.sh — `pgdeck run -f FILE` against
# `psql -X -v ON_ERROR_STOP=1 -f FILE` on SQL scripts written the way
# PostgreSQL's own regression scripts are (tests/data/regress/*.sql, see its
# README), each in a fresh database of one throwaway cluster: stdout must be
# byte-identical, the exit class the same (psql's 3 for "stopped by
# ON_ERROR_STOP" is pgdeck's 1, see the man page) and the script must stop at
# the same place (the FILE:N of the first error). One TAP case per script.
# PGDECK_REGRESS_DIR runs another directory of scripts instead (for example
# a PostgreSQL source tree's src/test/regress/sql, for scripts free of
# backslash meta-commands).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8 PGTZ=UTC PGDATESTYLE='Postgres, MDY'
dir=${PGDECK_REGRESS_DIR:-$top_srcdir/tests/data/regress}
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
PSQL="$PGDECK_TEST_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql

# The first error's place: "psql:FILE:N:" / "pgdeck run: FILE:N:".
stop_line() {
    sed -n 's/^\(psql:\|pgdeck run: \)[^:]*:\([0-9]*\): ERROR: .*/\2/p' "$1" | head -n 1
}

n=0
for f in "$dir"/*.sql; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    name=$(basename "$f" .sql)
    setup="$dir/$name.setup"
    for tool in psql pgdeck; do
        db="r_${n}_$tool"
        cluster_psql -c "create database $db template template0 encoding 'UTF8' locale 'C'" >/dev/null
        if [ -f "$setup" ]; then
            PGDATABASE=$db cluster_psql -f "$setup" >/dev/null 2>&1
        fi
        # run from the script's folder with a relative name: both name it alike
        if [ $tool = psql ]; then
            (cd "$dir" && PGDATABASE=$db "$PSQL" -X -v ON_ERROR_STOP=1 -f "$name.sql") \
                >"$tmp/$name.$tool.out" 2>"$tmp/$name.$tool.err"
        else
            (cd "$dir" && PGDATABASE=$db "$PGDECK" run -f "$name.sql") \
                >"$tmp/$name.$tool.out" 2>"$tmp/$name.$tool.err"
        fi
        echo $? >"$tmp/$name.$tool.rc"
    done
    prc=$(cat "$tmp/$name.psql.rc") drc=$(cat "$tmp/$name.pgdeck.rc")
    # exit classes: 0 ok; psql 3 (ON_ERROR_STOP) and 1 are pgdeck's 1
    pclass=$prc
    [ "$prc" = 3 ] && pclass=1
    why=
    cmp -s "$tmp/$name.psql.out" "$tmp/$name.pgdeck.out" || why="stdout differs"
    [ "$pclass" = "$drc" ] || why="$why${why:+; }exit psql $prc, pgdeck $drc"
    pl=$(stop_line "$tmp/$name.psql.err") dl=$(stop_line "$tmp/$name.pgdeck.err")
    [ "$pl" = "$dl" ] || why="$why${why:+; }stopped at line ${pl:-none} (psql), ${dl:-none} (pgdeck)"
    if [ -z "$why" ]; then
        ok 0 "$name: as psql (exit $prc, stopped at line ${pl:-none})"
    else
        ok 1 "$name: $why"
        diff "$tmp/$name.psql.out" "$tmp/$name.pgdeck.out" | head -n 40 | sed 's/^/# /'
        head -n 5 "$tmp/$name.psql.err" "$tmp/$name.pgdeck.err" | sed 's/^/# /'
    fi
done
[ "$n" -gt 0 ] || ok 1 "no scripts found in $dir"
done_testing
