#!/bin/sh
# tests/tui/editor_grid.sh — the editor pane in tmux against a real cluster:
# type and run a query and see the grid and the status line; scroll by page
# and column; NULL drawn apart from ''; an error with its position marked;
# $1 parameters prompted and bound server-side; several result sets; Tab
# completes a table name from the catalog; export to CSV.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
cluster_psql -c "create table zebra_orders (id int primary key, note text)" >/dev/null
cluster_psql -c "insert into zebra_orders select g, 'n' || g from generate_series(1, 3) g" >/dev/null

ed_start grid XDG_STATE_HOME="$tmp/state"
check "the editor pane shows its status line" sh_wait 'Pipeline: off \| idle' 5
footer() { sh_screen | tail -n 1; }
unlike "$(footer)" 'TabPane|:Cmd' "typing SQL: the footer does not offer Tab or : (they are text here)"
like "$(footer)" 'F10Quit' "typing SQL: function keys stay in the footer"
sh_keys F6
sh_wait 'TabPane' 5 >/dev/null
like "$(footer)" 'TabPane' "in the grid the footer offers Tab again"
sh_keys F6

# a query and its grid
ed_run "select g as num, 'row' || g as label from generate_series(1, 200) g"
check "the status line shows the row count and the time" sh_wait 'ok \| 200 rows \| [0-9.]+ ms' 5
check "the grid shows the header" sh_wait 'num .* label' 5
check "the grid shows the first rows" sh_wait ' 1 .* row1 ' 5
check "prepared or not, with the threshold" sh_wait 'not prepared \(1/5\)' 5
check "after the run the cursor stays in the editor" sh_wait_not '\[grid\]' 2

# scroll: F6 to the grid, a page down, then the end
sh_keys F6
check "F6 gives the grid the focus" sh_wait '\[grid\]' 5
sh_keys NPage
check "PgDn scrolls a page" sh_wait ' row2[0-9] ' 5
check "the first row is gone after PgDn" sh_wait_not ' row1 ' 5
sh_keys G
check "G goes to the last row" sh_wait ' 200 .* row200 ' 5
sh_keys r
check "r opens the record view" sh_wait 'record view' 5
check "the record view lists a column per line" sh_wait 'label .* row200' 5
sh_keys Escape
check "Esc leaves the record view, back to the grid" sh_wait_not 'record view' 5
check "... and the grid still has the focus" sh_wait ' 200 .* row200 ' 5
sh_keys F6

# search in the grid
sh_keys F6 /
sh_type "row150"
sh_keys Enter
check "/ finds a row" sh_wait ' 150 .* row150 ' 5
sh_keys n
check "n wraps to the same only match" sh_wait ' row150 ' 5
sh_keys F6

# columns: scroll, freeze, width cap and expand
cols=""
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
    cols="$cols${cols:+, }'v$i' as col$i"
done
ed_run "select repeat('w', 100) as wide, $cols"
check "a wide value is capped (40 columns)" sh_wait ' w{40} │ v01 ' 5
check "the last columns are off screen at first" ed_grid_wait_not 'col20' 2
sh_keys F6 e
check "e expands the current column" sh_wait ' w{90,}' 5
sh_keys e
sh_wait ' w{40} │ v01 ' 5 >/dev/null
sh_keys f
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    tmux -L "$SH_SOCK" send-keys -t main Right
done
check "Right scrolls by column to the last one" ed_grid_wait 'col20' 5
check "the frozen first column stays" ed_grid_wait 'wide .* col20' 5
check "columns between scrolled away" ed_grid_wait_not 'col01' 2
sh_keys F6

# NULL against the empty string
ed_run "select 'a' as k, null::text as v union all select 'b', '' order by 1"
check "NULL is drawn with the marker" sh_wait ' a .* ∅' 5
row_b=$(sh_screen | grep -E '^ +b +│' | head -n 1)
like "$row_b" '^ +b +│ +│ *$' "the empty string is drawn empty (no marker)"

# an error, with its position marked in the SQL and in the grid
ed_run "select 1 from no_such_tbl"
check "the error message is shown" sh_wait 'ERROR: +relation "no_such_tbl" does not exist' 5
check "the error shows its line" sh_wait 'LINE 1: select 1 from no_such_tbl' 5
caret=$(sh_screen | grep -A1 'LINE 1: select 1 from no_such_tbl' | tail -n 1)
check "a caret marks the position under the statement" \
    test "$(printf '%s' "$caret" | awk '{print index($0, "^")}')" = "$(( $(printf '%s' 'LINE 1: select 1 from ' | wc -c) + 1 ))"
check "the status line says error" sh_wait '\| error \|' 5
line3=$(tmux -L "$SH_SOCK" capture-pane -p -e -t main | sed -n 3p)
e=$(printf '\033')
marked=1
printf '%s' "$line3" | grep -q "mn$e\[.*o_such_tbl" && marked=0
ok $marked "the error position is marked in the editor (the 'n' of no_such_tbl drawn apart)"

# parameters: prompted, bound server-side (never pasted: the text keeps $1)
ed_sql 'select $1::int + 1 as plus, $2::text as t'
sh_keys F5
check "the first parameter is asked for" sh_wait '\$1 =' 5
sh_type "41"
sh_keys Enter
check "the second parameter is asked for" sh_wait '\$2 =' 5
sh_type "it's"
sh_keys Enter
ed_wait_done
check "the parameters were bound" sh_wait ' 42 .* it.s ' 5
n=$(cluster_psql -c "select count(*) from pg_stat_statements where query like 'select \$1::int + % as plus, \$2::text as t'")
check "the server saw the statement with placeholders (pg_stat_statements)" test "${n:-0}" -ge 1

