#!/bin/sh
# pgdeck import on files whose dialect a guess could get wrong: a guess never
# silently changes data. What the sample cannot settle is refused with exit 2
# and the flag that settles it; what the target table settles is settled
# there; every line number is the file's own.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

T=$(mktemp -d /tmp/pgdeck-import-doubts.XXXXXX)
trap 'rm -rf "$T"; cluster_stop' EXIT
q() { cluster_psql -c "$1" 2>&1; }
imp() { "$PGDECK" import "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
out() { cat "$T/out" "$T/err"; }

# -- the quote stays " without strong evidence ----------------------------------
printf "id,word\n1,'tis\n2,rock 'n' roll\n3,'twas\n" >"$T/apos.csv"
imp "$T/apos.csv" --table apos --create
is "$(rc)" 0 "apostrophes opening fields: exit 0"
is "$(q "select string_agg(id || '=' || word, '|' order by id) from apos")" \
    "1='tis|2=rock 'n' roll|3='twas" "apostrophes: three records, each as written"
printf "code,name\n'0123,a\n'0456,b\n" >"$T/excel.csv"
imp "$T/excel.csv" --table excel --create
is "$(rc)" 0 "Excel's leading apostrophes: no unclosed quote"
is "$(q "select string_agg(code, ' ' order by name) from excel")" "'0123 '0456" \
    "Excel's leading apostrophes: loaded as psql loads them"
printf "'a','b'\n'1','x, y'\n'2','z'\n" >"$T/single.csv"
imp "$T/single.csv" --table single --create
is "$(q "select b from single where a = '1'")" "x, y" "apostrophes wrapping every field: the quote is '"

# -- a delimiter tie: the extension settles it, else exit 2 ------------------------
printf 'name,x\tval\nab,c\t1\nde,f\t2\n' >"$T/tie.tsv"
imp "$T/tie.tsv" --table tie --create
is "$(rc)" 0 ".tsv with one comma and one tab per line: exit 0"
is "$(q "select string_agg(column_name, '|' order by ordinal_position) from information_schema.columns where table_name = 'tie'")" \
    "name,x|val" ".tsv: split by tab"
cp "$T/tie.tsv" "$T/tie.txt"
imp "$T/tie.txt" --table tie2 --create
is "$(rc)" 2 "the same lines in a .txt: exit 2"
like "$(out)" "delimiter is ambiguous between ',' and tab.*give --delimiter" "... naming both and the flag"
like "$(q "select count(*) from tie2")" "does not exist" "... nothing created"
imp "$T/tie.txt" --table tie2 --create --delimiter ,
is "$(rc)" 0 "--delimiter settles it"
is "$(q "select count(*) from information_schema.columns where table_name = 'tie2'")" 2 "... split by comma"

# -- an explicit delimiter re-runs header detection -----------------------------
printf '1;x,y\n2;3,4\n5;6,7\n' >"$T/semi.txt"
q "create table semi (a int, b text)" >/dev/null
imp "$T/semi.txt" --table semi --delimiter ';'
is "$(rc)" 0 "--delimiter ';': exit 0"
is "$(q "select string_agg(a || ':' || b, ' ' order by a) from semi")" "1:x,y 2:3,4 5:6,7" \
    "--delimiter ';': the header judged with ';' (no header), all three records"

# -- a header that looks like data ---------------------------------------------------
printf 'region,2023,2024\nnorth,10,20\nsouth,30,40\n' >"$T/years.csv"
q 'create table years (region text, "2023" int, "2024" int)' >/dev/null
imp "$T/years.csv" --table years
is "$(rc)" 0 "first record naming the table's columns: exit 0"
is "$(q "select string_agg(region, ' ' order by region) from years")" "north south" \
    "... it is the header, not a row"
printf 'REGION,2023,2024\neast,1,2\n' >"$T/years2.csv"
imp "$T/years2.csv" --table years
is "$(q "select count(*) from years where region = 'east'")" 1 "... also in another case (folded as the mapping folds)"
imp "$T/years.csv" --table years_new --create
is "$(rc)" 2 "--create and an unsure header: exit 2"
like "$(out)" "line 1 is a header or data: give --header or --no-header" "... naming both flags"
imp "$T/years.csv" --table years_new --create --header
is "$(rc)" 0 "--header settles it"
is "$(q "select count(*) from years_new")" 2 "... 2 rows"
printf '2023,2024\n10,20\n30,40\n' >"$T/only_years.csv"
q 'create table only_years ("2023" int, "2024" int)' >/dev/null
imp "$T/only_years.csv" --table only_years
is "$(q "select string_agg(\"2023\"::text, ' ' order by 1) from only_years")" "10 30" \
    "numbers above numbers, naming the table's columns: the header (a sure guess overruled)"
printf 'Alice,30\nBob,40\n' >"$T/people.csv"
q "create table people (name text, age int)" >/dev/null
imp "$T/people.csv" --table people
is "$(rc)" 0 "unsure header that names no column of the table: data"
is "$(q "select string_agg(name, ' ' order by age) from people")" "Alice Bob" "... both records loaded"

# -- --create's names and a second import into the same table --------------------
long=$(printf '%070d' 0 | tr 0 x)
accents=$(printf 'é%.0s' $(seq 1 40)) # 80 bytes: cut on a character boundary
printf ',dup,Dup,dup,%s,%s\n1,2,3,4,5,6\n' "$long" "$accents" >"$T/odd.csv"
imp "$T/odd.csv" --table odd --create --header
is "$(rc)" 0 "odd header names: created"
imp "$T/odd.csv" --table odd
is "$(rc)" 0 "the same file again into the table it created: exit 0"
is "$(q "select count(*) from odd")" 2 "... 2 rows"
printf 'dup,nope\n1,2\n' >"$T/nope.csv"
imp "$T/nope.csv" --table odd
is "$(rc)" 1 "a column the table lacks: exit 1"
like "$(out)" 'not in table odd \(file column -> table column\): "nope" -> "nope"' \
    "... the error lists file column -> table column"

# -- a NUL byte ------------------------------------------------------------------------
printf 'a,b\n1,x\n2,y\000z\n' >"$T/nul.csv"
imp "$T/nul.csv" --table nul --create
is "$(rc)" 1 "NUL byte: exit 1"
like "$(out)" "a NUL byte \(line 3, column 4, field 2\): PostgreSQL text cannot hold" "NUL byte: said so, with line and column"
unlike "$(out)" "UTF-8" "NUL byte: not called an encoding problem"

# -- rejects with --jobs: the file's own lines, in file order ---------------------
awk 'BEGIN { print "id,v"; for (i = 2; i <= 9000; i++) {
  if (i == 3000 || i == 7001 || i == 8999) printf "x%d,bad\n", i;
  else if (i == 3001) printf "%d\n", i;
  else printf "%d,v%d\n", i, i } }' >"$T/rej.csv"
q "create table rej (id int, v text)" >/dev/null
imp "$T/rej.csv" --table rej --jobs 3 --max-errors 10 --reject-file "$T/rej_out.csv"
is "$(rc)" 0 "--jobs 3 --max-errors: exit 0"
is "$(q "select count(*) from rej")" 8995 "--jobs 3 --max-errors: the good rows"
is "$(cut -d, -f1 "$T/rej_out.csv" | sed 1d | tr '\n' ' ')" "3000 3001 7001 8999 " \
    "reject file: the file's own lines, in file order"
like "$(grep '^7001,' "$T/rej_out.csv")" "COPY rej, line 7001" "reject file: the server's context names the file's line"
wrong=$(sed 1d "$T/rej_out.csv" | while IFS= read -r l; do
    n=${l%%,*}
    case $l in *"COPY rej, line $n,"* | *"COPY rej, line $n)"*) ;; *"COPY rej, line"*) echo "$n" ;; esac
done)
is "$wrong" "" "reject file: every server context names the file's line, none a per-part one"

done_testing
