#!/bin/sh
# tests/tui/editor_run.sh — the editor's runs against a real cluster: Ctrl-C
# cancels `select pg_sleep(60)` on the server (pg_stat_activity shows it
# gone, the screen says canceled); BEGIN ... COMMIT across runs keeps the
# connection and says so; a pipeline with an error in statement 2 of 5 lists
# error / aborted / rolled back and commits nothing (psql checks); sync each
# commits the statements before the error; the one-by-one comparison runs
# inside BEGIN ... ROLLBACK and applies nothing twice.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
cluster_psql -c "create table t (id int primary key, v text)" >/dev/null
cluster_psql -c "create table u (v text)" >/dev/null

sleeping() { cluster_psql -c "select count(*) from pg_stat_activity where query like 'select pg_sleep(60)%' and state = 'active' and application_name = 'pgdeck'"; }
is_zero() { [ "$(sleeping)" = 0 ]; }
is_one() { [ "$(sleeping)" = 1 ]; }

ed_start run XDG_STATE_HOME="$tmp/state"

# cancel
ed_sql "select pg_sleep(60)"
sh_keys F5
check "the status line says running" sh_wait '\| running ' 5
check "the server runs the statement" wait_until 10 is_one
sh_keys M-1
check "the other panes keep refreshing while it runs: Pool shows the busy connection" sh_wait ' busy ' 10
sh_keys M-4
sh_wait '\| running ' 5 >/dev/null
sh_keys C-c
check "the screen says canceled" sh_wait '\| canceled \|' 10
check "the server shows the statement gone" wait_until 10 is_zero
check "the grid says the server stopped it" sh_wait 'canceled after' 5

# a streaming result: rows show while more arrive; C-c stops it
ed_sql "select g, pg_sleep(0.002) from generate_series(1, 100000) g"
sh_keys F5
check "rows show while the statement still runs" sh_wait 'running [0-9.]+ s, [1-9][0-9]* rows so far' 15
check "the first rows are in the grid meanwhile" sh_wait '^ +1 │' 5
sh_keys C-c
check "C-c stops the streaming result: canceled" sh_wait '\| canceled \|' 10
check "the rows that arrived stay in the grid" ed_grid_wait '^ +1 │' 5

# prepared after prepare_threshold (5) executions of the same text
# The count is per pool connection (psycopg's rule), and the editor's runs
# may land on either of the pool's connections: run until one of them has
# seen the text prepare_threshold times, and read the status line's own count.
seen_counts=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    ed_run "select 42 as answer"
    st=$(sh_screen | grep -m1 'Pipeline: ')
    case $st in *'| prepared (run'*) break ;; esac
    seen_counts="$seen_counts $(printf '%s\n' "$st" | grep -Eo '\([0-9]+/5\)')"
done
check "the status line says prepared after the threshold" sh_wait '\| prepared \(run [0-9]+\)' 5
case $seen_counts in *'(5/5)'*) ok 0 "the count reached 5/5 before it prepared" ;; *) ok 1 "the count reached 5/5 before it prepared:$seen_counts" ;; esac

# a transaction across runs
ed_run "begin"
check "BEGIN: the status line says in transaction" sh_wait 'in transaction \(connection kept\)' 5
ed_run "insert into t values (1, 'one')"
check "still in the transaction after an INSERT" sh_wait 'in transaction' 5
n=$(cluster_psql -c "select count(*) from t")
is "$n" 0 "not visible to others before COMMIT"
ed_run "select 1/0"
check "an error inside the transaction: aborted" sh_wait 'transaction aborted' 5
ed_run "rollback"
check "ROLLBACK: idle again" sh_wait 'Pipeline: off \| idle' 5
ed_run "begin"
ed_run "insert into t values (1, 'one')"
ed_run "commit"
check "COMMIT: idle" sh_wait 'Pipeline: off \| idle' 5
is "$(cluster_psql -c "select count(*) from t")" 1 "the committed row is there (psql)"
idle=$(cluster_psql -c "select count(*) from pg_stat_activity where application_name = 'pgdeck' and state like 'idle in transaction%'")
is "$idle" 0 "no pgdeck connection is left idle in a transaction"

# the session's connection killed inside a transaction: one clear error, then a fresh one
ed_run "begin"
sh_wait 'in transaction' 5 >/dev/null
cluster_psql -c "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pgdeck' and state like 'idle in transaction%'" >/dev/null
ed_run "insert into t values (99, 'lost')"
check "a killed connection: the outcome is unknown, said so" sh_wait 'unknown \(connection lost\)' 10
ed_run "select 'fresh' as again"
check "the next run gets a fresh connection" sh_wait ' fresh ' 10
check "... outside any transaction" sh_wait 'Pipeline: off \| idle' 5
is "$(cluster_psql -c "select count(*) from t where id = 99")" 0 "nothing of the lost transaction committed (psql)"

