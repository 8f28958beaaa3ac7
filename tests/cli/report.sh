#!/bin/sh
# tests/cli/report.sh — `pgdeck report` on what `pgdeck record` recorded
# from a real cluster: a heavy statement (5 calls of pg_sleep) beside a
# light, often called one, a session idle in a transaction holding a lock
# another waits for, and idle sessions for a connection peak. The report names the heavy statement
# first with its 5 calls, the blocker's pid first among the blockers, a
# connection peak with every session counted, and the JSON says the same.
# A report while the recorder still writes reads the file as it is.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
command -v jq >/dev/null || skip_all "jq is not installed"
cluster_start
tmp=$(mktemp -d)
rec="" holder="" waiter="" sleepers=""
trap 'kill $rec $holder $waiter $sleepers 2>/dev/null; cluster_stop; rm -rf "$tmp"' EXIT
snapshots() { grep -c '^pgdeck record: snapshot ' "$1" 2>/dev/null; }
at_least() { [ "$(snapshots "$1")" -ge "$2" ]; }
# sessions of an application_name (pg_stat_activity), and one that waits for a lock
sessions_at_least() {
    [ "$(cluster_psql -c "select count(*) from pg_stat_activity where application_name = 'rep_$1'")" \
        -ge "$2" ]
}
waiting() {
    [ "$(cluster_psql -c "select count(*) from pg_stat_activity
                          where application_name = 'rep_waiter' and wait_event_type = 'Lock'")" = 1 ]
}

cluster_psql -c "create table rep_t (i int); insert into rep_t values (1)" >/dev/null
f=$tmp/incident.pgrec
"$PGDECK" record -o "$f" --interval 0.5 -v 2>"$tmp/rec.log" &
rec=$!
wait_until 30 at_least "$tmp/rec.log" 2
ok $? "the recorder commits snapshots"

# the heavy statement: 5 calls of 0.3 s; the light one: 40 quick calls
for i in 1 2 3 4 5; do
    cluster_psql -c "select pg_sleep(0.3), 'rep_heavy'" >/dev/null
done
seq 1 40 | sed 's/.*/select & as rep_light;/' | cluster_psql >/dev/null

# a session holds a lock, idle in its transaction, while another waits for
# it; five more sessions sit idle meanwhile (psql reading a FIFO each)
mkfifo "$tmp/holder.in" "$tmp/idle.in"
exec 6<>"$tmp/holder.in" 7<>"$tmp/idle.in"
(exec 6>&- 7>&-; PGAPPNAME=rep_holder cluster_psql <"$tmp/holder.in" >/dev/null) &
holder=$!
echo "begin; lock table rep_t in access exclusive mode;" >&6
for i in 1 2 3 4 5; do
    (exec 6>&- 7>&-; PGAPPNAME=rep_idle cluster_psql <"$tmp/idle.in" >/dev/null) &
    sleepers="$sleepers $!"
done
wait_until 30 sessions_at_least holder 1
holder_pid=$(cluster_psql -c "select pid from pg_stat_activity where application_name = 'rep_holder'")
like "$holder_pid" '^[0-9]+$' "the holder's pid ($holder_pid)"
(exec 6>&- 7>&-; PGAPPNAME=rep_waiter cluster_psql -c "select i from rep_t" >/dev/null 2>&1) &
waiter=$!
wait_until 30 waiting
ok $? "a session waits for the holder's lock"
wait_until 30 sessions_at_least idle 5
ok $? "five idle sessions"
n=$(snapshots "$tmp/rec.log")
wait_until 30 at_least "$tmp/rec.log" $((n + 3))

# while the recorder still writes (the FIFOs' writers are ours only: every
# process started meanwhile closes them, or the idle sessions never end; a
# redirection on a function call would keep a saved copy in dash)
live=$("$PGDECK" report "$f" 2>&1 6>&- 7>&-)
ok $? "a report of a recording being written"
like "$live" 'Snapshots +[0-9]+' "... reads its snapshots"

# the waiter is cancelled (a statement that fails is not in pg_stat_statements:
# its wait does not compete with the heavy statement), then the holder commits
cluster_psql -c "select pg_cancel_backend(pid) from pg_stat_activity
                 where application_name = 'rep_waiter'" >/dev/null
