# shell_lib.sh — the one tmux driver for pgdeck's TUI tests (POSIX sh).
# A test starts with these two lines (the first finds the library, which
# loads tests/lib/tap.sh and tests/lib/cluster.sh):
#   . "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
#   tui_begin [--no-cluster] [CLUSTER_START-OPTIONS...]
#
# Set-up and clean-up
#   tui_begin [--no-cluster] [OPT...]  skip without tmux; cluster_start OPT...;
#                               $tmp: a scratch directory; an EXIT trap (tui_end)
#   tui_on_exit SHELL-TEXT     more clean-up for tui_end (eval'd first)
#   tui_end                    the EXIT trap: tui_on_exit's, sh_stop,
#                               cluster_stop, rm -rf $tmp
# Starting and stopping
#   sh_start NAME COLS ROWS [ENV=VALUE...] -- PGDECK-ARGS...
#                              pgdeck in a private tmux server (PG* inherited)
#   sh_start_cmd NAME COLS ROWS SHELL-TEXT   any command line instead of pgdeck
#   sh_stop                    kill the tmux server
#   sh_alive / sh_dead         status 0 while pgdeck runs / once it ended
#   sh_wait_dead [SECONDS]     until it ended
#   sh_quit KEY                KEY, y if it asks (y/n), until pgdeck ended
#   sh_exit_status             pgdeck's exit status once it ended
#   sh_pid                     pgdeck's pid
#   sh_resize COLS ROWS        resize the terminal
# Reading the screen
#   sh_screen [-e]             the visible screen (with -e: with SGR escapes);
#                              every capture is kept in $SH_CAPTURES
#   sh_shows ERE / sh_hides ERE   status of one look at the screen
#   sh_wait ERE [SECONDS]      until the screen matches (status 1 on timeout, 15 s)
#   sh_wait_not ERE [SECONDS]  until the screen no longer matches
#   sh_stat NAME               the number after a stats name (Pool pane)
#   sh_alternate               1 while curses holds the alternate screen, else 0
#   sh_has_colour TEXT         status 0 if a capture -e text has colour escapes
#   sh_prompt_open             status 0 while a prompt shows the cursor
# Typing
#   sh_keys KEYS...            tmux key names, one at a time (a pause after each)
#   sh_type TEXT               literal text
#   sh_cmd TEXT                ':' TEXT Enter on the console's command line
#   sh_close_prompt            Esc if a prompt is open
#   sh_active_pane             the pane the help screen calls "(this pane)"
#   sh_sync [HELP-KEY]         help on and off: every key sent before is handled
# The editor (pane 4)
#   ed_start NAME [ENV=VALUE...]  pgdeck on pane 4 (ED_COLS x ED_ROWS, 120x34)
#   ed_clear / ed_sql SQL      empty the buffer / and type SQL
#   ed_run SQL [SECONDS]       ed_sql, F5, until that run's status shows
#   ed_wait_done [SECONDS]     until the status line no longer says running
#   ed_cmd TEXT                a ':' command from the grid
#   ed_text / ed_status / ed_grid   buffer rows / status line / rows below it
#   ed_grid_wait ERE [S] / ed_grid_wait_not ERE [S]   sh_wait on ed_grid only
# TAP
#   check NAME CMD [ARGS...]   one TAP line from CMD's status; the screen to
#                              the log on failure
# Renamed from the former pool_lib.sh: tui_start -> sh_start (or sh_start_cmd),
# tui_screen -> sh_screen, tui_wait -> sh_wait, tui_keys -> sh_keys (-l TEXT:
# sh_type), tui_cmd -> sh_cmd, tui_dead -> sh_dead, tui_pid -> sh_pid,
# tui_stat -> sh_stat, tui_stop -> sh_stop. editor_lib.sh's ed_* are here.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
# loaded once: a test written before tui_begin sources them itself
command -v wait_until >/dev/null 2>&1 || . "$top_srcdir/tests/lib/tap.sh"
command -v cluster_start >/dev/null 2>&1 || . "$top_srcdir/tests/lib/cluster.sh"

SH_SOCK=
SH_CAPTURES=
SH_N=0
TUI_AT_EXIT=
TUI_TMP=

