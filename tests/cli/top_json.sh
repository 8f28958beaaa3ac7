#!/bin/sh
# tests/cli/top_json.sh — `pgdeck top` against a real server: the slowest by
# mean time, JSON checked field by field (every documented key, its type),
# --interval rates, the text format, a reset between snapshots, exit codes;
# the server views' keys of how fresh the rows are (rows_chosen_s ...).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
for i in 1 2 3; do cluster_psql -c "select pg_sleep(0.3)" >/dev/null; done
cluster_psql -c "select count(*) from pg_class" >/dev/null

"$PGDECK" top --once --json --sort mean --limit 5 >"$tmp/top.json" 2>"$tmp/err"
ok $? "top --once --json exits 0"
check=$(python3 - "$tmp/top.json" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "one JSON object on one line, got %d lines" % len(lines)
d = json.loads(lines[0])
out = []
def t(cond, name):
    out.append(("ok" if cond else "FAIL") + " " + name)
def skip(name, why):
    out.append("skip " + name + " # SKIP " + why)
# pg_stat_statements_info (the reset time) came with pg_stat_statements 1.9, PostgreSQL 14
has_info = tuple(int(x) for x in d["pg_stat_statements"].split(".")) >= (1, 9)
top_keys = {"server_version_num": int, "database": str, "user": str, "pg_stat_statements": str,
            "sort": str, "limit": int, "interval_s": type(None), "reset_seen": bool,
            "stats_reset": (int, float) if has_info else type(None), "total_entries": int, "truncated": bool, "visibility_note": str,
            "statements": list, "now": list}
for k, ty in top_keys.items():
    t(k in d and isinstance(d[k], ty), "top key %s is %s" % (k, ty))
t(set(d) == set(top_keys), "no other top-level keys: %s" % sorted(set(d) - set(top_keys)))
t(d["sort"] == "mean" and d["limit"] == 5, "sort and limit echoed")
t(d["database"] == "postgres" and d["user"] == "postgres", "database and user")
t(d["server_version_num"] >= 130000, "server_version_num")
import time
if has_info:
    t(isinstance(d["stats_reset"], (int, float)) and abs(d["stats_reset"] - time.time()) < 600,
      "stats_reset is the reset time to the second, not rounded (%r)" % d["stats_reset"])
else:
    skip("stats_reset is the reset time to the second",
         "no pg_stat_statements_info in pg_stat_statements %s" % d["pg_stat_statements"])
s = d["statements"]
t(1 <= len(s) <= 5, "at most --limit statements (%d)" % len(s))
first = s[0]
t("pg_sleep" in first["query"], "first by mean: %s" % first["query"])
t(first["calls"] == 3, "calls = 3")
t(first["mean_ms"] >= 299 and first["min_ms"] >= 299 and first["max_ms"] >= first["min_ms"], "mean/min/max ms")
t(abs(first["total_ms"] - 3 * first["mean_ms"]) < 1, "total = 3 x mean")
t(first["rank"] == 1 and [x["rank"] for x in s] == list(range(1, len(s) + 1)), "ranks 1..n")
t(isinstance(first["queryid"], str) and first["queryid"].lstrip("-").isdigit(), "queryid is a string of digits")
t(first["rates"] is None, "no rates without --interval")
t(first["hidden_text"] is False and first["toplevel"] is True, "hidden_text, toplevel")
t(first["database"] == "postgres" and first["user"] == "postgres", "row database and user")
counters = ["calls", "total_ms", "rows", "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied",
            "shared_blks_written", "local_blks_hit", "local_blks_read", "local_blks_dirtied",
            "local_blks_written", "temp_blks_read", "temp_blks_written", "blk_read_ms", "blk_write_ms",
            "plans", "plan_ms", "wal_records", "wal_bytes"]
gauges = ["mean_ms", "min_ms", "max_ms", "stddev_ms"]
row_keys = set(counters + gauges + ["rank", "queryid", "database", "user", "toplevel", "query",
                                    "hidden_text", "rates"])
t(all(set(x) == row_keys for x in s), "every row has exactly the documented keys")
t(all(isinstance(x[k], (int, float)) for x in s for k in counters + gauges), "counters are numbers on 15")
means = [x["mean_ms"] for x in s]
t(means == sorted(means, reverse=True), "sorted by mean, descending")
t(not any("pgdeck monitor" in x["query"] for x in s), "the monitor's own statements are left out")
print("\n".join(out))
EOF
)
printf '%s\n' "$check" >"$tmp/json.res"
while IFS= read -r line; do
    case $line in
    "ok "*) ok 0 "json: ${line#ok }" ;;
    "skip "*) ok 0 "json: ${line#skip }" ;;
    *) ok 1 "json: ${line#FAIL }" ;;
    esac
done <"$tmp/json.res"
[ -n "$check" ] || { ok 1 "json checks ran"; head -c 2000 "$tmp/top.json" | sed 's/^/# /'; }

