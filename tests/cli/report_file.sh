#!/bin/sh
# tests/cli/report_file.sh — `pgdeck report` on recordings made from SQL
# (tests/lib/rec_fixture, tests/data/record/window.sql; no server): the
# incident note's lines, --from/--to in local time, --server, --top, the
# JSON keys (jq), a hostile query text escaped in text and raw in JSON, an
# empty window, and the exit codes: 1 for files it cannot read (missing, not
# a recording, from a newer pgdeck), 2 for bad usage.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
export LC_ALL=C.UTF-8
# the fixture's epochs read as 1970-01-01 00:33:20 (2000) ... in UTC
export TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rec=$tmp/window.db
"$top_builddir/tests/lib/rec_fixture" "$rec" "$top_srcdir/tests/data/record/window.sql"
ok $? "the fixture recording"

out=$("$PGDECK" report "$rec" --server default)
ok $? "report exits 0"
like "$out" 'server default' "names the server"
like "$out" 'Window +1970-01-01 00:33:20 – 00:33:50 \(30\.0s\)' "the window, from the first to the last snapshot"
like "$out" 'Snapshots +7, about every 5\.0s' "snapshots"
first=$(printf '%s\n' "$out" | grep -A2 '^Top statements by total time' | tail -1)
like "$first" '^ +1 +7 +8000\.0 +1142\.86 +7 +97\.0% +UPDATE accounts SET balance = balance - \$1 …$' \
    "the heaviest statement first: calls, total, mean, rows, share, first line of its text"
like "$out" '\(nested\) SELECT audit' "a nested statement is marked"
like "$out" '8250ms in 1208 calls' "the window's total"
like "$out" "$(printf '%s' 'SELECT 1 /\* \\x1B\]0;owned\\x07 \*/')" "a hostile text is escaped"
unlike "$out" "$(printf '\033')" "no raw escape byte reaches the output"
blk=$(printf '%s\n' "$out" | grep -A2 '^Longest blockers' | tail -1)
like "$blk" '^200 +alice +14\.0s +2 +2 +00:33:20-00:33:30 +idle in transaction +LOCK TABLE accounts$' \
    "the longest blocker: pid, role, how long, waiters, most at once, when, state, query"
like "$out" 'Connections +peak 9 of 100 \(max_connections\) at 00:33:25' "peak connections and when"
like "$out" 'Throughput +tps min 10\.0, avg 20\.0, max 30\.0' "tps min/avg/max"
like "$out" 'Down +00:33:35 – 00:33:40 \(2 snapshots, up again at 00:33:45\): connection refused' \
    "a down period"
like "$out" '00:33:50 \(1 snapshot, still down at the window.s end\): the database system is shutting down' \
    "down at the end"
like "$out" 'Errors +1× 00:33:45: permission denied for view pg_stat_replication' "an error while up"

# both servers without --server, in the order recorded
out=$("$PGDECK" report "$rec")
is "$(printf '%s\n' "$out" | grep -c '^pgdeck report:')" "2" "every server without --server"
like "$(printf '%s\n' "$out" | grep '^pgdeck report:' | tail -1)" 'server other' "the second one"

# a window by time of day (local), inside the incident
out=$("$PGDECK" report "$rec" --server default --from 00:33:25 --to 00:33:30 --top 1)
like "$out" 'Snapshots +2,' "--from/--to as times of day"
is "$(printf '%s\n' "$out" | grep -c -E '^ +[0-9]+ +[0-9]+ +[0-9.]+ ')" "1" "--top 1: one statement"
out=$(TZ=CET-1 "$PGDECK" report "$rec" --server default --from 01:33:25 --to 01:33:30)
like "$out" 'Snapshots +2,' "times of day are local (TZ)"
out=$("$PGDECK" report "$rec" --server default --from 2025 --to 2030)
like "$out" 'Snapshots +2,' "--from/--to as epoch seconds"
out=$("$PGDECK" report "$rec" --server default --from "1970-01-01 00:33:25" --to "1970-01-01 00:33:25")
like "$out" 'Snapshots +1$' "--from/--to as dates with times"

# an empty window says so, exit 0
out=$("$PGDECK" report "$rec" --server default --from 00:40 --to 00:50)
ok $? "an empty window exits 0"
like "$out" 'No snapshot in the window: the recording of this server runs from 1970-01-01 00:33:20 to 00:33:50' \
    "an empty window says so, with the recording's range"
out=$("$PGDECK" report "$rec" --server default --from -1h)
like "$out" 'No snapshot in the window' "-1h: relative to now (the fixture is from 1970)"

