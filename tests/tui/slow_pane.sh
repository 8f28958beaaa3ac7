#!/bin/sh
# tests/tui/slow_pane.sh — the Slow pane in tmux against a real cluster:
# pg_sleep(0.3) x3 first by mean with calls 3, a running pg_sleep under
# "Now", the detail view with every counter, EXPLAIN with a prompted $1 value,
# EXPLAIN ANALYZE after a confirmation, copy (OSC 52 into tmux's buffer), the
# filter, and reset with confirmation (checked on the server).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
tui_on_exit '[ -n "$sleeper" ] && kill $sleeper 2>/dev/null'
sleeper=

cluster_psql -c "select pg_stat_statements_reset()" >/dev/null
for i in 1 2 3; do cluster_psql -c "select pg_sleep(0.3)" >/dev/null; done
# a second slow statement of another shape (pg_stat_statements ignores
# aliases and literals): "select pg_sleep($1) from (values ($2)) v(x)"
cluster_psql -c "select pg_sleep(0.2) from (values (1)) v(x)" >/dev/null
cluster_psql -c "select count(*) from pg_class" >/dev/null

sh_start slow 120 40 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
tmux -L "$SH_SOCK" set-option -g set-clipboard on >/dev/null 2>&1
sh_wait 'connected' 20
ok $? "the console starts"
sh_keys 2
sh_wait 'Server: pg_stat_statements [0-9.]+ ·' 10
ok $? "pane 2 shows the server section"
like "$(sh_screen)" 'Now: [0-9]+ running longer than 50 ms' "the Now section"
like "$(sh_screen)" 'Client \(pgdeck\):' "the Client section"

sh_keys s
sh_wait 'sort mean' 5
ok $? "s sorts by mean"
sh_wait '^ +3 .*select pg_sleep\(\$1\)' 10
first=$(sh_screen | awk '/calls\/s/ {getline; print; exit}')
like "$first" '^ +3 +.* [3-9][0-9][0-9] .*select pg_sleep\(\$1\)' "first row by mean: pg_sleep, calls 3, mean >= 300 ms"

# Row colours: a statement whose mean is over slow_threshold (50 ms) in the
# theme's warning colour (yellow, SGR 33), a fast one without it. The one
# checked is the second slow statement: the cursor (selection colours) stays
# on the first row, which the tests below open.
sgr_codes() { # the SGR parameters in a line of capture-pane -e, one per line
    printf '%s' "$1" | grep -Eo "$(printf '\033')\\[[0-9;]*m" | tr -d '\033[m' | tr ';' '\n'
}
scr=$(tmux -L "$SH_SOCK" capture-pane -e -p -t main)
slow_line=$(printf '%s\n' "$scr" | grep 'pg_sleep(\$1) from' | head -1)
fast_line=$(printf '%s\n' "$scr" | grep 'from pg_class' | head -1)
sgr_codes "$slow_line" | grep -qx 33
ok $? "a 200 ms statement is drawn in the warning colour"
sgr_codes "$fast_line" | grep -qx 33
ok $((! $?)) "the fast one is not"

# r: the sort key per second instead of cumulative, and back
sh_keys r
sh_wait 'sort mean/s \(s,r\)' 5
ok $? "r sorts by the key per second (the title says mean/s)"
like "$(sh_screen)" 'sorted by mean per second' "r: the message says so"
sh_keys r
sh_wait 'sort mean \(s,r\)' 5
ok $? "r again: back to cumulative"

# --- a statement running now ---------------------------------------------------
cluster_psql -c "select pg_sleep(30)" >/dev/null 2>&1 &
sleeper=$!
sh_wait 'Now: 1 running longer than 50 ms' 10
ok $? "a running pg_sleep(30) is counted under Now"
sh_wait '[0-9]+ +[0-9.]+s +postgres +postgres .*select pg_sleep\(30\)' 5
ok $? "and listed with pid and time"
spid=$(cluster_psql -c "select pid from pg_stat_activity where query = 'select pg_sleep(30)'")
cluster_psql -c "select pg_cancel_backend($spid)" >/dev/null
wait $sleeper 2>/dev/null
sleeper=
sh_wait 'Now: 0 running' 10
ok $? "gone from Now once it ended"

