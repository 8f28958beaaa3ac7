#!/bin/sh
# tests/tui/small_visible.sh — small things a DBA sees every day, at 80x24
# and 160x45, against a real cluster:
#   - `:theme nosuch` keeps the theme in use and says so;
#   - the help's key and command columns line up in every section;
#   - the Slow pane at any width shows a query column and its filter in the
#     title;
#   - after a pipeline that failed the status line counts the rows that
#     committed (0 when everything was rolled back), not those that ran.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
cluster_psql -c "create table pt (id int primary key)" >/dev/null
# statements for the Slow pane's list
for i in 1 2 3; do cluster_psql -c "select count(*) from pg_class where relpages >= $i" >/dev/null; done

command_line() { # command_line TEXT: ':' TEXT Enter
    sh_keys ':'
    sh_type "$1"
    sh_keys Enter
}
# the column (0-based) where TEXT starts on the first screen line holding it
column_of() { sh_screen | awk -v t="$1" 'index($0, t) { print index($0, t) - 1; exit }'; }

for size in 80x24 160x45; do
    cols=${size%x*}
    rows=${size#*x}
    sh_start "small$size" "$cols" "$rows" XDG_STATE_HOME="$tmp/state$size" --
    sh_wait 'connected' 20
    sh_keys M-1 # a pane without text input: ':' opens the command line

    # --- :theme nosuch keeps the theme ---------------------------------------------
    command_line "theme light"
    sh_wait "Theme light" 5
    ok $? "$size: :theme light"
    header_light=$(sh_screen -e | head -n 1)
    command_line "theme nosuch"
    sh_wait "keeping the theme light: theme 'nosuch' not found" 5
    ok $? "$size: :theme nosuch: an error that says the theme in use stays"
    is "$(sh_screen -e | head -n 1)" "$header_light" "$size: ... and the colours are still light's"

    # --- help: one column for keys and commands --------------------------------------
    sh_keys F1
    sh_wait 'Global keys' 5
    k1=$(column_of 'Show this help')
    k2=$(column_of 'Next pane')
    # page down until each text was seen (the help is longer than a screen)
    c1= c2= c3= c4=
    for _p in $(seq 30); do
        sh_keys NPage
        [ -n "$c1" ] || c1=$(column_of 'this screen')
        [ -n "$c2" ] || c2=$(column_of 'switch the colour theme')
        [ -n "$c3" ] || c3=$(column_of 'sort the server')
        [ -n "$c4" ] || c4=$(column_of 'every 1.0 s')
        [ -n "$c4" ] && break
    done
    is "$k1 $k2 $c1 $c2 $c3 $c4" "$k1 $k1 $k1 $k1 $k1 $k1" \
        "$size: help: global keys, commands and settings start their text in one column"
    like "$(sh_screen)" 'theme +light' "$size: help: the theme in use is light"
    sh_keys Escape
    sh_wait_not 'Global keys' 5

    # --- Slow pane: query column and filter in the title ---------------------------
    sh_keys M-2
    sh_wait 'Server: pg_stat_statements' 10
    sh_keys /
    sh_wait 'filter \(db:NAME' 5
    sh_keys C-u
    sh_type "relpages"
    sh_keys Enter
    sh_wait 'filter: relpages' 10
    ok $? "$size: Slow: the filter is visible in the title"
    sh_wait 'select count\(\*\) from' 10
    ok $? "$size: Slow: the query text is shown"
    like "$(sh_screen)" 'calls .* query' "$size: Slow: the query column is on screen"

    # --- a failed pipeline: rows committed ------------------------------------------
    sh_keys M-4
    sh_wait 'Pipeline: (on|off)' 10
    sh_keys F7
    sh_wait 'Pipeline: on \(sync end\)' 5
    cluster_psql -c "truncate pt; insert into pt values (1)" >/dev/null
    ed_run "insert into pt values (10); insert into pt values (1); insert into pt values (11)"
    sh_wait '  2  error' 5
    sh_wait 'error \| 0 rows committed' 5
    ok $? "$size: a rolled-back pipeline: the status line says 0 rows committed"
    is "$(cluster_psql -c "select count(*) from pt")" 1 "$size: ... and so says the server"
    ed_cmd "pipeline sync each"
    sh_wait 'Pipeline: on \(sync each\)' 5
    ed_run "insert into pt values (20); insert into pt values (1); insert into pt values (21)"
    sh_wait '  2  error' 5
    sh_wait 'error \| 2 rows committed' 5
    ok $? "$size: sync each: the status line counts the 2 rows that committed"
    is "$(cluster_psql -c "select count(*) from pt")" 3 "$size: ... as the server does"
    sh_stop
done
done_testing
