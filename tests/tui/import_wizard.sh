#!/bin/sh
# import_wizard.sh — the Import pane (5) driven in tmux: a file with a header
# into a new table with Enter at every step; a changed delimiter and mapping
# into an existing table; an error tied to the file's own line; cancel
# mid-import with nothing imported while the other panes stay live.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-import-tui-XXXXXX")
tui_on_exit 'rm -rf "$work"'
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
q() { cluster_psql -c "$1" 2>&1; }

printf 'id,name,amount\n1,"Smith, J",3.5\n2,"two\nlines",4\n3,,\n' >"$work/people.csv"
printf 'CITY;Zip\nParis;75001\nLyon;69001\n' >"$work/cities.txt"
printf 'id,amount\n1,2\n2,x\n' >"$work/bad.csv"

sh_start wiz 110 32 -- --refresh 1
sh_wait "\\| connected \\|" 20
ok $? "console up"

# ---- 1. Enter at every step ----------------------------------------------------
sh_keys M-5
sh_wait "Enter: choose a CSV file to import" 5
ok $? "pane 5: step 1 asks for a file"
sh_keys Enter
sh_wait "File to import:" 5
ok $? "Enter opens the file prompt"
sh_type "$work/peop"
sh_keys Tab
sh_wait "people\\.csv" 5
ok $? "Tab completes the file name"
sh_keys Enter
sh_wait "2 Sniff" 5
s=$(sh_screen)
like "$s" "people\\.csv +\\([0-9.]+[BKMGT], 3 columns\\)" "step 2: size and columns shown"
like "$s" "delimiter +, \\(comma\\)" "step 2: delimiter sniffed"
like "$s" "header +yes" "step 2: header sniffed"
like "$s" "Smith, J" "step 2: preview parsed as COPY (quoted comma)"
like "$s" "∅" "step 2: NULL shown"
sh_keys Enter
sh_wait "new table people" 5
ok $? "step 3: a new table named after the file"
like "$(sh_screen)" "amount +numeric" "step 3: types inferred"
sh_keys Enter
sh_wait "every file column has a target" 5
ok $? "step 4: mapping complete"
sh_keys Enter
sh_wait "stop at the first error" 5
ok $? "step 5: options"
sh_keys Enter
sh_wait "imported 3 rows into people" 20
ok $? "step 7: imported"
is "$(q "select count(*), sum(amount) from people")" "3|7.5" "the rows are in the table"
is "$(q "select name from people where id = 2")" "two
lines" "quoted newline imported"

# ---- 2. changed delimiter and mapping into an existing table ---------------------
q "create table towns (zip text, city text, country text default 'FR')" >/dev/null
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/cities.txt"
sh_keys Enter
sh_wait "2 Sniff" 5
like "$(sh_screen)" "delimiter +; \\(semicolon\\)" "semicolon sniffed"
sh_keys d
sh_wait "delimiter +tab" 5
sh_keys d d
sh_wait "delimiter +, \\(comma\\)" 5
like "$(sh_screen)" "CITY;Zip" "comma: the preview shows one column"
sh_keys d
sh_wait "delimiter +; \\(semicolon\\)" 5
ok $? "d cycles the delimiter"
sh_keys Enter
sh_wait "3 Target" 5
sh_keys x
sh_wait "Existing table:" 5
sh_type "tow"
sh_keys Tab
sh_wait "Existing table: towns" 5
ok $? "Tab completes the table from the catalog"
sh_keys Enter
sh_wait "existing table towns" 5
sh_keys Enter
sh_wait "defaults for: country" 5
ok $? "step 4: the column the file does not fill takes its default"
like "$(sh_screen)" "CITY +-> city" "header CITY mapped to city case-insensitively"
sh_keys J
sh_wait "CITY +-> zip" 5
ok $? "J moves the target down: CITY now goes to zip"
like "$(sh_screen)" "Zip +-> city" "... and Zip to city"
sh_keys K
sh_wait "CITY +-> city" 5
ok $? "K moves it back up"
sh_keys Down s
sh_wait "Zip +-> \\(skip\\)" 5
ok $? "s skips a column"
sh_keys s
sh_wait "Zip +-> zip" 5
sh_keys Enter
sh_wait "stop at the first error" 5
sh_keys Enter
sh_wait "imported 2 rows into towns" 20
r=$?
ok $r "imported into the existing table"
[ $r -eq 0 ] || sh_screen | sed 's/^/# /' 
is "$(q "select string_agg(zip || city || country, ' ' order by zip) from towns")" \
    "69001LyonFR 75001ParisFR" "mapped columns and the default"

