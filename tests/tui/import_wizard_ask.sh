#!/bin/sh
# import_wizard_ask.sh — the Import pane (5) in tmux at 80x24 (and 160x45):
# when the sample cannot settle the delimiter or the header, the Sniff step
# asks, the two readings side by side, and Enter waits for the answer; a
# column may take any type the server accepts (checked with it); an
# existing table shows its column types; a second Tab lists the file
# candidates; the Options step describes two-phase commit for jobs > 1.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
work=$(mktemp -d /tmp/pgdi-XXXXXX) # short: the paths fit in 80 columns
tui_on_exit 'rm -rf "$work"'
export XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
q() { cluster_psql -c "$1" 2>&1; }

printf 'name,x\tval\nab,c\t1\nde,f\t2\n' >"$work/tie.txt"
printf 'region,2023,2024\nnorth,10,20\nsouth,30,40\n' >"$work/years.csv"
printf 'id,amount,mail,at\n1,2.5,a@x,2024-01-02 03:04:05.678+00\n' >"$work/typed.csv"
printf 'a\n1\n' >"$work/multa.csv"
printf 'a\n2\n' >"$work/multb.csv"
q "create domain email as text check (value like '%@%')" >/dev/null
q "create table shown (id bigint, price numeric(8,3), seen timestamptz)" >/dev/null

sh_start ask 80 24 -- --refresh 1
sh_wait "\\| connected \\|" 20
ok $? "console up at 80x24"
sh_keys M-5
sh_wait "Enter: choose a CSV file to import" 5

# ---- a second Tab lists the file candidates ---------------------------------------
sh_keys Enter
sh_wait "File to import:" 5
sh_type "$work/mul"
sh_keys Tab
sh_wait "File to import: $work/mult" 5
ok $? "Tab completes the common prefix"
sh_keys Tab Tab
sh_wait "multa\\.csv.*multb\\.csv" 5
r=$?
ok $r "then a double Tab lists both candidates (their names, as a shell lists them)"
[ $r -eq 0 ] || sh_screen | sed 's/^/# /'
sh_keys C-u

# ---- a delimiter tie: asked, side by side -----------------------------------------
sh_type "$work/tie.txt"
sh_keys Enter
sh_wait "2 Sniff" 5
sh_wait "delimiter is ambiguous" 5
ok $? "the tie is a question on the Sniff step"
s=$(sh_screen)
like "$s" "a: delimiter , \\(comma\\), 2 columns.*b: delimiter tab, 2 columns" \
    "the two readings side by side"
like "$s" "names: name .* val" "the right reading: columns by tab"
like "$s" "2: ab .* c\\s+1 .* 2: ab,c .* 1" "line 2 in both readings"
sh_keys Enter
sh_wait "which delimiter\\? a \\(left\\) or b \\(right\\)" 5
ok $? "Enter waits for the answer"
like "$(sh_screen)" "2 Sniff" "... still on the Sniff step"
sh_keys b
sh_wait "delimiter +tab" 5
ok $? "b: the right reading, tab"
sh_wait_not "ambiguous" 5
ok $? "the question is gone"
sh_keys Enter
sh_wait "new table tie" 5
sh_keys Enter Enter Enter
sh_wait "imported 2 rows into tie" 20
ok $? "imported"
is "$(q "select string_agg(column_name, '|' order by ordinal_position) from information_schema.columns where table_name = 'tie'")" \
    "name,x|val" "the table has the columns of the chosen reading"

# ---- a header that looks like data: asked -------------------------------------------
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/years.csv"
sh_keys Enter
sh_wait "Is line 1 a header or data\\?" 5
ok $? "an unsure header is a question"
s=$(sh_screen)
like "$s" "a: no header \\(line 1 is data\\).*b: header \\(line 1 names the columns\\)" \
    "both readings named"
like "$s" "1: region .* 2023" "the left reading holds line 1 as data"
like "$s" "names: region .* 2023 .* 2024" "the right reading names the columns from line 1"
sh_keys b
sh_wait "header +yes" 5
ok $? "b: a header"
sh_keys Enter
sh_wait "new table years" 5
sh_keys Enter Enter Enter
sh_wait "imported 2 rows into years" 20
ok $? "imported 2 rows, not 3"

