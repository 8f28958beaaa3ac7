#!/bin/sh
# tests/bench/record_cost.sh — what `pgdeck record` costs, on a throwaway
# cluster running the demo's workload (tests/bench/demo_load: the shop
# schema, fast lookups, a slow report, a long query, a lock holder and its
# waiter):
#   - the recorder's CPU (user + system of the whole process, its engine
#     threads included) over wall time, at --interval 5 and 1;
#   - ms per snapshot written (the writer's transaction, from the -v lines);
#   - the server's time per snapshot: the recorder's own statements
#     ("SELECT /* pgdeck monitor */") in pg_stat_statements;
#   - bytes per snapshot (SQLite pages in use / snapshots), and per
#     grain-60 (per-minute) snapshot after thinning, and a week at 5 s
#     derived from them (one day of detail, six days of minutes);
# next to pgcenter record when it is installed, else a psql loop that runs
# the same SELECTs every interval (`psql -c` per statement, as cron would).
# Prints figures; never asserts (goals: CPU <= 2 %, <= 5 ms per snapshot).
#
#   sh tests/bench/record_cost.sh [-a SECONDS_AT_5S] [-b SECONDS_AT_1S]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
A=180 B=60
while getopts a:b: o; do
    case $o in a) A=$OPTARG ;; b) B=$OPTARG ;; *) exit 2 ;; esac
done
LOAD=$top_builddir/tests/bench/demo_load
[ -x "$LOAD" ] || { echo "build tests/bench/demo_load first (make)"; exit 2; }
command -v sqlite3 >/dev/null || { echo "the sqlite3 command is needed"; exit 2; }
cluster_start
tmp=$(mktemp -d)
load=
trap 'kill $load 2>/dev/null; cluster_stop; rm -rf "$tmp"' EXIT
conninfo="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER"

"$LOAD" "$conninfo" 3600 >"$tmp/load.out" 2>&1 &
load=$!
wait_until 300 grep -q ready "$tmp/load.out" || { echo "the demo workload did not start"; exit 1; }
sleep 5

# runs a command, prints "CPU_SECONDS WALL_SECONDS" of it (and its children)
measure() {
    python3 - "$@" <<'PY'
import os, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stderr=open(os.environ["LOGFILE"], "w"))
_, status, ru = os.wait4(p.pid, 0)
print("%.3f %.3f" % (ru.ru_utime + ru.ru_stime, time.monotonic() - t0))
PY
}

monitor_ms() {
    cluster_psql -c "select coalesce(sum(total_exec_time), 0), coalesce(sum(calls), 0)
                     from pg_stat_statements where query like 'SELECT /* pgdeck monitor */%'"
}

used_bytes() {
    sqlite3 "$1" "pragma wal_checkpoint(truncate);" >/dev/null
    sqlite3 "$1" "select (select page_count from pragma_page_count) - (select freelist_count from pragma_freelist_count)" |
        awk -v ps="$(sqlite3 "$1" 'pragma page_size')" '{ print $1 * ps }'
}

record_at() { # INTERVAL SECONDS FILE
    before=$(monitor_ms)
    set -- "$1" "$2" "$3" $(LOGFILE=$tmp/rec-$1.log measure "$PGDECK" record -o "$3" --interval "$1" --duration "${2}s" -v)
    after=$(monitor_ms)
    snaps=$(sqlite3 "$3" "select count(*) from snapshot")
    writes=$(sed -n 's/.*written in \([0-9.]*\) ms$/\1/p' "$tmp/rec-$1.log" | sort -n |
        awk '{ v[NR] = $1; s += $1 } END { printf "%.2f %.2f %.2f", s / NR, v[int(NR * 0.95 + 0.5)], v[NR] }')
    server=$(printf '%s\n%s\n' "$before" "$after" | awk -F'|' -v n="$snaps" \
        'NR == 1 { t = $1; c = $2 } NR == 2 { printf "%.2f %.1f", ($1 - t) / n, ($2 - c) / n }')
    echo "$1 $4 $5 $snaps $writes $server"
}

echo "# recording the demo workload: ${A}s at 5 s, ${B}s at 1 s"
r5=$(record_at 5 "$A" "$tmp/r5.pgrec")
r1=$(record_at 1 "$B" "$tmp/r1.pgrec")
grep -v ' snapshot ' "$tmp/rec-5.log" "$tmp/rec-1.log" | sed 's/^/# /'

# bytes per snapshot: the growth, not the fixed cost of an empty file (a
# page per table and index, the texts): a copy without the older half of the
# snapshots, both vacuumed, and the difference over the snapshots it lacks
marginal() { # FILE GRAIN -> bytes per snapshot of that grain
    cp "$1" "$tmp/half.pgrec"
    n=$(sqlite3 "$1" "select count(*) from snapshot where grain = $2")
    sqlite3 "$tmp/half.pgrec" "pragma foreign_keys = on; delete from snapshot where id in
        (select id from snapshot where grain = $2 order by taken_at limit $n / 2); vacuum"
    cp "$1" "$tmp/full.pgrec"
    sqlite3 "$tmp/full.pgrec" "vacuum"
    full=$(used_bytes "$tmp/full.pgrec") half=$(used_bytes "$tmp/half.pgrec")
    echo $(( (full - half) / (n / 2 > 0 ? n / 2 : 1) ))
}
n5=$(sqlite3 "$tmp/r5.pgrec" "select count(*) from snapshot")
bytes5=$(used_bytes "$tmp/r5.pgrec")
per_snap=$(marginal "$tmp/r5.pgrec" 0)
echo "# rows per snapshot (5 s): $(sqlite3 "$tmp/r5.pgrec" "select
  round((select count(*) from stmt) * 1.0 / $n5, 1) || ' stmt, ' ||
  round((select count(*) from backend) * 1.0 / $n5, 1) || ' backend, ' ||
  round((select count(*) from view_row) * 1.0 / $n5, 1) || ' view_row, ' ||
  (select count(*) from query_text) || ' texts in all'")"
