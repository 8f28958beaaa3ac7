#!/bin/sh
# tests/integration/regress_parity.sh — `pgdeck run -f FILE` against
# `psql -X -v ON_ERROR_STOP=1 -f FILE` on SQL scripts: PostgreSQL 15's own
# regression scripts free of backslash meta-commands (tests/data/regress-pg15,
# see its README) and scripts written in their style for pgdeck
# (tests/data/regress). Each tool runs each script in a fresh database named
# regression (as pg_regress names it, so current_database() agrees) of one
# throwaway cluster: stdout must be byte-identical, the server must receive
# the same statements (its log), the exit class must be the same (psql's 3
# for "stopped by ON_ERROR_STOP" is pgdeck's 1, see the man page) and the
# script must stop at the same place (the FILE:N of the first error). One TAP
# case per script.
# PGDECK_REGRESS_DIR runs another directory of scripts instead.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
# what pg_regress sets for its scripts
export LC_ALL=C.UTF-8 PGTZ=PST8PDT PGDATESTYLE='Postgres, MDY' PGAPPNAME=pg_regress
dirs=${PGDECK_REGRESS_DIR:-"$top_srcdir/tests/data/regress-pg15 $top_srcdir/tests/data/regress"}
cluster_start
# The test cluster preloads pg_stat_statements, which turns on query ids:
# EXPLAIN VERBOSE would print them, and they hash table OIDs that differ
# from one fresh database to the next. Every statement is logged: both tools
# must send the same ones.
export PGOPTIONS='-c compute_query_id=off -c log_statement=all'
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
PSQL="$PGDECK_TEST_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql

# Every run starts from the same cluster: a copy of one template database,
# and no role, tablespace or database left over from the run before (a
# script that stops early leaves its roles behind).
cluster_psql -c "create database regress_template template template0 encoding 'UTF8' locale 'C'" \
    >/dev/null
roles0=$(cluster_psql -c "select string_agg(quote_literal(rolname), ',') from pg_roles")
dbs0=$(cluster_psql -c "select string_agg(quote_literal(datname), ',') from pg_database")
spcs0=$(cluster_psql -c "select string_agg(quote_literal(spcname), ',') from pg_tablespace")
fresh_cluster() {
    cluster_psql -c "
        select format('drop database %I with (force);', datname) from pg_database
         where datname not in ($dbs0)
        union all
        select format('drop tablespace %I;', spcname) from pg_tablespace
         where spcname not in ($spcs0)
        union all
        select format(E'\\\\c regress_template\\ndrop owned by %1\$s cascade;\\n'
                      '\\\\c postgres\\ndrop owned by %1\$s cascade;\\ndrop role %1\$s;', r)
          from (select string_agg(quote_ident(rolname), ',') as r from pg_roles
                 where rolname not in ($roles0)) x where r is not null
        union all
        select 'create database regression template regress_template;'" | cluster_psql >/dev/null
}

# The statements the server received, from its log (log_statement=all for
# the two tools' sessions), without the line prefix (time, pid).
LOG="$PGDECK_TEST_DATADIR/server.log"
statements_since() { # statements_since OFFSET
    tail -c +$(($1 + 1)) "$LOG" | awk '
        /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:.]+ [^ ]+ \[[0-9]+\] / {
            keep = index($0, " LOG:  statement: ") > 0
            if (keep) sub(/^[^\[]*\[[0-9]+\] [^ ]* LOG:  statement: /, "statement: ")
        }
        keep { print }'
}

# The first error's place: "psql:FILE:N:" / "pgdeck run: FILE:N:".
stop_line() {
    sed -n 's/^\(psql:\|pgdeck run: \)[^:]*:\([0-9]*\): ERROR: .*/\2/p' "$1" | head -n 1
}

n=0
for dir in $dirs; do
    for f in "$dir"/*.sql; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        name=$(basename "$f" .sql)
        setup="$dir/$name.setup"
        for tool in psql pgdeck; do
            fresh_cluster
            if [ -f "$setup" ]; then
                PGDATABASE=regression cluster_psql -f "$setup" >/dev/null 2>&1
            fi
            log_at=$(wc -c <"$LOG")
            # run from the script's folder with a relative name: both name it alike
            if [ $tool = psql ]; then
                (cd "$dir" && PGDATABASE=regression "$PSQL" -X -v ON_ERROR_STOP=1 -f "$name.sql") \
                    >"$tmp/$name.$tool.out" 2>"$tmp/$name.$tool.err"
            else
                (cd "$dir" && PGDATABASE=regression "$PGDECK" run -f "$name.sql") \
                    >"$tmp/$name.$tool.out" 2>"$tmp/$name.$tool.err"
            fi
            echo $? >"$tmp/$name.$tool.rc"
            statements_since "$log_at" >"$tmp/$name.$tool.sent"
        done
        prc=$(cat "$tmp/$name.psql.rc") drc=$(cat "$tmp/$name.pgdeck.rc")
        # exit classes: 0 ok; psql 3 (ON_ERROR_STOP) and 1 are pgdeck's 1
        pclass=$prc
        [ "$prc" = 3 ] && pclass=1
        why=
        cmp -s "$tmp/$name.psql.out" "$tmp/$name.pgdeck.out" || why="stdout differs"
        cmp -s "$tmp/$name.psql.sent" "$tmp/$name.pgdeck.sent" ||
            why="$why${why:+; }the server received other statements"
        [ "$pclass" = "$drc" ] || why="$why${why:+; }exit psql $prc, pgdeck $drc"
        pl=$(stop_line "$tmp/$name.psql.err") dl=$(stop_line "$tmp/$name.pgdeck.err")
        [ "$pl" = "$dl" ] || why="$why${why:+; }stopped at line ${pl:-none} (psql), ${dl:-none} (pgdeck)"
        if [ -z "$why" ]; then
            ok 0 "$name: as psql (exit $prc, stopped at line ${pl:-none})"
        else
            ok 1 "$name: $why"
            diff "$tmp/$name.psql.out" "$tmp/$name.pgdeck.out" | head -n 40 | sed 's/^/# /'
            diff "$tmp/$name.psql.sent" "$tmp/$name.pgdeck.sent" | head -n 20 | sed 's/^/# sent /'
            head -n 5 "$tmp/$name.psql.err" "$tmp/$name.pgdeck.err" | sed 's/^/# /'
        fi
    done
done
[ "$n" -gt 0 ] || ok 1 "no scripts found in $dirs"
done_testing
