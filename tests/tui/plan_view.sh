#!/bin/sh
# tests/tui/plan_view.sh — the plan tree in the Slow pane (E shows it first,
# t the text plan, t again the tree) on a real cluster: a join the planner
# misestimates (correlated columns: a = b always) is flagged in the tree, the
# hottest node is marked and selected, nodes fold and unfold, t goes to the
# text plan and back; a planted relation name reaches the screen escaped.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/shell_lib.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
cluster_start
trap 'sh_stop; cluster_stop' EXIT

cluster_psql >/dev/null <<'EOF2'
create table t as select i % 100 a, i % 100 b, i id from generate_series(1, 100000) i;
create table u as select i id, 'x' || i pad from generate_series(1, 100000) i;
analyze t; analyze u;
select pg_stat_statements_reset();
EOF2
cluster_psql -c "select * from t join u using (id) where t.a = 1 and t.b = 1" >/dev/null

sh_start plan 160 45 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
sh_wait 'connected' 20
ok $? "the console starts"
sh_keys 2
sh_wait 'Server: pg_stat_statements [0-9.]+ ·' 10
sh_keys /
sh_wait 'filter \(db:NAME user:NAME text\)' 5
sh_type "join u"
sh_keys Enter
sh_wait 'from t join u using' 10
ok $? "the join is listed"
sh_keys Enter
sh_wait 'Statement detail' 5
sh_keys E
sh_wait 'Run it\? \(y/n\)' 10
sh_keys y
sh_wait 'values for \$1\.\.\$2' 5
sh_type "1, 1"
sh_keys Enter
sh_wait 'Enter/Space fold' 15
ok $? "E: the plan as a tree first"
scr=$(sh_screen)
unlike "$scr" 'Execution Time:|Statement detail' "E: not the text plan nor the detail view"
like "$scr" 'Hash Join +rows [0-9]+ est / 1000 actual +MISESTIMATE [0-9]+x under' "the misestimated join is flagged"
like "$scr" 'Seq Scan on t +rows [0-9]+ est / 1000 actual +MISESTIMATE [0-9]+x under' "its scan too"
unlike "$scr" 'Seq Scan on u .*MISESTIMATE' "the well estimated scan is not flagged"
like "$scr" '[0-9]+% ▶ .*self [0-9.]+ ms [0-9]+%' "the hottest node is marked, with its self time and share"
like "$scr" 'EXPLAIN \(ANALYZE, BUFFERS\) as role postgres' "the title says how it ran"
like "$scr" 'node [0-9]+ of 4 · execution [0-9.]+ ms' "the status line"
like "$scr" '█' "self time bars"
# the hottest node is the one selected at first: "node K of 4" names the
# selected node, K its row in the (unfolded, depth-first) tree
scr=$(sh_screen)
root_line=$(printf '%s\n' "$scr" | grep -n 'Hash Join  rows' | head -n 1 | cut -d: -f1)
hot_line=$(printf '%s\n' "$scr" | grep -n '▶' | head -n 1 | cut -d: -f1)
like "$scr" "node $((hot_line - root_line + 1)) of 4 " "the hottest node is the selected one"

# t: the text plan (in the detail view), t again: the tree
sh_keys t
sh_wait 'Execution Time: [0-9.]+ ms' 5
ok $? "t: the plan in EXPLAIN's text form"
scr=$(sh_screen)
like "$scr" 'Statement detail' "t: in the statement's detail view"
like "$scr" 'Hash Join +\(cost=[0-9.]+ rows=[0-9]+ width=[0-9]+\) \(actual time=[0-9.]+ rows=1000 loops=1\)' "the text plan, rebuilt from the JSON"
like "$scr" 't: the plan as a tree · hottest node: .* · [0-9]+ nodes misestimated 10x or more' "the summary names the hottest node and the misestimates"
sh_keys t
sh_wait 'Enter/Space fold' 5
ok $? "t again: the tree"

# fold: Home goes to the root, Enter folds it, Enter unfolds it
sh_keys Home
sh_keys Enter
sh_wait_not 'Seq Scan on u' 5
ok $? "Enter folds the root: its children are hidden"
like "$(sh_screen)" '▸ Hash Join' "the folded node is marked"
sh_keys Right
sh_wait 'Seq Scan on u' 5
ok $? "Right unfolds it"
sh_keys Down
sh_keys Left
sh_keys Left
like "$(sh_screen)" 'node 1 of 4' "Left on a leaf goes to its parent"
sh_keys Down Down
sh_wait 'Hash Cond: \(u\.id = t\.id\)|Filter:|no condition' 5
sh_keys Home
sh_wait 'Hash Cond: \(u\.id = t\.id\)' 5
ok $? "the selected node's conditions are shown below the tree"

