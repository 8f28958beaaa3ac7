#!/bin/sh
# pgdeck import writes a table it created or truncated in the same
# transaction with COPY ... FREEZE (one job, no --max-errors). FREEZE must
# never change what lands in the table: the same CSV files loaded frozen
# (--create, --truncate) and not (an existing table, --jobs 2, --max-errors)
# give identical tables — NULLs, empty strings, quotes, unicode, dates,
# numerics — and the frozen ones really are frozen (pageinspect reads the
# tuple headers before anything else touches the pages).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

T=$(mktemp -d /tmp/pgdeck-import-freeze.XXXXXX)
trap 'rm -rf "$T"; cluster_stop' EXIT
q() { cluster_psql -c "$1" 2>&1; }
imp() { "$PGDECK" import "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
out() { cat "$T/out" "$T/err"; }

have_pageinspect=1
q "create extension if not exists pageinspect" >/dev/null || have_pageinspect=0
# every tuple of TABLE's pages has HEAP_XMIN_FROZEN (0x0300) set: t / f
frozen() {
    q "select bool_and(t_infomask & 768 = 768) from generate_series(0,
         pg_relation_size('$1') / current_setting('block_size')::int - 1) b,
         heap_page_items(get_raw_page('$1', b::int)) where lp_flags = 1"
}
# same rows, duplicates counted, both ways; and the same ordered md5 (a row's
# text tells NULL, written as nothing, from "", an empty string)
same() {
    is "$(q "select (select count(*) from (table $1 except all table $2) x) ||
                    ' ' || (select count(*) from (table $2 except all table $1) y)")" "0 0" \
        "$3: $1 and $2 hold the same rows"
    is "$(q "select md5(string_agg(t::text, E'\n' order by t::text)) from $1 t")" \
        "$(q "select md5(string_agg(t::text, E'\n' order by t::text)) from $2 t")" \
        "$3: $1 and $2 have the same md5 of ordered rows"
}

# -- a corpus with every hard case -------------------------------------------
{
    printf 'id,name,note,amount,day,at,flag,score\n'
    printf '1,plain,,1.50,2024-01-31,2024-01-31 12:34:56,true,0.25\n'
    printf '2,"",  "quoted ""twice""",-0.000100,2000-02-29,1999-12-31 23:59:59.999999,false,-1e-10\n'
    printf '3,"comma, inside","line1\nline2",12345678901234567890.123456789,0001-01-01,2024-06-01 00:00:00,t,1e300\n'
    printf '4,"Zürich — 東京 🐘","tab\there",0,9999-12-31,1970-01-01 00:00:00,f,3.141592653589793\n'
    printf '5,,"",NaN,2024-02-29,2024-02-29 08:00:00.5,,\n'
    printf '6,"back\\\\slash","\\N",-99999999999999999999.99,1900-03-01,2038-01-19 03:14:08,yes,-0\n'
    i=7
    while [ $i -le 3000 ]; do
        printf '%d,name %d,"note, %d",%d.%02d,2024-%02d-%02d,2024-%02d-%02d %02d:%02d:%02d,%s,%d.5\n' \
            $i $i $i $((i * 37)) $((i % 100)) $((1 + i % 12)) $((1 + i % 28)) \
            $((1 + i % 12)) $((1 + i % 28)) $((i % 24)) $((i % 60)) $((i * 7 % 60)) \
            "$([ $((i % 3)) -eq 0 ] && echo true || echo false)" $((i - 1500))
        i=$((i + 1))
    done
} >"$T/mixed.csv"
# a text-only corpus: every column text, empty against NULL, quotes, unicode
{
    printf 'a,b,c\n'
    printf ',"",x\n"","",""\n"""",a""b,"multi\nline"\nnaïve,"日本語, カンマ",\\.x\n'
    i=0
    while [ $i -lt 500 ]; do
        printf 'r%d,"q ""%d""",\n' $i $i
        i=$((i + 1))
    done
} >"$T/text.csv"

for corpus in mixed text; do
    f="$T/$corpus.csv"
    # frozen: the table is created in the import's own transaction
    imp "$f" --table "${corpus}_new" --create
    is "$(rc)" 0 "$corpus --create: exit 0"
    if [ "$have_pageinspect" = 1 ]; then
        is "$(frozen "${corpus}_new")" t "$corpus --create: the rows are written frozen"
    else
        ok 0 "frozen bits # SKIP no pageinspect"
    fi
    # not frozen: the same definition, created before, loaded in a later transaction
    q "create table ${corpus}_old (like ${corpus}_new)" >/dev/null
    imp "$f" --table "${corpus}_old"
    is "$(rc)" 0 "$corpus into an existing table: exit 0"
    if [ "$have_pageinspect" = 1 ]; then
        is "$(frozen "${corpus}_old")" f "$corpus into an existing table: no FREEZE (it is not legal there)"
    else
        ok 0 "frozen bits # SKIP no pageinspect"
    fi
    same "${corpus}_new" "${corpus}_old" "$corpus"
    # frozen again: --truncate empties the table in the import's transaction
    q "create table ${corpus}_tr (like ${corpus}_new); insert into ${corpus}_tr select * from ${corpus}_new" >/dev/null
    imp "$f" --table "${corpus}_tr" --truncate
    is "$(rc)" 0 "$corpus --truncate: exit 0"
    if [ "$have_pageinspect" = 1 ]; then
        is "$(frozen "${corpus}_tr")" t "$corpus --truncate: the rows are written frozen"
    else
        ok 0 "frozen bits # SKIP no pageinspect"
    fi
    same "${corpus}_tr" "${corpus}_old" "$corpus --truncate"
    # several transactions (two-phase): the table is committed before the parts
    imp "$f" --table "${corpus}_j2" --create --jobs 2
    is "$(rc)" 0 "$corpus --create --jobs 2: exit 0"
    same "${corpus}_j2" "${corpus}_old" "$corpus --jobs 2"
    # --max-errors: batches under savepoints, where FREEZE is not legal
    imp "$f" --table "${corpus}_me" --create --max-errors 5
    is "$(rc)" 0 "$corpus --create --max-errors: exit 0 (no FREEZE under a savepoint)"
    same "${corpus}_me" "${corpus}_old" "$corpus --max-errors"
done

# -- a bad record still undoes everything, frozen or not ----------------------
printf 'id,n\n1,2\n2,3,4\n' >"$T/bad.csv"
imp "$T/bad.csv" --table bad --create
is "$(rc)" 1 "a bad value with --create: exit 1"
like "$(out)" "line 3" "a bad value with --create: the file's line is named"
like "$(q "select count(*) from bad")" "does not exist" "a bad value with --create: no table left"
q "create table badtr (id int, n int); insert into badtr values (7, 7)" >/dev/null
imp "$T/bad.csv" --table badtr --truncate
is "$(rc)" 1 "a bad value with --truncate: exit 1"
is "$(q "select id || ',' || n from badtr")" "7,7" "a bad value with --truncate: the old rows are back"

# -- TRUNCATE of a partitioned table: FREEZE is not legal there, plain COPY --
q "create table parted (id int, n int) partition by range (id);
   create table parted_1 partition of parted for values from (0) to (1000)" >/dev/null
printf 'id,n\n1,2\n3,4\n' >"$T/parted.csv"
imp "$T/parted.csv" --table parted --truncate
is "$(rc)" 0 "--truncate of a partitioned table: exit 0 (no FREEZE asked)"
is "$(q "select string_agg(id || ':' || n, ' ' order by id) from parted")" "1:2 3:4" \
    "--truncate of a partitioned table: the rows"

done_testing
