#!/bin/sh
# pgdeck import: every bad-input case of RELIABILITY.md ("COPY import") gives an
# exact import or an exact error, never a partial import.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

T=$(mktemp -d /tmp/pgdeck-import-files.XXXXXX)
trap 'rm -rf "$T"; cluster_stop' EXIT
q() { cluster_psql -c "$1" 2>&1; }
imp() { "$PGDECK" import "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
out() { cat "$T/out" "$T/err"; }

# -- quoted LF and CRLF, "" escapes, NULL against empty ----------------------
printf 'id,note,extra\r\n1,"line1\nline2",x\r\n2,"crlf\r\ninside","say ""hi"""\r\n3,,""\r\n' >"$T/quoted.csv"
imp "$T/quoted.csv" --table quoted --create
is "$(rc)" 0 "quoted LF/CRLF: exit 0"
like "$(out)" "imported 3 rows" "quoted LF/CRLF: summary"
is "$(q "select note from quoted where id=1")" "line1
line2" "quoted LF kept"
is "$(q "select note = E'crlf\r\ninside' from quoted where id=2")" "t" "quoted CRLF kept byte for byte"
is "$(q "select extra from quoted where id=2")" 'say "hi"' '"" escapes'
is "$(q "select note is null, extra = '' from quoted where id=3")" "t|t" "unquoted empty is NULL, \"\" is empty"

# -- NULL string ---------------------------------------------------------------
printf 'a,b\nNA,"NA"\n' >"$T/na.csv"
imp "$T/na.csv" --table na --create --null NA
is "$(q "select a is null, b from na")" "t|NA" "--null NA: unquoted NA is NULL, quoted is text"

# -- the \. line -----------------------------------------------------------------
printf 'a,b\n1,2\n\\.\n3,4\n' >"$T/marker_mid.csv"
imp "$T/marker_mid.csv" --table marker --create
is "$(rc)" 1 "\\. in the middle: exit 1"
like "$(out)" "line 3: .*would end COPY" "\\. in the middle: error names line 3"
like "$(out)" "nothing imported" "\\. in the middle: nothing imported"
like "$(q "select count(*) from marker")" "does not exist" "\\. in the middle: table not created"
printf 'a,b\n1,2\n3,4\n\\.\n' >"$T/marker_end.csv"
imp "$T/marker_end.csv" --table marker --create
is "$(rc)" 0 "\\. as the last line: the end marker, accepted"
is "$(q "select count(*) from marker")" 2 "\\. as the last line: 2 rows"
printf 'a\n"\\."\n' >"$T/marker_q.csv"
imp "$T/marker_q.csv" --table markerq --create
is "$(q "select a from markerq")" '\.' 'quoted \. is a value'

# -- BOM, mixed line endings --------------------------------------------------
printf '\357\273\277id,name\n1,a\r\n2,b\r3,c\n' >"$T/bom.csv"
imp "$T/bom.csv" --table bom --create
is "$(rc)" 0 "BOM + mixed endings: exit 0"
is "$(q "select string_agg(id || name, ' ' order by id) from bom")" "1a 2b 3c" "mixed endings: every record"
is "$(q "select count(*) from information_schema.columns where table_name='bom' and column_name='id'")" 1 \
    "BOM stripped from the first column name"

# -- invalid UTF-8 ---------------------------------------------------------------
printf 'name,city\nJose,Paris\nJos\351,K\366ln\n' >"$T/latin1.csv"
imp "$T/latin1.csv" --table latin --create
is "$(rc)" 1 "invalid UTF-8: exit 1"
like "$(out)" "line 3: invalid UTF-8" "invalid UTF-8: the line is named"
like "$(out)" "--encoding" "invalid UTF-8: --encoding suggested"
like "$(q "select count(*) from latin")" "does not exist" "invalid UTF-8: nothing created"
imp "$T/latin1.csv" --table latin --create --encoding LATIN1
is "$(rc)" 0 "--encoding LATIN1: imported"
is "$(q "select city from latin where name <> 'Jose'")" "Köln" "LATIN1 converted"

# -- field counts -----------------------------------------------------------------
printf 'a,b,c\n1,2,3\n4,5\n6,7,8\n' >"$T/few.csv"
imp "$T/few.csv" --table counts --create
is "$(rc)" 1 "too few fields: exit 1"
like "$(out)" "line 3: 2 fields, expected 3" "too few fields: line and counts"
like "$(out)" "few.csv:3: 4,5" "too few fields: the record is shown"
printf 'a,b,c\n1,"x\ny",3\n4,5,6,7\n' >"$T/many.csv"
imp "$T/many.csv" --table counts --create
like "$(out)" "line 4: 4 fields, expected 3" "too many fields: line counts the quoted newline"
like "$(q "select count(*) from counts")" "does not exist" "field counts: nothing created"

# -- a server-side error maps back to the file's own line ----------------------
q "create table typed (id int, note text)" >/dev/null
printf 'id,note\n1,"a\nb\nc"\n2,"x"\n3y,z\n4,w\n' >"$T/typed.csv"
imp "$T/typed.csv" --table typed
is "$(rc)" 1 "type error: exit 1"
like "$(out)" "invalid input syntax for type integer" "type error: the server's message"
like "$(out)" "typed.csv:6: 3y,z" "type error: file line 6 (header and quoted newlines counted)"
is "$(q "select count(*) from typed")" 0 "type error: nothing imported"

# -- big field ---------------------------------------------------------------------
awk 'BEGIN { printf "id,blob\n1,\""; s = "0123456789"; for (i = 0; i < 20; i++) s = s s;
             for (i = 0; i < 100; i++) printf "%s", s; printf "\"\n2,small\n" }' >"$T/big.csv"
