#!/bin/sh
# tests/tui/slow_detail.sh — the Slow pane's detail view and where its keys
# lead (console issue #12), at 80x24 and 160x45:
#   - nested statements (pg_stat_statements' toplevel = false, 1.9+) are
#     marked in the list and the detail view says toplevel / nested;
#   - EXPLAIN output is never cut at 40 columns: the plan scrolls sideways in
#     the detail view (Right/Left) and the statement text wraps there; in the
#     editor's grid a one-column result (QUERY PLAN) has no width cap;
#   - focus: after E the Slow pane keeps the keys (its footer, its detail
#     view), after o the editor has them (its footer, typing goes into it).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin

cluster_psql >/dev/null <<'EOF'
create table wide_table_with_a_long_name_for_plans(id int, payload text);
create table nest_t(id int);
create function nest() returns void language plpgsql as $$
begin
  perform count(*) from nest_t where id > 0;
end $$;
EOF
plant() {
    cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
    cluster_psql -c "select nest()" >/dev/null
    cluster_psql -c "select id as a_first_alias_that_makes_the_text_long, payload as a_second_alias_that_makes_it_longer, id + 1 as a_third_alias_for_width, id + 2 as zz_tail_marker from wide_table_with_a_long_name_for_plans where id > 0" >/dev/null
}
filter() { # TEXT
    sh_keys Escape
    sh_keys /
    sh_wait 'filter \(db:NAME user:NAME text\)' 5
    sh_keys C-u
    sh_type "$1"
    sh_keys Enter
}

for size in "80 24" "160 45"; do
    set -- $size
    W=$1
    plant
    sh_start "detail$W" "$1" "$2" -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
    sh_wait 'connected' 20
    ok $? "[$W] the console starts"
    sh_keys 2
    sh_wait 'Server: pg_stat_statements [0-9.]+ ·' 10

    # --- toplevel / nested -----------------------------------------------------
    filter "nest"
    sh_wait '(↳nested|\(nested\)) SELECT count\(\*\) from nest_t' 10
    ok $? "[$W] the statement run inside nest() is marked nested, with its query shown"
    sh_wait 'postgres +select nest\(\)' 5
    ok $? "[$W] the call itself is not marked"
    filter "from nest_t"
    sh_wait 'nested\) SELECT count|nested SELECT count' 10
    sh_keys Enter
    sh_wait 'Statement detail' 5
    like "$(sh_screen)" 'user postgres · nested' "[$W] the detail view says nested"
    filter "select nest"
    sh_wait 'postgres +select nest\(\)' 10
    sh_keys Enter
    sh_wait 'Statement detail' 5
    like "$(sh_screen)" 'user postgres · toplevel' "[$W] and toplevel for the call"

    # --- the detail view: the text wraps, the plan scrolls sideways ---------------
    filter "zz_tail_marker"
    sh_wait 'a_first_alias' 10
    sh_keys Enter
    sh_wait 'Statement detail' 5
    sh_wait 'zz_tail_marker' 5
    ok $? "[$W] the whole statement text is shown (wrapped at the width)"
    sh_keys e
    sh_wait 'values for \$1\.\.\$3' 10
    sh_type "1, 2, 0"
    sh_keys Enter
    sh_wait 'Enter/Space fold' 10
    ok $? "[$W] e: the plan as a tree first"
    like "$(sh_screen)" 'Seq Scan on wide_table_with_a_long_name_for_plans +rows [0-9]+' "[$W] e: the tree's node line"
    sh_keys t
    sh_wait 'Seq Scan on wide_table_with_a_long_name_for_plans +\(cost=' 5
    ok $? "[$W] t: the text plan is shown, its first line not cut at 40 columns"
    if [ "$W" = 80 ]; then
        unlike "$(sh_screen)" 'width=[0-9]+\)$' "[80] the end of the plan line is beyond the screen"
        sh_keys Right
        sh_wait 'rows=[0-9]+ width=[0-9]+\)' 5
        ok $? "[80] Right scrolls the plan sideways: its end shows"
        like "$(sh_screen)" 'zz_tail_marker' "[80] the statement text does not scroll (it wraps)"
        sh_keys Left
        sh_wait 'Seq Scan on wide_table' 5
        ok $? "[80] Left scrolls back"
    else
        like "$(sh_screen)" 'Seq Scan on wide_table_with_a_long_name_for_plans +\(cost=[0-9.]+ rows=[0-9]+ width=[0-9]+\)' \
            "[160] the plan line is whole"
    fi

    # --- focus after E: the Slow pane keeps the keys ------------------------------
    sh_keys E
    sh_wait 'Run it\? \(y/n\)' 10
    sh_keys y
    sh_wait 'values for \$1\.\.\$3' 5
    sh_type "1, 2, 0"
    sh_keys Enter
    sh_wait 'Enter/Space fold' 10
    ok $? "[$W] E: the plan as a tree first, in the Slow pane"
    like "$(sh_screen)" 'F1Help EnterDetail sSort' "[$W] E: over the tree, the footer shows the Slow pane's keys"
    sh_keys t
    sh_wait 'Execution Time' 5
    ok $? "[$W] t: the text plan, in the Slow pane"
    like "$(sh_screen)" 'F1Help EnterDetail sSort' "[$W] E: the footer shows the Slow pane's keys"
    # (the help names the active pane only when it is wide enough)
    [ "$W" = 160 ] && is "$(sh_active_pane)" Slow "[160] E: the Slow pane has the keys (help)"
    sh_keys Escape
    sh_wait_not 'Statement detail' 5
    ok $? "[$W] E: Esc goes back to the list, as the footer says"

    # --- focus after o: the editor has the keys -----------------------------------
    sh_keys Enter
    sh_wait 'Statement detail' 5
    sh_keys o
    sh_wait 'F1Help F5Run' 5
    ok $? "[$W] o: the footer shows the editor's keys"
    sh_type " -- typed_after_o"
    sh_wait 'typed_after_o' 5
    ok $? "[$W] o: typing goes into the editor"

    # --- the editor's grid: a one-column result has no 40-column cap ---------------
    sh_keys C-u
    sh_type "explain select * from wide_table_with_a_long_name_for_plans"
    sh_keys F8
    sh_wait 'QUERY PLAN' 10
    sh_wait 'Seq Scan on wide_table_with_a_long_name_for_plans' 10
    ok $? "[$W] the editor's grid: the plan line is not cut at 40 columns"
    if [ "$W" = 160 ]; then
        like "$(sh_screen)" 'width=[0-9]+\)' "[160] the editor's grid: the whole line"
    fi
    # last: the help's Esc would reach the editor as a pending Meta prefix
    [ "$W" = 160 ] && is "$(sh_active_pane)" Editor "[160] o: the editor has the keys (help)"
    sh_stop
done
done_testing