# pipeline: an error in statement 2 of 5, one sync (all or nothing)
sh_keys F7
check "F7: pipeline on, in the status line" sh_wait 'Pipeline: on \(sync end\)' 5
ed_run "insert into t values (10, 'a'); insert into t values (1, 'dup'); insert into t values (11, 'b'); insert into t values (12, 'c'); insert into t values (13, 'd')"
check "statement 1: rolled back" sh_wait '  1  rolled back' 5
check "statement 2: error with the server's message" sh_wait '  2  error' 5
check "the error message is shown" sh_wait 'duplicate key value violates unique constraint' 5
check "statement 3: aborted" sh_wait '  3  aborted' 5
check "statement 5: aborted" sh_wait '  5  aborted' 5
screen=$(sh_screen)
unlike "$screen" ' [0-9]  ok ' "no statement is shown as ok"
is "$(cluster_psql -c "select count(*) from t")" 1 "nothing committed (psql)"

# sync each: statement 1 commits alone
ed_cmd "pipeline sync each"
check ":pipeline sync each" sh_wait 'Pipeline: on \(sync each\)' 5
ed_run "insert into t values (20, 'a'); insert into t values (1, 'dup'); insert into t values (21, 'b')"
check "sync each: statement 1 ok" sh_wait '  1  ok ' 5
check "sync each: statement 2 error" sh_wait '  2  error' 5
is "$(cluster_psql -c "select string_agg(id::text, ',' order by id) from t")" "1,20,21" \
    "sync each: the statements apart from the failed one committed (psql)"
ed_cmd "pipeline sync end"

# compare: one by one inside BEGIN ... ROLLBACK
ed_run "insert into u values ('x'); insert into u values ('y'); update u set v = v || '!' where v = 'x'"
check "the pipelined run succeeded" sh_wait 'all ok' 5
sh_keys F9
check "F9 times the same statements one by one" sh_wait 'one by one [0-9.]+ ms \(in BEGIN...ROLLBACK, rolled back\)' 15
check "round trips saved are shown" sh_wait '2 round trips saved' 5
is "$(cluster_psql -c "select string_agg(v, ',' order by v) from u")" "x!,y" "the comparison applied nothing twice (psql)"

# refused inside a pipeline, with a clear message; the pipeline stays usable
ed_run "insert into u values ('r1'); copy u from stdin; insert into u values ('r2')"
check "COPY is refused in a pipeline" sh_wait '  2  refused' 5
check "the others are not sent" sh_wait '  1  not sent' 5
is "$(cluster_psql -c "select count(*) from u where v like 'r%'")" 0 "nothing of a refused pipeline ran (psql)"
ed_run "insert into u values ('r3')"
check "the next pipeline runs" sh_wait '  1  ok ' 5

ed_cmd "pipeline off"
check ":pipeline off" sh_wait 'Pipeline: off' 5

sh_keys F10
sh_wait_dead 5 || sh_keys y
check "pgdeck quits" sh_wait_dead 10
sh_stop

# --readonly: writes from the editor are refused by the server
sh_start run-ro 120 34 XDG_STATE_HOME="$tmp/state" -- --readonly
sh_wait connected 20 >/dev/null
sh_keys M-4
sh_wait 'Pipeline: ' 10 >/dev/null
check "--readonly shows in the status line" sh_wait '\| read-only' 5
ed_run "insert into u values ('ro')"
check "--readonly: an INSERT fails (read-only transaction)" sh_wait 'cannot execute INSERT in a read-only transaction' 5
ed_run "set default_transaction_read_only = off"
check "--readonly: turning it off is refused" sh_wait 'would change the read-only setting' 5
ed_run "select 1; begin read/**/write"
check "--readonly: READ WRITE behind a comment is refused" sh_wait 'statement 2 would change the read-only setting' 5
ed_run "vacuum u"
check "--readonly: VACUUM cannot be made read-only and is refused" sh_wait 'cannot run inside a read-only transaction' 5
# the guard is per transaction, not a session setting left on a pooled connection
ed_run "select 'dflt=' || current_setting('default_transaction_read_only') || ',txn=' || current_setting('transaction_read_only') as ro_pair"
check "--readonly: the statement's own transaction is read-only, the session default untouched" \
    sh_wait 'dflt=off,txn=on' 5
# a BEGIN of the user's is made read-only too, across runs
ed_run "begin"
sh_wait 'in transaction \(connection kept\)' 5 >/dev/null
ed_run "insert into u values ('ro2')"
check "--readonly: an INSERT inside the user's BEGIN fails" sh_wait 'cannot execute INSERT in a read-only transaction' 5
ed_run "rollback"
ed_run "select count(*) as n from u where v = 'ro'"
check "--readonly: reads work" sh_wait ' n ' 5
is "$(cluster_psql -c "select count(*) from u where v = 'ro'")" 0 "--readonly: nothing written (psql)"
sh_keys F10
sh_wait_dead 5 || sh_keys y
done_testing