# F8: the statement under the cursor
ed_clear
sh_type "select 'first' as a\\;"
sh_keys Enter
sh_type "select 'second' as b"
sh_keys F8
ed_wait_done
check "F8 runs the statement under the cursor (line 2)" ed_grid_wait ' second' 5
check "... and only that one" ed_grid_wait_not ' first' 2
sh_keys Up F8
ed_wait_done
check "Up, F8: the statement on line 1" ed_grid_wait ' first' 5
check "... alone" ed_grid_wait_not ' second' 2

# several result sets, each reachable
ed_run "select 1 as first_set; select 2 as second_set"
check "the first result set is shown" sh_wait 'first_set' 5
sh_keys F6 ']'
check "] shows the next result set" sh_wait 'second_set' 5
sh_keys F6

# completion of a table name
ed_sql "select * from zebra_o"
sh_keys Tab
check "Tab completes the table name" sh_wait 'select \* from zebra_orders' 5

# export
ed_run "select 1 as a, null::text as b, '' as c, 'x,y' as d"
sh_keys F6 x
check "x asks for a path" sh_wait 'Export to' 5
sh_type "$tmp/out.csv"
sh_keys Enter
check "export says how many rows" sh_wait 'Exported 1 rows' 5
check "CSV: NULL empty, '' quoted, commas quoted" test "$(sed -n 2p "$tmp/out.csv" 2>/dev/null)" = '1,,"","x,y"'
sh_keys x
sh_wait 'Export to' 5 >/dev/null
sh_type "$tmp/out.json"
sh_keys Enter
sh_wait 'Exported 1 rows' 5 >/dev/null
check "JSON: typed values and null" grep -q '"a": 1, "b": null, "c": "", "d": "x,y"' "$tmp/out.json"
sh_keys x
sh_wait 'Export to' 5 >/dev/null
sh_type "$tmp/out.tsv"
sh_keys Enter
sh_wait 'Exported 1 rows to .*TSV' 5 >/dev/null
is "$(sed -n 2p "$tmp/out.tsv" 2>/dev/null)" "$(printf '1\t\\N\t\tx,y')" "TSV: COPY text format, NULL as \\N"
sh_keys F6

# readline keys in the buffer
ed_sql "select 1 from tab"
sh_keys C-a
sh_type "x"
check "C-a then typing: at the line start" sh_wait '^xselect 1 from tab' 5
sh_keys C-e C-w
check "C-e C-w: the last word killed" sh_wait_not '^xselect 1 from tab' 5
sh_keys C-y
check "C-y yanks it back" sh_wait '^xselect 1 from tab' 5
sh_keys C-a C-d C-k
check "C-d deletes, C-k kills the rest" sh_wait_not '^.*select' 5
sh_keys C-y
check "C-y yanks the killed text" sh_wait '^select 1 from tab' 5
sh_keys Escape b
sh_type "Z"
check "Esc b (Alt-B typed as Esc then b): back a word" sh_wait '^select 1 from Ztab' 5
sh_keys C-a Escape
tmux -L "$SH_SOCK" send-keys -t main d
check "Esc d (Alt-D): kills the next word" sh_wait '^ 1 from Ztab' 5
sh_keys C-e M-b
sh_type "Q"
check "Alt-B as one key (meta) also goes back a word" sh_wait '^ 1 from QZtab' 5
sh_keys C-a M-f
sh_type "W"
check "Alt-F as one key goes forward a word" sh_wait '^ 1W from QZtab' 5
sh_keys Enter
sh_type "second line"
check "Enter makes a second line" sh_wait '^second line' 5

# notices
ed_run "do \$\$ begin raise notice 'hello from plpgsql'; end \$\$"
check "a notice is shown" sh_wait 'NOTICE: +hello from plpgsql' 5

# completion is refreshed after DDL run in the editor
ed_run "create table yak_things (id int)"
# the catalog reloads in the background: try again until the table completes
yak_completes() {
    for _try in 1 2 3 4 5 6 7 8 9 10; do
        ed_sql "select * from yak_th"
        sh_keys Tab
        wait_until 1 sh_shows 'from yak_things' && return 0
    done
    return 1
}
check "a table created in the editor completes (catalog refreshed after DDL)" yak_completes

# the generated help lists the editor's keys
sh_keys F1
check "the help lists F5" sh_wait 'F5 .*run the whole buffer' 5
check "the help lists F7" sh_wait 'F7 .*pipeline mode' 5
sh_keys Escape
sh_wait_not 'Global keys' 5 >/dev/null

# resize down to 1x1 and back with a result on screen
ed_run "select g, repeat('中', g % 30) from generate_series(1, 300) g"
for size in "60 15" "40 10" "20 5" "1 1" "120 34"; do
    sh_resize $size
done
check "alive after a resize storm" sh_alive
check "the grid is drawn again after the resize" sh_wait '^ +1 │ 中' 5

sh_keys F10
sh_wait_dead 5 || sh_keys y
check "pgdeck quits" sh_wait_dead 10
sh_stop

# the row cap: a clear "stopped at N rows"
printf '[console]\nrow_limit = 500\n' >"$tmp/cap.conf"
sh_start grid-cap 120 34 XDG_STATE_HOME="$tmp/state" -- --config "$tmp/cap.conf"
sh_wait connected 20 >/dev/null
sh_keys M-4
sh_wait 'Pipeline: ' 10 >/dev/null
ed_run "select g from generate_series(1, 100000) g"
check "the row cap stops the result with a clear message" sh_wait 'stopped at 500 rows' 10
check "the grid holds 500 rows and says why" sh_wait '\(stopped at the row cap\): 500 rows' 5
sh_keys F10
sh_wait_dead 5 || sh_keys y
done_testing
