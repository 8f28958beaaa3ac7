#!/bin/sh
# The console shell in tmux against a throwaway cluster: header, help, pane
# switching, command line, refresh keys, resize to 1x1, Ctrl-C, quitting.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-shell-XXXXXX")
tui_on_exit 'rm -rf "$work"'
# no config or history of whoever runs the tests
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"

sh_start main 100 30 -- --refresh 1
sh_wait "\\| connected \\|" 20
s=$(sh_screen)
like "$s" "PostgreSQL 1[0-9]" "header: server version"
like "$s" "db postgres" "header: database"
like "$s" "postgres@127\\.0\\.0\\.1:$PGPORT" "header: user@host:port"
like "$s" "refresh 1\\.0s" "header: refresh interval"
bar=$(printf '%s\n' "$s" | sed -n 2p)
like "$bar" "1 Pool" "pane bar lists the Pool pane"
panes=$(printf '%s\n' "$bar" | grep -Eo '[1-9] [A-Z][a-z]+' | awk '{print $2}')
npanes=$(printf '%s\n' "$panes" | grep -c .)
diag "registered panes: $(echo $panes)"
footer=$(printf '%s\n' "$s" | tail -n 1)
like "$footer" "F1Help" "footer: F1 Help from the keymap"
like "$footer" "F10Quit" "footer: F10 Quit from the keymap"

# help: F1 and ?, generated from the keymap and the panes' keys
sh_keys F1
sh_wait "Global keys" 5
s=$(sh_screen)
like "$s" "F1, \\?  +Show this help" "F1: help lists help's keys"
like "$s" "F10, q +Quit" "F1: help lists quit's keys"
like "$s" "M-1, 1 +Pane 1" "F1: help lists the pane keys of the keymap"
like "$s" "Pane 1 Pool \\(this pane\\)" "F1: help has the active pane's section"
sh_keys Escape
sh_wait_not "Global keys" 5
ok $? "Esc closes the help"
sh_keys '?'
sh_wait "Global keys" 5
ok $? "? opens the help"
sh_keys Down Down Down
sh_keys Escape
sh_wait_not "Global keys" 5

# pane switching
if [ "$npanes" -ge 2 ]; then
    second=$(printf '%s\n' "$panes" | sed -n 2p)
    third=$(printf '%s\n' "$panes" | sed -n "${npanes}p")
    sh_keys Tab
    is "$(sh_active_pane)" "$second" "Tab: the second pane"
    sh_keys BTab
    is "$(sh_active_pane)" "Pool" "Shift-Tab: back to Pool"
    sh_keys BTab
    is "$(sh_active_pane)" "$third" "Shift-Tab wraps to the last pane"
    sh_keys Tab
    is "$(sh_active_pane)" "Pool" "Tab wraps to the first pane"
    num=$(printf '%s\n' "$bar" | grep -Eo "[1-9] $third" | cut -c1)
    sh_keys "$num"
    is "$(sh_active_pane)" "$third" "digit $num: $third"
    sh_keys M-1
    is "$(sh_active_pane)" "Pool" "Alt-1: Pool"
    sh_keys "M-$num"
    is "$(sh_active_pane)" "$third" "Alt-$num: $third"
    sh_keys F1
    sh_wait "Global keys" 5
    sh_keys M-1
    sh_wait_not "Global keys" 5
    ok $? "Alt-1 from the help closes it"
    is "$(sh_active_pane)" "Pool" "... and shows Pool"
    sh_keys M-1
else
    diag "only one pane registered: Tab stays on Pool"
    sh_keys Tab
    is "$(sh_active_pane)" "Pool" "Tab with one pane stays"
fi
absent=
for n in 6 5 4 3 2; do
    printf '%s\n' "$bar" | grep -Eq "$n [A-Z]" || absent=$n
done
if [ -n "$absent" ]; then
    sh_keys "$absent"
    sh_wait "No pane $absent" 5
    ok $? "digit of a pane not in this build says so"
fi

