#!/bin/sh
# tests/tui/activity_safety.sh — the Activity pane never signals a backend the
# DBA did not pick, at 80x24 and 160x45, against a real cluster:
#   - four sessions whose order changes at every refresh (pg_sleep of random
#     lengths, --refresh 0.5); once the cursor moves the list freezes: the
#     rows and their order stay as they were while the server moves on;
#   - the row under the cursor after one more Down is the one K names (pid,
#     user, application, the start of its query), and after y exactly that
#     pid is gone on the server, the others still run;
#   - a backend that ended after it was picked is not signalled: "not
#     applied: pid N is no longer that backend" (pid and backend_start);
#   - Esc makes the list follow the refresh again;
#   - pgdeck's own monitor backends are hidden until o shows them;
#   - the header has pg_activity's figures; the server is local here, so the
#     backends' CPU / memory / I/O come from /proc;
#   - p pauses in Activity (Space tags there) and the footer says so.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
bg=
tui_on_exit 'for p in $bg; do kill $p 2>/dev/null; done'

# a session that keeps running statements of random lengths: its query_start
# (and so its place in the list sorted by time) changes all the time
i=0
while [ $i -lt 3000 ]; do
    echo "select pg_sleep(0.05 + random() * 0.4);"
    i=$((i + 1))
done >"$tmp/shuffle.sql"
start_racers() { # start_racers N: sessions race1..raceN
    _k=1
    while [ $_k -le "$1" ]; do
        PGAPPNAME=race$_k cluster_psql -f "$tmp/shuffle.sql" >/dev/null 2>&1 &
        bg="$bg $!"
        _k=$((_k + 1))
    done
}
racers_up() { [ "$(cluster_psql -c "select count(*) from pg_stat_activity where application_name like 'race%'")" = "$1" ]; }
alive() { [ "$(cluster_psql -c "select count(*) from pg_stat_activity where pid = $1")" = 1 ]; }
gone() { ! alive "$1"; }
# the list's rows of the racers, as drawn (pid first)
race_rows() { sh_screen | grep -E '^[ *]*[0-9]+ +postgres +postgres +race[0-9]'; }
race_pids() { race_rows | awk '{print $1}' | tr -d '*'; }
nrows() { [ "$(race_rows | wc -l)" -eq "$1" ]; }
# the selected backend, from the detail panel under the list
selected_pid() { sh_screen | sed -n 's/^pid \([0-9]*\) locks.*/\1/p' | head -n 1; }
# every racer ran a new statement since the server's clock read $1
all_restarted() { [ "$(cluster_psql -c "select count(*) from pg_stat_activity where application_name like 'race%' and query_start > '$1'")" = "$(racers_count)" ]; }
racers_count() { cluster_psql -c "select count(*) from pg_stat_activity where application_name like 'race%'"; }
filter() {
    sh_keys /
    sh_wait 'filter \(pid' 5
    sh_keys C-u
    sh_type "$1"
    sh_keys Enter
    sh_wait "filter: $1" 5
}

