#!/bin/sh
# report_day.sh — `pgdeck report` on a day of 5 s snapshots (issue 17: a
# week at 5 s must be reportable; the report sums in SQL, so its time grows
# with the rows in the window, not with moments rebuilt one by one).
#   The recording: `pgdeck record --interval 0.5` of a pgbench workload and
#   a hundred statements of their own, then its snapshots copied in SQLite
#   (sqlite3) until the file holds BENCH_SNAPSHOTS snapshots 5 s apart — a
#   real file of that size, rows as pgdeck record writes them.
#   day      the whole file (text, then --json)
#   window   30 minutes in the middle of it
# Prints wall time (best of BENCH_RUNS) and the file's size; never asserts on
# time.
#   BENCH_SNAPSHOTS=17280   a day at 5 s
#   BENCH_RUNS=3
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 command is not installed"
cluster_start
nsnap=${BENCH_SNAPSHOTS:-17280}
runs=${BENCH_RUNS:-3}
tmp=$(mktemp -d)
bgp=
trap 'for p in $bgp; do kill $p 2>/dev/null; done; cluster_stop; rm -rf "$tmp"' EXIT
PGBENCH="$PGDECK_TEST_BINDIR/pgbench"
[ -x "$PGBENCH" ] || PGBENCH=pgbench
now() { date +%s%N; }

"$PGBENCH" -q -i -s 2 >/dev/null 2>&1
"$PGBENCH" -c 6 -T 20 -n >/dev/null 2>&1 &
bgp="$bgp $!"
for i in $(seq 100); do echo "create table if not exists rd_t$i(x int);"; done | cluster_psql >/dev/null
(for r in $(seq 40); do for i in $(seq 100); do echo "select count(*) from rd_t$i;"; done; echo "select pg_sleep(0.3);"; done |
    cluster_psql >/dev/null 2>&1) &
bgp="$bgp $!"
rec=$tmp/day.pgrec
"$PGDECK" record -o "$rec" --interval 0.5 --duration 15s 2>/dev/null
sqlite3 "$rec" >/dev/null <<EOF
PRAGMA foreign_keys = ON;
CREATE TEMP TABLE src AS
  SELECT id, row_number() OVER (ORDER BY taken_at) - 1 AS i FROM snapshot WHERE interval_s > 0;
CREATE TEMP TABLE map AS
  WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < $nsnap)
  SELECT 10000000 + n AS new_id, (SELECT id FROM src WHERE i = n % (SELECT count(*) FROM src)) AS old_id,
         (SELECT min(taken_at) FROM snapshot) - 5.0 * $nsnap + 5.0 * n AS t FROM k;
BEGIN;
INSERT INTO snapshot SELECT m.new_id, s.server_id, m.t, 5, 0, s.up, s.error, s.version_num, s.standby
  FROM map m JOIN snapshot s ON s.id = m.old_id;
INSERT INTO stmt SELECT m.new_id, dbid, userid, queryid, toplevel, calls, total_ms, rows,
  shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written, local_blks_hit,
  local_blks_read, local_blks_dirtied, local_blks_written, temp_blks_read, temp_blks_written,
  blk_read_ms, blk_write_ms, plans, plan_ms, wal_records, wal_bytes, max_ms
  FROM map m JOIN stmt x ON x.snapshot_id = m.old_id;
INSERT INTO backend SELECT m.new_id, pid, database, role, application, client, state, wait_type,
  wait_event, backend_type, query, backend_start, xact_s, query_s, state_s, blocked_by, nblocking
  FROM map m JOIN backend x ON x.snapshot_id = m.old_id;
INSERT INTO dbstat SELECT m.new_id, xacts, blks_hit, blks_read, temp_files, temp_bytes, tps,
  hit_ratio, temp_files_s, temp_bytes_s, connections, max_connections
  FROM map m JOIN dbstat x ON x.snapshot_id = m.old_id;
INSERT INTO view_row SELECT m.new_id, view, ord, data FROM map m JOIN view_row x ON x.snapshot_id = m.old_id;
INSERT INTO fleet SELECT m.new_id, version, connections, max_conn, tps, longest_xact, blocked,
  lag_s, lag_bytes, standbys FROM map m JOIN fleet x ON x.snapshot_id = m.old_id;
DELETE FROM snapshot WHERE id < 10000000;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
EOF
[ $? -eq 0 ] || { diag "copying the snapshots failed"; exit 1; }
have=$(sqlite3 "$rec" "select count(*) from snapshot")
stmts=$(sqlite3 "$rec" "select count(*) from stmt")
backends=$(sqlite3 "$rec" "select count(*) from backend")
first=$(sqlite3 "$rec" "select min(taken_at) from snapshot")
bytes=$(stat -c %s "$rec")
diag "$have snapshots, $stmts stmt rows, $backends backend rows, $((bytes / 1048576)) MB"

# best wall time of $runs runs of: pgdeck report ARGS, in ms
best() {
    b=""
    for r in $(seq "$runs"); do
        t0=$(now)
        "$PGDECK" report "$rec" "$@" >/dev/null || return 1
        t=$((($(now) - t0) / 1000000))
        [ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
    done
    echo "$b"
}
day=$(best)
ok $? "report on the whole day"
day_json=$(best --json)
ok $? "report --json on the whole day"
mid=$(awk -v f="$first" -v n="$nsnap" 'BEGIN { printf "%.3f", f + 2.5 * n }')
to=$(awk -v m="$mid" 'BEGIN { printf "%.3f", m + 1800 }')
win=$(best --from "$mid" --to "$to")
ok $? "report on 30 minutes of it"
diag "pgdeck report, a day of $have snapshots ($((bytes / 1048576)) MB): ${day} ms text, ${day_json} ms json; 30 minutes: ${win} ms"
done_testing
