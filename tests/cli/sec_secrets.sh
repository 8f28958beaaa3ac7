#!/bin/sh
# tests/cli/sec_secrets.sh — secrets (issue 10, part 3), read the way
# another user of the machine would: a password given in a URI or a conninfo,
# in any argument position, is gone from /proc/PID/cmdline while pgdeck runs
# (and still works: libpq keeps it); core dumps are off unless --allow-core.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

GOOD='Sekr1t-Pw-5531'
cluster_psql -c "create role pw_x login password '$GOOD' in role pw_users" >/dev/null

# running_cmdline TAG ARGS...: starts pgdeck ARGS in the background, waits
# until its statement runs on the server (as pw_x), then prints its
# /proc/PID/cmdline (NULs as spaces), the limits line for core files, and
# "EXIT n" when it ended.
running_cmdline() {
    tag=$1
    shift
    "$PGDECK" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
    pid=$!
    i=0
    until [ "$(cluster_psql -c "select count(*) from pg_stat_activity where usename = 'pw_x' and query like '%pg_sleep%' and state = 'active'")" = 1 ] ||
        [ $i -ge 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    tr '\0' ' ' <"/proc/$pid/cmdline"
    echo
    grep 'Max core file size' "/proc/$pid/limits"
    wait "$pid"
    echo "EXIT $?"
}

URI="postgresql://pw_x:$GOOD@$PGHOST:$PGPORT/postgres"
SLEEP="select pg_sleep(3)"
for form in positional dash-d dbname= conninfo pgbouncer-style; do
    case $form in
    positional) set -- run -c "$SLEEP" "$URI" ;;
    dash-d) set -- run -d "$URI" -c "$SLEEP" ;;
    dbname=) set -- run "--dbname=$URI" -c "$SLEEP" ;;
    conninfo) set -- run -c "$SLEEP" "host=$PGHOST port=$PGPORT user=pw_x password=$GOOD dbname=postgres" ;;
    pgbouncer-style) set -- run -c "$SLEEP" -d "host=$PGHOST port=$PGPORT user=pw_x password='$GOOD' dbname=postgres" ;;
    esac
    out=$(running_cmdline "$form" "$@")
    like "$out" 'pg_sleep\(3\)' "$form: the command line is there"
    unlike "$out" "$GOOD" "$form: the password is not in /proc/PID/cmdline"
    like "$out" 'EXIT 0' "$form: and it still connected (the password lives in libpq's options)"
    like "$out" 'Max core file size +0 +0' "$form: core dumps are off"
done
like "$(running_cmdline uri run -c "$SLEEP" "$URI")" "pw_x:x{${#GOOD}}@" "the URI's password is overwritten in place"

# --allow-core leaves the limit alone (when the shell may raise it)
if (ulimit -c unlimited) 2>/dev/null; then
    # (AddressSanitizer zeroes the core limit itself unless told not to)
    out=$(ulimit -c unlimited
        export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0"
        running_cmdline core run --allow-core -c "$SLEEP" "$URI")
    like "$out" 'Max core file size +unlimited' "--allow-core: core dumps stay allowed"
    like "$out" 'EXIT 0' "--allow-core: taken anywhere on the command line"
    out=$(ulimit -c unlimited; running_cmdline nocore run -c "$SLEEP" "$URI")
    like "$out" 'Max core file size +0 +0' "without --allow-core: off even when the shell allows them"
else
    ok 0 "# SKIP cannot raise the core limit here"
fi

# the password never in messages either (a failing statement, a bad option)
err=$("$PGDECK" run -c "select 1/0" "$URI" 2>&1)
unlike "$err" "$GOOD" "an SQL error does not show the URI's password"
err=$("$PGDECK" run -c "select 1" "postgresql://pw_x:$GOOD@$PGHOST:1/postgres" 2>&1)
unlike "$err" "$GOOD" "a connection error does not show it"

done_testing