for size in 80x24 160x45; do
    cols=${size%x*}
    rows=${size#*x}
    start_racers 4
    wait_until 10 racers_up 4
    sh_start "act$size" "$cols" "$rows" -- --refresh 0.5 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
    sh_wait 'connected' 20
    sh_keys 3
    sh_wait 'Activity: [0-9]+ sessions?' 10
    ok $? "$size: pane 3 is Activity"
    filter race
    sh_keys i
    sh_wait 'idle shown' 5
    wait_until 10 nrows 4
    ok $? "$size: the four racing sessions are listed"
    like "$(sh_screen | head -n 3)" 'filter: race' "$size: the filter is visible in the title"
    like "$(sh_screen)" 'pid +database +user +app .*query' "$size: a query column is shown"
    like "$(race_rows | head -n 1)" 'select pg_sleep' "$size: the query text is in the row"

    # --- the header figures --------------------------------------------------
    sh_wait 'tps [0-9.k]+ .*active [0-9]+ .*idle [0-9]+ .*in txn [0-9]+ .*hit [0-9.]+%' 10
    ok $? "$size: header: tps, active / idle / idle in txn, cache hit ratio"
    like "$(sh_screen)" 'temp [0-9.k-]+( files)?/s [0-9.BKMG-]+/s' "$size: header: temp files and bytes rate"
    like "$(sh_screen)" 'local /proc' "$size: the server is on this host: /proc figures"
    if [ "$cols" -ge 160 ]; then
        like "$(sh_screen)" 'cpu% +mem +read/s +write/s' "$size: the backends' CPU, memory and I/O columns"
        like "$(race_rows | head -n 1)" ' [0-9.]+ +[0-9.]+[KMG] ' "$size: a racer's CPU and memory figures"
    fi

    # --- freeze ------------------------------------------------------------------
    unlike "$(sh_screen)" 'FROZEN' "$size: live at first"
    sh_keys g
    sh_wait 'FROZEN \(Esc: live\)' 5
    ok $? "$size: taking the cursor freezes the list, and the title says so"
    sh_keys Down
    before=$(race_rows)
    sel=$(selected_pid)
    t0=$(cluster_psql -c "select clock_timestamp()")
    # the server moves on: every racer starts new statements, twice over
    wait_until 20 all_restarted "$t0"
    t1=$(cluster_psql -c "select clock_timestamp()")
    wait_until 20 all_restarted "$t1"
    is "$(race_rows)" "$before" "$size: while frozen the rows and their order stay as they were"
    is "$(selected_pid)" "$sel" "$size: and the cursor stays on the same backend"

    # --- K names the row the cursor moved to, and hits exactly that pid ----------
    want=$(race_pids | awk -v s="$sel" 'found { print; exit } $1 == s { found = 1 }')
    want_app=$(race_rows | awk -v w="$want" '$1 == w { print $4 }')
    sh_keys Down
    is "$(selected_pid)" "$want" "$size: Down moves to the next row of the frozen list"
    sh_keys K
    sh_wait "Terminate pid $want \\(user postgres, app $want_app\\): select pg_sleep.*\\? \\(y/n\\)" 5
    ok $? "$size: K names pid, user, application and the start of the query"
    others=$(race_pids | grep -vx "$want")
    sh_keys y
    sh_wait "terminate: pid $want signalled" 10
    ok $? "$size: y: terminated, and says so"
    wait_until 10 gone "$want"
    ok $? "$size: on the server: pid $want is gone"
    still=0
    for o in $others; do alive "$o" || still=1; done
    is "$still" 0 "$size: every other racer still runs"
    sh_wait_not 'FROZEN' 5
    ok $? "$size: after the answer the list follows the refresh again"
    wait_until 10 nrows 3

    # --- a backend that ended after it was picked is not signalled ---------------
    sh_keys g Down
    sh_wait 'FROZEN' 5
    victim=$(selected_pid)
    cluster_psql -c "select pg_terminate_backend($victim)" >/dev/null
    wait_until 10 gone "$victim"
    survivors=$(race_pids | grep -vx "$victim")
    sh_keys K
    sh_wait "Terminate pid $victim " 5
    sh_keys y
    sh_wait "not applied: pid $victim is no longer that backend" 10
    ok $? "$size: a backend gone since it was picked: not applied, and says why"
    still=0
    for o in $survivors; do alive "$o" || still=1; done
    is "$still" 0 "$size: no other backend was hit"

    # --- Esc: live again ---------------------------------------------------------
    sh_keys Down
    sh_wait 'FROZEN' 5
    sh_keys Escape
    sh_wait_not 'FROZEN' 5
    ok $? "$size: Esc: the list is live again"

    # --- own monitor backends ----------------------------------------------------
    filter pgdeck
    unlike "$(sh_screen)" 'SELECT /\* pgdeck monitor' "$size: pgdeck's own monitor backends are hidden"
    sh_keys o
    sh_wait 'own shown' 5
    sh_wait 'SELECT /\* pgdeck monitor' 10
    ok $? "$size: o shows them"
    sh_keys o
    sh_wait 'own hidden' 5

    # --- p pauses (Space tags here) ----------------------------------------------
    like "$(sh_screen | tail -n 1)" 'pPause' "$size: the footer offers p Pause"
    unlike "$(sh_screen | tail -n 1)" 'SpacePause' "$size: the footer does not offer Space for pause here"
    sh_keys p
    sh_wait 'pResume' 5
    ok $? "$size: p pauses; the footer says Resume"
    sh_keys p
    sh_wait 'pPause' 5
    ok $? "$size: p again resumes"

    sh_stop
    for p in $bg; do kill "$p" 2>/dev/null; done
    bg=
    cluster_psql -c "select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'race%'" >/dev/null
done
done_testing