echo "commit;" >&6
exec 6>&- 7>&-
wait $holder $sleepers
wait $waiter 2>/dev/null
holder="" waiter="" sleepers=""
n=$(snapshots "$tmp/rec.log")
wait_until 30 at_least "$tmp/rec.log" $((n + 2))
kill -TERM $rec
wait $rec
rec=""

out=$("$PGDECK" report "$f")
ok $? "report exits 0"
diag "$(printf '%s\n' "$out" | head -30)"
first=$(printf '%s\n' "$out" | grep -A2 '^Top statements by total time' | tail -1)
like "$first" "^ +1 +5 +[0-9.]+ +[0-9.]+ +5 +[0-9.]+% +select pg_sleep\(\\\$1\), \\\$2\$" \
    "the heavy statement first, with its 5 calls and 5 rows"
like "$out" "[0-9]+ +40 +[0-9.]+ +[0-9.]+ +40 .*select \\\$1 as rep_light" "the light one with its 40 calls"
blk=$(printf '%s\n' "$out" | grep -A2 '^Longest blockers' | tail -1)
like "$blk" "^$holder_pid +postgres .*idle in transaction +lock table rep_t" \
    "the first blocker is the holder: its pid, role, state, query"
like "$blk" "^$holder_pid +postgres +[0-9.]+[smh]" "... how long it blocked"
peak=$(printf '%s\n' "$out" | sed -n 's/^Connections *peak \([0-9]*\) .*/\1/p')
ok "$([ "${peak:-0}" -ge 7 ] && echo 0 || echo 1)" "the peak counts every session at once ($peak >= 7)"
like "$out" 'Connections +peak [0-9]+ of [0-9]+ \(max_connections\) at [0-9]{2}:[0-9]{2}:[0-9]{2}' \
    "... and says when"
like "$out" 'Throughput +tps min [0-9.]+, avg [0-9.]+, max [0-9.]+' "tps min/avg/max"
like "$out" 'Down +never' "the server was never down"

json=$("$PGDECK" report "$f" --json)
ok $? "--json exits 0"
is "$(printf '%s' "$json" | jq -r '.servers[0].statements[0] | [.calls, .rows] | @csv')" "5,5" \
    "JSON: the heavy statement first, 5 calls"
like "$(printf '%s' "$json" | jq -r '.servers[0].statements[0].query')" 'pg_sleep' "... its text"
is "$(printf '%s' "$json" | jq -r '.servers[0].blockers[0].pid')" "$holder_pid" "JSON: the blocker's pid"
ok "$(printf '%s' "$json" | jq -e '.servers[0].blockers[0].waiters >= 1 and .servers[0].blockers[0].blocked_s > 0' >/dev/null && echo 0 || echo 1)" \
    "JSON: its waiters and how long"
ok "$(printf '%s' "$json" | jq -e '.servers[0].connections.peak >= 7' >/dev/null && echo 0 || echo 1)" \
    "JSON: the peak"
is "$(printf '%s' "$json" | jq -c '.servers[0] | keys')" \
    '["blockers","calls","connections","covered_s","down","errors","first","from","last","minute_snapshots","server","snapshots","statements","to","total_ms","tps"]' \
    "JSON: the documented keys"
is "$(printf '%s' "$json" | jq -r '.servers[0].snapshots')" "$(snapshots "$tmp/rec.log")" \
    "JSON: every snapshot recorded is in the default window"

# a window before the lock: no blocker in it
t1=$(printf '%s' "$json" | jq -r '.servers[0].blockers[0].first_seen')
first_snap=$(printf '%s' "$json" | jq -r '.servers[0].first')
early=$("$PGDECK" report "$f" --from "$first_snap" --to "$(awk -v t="$t1" 'BEGIN { printf "%.3f", t - 0.001 }')" --json)
is "$(printf '%s' "$early" | jq -r '[.servers[0].blockers[] | select(.pid == '"$holder_pid"')] | length')" "0" \
    "--to before the lock: the holder is not a blocker there"

done_testing
