#!/bin/sh
# tests/cli/run_format.sh — `pgdeck run` output formats against a real
# server: the table format byte for byte as psql's aligned output, CSV
# quoting (RFC 4180, read back by Python's csv module), JSON typing.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
PSQL="$PGDECK_TEST_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql

# --- table: the same bytes as psql -X (aligned, footer, blank line) ---------
same_as_psql() { # same_as_psql NAME SQL
    "$PSQL" -X -c "$2" >"$tmp/psql.out" 2>&1
    "$PGDECK" run -c "$2" >"$tmp/pgdeck.out" 2>&1
    if cmp -s "$tmp/psql.out" "$tmp/pgdeck.out"; then
        ok 0 "table like psql: $1"
    else
        ok 1 "table like psql: $1"
        diff "$tmp/psql.out" "$tmp/pgdeck.out" | sed 's/^/# /' | head -30
    fi
}
same_as_psql "mixed types, NULL, wide characters" \
    "select 1 as a, 'xyz' as bb, null as c, 1.5::numeric as num, 'é日本' as w"
same_as_psql "multi-line values" "select E'a\\nbcd' as x, 42 as n union all select 'q', 7"
same_as_psql "multi-line last column" "select E'ab\\ncdefg' as x, 1 as n, E'z\\nyy' as l"
same_as_psql "trailing newline and control characters" \
    "select 1 as n, E'ab\\ncdefg\\n' as x, E'c\\x01d\\re' as ctl"
same_as_psql "tabs, pipes, empty strings" "select '' as e, 'a|b' as p, E'tab\\there' as tb"
same_as_psql "zero rows" "select 1 as n where false"
same_as_psql "zero columns" "select"
same_as_psql "numbers right-aligned, header wider than values" \
    "select g as number_column, g * 1000.5 as wide, repeat('x', g) as txt from generate_series(1, 12) g"
same_as_psql "floats, NaN, booleans, arrays, jsonb, bytea" \
    "select 'nan'::float8 as f, '-1.5e10'::float8 as g, true as b, '{1,2}'::int[] as arr, '{\"a\": 1}'::jsonb as j, 'NaN'::numeric as nn, '\\x01ff'::bytea as by"
same_as_psql "wide column names" "select 'x' as \"日本\", 1 as \"a\"\"b\""
same_as_psql "money, oid, xid" "select 12.5::money as m, 1259::oid as o, '42'::xid as x"

# RETURNING: the rows, then the command tag; COPY TO STDOUT: the data lines
# raw (no table, no "COPY n"), as psql -f prints them
cat >"$tmp/returning.sql" <<'SQL'
create table ret_t (a int, b text);
insert into ret_t values (1, 'x'), (2, E'tab\there') returning a, b;
update ret_t set b = 'y' where a = 1 returning *;
delete from ret_t where a = 2 returning a;
copy (select a, b from ret_t union all select 3, E'q\\r\nz') to stdout;
copy ret_t to stdout with (format csv, header);
drop table ret_t;
/* a trailing comment: psql sends it, the server answers "empty query" */
SQL
"$PSQL" -X -f "$tmp/returning.sql" >"$tmp/psql.out" 2>&1
"$PGDECK" run -f "$tmp/returning.sql" >"$tmp/pgdeck.out" 2>&1
if cmp -s "$tmp/psql.out" "$tmp/pgdeck.out"; then ok 0 "script: RETURNING tags, raw COPY TO STDOUT like psql -f"; else
    ok 1 "script: RETURNING tags, raw COPY TO STDOUT like psql -f"
    diff "$tmp/psql.out" "$tmp/pgdeck.out" | sed 's/^/# /'
fi

# COPY TO STDOUT data is raw only off a terminal: COPY's text format passes
# ESC and BEL through, so on a terminal it is escaped as --format csv is
cat >"$tmp/ontty.py" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
PY
esc_copy="copy (select E'a\\x1b]0;owned\\x07b' as v) to stdout"
"$PGDECK" run -c "$esc_copy" >"$tmp/copy.file" 2>&1
"$PSQL" -X -c "$esc_copy" >"$tmp/copy.psql" 2>&1
cmp -s "$tmp/copy.file" "$tmp/copy.psql"
ok $? "COPY TO STDOUT to a file: raw, byte for byte as psql"
python3 "$tmp/ontty.py" "$PGDECK" run -c "$esc_copy" >"$tmp/copy.tty"
if grep -q "$(printf '\033')" "$tmp/copy.tty"; then ok 1 "COPY TO STDOUT on a terminal: no raw ESC"; else
    ok 0 "COPY TO STDOUT on a terminal: no raw ESC"
