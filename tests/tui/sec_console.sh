#!/bin/sh
# tests/tui/sec_console.sh — the console from the attacker's side (issue 10):
# an ordinary role plants OSC 52 (clipboard), OSC 0 (title), CSI 2J, the C1
# CSI U+009B and U+202E in her query texts; the DBA's console runs in tmux
# with set-clipboard on. Read back: the screen's bytes (capture-pane -e: only
# pgdeck's own colour escapes remain), tmux's pane title and clipboard buffer
# (an OSC that got through would have set them), the clipboard after `y`.
# Then secrets: a URI's password is gone from the console's /proc/PID/cmdline;
# the history file (0600 under umask 000) keeps the statement, never a bound
# $n value nor a URI's credentials. Bad input: --theme=/dev/zero and a theme
# file of NULs end start-up at once with a message; F10 and SIGTERM work.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
sleeper=
tui_on_exit '[ -n "$sleeper" ] && kill $sleeper 2>/dev/null'

# pane_clean: "clean" when the last capture-pane -e holds no escape but SGR
# colours, no C1 and no bidi control; else what it found.
cat >"$tmp/clean.py" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
data = re.sub(rb"\x1b\[[0-9;:]*m", b"", data)  # tmux's rendering of pgdeck's colours
bad = []
if b"\x1b" in data: bad.append("ESC %r" % data[data.index(b"\x1b"):][:12])
if b"\x07" in data: bad.append("BEL")
for ch in data.decode("utf-8", "replace"):
    o = ord(ch)
    if 0x80 <= o <= 0x9f: bad.append("C1 U+%04X" % o)
    if 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069 or o in (0x200e, 0x200f, 0x061c):
        bad.append("bidi U+%04X" % o)
print("clean" if not bad else "dirty: " + ", ".join(sorted(set(bad))))
PY
pane_clean() {
    tmux -L "$SH_SOCK" capture-pane -p -e -t main >"$tmp/pane.bin" 2>/dev/null
    python3 "$tmp/clean.py" "$tmp/pane.bin"
}
title() { tmux -L "$SH_SOCK" display-message -p -t main '#{pane_title}' 2>/dev/null; }
quit() {
    sh_keys F10
    sh_wait_dead 3 || { sh_keys y; sh_wait_dead 10; }
    sh_stop
}

GOOD='Console-Pw-8812'
cluster_psql -c "create role pw_x login password '$GOOD' in role pw_users" >/dev/null
cluster_psql -c "create role mallory login" >/dev/null
cluster_psql -c "create database mallorydb owner mallory" >/dev/null
cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
# her heaviest statement (first in the Slow pane by total time), payloads in a comment
printf 'select pg_sleep(0.6) /* \033]52;c;cHduZWQ=\007 \033]0;pwned-title\007 \033[2J \302\2332J \342\200\256gpj.exe */' >"$tmp/planted.sql"
PGUSER=mallory PGDATABASE=mallorydb "$PGDECK_TEST_BINDIR/psql" -X -q -f "$tmp/planted.sql" >/dev/null
ok $? "mallory ran her planted statement"

# --- the DBA's console: Slow pane, detail view, y -------------------------------------
real_pgdeck=$PGDECK
cat >"$tmp/pgdeck-umask" <<EOS
#!/bin/sh
umask 000
exec "$real_pgdeck" "\$@"
EOS
chmod +x "$tmp/pgdeck-umask"
PGDECK=$tmp/pgdeck-umask
hist=$tmp/state/pgdeck/history

sh_start sec 130 36 XDG_STATE_HOME="$tmp/state" -- -h "$PGHOST" -p "$PGPORT" -U postgres postgres
tmux -L "$SH_SOCK" set-option -g set-clipboard on >/dev/null 2>&1
tmux -L "$SH_SOCK" set-buffer -b sentinel "nothing copied yet" >/dev/null 2>&1
sh_wait 'connected' 20
ok $? "the console starts"
title0=$(title)
sh_keys 2
sh_wait 'pg_sleep\(\$1\) /\* \\x1b\]52' 15
ok $? "Slow pane: her statement is listed, its escapes shown as text"
is "$(pane_clean)" clean "Slow pane: no ESC/BEL/C1/bidi from her text on the screen"
sh_keys Enter
sh_wait 'Statement detail' 5
ok $? "the detail view of her statement"
like "$(sh_screen)" '<U\+202E>gpj' "detail view: the bidi override shown as <U+202E>"
is "$(pane_clean)" clean "detail view: no ESC/BEL/C1/bidi on the screen"
sh_keys y
sh_wait 'copied [0-9]+ bytes to the clipboard' 5
ok $? "y copies her text"
buf=$(tmux -L "$SH_SOCK" show-buffer 2>/dev/null)
like "$buf" '^select pg_sleep\(\$1\) /\* \\x1B\]52;c;cHduZWQ=\\x07 \\x1B\]0;pwned-title\\x07 \\x1B\[2J \\u009B2J <U\+202E>gpj.exe \*/$' \
    "the clipboard holds the text with every control escaped"
