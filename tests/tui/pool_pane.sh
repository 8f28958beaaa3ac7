#!/bin/sh
# pool_pane.sh — the Pool pane against a real cluster, in tmux: every stat
# with its label, SLO lines, server connections, numbers that move under
# :load, the load summary, :pool max, the connection list's backend pids.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin


sh_start pool 100 50 --
sh_wait 'pool_size' 20
ok $? "the console starts on the Pool pane"
sh_wait 'requests_wait_ms +time spent waiting' 5
ok $? "stats carry psycopg_pool's names and a label"
screen=$(sh_screen)
for s in pool_min pool_max pool_size pool_available requests_waiting requests_num requests_queued \
    requests_wait_ms requests_errors returns_bad connections_num connections_ms \
    connections_errors connections_lost usage_ms; do
    like "$screen" "$s +[a-zA-Z]" "stat $s is shown with a label"
done
like "$screen" 'in use +\[' "in-use gauge"
like "$screen" 'available +\[' "available gauge"
like "$screen" 'waiting +\[' "waiting gauge"
like "$screen" 'p95 latency +< 50 ms' "SLO line: p95 < 50 ms"
like "$screen" 'availability +> 95 %' "SLO line: availability > 95 %"
like "$screen" 'error rate +< 1 %' "SLO line: error rate < 1 %"
like "$screen" 'memory \(RSS\) +< 256 MB +[0-9.]+ MB +ok' "SLO line: memory, met"
like "$screen" 'query +p50 [0-9.]+(ms|s) +p95 [0-9.]+(ms|s) +p99' "statement latency percentiles, each with its unit"
like "$screen" 'wait +p50 [0-9.]+(ms|s) +p95 [0-9.]+(ms|s) +p99' "wait-time percentiles, each with its unit"
sh_wait '[0-9]+ / [0-9]+ max_connections' 10
ok $? "server connections by state against max_connections"
like "$(sh_screen)" 'server +active [0-9]+ +idle [0-9]+' "server: active and idle counts"

# The connection list's backend pids exist on the server and are ours.
sh_wait 'Connections \([1-9]' 10
pids=$(sh_screen | awk '/^ *id +state +age/ {on=1; next} on && $1 ~ /^[0-9]+$/ && $7 ~ /^[0-9]+$/ {print $7}')
n=$(printf '%s\n' "$pids" | grep -c '[0-9]')
ok $([ "$n" -ge 1 ] && echo 0 || echo 1) "the connection list shows backend pids ($n)"
inlist=$(printf '%s\n' "$pids" | paste -sd, -)
found=$(cluster_psql -c "select count(*) from pg_stat_activity where pid in (${inlist:-0}) and application_name = 'pgdeck'")
is "$found" "$n" "every listed pid is a pgdeck backend in pg_stat_activity"

# Slow statements (the first the pool runs: the console's own monitor
# queries stay out of the window) make the last minute's p95 miss 50 ms.
sh_cmd 'load -c 2 -t 1 select pg_sleep(0.06)'
sh_wait 'p95 latency +< 50 ms +[0-9.]+ ms +MISSED' 15
ok $? "the p95 SLO line turns to MISSED after 60 ms statements"
sh_wait 'load done' 15
ok $? "the slow load ends"

# Load: numbers move while it runs, then a summary.
before=$(sh_stat requests_num)
sh_cmd 'load -c 4 -t 3 select 1'
sh_wait 'load: 4 clients' 5
ok $? "the title shows the running load"
# the pane redraws on its refresh: wait for the numbers, not a fixed time
requests_grew() { during=$(sh_stat requests_num); [ "${during:-0}" -gt "${before:-0}" ]; }
wait_until 3 requests_grew
ok $? "requests_num grows under load ($before -> $during)"
sh_wait 'queries [1-9][0-9.]*/s' 3
ok $? "the queries rate is above zero under load"
sh_wait 'load done: [0-9]+ statements \(0 errors\) in [3-9]\.[0-9]+ s, [0-9]+ tps, p50 [0-9.]+(ms|s) p95 [0-9.]+(ms|s) p99 [0-9.]+(ms|s)' 15 # 3 s: not the slow load's
ok $? "the load summary is on the message line"
after=$(sh_stat queries_num)
ok $([ "${after:-0}" -gt 100 ] && echo 0 || echo 1) "queries_num counts the load ($after)"
like "$(sh_screen)" 'query +p50 [0-9.]+ms +p95 [0-9.]+ms +p99 [0-9.]+ms +max [0-9.]+(ms|s) \(1 min\)' \
    "statement percentiles of the last minute after the load"