fi
like "$(cat "$tmp/copy.tty")" 'a\\x1B\]0;owned\\x07b' "COPY TO STDOUT on a terminal: escaped as csv is"

# several statements in one -c, command tags as psql prints them
cat >"$tmp/script.sql" <<'SQL'
create table fmt_t (a int, b text);
insert into fmt_t values (1, 'x'), (2, null);
select * from fmt_t order by a;
update fmt_t set b = 'y' where a = 2;
delete from fmt_t where a = 1;
select count(*) from fmt_t;
drop table fmt_t;
SQL
"$PSQL" -X -f "$tmp/script.sql" >"$tmp/psql.out" 2>&1
"$PGDECK" run -f "$tmp/script.sql" >"$tmp/pgdeck.out" 2>&1
if cmp -s "$tmp/psql.out" "$tmp/pgdeck.out"; then ok 0 "script: tags and tables like psql -f"; else
    ok 1 "script: tags and tables like psql -f"
    diff "$tmp/psql.out" "$tmp/pgdeck.out" | sed 's/^/# /'
fi

# --- CSV ------------------------------------------------------------------
out=$("$PGDECK" run --format=csv -c "select '' as e, null as n, 'a,b' as c, 'q\"x' as q, E'l\\nm' as nl, ' sp' as sp, 1 as \"we,ird\", E'cr\\rx' as cr")
want=$(printf 'e,n,c,q,nl,sp,"we,ird",cr\n"",,"a,b","q""x","l\nm", sp,1,"cr\rx"')
is "$out" "$want" "csv: quoting of , \" LF CR; NULL empty, empty string \"\""
printf '%s\n' "$out" | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
want = [["e","n","c","q","nl","sp","we,ird","cr"], ["","","a,b","q\"x","l\nm"," sp","1","cr\rx"]]
sys.exit(0 if rows == want else 1)'
ok $? "csv: Python's csv module reads the values back"
out=$("$PGDECK" run --format csv -c "create temp table c_t (i int)" -c "select 1 as one")
is "$out" "$(printf 'one\n1')" "csv: command tags stay out of the data"
out=$("$PGDECK" run --format csv -c "select 1 as n where false")
is "$out" "n" "csv: an empty result is the header alone"

# --- JSON -------------------------------------------------------------------
q="select 1 as i, 2.50::numeric as n, 'NaN'::numeric as nan, 'Infinity'::float8 as inf,
          -1.5e-7::float8 as small, true as b, false as f, null::int as nul,
          '{\"a\": [1, 2]}'::jsonb as j, '[1, \"x\"]'::json as js, E'x\"y\\\\z\\n' as s,
          12345678901234::int8 as big, '' as empty"
out=$("$PGDECK" run --format=json -c "$q"); rc=$?
is "$rc" 0 "json: exit 0"
if command -v jq >/dev/null 2>&1; then
    types=$(printf '%s' "$out" | jq -r '.[0] | [.i, .n, .nan, .inf, .small, .b, .f, .nul, .j, .js, .s, .big, .empty] | map(type) | join(",")')
    is "$types" "number,number,string,string,number,boolean,boolean,null,object,array,string,number,string" "json: typed values"
    is "$(printf '%s' "$out" | jq -c '.[0] | [.n, .nan, .inf, .b, .j.a, .s, .big]')" \
        '[2.5,"NaN","Infinity",true,[1,2],"x\"y\\z\n",12345678901234]' "json: values"
    is "$(printf '%s' "$out" | jq -r '.[0] | keys_unsorted | join(",")')" \
        "i,n,nan,inf,small,b,f,nul,j,js,s,big,empty" "json: keys in column order"
    out=$("$PGDECK" run --format=json -c "select g from generate_series(1,3) g" -c "select 1 as x where false")
    is "$(printf '%s' "$out" | jq -c -s '.')" '[[{"g":1},{"g":2},{"g":3}],[]]' "json: one array per result set"
    out=$("$PGDECK" run --format=json -c "select convert_from('\\xe697a5'::bytea, 'UTF8') as u, E'\\x01' as c")
    is "$(printf '%s' "$out" | jq -c '.[0]')" '{"u":"日","c":"\u0001"}' "json: UTF-8 kept, control characters escaped"
else
    printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; sys.exit(0 if d["nul"] is None and d["b"] is True and d["i"] == 1 and d["nan"] == "NaN" else 1)'
    ok $? "json: typed values (python)"
fi
printf '%s' "$out" | python3 -m json.tool >/dev/null 2>&1
ok $? "json: python's json.tool accepts it"

done_testing
