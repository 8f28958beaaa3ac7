#!/bin/sh
# import_vs_psql.sh — `pgdeck import` against psql \copy, side by side, in one
# run on one throwaway cluster: a generated 6-column CSV (quoted fields with
# commas, a numeric and a timestamp column) of 1 000 000 rows (~94 MB), in
# three scenarios, each pair run A B, B A, ... (alternated every round):
#
#   new       pgdeck import --create         | psql -1: CREATE TABLE + \copy
#             (pgdeck creates the table in the COPY's transaction and COPYs
#             with FREEZE; psql's table is created in its own transaction too)
#   existing  pgdeck import --table b        | psql \copy into the same table
#             (created before the timed run; no FREEZE is legal there)
#   jobs2     pgdeck import --create --jobs 2| psql -1: CREATE TABLE + \copy
#             (the whole file through one backend; pgdeck's two parts commit
#             two-phase, so no FREEZE either: the table is committed first)
#
# Row count and an order-independent checksum are verified after every load.
# Prints the median (and min) wall time of each side and the ratio of the
# medians and the median of the per-round ratios. Never asserts on time.
#
#   BENCH_ROWS=1000000   rows
#   BENCH_ROUNDS=5       rounds (>= 5 for a median)
#   BENCH_DIR=/tmp       where the generated file is kept (reused)
# Build without --enable-debug (that one is -O0) for meaningful figures.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

rows=${BENCH_ROWS:-1000000}
rounds=${BENCH_ROUNDS:-5}
dir=${BENCH_DIR:-/tmp}
res=$(mktemp -d /tmp/pgdeck-bench-import.XXXXXX)
trap 'rm -rf "$res"; cluster_stop' EXIT
q() { cluster_psql -c "$1"; }
PSQL="$PGDECK_TEST_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql
DDL="create table b (id int4, name text, email text, amount numeric, created timestamp, note text)"

file="$dir/pgdeck-bench-$rows.csv"
if [ ! -s "$file" ]; then
    echo "# generating $file ($rows rows) once; later runs reuse it" >&2
    awk -v n="$rows" 'BEGIN {
        srand(42);
        print "id,name,email,amount,created,note";
        for (i = 1; i <= n; i++)
            printf "%d,\"Surname%d, Given%d\",u%d@ex.com,%d.%02d,2024-%02d-%02d %02d:%02d:%02d,\"note %d, with a comma\"\n",
                i, i % 9973, i % 997, i, int(rand() * 100000), i % 100,
                1 + i % 12, 1 + i % 28, i % 24, i % 60, (i * 7) % 60, i
    }' >"$file.tmp" && mv "$file.tmp" "$file"
    chmod 644 "$file"
fi

# prepare SCENARIO: the table as the scenario wants it before the timed run
prepare() {
    q "drop table if exists b" >/dev/null
    [ "$1" = existing ] && q "$DDL" >/dev/null
    # fsync is off: flush the previous load's dirty pages now, or the
    # kernel's writeback would slow whichever tool runs next
    q "checkpoint" >/dev/null
    sync
}
checksum() { q "select count(*) || ' ' || coalesce(sum(hashtext(t::text)::bigint), 0) from b t"; }

# run SCENARIO SIDE CMD...: appends the wall seconds to $res/SCENARIO.SIDE
run() {
    sc=$1 side=$2
    shift 2
    prepare "$sc"
    if /usr/bin/time -f "%e" -o "$res/time" "$@" >"$res/out" 2>&1; then
        sum=$(checksum)
        if [ "$sum" = "$want" ]; then
            cat "$res/time" >>"$res/$sc.$side"
            echo "#   $sc $side: $(cat "$res/time") s" >&2
        else
            echo "#   $sc $side: WRONG RESULT ($sum, want $want)" >&2
            echo wrong >>"$res/bad"
        fi
    else
        echo "#   $sc $side failed: $(tail -3 "$res/out" | tr '\n' ' ')" >&2
        echo failed >>"$res/bad"
    fi
}

side() { # side SCENARIO pgdeck|psql
    case $1.$2 in
    new.pgdeck) run new pgdeck "$PGDECK" import "$file" --table b --create ;;
    jobs2.pgdeck) run jobs2 pgdeck "$PGDECK" import "$file" --table b --create --jobs 2 ;;
    existing.pgdeck) run existing pgdeck "$PGDECK" import "$file" --table b ;;
    existing.psql) run existing psql "$PSQL" -X -q -c "\\copy b from '$file' csv header" ;;
    *.psql) run "$1" psql "$PSQL" -X -q -1 -c "$DDL" -c "\\copy b from '$file' csv header" ;;
    esac
}

prepare existing
q "copy b from '$file' (format csv, header)" >/dev/null
want=$(checksum)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
r=1
while [ "$r" -le "$rounds" ]; do
    echo "# round $r" >&2
    for sc in new existing jobs2; do
        if [ $((r % 2)) -eq 1 ]; then
            side $sc pgdeck
            side $sc psql
        else
            side $sc psql
            side $sc pgdeck
        fi
    done
    r=$((r + 1))
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minof() { sort -n "$1" | head -1; }
echo
echo "# $rows rows, $(du -m "$file" | cut -f1) MB, $rounds alternated rounds; wal_level=$(q 'show wal_level')," \
    "fsync=$(q 'show fsync'), synchronous_commit=$(q 'show synchronous_commit'); PostgreSQL $(q 'show server_version')"
echo "# load average before: $load0, after: $load1 ($(nproc) CPUs shared by client, server and whatever else runs)"
printf '%-10s %12s %12s %12s %12s %9s %9s %8s\n' scenario "pgdeck med" "pgdeck min" "psql med" "psql min" "x medians" "x paired" target
for sc in new existing jobs2; do
    a=$res/$sc.pgdeck b=$res/$sc.psql
    if [ ! -s "$a" ] || [ ! -s "$b" ]; then
        printf '%-10s %s\n' "$sc" "(failed, see above)"
        continue
    fi
    paired=$(paste "$a" "$b" | awk '$2 > 0 { printf "%.4f\n", $1 / $2 }' >"$res/pr" && median "$res/pr")
    case $sc in new) t=0.80 ;; existing) t=0.95 ;; jobs2) t=0.60 ;; esac
    printf '%-10s %12s %12s %12s %12s %9s %9s %8s\n' "$sc" "$(median "$a")" "$(minof "$a")" \
        "$(median "$b")" "$(minof "$b")" \
        "$(awk -v x="$(median "$a")" -v y="$(median "$b")" 'BEGIN { printf "%.2f", x / y }')" \
        "$(printf '%.2f' "$paired")" "<= $t"
done
ok "$([ -e "$res/bad" ] && echo 1 || echo 0)" "every load gave the reference table (figures above; time never asserted)"
done_testing
