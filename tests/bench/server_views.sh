#!/bin/sh
# tests/bench/server_views.sh — what each server view costs the server per
# refresh on a database with many tables (default 10 000, each with a
# primary key and a toast table), measured by the server itself
# (pg_stat_statements' mean execution time), next to the catalog queries a
# DBA (or pgcenter, whose views read the pg_stat_*_tables views whole) would
# run in psql for the same figures (tables and indexes: each slice statement of
# the pass that chooses the rows, and the per-refresh statement of the rows
# shown). pgcenter itself is not packaged here;
# when it is, compare with its own views by hand. pgdeck runs as the pane
# does (one connection, 100 rows, a refresh every 0.25 s for 6 s per view); psql runs
# each query R times in one session. Never asserts.
#
#   sh tests/bench/server_views.sh [-n TABLES] [-r REPEATS] [-s SECONDS]
#
# -s: then tables and indexes as the pane runs them between openings: one
# refresh a second for SECONDS each (the statistics reset after the first 5 s,
# so the view's opening is left out): at least 60 s + a pass (34 s for
# tables, 67 s for indexes at 10 000 tables) + 20 s to see a pass's slices
# paced one a refresh and the sizes read 5 rows a refresh.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
N=10000 R=20 S=0
while getopts n:r:s: o; do
    case $o in n) N=$OPTARG ;; r) R=$OPTARG ;; s) S=$OPTARG ;; *) exit 2 ;; esac
done
cluster_start
peer=$(mktemp)
trap 'cluster_stop; rm -f "$peer"' EXIT
echo "# creating $N tables (id int primary key, v text), 100 rows and 10 dead tuples in each 100th"
cluster_psql -c "do \$\$ begin for i in 1..$N loop
  execute format('create table bench_t%s (id int primary key, v text)', i);
  if i % 100 = 0 then
    execute format('insert into bench_t%s select g, ''x'' from generate_series(1, 100) g', i);
    execute format('delete from bench_t%s where id <= 10', i);
  end if;
  if i % 500 = 0 then commit; end if; -- one transaction would run out of locks
end loop; end \$\$"
cluster_psql -c "select pg_stat_statements_reset()" >/dev/null

# pgdeck as the pane runs it: one connection, a refresh every 0.25 s
for v in database tables indexes replication progress wal; do
    timeout 6 "$PGDECK" top --view $v --json --interval 0.25 --limit 100 >/dev/null
done

# the same figures the plain way, R times in one psql session
i=0
while [ $i -lt "$R" ]; do
    cat >>"$peer" <<'EOF'
select /* peer tables */ schemaname, relname, seq_scan, idx_scan, n_live_tup, n_dead_tup, n_mod_since_analyze, last_autovacuum, last_autoanalyze, pg_total_relation_size(relid) from pg_stat_user_tables order by n_dead_tup desc limit 100;
select /* peer indexes */ s.schemaname, s.relname, s.indexrelname, s.idx_scan, pg_relation_size(s.indexrelid), i.indisvalid from pg_stat_user_indexes s join pg_index i using (indexrelid) order by pg_relation_size(s.indexrelid) desc limit 100;
select /* peer database */ * from pg_stat_database;
select /* peer replication */ * from pg_stat_replication;
select /* peer wal */ * from pg_stat_bgwriter, pg_stat_wal, pg_current_wal_lsn();
EOF
    i=$((i + 1))
done
cluster_psql -f "$peer" >/dev/null

# pg_stat_statements' mean and max per statement of pgdeck, beside the peer's
report() {
    printf '%-14s %8s %12s %12s %12s %8s\n' view calls pgdeck_ms pgdeck_max peer_psql_ms peer/pgdeck
    cluster_psql -F ' ' <<'EOF' | while read -r v c a x b; do
with m as (
  select case
    when query like '%pgdeck monitor%' and query like '%_now%pg_stat_database d%' then 'database'
    when query like '%pgdeck monitor%' and query like '%_now%pg_stat_get_dead_tuples%' and query like '%unnest(%' then 'tables'
    when query like '%pgdeck monitor%' and query like '%_now%f(indexrelid%' then 'indexes'
    when query like '%pgdeck monitor%' and query like '%table_oid%' and query like '%LATERAL%' then 'indexes_slice'
    when query like '%pgdeck monitor%' and query like '%table_oid%' then 'tables_slice'
    when query like '%pgdeck monitor%' and query like '%_now%pg_stat_replication r%' then 'replication'
    when query like '%pgdeck monitor%' and query like '%_now%pg_stat_progress_vacuum%' then 'progress'
    when query like '%pgdeck monitor%' and query like '%_now%pg_stat_bgwriter bg%' then 'wal'
    when query like '%pgdeck monitor%' and query like '%string_agg(c.relname%' then 'probe'
  end as v, 'pgdeck' as who, calls, mean_exec_time, max_exec_time from pg_stat_statements
  union all
  select substring(query from '/\* peer (\w+) \*/'), 'peer', calls, mean_exec_time, max_exec_time
  from pg_stat_statements where query like '%/* peer %'
)
select v, coalesce(max(calls) filter (where who = 'pgdeck'), 0),
       coalesce(to_char(max(mean_exec_time) filter (where who = 'pgdeck'), 'FM9990.000'), '-'),
       coalesce(to_char(max(max_exec_time) filter (where who = 'pgdeck'), 'FM9990.000'), '-'),
       coalesce(to_char(max(mean_exec_time) filter (where who = 'peer'), 'FM9990.000'), '-')
from m where v is not null group by v order by v;
EOF
        r=$(python3 -c "import sys; a, b = sys.argv[1:]; print('%.1fx' % (float(b) / float(a)) if a != '-' and b != '-' and float(a) > 0 else '-')" "$a" "$b")
        printf '%-14s %8s %12s %12s %12s %8s\n' "$v" "$c" "$a" "$x" "$b" "$r"
    done
}

echo "# server time per refresh (pg_stat_statements mean), $N tables; load average $(cut -d' ' -f1-3 /proc/loadavg)"
report
echo "# the probe runs once per connection, not per refresh; tables_slice and indexes_slice"
echo "# are the slices of the pass that chooses the rows (one a refresh, back to back for the"
echo "# first pass, when nothing is shown yet); tables and indexes read the shown rows'"
echo "# statistics by oid at every refresh (and sizes: all at the first, then a few a refresh)"
for v in tables indexes; do
    cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
    t0=$(date +%s.%N)
    "$PGDECK" top --view $v --once --json >/dev/null
    t1=$(date +%s.%N)
    cluster_psql -F ' ' -c "select coalesce(sum(calls), 0), to_char(coalesce(sum(total_exec_time), 0), 'FM9990.0') from pg_stat_statements where query like '%pgdeck monitor%table_oid%'" | {
        read -r n ms
        echo "# top --view $v --once (one whole pass): $(python3 -c "import sys; print('%.0f' % ((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$t0" "$t1") ms wall, $n slices, $ms ms server time in all"
    }
done
[ "$S" -gt 5 ] || exit 0
for v in tables indexes; do
    "$PGDECK" top --view $v --json --interval 1 --limit 100 >/dev/null &
    topv=$!
    sleep 5
    cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
    sleep $((S - 5))
    kill "$topv"
    wait "$topv" 2>/dev/null
    echo "# $v between openings: a refresh a second for $((S - 5)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    report | grep -E "^view|^$v"
done
