#!/bin/sh
# tests/bench/pipeline_inserts.sh — 10 000 single-row INSERTs into an
# UNLOGGED table, the same work for everyone, alternated ROUNDS times (never
# asserts on time). The work is pgbench's script: ten transactions, each
# BEGIN, the same 1 000 INSERTs (ids 1..1 000), COMMIT:
#   pgdeck run --pipeline -f FILE     (the ten transactions in one pipeline)
#   pgdeck run -f FILE                (one statement per round trip)
#   pgbench -n -M extended -t 10 -f a \startpipeline BEGIN; 1 000 INSERTs;
#   COMMIT; \endpipeline script (pgbench parses a 10 000-line script in
#   about 1.4 s, so it runs the 1 000-line script ten times)
# Same statements, rows and transactions; pgbench syncs after each of its ten
# transactions (PostgreSQL 15's pgbench has no \syncpipeline), pgdeck once at
# the end. Prints wall times, medians, best and the paired ratio (the median
# of each round's own ratio). Targets: pipeline >= 5x faster than one by one,
# <= 0.95x pgbench.
# Environment: ROUNDS (7).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
: "${ROUNDS:=7}"
N=10000
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
PGBENCH="$PGDECK_TEST_BINDIR/pgbench"
[ -x "$PGBENCH" ] || PGBENCH=pgbench

cluster_psql -c "create unlogged table ins (id int, payload text)" >/dev/null
# the same INSERT texts for everyone: a literal id and a short payload
block() { seq 1 1000 | awk '{ printf "insert into ins values (%d, '\''row %d payload'\'');\n", $1, $1 }'; }
for t in 1 2 3 4 5 6 7 8 9 10; do
    echo "begin;"
    block
    echo "commit;"
done >"$tmp/inserts.sql"
{
    printf '%s\n' '\startpipeline' 'begin;'
    block
    printf '%s\n' 'commit;' '\endpipeline'
} >"$tmp/pgbench_pipeline.sql"

now() { date +%s.%N; }
wall() { # wall TIME-FILE CMD...
    f=$1
    shift
    cluster_psql -c "truncate ins" >/dev/null
    t0=$(now)
    "$@" >"$tmp/last.out" 2>"$tmp/last.err" || {
        echo "FAILED: $*" >&2
        tail -n 5 "$tmp/last.out" "$tmp/last.err" >&2
    }
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$f"
    rows=$(cluster_psql -c "select count(*) from ins")
    [ "$rows" = "$N" ] || echo "WARNING: $* left $rows rows, not $N" >&2
}
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { sort -g "$1" | head -n 1; } # the least disturbed run on a busy machine

pgdeck_pipeline() { "$PGDECK" run --pipeline -f "$tmp/inserts.sql"; }
pgdeck_onebyone() { "$PGDECK" run -f "$tmp/inserts.sql"; }
pgbench_pipeline() { "$PGBENCH" -n -M extended -c 1 -t 10 -f "$tmp/pgbench_pipeline.sql"; }

echo "$N single-row INSERTs in 10 transactions into an UNLOGGED table, $ROUNDS rounds"
printf '%-6s %16s %16s %16s\n' round pipeline_s one_by_one_s pgbench_pipe_s
: >"$tmp/pipe" ; : >"$tmp/one" ; : >"$tmp/bench"
i=1
while [ "$i" -le "$ROUNDS" ]; do
    case $((i % 3)) in
    1) wall "$tmp/pipe" pgdeck_pipeline; wall "$tmp/one" pgdeck_onebyone; wall "$tmp/bench" pgbench_pipeline ;;
    2) wall "$tmp/bench" pgbench_pipeline; wall "$tmp/pipe" pgdeck_pipeline; wall "$tmp/one" pgdeck_onebyone ;;
    0) wall "$tmp/one" pgdeck_onebyone; wall "$tmp/bench" pgbench_pipeline; wall "$tmp/pipe" pgdeck_pipeline ;;
    esac
    printf '%-6s %16.3f %16.3f %16.3f\n' "$i" "$(sed -n "${i}p" "$tmp/pipe")" \
        "$(sed -n "${i}p" "$tmp/one")" "$(sed -n "${i}p" "$tmp/bench")"
    i=$((i + 1))
done
mp=$(median "$tmp/pipe")
mo=$(median "$tmp/one")
mb=$(median "$tmp/bench")
printf '%-6s %16.3f %16.3f %16.3f\n' median "$mp" "$mo" "$mb"
bp=$(best "$tmp/pipe")
bo=$(best "$tmp/one")
bb=$(best "$tmp/bench")
printf '%-6s %16.3f %16.3f %16.3f\n' best "$bp" "$bo" "$bb"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
paired=$(paste "$tmp/pipe" "$tmp/bench" | awk '{ print $1 / $2 }' >"$tmp/paired" && median "$tmp/paired")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "speed-up of --pipeline over one by one:     median $(ratio "$mo" "$mp")x, best $(ratio "$bo" "$bp")x  (target >= 5x)"
echo "ratio pgdeck --pipeline / pgbench pipeline: paired $(printf '%.3f' "$paired"), median $(ratio "$mp" "$mb"), best $(ratio "$bp" "$bb")  (target <= 0.95)"
