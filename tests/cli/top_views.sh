#!/bin/sh
# tests/cli/top_views.sh — `pgdeck top --view` against a real cluster, each
# figure provoked: a standby started with pg_basebackup -R and streaming
# (replication: its state, lag in bytes and time; a slot's retained WAL),
# dead tuples, an unused, a duplicate and an invalid index, a waiting
# CREATE INDEX CONCURRENTLY in progress, WAL bytes/s after a write burst; the
# rows of tables and indexes chosen by a pass over the catalog in slices
# (PGDECK_SLICE_ROWS=1: one table a statement): a table created last with the
# most dead tuples on top, --once reading every slice before it prints; the
# JSON keys of every view as doc/pgdeck.1 lists them; a hostile table name
# reaches stdout escaped; usage errors exit 2.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/standby.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
bg=
trap 'for p in $bg; do kill $p 2>/dev/null; done; standby_stop; cluster_stop; rm -rf "$tmp"' EXIT

# the figures to provoke
cluster_psql -c "create table tv_dead (id int primary key, v text) with (autovacuum_enabled = off)"
cluster_psql -c "insert into tv_dead select g, 'x' from generate_series(1, 1000) g"
cluster_psql -c "delete from tv_dead where id <= 300"
cluster_psql -c "create index tv_dead_v on tv_dead (v)"
cluster_psql -c "create index tv_dead_v2 on tv_dead (v)"
cluster_psql -c "create table tv_twice (a int); insert into tv_twice values (1), (1)"
cluster_psql -c "create unique index concurrently tv_twice_a on tv_twice (a)" 2>/dev/null
cluster_psql -c "create table \"tv_$(printf '\033]52;c;aGk=\007')evil\" (a int)"
cluster_psql -c "select pg_create_physical_replication_slot('tv_slot', true)" >/dev/null

# usage
"$PGDECK" top --view nope --once >/dev/null 2>"$tmp/err"
is $? 2 "an unknown view exits 2"
like "$(cat "$tmp/err")" "database\|tables\|indexes\|replication\|progress\|wal" "the message lists the views"

# JSON of every view: the documented keys, one object on one line
for v in database tables indexes replication progress wal; do
    "$PGDECK" top --view $v --once --json >"$tmp/$v.json" 2>"$tmp/$v.err"
    ok $? "--view $v --json exits 0"
