#!/bin/sh
# pgbouncer_console.sh — the whole console through a PgBouncer in transaction
# pooling (prepare_threshold -1): every pane works on a conninfo to pgbouncer.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"

. "$top_srcdir/tests/lib/pgbouncer.sh"
[ -n "$PGBOUNCER" ] || skip_all "pgbouncer is not installed"
tui_begin
bouncer_start
started=$?
ok $started "pgbouncer runs in front of the test cluster (port $port)"
[ $started -eq 0 ] || { done_testing; exit 1; }

# The console's own conninfo goes to pgbouncer (transaction pooling): with
# prepare_threshold -1 no named prepared statement outlives its transaction.
ci="host=127.0.0.1 port=$port dbname=postgres user=$PGUSER"
printf 'name,amount\nada,1.5\nbob,2\ncy,3.25\n' >"$tmp/pgbsmall.csv"

sh_start pgb_console 160 50 -- --refresh 1 --set pool.prepare_threshold=-1 "$ci"
sh_wait 'pool_size' 20
ok $? "Pool: the console starts through pgbouncer"
sh_wait "postgres@127\.0\.0\.1:$port \| connected" 10
ok $? "Pool: connected to the pgbouncer port"

sh_keys 2
sh_wait 'Server: pg_stat_statements [0-9.]+ · [1-9][0-9]* statements' 15
ok $? "Slow: pg_stat_statements read through pgbouncer"
unlike "$(sh_screen)" 'prepared statement .* does not exist|already exists' "Slow: no prepared-statement error"

sh_keys 3
sh_wait 'Activity: [1-9][0-9]* session' 15
ok $? "Activity: pg_stat_activity read through pgbouncer"
sh_wait 'tps [0-9.]+ · active' 10
ok $? "Activity: the summary line"

sh_keys 6
sh_wait 'postgres +[0-9]+ +[0-9.]+ ' 15
ok $? "Server: the Database view through pgbouncer"

sh_keys 4
sh_wait 'Pipeline: off' 10
sh_type 'select 40 + 2 as answer'
# pipeline mode first: a pipeline sent right after an ordinary statement of
# the same editor session fails with "unknown error" even without pgbouncer
# (a race of the editor/pipeline code, reported, not this test's subject)
sh_keys F7
sh_wait 'Pipeline: on' 5
sh_keys F5
sh_wait 'Pipeline: on .*pipelined, 1 statement' 10
ok $? "Editor: pipeline mode on through pgbouncer"
like "$(sh_screen)" ' 42 ' "Editor: the pipelined answer"
sh_keys F7
sh_wait 'Pipeline: off' 5
sh_keys F5
sh_wait 'not prepared \(prepare_threshold off\)' 10
ok $? "Editor: a query runs, never prepared"
like "$(sh_screen)" ' 42 ' "Editor: its answer"

sh_keys Escape
sh_keys M-5
sh_wait "Enter: choose a CSV file to import" 10
ok $? "Import: the wizard opens"
sh_keys Enter
sh_wait "File to import:" 5
sh_type "$tmp/pgbsmall.csv"
sh_keys Enter
sh_wait "2 Sniff" 5
sh_keys Enter
sh_wait "new table pgbsmall" 5
sh_keys Enter
sh_wait "every file column has a target" 5
sh_keys Enter
sh_wait "stop at the first error" 5
sh_keys Enter
sh_wait "imported 3 rows into pgbsmall" 20
ok $? "Import: a small CSV through pgbouncer"
is "$(cluster_psql -c 'select count(*), sum(amount) from pgbsmall')" "3|6.75" "Import: the rows are on the server"

ok "$(sh_alive && echo 0 || echo 1)" "the console is still running"
sh_quit F10
is "$(sh_exit_status)" 0 "the console exits 0"

# What breaks otherwise (README, Through PgBouncer): a named prepared
# statement does not outlive its transaction's server connection (PgBouncer
# before 1.21's max_prepared_statements), and [session] settings travel as
# the startup packet's "options", which PgBouncer refuses.
"$PGDECK" run --set pool.prepare_threshold=-1 --clients 4 --repeat 50 -c 'select count(*) from pg_class' \
    "$ci" >"$tmp/pt_off" 2>&1
like "$(cat "$tmp/pt_off")" 'errors: 0' "a load through pgbouncer with prepare_threshold -1: no errors"
"$PGDECK" run --clients 4 --repeat 50 -c 'select count(*) from pg_class' "$ci" >"$tmp/pt_on" 2>&1
like "$(cat "$tmp/pt_on")" 'prepared statement "pgdeck_[0-9]+" does not exist' \
    "with prepared statements, transaction pooling loses them"
"$PGDECK" run --set pool.prepare_threshold=-1 --set session.work_mem=7MB -c 'show work_mem' "$ci" >"$tmp/sess" 2>&1
like "$(cat "$tmp/sess")" 'unsupported startup parameter: options' "a [session] setting is refused by pgbouncer, clearly"

# --readonly through transaction pooling: each editor statement runs in a
# READ ONLY transaction of its own. A session SET would land on whichever
# server connection ran it and stay there for the next client of it. One
# server connection in the pool makes that client certain.
bouncer_stop
BOUNCER_EXTRA="default_pool_size = 1" bouncer_start 7
ok $? "a second pgbouncer with one server connection (port $port)"
ci="host=127.0.0.1 port=$port dbname=postgres user=$PGUSER"
sh_start pgb_ro 160 50 -- --readonly --refresh 1 --set pool.prepare_threshold=-1 "$ci"
sh_wait "postgres@127\.0\.0\.1:$port \| connected" 20 >/dev/null
sh_keys M-4
sh_wait 'Pipeline: off' 10 >/dev/null
ed_run "select 'ro-probe' as probe"
like "$(sh_screen)" 'ro-probe' "--readonly through pgbouncer: a read runs"
ed_run "create table pgb_ro_leak(x int)"
like "$(sh_screen)" 'cannot execute CREATE TABLE in a read-only transaction' \
    "--readonly through pgbouncer: a write is refused by the server"
is "$(cluster_psql -h 127.0.0.1 -p "$port" -c 'show default_transaction_read_only')" off \
    "--readonly leaves nothing on the shared server connection: another client is read-write"
cluster_psql -h 127.0.0.1 -p "$port" -c 'create table pgb_rw_after(x int)' >/dev/null 2>&1
ok $? "another client of the same server connection can write"
sh_quit F10
done_testing
