#!/bin/sh
# tests/compat/server_version.sh — the first test of each `make check-compat`
# round: the cluster really runs the major asked for (PGDECK_PG_MAJOR, the
# build in PGDECK_PG_BINDIR), with pg_stat_statements preloaded at the
# version that major ships, and `pgdeck top --json` reports that server.
# Without PGDECK_PG_MAJOR (the ordinary suite) it checks the system's server.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
[ -n "${PGDECK_PG_MAJOR:-}" ] && [ -z "${PGDECK_PG_BINDIR:-}" ] && cluster_use_version "$PGDECK_PG_MAJOR"
cluster_start

major=$(cluster_psql -c "select current_setting('server_version_num')::int / 10000")
if [ -n "${PGDECK_PG_MAJOR:-}" ]; then
    is "$major" "$PGDECK_PG_MAJOR" "the cluster runs PostgreSQL $PGDECK_PG_MAJOR"
    is "$PGDECK_TEST_BINDIR" "$PGDECK_PG_BINDIR" "from the build in PGDECK_PG_BINDIR"
fi
is "$(cluster_psql -c 'show shared_preload_libraries')" "pg_stat_statements" \
    "pg_stat_statements is preloaded"
# The extension version each major ships (contrib/pg_stat_statements).
case $major in
13) want=1.8 ;; 14) want=1.9 ;; 15 | 16) want=1.10 ;; 17) want=1.11 ;; 18) want=1.12 ;; *) want= ;;
esac
got=$(cluster_psql -c "select extversion from pg_extension where extname = 'pg_stat_statements'")
if [ -n "$want" ]; then
    is "$got" "$want" "pg_stat_statements $want on PostgreSQL $major"
else
    like "$got" '^[0-9]+\.[0-9]+$' "pg_stat_statements installed ($got)"
fi
cluster_psql -c "select 1 as compat_probe" >/dev/null
json=$("$PGDECK" top --once --json 2>&1)
ok $? "pgdeck top --once --json runs"
like "$json" "\"server_version_num\": *${major}[0-9]{4}," "top --json reports the server's version"
like "$json" "\"pg_stat_statements\": *\"$got\"" "top --json names the installed pg_stat_statements"
like "$json" '"query": *"select \$1 as compat_probe"' "top --json lists a statement"
done_testing
