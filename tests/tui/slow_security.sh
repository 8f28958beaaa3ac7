#!/bin/sh
# tests/tui/slow_security.sh — EXPLAIN from the Slow pane, from the attacker's
# side (security issue #10, part 1). An ordinary role `attacker` owns a
# database and plants functions that misbehave only when a superuser runs
# them: an IMMUTABLE one (run by the planner at plan time, so by plain
# EXPLAIN) that leaks a superuser-only setting through application_name and
# takes a session advisory lock (which outlives a ROLLBACK), and a VOLATILE
# one (run by EXPLAIN ANALYZE) that first tries RESET ROLE (what defeats a
# plain SET ROLE), then writes a file through COPY TO PROGRAM and makes
# itself superuser. The superuser DBA presses e, E and o in the Slow pane;
# nothing of it may happen, the screen names the role and asks first, and no
# pgdeck connection keeps anything. A non-superuser DBA who is not a member
# of the author's role is refused. Every check fails on the code before the
# fix (e/E went to the editor and ran as the DBA, o pasted the bare text).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin

cluster_psql -c "create role attacker login" -c "create database adb owner attacker" \
    -c "create role dba2 login in role pg_read_all_stats" >/dev/null
cluster_psql -d adb -c "create extension pg_stat_statements" >/dev/null
cluster_psql -U attacker -d adb >/dev/null <<'EOF'
create table t(i int);
insert into t values (1);
create function leak(int) returns int language plpgsql immutable as $$
begin
  perform pg_advisory_lock(4242); -- a session lock: survives ROLLBACK
  if (select rolsuper from pg_roles where rolname = current_user) then
    perform set_config('application_name', 'leaked:' || current_setting('data_directory'), false);
  end if;
  return $1;
end $$;
create function pwn() returns int language plpgsql volatile as $$
begin
  begin execute 'reset role'; exception when others then null; end;
  if (select rolsuper from pg_roles where rolname = current_user) then
    execute 'copy (select 1) to program ''touch pwned_by_pgdeck''';
    execute 'alter role attacker superuser';
  end if;
  return 1;
end $$;
EOF
# the attacker's statements, alone in pg_stat_statements (the sandbox's own
# nested statements of an earlier round would be listed too)
plant() {
    cluster_psql -d adb -c "select pg_stat_statements_reset()" >/dev/null
    cluster_psql -U attacker -d adb -c "select * from t where i = leak(1)" -c "select pwn()" \
        -c "update t set i = i + 1" >/dev/null
}
marker="$PGDECK_TEST_DATADIR/pwned_by_pgdeck"
rm -f "$marker"
[ "$(cluster_psql -c "select rolsuper from pg_roles where rolname = 'attacker'")" = f ]
ok $? "set-up: attacker is an ordinary role"
pg_advisory_unlocked() { [ "$(cluster_psql -c "select count(*) from pg_locks where locktype = 'advisory' and objid = 4242")" = 0 ]; }

# every check after an action: nothing the attacker wanted happened
attacker_failed() { # LABEL
    is "$(cluster_psql -c "select rolsuper from pg_roles where rolname = 'attacker'")" f \
        "$1: attacker did not become superuser"
    [ ! -e "$marker" ]
    ok $? "$1: COPY TO PROGRAM did not run as superuser"
    is "$(cluster_psql -c "select count(*) from pg_stat_activity where application_name like 'leaked:%'")" 0 \
        "$1: no backend carries the leaked setting"
    is "$(cluster_psql -c "select count(*) from pg_stat_activity where datname = 'adb' and usename = 'postgres' and application_name <> 'pgdeck'")" 0 \
        "$1: every pgdeck connection keeps application_name=pgdeck"
    wait_until 10 pg_advisory_unlocked
    ok $? "$1: no pgdeck connection keeps the attacker's session lock (the connection was discarded)"
}

filter() { # TEXT: the Slow pane's filter (the list empties at once, then refills)
    sh_keys Escape
    sh_keys /
    sh_wait 'filter \(db:NAME user:NAME text\)' 5
    sh_keys C-u
    sh_type "$1"
    sh_keys Enter
}

