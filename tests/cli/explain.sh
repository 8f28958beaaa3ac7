#!/bin/sh
# tests/cli/explain.sh — `pgdeck explain` on a real cluster: a join the
# planner misestimates (correlated columns: a = b always, so "a = 1 AND
# b = 1" is estimated 100x too low) is flagged in the tree and in JSON;
# --analyze rolls back; names from the server are escaped; the index advisor
# advises an index that, created for real, lowers the cost EXPLAIN reports;
# without hypopg the message says how to get it.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

cluster_psql -c "create table t as select i % 100 a, i % 100 b, i id from generate_series(1, 100000) i;
  create table u as select i id, 'x' || i pad from generate_series(1, 100000) i;
  analyze t; analyze u;"
q="select * from t join u using (id) where t.a = 1 and t.b = 1"

# ---- the tree -----------------------------------------------------------------
"$PGDECK" explain --analyze -c "$q" >"$tmp/out" 2>"$tmp/err"
is $? 0 "explain --analyze: exit 0"
out=$(cat "$tmp/out")
like "$out" "Hash Join  rows [0-9]+ est / 1000 actual  MISESTIMATE [0-9]+x under" "the misestimated join is flagged"
like "$out" "Seq Scan on t  rows [0-9]+ est / 1000 actual  MISESTIMATE" "its scan too"
unlike "$out" "Seq Scan on u .*MISESTIMATE" "the well estimated scan is not"
like "$out" "self [0-9.]+ ms [0-9]+%" "self time and share"
like "$out" "shared hit=[0-9]+" "buffers"
is "$(grep -c '^▶' "$tmp/out")" 1 "one hottest node"
like "$out" "Execution: [0-9.]+ ms" "execution time"

