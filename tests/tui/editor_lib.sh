# editor_lib.sh — helpers for the editor pane's TUI tests (on shell_lib.sh).
#   ed_start NAME [ENV=VALUE...]   pgdeck in tmux (ED_COLS x ED_ROWS, default
#                                   120x34), on pane 4
#   ed_clear                        empties the buffer (Esc >, then C-e C-u BS per line)
#   ed_sql SQL                      clears, types SQL
#   ed_run SQL                      ed_sql + F5, waits until the run ended
#   ed_grid                         the screen below the status line
ed_start() {
    _name=$1
    shift
    sh_start "editor-$_name" "${ED_COLS:-120}" "${ED_ROWS:-34}" "$@" --
    sh_wait 'connected' 20 >/dev/null
    sh_keys M-4
    sh_wait 'Pipeline: (on|off)' 10 >/dev/null
}
ed_clear() {
    # Esc > (Alt->, typed as Esc then >): the end of the buffer
    tmux -L "$SH_SOCK" send-keys -t main Escape
    sleep 0.1
    tmux -L "$SH_SOCK" send-keys -t main '>'
    for _i in 1 2 3 4 5 6; do
        tmux -L "$SH_SOCK" send-keys -t main C-e C-u BSpace
    done
    sleep 0.2
}
ed_sql() {
    ed_clear
    sh_type "$1"
}
# waits until the status line no longer says running
ed_wait_done() { sh_wait_not '\| running ' "${1:-20}"; }
ed_run() {
    ed_sql "$1"
    sh_keys F5
    sleep 0.3
    ed_wait_done "${2:-20}"
}
# the editor's rows: the screen between the pane bar and the status line
ed_text() { sh_screen | sed -n '3,/Pipeline: \|Open transaction\|transaction failed/p' | sed '$d'; }
ed_status() { sh_screen | grep -m1 'Pipeline: ' ; }
ed_grid() { sh_screen | sed -n '/Pipeline: /,$p' | sed 1d; }
# check NAME CMD [ARGS...]: one TAP line from a command's status; on failure
# the screen goes to the log
check() {
    _cn=$1
    shift
    if "$@"; then ok 0 "$_cn"; else ok 1 "$_cn"; sh_screen | sed 's/^/#   /'; fi
}
# ed_cmd TEXT: a ':' command (from the grid: in the editor ':' is text)
ed_cmd() {
    sh_keys F6 :
    sh_type "$1"
    sh_keys Enter F6
}
# ed_grid_wait ERE [SECONDS] / ed_grid_wait_not: like sh_wait, below the status line only
ed_grid_wait() {
    _re=$1 _limit=$(( ${2:-10} * 10 )) _i=0
    while [ "$_i" -lt "$_limit" ]; do
        if ed_grid | grep -Eq -- "$_re"; then return 0; fi
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}
ed_grid_wait_not() {
    _re=$1 _limit=$(( ${2:-10} * 10 )) _i=0
    while [ "$_i" -lt "$_limit" ]; do
        if ! ed_grid | grep -Eq -- "$_re"; then return 0; fi
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}