for size in "160 45" "80 24"; do
    set -- $size
    W=$1
    plant
    sh_start "sec$W" "$1" "$2" -- -h "$PGHOST" -p "$PGPORT" -U postgres adb
    sh_wait 'connected' 20
    ok $? "[$W] the console starts as superuser postgres in adb"
    sh_keys 2
    sh_wait 'Server: pg_stat_statements [0-9.]+ ·' 10

    # --- e: plain EXPLAIN of a text calling an IMMUTABLE function ---------------
    filter "where i = leak"
    sh_wait 'where i = leak\(\$1\)' 10
    ok $? "[$W] the attacker's statement is listed"
    sh_keys Enter
    sh_wait 'Statement detail' 5
    sh_keys e
    sh_wait 'EXPLAIN runs leak\(integer\) as role attacker at plan time\. Run it\? \(y/n\)' 10
    ok $? "[$W] e: plain EXPLAIN asks first, naming the function and the role"
    scr=$(sh_screen)
    like "$scr" 'runs as: +role attacker \(the statement.s author, not you\)' "[$W] e: the role it runs as"
    like "$scr" 'calls: +leak\(integer\)' "[$W] e: the non-builtin function it calls"
    like "$scr" 'text: +select \* from t where i = leak\(\$1\)' "[$W] e: the start of the exact text"
    sh_keys y
    sh_wait 'value for \$1' 5
    sh_type 1
    sh_keys Enter
    sh_wait 'Enter/Space fold' 10
    ok $? "[$W] e: the plan is shown, as a tree first"
    scr=$(sh_screen)
    like "$scr" 'Seq Scan on t +rows [0-9]+ est' "[$W] e: the tree's node line"
    like "$scr" 'EXPLAIN as role attacker — rolled back' "[$W] e: the tree's title: as the author, rolled back"
    sh_keys t
    sh_wait 'Seq Scan on t +\(cost=' 5
    ok $? "[$W] t: the text plan"
    scr=$(sh_screen)
    like "$scr" 'EXPLAIN as role attacker — rolled back' "[$W] e: as the author, rolled back"
    like "$scr" 'Statement detail' "[$W] e: in the Slow pane, not the editor"
    attacker_failed "[$W] e"

    # --- E: EXPLAIN ANALYZE of a SELECT calling a VOLATILE function --------------
    filter "select pwn"
    sh_wait 'select pwn\(\)' 10
    sh_keys Enter
    sh_wait 'Statement detail' 5
    sh_keys E
    sh_wait 'EXPLAIN ANALYZE executes it as role attacker \(rolled back\)\. Run it\? \(y/n\)' 10
    ok $? "[$W] E: asks first, naming the role"
    scr=$(sh_screen)
    like "$scr" 'executes: yes — the statement really runs' "[$W] E: says it really executes"
    like "$scr" 'calls: +pwn\(\)' "[$W] E: names the function"
    sh_keys y
    sh_wait 'Enter/Space fold' 10
    ok $? "[$W] E: the plan of a SELECT is shown, as a tree first"
    like "$(sh_screen)" 'EXPLAIN \(ANALYZE, BUFFERS\) as role attacker — executed in a tr' "[$W] E: the tree's title: as the author, rolled back"
    sh_keys t
    sh_wait 'Execution Time: [0-9.]+ ms' 5
    ok $? "[$W] t: the text plan"
    like "$(sh_screen)" 'Statement detail' "[$W] E: in the Slow pane's rolled-back transaction, never the editor"
    attacker_failed "[$W] E"

    # --- o: open in the editor: whose text, in a transaction ---------------------
    filter "update t set"
    sh_wait 'update t set i = i \+ \$1' 10
    sh_keys Enter
    sh_wait 'Statement detail' 5
    sh_keys o
    sh_wait '^-- written by role "attacker"' 5
    ok $? "[$W] o: the editor shows whose text it is"
    scr=$(sh_screen)
    like "$scr" '^BEGIN;' "[$W] o: the text opens in a transaction"
    like "$scr" '^SET LOCAL ROLE "attacker";' "[$W] o: with the author's role"
    like "$scr" 'F5Run' "[$W] o: the footer shows the editor's keys"
    before=$(cluster_psql -d adb -c "select i from t")
    sh_keys F5
    sh_wait 'value for \$1' 5
    sh_type 5
    sh_keys Enter
    sh_wait 'in transaction \(connection kept\)' 10
    ok $? "[$W] o + F5: the statement ran inside the open transaction"
    is "$(cluster_psql -d adb -c "select i from t")" "$before" "[$W] o + F5: nothing committed"
    sh_keys Enter
    sh_type "rollback"
    sh_keys F8
    sh_wait 'Pipeline: off \| idle' 10
    ok $? "[$W] ROLLBACK ends it"
    is "$(cluster_psql -d adb -c "select i from t")" "$before" "[$W] the table is unchanged"
    attacker_failed "[$W] o"
    sh_stop
done

# --- a DBA who may not act as the author is refused -----------------------------
plant
sh_start refuse 120 30 -- -h "$PGHOST" -p "$PGPORT" -U dba2 adb
sh_wait 'connected' 20
sh_keys 2
sh_wait 'Server: pg_stat_statements [0-9.]+ ·' 10
filter "where i = leak"
sh_wait 'where i = leak\(\$1\)' 10
sh_keys Enter
sh_wait 'Statement detail' 5
sh_keys e
sh_wait 'EXPLAIN refused: only role attacker \(or a member\) may run it' 10
ok $? "dba2 (not a member of attacker): e is refused, naming the role"
like "$(sh_screen)" 'EXPLAIN refused: written by role attacker; dba2 is not a member' "the detail view says why"
unlike "$(sh_screen)" 'Seq Scan' "no plan: nothing ran"
sh_keys E
sh_wait 'EXPLAIN refused' 10
unlike "$(sh_screen)" '\(y/n\)' "E: refused too, without asking"
attacker_failed "dba2"
sh_stop
done_testing