# --- detail view, EXPLAIN ------------------------------------------------------
sh_keys Enter
sh_wait 'Statement detail' 5
ok $? "Enter opens the detail view"
scr=$(sh_screen)
like "$scr" 'select pg_sleep\(\$1\)' "full text"
for c in calls total_ms rows shared_blks_hit shared_blks_read temp_blks_written blk_read_ms wal_bytes mean_ms min_ms max_ms stddev_ms; do
    like "$scr" "^$c " "counter $c shown"
done
sh_keys e
if [ "$(cluster_psql -c 'show server_version_num')" -ge 160000 ]; then
    # 16+ plans a text with $1 as it is: EXPLAIN (GENERIC_PLAN), no value asked
    sh_wait 'Enter/Space fold' 10
    ok $? "EXPLAIN of a normalized text: a generic plan, no value asked, as a tree first"
    unlike "$(sh_screen)" "value for \\\$1" "no prompt for \$1"
    like "$(sh_screen)" 'EXPLAIN \(GENERIC_PLAN\) as role postgres \(superuser\) — rolled back' "in the Slow pane, as the statement's author"
else
    sh_wait "value for \\\$1" 5
    ok $? "EXPLAIN of a normalized text asks for \$1"
    sh_type "0.01"
    sh_keys Enter
    sh_wait 'Enter/Space fold' 10
    ok $? "the plan is shown, as a tree first"
    like "$(sh_screen)" 'EXPLAIN as role postgres \(superuser\) — rolled back' "in the Slow pane, as the statement's author"
fi
like "$(sh_screen)" '▶ +Result +rows [0-9]+ est +cost [0-9.]+' "e: the tree's node line, the hottest node marked"
unlike "$(sh_screen)" 'Result +\(cost=' "e: not the text plan yet"
sh_keys t
sh_wait 'Result +\(cost=' 5
ok $? "t: the text plan"
like "$(sh_screen)" 'Statement detail' "the detail view stays (nothing went to the editor)"
sh_keys E
sh_wait 'EXPLAIN ANALYZE executes it as role postgres \(rolled back\)\. Run it\? \(y/n\)' 5
ok $? "EXPLAIN ANALYZE asks first"
sh_keys y
sh_wait "value for \\\$1" 5
sh_type "0.02"
sh_keys Enter
sh_wait 'Enter/Space fold' 10
ok $? "EXPLAIN (ANALYZE, BUFFERS) of a SELECT: in the Slow pane too, as a tree first"
like "$(sh_screen)" 'Result +rows [0-9]+ est / [0-9]+ actual' "E: the tree's node line with actual rows"
sh_keys t
sh_wait 'Execution Time: [0-9.]+ ms' 5
ok $? "t: the text plan"
like "$(sh_screen)" 'executed in a transaction, rolled back' "in a transaction rolled back, as every statement kind"
sh_keys y
sh_wait 'copied [0-9]+ bytes to the clipboard' 5
ok $? "y copies the text"
buf=$(tmux -L "$SH_SOCK" show-buffer 2>/dev/null)
is "$buf" 'select pg_sleep($1)' "the clipboard (tmux buffer via OSC 52) holds the text"
sh_keys Escape
sh_wait_not 'Statement detail' 5
ok $? "Esc goes back to the lists"

# --- EXPLAIN ANALYZE of an UPDATE: here, rolled back ---------------------------
cluster_psql -c "create table acc(i int); insert into acc values (10)" >/dev/null
cluster_psql -c "update acc set i = i + 1" >/dev/null
sh_keys /
sh_wait 'filter \(db:NAME user:NAME text\)' 5
sh_keys C-u
sh_type "update acc"
sh_keys Enter
sh_wait 'update acc set i = i \+ \$1' 10
ok $? "the UPDATE is listed"
sh_keys Enter
sh_wait 'Statement detail' 5
sh_keys E
sh_wait '\(y/n\)' 5
sh_keys y
sh_wait "value for \\\$1" 5
sh_type "5"
sh_keys Enter
sh_wait 'Enter/Space fold' 10
ok $? "ANALYZE of an UPDATE: the tree first"
like "$(sh_screen)" 'Update on acc +rows [0-9]+ est / [0-9]+ actual' "the UPDATE's node in the tree"
sh_keys t
sh_wait 'in a transaction, rolled back' 5
ok $? "ANALYZE of an UPDATE runs in the Slow pane, in a transaction rolled back"
sh_wait 'Update on acc .*actual time=' 5
ok $? "with its plan"
is "$(cluster_psql -c "select i from acc")" 11 "on the server: the UPDATE was rolled back"
sh_keys Escape
sh_wait_not 'Statement detail' 5