imp "$T/big.csv" --table big --create
is "$(rc)" 0 "100 MB field: exit 0"
is "$(q "select length(blob) from big where id::text = '1'")" 1048576000 "100 MB field: length exact"
rm -f "$T/big.csv"

# -- header only, empty -------------------------------------------------------------
printf 'a,b\n' >"$T/header.csv"
imp "$T/header.csv" --table headeronly --create
is "$(rc)" 0 "header only: exit 0"
like "$(out)" "imported 0 rows" "header only: 0 rows"
is "$(q "select count(*) from headeronly")" 0 "header only: table created, empty"
: >"$T/empty.csv"
imp "$T/empty.csv" --table empty --create
is "$(rc)" 1 "empty file: exit 1"
like "$(out)" "is empty" "empty file: says empty"

# -- a pipe or a FIFO: refused at once, not read up by the sniffing -----------------
mkfifo "$T/fifo.csv"
imp "$T/fifo.csv" --table fifo_t --create # nobody writes: an open() would block
is "$(rc)" 1 "FIFO: exit 1, without waiting for a writer"
like "$(out)" "fifo.csv is not a regular file" "FIFO: says why"
printf 'a,b\n1,2\n' | "$PGDECK" import /dev/stdin --table pipe_t --create >"$T/out" 2>"$T/err"; echo $? >"$T/rc"
is "$(rc)" 1 "a pipe: exit 1"
like "$(out)" "not a regular file .* save it to a file first" "a pipe: says what to do (not 'is empty')"
is "$(q "select count(*) from pg_class where relname in ('fifo_t', 'pipe_t')")" 0 "pipe and FIFO: no table created"

# -- hostile names, reserved words, duplicates after truncation ------------------
long=$(printf '%070d' 0 | tr 0 x)
printf '"x""); DROP TABLE typed; --",select,from,%s,%s,id,ID\n1,2,3,4,5,6,7\n' "$long" "$long" >"$T/names.csv"
imp "$T/names.csv" --table "we ird" --create
is "$(rc)" 0 "hostile names: exit 0"
is "$(q "select count(*) from typed")" 0 "hostile names: nothing executed (typed still there)"
cols=$(q "select string_agg(column_name, '|' order by ordinal_position) from information_schema.columns where table_name='we ird'")
x63=$(printf '%063d' 0 | tr 0 x)
x61=$(printf '%061d' 0 | tr 0 x)
is "$cols" "x\"); DROP TABLE typed; --|select|from|$x63|${x61}_2|id|ID" "names kept literally, truncated and de-duplicated"
is "$(q "select \"select\" + \"from\" from \"we ird\"")" 5 "reserved words usable as columns"

# -- existing table: mapping by header name, case-insensitive --------------------
q "create table mapped (id int primary key, name text, created date default '2000-01-01')" >/dev/null
printf 'NAME,Id\nann,1\nbob,2\n' >"$T/mapped.csv"
imp "$T/mapped.csv" --table mapped
is "$(rc)" 0 "mapping by header: exit 0"
is "$(q "select string_agg(id || name || created, ' ' order by id) from mapped")" \
    "1ann2000-01-01 2bob2000-01-01" "header mapped case-insensitively, missing column defaulted"
printf 'id,nope\n3,x\n' >"$T/mismatch.csv"
imp "$T/mismatch.csv" --table mapped
is "$(rc)" 1 "unknown column: exit 1"
like "$(out)" 'file column not in table mapped \(file column -> table column\): "nope" -> "nope"' \
    "unknown column named before sending"
imp "$T/mapped.csv" --table mapped --truncate
is "$(q "select count(*) from mapped")" 2 "--truncate: replaced, not appended"
imp "$T/mapped.csv" --table mapped
is "$(rc)" 1 "duplicate key: exit 1"
is "$(q "select count(*) from mapped")" 2 "duplicate key: nothing imported"

# -- delimiter and no header --------------------------------------------------------
printf '1;a\n2;b\n' >"$T/semi.txt"
q "create table semi (n int, s text)" >/dev/null
imp "$T/semi.txt" --table semi --no-header
is "$(rc)" 0 "semicolon, no header: exit 0"
is "$(q "select string_agg(n || s, ' ' order by n) from semi")" "1a 2b" "semicolon sniffed, columns in table order"
printf '1|a\n' >"$T/pipe.txt"
imp "$T/pipe.txt" --table semi --no-header --delimiter '|'
is "$(q "select count(*) from semi")" 3 "--delimiter |"

# -- usage ------------------------------------------------------------------------------
"$PGDECK" import >/dev/null 2>&1
is "$?" 2 "no file: usage error"
"$PGDECK" import "$T/semi.txt" --table semi --jobs 0 >/dev/null 2>&1
is "$?" 2 "bad --jobs: usage error"
"$PGDECK" import "$T/nonexistent.csv" --table x --create >"$T/out" 2>&1
is "$?" 1 "missing file: exit 1"
like "$(cat "$T/out")" "nonexistent.csv: No such file" "missing file: named"

done_testing
