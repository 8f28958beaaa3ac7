#!/bin/sh
# tests/tui/replay_console.sh — the console on a recording (issue 17), in
# tmux: `pgdeck record` records a workload with a distinctive statement and
# a lock wait (the waiter's text holds terminal escapes); `pgdeck --replay`
# then shows, without connecting to the server, the statement in Slow with
# its calls, the blocked session in Activity at that moment, a server view
# and the Fleet line; , and . move the time bar, :goto and @ jump, K is
# refused and the backend lives on, the hostile text arrives escaped; a file
# of a newer schema is refused with the message; a live console opens a
# recording with :replay and F2 switches between it and live data.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
bg=
tui_on_exit 'for p in $bg; do kill $p 2>/dev/null; done'

rec=$tmp/rec.db
bg_sql() { # bg_sql NAME SQL...: as application NAME, in the background
    _n=$1
    shift
    PGAPPNAME=$_n cluster_psql "$@" >"$tmp/$_n.out" 2>&1 &
    bg="$bg $!"
}
waiting() { [ "$(cluster_psql -c "select wait_event_type from pg_stat_activity where application_name = 'waiter'")" = Lock ]; }
snapshots() {
    _c=$(grep -c '^pgdeck record: ' "$tmp/record.err" 2>/dev/null)
    echo "${_c:-0}"
}
snapshots_past() { [ "$(snapshots)" -ge "$1" ]; }
pgdeck_backends() { cluster_psql -c "select count(*) from pg_stat_activity where application_name like 'pgdeck%' and pid <> pg_backend_pid()"; }

cluster_psql -c "create table replay_t(id int primary key, v int)" -c "insert into replay_t values (1, 0)" >/dev/null
cluster_psql -c "select pg_stat_statements_reset()" >/dev/null

# --- the recording ---------------------------------------------------------------
"$PGDECK" record -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE" -o "$rec" --interval 1 -v \
    2>"$tmp/record.err" &
recorder=$!
bg="$bg $recorder"
wait_until 20 snapshots_past 2
ok $? "pgdeck record writes snapshots"

# a lock wait: the holder keeps the row, the waiter (whose text carries an
# OSC title and a colour escape) waits for it
bg_sql holder -c "begin" -c "update replay_t set v = 1 where id = 1" -c "select pg_sleep(60)"
sleep 0.5
esc=$(printf '\033')
bel=$(printf '\007')
bg_sql waiter -c "update replay_t set v = 2 where id = 1 /* ${esc}]0;pwned${bel}${esc}[31mred */"
wait_until 10 waiting
ok $? "the waiter waits for the holder's lock"
holder_pid=$(cluster_psql -c "select pid from pg_stat_activity where application_name = 'holder'")
waiter_pid=$(cluster_psql -c "select pid from pg_stat_activity where application_name = 'waiter'")
# the distinctive statement, seven calls while the waiter waits
t_calls=$(date +%s)
# (one simple-query message: no snapshot can fall between them)
cluster_psql -c "$(for i in 0 1 2 3 4 5 6; do printf 'select count(*) as replay_marker from replay_t where v >= %d; ' $i; done)" >/dev/null
n=$(snapshots)
wait_until 20 snapshots_past $((n + 3))
ok $? "the recorder took snapshots during the wait"
t_wait=$(date +%s)
cluster_psql -c "select pg_cancel_backend($holder_pid)" >/dev/null
kill -TERM "$recorder"
wait "$recorder"
is "$?" 0 "SIGTERM ends pgdeck record cleanly"

