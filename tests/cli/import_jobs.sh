#!/bin/sh
# pgdeck import --jobs N equals --jobs 1 row for row; a bad record in any part
# imports nothing (two-phase commit); --max-errors / --reject-file; the
# fallback when the server has max_prepared_transactions = 0.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

T=$(mktemp -d /tmp/pgdeck-import-jobs.XXXXXX)
trap 'rm -rf "$T"; cluster_stop' EXIT
q() { cluster_psql -c "$1" 2>&1; }
imp() { "$PGDECK" import "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
out() { cat "$T/out" "$T/err"; }
sum() { q "select count(*) || ' ' || md5(string_agg(t::text, '|' order by id)) from $1 t"; }

# 60 000 records: quoted commas, quoted newlines every 7th record, CRLF.
awk 'BEGIN { printf "id,name,city,amount,flag,note\r\n";
  for (i = 1; i <= 60000; i++) {
    note = (i % 7 == 0) ? "\"two\nlines, " i "\"" : "\"plain, " i "\"";
    printf "%d,\"Name %d, Jr\",City%d,%d.%02d,%s,%s\r\n", i, i, i % 100, i, i % 100, (i % 2 ? "true" : "false"), note }
}' >"$T/data.csv"

imp "$T/data.csv" --table one --create
is "$(rc)" 0 "--jobs 1: exit 0"
imp "$T/data.csv" --table two --create --jobs 2
is "$(rc)" 0 "--jobs 2: exit 0"
like "$(out)" "imported 60000 rows .*2 jobs" "--jobs 2: two parts"
imp "$T/data.csv" --table four --create --jobs 4
is "$(rc)" 0 "--jobs 4: exit 0"
s1=$(sum one)
is "$(sum two)" "$s1" "--jobs 2 equals --jobs 1 (count and md5)"
is "$(sum four)" "$s1" "--jobs 4 equals --jobs 1 (count and md5)"
like "$s1" "^60000 " "60000 rows"

# A bad record near the end: the part holding it fails, every part is undone.
awk 'NR == 59990 { print "59989,\"bad\",x,notanumber,true,\"n\"\r"; next } { print }' "$T/data.csv" >"$T/bad.csv"
q "create table target (like one)" >/dev/null
imp "$T/bad.csv" --table target --jobs 3
is "$(rc)" 1 "--jobs 3 with a bad record: exit 1"
line=$(awk '/notanumber/ { print NR; exit }' "$T/bad.csv")
like "$(out)" "bad.csv:$line: 59989" "--jobs 3: the error names the file's own line ($line)"
like "$(out)" "nothing imported" "--jobs 3: nothing imported"
is "$(q "select count(*) from target")" 0 "--jobs 3: no row committed by any part"
is "$(q "select count(*) from pg_prepared_xacts")" 0 "--jobs 3: no prepared transaction left"
imp "$T/bad.csv" --table newt --create --jobs 2
like "$(q "select count(*) from newt")" "does not exist" "--jobs 2 --create failing: the new table is dropped"

# --max-errors and --reject-file
printf 'id,v\n1,a\n2,b,extra\n3,c\nx4,d\n5,e\n6\n7,g\n' >"$T/some_bad.csv"
q "create table tol (id int, v text)" >/dev/null
imp "$T/some_bad.csv" --table tol --max-errors 3 --reject-file "$T/rejects.csv"
is "$(rc)" 0 "--max-errors 3 with 3 bad records: exit 0"
like "$(out)" "imported 4 rows .*3 rejected" "--max-errors: summary counts rejects"
is "$(q "select string_agg(id::text, ',' order by id) from tol")" "1,3,5,7" "--max-errors: the good records"
is "$(sed -n 1p "$T/rejects.csv")" "line,error,record" "reject file header"
is "$(cut -d, -f1 "$T/rejects.csv" | sed 1d | sort -n | tr '\n' ' ')" "3 5 7 " "reject file: the file's own lines"
like "$(cat "$T/rejects.csv")" 'invalid input syntax for type integer' "reject file: the server's reason"
q "truncate tol" >/dev/null
imp "$T/some_bad.csv" --table tol --max-errors 2
is "$(rc)" 1 "one bad record too many: exit 1"
like "$(out)" "more than 2 bad records" "one too many: says so"
is "$(q "select count(*) from tol")" 0 "one too many: nothing imported"
imp "$T/some_bad.csv" --table tol --max-errors 50%
is "$(rc)" 0 "--max-errors 50%: exit 0"
imp "$T/some_bad.csv" --table tol --max-errors 10%
is "$(rc)" 1 "--max-errors 10%: exit 1"
like "$(out)" "more than 10%" "--max-errors 10%: says so"
is "$(q "select count(*) from tol")" 4 "--max-errors 10%: nothing more imported"
q "truncate tol" >/dev/null
imp "$T/some_bad.csv" --table tol --max-errors 3 --jobs 2
is "$(rc)" 0 "--max-errors with --jobs 2: exit 0"
is "$(q "select string_agg(id::text, ',' order by id) from tol")" "1,3,5,7" "--max-errors --jobs 2: the good records"

# max_prepared_transactions = 0: one job, said so.
q "alter system set max_prepared_transactions = 0" >/dev/null
cluster_restart >/dev/null
imp "$T/data.csv" --table zero --create --jobs 2
is "$(rc)" 0 "max_prepared_transactions = 0: exit 0"
like "$(out)" "ran as 1 job" "max_prepared_transactions = 0: the note says 1 job"
is "$(sum zero)" "$s1" "max_prepared_transactions = 0: same rows"

done_testing