done
check=$(python3 - "$tmp" <<'EOF'
import json, sys
d = sys.argv[1]
keys = {
 "database": "database backends commits rollbacks blks_read blks_hit hit_pct temp_files temp_bytes deadlocks conflicts checksum_failures sessions sessions_abandoned sessions_fatal sessions_killed session_time_ms active_time_ms idle_in_transaction_time_ms stats_reset",
 "tables": "schema table seq_scan idx_scan n_live_tup n_dead_tup dead_pct n_mod_since_analyze last_vacuum last_autovacuum last_analyze last_autoanalyze vacuum_count autovacuum_count table_bytes toast_bytes index_bytes total_bytes bloat_bytes oid",
 "indexes": "schema table index idx_scan idx_tup_read index_bytes unused duplicate_of duplicate invalid unique definition oid",
 "replication": "kind name pid client state sync_state sent_lag_bytes write_lag_bytes flush_lag_bytes replay_lag_bytes write_lag_s flush_lag_s replay_lag_s active retained_bytes wal_status",
 "progress": "command pid database relation phase done total percent unit done_rate",
 "wal": "lsn in_recovery wal_lsn_bytes wal_records wal_fpi wal_bytes wal_buffers_full wal_write wal_sync checkpoints_timed checkpoints_req checkpoint_write_ms checkpoint_sync_ms buffers_checkpoint buffers_clean maxwritten_clean buffers_backend buffers_alloc bgwriter_stats_reset",
}
out = []
def t(c, n): out.append(("ok" if c else "FAIL") + " " + n)
docs = {}
for v, ks in keys.items():
    lines = open("%s/%s.json" % (d, v)).read().splitlines()
    t(len(lines) == 1, "%s: one line" % v)
    o = json.loads(lines[0])
    docs[v] = o
    t(set(o) == {"view", "server_version_num", "interval_s", "reset_seen", "note", "missing", "rows_chosen_s", "rows_sort", "pass_pct", "pass_sort", "rows"}, "%s: top-level keys" % v)
    if v in ("tables", "indexes"):
        t(isinstance(o["rows_chosen_s"], (int, float)) and o["rows_chosen_s"] >= 0, "%s: rows_chosen_s, a number" % v)
        t(o["rows_sort"] == ("n_dead_tup" if v == "tables" else "index_bytes"), "%s: rows_sort the default sort" % v)
        t(o["pass_pct"] is None and o["pass_sort"] is None, "%s: --once: no pass left running" % v)
    else:
        t(o["rows_chosen_s"] is None and o["rows_sort"] is None and o["pass_pct"] is None, "%s: no pass keys" % v)
    t(o["view"] == v, "%s: view echoed" % v)
    for r in o["rows"]:
        base = {k for k in r if not k.endswith("_per_s")}
        t(base == set(ks.split()), "%s: row keys %s" % (v, sorted(base ^ set(ks.split()))))
        break
tb = {r["table"]: r for r in docs["tables"]["rows"]}
t("tv_dead" in tb, "tables: tv_dead listed")
ix = {r["index"]: r for r in docs["indexes"]["rows"]}
t(ix.get("tv_twice_a", {}).get("invalid") is True, "indexes: tv_twice_a invalid")
t(ix.get("tv_dead_v2", {}).get("duplicate_of") == "tv_dead_v", "indexes: tv_dead_v2 duplicates tv_dead_v")
t(ix.get("tv_dead_v", {}).get("unused") is True, "indexes: tv_dead_v unused")
t(ix.get("tv_dead_pkey", {}).get("unused") is False, "indexes: a primary key is not unused")
sl = [r for r in docs["replication"]["rows"] if r["name"] == "tv_slot"]
t(len(sl) == 1 and sl[0]["kind"] == "slot" and sl[0]["active"] is False and isinstance(sl[0]["retained_bytes"], (int, float)), "replication: the slot, inactive, retained bytes")
w = docs["wal"]["rows"]
t(len(w) == 1 and w[0]["in_recovery"] is False and w[0]["wal_lsn_bytes"] > 0, "wal: one row, a primary")
print("\n".join(out))
EOF
)
printf '%s\n' "$check" | grep -v '^ok ' | sed 's/^/# /'
ok "$(printf '%s\n' "$check" | grep -c '^FAIL')" "JSON: every key and figure ($(printf '%s\n' "$check" | grep -c '^ok ') checks)"

# dead tuples (the statistics reach the server within a second or so)
dead300() { "$PGDECK" top --view tables --once --json | grep -q '"table":"tv_dead"[^}]*"n_dead_tup":300,'; }
wait_until 20 dead300
ok $? "tables: tv_dead has 300 dead tuples"
"$PGDECK" top --view tables --once >"$tmp/tables.txt"
like "$(grep tv_dead "$tmp/tables.txt")" "tv_dead .* 700 +300 +30\.0" "tables text: live 700, dead 300, 30.0 %"

# the hostile name reaches stdout escaped, in text and JSON
od -c "$tmp/tables.txt" | grep -q '033' && bad=1 || bad=0
is "$bad" 0 "tables text: no ESC byte from the table name"
like "$(cat "$tmp/tables.txt")" 'tv_\\x1[bB]\]52' "tables text: the ESC shows as \\x1b"
"$PGDECK" top --view tables --once --json | od -c | grep -q '033'
ok $((! $?)) "tables JSON: no raw ESC byte"

