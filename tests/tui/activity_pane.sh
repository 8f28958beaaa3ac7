#!/bin/sh
# tests/tui/activity_pane.sh — the Activity pane in tmux against a real
# cluster: a running pg_sleep(30) is listed; C asks, cancels it, says so, and
# the server confirms (pg_stat_activity, the client's error); K with n does
# nothing, with y terminates; tagged backends are signalled together; a lock
# chain shows blocker and blocked (views, locks); idle sessions hidden by
# default; --readonly refuses C and K.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
bg=
tui_on_exit 'for p in $bg; do kill $p 2>/dev/null; done'

# run SQL in the background as application NAME, output in $tmp/NAME.out
bg_sql() { # bg_sql NAME SQL...
    _n=$1
    shift
    PGAPPNAME=$_n cluster_psql "$@" >"$tmp/$_n.out" 2>&1 &
    bg="$bg $!"
}
pid_of() { cluster_psql -c "select pid from pg_stat_activity where application_name = '$1'"; }
is_active() { [ "$(cluster_psql -c "select state from pg_stat_activity where application_name = '$1'")" = active ]; }
wait_active() { wait_until 10 is_active "$1"; } # wait_active APP: until its backend runs a statement
# narrow the list to one application with the pane's / filter
filter() {
    sh_keys /
    sh_wait 'filter \(pid' 5
    sh_keys C-u
    sh_type "$1"
    sh_keys Enter
    # keys sent before the prompt closed would go into it: wait for the
    # status line to show the filter (or, when cleared, no filter at all)
    if [ -n "$1" ]; then
        sh_wait "filter: $1" 5
    else
        sh_wait_not 'filter(: | \(pid)' 5
    fi
}

bg_sql sleeper1 -c "select pg_sleep(30)"
wait_active sleeper1
pid1=$(pid_of sleeper1)

sh_start act 120 36 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
sh_wait 'connected' 20
ok $? "the console starts"
sh_keys 3
sh_wait 'Activity: [0-9]+ sessions?' 10
ok $? "pane 3 is Activity"
sh_wait "$pid1 +postgres +postgres +sleeper1 .* active .*select pg_sleep\\(30\\)" 10
ok $? "the running pg_sleep(30) is listed with pid, database, user, application, state, query"
# the first list already knows whether /proc serves the backends; with its
# four columns at 120 the empty blocked column must go, without them it stays
scr=$(sh_screen)
case $scr in
*'local /proc'*) like "$scr" 'pid +database +user +app .*cpu% +mem +read/s +write/s +state +wait +xact +time +query' \
    "column headers (empty ones go when the query would get narrow)" ;;
*) like "$scr" 'pid +database +user +app .*state +wait +xact +time( +blocked)? +query' \
    "column headers (empty ones go when the query would get narrow)" ;;
esac
unlike "$(sh_screen)" ' idle  ' "idle sessions are hidden by default"
sh_keys i
sh_wait 'idle shown' 5
ok $? "i shows idle sessions"
sh_wait ' idle ' 5
ok $? "idle sessions listed"
sh_keys i

filter sleeper1
sh_keys C
sh_wait "Cancel the query of pid $pid1 \\(user postgres, app sleeper1\\): select pg_sleep\\(30\\)\\? \\(y/n\\)" 5
ok $? "C asks for confirmation"
sh_keys y
sh_wait "cancel: pid $pid1 signalled" 10
ok $? "the outcome is shown"
wait $(echo $bg | awk '{print $1}') 2>/dev/null
like "$(cat "$tmp/sleeper1.out")" 'canceling statement due to user request' "the client got the cancel"
state=$(cluster_psql -c "select coalesce((select state from pg_stat_activity where pid = $pid1 and query = 'select pg_sleep(30)' and state = 'active'), 'not running')")
is "$state" "not running" "on the server: pg_sleep(30) no longer runs"

# --- K: n does nothing, y terminates ---------------------------------------------
bg_sql sleeper2 -c "select pg_sleep(30)"
wait_active sleeper2
pid2=$(pid_of sleeper2)
filter sleeper2
sh_wait "$pid2 " 10
sh_keys K
sh_wait "Terminate pid $pid2 \\(user postgres, app sleeper2\\): select pg_sleep\\(30\\)\\? \\(y/n\\)" 5
ok $? "K asks for confirmation"
sh_keys n
sh_wait 'terminate not applied' 5
ok $? "n: not applied"
is "$(cluster_psql -c "select count(*) from pg_stat_activity where pid = $pid2")" 1 "the backend still runs"
sh_keys K
sh_wait '\(y/n\)' 5
sh_keys y
sh_wait "terminate: pid $pid2 signalled" 10
ok $? "y: terminated, and says so"
i=0
while [ $i -lt 50 ] && [ "$(cluster_psql -c "select count(*) from pg_stat_activity where pid = $pid2")" != 0 ]; do
    sleep 0.1
    i=$((i + 1))
