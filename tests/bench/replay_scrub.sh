#!/bin/sh
# replay_scrub.sh — scrubbing a recording in the console (issue 17: "each
# step drawn in under 50 ms" on a day of 5 s snapshots).
#   The recording: `pgdeck record --interval 0.5` of a pgbench workload and
#   a hundred statements of their own (statements, sessions, views and the
#   Fleet line), then its snapshots copied
#   in SQLite (sqlite3) until the file holds BENCH_SNAPSHOTS snapshots 5 s
#   apart — a real file of that size, rows as pgdeck record writes them.
#   step     `pgdeck --replay` in tmux: one `.` at a time, the time from the
#            key to the new moment on the screen (tmux capture in a busy
#            loop), in Slow and in Activity: p50, p95, max, moments/s.
#   floor    the same round trip for a key that only redraws the pane (s:
#            sort): what tmux and the capture cost by themselves.
#   burst    BENCH_BURST `.` sent at once: the console reads them all and
#            draws once, so this is the seek + load rate without drawing.
# Prints the figures; never asserts on time.
#   BENCH_SNAPSHOTS=17280   a day at 5 s
#   BENCH_STEPS=100         steps timed per pane
#   BENCH_BURST=1000
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/shell_lib.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "the sqlite3 command is not installed"
cluster_start
nsnap=${BENCH_SNAPSHOTS:-17280}
steps=${BENCH_STEPS:-100}
burst=${BENCH_BURST:-1000}
tmp=$(mktemp -d)
trap 'for p in $bgp; do kill $p 2>/dev/null; done; sh_stop; cluster_stop; rm -rf "$tmp"' EXIT
bgp=
PGBENCH="$PGDECK_TEST_BINDIR/pgbench"
[ -x "$PGBENCH" ] || PGBENCH=pgbench
now() { date +%s%N; }

# --- the recording -----------------------------------------------------------------
"$PGBENCH" -q -i -s 2 >/dev/null 2>&1
"$PGBENCH" -c 6 -T 20 -n >/dev/null 2>&1 &
bgp="$bgp $!"
# a hundred statements of their own (one table each: distinct queryids), as
# a busy server's Slow list holds
for i in $(seq 100); do echo "create table if not exists scrub_t$i(x int);"; done | cluster_psql >/dev/null
(for r in $(seq 40); do for i in $(seq 100); do echo "select count(*) from scrub_t$i;"; done; echo "select pg_sleep(0.3);"; done |
    cluster_psql >/dev/null 2>&1) &
bgp="$bgp $!"
rec=$tmp/day.db
"$PGDECK" record -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE" -o "$rec" --interval 0.5 \
    --duration 15s 2>/dev/null
real=$(sqlite3 "$rec" "select count(*) from snapshot")
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
per=$(sqlite3 "$rec" "select (select count(*) from stmt) / $have, (select count(*) from backend) / $have, (select count(*) from view_row) / $have")
size=$(du -m "$rec" | cut -f1)
diag "recording: $have snapshots (from $real recorded), $size MB; per snapshot stmt|backend|view rows: $per"

# --- scrubbing -------------------------------------------------------------------------
sh_start scrub 160 45 -- --replay "$rec"
sh_wait '^REPLAY ' 20 || { diag "the replay did not start"; exit 1; }
header() { tmux -L "$SH_SOCK" capture-pane -p -t main -S 0 -E 0; }
body() { tmux -L "$SH_SOCK" capture-pane -p -t main -S 2 -E 8; }
# one key, then capture until what $2 reads changes; prints milliseconds
timed_key() {
    _before=$($2)
    _t0=$(now)
    tmux -L "$SH_SOCK" send-keys -t main "$1"
    _i=0
    while [ "$($2)" = "$_before" ] && [ $_i -lt 5000 ]; do _i=$((_i + 1)); done
    echo $((($(now) - _t0) / 1000))
}
stats() { # microseconds on stdin -> "p50 p95 max mean" in ms
    sort -n | awk '{ v[NR] = $1; s += $1 } END { if (!NR) exit; printf "%.1f %.1f %.1f %.1f", v[int(NR*0.5+0.5)]/1000, v[int(NR*0.95+0.5)]/1000, v[NR]/1000, s/NR/1000 }'
}
run_steps() { # PANE-KEY: steps back from the middle of the recording
    sh_keys "$1"
    sh_cmd "goto $(sqlite3 "$rec" "select taken_at from snapshot order by taken_at limit 1 offset $((have / 2))")"
    sleep 0.5
    : >"$tmp/steps"
    for _s in $(seq "$steps"); do timed_key , header >>"$tmp/steps"; done
    stats <"$tmp/steps"
}
slow=$(run_steps 2)
activity=$(run_steps 3)
sh_keys 3
: >"$tmp/floor"
for _s in $(seq "$steps"); do timed_key s body >>"$tmp/floor"; done
floor=$(stats <"$tmp/floor")

# burst: every key read at once, one draw
sh_keys '{'
sleep 0.5
want=$(date -d "@$(sqlite3 "$rec" "select cast(taken_at as integer) from snapshot order by taken_at limit 1 offset $burst")" +%H:%M:%S)
t0=$(now)
tmux -L "$SH_SOCK" send-keys -t main "$(printf '%*s' "$burst" '' | tr ' ' '.')"
wait_until 120 sh_shows "^REPLAY [0-9-]+ $want"
t1=$(now)
burst_ms=$(((t1 - t0) / 1000000))
sh_quit q

rate() { awk -v m="$1" 'BEGIN { printf "%.0f", (m > 0 ? 1000 / m : 0) }'; }
set -- $slow
printf '%-34s %8s %8s %8s %8s %10s\n' "key to screen, $steps steps" "p50 ms" "p95 ms" "max ms" "mean ms" "moments/s"
printf '%-34s %8s %8s %8s %8s %10s\n' "step in Slow (,)" "$1" "$2" "$3" "$4" "$(rate "$4")"
set -- $activity
printf '%-34s %8s %8s %8s %8s %10s\n' "step in Activity (,)" "$1" "$2" "$3" "$4" "$(rate "$4")"
set -- $floor
printf '%-34s %8s %8s %8s %8s %10s\n' "floor: redraw only (s in Activity)" "$1" "$2" "$3" "$4" "-"
printf '%-34s %8s ms for %s snapshots: %s moments/s loaded\n' "burst (seek + load, one draw)" "$burst_ms" "$burst" \
    "$(awk -v n="$burst" -v m="$burst_ms" 'BEGIN { printf "%.0f", (m > 0 ? n * 1000 / m : 0) }')"
