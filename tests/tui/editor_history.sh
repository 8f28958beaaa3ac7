#!/bin/sh
# tests/tui/editor_history.sh — the editor's history survives a restart, its
# file is 0600 although pgdeck runs with umask 000, a statement containing
# PASSWORD is never written, Up walks back through it and C-r finds an
# entry; the console's own prompt history in the same file is kept.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
real_pgdeck=$PGDECK
cat >"$tmp/pgdeck-umask" <<EOS
#!/bin/sh
umask 000
exec "$real_pgdeck" "\$@"
EOS
chmod +x "$tmp/pgdeck-umask"
PGDECK=$tmp/pgdeck-umask
hist=$tmp/state/pgdeck/history

quit() {
    sh_keys F10
    sh_wait_dead 3 || { sh_keys y; sh_wait_dead 10; }
    sh_stop
}

ed_start hist1 XDG_STATE_HOME="$tmp/state"
ed_run "select 'hist_one' as h"
check "first statement ran" sh_wait 'hist_one' 5
ed_run "select 'my PassWord is xyzzy' as secret"
ed_run "select 'hist_two' as h"
check "third statement ran" sh_wait 'hist_two' 5
ed_cmd "refresh 1"
quit

check "the history file exists" test -f "$hist"
mode=$(stat -c %a "$hist" 2>/dev/null)
is "$mode" 600 "the history file is 0600 with umask 000"
dmode=$(stat -c %a "$tmp/state/pgdeck" 2>/dev/null)
is "$dmode" 700 "its directory is 0700"
check "the statements are in the file" grep -q "hist_one" "$hist"
check "the PASSWORD statement is not" sh -c "! grep -qi xyzzy '$hist'"
check "the console's command history is kept in the same file" grep -q '^command	refresh 1' "$hist"

ed_start hist2 XDG_STATE_HOME="$tmp/state"
ed_clear
sh_keys Up
check "Up after a restart: the newest entry" sh_wait "^select 'hist_two' as h" 5
sh_keys Up
check "Up again: the one before (the PASSWORD one was never kept)" sh_wait "^select 'hist_one' as h" 5
sh_keys Down Down
check "Down back to the empty draft" sh_wait_not "^select 'hist_" 5
sh_keys C-r
sh_type "one"
check "C-r shows the search" sh_wait "reverse-i-search.'one'" 5
check "C-r finds the entry" sh_wait "^select 'hist_one' as h" 5
sh_keys Enter F5
ed_wait_done
check "the entry found runs" sh_wait ' hist_one ' 5
quit
check "the file is still 0600 after the console saved it" test "$(stat -c %a "$hist")" = 600
check "both entries are still there" sh -c "grep -q hist_one '$hist' && grep -q hist_two '$hist'"
done_testing
