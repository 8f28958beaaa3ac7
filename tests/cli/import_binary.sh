#!/bin/sh
# pgdeck import sends binary COPY tuples into a table it creates when every
# column's type has an exact converter (import_binary.c); a field outside the
# converter's certain forms is never guessed: that transaction runs again as
# text COPY. Binary must never change what lands in the table: the same CSV
# files imported with --copy-format text and auto give identical tables
# (EXCEPT ALL both ways + md5), edge values included; the forms the converter
# refuses fall back to text (and still match); bad values fail alike.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

T=$(mktemp -d /tmp/pgdeck-import-binary.XXXXXX)
trap 'rm -rf "$T"; cluster_stop' EXIT
q() { cluster_psql -c "$1" 2>&1; }
imp() { "$PGDECK" import "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
out() { cat "$T/out" "$T/err"; }
same() {
    is "$(q "select (select count(*) from (table $1 except all table $2) x) ||
                    ' ' || (select count(*) from (table $2 except all table $1) y)")" "0 0" \
        "$3: $1 and $2 hold the same rows"
    is "$(q "select md5(string_agg(t::text, E'\n' order by t::text)) from $1 t")" \
        "$(q "select md5(string_agg(t::text, E'\n' order by t::text)) from $2 t")" \
        "$3: $1 and $2 have the same md5 of ordered rows"
}
types() {
    q "select string_agg(format_type(atttypid, atttypmod), ',' order by attnum)
       from pg_attribute where attrelid = '$1'::regclass and attnum > 0"
}

# -- every exact form the converter takes, edge values first -----------------
{
    printf 'i4,i8,num,day,at,flag,name\n'
    printf '2147483647,9223372036854775807,123456789012345678901234567890.123456789012345678901234567890,0001-01-01,0001-01-01 00:00:00,true,plain\n'
    printf -- '-2147483648,-9223372036854775808,-0.000,9999-12-31,9999-12-31 23:59:59.999999,false,""\n'
    printf -- '-0,-0,-0,2000-02-29,2000-02-29 12:00:00.000001,t,"comma, ""quoted"""\n'
    printf '+7,+7,+1.,1900-03-01,1999-12-31 23:59:59.5,f,"line1\nline2"\n'
    printf ',,,,,,\n'
    printf '0,0,.5,1970-01-01,1970-01-01 00:00:00,yes,"Zürich — 東京 🐘"\n'
    printf '1,1,0.00010000,2024-02-29,2024-02-29 08:00:00.10,no,"\\N"\n'
    printf '2,2,99999999999999999999.99,2038-01-19,2038-01-19 03:14:08,on,"back\\\\slash"\n'
    printf '3,3,-99999999999999999999.99,1582-10-10,1582-10-10 10:10:10,off,tab\there\n'
    printf '4,4,10000,1600-01-01,2000-01-01 00:00:00,TRUE,\n'
    printf '5,5,1e0x,2001-01-01,2001-01-01 01:01:01,False,x\n' | sed 's/1e0x/0.0001/'
    i=10
    while [ $i -le 4000 ]; do
        printf '%d,%d%09d,%d.%04d,2024-%02d-%02d,2023-%02d-%02d %02d:%02d:%02d.%03d,%s,name %d\n' \
            $((i * 3 - 6000)) $i $((i * 7919)) $((i * 37 - 70000)) $((i % 10000)) \
            $((1 + i % 12)) $((1 + i % 28)) $((1 + i % 12)) $((1 + i % 28)) $((i % 24)) \
            $((i % 60)) $((i * 7 % 60)) $((i % 1000)) \
            "$([ $((i % 3)) -eq 0 ] && echo true || echo f)" $i
        i=$((i + 1))
    done
} >"$T/exact.csv"

imp "$T/exact.csv" --table exact_txt --create --copy-format text
is "$(rc)" 0 "exact, --copy-format text: exit 0"
unlike "$(out)" "binary COPY" "exact, --copy-format text: text COPY"
is "$(types exact_txt)" "integer,bigint,numeric,date,timestamp without time zone,boolean,text" \
    "exact: every column has a type the converter takes"
imp "$T/exact.csv" --table exact_bin --create
is "$(rc)" 0 "exact, auto: exit 0"
like "$(out)" "binary COPY" "exact, auto: binary COPY"
like "$(out)" "imported 4002 rows" "exact, auto: every row counted"
same exact_bin exact_txt "exact, one job"
imp "$T/exact.csv" --table exact_j2 --create --jobs 2
is "$(rc)" 0 "exact, auto, --jobs 2: exit 0"
like "$(out)" "2 jobs, binary COPY" "exact, --jobs 2: binary COPY in both jobs"
same exact_j2 exact_txt "exact, --jobs 2"
# an existing table: its columns' types are read from the catalog by OID
q "create table exact_old (like exact_txt)" >/dev/null
imp "$T/exact.csv" --table exact_old
is "$(rc)" 0 "exact, existing table: exit 0"
like "$(out)" "binary COPY" "exact, existing table of the converter's types: binary COPY"
same exact_old exact_txt "exact, existing table"
q "create table exact_tr (like exact_txt); insert into exact_tr select * from exact_txt" >/dev/null
imp "$T/exact.csv" --table exact_tr --truncate
is "$(rc)" 0 "exact, --truncate: exit 0"
like "$(out)" "binary COPY" "exact, --truncate: binary COPY (FREEZE)"
same exact_tr exact_txt "exact, --truncate"
# a type the converter has no form for (a domain, varchar): text COPY
q "create domain posint as int check (value <> 12345);
   create table exact_dom (i4 posint, i8 bigint, num numeric, day date,
       at timestamp, flag bool, name varchar)" >/dev/null
imp "$T/exact.csv" --table exact_dom
is "$(rc)" 0 "exact, a domain column: exit 0"
unlike "$(out)" "binary COPY" "exact, a domain and a varchar column: text COPY"
same exact_dom exact_txt "exact, domain table"
imp "$T/exact.csv" --table exact_me --create --max-errors 3
is "$(rc)" 0 "exact, --max-errors: exit 0"
unlike "$(out)" "binary COPY" "exact, --max-errors: text COPY (rejects are found by text lines)"
same exact_me exact_txt "exact, --max-errors"

# -- forms the converter refuses: the import runs again as text -------------
# (a 'T' separator, a leap second and 7 fraction digits are timestamps the
# sample's inference takes, but only the server's rules settle them)
for v in '2024-03-01T10:00:00' '2024-06-30 23:59:60' '2024-01-01 00:00:00.1234565'; do
    name=$(printf '%s' "$v" | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')
    { head -n 3001 "$T/exact.csv"; printf '9,9,9,2024-01-01,%s,t,late\n' "$v"; } >"$T/fb.csv"
    imp "$T/fb.csv" --table "fb_txt_$name" --create --copy-format text
    is "$(rc)" 0 "fallback '$v', text: exit 0"
    imp "$T/fb.csv" --table "fb_bin_$name" --create
    is "$(rc)" 0 "fallback '$v', auto: exit 0"
    unlike "$(out)" "binary COPY" "fallback '$v', one job: ran again as text"
    like "$(out)" "imported 3000 rows" "fallback '$v', one job: rows counted once"
    same "fb_bin_$name" "fb_txt_$name" "fallback '$v', one job"
    q "create table \"fb_old_$name\" (like \"fb_txt_$name\")" >/dev/null
    imp "$T/fb.csv" --table "fb_old_$name"
    is "$(rc)" 0 "fallback '$v', existing table: exit 0"
    unlike "$(out)" "binary COPY" "fallback '$v', existing table: ran again as text"
    same "fb_old_$name" "fb_txt_$name" "fallback '$v', existing table"
    # two jobs: only the part holding the last record runs again as text
    imp "$T/fb.csv" --table "fb_j2_$name" --create --jobs 2
    is "$(rc)" 0 "fallback '$v', --jobs 2: exit 0"
    like "$(out)" "binary COPY in 1 of 2 jobs" "fallback '$v', --jobs 2: one part ran again as text"
    same "fb_j2_$name" "fb_txt_$name" "fallback '$v', --jobs 2"
done

# -- a bad value after the sample fails exactly as with text ----------------
for bad in 'abc' '""' '2147483648'; do
    { head -n 2001 "$T/exact.csv"; printf '%s,9,9,2024-01-01,2024-01-01 00:00:00,t,late\n' "$bad"; } >"$T/bad.csv"
    imp "$T/bad.csv" --table bad_txt --create --copy-format text
    txt_rc=$(rc)
    txt_out=$(out | sed 's/bad_txt/T/g')
    imp "$T/bad.csv" --table bad_bin --create
    is "$(rc)" "$txt_rc" "bad int4 $bad: the same exit as text ($txt_rc)"
    is "$(out | sed 's/bad_bin/T/g')" "$txt_out" "bad int4 $bad: the same error as text"
    like "$(out)" "csv:2002: " "bad int4 $bad: the file's line is named"
    like "$(q "select count(*) from bad_bin")" "does not exist" "bad int4 $bad: no table left"
done

# the server's own error in a binary COPY (a CHECK on an existing table)
# names the same file line as with text (here in the first chunk sent,
# behind the binary header)
chk_line=$(grep -n '^+7,' "$T/exact.csv" | cut -d: -f1)
for fmt in text auto; do
    q "drop table if exists chk; create table chk (like exact_txt);
       alter table chk add check (i4 <> 7)" >/dev/null
    imp "$T/exact.csv" --table chk --copy-format $fmt
    is "$(rc)" 1 "a CHECK violated, $fmt: exit 1"
    like "$(out)" "violates check constraint" "a CHECK violated, $fmt: the server's error"
    like "$(out)" "csv:$chk_line: " "a CHECK violated, $fmt: the file's line is named"
done

imp "$T/exact.csv" --table nope --create --copy-format binary
is "$(rc)" 2 "--copy-format binary: a usage error (auto or text)"

done_testing