# the index advisor, as the statement's author (here postgres), then for real
if [ "$(cluster_psql -c "select count(*) from pg_extension where extname = 'hypopg'")" = 1 ]; then
    sh_keys a
    sh_wait 'c creates the best one for real' 30
    ok $? "a: the index advisor's advice"
    scr=$(sh_screen)
    like "$scr" 'Index advisor \(hypopg\): estimated cost [0-9.]+; [0-9]+ candidates tried as the statement.s author' "tried as the author"
    like "$scr" 'CREATE INDEX ON "public"."t" \("a", "b"\);' "the two-column index on t is advised"
    like "$scr" 'cost [0-9.]+ -> [0-9.]+ \(-[0-9]+ %\)' "with the costs before and after"
    is "$(cluster_psql -c "select count(*) from pg_indexes where tablename in ('t', 'u')")" 0 "nothing created yet"
    before=$(cluster_psql -c "explain (format json) select * from t join u using (id) where t.a = 1 and t.b = 1" | jq -r '.[0].Plan."Total Cost"')
    sh_keys c
    sh_wait 'Create this index for real\? \(y/n\)' 5
    ok $? "c asks first"
    sh_keys n
    sh_wait_not 'Create this index for real' 5
    is "$(cluster_psql -c "select count(*) from pg_indexes where tablename in ('t', 'u')")" 0 "n: nothing created"
    sh_keys c
    sh_wait 'Create this index for real\? \(y/n\)' 5
    sh_keys y
    sh_wait 'Created: CREATE INDEX ON "public"."t" \("a", "b"\)' 15
    ok $? "y: created"
    is "$(cluster_psql -c "select count(*) from pg_indexes where tablename = 't'")" 1 "the index exists on the server"
    after=$(cluster_psql -c "explain (format json) select * from t join u using (id) where t.a = 1 and t.b = 1" | jq -r '.[0].Plan."Total Cost"')
    ok "$(awk -v b="$before" -v a="$after" 'BEGIN { print (a <= b * 0.7) ? 0 : 1 }')" \
        "EXPLAIN after creating it: the cost fell by 30 % or more ($before -> $after)"
    sh_keys a
fi

sh_keys t
sh_wait 'Statement detail' 5
ok $? "t goes back to the text plan"
like "$(sh_screen)" 'Execution Time: [0-9.]+ ms' "the text plan is there"
sh_keys t
sh_wait 'Enter/Space fold' 5
sh_keys Escape
sh_wait 'Statement detail' 5
ok $? "Esc leaves the tree for the detail view"
sh_keys Escape
sh_wait_not 'Statement detail' 5
ok $? "and Esc again the list"

# ---- the editor: F3 EXPLAIN, F4 EXPLAIN ANALYZE (asks when it writes) ---------
sh_keys M-4
sh_wait 'Pipeline: (on|off)' 10
sh_type "select * from t join u using (id) where t.a = 1 and t.b = 1"
sh_keys F3
sh_wait 'Enter/Space fold' 10
ok $? "editor F3: the plan tree of the statement under the cursor"
scr=$(sh_screen)
like "$scr" 'Hash Join +rows [0-9]+ est +cost [0-9.]+' "F3: estimates only"
unlike "$scr" 'MISESTIMATE' "F3: no actual rows, no misestimate"
sh_keys M-1
sh_wait 'pool_size' 5
ok $? "the global keys work over the tree (M-1: Pool)"
sh_keys M-4
sh_wait 'Enter/Space fold' 5
ok $? "M-4: back to the editor's tree"
sh_keys Escape
sh_wait 'Pipeline: (on|off)' 5
sh_keys F4
sh_wait 'MISESTIMATE [0-9]+x under' 15
ok $? "F4 of a SELECT: runs without asking, the misestimate flagged"
like "$(sh_screen)" 'executed in a transaction, rolled back' "F4: says it was rolled back"
sh_keys t
sh_wait 'Hash Cond: \(u\.id = t\.id\)' 5
ok $? "t: the text plan"
sh_keys Escape
sh_keys C-c
sh_wait 'Buffer cleared' 5
sh_type "update u set pad = 'changed' where id < 10"
sh_keys F4
sh_wait 'EXPLAIN ANALYZE runs the statement \(it may write\), then rolls it back\. Run it\? \(y/n\)' 5
ok $? "F4 of an UPDATE asks first"
sh_keys n
sh_wait 'EXPLAIN ANALYZE not run' 5
ok $? "n: not run"
sh_keys F4
sh_wait 'Run it\? \(y/n\)' 5
sh_keys y
sh_wait 'Update on u' 15
ok $? "y: the plan of the UPDATE"
is "$(cluster_psql -c "select count(*) from u where pad = 'changed'")" 0 "on the server: the UPDATE was rolled back"
sh_keys Escape
sh_wait 'Pipeline: (on|off)' 5
ok $? "Esc: back to the editor"

# hypopg missing: the advisor says exactly how to get it
cluster_psql -c "drop extension if exists hypopg"
sh_keys F3
sh_wait 'a index advisor' 10
sh_keys a
sh_wait 'needs the hypopg extension' 15
ok $? "no hypopg: the advisor says so"
like "$(sh_screen)" 'CREATE EXTENSION hypopg;' "and how to get it"
done_testing