# ---- 3. an error names the file's own line --------------------------------------------
q "create table nums (id int, amount int)" >/dev/null
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/bad.csv"
sh_keys Enter Enter
sh_wait "3 Target" 5
sh_keys x
sh_wait "Existing table:" 5
sh_type "nums"
sh_keys Enter
sh_wait "existing table nums" 5
sh_keys Enter Enter Enter
sh_wait "nothing imported" 20
s=$(sh_screen)
like "$s" "invalid input syntax for type integer" "the server's message"
like "$s" "bad\\.csv, line 3:" "the file's own line"
like "$s" "2,x" "the offending record"
is "$(q "select count(*) from nums")" 0 "nothing imported"

# ---- 4. cancel mid-import; other panes stay live ------------------------------------------
q "create table slow (id int, v text)" >/dev/null
q "create function slow_row() returns trigger language plpgsql as
   'begin perform pg_sleep(0.002); return new; end'" >/dev/null
q "create trigger slow before insert on slow for each row execute function slow_row()" >/dev/null
awk 'BEGIN { print "id,v"; for (i = 1; i <= 20000; i++) printf "%d,v%d\n", i, i }' >"$work/slow.csv"
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/slow.csv"
sh_keys Enter Enter
sh_wait "3 Target" 5
sh_keys x
sh_wait "Existing table:" 5
sh_type "slow"
sh_keys Enter
sh_wait "existing table slow" 5
sh_keys Enter Enter Enter
sh_wait "6 Run" 5
if [ "$(cluster_psql -c 'show server_version_num')" -ge 140000 ]; then
    sh_wait "server \\(pg_stat_progress_copy\\): [0-9]+ bytes" 15
    ok $? "step 6: the server's pg_stat_progress_copy beside the progress"
else
    sh_wait "server \\(pg_stat_progress_copy\\): not on PostgreSQL 1[0-3]" 15
    ok $? "step 6: pg_stat_progress_copy (14+): not on this server, said so"
fi
like "$(sh_screen)" "rows/s .* [0-9.]+[BKMGT]/s .* ETA" "step 6: rows/s, bytes/s, ETA"
sh_keys M-1
sh_wait "pool_size" 5
ok $? "another pane is live during the import"
sh_keys M-5
sh_wait "6 Run" 5
sh_keys Escape
sh_wait "canceled by user" 20
ok $? "Esc cancels"
like "$(sh_screen)" "nothing imported" "cancel: nothing imported"
is "$(q "select count(*) from slow")" 0 "cancel: no row committed"

# ---- 4b. a FIFO is refused at once: the wizard never waits for a writer ------------
mkfifo "$work/fifo.csv"
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/fifo.csv"
sh_keys Enter
sh_wait "fifo\.csv is not a regular file" 5
ok $? "a FIFO nobody writes to is refused at once"
sh_keys M-1
sh_wait "pool_size" 5
ok $? "and the console stays responsive"
sh_keys M-5

# ---- 5. a tiny terminal does not crash the wizard ------------------------------------------
sh_resize 8 3
sh_resize 110 32
sh_wait "7 Result" 5
ok $? "resize to 8x3 and back: still drawn"
sh_keys F10
sh_keys y
sh_wait_dead 10
is "$(sh_exit_status)" 0 "quit cleanly"

# ---- 6. with a 10 s refresh, the steps still follow at once ----------------------------
# (the sample is read on a worker and the import's end is polled as an fd:
# neither waits for the refresh tick)
cp "$work/people.csv" "$work/people6.csv"
sh_stop # the first session's tmux server (its pgdeck has quit)
sh_start wiz6 110 32 -- --refresh 10
sh_wait "\\| connected \\|" 20
sh_keys M-5
sh_wait "Enter: choose a CSV file to import" 5
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/people6.csv"
sh_keys Enter
sh_wait "people6\\.csv +\\([0-9.]+[BKMGT], 3 columns\\)" 5
ok $? "refresh 10: the sniffed file shows at once"
sh_keys Enter Enter Enter Enter
sh_wait "imported 3 rows into people6" 6
ok $? "refresh 10: the result shows as soon as the import ends"
sh_keys F10
sh_keys y
sh_wait_dead 10

done_testing