# JSON: the documented keys
json=$("$PGDECK" report "$rec" --server default --json)
ok $? "--json exits 0"
is "$(printf '%s' "$json" | jq -c 'keys')" '["file","servers"]' "top-level keys"
is "$(printf '%s' "$json" | jq -c '.servers[0] | keys')" \
    '["blockers","calls","connections","covered_s","down","errors","first","from","last","minute_snapshots","server","snapshots","statements","to","total_ms","tps"]' \
    "a server's keys"
is "$(printf '%s' "$json" | jq -c '.servers[0].statements[0] | keys')" \
    '["calls","database","max_ms","mean_ms","query","queryid","rank","role","rows","share_pct","toplevel","total_ms"]' \
    "a statement's keys"
is "$(printf '%s' "$json" | jq -c '.servers[0].statements[0] | [.rank, .queryid, .calls, .total_ms, .rows, .toplevel]')" \
    '[1,"111",7,8000,7,true]' "the heaviest statement's figures"
is "$(printf '%s' "$json" | jq -r '.servers[0].statements[0].query')" \
    "$(printf 'UPDATE accounts SET balance = balance - $1\n  WHERE id = $2')" "its whole text"
is "$(printf '%s' "$json" | jq -c '.servers[0].blockers[0] | keys')" \
    '["application","blocked_s","database","first_seen","last_seen","most_at_once","pid","query","role","snapshots","state","waiters"]' \
    "a blocker's keys"
is "$(printf '%s' "$json" | jq -c '.servers[0].blockers[0] | [.pid, .blocked_s, .waiters, .most_at_once, .first_seen, .last_seen]')" \
    '[200,14,2,2,2000,2010]' "the blocker's figures"
is "$(printf '%s' "$json" | jq -c '.servers[0].connections')" '{"peak":9,"max_connections":100,"at":2005}' \
    "connections"
is "$(printf '%s' "$json" | jq -c '.servers[0].tps')" '{"min":10,"avg":20,"max":30}' "tps"
is "$(printf '%s' "$json" | jq -c '[.servers[0].down[] | [.from, .to, .up_again, .snapshots]]')" \
    '[[2015,2020,2025,2],[2030,2030,null,1]]' "down periods"
is "$(printf '%s' "$json" | jq -c '.servers[0].errors[0] | keys')" '["count","error","first","last"]' \
    "an error's keys"
is "$(printf '%s' "$json" | jq -r '.servers[0].statements[3].query' | od -An -c | grep -c '033')" "1" \
    "JSON keeps the raw text (JSON-escaped)"
json=$("$PGDECK" report "$rec" --server default --from 00:40 --to 00:50 --json)
is "$(printf '%s' "$json" | jq -c '.servers[0] | [.snapshots, .statements, .first, .total_ms]')" \
    '[0,[],null,null]' "an empty window in JSON"

# files it cannot read: exit 1, a clear message
out=$("$PGDECK" report "$tmp/missing.db" 2>&1)
is "$?" "1" "a missing file: exit 1"
like "$out" "missing.db: No such file or directory" "... says so"
echo "03:12 the server was slow" >"$tmp/notes.txt"
out=$("$PGDECK" report "$tmp/notes.txt" 2>&1)
is "$?" "1" "a text file: exit 1"
like "$out" "notes.txt is not a pgdeck recording" "... says so"
cp "$rec" "$tmp/newer.db"
sqlite3 "$tmp/newer.db" "UPDATE meta SET value = '9' WHERE key = 'schema_version'"
out=$("$PGDECK" report "$tmp/newer.db" 2>&1)
is "$?" "1" "a newer schema: exit 1"
is "$out" "pgdeck report: $tmp/newer.db was written by a newer pgdeck (schema 9; this pgdeck reads up to 1)" \
    "... with the contract's message"

# bad usage: exit 2
"$PGDECK" report >/dev/null 2>&1
is "$?" "2" "no file: exit 2"
out=$("$PGDECK" report "$rec" --from 3pm 2>&1)
is "$?" "2" "a bad --from: exit 2"
like "$out" "--from takes a time" "... names the option"
"$PGDECK" report "$rec" --top 0 >/dev/null 2>&1
is "$?" "2" "--top 0: exit 2"
out=$("$PGDECK" report "$rec" --server nosuch 2>&1)
is "$?" "2" "an unknown server: exit 2"
like "$out" "has no server 'nosuch' \(it has: default, other\)" "... lists the servers"
"$PGDECK" report "$rec" --from 2030 --to 2000 >/dev/null 2>&1
is "$?" "2" "--from after --to: exit 2"
"$PGDECK" report "$rec" "$rec" >/dev/null 2>&1
is "$?" "2" "two files: exit 2"
"$PGDECK" report "$rec" --bogus >/dev/null 2>&1
is "$?" "2" "an unknown option: exit 2"
like "$("$PGDECK" report --help)" '--from=T, --to=T' "--help"

done_testing
