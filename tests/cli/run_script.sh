#!/bin/sh
# tests/cli/run_script.sh — `pgdeck run -f/-c`: a tricky script splits into
# the right statements (checked against psql and on the server); the first
# error stops the run with exit 1, the server's message, SQLSTATE, DETAIL,
# HINT and the file's own line with a caret; later statements never run.
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

# --- a tricky script ---------------------------------------------------------
cat >"$tmp/tricky.sql" <<'SQL'
-- a comment; with a semicolon
create table s_t (id int primary key, body text);
/* block comment ; /* nested ; */ still a comment; */
insert into s_t values (1, 'it''s; here');
insert into s_t values (2, E'back\\slash\'; quote');
create function s_f() returns text language plpgsql as $fn$
begin
  return 'dollar; $x$ inside';  -- ; in a comment
end
$fn$;
insert into s_t values (3, $$plain; dollar$$);   insert into s_t values (4, s_f());
insert into s_t values (5, "left"('paren;(s)', 5)) ;
select id, body from s_t order by id;
-- trailing comment without a statement
SQL
"$PGDECK" run -f "$tmp/tricky.sql" >"$tmp/pgdeck.out" 2>&1; rc=$?
is "$rc" 0 "tricky script: exit 0"
got=$(cluster_psql -c "select string_agg(id || '=' || body, '|' order by id) from s_t")
is "$got" "1=it's; here|2=back\\slash'; quote|3=plain; dollar|4=dollar; \$x\$ inside|5=paren" \
    "tricky script: every statement ran with the right text"
is "$(cluster_psql -c "select sum(calls) from pg_stat_statements where query like '%insert into s_t%'")" "5" \
    "tricky script: the server saw 5 separate INSERTs"
cluster_psql -c "drop table s_t; drop function s_f()" >/dev/null
"$PSQL" -X -f "$tmp/tricky.sql" >"$tmp/psql.out" 2>&1
if cmp -s "$tmp/psql.out" "$tmp/pgdeck.out"; then ok 0 "tricky script: output as psql -f"; else
    ok 1 "tricky script: output as psql -f"
    diff "$tmp/psql.out" "$tmp/pgdeck.out" | sed 's/^/# /'
fi
cluster_psql -c "drop table s_t; drop function s_f()" >/dev/null

# --- -c several times, several statements in one -c, -f - (stdin), order ---
printf 'select 3 as c;\n' >"$tmp/three.sql"
out=$(printf 'select 4 as d' | "$PGDECK" run -c 'select 1 as a' -c 'select 2 as b; select 22 as bb' \
    -f "$tmp/three.sql" -f - --format=csv 2>&1); rc=$?
is "$rc" 0 "-c -c -f -f-: exit 0"
is "$(printf '%s' "$out" | tr '\n' ' ')" "a 1 b 2 bb 22 c 3 d 4" "-c, -f and stdin run in command-line order"

# one connection: session state carries from statement to statement
out=$("$PGDECK" run --format=csv -c "set application_name = 'h4_one_conn'" \
    -c "create temp table tt (i int)" -c "insert into tt values (7)" \
    -c "select current_setting('application_name') as app, (select i from tt) as i")
is "$out" "$(printf 'app,i\nh4_one_conn,7')" "statements share one connection (SET, temp table)"

# --- notices ------------------------------------------------------------------
err=$("$PGDECK" run -c "do \$\$ begin raise notice 'hello %', 42; end \$\$" 2>&1 >/dev/null); rc=$?
is "$rc" 0 "notice: exit 0"
is "$err" "NOTICE:  hello 42" "notice: printed on stderr as psql does"

# --- the first error stops the run -----------------------------------------------
cat >"$tmp/err.sql" <<'SQL'
create table e_t (i int primary key);
insert into e_t values (1);

/* the failing statement starts on line 4 */
select *
  from e_t,
       nosuch_table;
insert into e_t values (2);
SQL
"$PGDECK" run -f "$tmp/err.sql" >"$tmp/out" 2>"$tmp/err"; rc=$?
err=$(cat "$tmp/err")
is "$rc" 1 "error in a file: exit 1"
like "$err" "^pgdeck run: $tmp/err.sql:7: ERROR:  42P01: relation \"nosuch_table\" does not exist" \
    "error in a file: file, line, SQLSTATE and the server's message"