# tables chosen by a pass in slices: with one table a slice, a table created
# last (the last slice) with the most dead tuples is on top after the pass
cluster_psql -c "create table tv_late (id int primary key, v text) with (autovacuum_enabled = off)"
cluster_psql -c "insert into tv_late select g, 'y' from generate_series(1, 2000) g"
cluster_psql -c "delete from tv_late where id <= 1500"
late1500() { "$PGDECK" top --view tables --once --json | grep -q '"table":"tv_late"[^}]*"n_dead_tup":1500,'; }
wait_until 20 late1500
ok $? "slices: tv_late has 1500 dead tuples"
ntables=$(cluster_psql -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'm') and n.nspname = 'public'")
cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
PGDECK_SLICE_ROWS=1 "$PGDECK" top --view tables --once --json --limit 2 >"$tmp/late.json"
ok $? "slices: --once with one table a slice exits 0"
slices=$(cluster_psql -c "select coalesce(sum(calls), 0) from pg_stat_statements where query like '%pgdeck monitor%table_oid%'")
ok "$([ "$slices" -gt "$ntables" ] && echo 0 || echo 1)" "slices: --once read every slice before printing ($slices statements for $ntables tables)"
late=$(python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
print(" ".join(r["table"] for r in o["rows"]), o["rows_sort"], o["pass_pct"], isinstance(o["rows"][0]["total_bytes"], int))
' "$tmp/late.json")
is "$late" "tv_late tv_dead n_dead_tup None True" "slices: the top 2 by dead tuples over every slice, sizes read"
PGDECK_SLICE_ROWS=1 "$PGDECK" top --view tables --once --limit 2 >"$tmp/late.txt"
like "$(sed -n 2p "$tmp/late.txt")" "^rows chosen by n_dead_tup over the whole catalog \(a full pass" "slices: the text says how the rows were chosen"
PGDECK_SLICE_ROWS=1 "$PGDECK" top --view indexes --once --json >"$tmp/ix1.json"
"$PGDECK" top --view indexes --once --json >"$tmp/ix300.json"
same=$(python3 -c '
import json, sys
a, b = (json.load(open(f))["rows"] for f in sys.argv[1:])
print([(r["index"], r["duplicate_of"]) for r in a] == [(r["index"], r["duplicate_of"]) for r in b] and len(a) > 3)
' "$tmp/ix1.json" "$tmp/ix300.json")
is "$same" "True" "slices: indexes in slices of one table: the same rows and duplicates as one slice"

# a standby streaming from the test cluster
standby_start
standby_wait_streaming
ok $? "standby: streaming"
"$PGDECK" top --view replication --once --json >"$tmp/repl.json"
st=$(python3 -c '
import json,sys
o=json.load(open(sys.argv[1]))
s=[r for r in o["rows"] if r["kind"]=="standby" and r["name"]=="pgdeck_standby"]
r=s[0] if s else {}
print(r.get("state"), isinstance(r.get("replay_lag_bytes"), (int,float)) and r.get("replay_lag_bytes") >= 0, "replay_lag_s" in r)
' "$tmp/repl.json")
is "$st" "streaming True True" "replication: the standby, streaming, lag in bytes and time"
"$PGDECK" top --view replication --once >"$tmp/repl.txt"
like "$(cat "$tmp/repl.txt")" "standby +pgdeck_standby .*streaming" "replication text: the standby's line"
"$PGDECK" top -p "$STANDBY_PORT" --view wal --once --json >"$tmp/swal.json"
like "$(cat "$tmp/swal.json")" '"in_recovery":true' "wal on the standby: in recovery, no error"

# a CREATE INDEX CONCURRENTLY waiting for a writer shows in progress
cluster_psql -c "create table tv_prog (a int)"
PGAPPNAME=tv_writer cluster_psql -c "begin" -c "insert into tv_prog values (1)" -c "select pg_sleep(60)" >/dev/null 2>&1 &
bg="$bg $!"
writer_waits() { [ "$(cluster_psql -c "select count(*) from pg_stat_activity where application_name = 'tv_writer' and query like '%pg_sleep%'")" = 1 ]; }
wait_until 20 writer_waits
cluster_psql -c "create index concurrently tv_prog_a on tv_prog (a)" >/dev/null 2>&1 &
bg="$bg $!"
building() { "$PGDECK" top --view progress --once | grep -q "create index concurrently.*tv_prog"; }
wait_until 20 building
ok $? "progress: the waiting CREATE INDEX CONCURRENTLY is listed"
like "$("$PGDECK" top --view progress --once)" "tv_prog +waiting for" "progress: its phase"
cluster_psql -c "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tv_writer'" >/dev/null

# WAL bytes/s after a write burst: samples every 0.5 s until one shows it
cluster_psql -c "create table tv_burst (a int, t text)"
"$PGDECK" top --view wal --json --interval 0.5 >"$tmp/wal.jsonl" 2>&1 &
topwal=$!
bg="$bg $topwal"
two_samples() { [ "$(wc -l <"$tmp/wal.jsonl")" -ge 2 ]; }
wait_until 20 two_samples
cluster_psql -c "insert into tv_burst select g, repeat('z', 200) from generate_series(1, 50000) g"
burst_seen() { grep -Eq '"wal_lsn_bytes_per_s":[0-9]{6,}' "$tmp/wal.jsonl"; }
wait_until 20 burst_seen
ok $? "wal: over 100 kB/s of WAL after the burst"
kill "$topwal" 2>/dev/null
wait "$topwal" 2>/dev/null
ok "$(grep -c '"wal_lsn_bytes_per_s":-' "$tmp/wal.jsonl")" "wal: never a negative rate"

done_testing
