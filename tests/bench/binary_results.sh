#!/bin/sh
# binary_results.sh — `pgdeck run --format json` of a 1 M-row result (int8,
# float8, numeric, timestamptz, text), text transfer vs --binary, on one
# throwaway cluster in one run, ROUNDS rounds (default 5) with the order
# alternated (ABAB...). Prints each run's wall time, the medians and the
# median of the paired ratios (binary / text), then the same per column type
# (3 rounds each), and the load average. A benchmark: it never fails on the
# figures, only when the two transfers print different bytes.
#
#   top_builddir=/path/to/build top_srcdir=/path/to/src \
#     sh tests/bench/binary_results.sh [ROUNDS [ROWS]]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
ROUNDS=${1:-5}
ROWS=${2:-1000000}
[ -x "$PGDECK" ] || { echo "build pgdeck first ($PGDECK)"; exit 0; }
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
export PGTZ=UTC LC_ALL=C.UTF-8

"$PGDECK" run -c "create table t as select i::int8 as a, (i * 1.000123)::float8 as b,
    (i / 7.0)::numeric(18,6) as c, timestamptz '2020-01-01 00:00:00+00' + i * interval '1.5 s' as d,
    md5(i::text) as e from generate_series(1, $ROWS) i; analyze t" >/dev/null || exit 1

now() { date +%s.%N; }
one() { # one SQL MODE(text|binary) -> seconds on stdout, output in $tmp/MODE.json
    flag=; [ "$2" = binary ] && flag=--binary
    t0=$(now)
    "$PGDECK" run $flag --format json -c "$1" >"$tmp/$2.json" || echo "run failed" >&2
    t1=$(now)
    echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
compare() { # compare LABEL SQL ROUNDS
    : >"$tmp/t"; : >"$tmp/b"; : >"$tmp/r"
    i=1
    while [ "$i" -le "$3" ]; do
        if [ $((i % 2)) = 1 ]; then
            tt=$(one "$2" text); tb=$(one "$2" binary)
        else
            tb=$(one "$2" binary); tt=$(one "$2" text)
        fi
        cmp -s "$tmp/text.json" "$tmp/binary.json" || { echo "$1: the outputs differ"; exit 1; }
        echo "$tt" >>"$tmp/t"; echo "$tb" >>"$tmp/b"
        echo "$tt $tb" | awk '{printf "%.3f\n", $2 / $1}' >>"$tmp/r"
        [ "$3" -gt 3 ] && printf '  round %d: text %s s, binary %s s\n' "$i" "$tt" "$tb"
        i=$((i + 1))
    done
    printf '%-22s text %6.3f s  binary %6.3f s  binary/text %s (median of paired ratios)\n' "$1" \
        "$(median <"$tmp/t")" "$(median <"$tmp/b")" "$(median <"$tmp/r")"
}

printf 'run --format json, %d rows, text vs --binary, alternated, PGTZ=UTC\n' "$ROWS"
printf 'load before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
compare "mixed (5 columns)" "select * from t" "$ROUNDS"
for col in a:int8 b:float8 c:numeric d:timestamptz e:text; do
    compare "${col#*:} only" "select ${col%%:*} from t" 3
done
printf 'load after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