is "$(sed -n 2p "$tmp/err")" "LINE 7:        nosuch_table;" "error in a file: LINE is the file's line, with the ; sent as psql sends it"
is "$(sed -n 3p "$tmp/err")" "               ^" "error in a file: caret under the position"
is "$(cluster_psql -c "select count(*) from e_t")" "1" "statements after the error did not run"
is "$(cluster_psql -c "select sum(calls) from pg_stat_statements where query like 'insert into e_t%'")" "1" \
    "the server never saw the statement after the error"
like "$(cat "$tmp/out")" "INSERT 0 1" "output before the error is printed"

# DETAIL and HINT
err=$("$PGDECK" run -c "insert into e_t values (1)" 2>&1); rc=$?
is "$rc" 1 "unique violation: exit 1"
like "$err" 'ERROR:  23505: duplicate key value violates unique constraint "e_t_pkey"' "unique violation: message"
like "$err" 'DETAIL:  Key \(i\)=\(1\) already exists\.' "unique violation: DETAIL"
err=$("$PGDECK" run -c "select nosuch_fn(1)" 2>&1)
like "$err" 'HINT:  No function matches the given name and argument types' "undefined function: HINT"

# The LINE/caret display matches psql's (libpq's) for -c text, wide
# characters and long lines.
caret_like_psql() { # NAME SQL
    "$PSQL" -X -c "$2" 2>&1 | grep -A1 '^LINE' >"$tmp/psql.caret"
    "$PGDECK" run -c "$2" 2>&1 | grep -A1 '^LINE' >"$tmp/pgdeck.caret"
    if [ -s "$tmp/psql.caret" ] && cmp -s "$tmp/psql.caret" "$tmp/pgdeck.caret"; then ok 0 "caret like psql: $1"; else
        ok 1 "caret like psql: $1"
        { cat "$tmp/psql.caret"; echo ---; cat "$tmp/pgdeck.caret"; } | sed 's/^/# /'
    fi
}
caret_like_psql "simple" "select nosuch_col"
caret_like_psql "after wide characters" "select '日本語', 'é', nosuch_col"
caret_like_psql "second line, tab" "$(printf 'select 1,\n\tnosuch_col')"
caret_like_psql "long line, error at the end" "select $(seq -s ', ' 1 40), nosuch_col"
caret_like_psql "long line, error in the middle" "select $(seq -s ', ' 1 20), nosuch_col, $(seq -s ', ' 1 30)"
caret_like_psql "syntax error" "select 1 frm x"

# an error in -c: no file name, LINE relative to the -c text
err=$("$PGDECK" run -c 'select 1' -c "$(printf 'select\n  1 +')" 2>&1 >/dev/null); rc=$?
is "$rc" 1 "syntax error in -c: exit 1"
like "$err" '^pgdeck run: ERROR:  42601: syntax error at end of input' "syntax error in -c: message"
like "$err" 'LINE 2:   1 \+' "syntax error in -c: LINE within the -c text"

# A script ending inside a quote still runs (the server reports the error)
printf "select 'unterminated;\n" >"$tmp/unterm.sql"
err=$("$PGDECK" run -f "$tmp/unterm.sql" 2>&1); rc=$?
is "$rc" 1 "unterminated quote: exit 1"
like "$err" 'unterminated quoted string' "unterminated quote: the server's message"

# COPY FROM STDIN in -c is refused (psql -c would read its stdin; -f scripts carry the data inline)
err=$("$PGDECK" run -c "copy e_t from stdin" 2>&1); rc=$?
is "$rc" 1 "COPY FROM STDIN: exit 1"
like "$err" 'not supported.*pgdeck import' "COPY FROM STDIN: says what to use"

# The connection killed under a running statement: exit 3, the rest not run
cluster_psql -c "create table k_t (i int)" >/dev/null
"$PGDECK" run -c "insert into k_t values (1)" -c "select pg_sleep(30) as h4_killed" \
    -c "insert into k_t values (2)" >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