# the command line
sh_keys ':'
sh_wait '^:' 5
ok $? ": opens the command line on the message line"
sh_type "frobnicate now"
sh_wait '^:frobnicate now' 5
ok $? "typed text shows on the command line"
sh_keys Enter
sh_wait "Unknown command: frobnicate" 5
ok $? "unknown command: a clear message"
sh_keys ':'
sh_wait '^:' 5
sh_keys Up
sh_wait '^:frobnicate now' 5
ok $? "Up recalls the command history"
sh_keys Escape
sh_wait_not '^:' 5
ok $? "Esc closes the command line"
sh_keys ':'
sh_type "abc"
sh_keys F1
sh_wait "Global keys" 5
ok $? "F1 from the command line opens the help"
sh_keys Escape
sh_wait_not "Global keys" 5
sh_wait '^:abc' 5
ok $? "... and the command line waits under it"
sh_keys M-1
sh_wait_not '^:abc' 5
ok $? "Alt-1 from the command line closes it"
# The ':' commands are tables (the app's and each pane's): completion and
# help come from the same tables as dispatch, pane commands included.
sh_keys ':'
sh_type "pipel"
sh_keys Tab
sh_wait '^:pipeline' 5
ok $? "Tab completes a pane's command (:pipeline) from its table"
sh_keys Escape
sh_wait_not '^:' 5
sh_keys ':'
sh_type "REFRESH 4"
sh_keys Enter
sh_wait "refresh 4\\.0s" 5
ok $? "command names are case-insensitive (:REFRESH 4)"
sh_keys F1
sh_wait "Global keys" 5
sh_keys NPage NPage NPage NPage NPage NPage
sh_wait ":pipeline on\\|off" 5
ok $? "help lists the editor's :pipeline from its table"
like "$(sh_screen)" "sort the server.s statements \\(Slow pane\\)" "help names the pane a command belongs to"
sh_keys Escape
sh_wait_not "Global keys" 5
sh_keys ':'
sh_type "refresh 5"
sh_keys Enter
sh_wait "refresh 5\\.0s" 5
ok $? ":refresh 5 shows in the header"
sh_keys ':'
sh_type "pane Pool"
sh_keys Enter
is "$(sh_active_pane)" "Pool" ":pane Pool"
sh_keys ':'
sh_type "help"
sh_keys Enter
sh_wait "Global keys" 5
ok $? ":help opens the help"
sh_keys Escape
sh_wait_not "Global keys" 5

# :set, with the config file's names
sh_keys ':'
sh_type "set refresh 2"
sh_keys Enter
sh_wait "refresh 2\\.0s" 5
ok $? ":set refresh 2 applies at once"
sh_keys ':'
sh_type "set frobnicate 1"
sh_keys Enter
sh_wait "set: .*frobnicate" 5
ok $? ":set of an unknown setting: an error naming it"

# refresh interval and pause
sh_keys ':'
sh_type "refresh 1"
sh_keys Enter
sh_wait "refresh 1\\.0s" 5
sh_keys +
sh_wait "refresh 1\\.5s" 5
ok $? "+ makes the interval 0.5 s longer"
sh_keys - - -
sh_wait "refresh 0\\.5s" 5
ok $? "- makes it shorter"
sh_keys -
sh_sync
like "$(sh_screen | head -n 1)" "refresh 0\\.5s" "- stops at 0.5 s"
sh_resize 220 30 # room for every footer item next to the pane's keys
like "$(sh_screen | tail -n 1)" "SpacePause" "the footer offers to pause"
sh_keys Space
sh_wait "PAUSED" 5
ok $? "Space pauses (header)"
like "$(sh_screen | tail -n 1)" "SpaceResume" "the footer offers to resume"
sh_keys Space
sh_wait_not "PAUSED" 5
ok $? "Space resumes"
sh_resize 100 30

# Ctrl-C is a key, never a kill
sh_keys C-c
sh_sync
sh_alive
ok $? "Ctrl-C does not end the console"

# resize storms down to 1x1 and back
sh_resize 30 6
sh_wait "terminal too small" 5
ok $? "30x6: terminal too small"
sh_resize 1 1
sh_resize 2 1
sh_resize 1 3
sh_resize 1 1
sh_alive
ok $? "alive at 1x1"
for size in "100 30" "40 10" "1 1" "80 24" "5 2" "100 30"; do
    tmux -L "$SH_SOCK" resize-window -t main -x "${size% *}" -y "${size#* }"
done
sh_alive && sh_sync
sh_alive
ok $? "alive after a resize storm"
sh_wait "\\| connected \\|" 10
s=$(sh_screen)
like "$(printf '%s\n' "$s" | head -n 1)" "PostgreSQL.*postgres@127\\.0\\.0\\.1:$PGPORT" "back at 100x30: header"
like "$(printf '%s\n' "$s" | sed -n 2p)" "1 Pool" "back at 100x30: pane bar"
like "$(printf '%s\n' "$s" | tail -n 1)" "F1Help.*F10Quit" "back at 100x30: footer"
unlike "$s" "too small" "back at 100x30: no 'too small'"
# a storm while the command line is open: the typed text survives
sh_keys ':'
sh_type "still"
for size in "1 1" "3 2" "50 12" "1 1" "100 30"; do
    tmux -L "$SH_SOCK" resize-window -t main -x "${size% *}" -y "${size#* }"
