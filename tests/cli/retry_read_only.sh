#!/bin/sh
# tests/cli/retry_read_only.sh — run --retry-read-only N: a statement whose
# connection is lost is sent again on a new one, because the server
# guarantees it wrote nothing (every connection is read-only); without the
# option such a statement is an error, never repeated blindly.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true
ci="host=127.0.0.1 port=$PGPORT dbname=postgres user=$PGUSER application_name=rr_load"
cluster_psql -c 'create table rr (i int); insert into rr select generate_series(1, 1000)' >/dev/null

# refused before anything runs
"$PGDECK" run -d "$ci" --retry-read-only 3 -c 'select 1' >"$tmp/o" 2>"$tmp/e"
is $? 2 "--retry-read-only without a load: exit 2"
like "$(cat "$tmp/e")" 'retry-read-only needs --clients/--repeat/--time' "... and says what it needs"
"$PGDECK" run -d "$ci" --retry-read-only 3 --repeat 1 \
    -c 'select 1; set transaction_read_only = off; insert into rr values (0)' >"$tmp/o" 2>"$tmp/e"
is $? 2 "a script that turns read-write on again: exit 2"
like "$(cat "$tmp/e")" 'statement 2 would make the session read-write' "... naming the statement"
"$PGDECK" run -d "$ci" --retry-read-only 0 --repeat 1 -c 'select 1' >/dev/null 2>"$tmp/e"
is $? 2 "--retry-read-only 0: exit 2"

# the server refuses writes: the guarantee retries rest on
"$PGDECK" run -d "$ci" --retry-read-only 3 --repeat 5 -c 'insert into rr values (-1)' >"$tmp/o" 2>"$tmp/e"
is $? 1 "a write under --retry-read-only: exit 1"
like "$(cat "$tmp/e")" 'cannot execute INSERT in a read-only transaction' "... refused by the server"
is "$(cluster_psql -c 'select count(*) from rr where i = -1')" 0 "... nothing written (psql)"

# the run's backends are terminated several times while it reads
kill_loads() {
    n=0
    while [ $n -lt 6 ]; do
        sleep 0.5
        cluster_psql -c "select count(pg_terminate_backend(pid)) from pg_stat_activity
                         where application_name = 'rr_load' and state = 'active'" >>"$tmp/killed" 2>/dev/null
        n=$((n + 1))
    done
}
some_active() {
    [ "$(cluster_psql -c "select count(*) from pg_stat_activity where application_name = 'rr_load' and state = 'active'")" -gt 0 ]
}
read_sql='select pg_sleep(0.02), count(*) from rr'

: >"$tmp/killed"
"$PGDECK" run -d "$ci" --clients 2 --time 6 --retry-read-only 5 --stats=stdout --format=json \
    -c "$read_sql" >"$tmp/out" 2>"$tmp/err" &
run_pid=$!
wait_until 10 some_active
kill_loads
wait "$run_pid"; rc=$?
killed=$(awk '{s += $1} END {print s + 0}' "$tmp/killed")
ok "$([ "$killed" -gt 0 ] && echo 0 || echo 1)" "the test terminated the load's backends ($killed times)"
is "$rc" 0 "--retry-read-only: the read load ends well (exit 0)"
unlike "$(cat "$tmp/err")" 'lost during the statement' "... no lost statement reported"
if $have_jq; then
    summary=$(head -1 "$tmp/out")
    stats=$(sed 1d "$tmp/out")
    is "$(printf '%s' "$summary" | jq -r .errors)" 0 "... errors 0"
    retried=$(printf '%s' "$summary" | jq -r .retried)
    ok "$([ "${retried:-0}" -gt 0 ] && echo 0 || echo 1)" "... statements retried counted in the summary ($retried)"
    is "$(printf '%s' "$stats" | jq -r .statements_retried)" "$retried" "--stats: statements_retried, the same"
fi

# the same without the option: the lost statements are errors (exit 1)
: >"$tmp/killed"
"$PGDECK" run -d "$ci" --clients 2 --time 6 -c "$read_sql" >"$tmp/out" 2>"$tmp/err" &
run_pid=$!
wait_until 10 some_active
kill_loads
wait "$run_pid"; rc=$?
is "$rc" 1 "without --retry-read-only: exit 1"
like "$(cat "$tmp/err")" 'its outcome is unknown, so it was not retried' "... the lost statement was not retried"
like "$(cat "$tmp/out")" 'errors: [1-9]' "... and counted as an error"
done_testing
