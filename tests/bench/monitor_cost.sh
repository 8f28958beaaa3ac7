#!/bin/sh
# tests/bench/monitor_cost.sh — what the Slow and Activity panes cost the
# server per refresh, measured by the server itself: the monitors' own
# statements (marked "SELECT /* pgdeck monitor */") in pg_stat_statements.
#
# Setup: a throwaway cluster with pg_stat_statements filled with N distinct
# statements (default 2000), S extra sessions (default 20: idle, idle in
# transaction, and a lock chain), then the real console in tmux with a 1 s
# refresh: T seconds on the Slow pane, T on the Activity pane, and `pgdeck
# top --once` R times. Prints per-statement mean/max execution time and the
# sum per refresh of all monitors against the 5 ms target. Never asserts.
#
#   sh tests/bench/monitor_cost.sh [-n STATEMENTS] [-s SESSIONS] [-t SECONDS]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/shell_lib.sh"
N=2000 S=20 T=15 R=10
while getopts n:s:t: o; do
    case $o in n) N=$OPTARG ;; s) S=$OPTARG ;; t) T=$OPTARG ;; *) exit 2 ;; esac
done
command -v tmux >/dev/null 2>&1 || { echo "tmux is needed"; exit 2; }
cluster_start
tmp=$(mktemp -d)
pids=
trap 'sh_stop; for p in $pids; do kill $p 2>/dev/null; done; cluster_stop; rm -rf "$tmp"' EXIT

cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
echo "# filling pg_stat_statements with $N distinct statements"
# distinct texts need distinct query trees (constants and aliases do not
# count): pairs of columns of a wide table
python3 -c "
import itertools
print('create table wide(' + ', '.join('c%d int' % i for i in range(100)) + ');')
for n, (a, b) in enumerate(itertools.combinations(range(100), 2)):
    if n >= $N: break
    print('select c%d, c%d from wide;' % (a, b))
" | cluster_psql >/dev/null
cluster_psql -c "create table bench_lock(i int)"
echo "# $S extra sessions (idle, idle in transaction, a lock chain)"
i=0
while [ $i -lt "$S" ]; do
    case $((i % 4)) in
    0) sql="begin; select 1; select pg_sleep(3600);" ;;
    1) sql="select pg_sleep(3600);" ;;
    2) sql="begin; lock table bench_lock; select pg_sleep(3600);" ;;
    *) sql="select * from bench_lock;" ;;
    esac
    PGAPPNAME=bench$i cluster_psql -c "$sql" >/dev/null 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
sleep 1

sh_start bench 120 40 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
sh_wait connected 20 || { echo "the console did not start"; exit 1; }
echo "# Slow pane for $T s, then Activity for $T s (refresh 1 s)"
sh_keys 2
sleep "$T"
sh_keys 3
sleep "$T"
sh_stop
echo "# pgdeck top --once x $R"
i=0
while [ $i -lt "$R" ]; do
    "$PGDECK" top --once >/dev/null 2>&1
    i=$((i + 1))
done

cluster_psql -F ' ' -c "
with m as (
  select case
           when query like '%s.query FROM %' and query like '%ANY%' then 'slow: texts of new statements'
           when query like '%fetch_limit%' then 'slow: pg_stat_statements list'
           when query like '%a.state = \$%' or query like '%a.query_start < now()%' then 'slow: now (pg_stat_activity)'
           when query like '%FROM pg_stat_activity a%' then 'activity: pg_stat_activity'
           when query like '%FROM pg_locks l%' then 'activity: pg_locks of selected'
           when query like '%current_setting%' then 'probe (once per connection)'
           else 'other monitor'
         end as kind, calls, mean_exec_time, min_exec_time, max_exec_time, total_exec_time
  from pg_stat_statements where query like 'SELECT /* pgdeck monitor */%')
select kind, sum(calls), round((sum(total_exec_time) / sum(calls))::numeric, 3),
       round(min(min_exec_time)::numeric, 3), round(max(max_exec_time)::numeric, 3)
from m group by kind order by kind" >"$tmp/cost.txt"
echo
printf '%-34s %8s %10s %10s %10s\n' "monitor statement" calls "mean ms" "min ms" "max ms"
while read -r line; do
    kind=$(printf '%s' "$line" | sed 's/ [0-9.]* [0-9.]* [0-9.]* [0-9.]*$//')
    set -- $(printf '%s' "$line" | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}')
    printf '%-34s %8s %10s %10s %10s\n' "$kind" "$1" "$2" "$3" "$4"
done <"$tmp/cost.txt"
# per refresh: the four statements every tick runs (the texts query only
# runs when new statements appear, the probe once per connection)
per_refresh=$(cluster_psql -F ' ' -c "
select round(sum(mean_exec_time)::numeric, 3), round(sum(min_exec_time)::numeric, 3)
from pg_stat_statements
where query like 'SELECT /* pgdeck monitor */%' and query not like '%current_setting%'
  and not (query like '%s.query FROM %' and query like '%ANY%')")
entries=$(cluster_psql -c "select count(*) from pg_stat_statements")
backends=$(cluster_psql -c "select count(*) from pg_stat_activity where backend_type = 'client backend'")
echo
echo "server state: $entries pg_stat_statements entries, $backends client backends;" \
    "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
set -- $per_refresh
echo "one refresh of all monitors (Slow: list + now; Activity: list + locks):" \
    "sum of means $1 ms, sum of minimums $2 ms (target <= 5 ms)"