echo "# view_row JSON bytes per snapshot: $(sqlite3 "$tmp/r5.pgrec" "select group_concat(v, ', ')
  from (select view || ' ' || (sum(length(data)) / $n5) as v from view_row group by view)")"

# fold the 5 s recording per minute (keep-detail 1s), measure a minute
cp "$tmp/r5.pgrec" "$tmp/r60.pgrec"
"$PGDECK" record -o "$tmp/r60.pgrec" --keep-detail 1s --interval 1 --duration 1s 2>/dev/null
n60=$(sqlite3 "$tmp/r60.pgrec" "select count(*) from snapshot where grain = 60")
per_min=$(marginal "$tmp/r60.pgrec" 60)
week=$(( 17280 * per_snap + 6 * 1440 * per_min ))
nofold=$(( 7 * 17280 * per_snap ))

echo
if command -v pgcenter >/dev/null 2>&1; then
    echo "# pgcenter record at 5 s and 1 s"
    set -- $(LOGFILE=$tmp/pgc5.log measure timeout "$A" pgcenter record -f "$tmp/pgc5.tar" -i 5s -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE")
    other5="pgcenter record|$1|$2"
    set -- $(LOGFILE=$tmp/pgc1.log measure timeout "$B" pgcenter record -f "$tmp/pgc1.tar" -i 1s -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE")
    other1="pgcenter record|$1|$2"
else
    # the recorder's statements as the server saw them, parameters as NULL
    cluster_psql -R '@@@@' -c "select regexp_replace(query, '\\\$[0-9]+', 'NULL', 'g')
                     from pg_stat_statements
                     where query like 'SELECT /* pgdeck monitor */%' and calls > 5
                       and query not like '%ANY(%'" >"$tmp/reads.sql"
    nreads=$(awk 'BEGIN { RS = "@@@@" } NF { n++ } END { print n }' "$tmp/reads.sql")
    cat >"$tmp/loop.py" <<'PY'
import subprocess, sys, time
interval, seconds, path, psql = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
reads = [q for q in open(path).read().split("@@@@") if q.strip()]
args = [psql, "-X", "-q", "-A", "-t"]
for q in reads:
    args += ["-c", q]
end = time.monotonic() + seconds
nxt = time.monotonic()
while time.monotonic() < end:
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nxt += interval
    time.sleep(max(0, nxt - time.monotonic()))
PY
    psql_loop() { # INTERVAL SECONDS
        LOGFILE=$tmp/loop.log measure python3 "$tmp/loop.py" "$1" "$2" "$tmp/reads.sql" \
            "${PGDECK_TEST_BINDIR:+$PGDECK_TEST_BINDIR/}psql"
    }
    echo "# pgcenter is not installed: a psql loop running the recorder's $nreads SELECTs every interval"
    set -- $(psql_loop 5 "$A")
    other5="psql loop|$1|$2"
    set -- $(psql_loop 1 "$B")
    other1="psql loop|$1|$2"
fi

echo
printf '%-16s %8s %9s %7s %6s %10s %10s %10s %13s %13s\n' "" interval "cpu s" wall "cpu %" \
    snapshots "write ms" "p95 / max" "server ms" "statements"
for r in "$r5" "$r1"; do
    set -- $r
    printf '%-16s %7ss %9s %7s %5.2f%% %10s %10s %10s %13s %13s\n' "pgdeck record" "$1" "$2" "$3" \
        "$(echo "$2 $3" | awk '{ print $1 / $2 * 100 }')" "$4" "$5" "$6 / $7" "$8" "$9"
done
for o in "5|$other5" "1|$other1"; do
    i=${o%%|*} rest=${o#*|}
    name=${rest%%|*} rest=${rest#*|}
    cpu=${rest%%|*} wall=${rest#*|}
    printf '%-16s %7ss %9s %7s %5.2f%%\n' "$name" "$i" "$cpu" "$wall" \
        "$(echo "$cpu $wall" | awk '{ print $1 / $2 * 100 }')"
done
echo
echo "file after ${A}s at 5 s: $bytes5 bytes, $n5 snapshots"
echo "bytes per snapshot (5 s, grain 0):      $per_snap"
echo "bytes per per-minute snapshot (grain 60): $per_min ($n60 minutes folded)"
echo "a week at 5 s, 1 day detail + 6 days of minutes: $((week / 1048576)) MiB"
echo "(without thinning it would be $((nofold / 1048576)) MiB)"