done
is "$(cluster_psql -c "select count(*) from pg_stat_activity where pid = $pid2")" 0 "on the server: the backend is gone"

# --- tags: two backends cancelled at once ----------------------------------------
bg_sql tagme_a -c "select pg_sleep(30)"
bg_sql tagme_b -c "select pg_sleep(30)"
wait_active tagme_a
wait_active tagme_b
pa=$(pid_of tagme_a)
pb=$(pid_of tagme_b)
filter tagme
sh_wait "tagme_b" 10
sh_wait "tagme_a" 10
sh_keys g Space
sh_wait '1 tagged' 5
ok $? "Space tags the selected backend (pg_activity's key), it does not pause"
sh_keys t
sh_wait '2 tagged' 5
ok $? "two backends tagged"
like "$(sh_screen)" "^\* +$pa .*tagme_a" "the tag mark on the first"
sh_keys C
sh_wait 'Cancel the queries of 2 tagged backends' 5
ok $? "C asks about both"
sh_keys y
sh_wait "cancel: pid [0-9]+ signalled; pid [0-9]+ signalled" 10
ok $? "both signalled"
# the pane says "signalled" when pg_cancel_backend returned; the backends
# act on the signal a moment later
tagged_running() { cluster_psql -c "select count(*) from pg_stat_activity where pid in ($pa, $pb) and state = 'active'"; }
tagged_stopped() { [ "$(tagged_running)" = 0 ]; }
wait_until 10 tagged_stopped
is "$(tagged_running)" 0 "on the server: neither runs"

# --- a lock chain ------------------------------------------------------------------
cluster_psql -c "create table locktest(i int)"
mkfifo "$tmp/holder.in"
( PGAPPNAME=holder cluster_psql <"$tmp/holder.in" >"$tmp/holder.out" 2>&1 ) &
bg="$bg $!"
exec 9>"$tmp/holder.in"
echo "begin; lock table locktest in access exclusive mode; select 'locked';" >&9
i=0
while [ $i -lt 200 ] && ! grep -q locked "$tmp/holder.out"; do sleep 0.1; i=$((i + 1)); done
bg_sql waiter -c "select * from locktest"
wait_active waiter
hpid=$(pid_of holder)
wpid=$(pid_of waiter)
filter ''
sh_keys w
sh_wait "view waiting" 10
r=$?
ok $r "w: the waiting view"
if [ $r -ne 0 ]; then
    sh_screen | sed 's/^/# /'
    diag "tmux: $(tmux -L "$SH_SOCK" ls 2>&1) status: $(cat "$SH_STATUS" 2>/dev/null)"
fi
sh_wait "$wpid +postgres +postgres +waiter .*Lock:relation .* $hpid " 10
ok $? "the blocked backend is listed, blocked by the holder's pid"
unlike "$(sh_screen)" " $hpid +postgres +postgres +holder" "the holder is not in the waiting view"
sh_wait "AWAITED +AccessShareLock +relation +locktest +blocked by $hpid" 10
ok $? "its locks: AccessShareLock on locktest awaited, blocked by the holder"
sh_keys b
sh_wait 'view blocking' 5
sh_wait "$hpid +postgres +postgres +holder .*idle txn" 10
ok $? "b: the blocking view shows the holder, idle in transaction"
sh_wait "held +AccessExclusiveLock +relation +locktest" 10
ok $? "its locks: AccessExclusiveLock on locktest held"
exec 9>&-
sh_stop

# --- --readonly ----------------------------------------------------------------------
bg_sql sleeper3 -c "select pg_sleep(30)"
wait_active sleeper3
pid3=$(pid_of sleeper3)
sh_start actro 120 36 -- --readonly -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
sh_wait 'connected' 20
sh_keys 3
filter sleeper3
sh_wait "$pid3 " 10
sh_keys C
sh_wait 'read-only mode: cancel is disabled' 5
ok $? "C is refused under --readonly"
sh_keys K
sh_wait 'read-only mode: terminate is disabled' 5
ok $? "K is refused under --readonly"
is "$(cluster_psql -c "select state from pg_stat_activity where pid = $pid3")" active "the backend still runs"
cluster_psql -c "select pg_terminate_backend($pid3)" >/dev/null
done_testing
