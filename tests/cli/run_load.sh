#!/bin/sh
# tests/cli/run_load.sh — `pgdeck run --clients N --repeat M` (a load through
# the pool: throughput, percentiles, the server saw N*M executions) and
# `--stats` (one JSON object with the documented keys).
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

# pg_stat_statements ignores column aliases: each load reads its own table so
# that its statements are told apart on the server.
for t in h4load h4a h4b h4time h4jobs h4jcancel; do cluster_psql -c "create table $t (i int)" >/dev/null; done
calls() { cluster_psql -c "select coalesce(sum(calls), 0) from pg_stat_statements where query like '%from $1%'"; }

# --- a load -------------------------------------------------------------------
"$PGDECK" run --clients 4 --repeat 250 -c 'select count(*) from h4load' >"$tmp/out" 2>"$tmp/err"; rc=$?
out=$(cat "$tmp/out")
is "$rc" 0 "load: exit 0"
like "$out" '^clients: 4$' "load: clients"
like "$out" 'executed: 1000' "load: 4 x 250 executed"
like "$out" 'errors: 0' "load: no errors"
like "$out" 'tps: [0-9]+\.[0-9]' "load: throughput"
like "$out" 'latency ms: p50 [0-9.]+  p95 [0-9.]+  p99 [0-9.]+  max [0-9.]+' "load: percentiles"
is "$(calls h4load)" "1000" "load: the server saw N*M = 1000 executions"
is "$(cat "$tmp/err")" "" "load: nothing on stderr"

# several statements per repetition, JSON summary
"$PGDECK" run --clients 2 --repeat 50 -c 'select count(*) from h4a; select count(*) from h4b' --format=json >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "load of 2 statements: exit 0"
is "$(calls h4a)/$(calls h4b)" "100/100" "load of 2 statements: each ran N*M times"
if $have_jq; then
    is "$(jq -r '[.clients, .repeat, .executed, .errors] | map(tostring) | join(" ")' "$tmp/out")" "2 50 200 0" \
        "load --format=json: counts"
    is "$(jq -r '.latency_ms | keys_unsorted | join(",")' "$tmp/out")" "p50,p95,p99,max" "load --format=json: latency keys"
fi

# a time-bound load
"$PGDECK" run --clients 2 --time 0.5 -c 'select count(*) from h4time' >"$tmp/out" 2>&1; rc=$?
is "$rc" 0 "--time: exit 0"
n=$(sed -n 's/^executed: //p' "$tmp/out")
ok "$([ "${n:-0}" -gt 0 ] && echo 0 || echo 1)" "--time: executed statements ($n)"
is "$(calls h4time)" "$n" "--time: the server saw as many executions as reported"

# errors in a load: counted, exit 1
"$PGDECK" run --clients 2 --repeat 5 -c 'select 1/0 as h4err' >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "load with errors: exit 1"
like "$(cat "$tmp/out")" 'errors: 10' "load with errors: 10 errors counted"

# --- --jobs: the load spread over several engines, one thread and pool each ----
"$PGDECK" run --jobs 3 --clients 5 --repeat 40 -c 'select count(*) from h4jobs' --stats=stdout \
    --format=json >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "--jobs 3: exit 0"
is "$(calls h4jobs)" "200" "--jobs 3: the server saw 5 x 40 = 200 executions"
if $have_jq; then
    is "$(jq -s -r '.[0] | [.clients, .jobs, .executed, .errors] | map(tostring) | join(" ")' "$tmp/out")" \
        "5 3 200 0" "--jobs 3: the summary counts every job"
    is "$(jq -s -r '.[1].statements[] | select(.query | test("h4jobs")) | .calls' "$tmp/out")" "200" \
        "--jobs 3: the engines' metrics merged into one statement (200 calls)"
    is "$(jq -s -r '.[1] | [.pool_size, .requests_num, .queries_num, .query_ms.count] | map(tostring) | join(" ")' "$tmp/out")" \
        "5 200 200 200" "--jobs 3: pool size, requests and the statement histogram summed over the engines"
    is "$(jq -s -r '.[0].latency_ms.p50 <= .[0].latency_ms.p99 and .[0].latency_ms.p99 <= .[0].latency_ms.max' "$tmp/out")" \
        "true" "--jobs 3: merged percentiles are ordered"
