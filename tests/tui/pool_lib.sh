# pool_lib.sh — tmux helpers for the pool pane's and the demo's TUI tests.
#   tui_start NAME COLS ROWS CMD...   start CMD in a private tmux server
#   tui_screen                        the visible screen as text
#   tui_wait ERE [SECONDS]            until the screen matches (status 1 on timeout)
#   tui_keys KEYS...                  tmux send-keys
#   tui_cmd TEXT                      ':' TEXT Enter on the console's command line
#   tui_pid                           pid of the program in the pane
#   tui_stop                          kill the tmux server
TUI_SOCK=
TUI_N=0
tui_start() {
    # A fresh socket name each time: a server being killed must not be reused.
    TUI_N=$((TUI_N + 1))
    TUI_SOCK="pgdeck-$1-$$-$TUI_N"
    _cols=$2 _rows=$3
    shift 3
    # An explicit environment: a fresh tmux server copies ours, but be sure of
    # the terminal type and a UTF-8 locale.
    tmux -L "$TUI_SOCK" -f /dev/null new-session -d -s main -x "$_cols" -y "$_rows" \
        "exec env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $*"
    tmux -L "$TUI_SOCK" set-option -t main remain-on-exit on >/dev/null 2>&1
}
tui_screen() { tmux -L "$TUI_SOCK" capture-pane -p -t main 2>/dev/null; }
tui_keys() { tmux -L "$TUI_SOCK" send-keys -t main "$@"; }
tui_cmd() {
    tui_keys ':'
    sleep 0.3
    tui_keys -l "$1"
    sleep 0.2
    tui_keys Enter
}
# polls through tap.sh's wait_until (sourced before this file)
tui_shows() { tui_screen | grep -Eq -- "$1"; }
tui_wait() { wait_until "${2:-15}" tui_shows "$1"; }
tui_pid() { tmux -L "$TUI_SOCK" display-message -p -t main '#{pane_pid}' 2>/dev/null; }
tui_dead() { [ "$(tmux -L "$TUI_SOCK" display-message -p -t main '#{pane_dead}' 2>/dev/null)" = 1 ]; }
tui_stop() { [ -n "$TUI_SOCK" ] && tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1; TUI_SOCK=; }
# The number on the screen after a stats name: tui_stat requests_num
tui_stat() { tui_screen | grep -Eo -- "$1 +[^0-9]*[0-9]+" | head -n 1 | grep -Eo '[0-9]+$'; }
