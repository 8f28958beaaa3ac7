#!/bin/sh
# fleet_pane.sh — the Fleet pane (7): servers from the config file's
# [server NAME] sections — a primary with a real PgBouncer in front of it
# (its SHOW POOLS under the line), its streaming standby and a down server.
# Enter on the standby makes the header name it and the Activity and Slow
# panes show what runs only there; nothing of the first server stays.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
. "$top_srcdir/tests/lib/standby.sh"

. "$top_srcdir/tests/lib/pgbouncer.sh"
[ -n "$PGBOUNCER" ] || skip_all "pgbouncer is not installed"
tui_begin
tui_on_exit standby_stop
standby_start
standby_wait_streaming
ok $? "a streaming standby"

# PgBouncer in front of the primary (tests/lib/pgbouncer.sh)
bouncer_start 4000
started=$?
ok $started "pgbouncer runs in front of the primary (port $port)"
[ $started -eq 0 ] || { done_testing; exit 1; }
cluster_psql -h 127.0.0.1 -p "$port" -U "$PGUSER" postgres -c 'select 1' >/dev/null

down_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/pgdeck.conf" <<CONF
[server alpha]
conninfo = "host=127.0.0.1 port=$PGPORT dbname=postgres user=$PGUSER"
pgbouncer = "host=127.0.0.1 port=$port dbname=pgbouncer user=pgdeck_admin"
[server bravo]
conninfo = "host=127.0.0.1 port=$STANDBY_PORT dbname=postgres user=$PGUSER"
[server gone]
conninfo = "host=127.0.0.1 port=$down_port dbname=postgres user=$PGUSER connect_timeout=3"
CONF

# what runs only on the standby: a long query, and a statement in its
# pg_stat_statements
sb_psql() { "$PGDECK_TEST_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$STANDBY_PORT" -U "$PGUSER" postgres "$@"; }
for i in 1 2 3 4 5; do sb_psql -c 'select 1 as only_bravo_stmt' >/dev/null; done
sb_psql -c "select pg_sleep(120), 'only_bravo_sleep'" >/dev/null 2>&1 &
sleeper=$!
tui_on_exit "kill $sleeper 2>/dev/null"

sh_start fleet 200 50 -- --config "$tmp/pgdeck.conf"
sh_wait 'pool_size' 20
ok $? "the console starts with three servers"
like "$(sh_screen | head -n 1)" 'server alpha' "the header names the first server"
sh_keys 3
sh_wait 'pid' 10 >/dev/null
sleep 0 # the Activity pane of alpha, before the switch:
wait_until 5 sh_shows 'only_bravo_sleep'
unlike "$(sh_screen)" 'only_bravo_sleep' "alpha's Activity pane does not show bravo's query"

sh_keys 7
sh_wait 'SERVER +ROLE +VERSION +UP +CONN/MAX +TPS +LONGEST +BLOCKED +LAG +SLO' 10
ok $? "7 shows the Fleet pane with its columns"
sh_wait 'alpha +primary +[0-9]+\.[0-9]+ +up ' 15
ok $? "alpha: primary, version, up"
sh_wait 'bravo +standby +[0-9]+\.[0-9]+ +up ' 15
ok $? "bravo: standby, version, up"
sh_wait 'gone +- +- +DOWN .*(refused|connect)' 20
ok $? "gone: DOWN with its error" || sh_screen | grep gone | sed 's/^/# /' 
sh_wait 'PgBouncer pools: +database +user +cl_active +cl_waiting +sv_active +sv_idle +maxwait' 15
ok $? "PgBouncer's pools under alpha"
like "$(sh_screen)" "postgres +$PGUSER +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+" "the pool of database postgres"
like "$(sh_screen)" '>alpha' "alpha is marked as the server the panes show"

# Enter on bravo
sh_keys Down Enter
sh_wait 'now showing server bravo' 10
ok $? "Enter switches to bravo"
like "$(sh_screen | head -n 1)" 'server bravo' "the header names bravo"
like "$(sh_screen)" '>bravo' "the Fleet pane marks bravo"
sh_keys 3
sh_wait 'only_bravo_sleep' 15
ok $? "the Activity pane shows the query running only on bravo"
like "$(sh_screen | head -n 1)" "server bravo .*@127\.0\.0\.1:$STANDBY_PORT " "the header's connection is bravo's port"
sh_keys 2
sh_wait 'only_bravo_stmt' 20
ok $? "the Slow pane shows bravo's pg_stat_statements"

# and back: alpha's panes do not show bravo's query
sh_keys 7
sh_wait '>bravo' 5 >/dev/null
sh_keys Up Enter
sh_wait 'now showing server alpha' 10
ok $? "Enter on alpha switches back"
sh_keys 3
sh_wait 'pid' 10 >/dev/null
wait_until 5 sh_shows 'only_bravo_sleep'
unlike "$(sh_screen)" 'only_bravo_sleep' "after switching back, no figure of bravo stays"

# an open transaction in the editor holds the server: the switch is refused
sh_keys 4
sh_wait 'Pipeline: (on|off)' 10 >/dev/null
ed_run "begin"
sh_wait 'Open transaction|in transaction' 10
ok $? "the editor has an open transaction on alpha"
sh_keys M-7
sh_wait '>alpha' 5 >/dev/null
sh_keys Down Enter
sh_wait "commit or roll back the Editor's transaction before switching" 10
ok $? "the switch is refused while the editor holds a transaction"
like "$(sh_screen | head -n 1)" 'server alpha' "the header still names alpha"
sh_keys M-4
ed_run "rollback"
sh_keys M-7
sh_wait '>alpha' 5 >/dev/null
sh_keys Enter
sh_wait 'now showing server bravo' 10
ok $? "after the rollback the switch works"
sh_keys M-4
sh_wait 'Pipeline: (on|off)' 10 >/dev/null
like "$(ed_text)" 'rollback' "the editor's text survives the switch"
sh_quit F10
is "$(sh_exit_status)" 0 "the console exits 0 after the switches (ASan: no error)"
done_testing