fi
"$PGDECK" run --jobs 2 --clients 100 --repeat 2 -c 'select 1' --stats=stdout --format=json >"$tmp/out" 2>&1
if $have_jq; then
    is "$(jq -s -r '.[1].pool_max' "$tmp/out")" "64" "--jobs 2, 100 clients: the pool's cap of 64 holds over all jobs together"
    is "$(jq -s -r '.[0].executed' "$tmp/out")" "200" "--jobs 2, 100 clients: every execution ran"
fi
out=$("$PGDECK" run --jobs 8 --clients 2 --repeat 3 -c 'select 1' 2>&1); rc=$?
is "$rc" 0 "--jobs above --clients: exit 0"
like "$out" '^jobs: 2$' "--jobs above --clients: one job per client at most"
out=$("$PGDECK" run --no-pin --jobs 2 --clients 2 --repeat 3 -c 'select 1' 2>&1); rc=$?
is "$rc" 0 "--no-pin: exit 0"
like "$out" 'executed: 6' "--no-pin: the load runs all the same"
# pinned: while a two-job load runs, two of its threads each keep to one
# CPU, not the same one; with --no-pin none is restricted
pinned_lists() { # PID: the single-CPU affinity lists of its threads, sorted
    for st in /proc/"$1"/task/*/status; do
        sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$st" 2>/dev/null
    done | grep -E '^[0-9]+$' | sort | tr '\n' ' '
}
if [ "$(nproc)" -ge 2 ]; then
    for mode in pin no-pin; do
        flag=""
        [ $mode = no-pin ] && flag=--no-pin
        # shellcheck disable=SC2086 # an empty flag is no argument
        "$PGDECK" run $flag --jobs 2 --clients 2 --time 3 -c 'select 1' >/dev/null 2>&1 &
        pid=$!
        lists=""
        i=0
        while [ $i -lt 50 ]; do
            sleep 0.1
            lists=$(pinned_lists $pid)
            [ $mode = pin ] && [ "$(echo $lists | wc -w)" -ge 2 ] && break
            i=$((i + 1))
            [ $mode = no-pin ] && [ $i -ge 15 ] && break
        done
        wait $pid
        if [ $mode = pin ]; then
            set -- $lists
            ok "$([ $# -eq 2 ] && [ "$1" != "$2" ] && echo 0 || echo 1)" \
                "--jobs 2: each job's thread kept on its own CPU (single-CPU lists: $lists)"
        else
            is "$lists" "" "--no-pin: no thread restricted to one CPU"
        fi
    done
else
    diag "one CPU: nothing to pin, two checks left out"
fi
out=$("$PGDECK" run --clients 1 --repeat 3 -c 'select 1' 2>&1)
like "$out" '^jobs: 1$' "one client: one job"

# Ctrl-C cancels every job's statements on the server
"$PGDECK" run --jobs 2 --clients 2 --repeat 1 -c "select pg_sleep(60) as h4_jobs_sleep" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleeping() { cluster_psql -c "select count(*) from pg_stat_activity where query like '%h4_jobs_sleep%' and state = 'active' and pid <> pg_backend_pid()"; }
both_sleep() { [ "$(sleeping)" = 2 ]; }
gone() { ! kill -0 $pid 2>/dev/null; }
wait_until 10 both_sleep
kill -INT $pid
wait_until 10 gone
wait $pid
rc=$?
is "$rc" 1 "--jobs 2, Ctrl-C: exit 1"
is "$(sleeping)" "0" "--jobs 2, Ctrl-C: both statements canceled on the server"

# --- --stats -------------------------------------------------------------------
"$PGDECK" run -c 'select 1 as h4stats' -c 'select 2 as h4stats' --stats >"$tmp/out" 2>"$tmp/stats"; rc=$?
is "$rc" 0 "--stats: exit 0"
python3 -m json.tool "$tmp/stats" >/dev/null 2>&1
ok $? "--stats: stderr holds one JSON object"
like "$(cat "$tmp/out")" '^ h4stats' "--stats: results still on stdout"
if $have_jq; then
    keys="pool_min pool_max pool_size pool_available requests_waiting requests_num requests_queued
requests_wait_ms requests_errors returns_bad connections_num connections_ms connections_errors
connections_lost usage_ms wait_ms query_ms checkout_ms queries_num queries_errors prepared_hits
prepared_misses prepared_evictions pipelines_num pipeline_stmts copy_bytes copy_rows server_version
conninfo statements"
    missing=""
    for k in $keys; do
        jq -e --arg k "$k" 'has($k)' "$tmp/stats" >/dev/null || missing="$missing $k"
    done
    is "$missing" "" "--stats: every documented key is present"
    for h in wait_ms query_ms checkout_ms; do
        is "$(jq -r --arg h "$h" '.[$h] | keys_unsorted | join(",")' "$tmp/stats")" "count,mean,p50,p95,p99,max" \
            "--stats: $h summary keys"
    done
    is "$(jq -r '.statements[] | select(.query | test("h4stats")) | .calls' "$tmp/stats")" "2" \
        "--stats: the normalized statement counted twice"
    is "$(jq -r '.statements[0] | keys_unsorted | join(",")' "$tmp/stats")" \
        "query,fingerprint,calls,errors,rows,total_ms,mean_ms,p50_ms,p95_ms,p99_ms,max_ms" "--stats: statement keys"
    is "$(jq -r '.connections_num >= 1 and .queries_num >= 2 and .query_ms.count >= 2' "$tmp/stats")" "true" \
        "--stats: counters moved"
    like "$(jq -r '.server_version' "$tmp/stats")" '^1[0-9]' "--stats: server version"
fi

# settings from --config FILE and --set reach the pool
tmpconf=$tmp/pgdeck.conf
printf '[pool]\nmax_size = 3\nprepare_threshold = -1\n' >"$tmpconf"
"$PGDECK" run --config "$tmpconf" --set pool.max_size=5 --clients 2 --repeat 20 -c 'select 1' \
    --stats >/dev/null 2>"$tmp/stats"; rc=$?
is "$rc" 0 "--config and --set: exit 0"
"$PGDECK" run --clients 2 --repeat 20 -c 'select 1' --stats >/dev/null 2>"$tmp/stats.default"
if $have_jq; then
    is "$(jq -r '.pool_max' "$tmp/stats")" "5" "--set overrides the file (pool_max 5)"
    is "$(jq -r '.prepared_hits + .prepared_misses' "$tmp/stats")" "0" \
        "the file's prepare_threshold = -1 took effect (nothing prepared)"
    is "$(jq -r '.prepared_hits > 0' "$tmp/stats.default")" "true" \
        "by default a repeated statement is prepared (prepared_hits > 0)"
fi

# --stats with a load: the statement metrics count every execution
"$PGDECK" run --clients 3 --repeat 100 -c 'select 7 as h4lstats' --stats=stdout --format=json >"$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 0 "load --stats=stdout: exit 0"
if $have_jq; then
    is "$(jq -s 'length' "$tmp/out")" "2" "load --stats=stdout: summary and stats, two JSON values on stdout"
    is "$(jq -s -r '.[1].statements[] | select(.query | test("h4lstats")) | .calls' "$tmp/out")" "300" \
        "load --stats: 300 calls in the metrics"
    is "$(jq -s -r '.[1].pool_size' "$tmp/out")" "3" "load --stats: one pool connection per client"
    is "$(jq -s -r '.[1].checkout_ms.count >= 300' "$tmp/out")" "true" "load --stats: checkout histogram filled"
fi

done_testing
