#!/bin/sh
# tests/tui/grid_position.sh — the result grid as pspg users expect it, at
# 80x24 and 160x45, against a real cluster: a position indicator (row N of
# M, percent, the columns shown); PgDn and End never scroll past the last
# row (the last page stays full); search marks the match inside the cell,
# not the whole cell, and says when it wraps; the / prompt starts empty, the
# last term is in its history (Up).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin

# the message line (the last line but one)
msgline() { sh_screen | tail -n 2 | head -n 1; }
esc=$(printf '\033')

for size in 80x24 160x45; do
    cols=${size%x*}
    rows=${size#*x}
    sh_start "grid$size" "$cols" "$rows" XDG_STATE_HOME="$tmp/state$size" --
    sh_wait 'connected' 20
    sh_keys M-4
    sh_wait 'Pipeline: (on|off)' 10
    ed_run "select g as num, 'row' || g as label, 'c' || g as third from generate_series(1, 200) g"
    sh_keys F6
    sh_wait '\[grid\]' 5
    if [ "$cols" -ge 160 ]; then
        check "$size: the title shows row 1 of 200, percent and the columns shown" \
            sh_wait 'row 1 of 200  0%  cols 1-3 of 3' 5
    else
        check "$size: the title shows row 1 of 200, percent and the columns shown" \
            sh_wait '(row 1 of 200  0%  cols 1-3 of 3|1/200 0% c1-3/3)' 5
    fi

    # --- End and PgDn stop at the last row, the last page full -----------------------
    sh_keys G
    check "$size: End: the last row" sh_wait ' 200 .* row200 ' 5
    check "$size: End: the position says row 200 of 200, 100%" sh_wait '(row 200 of 200  100%|200/200 100%)' 5
    sh_keys NPage NPage
    check "$size: PgDn at the end: the row above the last is still shown (the page stays full)" \
        sh_wait ' 199 .* row199 ' 5
    check "$size: ... and the last one" sh_wait ' 200 .* row200 ' 5
    sh_keys g
    _i=0
    while [ $_i -lt 30 ]; do # more pages than the result has
        tmux -L "$SH_SOCK" send-keys -t main NPage
        _i=$((_i + 1))
    done
    check "$size: PgDn after PgDn: still a full last page" sh_wait ' 199 .* row199 ' 5

    # --- search: the match inside the cell, the wrap said, the prompt empty ----------
    sh_keys g /
    sh_wait '^/' 5
    sh_type "w15"
    sh_keys Enter
    check "$size: / finds row15, the first row holding w15" sh_wait '(row 15 of 200  7%|15/200 7%)' 5
    sh_keys n
    check "$size: n finds the next, row150" sh_wait '(row 150 of 200  75%|150/200 75%)' 5
    line=$(sh_screen -e | grep -a 'w15' | head -n 1)
    like "$line" "ro${esc}\\[[0-9;]*mw15${esc}\\[[0-9;]*m[0-9]" "$size: only the match is marked inside the cell (ro[w15]0)"
    sh_keys g
    sh_keys N
    check "$size: N before the first row wraps to the last match" sh_wait '(row 159 of 200|159/200)' 5
    check "$size: ... and says it wrapped" sh_wait 'search wrapped: w15 \(continuing at the bottom\)' 5
    sh_keys n
    check "$size: n past the last match wraps to the top" sh_wait 'search wrapped: w15 \(continuing at the top\)' 5
    check "$size: ... to row15" sh_wait '(row 15 of 200|15/200)' 5
    sh_keys /
    sh_wait '^/' 5
    is "$(msgline | sed 's/ *$//')" "/" "$size: the / prompt starts empty"
    sh_keys Up
    check "$size: Up brings the last term back from the history" sh_wait '^/w15' 5
    sh_keys Escape
    sh_stop
done
done_testing
