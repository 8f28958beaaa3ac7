#!/bin/sh
# import_vs_psql.sh — `pgdeck import` against its peers, side by side, in one
# run on one throwaway cluster: a generated 6-column CSV (quoted fields with
# commas) of 1 000 000 rows (~94 MB) and of 10 000 000 rows, each loaded into
# an empty table by
#   pgdeck import (1 job) | psql \copy ... csv header | pgdeck import --jobs 2
#   | server-side COPY ... FROM 'file' (one backend, no client) | pgloader
# in alternating order. Row count and an order-independent checksum are
# verified after every load; wall time and peak RSS (/usr/bin/time) printed
# with ratios to psql. Never asserts on time.
#
#   BENCH_SIZES="1000000 10000000"  row counts (default both)
#   BENCH_ROUNDS=2                  alternated rounds per size (the best is kept)
# Build without --enable-debug (that one is -O0) for meaningful figures.
#   BENCH_DIR=/tmp                  where the generated files are kept (reused)
#   BENCH_PGLOADER_MAX_ROWS=1000000 pgloader only up to this size (it is slow)
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

sizes=${BENCH_SIZES:-"1000000 10000000"}
rounds=${BENCH_ROUNDS:-2}
dir=${BENCH_DIR:-/tmp}
res=$(mktemp -d /tmp/pgdeck-bench-import.XXXXXX)
trap 'rm -rf "$res"; cluster_stop' EXIT
q() { cluster_psql -c "$1"; }
PSQL="$PGDECK_TEST_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql

gen() { # gen ROWS FILE
    [ -s "$2" ] && return 0
    echo "# generating $2 ($1 rows) once; later runs reuse it" >&2
    awk -v n="$1" 'BEGIN {
        srand(42);
        print "id,name,email,amount,created,note";
        for (i = 1; i <= n; i++)
            printf "%d,\"Surname%d, Given%d\",u%d@ex.com,%d.%02d,2024-%02d-%02d %02d:%02d:%02d,\"note %d, with a comma\"\n",
                i, i % 9973, i % 997, i, int(rand() * 100000), i % 100,
                1 + i % 12, 1 + i % 28, i % 24, i % 60, (i * 7) % 60, i
    }' >"$2.tmp" && mv "$2.tmp" "$2"
    chmod 644 "$2"
}

fresh() {
    q "drop table if exists b; create table b (id int8, name text, email text, amount numeric,
       created timestamp, note text)" >/dev/null
    q "checkpoint" >/dev/null
    # fsync is off: flush the previous load's dirty pages now, or the
    # kernel's writeback would slow whichever tool runs next
    sync
}

checksum() { q "select count(*) || ' ' || coalesce(sum(hashtext(t::text)::bigint), 0) from b t"; }

# run NAME ROWS FILE CMD... : wall seconds and peak RSS in $res/NAME.ROWS
run() {
    name=$1 rows=$2 file=$3
    shift 3
    fresh
    if /usr/bin/time -f "%e %M" -o "$res/time" "$@" >"$res/out" 2>&1; then
        sum=$(checksum)
        if [ "$sum" = "$(cat "$res/want.$rows")" ]; then
            cat "$res/time" >>"$res/$name.$rows"
            echo "#   $name: $(cat "$res/time" | awk '{printf "%.2f s, %.1f MB RSS", $1, $2 / 1024}')" >&2
        else
            echo "#   $name: WRONG RESULT ($sum, want $(cat "$res/want.$rows"))" >&2
            echo "wrong" >>"$res/$name.$rows.bad"
        fi
    else
        echo "#   $name failed: $(tail -3 "$res/out" | tr '\n' ' ')" >&2
        echo "failed" >>"$res/$name.$rows.bad"
    fi
}

url="postgresql://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE"
pgloader_ok=1
command -v pgloader >/dev/null 2>&1 || pgloader_ok=0

