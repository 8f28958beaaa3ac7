#!/bin/sh
# tests/cli/record.sh — `pgdeck record` against a real cluster: a workload
# of known size and a lock wait are recorded, and the file's rows say what
# happened (statement deltas that sum to the calls made, each text once,
# the waiting backend with its blocker); SIGTERM ends it cleanly; a kill -9
# mid-run leaves a file that passes integrity_check and is appended to; a
# file from a newer pgdeck and a file that is not SQLite are refused with
# their messages; a full disk stops recording with its message and exit 1;
# two --server give two servers, a down one recorded as down with its
# error; a password in a conninfo is never stored; usage errors exit 2.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
command -v sqlite3 >/dev/null || skip_all "the sqlite3 command is not installed"
cluster_start
tmp=$(mktemp -d)
mnt=""
trap 'kill $rec $holder $waiter 2>/dev/null; [ -n "$mnt" ] && umount "$mnt" 2>/dev/null; cluster_stop; rm -rf "$tmp"' EXIT
q() { sqlite3 -batch "$1" "$2"; }
# snapshots committed so far, from the -v lines
snapshots() { grep -c '^pgdeck record: snapshot ' "$1" 2>/dev/null; }
at_least() { [ "$(snapshots "$1")" -ge "$2" ]; }

cluster_psql -c "create table rec_t (i int); insert into rec_t values (1)" >/dev/null

# ---- a workload, a lock wait ---------------------------------------------
f=$tmp/work.pgrec
"$PGDECK" record -o "$f" --interval 0.5 -v 2>"$tmp/work.log" &
rec=$!
wait_until 20 at_least "$tmp/work.log" 2
ok $? "snapshots are committed (-v: one line each)"
# 7 calls of one statement, each from its own session
for i in 1 2 3 4 5 6 7; do
    cluster_psql -c "select count(*) as rec_marker from rec_t where i > $i" >/dev/null
done
# a lock wait: the holder keeps the table locked for a while
cluster_psql -c "begin; lock table rec_t in access exclusive mode; select pg_sleep(3); commit" \
    >/dev/null &
holder=$!
sleep 0.5
cluster_psql -c "select i as rec_waiter from rec_t" >/dev/null &
waiter=$!
n=$(snapshots "$tmp/work.log")
wait "$holder" "$waiter"
holder="" waiter=""
wait_until 20 at_least "$tmp/work.log" $((n + 3))
kill -TERM $rec
wait $rec
is $? 0 "SIGTERM ends the recording with exit 0"
rec=""
like "$(tail -n 1 "$tmp/work.log")" '^pgdeck record: snapshot [0-9]+ default at [0-9:]+: up, ' \
    "the last line is a committed snapshot (no error on SIGTERM)"
is "$(q "$f" 'pragma integrity_check')" "ok" "the file passes integrity_check"
is "$(q "$f" "select value from meta where key = 'schema_version'")" "1" "schema_version 1"
is "$(q "$f" "select name from server")" "default" "one server, named default"
is "$(q "$f" "select count(*) from snapshot")" "$(snapshots "$tmp/work.log")" \
    "one snapshot row per -v line"
is "$(q "$f" "select count(*) from snapshot where interval_s = 0")" "1" \
    "only the first snapshot has no deltas"
is "$(q "$f" "select sum(s.calls) from stmt s join snapshot n on n.id = s.snapshot_id
              join query_text t on t.server_id = n.server_id and t.dbid = s.dbid
               and t.userid = s.userid and t.queryid = s.queryid
              where t.query like '%rec_marker%'")" "7.0" \
    "the statement's calls deltas sum to the 7 calls made"
is "$(q "$f" "select count(*) from query_text where query like '%rec_marker%'")" "1" \
    "its text is stored once"
like "$(q "$f" "select count(*) from stmt s join query_text t using (dbid, userid, queryid)
                where t.query like '%rec_marker%'")" '^[1-9]' "in one or more stmt rows"
is "$(q "$f" "select count(*) from stmt where not (calls > 0)")" "0" \
    "no stmt row without calls in its interval"
is "$(q "$f" "select count(*) from query_text where query like '%pgdeck monitor%'")" "0" \
    "the recorder's own statements are not recorded"