# --- --interval: two snapshots and per-second rates ---------------------------
# the sleep is the point: the calls must fall between top's two snapshots
( sleep 0.5; for i in 1 2 3 4; do cluster_psql -c "select pg_sleep(0.05)" >/dev/null; done ) &
"$PGDECK" top --once --json --interval 2 --sort calls >"$tmp/rates.json"
ok $? "top --once --interval 2 exits 0"
wait
check=$(python3 - "$tmp/rates.json" <<'EOF'
import json, sys
d = json.loads(open(sys.argv[1]).read())
row = [x for x in d["statements"] if "pg_sleep" in x["query"]][0]
r = row["rates"]
res = []
res.append(1.9 <= d["interval_s"] <= 30)
res.append(r is not None and abs(r["calls_per_s"] * d["interval_s"] - 4) < 0.01)
res.append(r is not None and all(k + "_per_s" in r for k in ["calls", "total_ms", "rows", "shared_blks_read", "temp_blks_written"]))
res.append(r is not None and 49 <= r["interval_mean_ms"] < 299)
res.append(d["reset_seen"] is False)
print(" ".join("1" if x else "0" for x in res))
EOF
)
set -- $check
is "${1:-0}" 1 "interval_s is the time between the snapshots"
is "${2:-0}" 1 "calls_per_s x interval = the 4 calls made in between"
is "${3:-0}" 1 "rates carry <counter>_per_s keys"
is "${4:-0}" 1 "interval_mean_ms is the mean of the interval's calls"
is "${5:-0}" 1 "no reset seen"

# --- a reset between the two snapshots: no negative rate ----------------------
# the sleep is the point: the reset must fall between top's two snapshots
( sleep 0.5; cluster_psql -c "select pg_stat_statements_reset()" >/dev/null;
  cluster_psql -c "select pg_sleep(0.01)" >/dev/null ) &
"$PGDECK" top --once --json --interval 1.5 >"$tmp/reset.json"
wait
check=$(python3 - "$tmp/reset.json" <<'EOF'
import json, sys
d = json.loads(open(sys.argv[1]).read())
neg = [k for x in d["statements"] if x["rates"] for k, v in x["rates"].items() if v is not None and v < 0]
print("%d %d" % (1 if d["reset_seen"] else 0, len(neg)))
EOF
)
set -- $check
is "${1:-0}" 1 "a reset between the snapshots is reported (reset_seen)"
is "${2:-1}" 0 "no negative rate"

# --- text ------------------------------------------------------------------------
cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
for i in 1 2 3; do cluster_psql -c "select pg_sleep(0.3)" >/dev/null; done
out=$("$PGDECK" top --once --sort mean --limit 3)
ok $? "text format exits 0"
like "$out" "pg_stat_statements [0-9.]+ · postgres@postgres" "text header"
like "$(printf '%s\n' "$out" | sed -n 3p)" "^ +1 +3 .*select pg_sleep\\(\\\$1\\)" "rank 1: pg_sleep, 3 calls"
like "$out" "now: 0 statements running longer than 50 ms" "the now section"

# --- exit codes ----------------------------------------------------------------
"$PGDECK" top --once --sort nope >/dev/null 2>"$tmp/err"
is $? 2 "a bad --sort is a usage error (2)"
like "$(cat "$tmp/err")" "--sort takes total, mean, calls" "and says what it takes"
"$PGDECK" top --once --limit 0 >/dev/null 2>&1
is $? 2 "--limit 0 is a usage error"
"$PGDECK" top --once --interval -1 >/dev/null 2>&1
is $? 2 "--interval -1 is a usage error"
"$PGDECK" top --once -p 1 -h 127.0.0.1 >/dev/null 2>"$tmp/err"
is $? 3 "cannot connect: 3"
like "$(cat "$tmp/err")" "cannot connect" "and says so"

# --- the server views' freshness keys ---------------------------------------------
# --once --interval: the pass of the first sample chose the rows, the second
# sample (the one printed) reads their figures: the age covers the interval
cluster_psql -c "create table tj_a (a int); create table tj_b (a int); create table tj_c (a int)"
PGDECK_SLICE_ROWS=1 "$PGDECK" top --view tables --once --json --interval 0.5 >"$tmp/fresh.json"
ok $? "top --view tables --once --interval 0.5 --json exits 0"
fresh=$(python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
a = o["rows_chosen_s"]
print(type(a).__name__, a >= 0.5, o["rows_sort"], o["pass_pct"], o["pass_sort"], o["interval_s"] >= 0.5)
' "$tmp/fresh.json")
is "$fresh" "float True n_dead_tup None None True" "rows_chosen_s (number, the age of the choice), rows_sort, no pass left running"
"$PGDECK" top --view database --once --json >"$tmp/db.json"
is "$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print([o[k] for k in ("rows_chosen_s", "rows_sort", "pass_pct", "pass_sort")])' "$tmp/db.json")" "[None, None, None, None]" "database: the freshness keys are null"

cluster_psql -c "create database nopgss" >/dev/null
"$PGDECK" top --once -d nopgss >"$tmp/out" 2>"$tmp/err"
is $? 1 "extension not created in this database: exit 1"
like "$(cat "$tmp/err")" "not installed in database nopgss" "the reason"
like "$(cat "$tmp/err")" "CREATE EXTENSION pg_stat_statements" "what to do"
is "$(cat "$tmp/out")" "" "nothing on stdout"
done_testing
