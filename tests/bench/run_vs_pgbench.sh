#!/bin/sh
# tests/bench/run_vs_pgbench.sh — pgdeck's pool against pgbench on one
# throwaway cluster, alternated ROUNDS times (never asserts on time):
#   pgdeck run --clients 4 --repeat 20000 -c 'select 1'   (--jobs: one per CPU)
#   pgbench -n -M prepared -c 4 -j 2 -t 20000 -f select1.sql
#   pgdeck run ... --stats   (the cost of --stats: target within 2 %), and its
#   fixed cost alone on a tiny load
#   pgdeck run --jobs 1 ... and pgbench -j 1: one thread each, for reference
# Prints each wall time, the medians, the ratios (target: pgdeck at most
# 1.1x pgbench) and the pool's checkout + return overhead (median, µs) from
# the --stats JSON (target: at most 5 µs).
# Environment: ROUNDS (15), CLIENTS (4), REPEAT (20000).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
: "${ROUNDS:=15}" "${CLIENTS:=4}" "${REPEAT:=20000}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
PGBENCH="$PGDECK_TEST_BINDIR/pgbench"
[ -x "$PGBENCH" ] || PGBENCH=pgbench

echo 'select 1;' >"$tmp/select1.sql"

now() { date +%s.%N; }
# wall TIME-FILE CMD...: runs CMD, appends its wall time in seconds
wall() {
    f=$1
    shift
    t0=$(now)
    "$@" >"$tmp/last.out" 2>"$tmp/last.err" || {
        echo "FAILED: $*" >&2
        cat "$tmp/last.out" "$tmp/last.err" >&2
    }
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$f"
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { sort -g "$1" | head -n 1; } # the least disturbed run on a busy machine

pgbench_run() { "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -t "$REPEAT" -f "$tmp/select1.sql"; }
pgdeck_run() { "$PGDECK" run --clients "$CLIENTS" --repeat "$REPEAT" -c 'select 1'; }
pgbench_j1() { "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 1 -t "$REPEAT" -f "$tmp/select1.sql"; }
pgdeck_j1() { "$PGDECK" run --jobs 1 --clients "$CLIENTS" --repeat "$REPEAT" -c 'select 1'; }
pgdeck_stats() { "$PGDECK" run --clients "$CLIENTS" --repeat "$REPEAT" -c 'select 1' --stats 2>"$tmp/stats.json"; }

echo "pgdeck run vs pgbench: $CLIENTS clients x $REPEAT 'select 1', $ROUNDS rounds, $(nproc) CPUs"
printf '%-6s %12s %12s %14s %12s %12s\n' round pgbench_s pgdeck_s pgdeck_stats_s pgbench_j1_s pgdeck_j1_s
: >"$tmp/pgbench" ; : >"$tmp/pgdeck" ; : >"$tmp/stats" ; : >"$tmp/checkout" ; : >"$tmp/pgbench1" ; : >"$tmp/pgdeck1"
i=1
while [ "$i" -le "$ROUNDS" ]; do
    # alternate the order so that neither side always runs on a warmer server
    if [ $((i % 2)) -eq 1 ]; then
        wall "$tmp/pgbench" pgbench_run
        grep -E '^tps' "$tmp/last.out" | head -1 >"$tmp/pgbench_tps"
        wall "$tmp/pgdeck" pgdeck_run
        grep -E '^tps' "$tmp/last.out" >"$tmp/pgdeck_tps"
        wall "$tmp/stats" pgdeck_stats
        wall "$tmp/pgbench1" pgbench_j1
        wall "$tmp/pgdeck1" pgdeck_j1
    else
        wall "$tmp/pgdeck1" pgdeck_j1
        wall "$tmp/pgbench1" pgbench_j1
        wall "$tmp/stats" pgdeck_stats
        wall "$tmp/pgdeck" pgdeck_run
        grep -E '^tps' "$tmp/last.out" >"$tmp/pgdeck_tps"
        wall "$tmp/pgbench" pgbench_run
        grep -E '^tps' "$tmp/last.out" | head -1 >"$tmp/pgbench_tps"
    fi
    python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["checkout_ms"]["p50"] * 1000))' \
        "$tmp/stats.json" >>"$tmp/checkout" 2>/dev/null || echo "nan" >>"$tmp/checkout"
    printf '%-6s %12.3f %12.3f %14.3f %12.3f %12.3f\n' "$i" "$(sed -n "${i}p" "$tmp/pgbench")" \
        "$(sed -n "${i}p" "$tmp/pgdeck")" "$(sed -n "${i}p" "$tmp/stats")" \
        "$(sed -n "${i}p" "$tmp/pgbench1")" "$(sed -n "${i}p" "$tmp/pgdeck1")"
    i=$((i + 1))
done
# The fixed cost of --stats, apart from the rounds' noise: a tiny load (the
# engine gathers the same statistics with or without --stats; what --stats
# adds is the wait for the final snapshot and the JSON), 21 runs each.
: >"$tmp/tiny" ; : >"$tmp/tiny_stats"
k=0
while [ $k -lt 21 ]; do
    wall "$tmp/tiny" "$PGDECK" run --clients "$CLIENTS" --repeat 10 -c 'select 1'
    wall "$tmp/tiny_stats" "$PGDECK" run --clients "$CLIENTS" --repeat 10 -c 'select 1' --stats
    k=$((k + 1))
done
mb=$(median "$tmp/pgbench")
md=$(median "$tmp/pgdeck")
ms=$(median "$tmp/stats")
mc=$(median "$tmp/checkout")
mb1=$(median "$tmp/pgbench1")
md1=$(median "$tmp/pgdeck1")
printf '%-6s %12.3f %12.3f %14.3f %12.3f %12.3f\n' median "$mb" "$md" "$ms" "$mb1" "$md1"
bb=$(best "$tmp/pgbench")
bd=$(best "$tmp/pgdeck")
bs=$(best "$tmp/stats")
printf '%-6s %12.3f %12.3f %14.3f\n' best "$bb" "$bd" "$bs"
echo "pgbench last run:  $(cat "$tmp/pgbench_tps")"
echo "pgdeck last run:   $(cat "$tmp/pgdeck_tps")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# paired: each round's own ratio, then the median (drift between rounds cancels)
paired() { paste "$1" "$2" | awk '{ printf "%.6f\n", $1 / $2 }' >"$tmp/pair" && median "$tmp/pair"; }
echo "paired ratios (median of per-round ratios): pgdeck/pgbench $(paired "$tmp/pgdeck" "$tmp/pgbench"), -j 1 $(paired "$tmp/pgdeck1" "$tmp/pgbench1"), --stats on/off $(paired "$tmp/stats" "$tmp/pgdeck")"
echo "ratio pgdeck / pgbench wall time:      median $(ratio "$md" "$mb"), best $(ratio "$bd" "$bb")  (target <= 1.10)"
echo "ratio one thread each (-j 1):         median $(ratio "$md1" "$mb1")"
echo "ratio --stats on / off wall time:      median $(ratio "$ms" "$md"), best $(ratio "$bs" "$bd")  (target within 2 %)"
mt=$(median "$tmp/tiny")
mts=$(median "$tmp/tiny_stats")
awk -v a="$mts" -v b="$mt" -v d="$md" 'BEGIN { printf "--stats fixed cost (tiny load, 21 runs): %.1f ms median (%.3f s with, %.3f s without) = %.2f %% of the median pgdeck run\n", (a - b) * 1000, a, b, (a - b) / d * 100 }'
printf 'pool checkout + return, median:        %s us  (target <= 5 us)\n' "$mc"