# ---- set-up and clean-up ---------------------------------------------------
tui_begin() {
    command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
    if [ "${1:-}" = --no-cluster ]; then
        shift
        trap 'exit 129' HUP
        trap 'exit 130' INT
        trap 'exit 143' TERM
    else
        cluster_start "$@"
    fi
    TUI_TMP=$(mktemp -d)
    tmp=$TUI_TMP
    trap 'tui_end' EXIT
}
tui_on_exit() { TUI_AT_EXIT="$TUI_AT_EXIT
$1"; }
tui_end() {
    eval "$TUI_AT_EXIT"
    sh_stop
    cluster_stop
    [ -n "$TUI_TMP" ] && rm -rf "$TUI_TMP"
}

# ---- starting and stopping ---------------------------------------------------
sh_start() {
    _name=$1 _cols=$2 _rows=$3
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
    sh_start_cmd "$_name" "$_cols" "$_rows" "$_env '$PGDECK' $_args"
}
sh_start_cmd() {
    # one console at a time: the previous one's tmux server (kept alive by
    # remain-on-exit) goes first, or it would outlive the test unnamed
    sh_stop
    # a fresh socket each time: a server being killed must not be reused
    SH_N=$((SH_N + 1))
    SH_SOCK="pgdeck-$1-$$-$SH_N"
    SH_STATUS="${TMPDIR:-/tmp}/$SH_SOCK.status"
    rm -f "$SH_STATUS"
    # the environment of the tests' cluster (PG*) is inherited by the server;
    # the shell around the command records its exit status
    tmux -L "$SH_SOCK" -f /dev/null new-session -d -s main -x "$2" -y "$3" \
        "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $4; echo \$? > '$SH_STATUS'"
    tmux -L "$SH_SOCK" set-option -t main remain-on-exit on >/dev/null 2>&1
}
sh_stop() {
    [ -n "$SH_SOCK" ] && tmux -L "$SH_SOCK" kill-server >/dev/null 2>&1
    [ -n "${SH_STATUS:-}" ] && rm -f "$SH_STATUS"
    SH_SOCK=
}
sh_dead() { [ "$(tmux -L "$SH_SOCK" display-message -p -t main '#{pane_dead}' 2>/dev/null)" = 1 ]; }
sh_alive() { ! sh_dead; }
sh_wait_dead() { wait_until "${1:-10}" sh_dead; }
sh_ended_or_asks() { sh_dead || sh_shows '\(y/n\)'; }
sh_quit() {
    sh_keys "$1"
    wait_until 10 sh_ended_or_asks
    sh_dead || sh_keys y
    sh_wait_dead 10
}
sh_exit_status() {
    wait_until 5 test -s "$SH_STATUS"
    cat "$SH_STATUS" 2>/dev/null
}
# pgdeck's pid (the pane runs a shell around it; env execs pgdeck)
sh_pid() { pgrep -P "$(tmux -L "$SH_SOCK" display-message -p -t main '#{pane_pid}' 2>/dev/null)" | head -n 1; }
sh_size_is() { [ "$(tmux -L "$SH_SOCK" display-message -p -t main '#{pane_width}x#{pane_height}' 2>/dev/null)" = "$1" ]; }
# the console has redrawn for width $1: its footer ends at the last column
sh_redrawn() {
    _l=$(sh_screen | tail -n 1 | sed 's/ *$//')
    case $_l in *F10Quit) [ "${#_l}" -ge $(($1 - 1)) ] ;; *) return 1 ;; esac
}
# tmux has the new size at once, the console redraws for it a moment later:
# wait for both (the footer only where the console draws one: 40x10 and up)
sh_resize() {
    tmux -L "$SH_SOCK" resize-window -t main -x "$1" -y "$2" 2>/dev/null
    wait_until 5 sh_size_is "$1x$2"
    if [ "$1" -ge 40 ] && [ "$2" -ge 10 ]; then
        wait_until 5 sh_redrawn "$1"
    fi
    return 0
}

# ---- reading the screen ------------------------------------------------------
sh_screen() {
    _s=$(tmux -L "$SH_SOCK" capture-pane -p $1 -t main 2>/dev/null)
    # every capture is kept, tests assert on all of them (e.g. no password);
    # a screen equal to the last one is kept once (waits poll it often)
    if [ "$_s" != "${SH_LAST_CAPTURE-}" ]; then
        SH_CAPTURES="$SH_CAPTURES
$_s"
        SH_LAST_CAPTURE=$_s
    fi
    printf '%s\n' "$_s"
}
# the waits poll through tap.sh's wait_until
sh_shows() { sh_screen | grep -Eq -- "$1"; }
sh_hides() { ! sh_shows "$1"; }
sh_wait() { wait_until "${2:-15}" sh_shows "$1"; }
sh_wait_not() { wait_until "${2:-15}" sh_hides "$1"; }
# The number on the screen after a stats name: sh_stat requests_num
sh_stat() { sh_screen | grep -Eo -- "$1 +[^0-9]*[0-9]+" | head -n 1 | grep -Eo '[0-9]+$'; }
# 1 while the terminal is in the alternate screen (curses active), else 0
sh_alternate() { tmux -L "$SH_SOCK" display-message -p -t main '#{alternate_on}' 2>/dev/null; }
# Colour escapes (SGR 30-38, 40-48, 90-107, so 38;5;N and 48;5;N too) in a
# capture-pane -e text. 39 and 49 select the terminal's default colours:
# tmux writes them at line ends whatever the program drew.
sh_has_colour() {
    printf '%s' "$1" | grep -Eo "$(printf '\033')\\[[0-9;]*m" | tr -d '\033[m' | tr ';' '\n' |
        grep -Eq '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$'
}
# the panes hide the cursor; a prompt (: / filter / a question) shows it
sh_prompt_open() { [ "$(tmux -L "$SH_SOCK" display-message -p -t main '#{cursor_flag}' 2>/dev/null)" = 1 ]; }

