#!/bin/sh
# tests/tui/editor_keys.sh — the editor's keys at 80x24 and 160x45, against a
# real cluster: C-Home / C-End (xterm's modified keys, kHOM5 / kEND5), Home
# and End of a logical line, soft wrap (a long line is shown whole, Up/Down
# move by screen row), C-c clears the buffer when nothing runs (C-y brings it
# back) and still cancels a running statement without touching the text, and
# F10 / q with an open transaction ask: commit, roll back or stay (psql checks
# what was committed).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
cluster_psql -c "create table q (id int primary key)" >/dev/null

count() { cluster_psql -c "select count(*) from q where id = $1"; }
no_pgdeck() { [ "$(cluster_psql -c "select count(*) from pg_stat_activity where application_name = 'pgdeck'")" = 0 ]; }
aaa=$(printf 'a%.0s' $(seq 1 200))

for size in 80x24 160x45; do
    ED_COLS=${size%x*} ED_ROWS=${size#*x}
    export ED_COLS ED_ROWS
    rm -rf "$tmp/state"
    ed_start "keys-$size" XDG_STATE_HOME="$tmp/state"

    # C-Home / C-End: the buffer's start and end
    ed_sql "select 1 as first_line"
    sh_keys Enter
    sh_type "select 2 as last_line"
    sh_keys C-Home
    sh_type "X"
    check "$size: C-Home goes to the start of the buffer" wait_until 5 sh_shows 'Xselect 1 as first_line'
    sh_keys C-End
    sh_type "Y"
    check "$size: C-End goes to the end of the buffer" wait_until 5 sh_shows 'last_lineY'

    # Home / End: the logical line (tmux sends the VT220 \e[1~ / \e[4~)
    sh_keys Home
    sh_type "H"
    check "$size: Home goes to the start of the line" wait_until 5 sh_shows 'Hselect 2 as last_lineY'
    sh_keys End
    sh_type "E"
    check "$size: End goes to the end of the line" wait_until 5 sh_shows 'last_lineYE'

    # soft wrap: the whole long line shows, Up moves one screen row
    ed_sql "select '$aaa' as wrapped_end"
    check "$size: a long line wraps: its start shows" wait_until 5 sh_shows "^select 'aaaa"
    check "$size: ... and its end on a later row" wait_until 5 sh_shows "' as wrapped_end"
    sh_keys Up
    sh_type "Z"
    check "$size: Up moves one screen row inside the long line" wait_until 5 sh_shows 'aZa'
    unlike "$(sh_screen)" 'wrapped_endZ' "$size: ... not to the end (no history step)"
    sh_keys Down
    sh_type "W"
    check "$size: Down comes back to the last row" wait_until 5 sh_shows 'wrapped_endW'
    sh_keys Home
    sh_type "H"
    check "$size: Home on a wrapped line: the start of the whole line" wait_until 5 sh_shows "^Hselect 'aaa"

    # C-c with nothing running clears; C-y brings the text back
    ed_sql "select 'keep me' as cleared"
    sh_keys C-c
    check "$size: C-c clears the buffer" wait_until 5 sh_shows 'Buffer cleared \(C-y brings it back\)'
    check "$size: ... the text is gone" wait_until 5 sh_hides "select 'keep me'"
    sh_keys C-y
    check "$size: C-y brings it back" wait_until 5 sh_shows "select 'keep me' as cleared"

    # C-c while a statement runs cancels it and keeps the text; a second C-c too
    ed_sql "select pg_sleep(60) as sleeper"
    sh_keys F5
    check "$size: the statement runs" sh_wait '\| running ' 10
    sh_keys C-c
    check "$size: C-c cancels the running statement" sh_wait '\| canceled \|' 10
    sh_keys C-c
    check "$size: a second C-c right after keeps the text" sh_wait 'Nothing to cancel \(the run ended\)' 5
    check "$size: ... the statement is still in the buffer" sh_shows 'select pg_sleep\(60\) as sleeper'

    # F10 with an open transaction asks; s stays, c commits and quits
    ed_run "begin"
    ed_run "insert into q values (1)"
    sh_wait 'in transaction' 5 >/dev/null
    sh_keys F10
    check "$size: F10 in a transaction asks" sh_wait 'Open transaction: c COMMIT and quit, r ROLLBACK and quit, s stay' 5
    sh_keys s
    check "$size: s stays" sh_wait 'Not quitting: the transaction stays open' 5
    ok "$(sh_alive && echo 0 || echo 1)" "$size: pgdeck still runs after s"
    is "$(count 1)" 0 "$size: nothing committed yet (psql)"
    sh_keys F10
    sh_wait 'Open transaction: c COMMIT' 5 >/dev/null
    sh_keys c
    check "$size: c commits and quits" sh_wait_dead 10
    is "$(sh_exit_status)" 0 "$size: exit status 0"
    is "$(count 1)" 1 "$size: the row is committed (psql)"
    sh_stop
    cluster_psql -c "delete from q" >/dev/null

    # q from the grid with an open transaction: r rolls back and quits
    ed_start "keys-q-$size" XDG_STATE_HOME="$tmp/state"
    ed_run "begin"
    ed_run "insert into q values (2)"
    sh_wait 'in transaction' 5 >/dev/null
    sh_keys F6
    sh_wait '\[grid\]' 5 >/dev/null
    sh_keys q
    check "$size: q from the grid asks too" sh_wait 'Open transaction: c COMMIT' 5
    sh_keys r
    check "$size: r rolls back and quits" sh_wait_dead 10
    is "$(count 2)" 0 "$size: nothing committed (psql)"
    check "$size: no pgdeck connection left" wait_until 10 no_pgdeck
    sh_stop
done
done_testing
