#!/bin/sh
# pgdeck import under faults: the backend terminated mid-COPY, the server
# restarted mid-COPY, SIGINT: each says "nothing imported", no row committed,
# no crash.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

T=$(mktemp -d /tmp/pgdeck-import-faults.XXXXXX)
trap 'rm -rf "$T"; cluster_stop' EXIT
q() { cluster_psql -c "$1" 2>&1; }

# A table that takes ~1 ms per row, so a COPY of 20 000 rows runs ~20 s.
q "create table slow (id int, v text)" >/dev/null
q "create function slow_row() returns trigger language plpgsql as
   'begin perform pg_sleep(0.001); return new; end'" >/dev/null
q "create trigger slow before insert on slow for each row execute function slow_row()" >/dev/null
awk 'BEGIN { print "id,v"; for (i = 1; i <= 20000; i++) printf "%d,\"value %d\"\n", i, i }' >"$T/rows.csv"

copy_running() {
    for _ in $(seq 1 200); do
        n=$(q "select count(*) from pg_stat_activity where query like 'COPY%' and state = 'active'")
        [ "${n:-0}" -ge 1 ] 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
# mid-COPY: the server has taken rows (pg_stat_progress_copy, PostgreSQL 14+)
copied_rows() { [ "$(q "select coalesce(max(tuples_processed), 0) > 0 from pg_stat_progress_copy")" = t ]; }

# -- pg_terminate_backend mid-COPY ----------------------------------------------
"$PGDECK" import "$T/rows.csv" --table slow >"$T/out" 2>&1 &
pid=$!
copy_running
ok $? "COPY is running"
wait_until 10 copied_rows
q "select pg_terminate_backend(pid) from pg_stat_activity where query like 'COPY%' and pid <> pg_backend_pid()" >/dev/null
wait $pid
rc=$?
is "$rc" 3 "terminated backend: exit 3, connection lost (no crash)"
like "$(cat "$T/out")" "nothing imported" "terminated backend: nothing imported"
like "$(cat "$T/out")" "terminat|connection|lost" "terminated backend: the cause is named"
is "$(q "select count(*) from slow")" 0 "terminated backend: no row committed"

# -- SIGINT cancels ----------------------------------------------------------------
"$PGDECK" import "$T/rows.csv" --table slow >"$T/out" 2>&1 &
pid=$!
copy_running
wait_until 10 copied_rows
kill -INT $pid
wait $pid
rc=$?
is "$rc" 1 "SIGINT: exit 1"
like "$(cat "$T/out")" "canceled by user" "SIGINT: canceled by user"
like "$(cat "$T/out")" "nothing imported" "SIGINT: nothing imported"
is "$(q "select count(*) from slow")" 0 "SIGINT: no row committed"
is "$(q "select count(*) from pg_stat_activity where query like 'COPY%' and state = 'active' and pid <> pg_backend_pid()")" 0 \
    "SIGINT: the COPY is gone from the server"

# -- SIGINT with --jobs 2 --------------------------------------------------------------
"$PGDECK" import "$T/rows.csv" --table slow --jobs 2 >"$T/out" 2>&1 &
pid=$!
copy_running
wait_until 10 copied_rows
kill -INT $pid
wait $pid
is "$?" 1 "SIGINT --jobs 2: exit 1"
like "$(cat "$T/out")" "nothing imported" "SIGINT --jobs 2: nothing imported"
is "$(q "select count(*) from slow")" 0 "SIGINT --jobs 2: no row committed"
is "$(q "select count(*) from pg_prepared_xacts")" 0 "SIGINT --jobs 2: no prepared transaction left"

# -- server restart mid-COPY ----------------------------------------------------------
"$PGDECK" import "$T/rows.csv" --table slow >"$T/out" 2>&1 &
pid=$!
copy_running
wait_until 10 copied_rows
cluster_restart >/dev/null
wait $pid
rc=$?
is "$rc" 3 "server restart: exit 3, connection lost (no crash)"
like "$(cat "$T/out")" "nothing imported" "server restart: nothing imported"
is "$(q "select count(*) from slow")" 0 "server restart: no row committed"

# -- and the server still takes a clean import afterwards ------------------------------
q "drop trigger slow on slow" >/dev/null
"$PGDECK" import "$T/rows.csv" --table slow >"$T/out" 2>&1
is "$?" 0 "after the faults: a clean import works"
is "$(q "select count(*) from slow")" 20000 "after the faults: 20000 rows"

done_testing