# --- --replay: the recording alone, no server ---------------------------------------
no_pgdeck() { [ "$(pgdeck_backends)" = 0 ]; }
wait_until 10 no_pgdeck # the recorder's session ends a moment after it
sh_start replay 150 40 -- --replay "$rec"
sh_wait '^REPLAY [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}' 10
ok $? "the header's time bar says REPLAY and the moment's time"
like "$(sh_screen)" "of [0-9:]+ - [0-9:]+ .*rec\\.db .*read-only" "the recording's span, its file, read-only"
like "$(sh_screen)" '100%' "it opens on the last snapshot"
is "$(pgdeck_backends)" 0 "no pgdeck connection reached the server"
unlike "$(sh_screen | sed -n 2p)" 'Pool|Editor|Import' "only the panes that draw a recording"
like "$(sh_screen)" ',Prev \.Next <-1m >\+1m \[-10m \]\+10m \{First \}Last @Goto' "the footer names the replay keys"

# the moment of the calls: the first snapshot after them holds their deltas
sh_cmd "goto $t_calls"
sh_keys 2
sh_wait 'Server \(recorded\): pg_stat_statements' 5
ok $? "Slow shows the recorded statements"
found=1
for i in 1 2 3 4 5; do
    if sh_shows "replay_marker"; then
        found=0
        break
    fi
    sh_keys .
done
ok $found "stepping forward reaches the moment of the distinctive statement"
like "$(sh_screen)" "^ +7 +.*select count\\(\\*\\) as replay_marker from replay_t where v >= \\\$1" "Slow shows it with its 7 calls"
sh_keys Enter
sh_wait 'Statement detail' 5
ok $? "Enter opens a recorded statement's detail"
like "$(sh_screen)" '^min_ms +n/a$' "a figure the recording does not hold says n/a, not nan"
sh_keys Escape
sh_wait_not 'Statement detail' 5
sh_keys 3
sh_wait 'Activity: .*recorded' 5
ok $? "Activity shows the recorded sessions"
like "$(sh_screen)" "^ *$waiter_pid .*Lock:(transactionid|tuple) .* $holder_pid " "the blocked session at that moment, with its blocker"
like "$(sh_screen)" '1 waiting' "counted as waiting"
scr=$(sh_screen)
like "$scr" 'update replay_t set v = 2 where id = 1 /\* (\\e|\\x1[bB]|\^\[)' "the hostile text is shown escaped"
unlike "$(tmux -L "$SH_SOCK" display-message -p -t main '#{pane_title}')" 'pwned' "its OSC title never reached the terminal"
before=$(sh_screen | head -n 1)
sh_keys ,
sh_wait_not "$(printf '%s' "$before" | sed 's/[][\\.*^$|()+?{}]/\\&/g')" 5
ok $? ", steps one snapshot back: the time bar changes"
after=$(sh_screen | head -n 1)
sh_keys .
sh_wait_not "$(printf '%s' "$after" | sed 's/[][\\.*^$|()+?{}]/\\&/g')" 5
ok $? ". steps forward again"
is "$(sh_screen | head -n 1)" "$before" "back at the same moment"

# K (terminate) and C (cancel) are refused; the backend is untouched
sh_keys K
sh_wait 'replay: read-only' 5
ok $? "K is refused on a recording"
unlike "$(sh_screen)" '\(y/n\)' "nothing is asked"
sh_keys C
sh_wait 'replay: read-only: cancel' 5
ok $? "C is refused too"
sh_keys 2 e
sh_wait 'replay: read-only: EXPLAIN' 5
ok $? "EXPLAIN is refused in Slow"

# a server view and the Fleet line at that moment
sh_keys 6
sh_wait 'Server \(recorded\): Database' 5
ok $? "the Server pane shows the recorded database view"
like "$(sh_screen)" "$PGDATABASE" "with the test database's row"
sh_keys 7
sh_wait '^ ?>?default +primary +[0-9.]+ +up ' 5
ok $? "the Fleet pane shows the recorded line of the server, up"

