#!/bin/sh
# tests/cli/session_settings.sh — [session] server settings (issue 18):
# --set session.KEY=VALUE and the config file's [session] reach every pool
# connection (read back with current_setting() on each backend, with several
# clients and --jobs), a value with spaces and a backslash survives libpq's
# options parser, the user's own options are kept, application_name is
# ours unless set, and a bad name or value is refused with the server's
# message and exit 2 before anything runs.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

cluster_psql -c 'create schema "my schema"' >/dev/null
cluster_psql -c 'create table "my schema".marker (v text)' >/dev/null
cluster_psql -c "insert into \"my schema\".marker values ('found')" >/dev/null
cluster_psql -c 'create table seen (pid int, tz text, st text, lt text, it text, sp text, app text, wm text)' >/dev/null

record="insert into public.seen select pg_backend_pid(), current_setting('TimeZone'),
  current_setting('statement_timeout'), current_setting('lock_timeout'),
  current_setting('idle_in_transaction_session_timeout'), current_setting('search_path'),
  current_setting('application_name'), current_setting('work_mem')"

SP='"my schema", public, "back\slash"'
sets="--set session.timezone=America/Sao_Paulo --set session.statement_timeout=41s
 --set session.lock_timeout=7s --set session.idle_in_transaction_session_timeout=93s
 --set session.work_mem=5MB --set pool.min_size=4 --set pool.max_size=4"

# --- every connection of the pool, several clients and two engines -------------
# shellcheck disable=SC2086
out=$("$PGDECK" run $sets --set "session.search_path=$SP" --clients 4 --repeat 40 -c "$record" 2>&1); rc=$?
is "$rc" 0 "run --clients 4 with session settings: exit 0"
# shellcheck disable=SC2086
out=$("$PGDECK" run $sets --set "session.search_path=$SP" --clients 4 --jobs 2 --repeat 40 -c "$record" 2>&1); rc=$?
is "$rc" 0 "run --clients 4 --jobs 2 with session settings: exit 0"
pids=$(cluster_psql -Atc "select count(distinct pid) from seen")
ok "$([ "$pids" -ge 4 ] && echo 0 || echo 1)" "the statements ran on several backends ($pids)"
wrong=$(cluster_psql -Atc "select count(*) from seen where tz <> 'America/Sao_Paulo' or st <> '41s'
  or lt <> '7s' or it <> '93s' or wm <> '5MB' or app <> 'pgdeck'
  or sp <> '\"my schema\", public, \"back\\slash\"'")
is "$wrong" 0 "every backend shows every setting, the search_path with its space and backslash"
is "$(cluster_psql -Atc "select sp from seen limit 1")" "$SP" "search_path read back as given"

out=$("$PGDECK" run --format=csv --set "session.search_path=$SP" -c "select v from marker" 2>&1)
is "$out" "$(printf 'v\nfound')" "the quoted schema with a space is on the search_path"

# --- the config file's [session], --set over it, SHOW ---------------------------
cat >"$tmp/pgdeck.conf" <<'CONF'
[session]
timezone = "Asia/Kolkata"
application_name = from-conf
statement_timeout = 12s
CONF
out=$("$PGDECK" run --config "$tmp/pgdeck.conf" --format=csv -c "show timezone" 2>&1)
is "$out" "$(printf 'TimeZone\nAsia/Kolkata')" "[session] timezone from the config file"
out=$("$PGDECK" run --config "$tmp/pgdeck.conf" --format=csv -c "select application_name from pg_stat_activity where pid = pg_backend_pid()" 2>&1)
is "$out" "$(printf 'application_name\nfrom-conf')" "[session] application_name replaces pgdeck's"
out=$("$PGDECK" run --config "$tmp/pgdeck.conf" --set session.statement_timeout=3min --format=csv -c "show statement_timeout" 2>&1)
is "$out" "$(printf 'statement_timeout\n3min')" "--set session.X wins over [session]"
out=$("$PGDECK" run --config "$tmp/pgdeck.conf" --set session.statement_timeout= --format=csv -c "show statement_timeout" 2>&1)
is "$out" "$(printf 'statement_timeout\n0')" "an empty --set session.X removes the setting"

# --- the user's own options are kept, ours come after them ---------------------
out=$("$PGDECK" run --set session.timezone=UTC --format=csv -c "select current_setting('work_mem') || ' ' || current_setting('TimeZone')" "options='-c work_mem=7MB -c TimeZone=Europe/Paris'" 2>&1)
is "$out" "$(printf '?column?\n7MB UTC')" "conninfo options kept, session settings after them win"
out=$(PGOPTIONS='-c work_mem=9MB' "$PGDECK" run --set session.timezone=UTC --format=csv -c "select current_setting('work_mem') || ' ' || current_setting('TimeZone')" 2>&1)
is "$out" "$(printf '?column?\n9MB UTC')" "PGOPTIONS kept beside session settings"

# --- refused: the server's message, exit 2 -----------------------------------------
err=$("$PGDECK" run --set session.timezone=Mars/Olympus -c 'select 1' 2>&1); rc=$?
is "$rc" 2 "bad value: exit 2"
like "$err" 'invalid value for parameter "TimeZone": "Mars/Olympus"' "bad value: the server's message"
err=$("$PGDECK" run --set session.no_such_guc=1 -c 'select 1' 2>&1); rc=$?
is "$rc" 2 "unknown setting: exit 2"
like "$err" 'unrecognized configuration parameter "no_such_guc"' "unknown setting: the server's message"
err=$("$PGDECK" run --set session.statement_timeout=-5 --clients 2 --repeat 2 -c 'select 1' 2>&1); rc=$?
is "$rc" 2 "out of range with --clients: exit 2"
like "$err" 'statement_timeout' "out of range: the server names the setting"
err=$("$PGDECK" run --set 'session.bad;name=1' -c 'select 1' 2>&1); rc=$?
is "$rc" 2 "bad setting name: exit 2"
like "$err" "bad setting name 'bad;name'" "bad setting name: said so before connecting"
err=$("$PGDECK" run --set 'session.a.b.c=1' -c 'select 1' 2>&1); rc=$?
is "$rc" 2 "two dots in a name: exit 2"
printf '[session]\ntimezone = Nowhere/Land\n' >"$tmp/bad.conf"
err=$("$PGDECK" run --config "$tmp/bad.conf" -c 'select 1' 2>&1); rc=$?
is "$rc" 2 "bad value in [session]: exit 2"
like "$err" 'invalid value for parameter "TimeZone"' "bad value in [session]: the server's message"
n=$(cluster_psql -Atc "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")
is "$n" 0 "no connection is left behind"

done_testing
