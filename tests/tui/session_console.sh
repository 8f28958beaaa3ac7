#!/bin/sh
# tests/tui/session_console.sh — issue 18 in the console: the Pool pane's
# "Session" line shows the server settings; `:set session.X VALUE` is
# checked by the server first (a bad value: its message, nothing changes),
# then every pool connection gets it (idle ones reopened: psql sees the new
# application_name on min_size backends, the editor's SHOW the new zone);
# [editor] autocommit = off: an INSERT stays invisible to another session
# until COMMIT, the status line says so, quitting in the open transaction
# asks and r rolls back.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
cluster_psql -c "create table ac (id int)" >/dev/null

named() { cluster_psql -c "select count(*) from pg_stat_activity where application_name = '$1'"; }
two_named() { [ "$(named "$1")" -ge 2 ]; }
none_named() { [ "$(named "$1")" = 0 ]; }

sh_start session 120 34 XDG_STATE_HOME="$tmp/state" -- --set pool.min_size=2 \
    --set session.timezone=Asia/Tokyo --set session.application_name=sess-one
sh_wait 'connected' 20 >/dev/null
sh_keys M-1
check "the Pool pane has a Session line with the settings" sh_wait 'Session +timezone=Asia/Tokyo application_name=sess-one' 10
check "the pool's connections carry the session's application_name (psql)" wait_until 15 two_named sess-one
sh_keys M-4
sh_wait 'Pipeline: (on|off)' 10 >/dev/null
ed_run "show timezone"
check "the editor's connection shows the zone" ed_grid_wait 'Asia/Tokyo' 5

# :set session.X (from the Pool pane): new and idle connections get it
sh_keys M-1
sh_wait 'Session ' 10 >/dev/null
sh_cmd "set session.timezone Europe/Lisbon"
check ":set session.timezone: said so" sh_wait 'session.timezone = Europe/Lisbon \(new and idle connections now' 10
sh_cmd "set session.application_name sess-two"
check ":set session.application_name: said so" sh_wait 'session.application_name = sess-two' 10
check "the Pool pane's Session line shows the new values" sh_wait 'Session +timezone=Europe/Lisbon application_name=sess-two' 10
check "every pool connection was reopened with it (psql)" wait_until 15 two_named sess-two
check "... none is left with the old settings (psql)" wait_until 15 none_named sess-one
sh_keys M-4
sh_wait 'Pipeline: (on|off)' 10 >/dev/null
ed_run "show timezone"
check "the editor's next statement shows the new zone" ed_grid_wait 'Europe/Lisbon' 5
sh_keys M-1
sh_wait 'Session ' 10 >/dev/null

# a bad value: the server's message, nothing changes
sh_cmd "set session.timezone Mars/Olympus"
check "a bad value is refused with the server's message" sh_wait 'invalid value for parameter "TimeZone": "Mars/Olympus"' 10
check "... the Session line keeps the good value" sh_shows 'Session +timezone=Europe/Lisbon'
sh_cmd "set session.no_such_guc 1"
check "an unknown setting is refused with the server's message" sh_wait 'unrecognized configuration parameter "no_such_guc"' 10
sh_cmd "set session.bad;name 1"
check "a bad setting name is refused" sh_wait "bad setting name 'bad;name'" 10
check "the pool's connections keep the good settings (psql)" two_named sess-two
sh_quit F10
sh_stop

# [editor] autocommit = off
sh_start autocommit 120 34 XDG_STATE_HOME="$tmp/state" -- --set editor.autocommit=off
sh_wait 'connected' 20 >/dev/null
sh_keys M-4
check "the editor's status says autocommit off" sh_wait 'Pipeline: off \| autocommit off \| idle' 10
ed_run "insert into ac values (1)"
check "an INSERT opens a transaction" sh_wait 'autocommit off \| in transaction' 5
is "$(cluster_psql -c "select count(*) from ac")" 0 "the row is not visible to another session (psql)"
ed_run "insert into ac values (2)"
is "$(cluster_psql -c "select count(*) from ac")" 0 "still not visible after a second INSERT (psql)"
ed_run "commit"
check "COMMIT: idle again" sh_wait 'autocommit off \| idle' 5
is "$(cluster_psql -c "select count(*) from ac")" 2 "both rows are there after COMMIT (psql)"
ed_run "insert into ac values (3)"
ed_run "rollback"
check "ROLLBACK: idle" sh_wait 'autocommit off \| idle' 5
is "$(cluster_psql -c "select count(*) from ac")" 2 "the rolled back row is not there (psql)"
ed_run "vacuum ac"
check "VACUUM runs outside a transaction (no BEGIN before it)" sh_wait 'autocommit off \| idle \| ok' 10
ed_run "insert into ac values (4)"
sh_keys F10
check "quitting in the open transaction asks" sh_wait 'Open transaction: c COMMIT and quit, r ROLLBACK and quit, s stay' 5
sh_keys r
check "r rolls back and quits" sh_wait_dead 10
is "$(cluster_psql -c "select count(*) from ac")" 2 "the last row was rolled back (psql)"

done_testing
