# shell_lib.sh — tmux helpers for the console shell's TUI tests (POSIX sh).
#   sh_start NAME COLS ROWS [ENV=VALUE...] -- PGDECK-ARGS...
#                              start pgdeck in a private tmux server
#   sh_screen [-e]             the visible screen (with -e: with SGR escapes)
#   sh_wait ERE [SECONDS]      until the screen matches (status 1 on timeout)
#   sh_wait_not ERE [SECONDS]  until the screen no longer matches
#   sh_keys KEYS...            tmux send-keys (a pause after, keys are separate)
#   sh_type TEXT               literal text
#   sh_alive                   status 0 while pgdeck runs
#   sh_exit_status             pgdeck's exit status once it ended
#   sh_stop                    kill the tmux server
#   sh_active_pane             the pane the help screen calls "(this pane)"
SH_SOCK=
SH_CAPTURES=
sh_start() {
    SH_SOCK="pgdeck-shell-$1-$$"
    SH_STATUS="${TMPDIR:-/tmp}/$SH_SOCK.status"
    rm -f "$SH_STATUS"
    _cols=$2 _rows=$3
    shift 3
    _env=
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        _env="$_env $1"
        shift
    done
    [ "${1:-}" = "--" ] && shift
    _args=
    for _a in "$@"; do
        _args="$_args '$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"
    done
    # the environment of the tests' cluster (PG*) is inherited by the server;
    # the shell around pgdeck records its exit status
    tmux -L "$SH_SOCK" -f /dev/null new-session -d -s main -x "$_cols" -y "$_rows" \
        "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $_env '$PGDECK' $_args; echo \$? > '$SH_STATUS'"
    tmux -L "$SH_SOCK" set-option -t main remain-on-exit on >/dev/null 2>&1
}
sh_screen() {
    _s=$(tmux -L "$SH_SOCK" capture-pane -p $1 -t main 2>/dev/null)
    # every capture is kept: tests assert on all of them (e.g. no password)
    SH_CAPTURES="$SH_CAPTURES
$_s"
    printf '%s\n' "$_s"
}
sh_keys() {
    for _k in "$@"; do
        tmux -L "$SH_SOCK" send-keys -t main "$_k"
        sleep 0.15
    done
}
sh_type() { tmux -L "$SH_SOCK" send-keys -t main -l "$1"; sleep 0.2; }
# the waits poll through tap.sh's wait_until (sourced before this file)
sh_shows() { sh_screen | grep -Eq -- "$1"; }
sh_hides() { ! sh_shows "$1"; }
sh_wait() { wait_until "${2:-15}" sh_shows "$1"; }
sh_wait_not() { wait_until "${2:-15}" sh_hides "$1"; }
sh_dead() { [ "$(tmux -L "$SH_SOCK" display-message -p -t main '#{pane_dead}' 2>/dev/null)" = 1 ]; }
sh_alive() { ! sh_dead; }
sh_wait_dead() { wait_until "${1:-10}" sh_dead; }
sh_exit_status() {
    wait_until 5 test -s "$SH_STATUS"
    cat "$SH_STATUS" 2>/dev/null
}
# pgdeck's pid (the pane runs a shell around it)
sh_pid() { pgrep -P "$(tmux -L "$SH_SOCK" display-message -p -t main '#{pane_pid}' 2>/dev/null)" | head -n 1; }
# 1 while the terminal is in the alternate screen (curses active), else 0
sh_alternate() { tmux -L "$SH_SOCK" display-message -p -t main '#{alternate_on}' 2>/dev/null; }
sh_resize() { tmux -L "$SH_SOCK" resize-window -t main -x "$1" -y "$2"; sleep 0.3; }
sh_stop() {
    [ -n "$SH_SOCK" ] && tmux -L "$SH_SOCK" kill-server >/dev/null 2>&1
    [ -n "${SH_STATUS:-}" ] && rm -f "$SH_STATUS"
    SH_SOCK=
}
# The active pane's name, read from the generated help ("Pane N Name (this pane)").
sh_active_pane() {
    sh_keys F1
    sh_wait 'Global keys' 5 >/dev/null
    sh_screen | sed -n 's/.*Pane [0-9] \([A-Za-z]*\) (this pane).*/\1/p' | head -n 1
    sh_keys Escape
    sh_wait_not 'Global keys' 5 >/dev/null
    sh_close_prompt
}
# Esc when a prompt is open (the cursor shows): a pane may ask something as
# soon as it is shown (Import asks for a file).
sh_close_prompt() {
    if [ "$(tmux -L "$SH_SOCK" display-message -p -t main '#{cursor_flag}' 2>/dev/null)" = 1 ]; then
        sh_keys Escape
    fi
}
# Colour escapes (SGR 30-38, 40-48, 90-107, so 38;5;N and 48;5;N too) in a
# capture-pane -e text. 39 and 49 select the terminal's default colours:
# tmux writes them at line ends whatever the program drew.
sh_has_colour() {
    printf '%s' "$1" | grep -Eo "$(printf '\033')\\[[0-9;]*m" | tr -d '\033[m' | tr ';' '\n' |
        grep -Eq '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$'
}
