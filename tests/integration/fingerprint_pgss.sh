#!/bin/sh
# fingerprint_pgss.sh — pg_stat_statements is the oracle for normalization:
# each statement of fingerprint_pgss.txt runs on a throwaway PostgreSQL
# server; the text pg_stat_statements records for it must be our normalized
# text, and both must fingerprint alike (what lets the slow-query pane join
# the server's rows with pgdeck's own measurements).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"

SQLTOOL="$top_builddir/tests/integration/sqltool"
cluster_start
cluster_psql -c "create table t (a int, b text, d date, f bool, x float8)" >/dev/null
ok $? "the test table exists"

recorded() {
    cluster_psql -c "select query from pg_stat_statements
        where query not like '%pg_stat_statements%' and dbid = (select oid from pg_database
        where datname = current_database())"
}

while IFS= read -r line; do
    hash_only=false
    case $line in
    "#"* | "") continue ;;
    "~ "*) hash_only=true; line=${line#"~ "} ;;
    esac
    cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
    if ! cluster_psql -c "$line" >/dev/null 2>&1; then
        ok 1 "runs: $line"
        continue
    fi
    server=$(recorded)
    ours=$(printf '%s' "$line" | "$SQLTOOL" fingerprint)
    theirs=$(printf '%s' "$server" | "$SQLTOOL" fingerprint)
    is "${theirs%%	*}" "${ours%%	*}" "same fingerprint as the server's text: $line"
    if ! $hash_only; then
        is "${ours#*	}" "$server" "normalized like the server: $line"
    fi
done <"$top_srcdir/tests/integration/fingerprint_pgss.txt"
done_testing
