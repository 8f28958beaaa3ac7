#!/bin/sh
# tests/cli/harness.sh — the shell test harness itself: tests/lib/cluster.sh
# starts a usable cluster, restarts, pauses, stops it, and leaves nothing
# behind — also when the test shell or the daemon is killed.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"

# Processes whose command line names a directory (the server's have -D DIR).
procs_of() {
    for f in /proc/[0-9]*/cmdline; do
        { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -F -q -- "$1" && echo "${f#/proc/}"
    done | sed 's|/cmdline||' | grep -v -x "$$" | wc -l | tr -d ' '
}

# A process that runs (a zombie nobody reaped does not count).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Waits up to $2 seconds for directory $1 to vanish; 0 when it did.
gone_within() {
    i=0
    while [ -e "$1" ] && [ "$i" -lt $(($2 * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ ! -e "$1" ]
}

tmp=$(mktemp -d)
exec 8>"$tmp/marker" # a descriptor the daemon must not keep
cluster_start
exec 8>&-
dir=$PGDECK_TEST_DATADIR
daemon=$PGDECK_TEST_PID
held=$(ls -l "/proc/$daemon/fd" 2>/dev/null | grep -c -F "$tmp/marker")
is "$held" "0" "the daemon keeps none of the caller's descriptors"
is "$PGHOST" "127.0.0.1" "PGHOST is the loopback address"
like "$PGPORT" '^[0-9]+$' "PGPORT is a port number"
is "$PGUSER/$PGDATABASE" "postgres/postgres" "PGUSER and PGDATABASE"
ok "$([ -d "$dir" ] && echo 0 || echo 1)" "the data directory exists"
ok "$([ -x "$PGDECK_TEST_BINDIR/pg_ctl" ] && echo 0 || echo 1)" "PGDECK_TEST_BINDIR holds pg_ctl"
is "$(sh -c 'echo $PGPORT')" "$PGPORT" "the variables are exported"

is "$(cluster_psql -c 'select 1')" "1" "psql select 1"
is "$(cluster_psql -c "select count(*) from pg_extension where extname = 'pg_stat_statements'")" \
    "1" "pg_stat_statements extension present"
is "$(cluster_psql -c "select count(*) from pg_stat_statements
                       where query ilike '%create extension%' or query like '%pw_users%'")" "0" \
    "pg_stat_statements starts empty (the sandbox's own setup is not recorded)"
cluster_psql -c 'create table harness_marker (i int); select count(*) from harness_marker' >/dev/null
is "$(cluster_psql -c "select calls from pg_stat_statements where query like '%from harness_marker%'")" \
    "1" "pg_stat_statements records our query"
if [ "$(id -u)" = 0 ]; then
    owner=$(cluster_psql -c "select usename from pg_stat_activity where pid = pg_backend_pid()")
    is "$owner" "postgres" "connected as postgres"
    unlike "$(stat -c %U "/proc/$(cluster_postmaster_pid)")" '^root$' "as root, the server is not root's"
fi

# Passwords: members of pw_users must give theirs over TCP.
cluster_psql -c "create role pw_carol login password 'good' in role pw_users" >/dev/null
out=$(PGPASSWORD=bad cluster_psql -U pw_carol -c 'select 1' 2>&1)
like "$out" "password authentication failed" "a wrong password is refused"
is "$(PGPASSWORD=good cluster_psql -U pw_carol -c 'select 1')" "1" "the right password works"

pid1=$(cluster_postmaster_pid)
cluster_restart
ok $? "cluster_restart"
pid2=$(cluster_postmaster_pid)
ok "$([ -n "$pid2" ] && [ "$pid1" != "$pid2" ] && echo 0 || echo 1)" "a new postmaster after restart"
is "$(cluster_psql -c 'select 2')" "2" "psql works after restart"

cluster_pause
ok $? "cluster_pause"
cluster_psql -c 'select 1' >/dev/null 2>&1
ok "$([ $? -ne 0 ] && echo 0 || echo 1)" "paused: psql cannot connect"
cluster_resume
ok $? "cluster_resume"
is "$(cluster_psql -c "select 1 from pg_roles where rolname = 'pw_carol'")" "1" "resumed with the data"

cluster_stop
ok $? "cluster_stop"
ok "$([ ! -e "$dir" ] && echo 0 || echo 1)" "the directory is gone"
is "$(procs_of "$dir")" "0" "no process of the cluster remains"
i=0
while alive "$daemon" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ok "$(alive "$daemon" && echo 1 || echo 0)" "the daemon has exited"
cluster_stop
ok $? "cluster_stop twice is harmless"

# A second cluster_start keeps the test's own EXIT trap (which stops it).
out=$(top_builddir=$top_builddir sh -c '. "$1/tests/lib/tap.sh"; . "$1/tests/lib/cluster.sh"
    cluster_start; trap "echo own-trap-ran; cluster_stop" EXIT
    cluster_stop; cluster_start; echo "dir=$PGDECK_TEST_DATADIR"' sh "$top_srcdir")
like "$out" "own-trap-ran" "a second cluster_start keeps the test's EXIT trap"
dir=$(printf '%s\n' "$out" | sed -n 's/^dir=//p')
ok "$([ -n "$dir" ] && [ ! -e "$dir" ] && echo 0 || echo 1)" "and that trap removed the second cluster"

# A test shell killed with SIGKILL: the daemon notices and cleans up.
sh -c '. "$1/tests/lib/tap.sh"; . "$1/tests/lib/cluster.sh"; cluster_start
       echo "$PGDECK_TEST_DATADIR" >"$2/dir.tmp"; mv "$2/dir.tmp" "$2/dir"; exec sleep 600' \
    sh "$top_srcdir" "$tmp" &
victim=$!
i=0
while [ ! -s "$tmp/dir" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
dir=$(cat "$tmp/dir" 2>/dev/null)
ok "$([ -n "$dir" ] && [ -d "$dir" ] && echo 0 || echo 1)" "a child test started its cluster"
kill -9 "$victim"
wait "$victim" 2>/dev/null
gone_within "$dir" 60
ok $? "killed test shell: the cluster is removed"
is "$(procs_of "$dir")" "0" "killed test shell: no process remains"

# The daemon killed with SIGKILL: the sandbox's guardian cleans up.
out=$("$TESTCLUSTER" start --watch $$)
eval "$out"
dir=$PGDECK_TEST_DATADIR
ok "$([ -d "$dir" ] && echo 0 || echo 1)" "a second cluster"
kill -9 "$PGDECK_TEST_PID"
gone_within "$dir" 60
ok $? "killed daemon: the guardian removes the cluster"
is "$(procs_of "$dir")" "0" "killed daemon: no process remains"
PGDECK_TEST_DATADIR=

# A forgotten cluster ends after --timeout seconds.
out=$("$TESTCLUSTER" start --watch $$ --timeout 1)
eval "$out"
dir=$PGDECK_TEST_DATADIR
gone_within "$dir" 60
ok $? "--timeout: a forgotten cluster is removed"
PGDECK_TEST_DATADIR=
rm -rf "$tmp"

done_testing
