#!/bin/sh
# tests/compat/fleet_sql.sh — monitor_fleet's one statement on each major
# (make check-compat: 13–18; the ordinary suite: the system's server): a
# primary is up, with its role, version, connections and tps, and no error.
# (The standby figures are tests/cli/fleet.sh's: the npm builds lack
# pg_basebackup.)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
[ -n "${PGDECK_PG_MAJOR:-}" ] && [ -z "${PGDECK_PG_BINDIR:-}" ] && cluster_use_version "$PGDECK_PG_MAJOR"
cluster_start
num=$(cluster_psql -c "show server_version_num")
json=$("$PGDECK" fleet --once --json --interval 0.3 --server "s=host=127.0.0.1 port=$PGPORT dbname=postgres user=$PGUSER" 2>&1)
ok $? "pgdeck fleet --once --json runs"
like "$json" '"up":true,"error":null,"role":"primary"' "the server is up, a primary, no error"
like "$json" "\"version_num\":$num," "its version_num ($num)"
like "$json" '"connections":[0-9]+,"max_connections":[0-9]+,"tps":[0-9.]+,' "connections, max_connections and tps"
like "$json" '"blocked":0,"lag_s":null,"lag_bytes":null,"standbys":0' "no standby: no lag"
done_testing