until [ "$(cluster_psql -c "select pg_terminate_backend(pid) from pg_stat_activity where query like '%h4_killed%' and pid <> pg_backend_pid()")" = t ] || [ $i -ge 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
wait $pid
rc=$?
is "$rc" 3 "connection terminated mid-script: exit 3"
like "$(cat "$tmp/err")" '57P01|terminating connection' "connection terminated mid-script: the server's message"
is "$(cluster_psql -c "select string_agg(i::text, ',') from k_t")" "1" "connection terminated mid-script: later statements not run"

# psql meta-commands are refused before anything runs, with the place
printf 'create table meta_t (i int);\n\\set x 5\nselect :x;\n' >"$tmp/meta.sql"
"$PGDECK" run -f "$tmp/meta.sql" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "meta-command in a script: exit 1"
like "$(cat "$tmp/err")" "meta.sql:2: \\\\set is a psql meta-command" "meta-command: named, with the file's line"
is "$(cluster_psql -c "select count(*) from pg_class where relname = 'meta_t'")" "0" \
    "meta-command: nothing of the script ran"
"$PGDECK" run -c "select E'a\\\\b' as s, 'c\\d' as t" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "backslashes inside strings are SQL, not meta-commands"

# A script that ends inside a transaction: psql's session ends and the server
# rolls it back; pgdeck's too, and it prints nothing psql does not.
cat >"$tmp/open.sql" <<'SQL'
create table open_keep (i int);
begin;
create table open_t (i int);
insert into open_keep values (1);
SQL
"$PSQL" -X -v ON_ERROR_STOP=1 -f "$tmp/open.sql" >"$tmp/psql.out" 2>"$tmp/psql.err"
cluster_psql -c "drop table open_keep" >/dev/null
log_at=$(wc -c <"$PGDECK_TEST_DATADIR/server.log")
PGOPTIONS="-c log_statement=all" "$PGDECK" run -f "$tmp/open.sql" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "open transaction at the end: exit 0 (as psql)"
is "$(cat "$tmp/out")" "$(cat "$tmp/psql.out")" "open transaction at the end: stdout as psql's"
is "$(cat "$tmp/err")" "" "open transaction at the end: nothing on stderr (as psql)"
is "$(cluster_psql -c "select string_agg(relname, ',' order by relname) from pg_class where relname like 'open_%'")" \
    "open_keep" "open transaction at the end: rolled back (open_t gone, open_keep empty)"
is "$(cluster_psql -c "select count(*) from open_keep")" "0" "open transaction at the end: its insert is gone"
# the server saw what psql sends: the script's statements, no ROLLBACK of pgdeck's
tail -c +$((log_at + 1)) "$PGDECK_TEST_DATADIR/server.log" >"$tmp/open.log"
like "$(cat "$tmp/open.log")" "statement: insert into open_keep values \\(1\\);" \
    "open transaction at the end: the server logged the script"
unlike "$(cat "$tmp/open.log")" "statement: ROLLBACK" "open transaction at the end: no ROLLBACK sent (as psql)"
# (the backend ends a moment after pgdeck's exit: wait for it)
i=0
until [ "$(cluster_psql -c "select count(*) from pg_stat_activity where state like 'idle in transaction%'")" = 0 ] || [ $i -ge 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
is "$(cluster_psql -c "select count(*) from pg_stat_activity where state like 'idle in transaction%'")" \
    "0" "open transaction at the end: no session left in a transaction"
# ... and one stopped by an error inside it
printf 'begin;\ninsert into open_keep values (2);\nselect 1/0;\ninsert into open_keep values (3);\n' \
    >"$tmp/aborted.sql"
"$PGDECK" run -f "$tmp/aborted.sql" >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "error inside a transaction: exit 1"
is "$(cluster_psql -c "select count(*) from open_keep")" "0" "error inside a transaction: rolled back"

# Ctrl-C cancels the running statement on the server: exit 1, nothing left
"$PGDECK" run -c "select pg_sleep(60) as h4_long_sleep" >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
until [ "$(cluster_psql -c "select count(*) from pg_stat_activity where query like '%h4_long_sleep%' and pid <> pg_backend_pid()")" = 1 ] || [ $i -ge 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -INT $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
wait $pid
rc=$?
is "$rc" 1 "Ctrl-C: exit 1"
like "$(cat "$tmp/err")" 'canceling statement due to user request' "Ctrl-C: the statement was canceled on the server"
is "$(cluster_psql -c "select count(*) from pg_stat_activity where query like '%h4_long_sleep%' and state = 'active' and pid <> pg_backend_pid()")" \
    "0" "Ctrl-C: nothing left running on the server"

done_testing