# --- Ctrl-C cancels a running EXPLAIN ANALYZE -----------------------------------
cluster_psql -c "update acc set i = i + 1 where pg_sleep(0.01) is not null" >/dev/null
before=$(cluster_psql -c "select i from acc")
sh_keys /
sh_wait 'filter \(db:NAME user:NAME text\)' 5
sh_keys C-u
sh_type "where pg_sleep"
sh_keys Enter
sh_wait 'update acc set i = i \+ \$1 where pg_s' 10 # the list cuts the text there
ok $? "the sleeping UPDATE is listed"
sh_keys Enter
sh_wait 'Statement detail' 5
sh_keys E
sh_wait '\(y/n\)' 5
sh_keys y
sh_wait 'values for \$1\.\.\$2 \(comma separated' 5
ok $? "two parameters: one prompt for both values"
sh_type "1, 30"
sh_keys Enter
explain_running() {
    [ "$(cluster_psql -c "select count(*) from pg_stat_activity where state = 'active' and query like '%pgdeck_explain_as%' and pid <> pg_backend_pid()")" = 1 ]
}
wait_until 10 explain_running
ok $? "EXPLAIN ANALYZE of the 30 s UPDATE runs on the server"
sh_keys C-c
sh_wait 'canceled: canceling statement due to user request' 10
ok $? "Ctrl-C: the pane says canceled"
explain_gone() { ! explain_running; }
wait_until 10 explain_gone
ok $? "Ctrl-C: nothing of it runs on the server any more"
is "$(cluster_psql -c "select i from acc")" "$before" "Ctrl-C: the UPDATE left nothing behind"
sh_keys Escape
sh_wait_not 'Statement detail' 5
sh_keys /
sh_keys C-u Enter

# --- filter --------------------------------------------------------------------
sh_keys /
sh_wait 'filter \(db:NAME user:NAME text\)' 5
ok $? "/ asks for a filter"
sh_keys C-u
sh_type "db:postgres pg_class"
sh_keys Enter
sh_wait 'filter: db:postgres pg_class' 5
ok $? "the filter is shown"
# the server section only (the Client section lists what the editor ran)
server_rows() { sh_screen | sed -n '/^Server:/,/^Now:/p'; }
i=0
while [ $i -lt 50 ] && server_rows | grep -q 'pg_sleep(\$1)'; do sleep 0.1; i=$((i + 1)); done
unlike "$(server_rows)" 'pg_sleep\(\$1\)' "rows not matching are gone"
like "$(sh_screen)" 'from pg_class' "the matching row stays"
sh_keys /
sh_keys C-u Enter
sh_wait 'pg_sleep\(\$1\)' 5
ok $? "an empty filter shows everything again"

# --- reset -----------------------------------------------------------------------
sh_keys R
sh_wait 'Reset pg_stat_statements statistics for the whole server\? \(y/n\)' 5
ok $? "R asks for confirmation"
sh_keys n
sh_wait 'reset not applied' 5
ok $? "n: not applied"
calls=$(cluster_psql -c "select sum(calls) from pg_stat_statements where query = 'select pg_sleep(\$1)'")
[ "${calls:-0}" -ge 3 ]
ok $? "the server still has the calls ($calls)"
sh_keys R
sh_wait '\(y/n\)' 5
sh_keys y
sh_wait 'pg_stat_statements statistics reset' 10
ok $? "y: reset, and says so"
calls=$(cluster_psql -c "select count(*) from pg_stat_statements where query = 'select pg_sleep(\$1)'")
is "$calls" 0 "on the server: the statistics are gone"
i=0
while [ $i -lt 50 ] && server_rows | grep -q 'pg_sleep(\$1)'; do sleep 0.1; i=$((i + 1)); done
unlike "$(server_rows)" 'pg_sleep\(\$1\)' "and the list follows"
done_testing
