#!/bin/sh
# tests/tui/slow_missing.sh — the Slow pane without pg_stat_statements: in a
# database where it was not created it says so and what to do; under
# --readonly CREATE EXTENSION and reset are refused; without --readonly `c`
# asks, creates it (checked on the server) and the list appears; created
# from another session it is found on a later refresh. On a
# cluster without the preload it names shared_preload_libraries.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
cluster_psql -c "create database nopgss" >/dev/null

sh_start missro 120 30 -- --readonly -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" nopgss
sh_wait 'connected' 20
sh_keys 2
sh_wait 'pg_stat_statements is loaded but not installed in database nopgss' 10
ok $? "the reason: not installed in this database"
like "$(sh_screen)" 'CREATE EXTENSION pg_stat_statements in database nopgss' "what to do"
like "$(sh_screen)" 'CREATE EXTENSION is disabled in read-only mode' "the offer says it is disabled"
sh_keys c
sh_wait 'read-only mode: CREATE EXTENSION is disabled' 5
ok $? "c is refused under --readonly"
sh_keys R
sh_wait 'read-only mode: resetting statistics is disabled' 5
ok $? "R is refused under --readonly"
is "$(cluster_psql -d nopgss -c "select count(*) from pg_extension where extname = 'pg_stat_statements'")" 0 \
    "nothing was created"
sh_stop

sh_start missrw 120 30 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" nopgss
sh_wait 'connected' 20
sh_keys 2
sh_wait 'c: CREATE EXTENSION pg_stat_statements' 10
ok $? "CREATE EXTENSION is offered (the library is loaded)"
sh_keys c
sh_wait 'Run CREATE EXTENSION pg_stat_statements in nopgss\? \(y/n\)' 5
ok $? "c asks first"
sh_keys y
sh_wait 'pg_stat_statements created in nopgss' 10
ok $? "and reports the outcome"
is "$(cluster_psql -d nopgss -c "select count(*) from pg_extension where extname = 'pg_stat_statements'")" 1 \
    "on the server: the extension exists in nopgss"
sh_wait 'Server: pg_stat_statements [0-9.]+ ·' 10
ok $? "the statement list appears"
sh_stop

# Created from another session: found on the next refresh (while it is
# unavailable every refresh probes again).
for size in "80 24" "160 45"; do
    set -- $size
    db="later$1"
    cluster_psql -c "create database $db" >/dev/null
    sh_start "later$1" "$1" "$2" -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$db"
    sh_wait 'connected' 20
    sh_keys 2
    sh_wait 'not installed in database' 10
    ok $? "[$1] $db: pg_stat_statements is not installed"
    cluster_psql -d "$db" -c "create extension pg_stat_statements" >/dev/null
    sh_wait 'Server: pg_stat_statements [0-9.]+ ·' 10
    ok $? "[$1] created by someone else: the list appears on a later refresh"
    sh_stop
done
cluster_stop

cluster_start --no-pg-stat-statements
sh_start nopre 120 30 -- -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$PGDATABASE"
sh_wait 'connected' 20
sh_keys 2
sh_wait 'pg_stat_statements is not in shared_preload_libraries' 10
ok $? "a cluster without the preload: the reason"
like "$(sh_screen)" "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; restart the server" "what to do"
unlike "$(sh_screen)" 'c: CREATE EXTENSION' "CREATE EXTENSION is not offered (it would not help)"
like "$(sh_screen)" 'Now: [0-9]+ running' "the Now section still works"
sh_stop
done_testing