ok "$(if grep -q "$(printf '\033')" "$tmp/out"; then echo 1; else echo 0; fi)" "on a pipe: no colour"
# on a terminal (script gives one): the flag in red, the hottest node bold
if command -v script >/dev/null 2>&1; then
    TERM=xterm script -qec "\"$PGDECK\" explain --analyze -c \"$q\"" /dev/null >"$tmp/tty" 2>&1
    like "$(cat "$tmp/tty")" "$(printf '\033')\\[31mMISESTIMATE [0-9]+x under" "on a terminal: the flag in red"
    like "$(cat "$tmp/tty")" "$(printf '\033')\\[1m▶" "on a terminal: the hottest node bold"
    NO_COLOR=1 TERM=xterm script -qec "\"$PGDECK\" explain --analyze -c \"$q\"" /dev/null >"$tmp/tty" 2>&1
    ok "$(if grep -q "$(printf '\033')\\[31m" "$tmp/tty"; then echo 1; else echo 0; fi)" "NO_COLOR: no colour"
fi

"$PGDECK" explain --analyze --format json -c "$q" >"$tmp/json" 2>"$tmp/err"
is $? 0 "--format json: exit 0"
is "$(jq -r '.nodes[] | select(.node_type == "Hash Join") | .misestimated' "$tmp/json")" true "JSON: the join is misestimated"
is "$(jq -r '.nodes[] | select(.relation == "u") | .misestimated' "$tmp/json")" false "JSON: u is not"
is "$(jq -r '.nodes[0].actual_rows' "$tmp/json")" 1000 "JSON: actual rows"
is "$(jq -r '[.nodes[].share] | add | . > 0.99 and . < 1.01' "$tmp/json")" true "JSON: shares add up to 1"
is "$(jq -r '.nodes[.hottest].self_ms == ([.nodes[].self_ms] | max)' "$tmp/json")" true "JSON: hottest has the largest self time"

"$PGDECK" explain -c "$q" >"$tmp/out" 2>"$tmp/err"
is $? 0 "plain explain: exit 0"
like "$(cat "$tmp/out")" "Total cost: [0-9.]+" "plain: the cost"
unlike "$(cat "$tmp/out")" "actual|MISESTIMATE" "plain: no actual figures"

# --analyze runs the statement inside a transaction that is rolled back
"$PGDECK" explain --analyze -c "insert into u select 0, 'new'" >"$tmp/out" 2>"$tmp/err"
is $? 0 "explain --analyze of an INSERT: exit 0"
is "$(cluster_psql -c "select count(*) from u where id = 0")" 0 "its insert was rolled back"

# -f FILE and bad input
printf '%s\n' "$q;" >"$tmp/q.sql"
"$PGDECK" explain -f "$tmp/q.sql" >"$tmp/out" 2>"$tmp/err"
is $? 0 "-f FILE: exit 0"
like "$(cat "$tmp/out")" "Hash Join" "-f FILE: the tree"
"$PGDECK" explain >"$tmp/out" 2>"$tmp/err"
is $? 2 "no statement: exit 2"
like "$(cat "$tmp/err")" "a statement is needed" "no statement: says so"
"$PGDECK" explain -c "select from nosuch" >"$tmp/out" 2>"$tmp/err"
is $? 1 "an SQL error: exit 1"
like "$(cat "$tmp/err")" 'relation "nosuch" does not exist' "the server's message"
"$PGDECK" explain --format xml -c "select 1" >/dev/null 2>"$tmp/err"
is $? 2 "--format xml: exit 2"
"$PGDECK" explain --help >"$tmp/out"
like "$(cat "$tmp/out")" "--advise" "--help names --advise"

# a table named with escapes reaches the pipe escaped
cluster_psql -c "create table \"evil$(printf '\033')]0;pwned$(printf '\007')\" (x int)"
"$PGDECK" explain -c "select * from \"evil$(printf '\033')]0;pwned$(printf '\007')\"" >"$tmp/out" 2>"$tmp/err"
is $? 0 "explain of the planted name: exit 0"
ok "$(if grep -q "$(printf '\033')" "$tmp/out"; then echo 1; else echo 0; fi)" "no ESC reaches stdout"
like "$(cat "$tmp/out")" 'evil\\x1B\]0;pwned\\x07' "the name shown escaped"

# ---- the index advisor --------------------------------------------------------
if [ "$(cluster_psql -c "select count(*) from pg_available_extensions where name = 'hypopg'")" = 1 ]; then
    q2="select * from t where a = 1 and b = 1"
    before=$("$PGDECK" explain --format json -c "$q2" | jq -r .total_cost)
    "$PGDECK" explain --advise -c "$q2" >"$tmp/out" 2>"$tmp/err"
    is $? 0 "--advise: exit 0"
    like "$(cat "$tmp/out")" 'CREATE INDEX ON "public"."t" \("a", "b"\);' "the two-column index is advised"
    like "$(cat "$tmp/out")" "cost [0-9.]+ -> [0-9.]+ \(-[0-9]+ %\)" "with cost before and after"
    is "$(cluster_psql -c "select count(*) from pg_indexes where tablename = 't'")" 0 "nothing created without --create"
    "$PGDECK" explain --advise --create --readonly -c "$q2" >"$tmp/out" 2>"$tmp/err"
    is $? 2 "--create --readonly: refused"
    is "$(cluster_psql -c "select count(*) from pg_indexes where tablename = 't'")" 0 "nothing created under --readonly"
    "$PGDECK" explain --advise --create --json -c "$q2" >"$tmp/adv" 2>"$tmp/err"
    is $? 0 "--advise --create --json: exit 0"
    is "$(jq -r '[.advice[] | select(.created)] | length' "$tmp/adv")" 1 "one index created for the table"
    is "$(jq -r '.advice[] | select(.created) | .columns' "$tmp/adv")" "a, b" "the best one"
    is "$(cluster_psql -c "select count(*) from pg_indexes where tablename = 't'")" 1 "it exists"
    # measured apart from the advisor: EXPLAIN's cost with the real index
    after=$(cluster_psql -c "explain (format json) $q2" | jq -r '.[0].Plan."Total Cost"')
    ok "$(awk -v b="$before" -v a="$after" 'BEGIN { print (a <= b * 0.7) ? 0 : 1 }')" \
        "the created index lowers the cost by 30 % or more ($before -> $after)"
    is "$(jq -r '.cost_after_create' "$tmp/adv")" "$after" "the advisor reports that cost"
    # hypopg missing: exactly how to get it
    cluster_psql -c "drop extension hypopg"
    "$PGDECK" explain --advise -c "$q2" >"$tmp/out" 2>"$tmp/err"
    is $? 1 "no hypopg: exit 1"
    like "$(cat "$tmp/err")" "available on the server but not installed in this database" "no hypopg: the reason"
    like "$(cat "$tmp/err")" "CREATE EXTENSION hypopg;" "no hypopg: the remedy"
    is "$(cat "$tmp/out")" "" "no hypopg: nothing on stdout"
else
    diag "hypopg is not installed on the server: checking only its message"
    "$PGDECK" explain --advise -c "select 1" >"$tmp/out" 2>"$tmp/err"
    is $? 1 "no hypopg: exit 1"
    like "$(cat "$tmp/err")" "apt-get install postgresql-[0-9]+-hypopg" "no hypopg: how to get it"
fi
done_testing