for rows in $sizes; do
    file="$dir/pgdeck-bench-$rows.csv"
    gen "$rows" "$file"
    mb=$(du -m "$file" | cut -f1)
    echo "# $rows rows, $mb MB: $file" >&2
    # the reference result: server-side COPY
    fresh
    q "copy b from '$file' (format csv, header)" >/dev/null
    checksum >"$res/want.$rows"
    n=$rounds
    r=1
    while [ "$r" -le "$n" ]; do
        echo "# round $r" >&2
        order="pgdeck psql jobs2 server pgloader"
        [ $((r % 2)) -eq 0 ] && order="pgloader server jobs2 psql pgdeck"
        for tool in $order; do
            case $tool in
            pgdeck) run pgdeck "$rows" "$file" "$PGDECK" import "$file" --table b ;;
            jobs2) run jobs2 "$rows" "$file" "$PGDECK" import "$file" --table b --jobs 2 ;;
            psql) run psql "$rows" "$file" "$PSQL" -X -q -c "\\copy b from '$file' csv header" ;;
            server) run server "$rows" "$file" "$PSQL" -X -q -c "copy b from '$file' (format csv, header)" ;;
            pgloader)
                [ "$pgloader_ok" = 1 ] || continue
                if [ "$rows" -gt "${BENCH_PGLOADER_MAX_ROWS:-1000000}" ]; then
                    echo "#   pgloader skipped at $rows rows (about a minute per million rows here;" \
                        "BENCH_PGLOADER_MAX_ROWS raises the limit)" >&2
                    continue
                fi
                run pgloader "$rows" "$file" pgloader --type csv \
                    --field id --field name --field email --field amount --field created --field note \
                    --with "skip header = 1" --with "fields optionally enclosed by '\"'" \
                    --with "fields terminated by ','" "$file" "$url?tablename=b"
                [ -e "$res/pgloader.$rows.bad" ] && pgloader_ok=0 &&
                    echo "#   pgloader skipped from now on (see above)" >&2
                ;;
            esac
        done
        r=$((r + 1))
    done
done

# best wall time and largest RSS per tool and size
best() { [ -s "$res/$1.$2" ] && sort -n "$res/$1.$2" | head -1 | cut -d' ' -f1; }
rss() { [ -s "$res/$1.$2" ] && sort -n -k2 "$res/$1.$2" | tail -1 | awk '{printf "%.1f", $2 / 1024}'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
printf '%-12s %-9s %9s %9s %10s %9s\n' "tool" "rows" "wall s" "x psql" "peak RSS" "x psql"
for rows in $sizes; do
    pw=$(best psql "$rows")
    pr=$(rss psql "$rows")
    for tool in pgdeck psql jobs2 server pgloader; do
        w=$(best "$tool" "$rows")
        m=$(rss "$tool" "$rows")
        label=$tool
        [ "$tool" = jobs2 ] && label="pgdeck -j2"
        [ "$tool" = server ] && label="server COPY"
        if [ -z "$w" ]; then
            printf '%-12s %-9s %9s\n' "$label" "$rows" "(skipped or failed)"
            continue
        fi
        if [ "$tool" = server ]; then
            printf '%-12s %-9s %9s %9s %10s %9s\n' "$label" "$rows" "$w" "$(ratio "$w" "$pw")" "-" "-"
        else
            printf '%-12s %-9s %9s %9s %8s MB %9s\n' "$label" "$rows" "$w" "$(ratio "$w" "$pw")" "$m" "$(ratio "$m" "$pr")"
        fi
    done
done
echo
echo "targets: pgdeck 1 job x psql <= 1.00; pgdeck -j2 x psql <= 0.80; RSS x psql <= 1.5 and flat across sizes"
echo "(cluster: fsync=off, synchronous_commit=off; one machine: client and server share $(nproc) CPUs)"
ok 0 "benchmark ran (figures above; never asserted)"
done_testing
