#!/bin/sh
# demo.sh — `pgdeck demo`: a throwaway cluster with data and a live
# workload, the console on it, and nothing left behind after q, after
# SIGTERM, and after SIGKILL of the console (the sandbox's guardian).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
[ -x /usr/lib/postgresql/15/bin/initdb ] || command -v pg_config >/dev/null 2>&1 ||
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || skip_all "no PostgreSQL server programs"

# A private TMPDIR (world-searchable: as root the server user must reach it)
# so "no temporary directory remains" is checkable.
base=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-demotest-XXXXXX")
chmod 755 "$base"
tui_begin --no-cluster # the demo starts its own
tui_on_exit 'rm -rf "$base"'

# Starts the demo in tmux; sets datadir from its start-up message.
demo_start() {
    : >"$base/demo.err"
    sh_start_cmd demo 110 50 "TMPDIR=$base/tmp '$PGDECK' demo 2>>'$base/demo.err'"
    datadir=
    i=0
    while [ $i -lt 300 ] && [ -z "$datadir" ]; do
        datadir=$(sed -n 's/^pgdeck demo: cluster in \([^,]*\), port.*/\1/p' "$base/demo.err")
        sleep 0.1
        i=$((i + 1))
    done
}
server_running() { ps -eo args | grep -F -- "$1" | grep -v grep | grep -q postgres; }
# Waits until the cluster is gone: no server process with that data directory,
# no directory, nothing left in our TMPDIR.
wait_gone() {
    i=0
    while [ $i -lt 200 ]; do
        if ! server_running "$1" && [ ! -e "$1" ] && [ -z "$(ls -A "$base/tmp")" ]; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

mkdir -p "$base/tmp"
chmod 755 "$base/tmp"

# ---- 1. start, see the workload, quit with q ------------------------------
demo_start
ok $([ -n "$datadir" ] && echo 0 || echo 1) "demo announces its cluster directory ($datadir)"
like "$(cat "$base/demo.err")" 'starting a throwaway PostgreSQL cluster' "start-up message on stderr"
sh_wait 'pool_size' 30
ok $? "the console opens on the demo cluster"
ok $(server_running "$datadir" && echo 0 || echo 1) "its server runs"
sh_wait 'idle in transaction [1-9]' 20
ok $? "the workload's idle-in-transaction session shows in the server counts"
sh_wait 'waiting for a lock' 20
ok $? "the workload's lock wait shows"
sh_wait 'server +active [2-9]' 20
ok $? "active sessions (long-running query, lock waiter, fast queries)"
like "$(sh_screen)" '[0-9]+ / 100 max_connections' "connections against max_connections"
sh_quit q
ok $? "q quits the demo"
wait_gone "$datadir"
ok $? "after q: no server, no data directory, no temporary directory"
like "$(cat "$base/demo.err")" 'stopping and removing the cluster' "the demo says it cleans up"
sh_stop

# ---- 2. SIGTERM -----------------------------------------------------------
demo_start
sh_wait 'pool_size' 30
ok $? "second demo runs"
pid=$(sh_pid)
[ -n "$pid" ] && kill -TERM "$pid"
wait_gone "$datadir"
ok $? "after SIGTERM: everything removed"
like "$(cat "$base/demo.err")" 'stopping and removing the cluster' "SIGTERM ends the console and the demo cleans up itself"
sh_stop

# ---- 3. SIGKILL of the console: the guardian cleans up --------------------
demo_start
sh_wait 'pool_size' 30
ok $? "third demo runs"
pid=$(sh_pid)
ok $(server_running "$datadir" && echo 0 || echo 1) "its server runs"
[ -n "$pid" ] && kill -KILL "$pid"
wait_gone "$datadir"
ok $? "after SIGKILL: the guardian stopped the server and removed everything"
sh_stop

# ---- 4. Ctrl-C during start-up --------------------------------------------
: >"$base/demo.err"
sh_start_cmd demo 110 50 "TMPDIR=$base/tmp '$PGDECK' demo 2>>'$base/demo.err'"
wait_until 30 grep -q 'cluster in' "$base/demo.err"
datadir=$(sed -n 's/^pgdeck demo: cluster in \([^,]*\), port.*/\1/p' "$base/demo.err")
sh_keys C-c
wait_gone "$datadir"
ok $? "Ctrl-C during start-up leaves nothing behind"
sh_stop

"$PGDECK" demo --host=x >/dev/null 2>&1
is $? 2 "connection options are a usage error for the demo"
done_testing