# ---- typing --------------------------------------------------------------------
# The pauses are pacing, not waits: curses must read an Escape apart from the
# key after it (else Esc x is Alt-x), and a key apart from the next.
sh_keys() {
    for _k in "$@"; do
        tmux -L "$SH_SOCK" send-keys -t main "$_k"
        sleep 0.15
    done
}
sh_type() { tmux -L "$SH_SOCK" send-keys -t main -l "$1"; sleep 0.2; }
sh_cmd() {
    sh_keys ':'
    wait_until 5 sh_prompt_open
    sh_type "$1"
    sh_keys Enter
}
# Esc when a prompt is open (the cursor shows): a pane may ask something as
# soon as it is shown (Import asks for a file).
sh_close_prompt() { if sh_prompt_open; then sh_keys Escape; fi; }
# The active pane's name, read from the generated help ("Pane N Name (this pane)").
sh_active_pane() {
    sh_keys F1
    sh_wait 'Global keys' 5 >/dev/null
    sh_screen | sed -n 's/.*Pane [0-9] \([A-Za-z]*\) (this pane).*/\1/p' | head -n 1
    sh_keys Escape
    sh_wait_not 'Global keys' 5 >/dev/null
    sh_close_prompt
}

# A key's absence of effect can't be waited for; the help opening and closing
# again (F1 or the test's help key) shows that every key before it was read.
sh_sync() {
    sh_keys "${1:-F1}"
    sh_wait 'Global keys' 5 >/dev/null
    sh_keys Escape
    sh_wait_not 'Global keys' 5 >/dev/null
}

# ---- the editor (pane 4) -----------------------------------------------------
ed_start() {
    _name=$1
    shift
    sh_start "editor-$_name" "${ED_COLS:-120}" "${ED_ROWS:-34}" "$@" --
    sh_wait 'connected' 20 >/dev/null
    sh_keys M-4
    sh_wait 'Pipeline: (on|off)' 10 >/dev/null
}
# the editor's rows: the screen between the pane bar and the status line
ed_text() { sh_screen | sed -n '3,/Pipeline: \|Open transaction\|transaction failed/p' | sed '$d'; }
ed_status() { sh_screen | grep -m1 'Pipeline: '; }
ed_grid() { sh_screen | sed -n '/Pipeline: /,$p' | sed 1d; }
ed_empty() { [ -z "$(ed_text | tr -d ' ')" ]; }
ed_clear() {
    # Esc > (Alt->, typed as Esc then >): the end of the buffer; the pause
    # keeps the Escape apart (pacing)
    tmux -L "$SH_SOCK" send-keys -t main Escape
    sleep 0.1
    tmux -L "$SH_SOCK" send-keys -t main '>'
    for _i in 1 2 3 4 5 6; do
        tmux -L "$SH_SOCK" send-keys -t main C-e C-u BSpace
    done
    wait_until 5 ed_empty
}
ed_sql() {
    ed_clear
    sh_type "$1"
}
# waits until the status line no longer says running
ed_wait_done() { sh_wait_not '\| running ' "${1:-20}"; }
# A run's outcome: the status line (a new time at least) or the message line
# (a refusal) changed, and nothing says running any more.
ed_outcome() { sh_screen | grep -m1 'Pipeline: '; sh_screen | tail -n 2 | head -n 1; }
ed_run_ended() {
    _now=$(ed_outcome)
    [ "$_now" != "$1" ] && ! printf '%s' "$_now" | grep -Eq '\| (running|canceling) |measuring one by one'
}
# the typed text is on screen and the message line is blank (a key clears an
# old notice): only then is the outcome read "before" the run, or a late
# redraw of the typing would pass for the run's end
ed_typed() {
    _m=$(sh_screen | tail -n 2 | head -n 1 | tr -d ' ')
    [ -z "$_m" ] && sh_screen | grep -Fq -- "$1"
}
ed_run() {
    ed_sql "$1"
    wait_until 5 ed_typed "$(printf '%s\n' "$1" | head -n 1 | cut -c1-30)"
    _before=$(ed_outcome)
    sh_keys F5
    wait_until "${2:-20}" ed_run_ended "$_before"
}
# ed_cmd TEXT: a ':' command (from the grid: in the editor ':' is text)
ed_cmd() {
    sh_keys F6 :
    sh_type "$1"
    sh_keys Enter F6
}
# ed_grid_wait ERE [SECONDS] / ed_grid_wait_not: like sh_wait, below the status line only
ed_grid_shows() { ed_grid | grep -Eq -- "$1"; }
ed_grid_hides() { ! ed_grid_shows "$1"; }
ed_grid_wait() { wait_until "${2:-10}" ed_grid_shows "$1"; }
ed_grid_wait_not() { wait_until "${2:-10}" ed_grid_hides "$1"; }

# ---- TAP -------------------------------------------------------------------------
# check NAME CMD [ARGS...]: one TAP line from a command's status; on failure
# the screen goes to the log
check() {
    _cn=$1
    shift
    if "$@"; then ok 0 "$_cn"; else ok 1 "$_cn"; sh_screen | sed 's/^/#   /'; fi
}
