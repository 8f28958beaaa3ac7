#!/bin/sh
# tests/cli/run_binary.sh — `pgdeck run --binary` prints exactly what the
# text transfer prints, in every format, for decodable types, for types that
# fall back to text, under a zone the decoder cannot render, with NULLs,
# parameters-free scripts of several statements, errors and COPY TO STDOUT.
# (Float columns keep their statement in text: extra_float_digits is not
# reported to the client.)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

cat >"$tmp/mix.sql" <<'SQL'
select i::int2 as a, (i * 1000003)::int8 as b,
       (i::numeric / 7) as e, i % 2 = 0 as f, md5(i::text) as g, md5(i::text)::uuid as h,
       date '2000-01-01' + i * 37 as k, timestamp '1999-12-31 23:59:59.5' + i * interval '1 hour 7 s' as l,
       timestamptz '2000-01-01 00:00:00+00' - i * interval '1 day 1 us' as m,
       ('{"k": ' || i || ', "u": "☃"}')::jsonb as n, case when i % 5 = 0 then null else 'x"y' end as o
from generate_series(1, 500) i;
select 'NaN'::numeric as nan, '-Infinity'::numeric as inf, 'infinity'::timestamp as ti,
       '4713-01-01 BC'::date as bc, '294276-12-31 23:59:59.999999'::timestamp as hi;
select '{1,NULL,"a b"}'::text[] as arr, '\x01ff'::bytea as by, interval '1 day' as iv, 1 as n;
select 1 as n where false;
select 1 as one \; select md5('x')::uuid as two;
select (i / 7.0)::float8 as c, (i / 3.0)::float4 as d, '-0'::float8 as z from generate_series(1, 50) i;
copy (select i, md5(i::text) from generate_series(1, 20) i) to stdout;
SQL

same() { # same NAME FORMAT [TZ]
    PGTZ=${3:-UTC} "$PGDECK" run -f "$tmp/mix.sql" --format "$2" >"$tmp/text.out" 2>&1
    PGTZ=${3:-UTC} "$PGDECK" run --binary -f "$tmp/mix.sql" --format "$2" >"$tmp/bin.out" 2>&1
    if [ -s "$tmp/text.out" ] && cmp -s "$tmp/text.out" "$tmp/bin.out"; then
        ok 0 "--binary prints the same: $1"
    else
        ok 1 "--binary prints the same: $1"
        diff "$tmp/text.out" "$tmp/bin.out" | sed 's/^/# /' | head -20
    fi
}
same "json" json
same "csv" csv
same "table" table
same "json, TimeZone Europe/Berlin" json Europe/Berlin
same "table, TimeZone America/St_Johns" table America/St_Johns

# an error is the same error, and the run stops the same way
printf 'select 1/0;\nselect 2;\n' >"$tmp/err.sql"
"$PGDECK" run -f "$tmp/err.sql" >"$tmp/e1.out" 2>&1
r1=$?
"$PGDECK" run --binary -f "$tmp/err.sql" >"$tmp/e2.out" 2>&1
r2=$?
if [ "$r1" = "$r2" ] && cmp -s "$tmp/e1.out" "$tmp/e2.out"; then
    ok 0 "--binary: an error reads the same (exit $r1)"
else
    ok 1 "--binary: an error reads the same (exit $r1 vs $r2)"
    diff "$tmp/e1.out" "$tmp/e2.out" | sed 's/^/# /' | head
fi
done_testing