# ---- any type the server accepts --------------------------------------------------------
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/typed.csv"
sh_keys Enter
sh_wait "2 Sniff" 5
sh_keys Enter
sh_wait "new table typed" 5
sh_keys Down t
sh_wait "Type:" 5
sh_keys C-u
sh_type "numeric(10,2)"
sh_keys Enter
sh_wait "amount +numeric\\(10,2\\)" 10
ok $? "numeric(10,2) accepted, checked by the server"
sh_keys Down t
sh_wait "Type:" 5
sh_keys C-u
sh_type "nosuchtype"
sh_keys Enter
sh_wait "type \"nosuchtype\": type \"nosuchtype\" does not exist" 10
ok $? "a type the server does not know is refused with its message"
like "$(sh_screen)" "mail +text" "... and the column keeps its type"
sh_keys t
sh_wait "Type:" 5
sh_keys C-u
sh_type "email"
sh_keys Enter
sh_wait "mail +email" 10
ok $? "a domain is a type"
sh_keys Down t
sh_wait "Type:" 5
sh_keys C-u
sh_type "timestamptz(2)"
sh_keys Enter
sh_wait "at +timestamp\\(2\\) with time zone" 10
ok $? "timestamptz(2) spelled as the server spells it, modifier kept"
sh_keys Enter Enter Enter
sh_wait "imported 1 rows into typed" 20
ok $? "imported with those types"
is "$(q "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'typed'::regclass and attnum > 0 order by attnum")" \
    "integer
numeric(10,2)
email
timestamp(2) with time zone" "the table has the types"
is "$(q "select amount, at = '2024-01-02 03:04:05.68+00' from typed")" "2.50|t" "values cast by those types"

# ---- an existing table shows its column types; two-phase commit described ------------
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/multa.csv"
sh_keys Enter
sh_wait "2 Sniff" 5
sh_keys Enter
sh_wait "3 Target" 5
sh_keys x
sh_wait "Existing table:" 5
sh_type "shown"
sh_keys Enter
sh_wait "existing table shown" 5
sh_wait "price +numeric\\(8,3\\)" 5
ok $? "an existing table shows its column types"
s=$(sh_screen)
like "$s" "id +bigint" "... bigint"
like "$s" "seen +timestamp with time zone" "... timestamptz"
sh_keys n
sh_wait "New table name:" 5
sh_keys C-u
sh_type "multa"
sh_keys Enter
sh_wait "new table multa" 5
sh_keys Enter Enter
sh_wait "stop at the first error" 5
like "$(sh_screen)" "one transaction: all or nothing" "jobs 1: one transaction"
sh_keys j
sh_wait "Two-phase commit" 5
ok $? "jobs 2: the Options step describes two-phase commit"
s=$(sh_screen)
like "$s" "PREPARE TRANSACTION" "... each part prepared"
like "$s" "COMMIT PREPARED all" "... then committed together"
like "$s" "max_prepared_transactions" "... and what it needs from the server"

# ---- a first record naming an existing table's columns is its header ----------------
printf '2023,2024\n10,20\n30,40\n' >"$work/only_years.csv"
q 'create table only_years ("2023" int, "2024" int)' >/dev/null
sh_keys Escape Escape Escape Escape # Options > Mapping > Target > Sniff > File
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/only_years.csv"
sh_keys Enter
sh_wait "header +no" 5
ok $? "numbers above numbers: no header by their look"
sh_keys Enter
sh_wait "3 Target" 5
sh_keys x
sh_wait "Existing table:" 5
sh_type "only_years"
sh_keys Enter
sh_wait "line 1 names the columns of only_years: it is the header" 5
ok $? "the table's column names settle it: a header"
sh_keys Enter
sh_wait "every file column has a target" 5
sh_keys Enter Enter
sh_wait "imported 2 rows into only_years" 20
ok $? "imported 2 rows, not 3"

# ---- at 160x45 the question shows the same -------------------------------------------
sh_resize 160 45
sh_keys Enter
sh_wait "File to import:" 5
sh_keys C-u
sh_type "$work/tie.txt"
sh_keys Enter
sh_wait "delimiter is ambiguous" 5
ok $? "160x45: the question"
like "$(sh_screen)" "a: delimiter , \\(comma\\), 2 columns.*b: delimiter tab, 2 columns" \
    "160x45: side by side"
sh_keys F10
sh_keys y
sh_wait_dead 10
is "$(sh_exit_status)" 0 "quit cleanly"

done_testing