# :goto and @ jump; { } go to the ends
sh_keys '{'
sh_wait '\] 0% of' 5
ok $? "{ goes to the first snapshot"
sh_keys '}'
sh_wait '\] 100% of' 5
ok $? "} goes to the last"
want=$(date -d "@$t_calls" +%H:%M:%S 2>/dev/null || date -r "$t_calls" +%H:%M:%S)
sh_cmd "goto $want"
shown=$(sh_screen | head -n 1 | grep -Eo '^REPLAY [0-9-]+ [0-9:]+' | cut -c 8-)
shown_s=$(date -d "$shown" +%s 2>/dev/null)
[ -n "$shown_s" ] && [ "$shown_s" -le "$t_calls" ] && [ "$shown_s" -ge $((t_calls - 3)) ]
ok $? ":goto HH:MM:SS shows the snapshot at or before that time ($shown for $want)"
sh_keys @
sh_wait 'go to \(03:12' 5
ok $? "@ asks for a time"
sh_type "$(date -d "@$t_wait" +%H:%M:%S)"
sh_keys Enter
sh_wait_not "$(printf '%s' "REPLAY $shown" | sed 's/[][\\.*^$|()+?{}]/\\&/g')" 5
ok $? "the typed time is shown"
sh_cmd "goto tomorrow-ish"
sh_wait "goto: 'tomorrow-ish' is not a time" 5
ok $? "a bad time says so"
sh_keys F1
sh_wait 'Global keys' 5
found=1
for i in 1 2 3 4 5 6; do
    if sh_shows '^ +, +Replay: one snapshot back'; then
        found=0
        break
    fi
    sh_keys NPage
done
ok $found "F1 help lists the replay keys, in a section of their own"
sh_keys Escape
is "$(pgdeck_backends)" 0 "still no pgdeck connection to the server"
sh_quit q
is "$(sh_exit_status)" 0 "q quits the replay"
sh_stop

# --- refused files ------------------------------------------------------------------
cp "$rec" "$tmp/newer.db"
if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$tmp/newer.db" "update meta set value = '2' where key = 'schema_version'"
    "$PGDECK" --replay "$tmp/newer.db" >"$tmp/newer.out" 2>&1
    is "$?" 1 "a newer schema: exit 1"
    like "$(cat "$tmp/newer.out")" "newer\\.db was written by a newer pgdeck \\(schema 2; this pgdeck reads up to 1\\)" "with the message"
else
    diag "no sqlite3 command: the newer-schema check is skipped"
fi
# --- minutes, aggregates, a server down, two servers: the reader's fixture ---------------
# (tests/data/record/moments.sql) in a file of pgdeck record's schema
if command -v sqlite3 >/dev/null 2>&1; then
    cp "$rec" "$tmp/fixture.db"
    sqlite3 "$tmp/fixture.db" "pragma foreign_keys = on; delete from snapshot; delete from query_text; delete from server" &&
        sqlite3 "$tmp/fixture.db" <"$top_srcdir/tests/data/record/moments.sql"
    ok $? "the fixture recording"
    sh_start fixture 150 40 -- --replay "$tmp/fixture.db"
    sh_wait '^REPLAY .*server DOWN' 10
    ok $? "the last snapshot: the server was down, the header says so"
    sh_keys '{'
    sh_wait '^REPLAY [0-9-]+ [0-9:]+ \| 1-min aggregate \[' 5
    ok $? "the first snapshot is a per-minute aggregate: the header says 1-min aggregate"
    first=$(sh_screen | head -n 1)
    sh_keys 2 '>'
    sh_wait_not "$(printf '%s' "$first" | sed 's/[][\\.*^$|()+?{}]/\\&/g')" 5
    ok $? "> moves a minute forward"
    like "$(sh_screen | head -n 1)" '1-min aggregate' "to the next aggregate, a minute later"
    sh_wait 'calls and time over the 60s before' 5
    ok $? "Slow says its figures cover the minute"
    like "$(sh_screen)" '^ +120 +2 +3000 .*UPDATE accounts SET balance' "with the minute's summed calls and time"
    sh_keys '>'
    sh_wait '^REPLAY .*server DOWN' 5
    ok $? "> again: the last snapshot (the recording ends within the minute)"
    sh_keys '>'
    sh_wait 'replay: already at the last snapshot' 5
    ok $? "nothing further: it says so"
    sh_keys '<'
    sh_wait_not 'server DOWN' 5
    ok $? "< moves a minute back"
    sh_keys '[' '['
    sh_wait 'replay: already at the first snapshot' 5
    ok $? "[ stops at the first snapshot"
    sh_keys '}' , 7
    sh_wait '^ ?replica +standby ' 5
    ok $? "Fleet at that moment: both servers, the replica a standby"
    sh_keys j Enter
    sh_wait '^REPLAY .*\| server replica \|' 5
    ok $? "Enter on its line shows the replica's recording"
    sh_quit q
    sh_stop
