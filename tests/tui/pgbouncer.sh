#!/bin/sh
# pgbouncer.sh — the Pool pane with --pgbouncer: a PgBouncer in front of the
# test cluster, its admin console's SHOW POOLS and SHOW STATS in the pane.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"

. "$top_srcdir/tests/lib/pgbouncer.sh"
[ -n "$PGBOUNCER" ] || skip_all "pgbouncer is not installed"
tui_begin
bouncer_start
started=$?
ok $started "pgbouncer runs in front of the test cluster (port $port)"
[ $started -eq 0 ] || { done_testing; exit 1; }

# A client through PgBouncer, so pool "postgres" has traffic to show.
is "$(cluster_psql -h 127.0.0.1 -p "$port" -U "$PGUSER" postgres -c 'select 40 + 2')" 42 \
    "a query through pgbouncer"

sh_start pgbouncer 120 60 -- --pgbouncer "host=127.0.0.1 port=$port dbname=pgbouncer user=pgdeck_admin"
sh_wait 'pool_size' 20
ok $? "the console starts with --pgbouncer"
sh_wait 'SHOW POOLS' 15
ok $? "the pane shows PgBouncer's SHOW POOLS"
sh_wait 'SHOW STATS' 10
ok $? "the pane shows PgBouncer's SHOW STATS"
screen=$(sh_screen)
like "$screen" 'PgBouncer +pgdeck_admin@127\.0\.0\.1:'"$port" "the admin console is named (user@host:port)"
like "$screen" 'database +user +cl_active +cl_waiting +sv_active +sv_idle' "SHOW POOLS columns"
like "$screen" 'postgres +'"$PGUSER"' +[0-9]+ +[0-9]+ +[0-9]+' "the pool of database postgres is listed"
like "$screen" 'total_xact_count +total_query_count' "SHOW STATS columns"
like "$screen" 'transaction' "pool_mode is shown"
unlike "$screen" 'SHOW POOLS: ' "no admin-console error"

# Traffic through PgBouncer shows up in its stats on the next refreshes.
q1=$(sh_screen | awk '/total_xact_count/ {on=1; next} on && $1 == "postgres" {print $3; exit}')
for i in 1 2 3 4 5 6 7 8 9 10; do
    cluster_psql -h 127.0.0.1 -p "$port" -U "$PGUSER" postgres -c 'select 1' >/dev/null
done
i=0
while [ $i -lt 100 ]; do
    q2=$(sh_screen | awk '/total_xact_count/ {on=1; next} on && $1 == "postgres" {print $3; exit}')
    [ "${q2:-0}" -gt "${q1:-0}" ] && break
    sleep 0.1
    i=$((i + 1))
done
ok $([ "${q2:-0}" -gt "${q1:-0}" ] && echo 0 || echo 1) "total_query_count of postgres grows ($q1 -> $q2)"

# Its answers are drawn when they arrive, not a refresh later: with a 10 s
# refresh the first SHOW POOLS is on screen well before the second tick.
sh_stop
sh_start pgb_slow 120 60 -- --refresh 10 --pgbouncer "host=127.0.0.1 port=$port dbname=pgbouncer user=pgdeck_admin"
sh_wait 'pool_size' 20
sh_wait 'database +user +cl_active' 6
ok $? "with --refresh 10, SHOW POOLS is drawn as soon as it arrives"

# PgBouncer going away is reported, the pane stays alive.
kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
sh_wait 'SHOW (POOLS|STATS): |not connected' 20
ok $? "a vanished PgBouncer is reported in the pane"
like "$(sh_screen)" 'pool_size' "the rest of the pane still shows"
sh_quit q
done_testing
