#!/bin/sh
# failover_pane.sh — the console on a multi-host conninfo with
# target_session_attrs=read-write, in tmux: the primary stops (-m immediate),
# the standby is promoted, and the console says where it is now (Pool pane
# line and status line) and keeps answering keys.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
. "$top_srcdir/tests/lib/standby.sh"
tui_begin
TUI_AT_EXIT="standby_stop; $TUI_AT_EXIT"

standby_start
standby_wait_streaming || { echo "Bail out! the standby does not stream"; exit 1; }
primary_port=$PGPORT
ci="host=127.0.0.1,127.0.0.1 port=$primary_port,$STANDBY_PORT dbname=postgres user=$PGUSER target_session_attrs=read-write"

sh_start failover 160 50 -- --refresh 1 "$ci"
sh_wait 'pool_size' 20
ok $? "the console starts on the Pool pane"
sh_wait 'connected' 10
ok $? "connected to the primary"

_standby_as_owner "$PGDECK_TEST_BINDIR/pg_ctl" -D "$PGDECK_TEST_DATADIR" -m immediate -w stop >/dev/null 2>&1
_standby_as_owner "$PGDECK_TEST_BINDIR/pg_ctl" -D "$STANDBY_DATADIR" -w promote >/dev/null 2>&1
ok $? "the standby is promoted"

sh_wait "failover: now on 127\.0\.0\.1:$STANDBY_PORT at [0-9][0-9]:[0-9][0-9]:[0-9][0-9], writes unavailable [0-9]+\.[0-9] s \(was on 127\.0\.0\.1:$primary_port\)" 60
ok $? "the Pool pane says the console is now on the new primary"
like "$(sh_screen)" "connected" "connected again"
sh_keys 7
sh_wait "failover: now on 127\.0\.0\.1:$STANDBY_PORT, writes unavailable [0-9]+\.[0-9] s" 15
ok $? "the Fleet pane's line shows the failover"
ok "$(sh_alive && echo 0 || echo 1)" "the console is still running"
sh_quit F10
is "$(sh_exit_status)" 0 "the console exits 0"
standby_stop
done_testing
