#!/bin/sh
# tests/tui/server_pane.sh — the Server pane in tmux against a real cluster,
# at 80x24 and narrower: the view keys in the footer and the help, the
# database view with rates, tables with dead tuples, / filter, Enter detail,
# indexes (duplicate, invalid), WAL figures, a slot in replication, an empty
# progress view, s sort, and a hostile table name drawn escaped. With one
# table a slice (PGDECK_SLICE_ROWS=1) a pass over the catalog takes several
# ticks: the line saying how fresh the rows are, and while a pass for a new
# sort runs, that it does.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/shell_lib.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
cluster_start
trap 'sh_stop; cluster_stop' EXIT

cluster_psql -c "create table sp_dead (id int primary key, v text) with (autovacuum_enabled = off)"
cluster_psql -c "insert into sp_dead select g, 'x' from generate_series(1, 1000) g"
cluster_psql -c "delete from sp_dead where id <= 300"
cluster_psql -c "create index sp_dead_v on sp_dead (v)"
cluster_psql -c "create index sp_dead_v2 on sp_dead (v)"
cluster_psql -c "create table sp_twice (a int); insert into sp_twice values (1), (1)"
cluster_psql -c "create unique index concurrently sp_twice_a on sp_twice (a)" 2>/dev/null
cluster_psql -c "create table \"sp_$(printf '\033]0;pwned\007')evil\" (a int)"
cluster_psql -c "select pg_create_physical_replication_slot('sp_slot', true)" >/dev/null
dead_known() { "$PGDECK" top --view tables --once --json | grep -q '"table":"sp_dead"[^}]*"n_dead_tup":300,'; }
wait_until 20 dead_known
ok $? "setup: the server counts 300 dead tuples"

sh_start srv 80 24 PGDECK_SLICE_ROWS=1 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
sh_wait 'Pool' 10
sh_keys :
sh_type "pane server"
sh_keys Enter
sh_wait 'Server: Database' 10
ok $? "the Server pane opens on the database view"
like "$(sh_screen)" '5 Import +6 Server' "the pane bar gives it digit 6, after Import"
sh_keys 1
sh_wait 'Pool  ' 5
sh_keys 6
sh_wait 'Server: Database' 5
ok $? "6 jumps to it"
like "$(sh_screen | tail -n 1)" "dDatabase.*tTables.*xIndexes.*rRepl.*oProgress.*wWAL" "80x24: the footer shows the view keys"
sh_wait 'commit/s' 10
ok $? "database: rates (commit/s) from the second snapshot"
like "$(sh_screen)" "postgres +[0-9]" "database: the postgres row"

sh_keys t
sh_wait 'Server: Tables' 5
sh_wait 'sp_dead +[0-9.]+ +[0-9.]+ +700 +300' 10
ok $? "tables: sp_dead with 700 live and 300 dead tuples"
like "$(sh_screen)" 'sp_\\x1[bB]\]0;pwned\\x07evil' "tables: the hostile name is drawn escaped"
sh_wait 'rows chosen [0-9.]+s ago by n_dead_tup over the whole catalog' 5
ok $? "tables: the line says how fresh the choice of rows is"
unlike "$(tmux -L "$SH_SOCK" display-message -p -t main '#{pane_title}')" "pwned" "tables: the terminal title was not set"

sh_keys /
sh_wait 'filter \(substring' 5
sh_type sp_dead
sh_keys Enter
sh_wait 'filter: sp_dead' 5
ok $? "filter: shown in the title"
unlike "$(sh_screen)" "sp_twice" "filter: other tables hidden"
sh_keys Enter
sh_wait 'detail' 5
ok $? "Enter: the detail of the selected row"
like "$(sh_screen)" "n_dead_tup +300" "detail: n_dead_tup"
sh_keys Down Down Down Down Down Down
sh_wait 'bloat_bytes +[0-9.]+K' 5
ok $? "detail: scrolls to the estimated bloat"
sh_keys Escape
sh_wait_not 'detail \(Esc' 5
ok $? "Esc: back to the list"
sh_keys Escape
sh_wait_not 'filter: sp_dead' 5
ok $? "Esc: the filter is cleared"

sh_keys s
sh_wait 'sorted by dead_pct' 5
ok $? "s: the next sort column"
sh_keys s
sh_wait 'sorted by n_mod_since_analyze' 5
sh_wait 'sorting by n_mod_since_analyze: [0-9]+% of the catalog read' 5
ok $? "s: a pass for the new sort runs, and the pane says so"
sh_wait 'rows chosen [0-9.]+s ago by n_mod_since_analyze' 20
ok $? "s: after the pass the rows are chosen by the new sort"

sh_keys x
sh_wait 'Server: Indexes' 5
sh_wait 'sp_dead_v2 .*sp_dead_v ' 10
ok $? "indexes: sp_dead_v2 is a duplicate of sp_dead_v"
like "$(sh_screen)" "sp_twice_a .* yes *$" "indexes: sp_twice_a is invalid"

# a duplicate created after the catalog read: R re-reads the catalog facts
cluster_psql -c "create index sp_dead_v3 on sp_dead (v)"
sh_keys R
sh_wait 're-reading the catalog' 5
ok $? "R: the catalog facts are re-read"
sh_wait 'sp_dead_v3 .*sp_dead_v ' 10
ok $? "R: the new duplicate sp_dead_v3 shows"

sh_keys w
sh_wait 'Server: WAL' 5
sh_wait 'checkpoints_timed' 10
ok $? "wal: checkpoints timed"
like "$(sh_screen)" "wal_lsn_bytes +[0-9.]+[BKMGT]" "wal: WAL bytes"

sh_keys r
sh_wait 'Server: Replication' 5
sh_wait 'slot +sp_slot' 10
ok $? "replication: the slot"

sh_keys o
sh_wait 'Server: Progress' 5
sh_wait 'no rows' 10
ok $? "progress: nothing running"

sh_resize 60 20
sh_keys t
sh_wait 'Server: Tables' 5
sh_wait 'sp_dead .*300' 10
ok $? "60x20: tables still shows name and dead tuples"

sh_keys F1
sh_wait 'Global keys' 5
help_shows_views() { sh_shows "view: tables" || { sh_keys NPage; false; }; }
wait_until 10 help_shows_views
ok $? "help: the view keys come from the key table"
sh_keys Escape
ok "$(sh_alive; echo $?)" "pgdeck still runs"
done_testing
