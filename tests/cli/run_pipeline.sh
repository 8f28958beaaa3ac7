#!/bin/sh
# tests/cli/run_pipeline.sh — `pgdeck run --pipeline`: the per-statement
# report in order, an error in statement 2 of 5 (1 rolled back, 2 error,
# 3-5 aborted, nothing committed), --sync=each, refusals, exit codes.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

cluster_psql -c "create unlogged table p_t (i int primary key)" >/dev/null
outcomes() { # the outcome column of a table report, space-separated
    awk '/^ *[0-9]+  / { o = $2; if (o == "rolled") o = "rolled_back"; if (o == "not") o = "not_sent"; printf "%s ", o }' "$1"
}

# --- all good ------------------------------------------------------------------
"$PGDECK" run --pipeline -c "insert into p_t values (100)" -c "insert into p_t values (101)" \
    -c "select i from p_t order by i" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "all ok: exit 0"
is "$(outcomes "$tmp/out")" "ok ok ok " "all ok: three ok lines"
like "$(cat "$tmp/out")" '^ *# +outcome +ms +rows +statement' "report header"
like "$(sed -n 4p "$tmp/out")" '^3  ok +[0-9]+\.[0-9]{3} +2  select i from p_t order by i$' \
    "report line: index, outcome, time, rows, SQL"
like "$(cat "$tmp/out")" '\(3 statements: 3 ok, 0 error, 0 aborted, 0 rolled back, 0 unknown; [0-9.]+ ms\)' \
    "report summary"
is "$(cluster_psql -c "select count(*) from p_t")" "2" "all ok: committed"
cluster_psql -c "truncate p_t" >/dev/null

# --- an error in statement 2 of 5, one sync at the end ---------------------------
cat >"$tmp/five.sql" <<'SQL'
insert into p_t values (1);
insert into p_t
  values ('x');
insert into p_t values (3);
insert into p_t values (4);
select count(*) from p_t;
SQL
"$PGDECK" run --pipeline -f "$tmp/five.sql" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "error in 2 of 5: exit 1"
is "$(outcomes "$tmp/out")" "rolled_back error aborted aborted aborted " \
    "error in 2 of 5: rolled back, error, aborted x3 (never ok)"
like "$(cat "$tmp/out")" "$tmp/five.sql:3: ERROR:  22P02: invalid input syntax for type integer: \"x\"" \
    "error in 2 of 5: the error with its file line"
is "$(cluster_psql -c "select count(*) from p_t")" "0" "error in 2 of 5: nothing committed on the server"

# JSON and CSV reports
"$PGDECK" run --pipeline -f "$tmp/five.sql" --format=json >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "json report: exit 1"
if command -v jq >/dev/null 2>&1; then
    is "$(jq -r 'map(.outcome) | join(",")' "$tmp/out")" "rolled back,error,aborted,aborted,aborted" \
        "json report: outcomes"
    is "$(jq -r '.[1].sqlstate + " " + (.[1].line|tostring) + " " + .[0].sql' "$tmp/out")" \
        "22P02 2 insert into p_t values (1)" "json report: sqlstate, line, sql"
fi
"$PGDECK" run --pipeline -f "$tmp/five.sql" --format=csv >"$tmp/out" 2>"$tmp/err"
python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sys.exit(0 if [r["outcome"] for r in rows] == ["rolled back", "error", "aborted", "aborted", "aborted"] and rows[1]["sqlstate"] == "22P02" else 1)' "$tmp/out"
ok $? "csv report: outcomes and sqlstate"

# --- a sync after each statement: the others commit -------------------------------
"$PGDECK" run --pipeline --sync=each -f "$tmp/five.sql" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "sync each: exit 1 (one statement failed)"
is "$(outcomes "$tmp/out")" "ok error ok ok ok " "sync each: only statement 2 failed"
is "$(cluster_psql -c "select string_agg(i::text, ',' order by i) from p_t")" "1,3,4" \
    "sync each: statements 1, 3, 4 committed"
cluster_psql -c "truncate p_t" >/dev/null

# --- several transactions in one pipeline ---------------------------------------------
"$PGDECK" run --pipeline -c "begin; insert into p_t values (10); commit" \
    -c "begin; insert into p_t values (11); insert into p_t values (10); commit" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "two transactions, the second fails: exit 1"
is "$(cluster_psql -c "select string_agg(i::text, ',' order by i) from p_t")" "10" \
    "two transactions: the first stays committed, the second is not"
o=$(outcomes "$tmp/out")
like "$o" '^ok ok ok ' "two transactions: the committed one is reported ok"
unlike "${o#ok ok ok }" 'ok' "two transactions: nothing of the failed one is reported ok"
like "${o#ok ok ok }" '^rolled_back rolled_back error aborted $' "two transactions: rolled back, error, aborted"
cluster_psql -c "truncate p_t" >/dev/null

# --- refused: COPY in a pipeline ---------------------------------------------------------
"$PGDECK" run --pipeline -c "insert into p_t values (1)" -c "copy p_t from stdin" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "COPY in a pipeline: exit 1"
like "$(outcomes "$tmp/out")" "refused" "COPY in a pipeline: refused"
like "$(cat "$tmp/out" "$tmp/err")" "COPY" "COPY in a pipeline: the message names COPY"
is "$(cluster_psql -c "select count(*) from p_t")" "0" "COPY in a pipeline: nothing was sent"

# --- 2 000 statements from stdin --------------------------------------------------------------
seq 1 2000 | sed 's/.*/insert into p_t values (&);/' >"$tmp/many.sql"
"$PGDECK" run --pipeline -f - <"$tmp/many.sql" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "2 000 statements: exit 0"
is "$(cluster_psql -c "select count(*) from p_t")" "2000" "2 000 statements: all committed"
like "$(tail -n 1 "$tmp/out")" '2000 statements: 2000 ok' "2 000 statements: summary"

done_testing
