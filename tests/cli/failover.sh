#!/bin/sh
# tests/cli/failover.sh — a write load through a multi-host conninfo with
# target_session_attrs=read-write follows the primary through a failover:
# the primary stops (-m immediate) mid-run, the standby is promoted, the load
# goes on there, and --stats reports the failover (host before/after, the
# writes-unavailable time) and the errors of the gap.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/standby.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'standby_stop; cluster_stop; rm -rf "$tmp"' EXIT
have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true

cluster_psql -c 'create table fo (i int, at timestamptz default clock_timestamp())' >/dev/null
standby_start
standby_wait_streaming || { echo "Bail out! the standby does not stream"; exit 1; }
primary_port=$PGPORT
on_standby() { cluster_psql -h 127.0.0.1 -p "$STANDBY_PORT" "$@"; }
ci="host=127.0.0.1,127.0.0.1 port=$primary_port,$STANDBY_PORT dbname=postgres user=$PGUSER target_session_attrs=read-write"

"$PGDECK" run -d "$ci" --clients 2 --time 20 -c 'insert into fo (i) values (1)' --stats=stdout \
    --format=json >"$tmp/out" 2>"$tmp/err" &
run_pid=$!
rows() { cluster_psql -c 'select count(*) from fo'; }
some_rows() { [ "$(rows 2>/dev/null || echo 0)" -gt 50 ]; }
wait_until 30 some_rows
ok $? "the load writes on the primary"

# the primary goes away mid-run; the standby (still in recovery, so skipped
# by target_session_attrs) is then promoted
_standby_as_owner "$PGDECK_TEST_BINDIR/pg_ctl" -D "$PGDECK_TEST_DATADIR" -m immediate -w stop >/dev/null 2>&1
_standby_as_owner "$PGDECK_TEST_BINDIR/pg_ctl" -D "$STANDBY_DATADIR" -w promote >/dev/null 2>&1
ok $? "the standby is promoted"
promoted_at=$(on_standby -c 'select clock_timestamp()')

wait "$run_pid"; rc=$?
after=$(on_standby -c "select count(*) from fo where at > '$promoted_at'")
ok "$([ "${after:-0}" -gt 0 ] && echo 0 || echo 1)" "rows keep arriving on the new primary after the promote ($after)"
# the statements in flight when the primary died failed (not retried): exit 1
is "$rc" 1 "exit 1: the statements lost with the primary are errors"
like "$(cat "$tmp/err")" 'server closed the connection' "stderr: the connection was lost"
like "$(cat "$tmp/err")" 'lost during the statement; its outcome is unknown, so it was not retried' \
    "stderr: the lost statement was not retried"
if $have_jq; then
    summary=$(head -1 "$tmp/out")
    stats=$(sed 1d "$tmp/out")
    errors=$(printf '%s' "$summary" | jq -r .errors)
    ok "$([ "${errors:-0}" -gt 0 ] && echo 0 || echo 1)" "errors of the gap are counted ($errors)"
    is "$(printf '%s' "$stats" | jq -r .failovers)" 1 "--stats: one failover"
    is "$(printf '%s' "$stats" | jq -r .failover_from)" "127.0.0.1:$primary_port" "--stats: failover from the old primary"
    is "$(printf '%s' "$stats" | jq -r .server_at)" "127.0.0.1:$STANDBY_PORT" "--stats: now on the new primary"
    ms=$(printf '%s' "$stats" | jq -r .writes_unavailable_ms)
    ok "$([ "${ms:-0}" -gt 0 ] && echo 0 || echo 1)" "--stats: writes unavailable > 0 ($ms ms)"
    lost=$(printf '%s' "$stats" | jq -r .connections_lost)
    ok "$([ "${lost:-0}" -gt 0 ] && echo 0 || echo 1)" "--stats: connections lost counted ($lost)"
fi
done_testing