# A failing statement under load: errors in the summary, the error-rate SLO missed.
sh_cmd 'load -c 2 -t 1 select 1/0'
sh_wait 'load [a-z]+: [0-9]+ statements \([1-9][0-9]* errors\)' 15
ok $? "the load summary counts the errors"
sh_wait 'error rate +< 1 % +[0-9.]+ % +MISSED' 5
ok $? "the error-rate SLO line turns to MISSED"
like "$(sh_screen)" 'queries_errors +statements failed +[1-9]' "queries_errors counts them"

# Ctrl-C stops a long load.
sh_cmd 'load -c 2 -t 120 select pg_sleep(0.01)'
sh_wait 'load: 2 clients' 5
# stop it in mid-run: once it has run statements
before=$(sh_stat queries_num)
queries_grew() { now=$(sh_stat queries_num); [ "${now:-0}" -gt "${before:-0}" ]; }
wait_until 10 queries_grew
sh_keys C-c
sh_wait 'load stopped: [0-9]+ statements' 10
ok $? "Ctrl-C stops the load and shows its summary"

# L opens the load prompt; L again stops the load.
sh_keys L
sh_wait 'load \[-c CLIENTS\] \[-t SECONDS\] SQL: *-c 4 -t 10' 5
ok $? "L prompts for a load, prefilled with -c 4 -t 10"
sh_type 'select 2'
sh_keys Enter
sh_wait 'load: 4 clients' 5
ok $? "the prompted load runs"
before=$(sh_stat queries_num)
wait_until 10 queries_grew
sh_keys L
sh_wait 'load stopped: [0-9]+ statements' 10
ok $? "L stops it"

# Pool actions, visible in the stats.
sh_cmd 'pool max 6'
sh_wait 'pool_max +max connections +6' 10
ok $? ":pool max 6 shows pool_max 6"
sh_cmd 'pool min 2'
sh_wait 'pool_min +min connections +2' 10
ok $? ":pool min 2 shows pool_min 2"
sh_cmd 'pool min 9'
sh_wait 'min_size 9 would exceed max_size 6' 5
ok $? "min above max is refused with a message"
conns=$(sh_stat connections_num)
sh_cmd 'pool recycle'
sh_wait 'pool recycle' 5
ok $? ":pool recycle says what it does"
conns_grew() { now=$(sh_stat connections_num); [ "${now:-0}" -gt "${conns:-0}" ]; }
wait_until 10 conns_grew
ok $([ "${now:-0}" -gt "${conns:-0}" ] && echo 0 || echo 1) "recycling opens new connections ($conns -> $now)"
sh_cmd 'pool check'
sh_wait 'pool check' 5
ok $? ":pool check says what it does"
sh_cmd 'pool max nine'
sh_wait 'usage: pool max N' 5
ok $? "a bad :pool command shows its usage"

# Keys: ] raises max_size.
sh_keys ']'
sh_wait 'pool_max +max connections +7' 10
ok $? "] raises max_size"

# Tiny and back.
tmux -L "$SH_SOCK" resize-window -t main -x 1 -y 1 2>/dev/null
sleep 0.5 # the point: pgdeck lives at 1x1 for a while (nothing to see there)
tmux -L "$SH_SOCK" resize-window -t main -x 100 -y 50 2>/dev/null
sh_wait 'pool_size' 10
ok $? "survives a 1x1 terminal and redraws"

# An outage: the pane stays live, says so, and availability turns red.
cluster_pause
sh_wait 'Pool .* not connected' 20
ok $? "a server outage shows as not connected"
sh_wait 'availability +> 95 % +[0-9.]+ % +MISSED' 30
ok $? "availability turns MISSED during the outage"
sh_wait 'server .*(stale: no answer for|last refresh failed)' 20
ok $? "the server counts are marked stale"
cluster_resume
sh_wait 'Pool .* connected  PostgreSQL' 40
ok $? "the pane shows the pool connected again after the outage"

sh_quit q
ok $? "q quits"
sh_stop

# --readonly: the load tool (its SQL may write) is refused; resizing pgdeck's
# own pool is allowed (the server is unchanged).
sh_start poolro 100 50 -- --readonly
sh_wait 'pool_size' 20
ok $? "the console starts with --readonly"
sh_cmd 'load -c 2 -t 1 select 1'
sh_wait 'read-only mode: :load is disabled' 5
ok $? "--readonly refuses :load and says so"
sh_cmd 'pool max 5'
sh_wait 'pool_max +max connections +5' 10
ok $? "--readonly still resizes pgdeck's own pool"
done_testing