printf '%s' "$buf" >"$tmp/buf.bin"
is "$(python3 "$tmp/clean.py" "$tmp/buf.bin")" clean "the clipboard: no raw ESC/BEL/C1/bidi"
unlike "$(tmux -L "$SH_SOCK" list-buffers -F '#{buffer_sample}' 2>/dev/null)" '^pwned$' \
    "her OSC 52 never set the clipboard"
is "$(title)" "$title0" "her OSC 0 never set the pane's title"
sh_keys Escape
sh_wait_not 'Statement detail' 5

# --- Activity pane: her running statement -----------------------------------------------
PGUSER=mallory PGDATABASE=mallorydb "$PGDECK_TEST_BINDIR/psql" -X -q \
    -c "select pg_sleep(60) /* $(printf '\033]0;act-title\007 \302\233 \342\200\256') */" >/dev/null 2>&1 &
sleeper=$!
sh_keys 3
sh_wait 'pg_sleep\(60\) /\* \\x1b\]0;act-title' 15
ok $? "Activity pane: her running statement, escapes as text"
is "$(pane_clean)" clean "Activity pane: no ESC/BEL/C1/bidi on the screen"
is "$(title)" "$title0" "Activity pane: the title is untouched"
cluster_psql -c "select pg_terminate_backend(pid) from pg_stat_activity where usename = 'mallory'" >/dev/null
wait $sleeper 2>/dev/null
sleeper=

# --- editor: a value shown in the grid; a bound value never in the history -------------
sh_keys M-4
sh_wait 'Pipeline: (on|off)' 10
ed_run "select E'\\\\x1b]0;grid-title\\\\x07' || chr(8238) || 'cba' as v"
sh_wait 'grid-title' 10
ok $? "editor: a value with escapes is shown"
is "$(pane_clean)" clean "editor grid: no ESC/BEL/bidi on the screen"
is "$(title)" "$title0" "editor grid: the title is untouched"
ed_sql 'select $1::text as bound'
sh_keys F5
sh_wait '\$1' 10
sh_type 'TopSecretValue77'
sh_keys Enter
sh_wait 'TopSecretValue77' 10
ok $? "the statement ran with the value"
ed_run "select 'postgresql://u:UriSecret55@db/x' as uri"
ed_run "alter role mallory PassWord  'RolePw66'"
ed_run "select 'kept_statement' as k"
sh_wait 'kept_statement' 10
quit
check "the history file exists" test -f "$hist"
is "$(stat -c %a "$hist" 2>/dev/null)" 600 "the history file is 0600 under umask 000"
check "the statement with \$1 is kept" grep -qF 'select $1::text as bound' "$hist"
check "its bound value is not" sh -c "! grep -q TopSecretValue77 '$hist'"
check "a URI's credentials are not" sh -c "! grep -q UriSecret55 '$hist'"
check "ALTER ROLE ... PassWord is not" sh -c "! grep -q RolePw66 '$hist'"
check "ordinary statements are" grep -q kept_statement "$hist"

# --- the console's command line: the URI's password is gone -------------------------------
PGDECK=$real_pgdeck
sh_start argv 100 30 -- "postgresql://pw_x:$GOOD@$PGHOST:$PGPORT/postgres"
sh_wait 'connected' 20
ok $? "the console connects with the URI's password"
pid=$(sh_pid)
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
like "$cmdline" "postgresql://pw_x:x+@" "the console's /proc/PID/cmdline: the password overwritten"
unlike "$cmdline" "$GOOD" "the console's /proc/PID/cmdline: the password is not there"
unlike "$SH_CAPTURES" "$GOOD" "the password is never on screen"
quit

# --- bad theme files: at once, and the keys and signals work ---------------------------------
sh_start zero 100 30 -- --theme=/dev/zero -h "$PGHOST" -p "$PGPORT" -U postgres postgres
sh_wait '/dev/zero: cannot open: not a regular file' 15
ok $? "--theme=/dev/zero: refused at once, with a message on screen"
sh_keys F10
sh_wait_dead 5 || { sh_keys y; sh_wait_dead 10; }
ok $? "--theme=/dev/zero: F10 quits"
sh_stop
head -c 3000000 /dev/zero >"$tmp/nuls.theme"
sh_start nuls 100 30 -- --theme="$tmp/nuls.theme" -h "$PGHOST" -p "$PGPORT" -U postgres postgres
sh_wait 'nuls.theme: larger than 1 MB' 15
ok $? "a 3 MB theme of NULs: refused at once"
kill -TERM "$(sh_pid)"
sh_wait_dead 10
ok $? "SIGTERM ends it"
sh_stop

done_testing