fi
printf 'not a recording\n' >"$tmp/plain.txt"
"$PGDECK" --replay "$tmp/plain.txt" >"$tmp/plain.out" 2>&1
is "$?" 1 "a file that is not a recording: exit 1"
like "$(cat "$tmp/plain.out")" 'plain\.txt' "the message names it"

# --- a live console: :replay, L to live and back -------------------------------------------
sh_start live 150 40 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
sh_wait '^ PostgreSQL .*\| connected \|' 20
ok $? "a live console"
sh_cmd "replay $rec"
sh_wait '^REPLAY ' 5
ok $? ":replay FILE shows the recording"
like "$(sh_screen)" 'F2: live' "the header says F2 goes live"
like "$(sh_screen | sed -n 2p)" '1 Pool +2 Slow \(rec\) +3 Activity \(rec\)' "the pane bar marks the panes drawing the recording"
sh_keys F2
sh_wait '^ PostgreSQL .*\| connected \|' 10
ok $? "F2: live data again"
like "$(sh_screen)" "F2: replay .*rec\\.db" "the recording stays open"
sh_keys F2
sh_wait '^REPLAY ' 5
ok $? "F2 again: back to the recording"

# :record FILE S: a recorder of its own while the panes stay live; the
# recording grows while it is replayed; :record stop ends it
live=$tmp/live.db
sh_keys F2
sh_wait '^ PostgreSQL .*\| connected \|' 10
sh_cmd "record $live 1"
sh_wait "^ recording to .*live\\.db \\([0-9]+\\) \\| PostgreSQL" 10
ok $? ":record: the header says recording to FILE"
sh_wait "recording to .*live\\.db \\([2-9]\\)" 20
ok $? "its snapshots are counted"
sh_cmd "replay $live"
sh_wait '^REPLAY .*live\.db' 10
ok $? "the recording being written can be replayed"
span_end() { sh_screen | head -n 1 | sed -n 's/.* of [0-9:]* - \([0-9:]*\).*/\1/p'; }
end0=$(span_end)
span_grew() { [ -n "$(span_end)" ] && [ "$(span_end)" != "$end0" ]; }
wait_until 15 span_grew
ok $? "its span grows in the time bar while the recorder writes ($end0 -> $(span_end))"
sh_keys 3
sh_wait 'Activity: .*recorded' 5
ok $? "Activity draws its moment"
sh_keys F2
sh_cmd "record stop"
sh_wait "recording to .*live\\.db stopped \\([0-9]+ snapshots\\)" 15
ok $? ":record stop ends it cleanly"
sh_hides '^ recording to'
ok $? "the header no longer says recording"
sh_quit q
is "$(sh_exit_status)" 0 "the console ends normally"
sh_stop

# a full disk (a file size limit) stops :record with the message; the
# console goes on
sh_start_cmd full 150 40 "sh -c \"ulimit -f 400; exec '$PGDECK' -h '$PGHOST' -p '$PGPORT' -U '$PGUSER' '$PGDATABASE'\""
sh_wait '^ PostgreSQL .*\| connected \|' 20
sh_cmd "record $tmp/full.db 0.5"
sh_wait 'record: recording stopped: disk full' 60
ok $? "a full disk stops :record with the message"
sh_alive
ok $? "the console survives it"
sh_hides '^ recording to'
ok $? "and no longer says recording"
sh_quit q
sh_stop

done_testing