waits=$(q "$f" "select b.wait_type, b.blocked_by, h.pid, h.nblocking, b.query like '%rec_waiter%'
                from backend b join backend h on h.snapshot_id = b.snapshot_id
                 and b.blocked_by = '{' || h.pid || '}'
                where b.wait_type = 'Lock' limit 1")
like "$waits" '^Lock\|\{[0-9]+\}\|[0-9]+\|1\|1$' \
    "a backend waits on a Lock, blocked_by names the holder, who blocks 1 ($waits)"
like "$(q "$f" "select count(*) from backend where query like '%pg_sleep(3)%' and xact_s > 0")" \
    '^[1-9]' "the holder's statement and transaction age are recorded"
is "$(q "$f" "select group_concat(distinct view) from (select view from view_row where ord >= 0 order by view)")" \
    "database,tables,wal" "the views with rows on this cluster: database, tables, wal"
is "$(q "$f" "select group_concat(distinct view) from (select view from view_row where ord = -1 order by view)")" \
    "database,indexes,progress,replication,tables,wal" \
    "every view read has its header row, the empty ones too (no standby: replication)"
like "$(q "$f" "select data from view_row where view = 'replication' and ord = -1 limit 1")" \
    '^\{"absent":\[[^]]*\],"note":' "a header lists the absent columns and the view's note"
like "$(q "$f" "select data from view_row where view = 'tables' and ord >= 0 order by snapshot_id desc limit 1")" \
    '"rec_t"' "the tables view has the workload's table"
like "$(q "$f" "select data from view_row where view = 'database' and data like '%\"database\":\"postgres\"%' limit 1 offset 2")" \
    '"commits_per_s":[0-9]' "a view row is the JSON of top --view, with its rates"
like "$(q "$f" "select count(*) from dbstat where tps >= 0 and connections >= 1")" '^[1-9]' \
    "dbstat rows with tps and connections"
like "$(q "$f" "select version, max_conn from fleet limit 1")" '^[0-9]+(\.[0-9]+)?\|[0-9]+\.0$' \
    "the fleet line (version, max_connections)"

# ---- kill -9 mid-run, then reopen and append ------------------------------
k=$tmp/kill.pgrec
"$PGDECK" record -o "$k" --interval 0.1 -v 2>"$tmp/kill.log" &
rec=$!
wait_until 20 at_least "$tmp/kill.log" 5
kill -9 $rec
wait $rec 2>/dev/null
rec=""
is "$(q "$k" 'pragma integrity_check')" "ok" "after kill -9 the file passes integrity_check"
before=$(q "$k" "select count(*) from snapshot")
ok "$([ "$before" -ge 5 ] && echo 0 || echo 1)" "the committed snapshots are there ($before)"
"$PGDECK" record -o "$k" --interval 0.5 --duration 1s 2>"$tmp/kill2.log"
is $? 0 "pgdeck record reopens it"
after=$(q "$k" "select count(*) from snapshot")
ok "$([ "$after" -gt "$before" ] && echo 0 || echo 1)" "and appends to it ($before -> $after)"
is "$(q "$k" "select count(*) from server")" "1" "the same server row is reused"
is "$(q "$k" 'pragma integrity_check')" "ok" "still intact"

# kill -9 inside a snapshot's transaction (the test hook holds each one
# open 3 s before COMMIT): that snapshot is lost, nothing else
h=$tmp/hold.pgrec
PGDECK_RECORD_TEST_HOLD_MS=3000 "$PGDECK" record -o "$h" --interval 0.1 -v 2>"$tmp/hold.log" &
rec=$!
wait_until 60 at_least "$tmp/hold.log" 1
# the second snapshot's transaction is open: its write lock is held
wait_until 20 sh -c "! sqlite3 '$h' 'begin immediate; rollback' 2>/dev/null"
ok $? "the recorder holds the write lock of a snapshot's transaction"
kill -9 $rec
wait $rec 2>/dev/null
rec=""
is "$(q "$h" 'pragma integrity_check')" "ok" "killed mid-transaction: integrity_check ok"
is "$(q "$h" 'select count(*) from snapshot')" "$(snapshots "$tmp/hold.log")" \
    "exactly the committed snapshots are there, the one being written is not"
is "$(q "$h" 'select count(*) from stmt where snapshot_id not in (select id from snapshot)') \
$(q "$h" 'select count(*) from backend where snapshot_id not in (select id from snapshot)')" "0 0" \
    "and no row of it"
"$PGDECK" record -o "$h" --interval 0.2 --duration 1s 2>/dev/null
is $? 0 "the file is appended to afterwards"

# ---- refused files ---------------------------------------------------------
cp "$k" "$tmp/newer.pgrec"
q "$tmp/newer.pgrec" "update meta set value = '99' where key = 'schema_version'"
"$PGDECK" record -o "$tmp/newer.pgrec" --duration 1s 2>"$tmp/newer.err"
is $? 1 "a file from a newer pgdeck: exit 1"
is "$(cat "$tmp/newer.err")" \
    "pgdeck record: $tmp/newer.pgrec was written by a newer pgdeck (schema 99; this pgdeck reads up to 1)" \
    "with the message"
printf 'id,name\n1,alice\n' >"$tmp/data.csv"
"$PGDECK" record -o "$tmp/data.csv" --duration 1s 2>"$tmp/csv.err"
is $? 1 "a file that is not SQLite: exit 1"
like "$(cat "$tmp/csv.err")" "^pgdeck record: $tmp/data.csv is not a pgdeck recording" "saying so"
is "$(cat "$tmp/data.csv")" "id,name
1,alice" "and the file is left as it was"

# ---- full disk -------------------------------------------------------------
mkdir "$tmp/small"
if mount -t tmpfs -o size=300k tmpfs "$tmp/small" 2>/dev/null; then
    mnt=$tmp/small
    diag "a 300 kB tmpfs"
    d=$mnt/full.pgrec
    # it stops by itself: timeout(1) only bounds a broken recorder
    timeout 300 "$PGDECK" record -o "$d" --interval 0.1 2>"$tmp/full.err"
    is $? 1 "the recorder stops by itself when the disk is full, exit 1"
    is "$(tail -n 1 "$tmp/full.err")" "pgdeck record: recording stopped: disk full ($d)" \
        "with the disk-full message"
    unlike "$(cat "$tmp/full.err")" "Segmentation|Aborted|core" "no crash"
    is "$(q "$d" 'pragma integrity_check')" "ok" "the file is intact"
    like "$(q "$d" 'select count(*) from snapshot')" '^[1-9]' "and holds the snapshots before"
else
    # no mount (not root): a file size limit makes writes fail the same way
    diag "no tmpfs: ulimit -f"
    d=$tmp/full.pgrec
    (ulimit -f 600 && exec "$PGDECK" record -o "$d" --interval 0.1) 2>"$tmp/full.err"
    is $? 1 "a file size limit: exit 1"
    is "$(tail -n 1 "$tmp/full.err")" "pgdeck record: recording stopped: disk full ($d)" \
        "with the disk-full message"
    is "$(q "$d" 'pragma integrity_check')" "ok" "the file is intact"
    unlike "$(cat "$tmp/full.err")" "Segmentation|Aborted|core" "no crash"
    like "$(q "$d" 'select count(*) from snapshot')" '^[1-9]' "and holds the snapshots before"
fi

# no room for the new file's first pages: said as a full disk, not as a
# foreign file (the output goes through a pipe, which the limit spares)
out=$( (ulimit -f 0; "$PGDECK" record -o "$tmp/nospace.pgrec" --interval 0.1 --duration 1s 2>&1; echo "rc=$?") )
is "$out" "pgdeck record: cannot write $tmp/nospace.pgrec: disk full
rc=1" "no room for a new file: 'disk full', exit 1"

# ---- two servers, one down; no password stored ------------------------------
down_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fl=$tmp/fleet.pgrec
"$PGDECK" record -o "$fl" --interval 0.5 --duration 2s -v \
    --server "prim=host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres password=s3cr3t-pw" \
    --server "gone=host=127.0.0.1 port=$down_port dbname=postgres user=postgres connect_timeout=2" \
    2>"$tmp/fleet.log"
is $? 0 "two servers, one down: exit 0"
is "$(q "$fl" "select group_concat(name) from (select name from server order by id)")" "prim,gone" \
    "two servers in the file"
unlike "$(q "$fl" "select target from server")" "s3cr3t" "no password in the stored conninfo"
unlike "$(cat "$tmp/fleet.log")" "s3cr3t" "nor in the messages"
unlike "$(strings "$fl" "$fl-wal" 2>/dev/null)" "s3cr3t" "nor anywhere in the file"
is "$(q "$fl" "select count(distinct server_id) from snapshot")" "2" "both have snapshots"
like "$(q "$fl" "select min(up), max(up), count(*) from snapshot s join server v on v.id = s.server_id where v.name = 'prim'")" \
    '^1\|1\|[1-9]' "the primary's are up"
gone=$(q "$fl" "select up, error from snapshot s join server v on v.id = s.server_id where v.name = 'gone' limit 1")
like "$gone" '^0\|.*(refused|connect)' "the down server's are down with its error ($gone)"
like "$(cat "$tmp/fleet.log")" "pgdeck record: server gone is down: " \
    "a warning for the server down from the start"
is "$(grep -c 'server gone is down' "$tmp/fleet.log")" "1" "once, not at every snapshot"
like "$(q "$fl" "select count(*) from fleet f join snapshot s on s.id = f.snapshot_id join server v on v.id = s.server_id where v.name = 'prim'")" \
    '^[1-9]' "the primary has its fleet line"

# ---- --size-limit: the oldest go, the pages in use stay under the limit ----
sl=$tmp/limit.pgrec
"$PGDECK" record -o "$sl" --interval 0.1 --size-limit 160K -v 2>"$tmp/limit.log" &
rec=$!
wait_until 60 grep -q 'thinned:.* [1-9][0-9]* deleted' "$tmp/limit.log"
wait_until 60 at_least "$tmp/limit.log" $(($(snapshots "$tmp/limit.log") + 20))
kill -TERM $rec
wait $rec
is $? 0 "--size-limit: exit 0 on SIGTERM"
rec=""
like "$(grep 'thinned:' "$tmp/limit.log" | tail -n 1)" ' [1-9][0-9]* deleted' \
    "snapshots were deleted to fit (-v says so)"
used=$(q "$sl" "select (select page_count from pragma_page_count) - (select freelist_count from pragma_freelist_count)")
psize=$(q "$sl" "pragma page_size")
ok "$([ $((used * psize)) -le 163840 ] && echo 0 || echo 1)" \
    "the pages in use fit 160K ($((used * psize)) bytes)"
last=$(grep '^pgdeck record: snapshot ' "$tmp/limit.log" | tail -n 1 | cut -d' ' -f4)
is "$(q "$sl" "select max(id) from snapshot")" "$last" "the newest (the last -v line's) stays"
first=$(q "$sl" "select min(id) from snapshot")
ok "$([ "$first" -gt 1 ] && echo 0 || echo 1)" "the oldest went first (the first left is #$first)"

# ---- the server goes away and comes back ----------------------------------
dn=$tmp/outage.pgrec
"$PGDECK" record -o "$dn" --interval 0.5 -v 2>"$tmp/outage.log" &
rec=$!
wait_until 20 at_least "$tmp/outage.log" 2
cluster_pause
wait_until 60 grep -q ': down: ' "$tmp/outage.log"
ok $? "a snapshot says the server is down"
cluster_resume
wait_until 60 sh -c "sed -n '/: down: /,\$p' '$tmp/outage.log' | grep -q ': up, '"
ok $? "and up again once it is back"
kill -TERM $rec
wait $rec
is $? 0 "the recording went on through the outage (exit 0 on SIGTERM)"
rec=""
like "$(cat "$tmp/outage.log")" "pgdeck record: server default is down: " "a warning when it went down"
like "$(cat "$tmp/outage.log")" "pgdeck record: server default is up again" "and when it came back"
like "$(q "$dn" "select count(*) from snapshot where up = 0 and error <> '' and interval_s = 0")" \
    '^[1-9]' "the down snapshots hold the error and no deltas"
is "$(q "$dn" "select count(*) from stmt s join snapshot n on n.id = s.snapshot_id where n.up = 0")" \
    "0" "and no statement rows"
like "$(q "$dn" "select count(*) from snapshot where up = 1 and id > (select min(id) from snapshot where up = 0)")" \
    '^[1-9]' "up snapshots follow the outage"

# ---- usage ------------------------------------------------------------------
"$PGDECK" record --interval 1 2>"$tmp/u1"
is $? 2 "no -o: exit 2"
like "$(cat "$tmp/u1")" "-o FILE is required" "saying -o is required"
"$PGDECK" record -o "$tmp/x.pgrec" --interval 0 2>"$tmp/u2"
is $? 2 "a bad --interval: exit 2"
"$PGDECK" record -o "$tmp/x.pgrec" --duration 1h --size-limit 10M 2>"$tmp/u3"
is $? 2 "--duration with --size-limit: exit 2"
"$PGDECK" record -o "$tmp/x.pgrec" --duration 5x 2>"$tmp/u4"
is $? 2 "a bad --duration: exit 2"
"$PGDECK" record -o "$tmp/x.pgrec" --size-limit 1 2>"$tmp/u5"
is $? 2 "a too small --size-limit: exit 2"
ok "$([ ! -e "$tmp/x.pgrec" ] && echo 0 || echo 1)" "usage errors create no file"
like "$("$PGDECK" record --help)" "--keep-detail=D" "--help lists the options"
like "$("$PGDECK" --help)" "pgdeck record \[CONN\]" "pgdeck --help has record's synopsis"
# the man page follows --help (as run_usage.sh checks for the other commands)
missing=""
for o in $("$PGDECK" record --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    m=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
    grep -q -- "$m" "$top_srcdir/doc/pgdeck.1" || missing="$missing $o"
done
is "$missing" "" "doc/pgdeck.1 names every option of record --help"

done_testing