done
sh_wait '^:still' 5
ok $? "the command line survives a resize storm"
sh_type "here"
sh_keys Enter
sh_wait "Unknown command: stillhere" 5
ok $? "... and still takes keys"
sh_resize 40 10
s=$(sh_screen)
unlike "$s" "too small" "40x10 is enough"
# tmux has the new size at once; the console redraws for it a moment later
footer_back() { sh_screen | tail -n 1 | grep -q F1Help; }
wait_until 15 footer_back
ok $? "40x10: footer"
sh_resize 100 30

# quit with q
sh_keys q
sh_wait_dead 10
ok $? "q quits"
is "$(sh_exit_status)" "0" "exit status 0"
sh_stop

# the command history survives a restart (0600, in $XDG_STATE_HOME)
hist="$XDG_STATE_HOME/pgdeck/history"
[ -f "$hist" ] && [ "$(stat -c %a "$hist")" = 600 ]
ok $? "history saved at exit with mode 600"
# quit with F10, from inside the command line too
sh_start f10 100 30 --
sh_wait "\\| connected \\|" 20
sh_keys ':'
sh_wait '^:' 5
sh_keys Up
sh_wait '^:stillhere' 5
ok $? "the last session's command is in the history"
sh_keys F10
sh_wait_dead 10
ok $? "F10 quits (even from the command line)"
is "$(sh_exit_status)" "0" "exit status 0"
sh_stop

# a kill loses no command: each accepted line is saved at once
sh_start killed 100 30 --
sh_wait "\\| connected \\|" 20
sh_keys ':'
sh_wait '^:' 5
sh_type 'zz-before-kill'
sh_keys Enter
sh_wait 'zz-before-kill' 5
kill -9 "$(sh_pid)"
sh_wait_dead 10
grep -q 'zz-before-kill' "$hist"
ok $? "a command survives kill -9 (saved when accepted)"
is "$(stat -c %a "$hist")" 600 "the history file stays 0600"
sh_stop

# quit while something runs asks first
sh_start busy 100 30 --
sh_wait "\\| connected \\|" 20
sh_keys ':'
sh_type "load -c 2 -t 60 select pg_sleep(0.05)"
sh_keys Enter
sh_wait 'load: 2 clients' 5 >/dev/null
for size in "1 1" "60 15" "2 2" "1 1" "100 30" "7 3" "100 30"; do
    tmux -L "$SH_SOCK" resize-window -t main -x "${size% *}" -y "${size#* }"
    sleep 0.1 # the point: a storm of separate resizes while the load runs
done
sh_alive
ok $? "a resize storm while a load runs: alive"
sh_keys q
if sh_wait "Quit anyway\\? \\(y/n\\)" 5; then
    ok 0 "q while a load runs asks to confirm"
    sh_keys n
    sh_sync
    sh_alive
    ok $? "n keeps the console"
    sh_keys F10
    sh_wait "Quit anyway\\? \\(y/n\\)" 5
    ok $? "F10 asks too"
    sh_keys y
    sh_wait_dead 15
    ok $? "y quits"
else
    ok 1 "q while a load runs asks to confirm"
    diag "$(sh_screen)"
fi
sh_stop

# signals: the terminal is restored on every exit path (tmux tells whether
# the program left the alternate screen, which endwin does)
for sig in TERM INT HUP; do
    sh_start "sig$sig" 100 30 --
    sh_wait "\\| connected \\|" 20
    is "$(sh_alternate)" "1" "SIG$sig: curses screen active before"
    kill -"$sig" "$(sh_pid)"
    sh_wait_dead 10
    ok $? "SIG$sig ends the console"
    is "$(sh_exit_status)" "0" "SIG$sig: handled in the loop, exit status 0"
    is "$(sh_alternate)" "0" "SIG$sig: terminal restored"
    sh_stop
done
for sig in SEGV ABRT; do
    sh_start "sig$sig" 100 30 --
    sh_wait "\\| connected \\|" 20
    kill -"$sig" "$(sh_pid)"
    sh_wait_dead 10
    ok $? "SIG$sig ends the console"
    st=$(sh_exit_status)
    [ "$st" -gt 128 ] 2>/dev/null
    ok $? "SIG$sig: re-raised, the process dies of it (status $st)"
    is "$(sh_alternate)" "0" "SIG$sig: terminal restored before dying"
    sh_stop
done
sh_start quitq 100 30 --
sh_wait "\\| connected \\|" 20
sh_keys q
sh_wait_dead 10
is "$(sh_alternate)" "0" "q: terminal restored"
sh_stop

done_testing
