#!/bin/sh
# tests/cli/sec_input.sh — bad input that used to hang or explode (issue
# 10, part 4): run -f /dev/zero, /dev/urandom, a FIFO, a directory and an
# oversized script; --config=/dev/zero; and -d URI with -U, -h, -p, whose
# precedence must be psql's own (psql 15 is the oracle, on the same cluster).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT
PSQL="$PGDECK_TEST_BINDIR/psql"

# --- run -f: regular files only, capped ---------------------------------------
# timeout only guards the test against the old behaviour (growing to 2 GB)
for dev in /dev/zero /dev/urandom; do
    err=$(timeout 60 "$PGDECK" run -f "$dev" 2>&1); rc=$?
    is "$rc" 1 "run -f $dev: exit 1"
    like "$err" "$dev: cannot open: not a regular file" "run -f $dev: refused with a clear message"
    like "$err" '-f - reads standard input' "run -f $dev: says how to read a stream"
done
mkfifo "$tmp/fifo"
err=$(timeout 60 "$PGDECK" run -f "$tmp/fifo" 2>&1); rc=$?
is "$rc" 1 "run -f FIFO: exit 1 at once (nobody writes to it: no hang)"
like "$err" 'not a regular file' "run -f FIFO: refused"
err=$("$PGDECK" run -f "$tmp" 2>&1); rc=$?
is "$rc" 1 "run -f DIRECTORY: exit 1"
like "$err" 'Is a directory' "run -f DIRECTORY: says so"

python3 -c "
import sys
sys.stdout.write('select 1;\n' + '-- ' + 'x' * (2 * 1024 * 1024) + '\nselect 2;\n')" >"$tmp/big.sql"
err=$("$PGDECK" run --max-script-size=1M -f "$tmp/big.sql" 2>&1); rc=$?
is "$rc" 1 "a script over --max-script-size: exit 1"
like "$err" 'big.sql: larger than 1 MB: refused \(--max-script-size=SIZE raises the cap\)' \
    "a script over the cap: the message names the cap and the option"
unlike "$err" '^ \?column' "a script over the cap: nothing ran"
out=$("$PGDECK" run --max-script-size=4M --format=csv -f "$tmp/big.sql" 2>&1); rc=$?
is "$rc" 0 "--max-script-size=4M: the same script runs"
err=$(timeout 60 "$PGDECK" run --max-script-size=1M -f - </dev/zero 2>&1); rc=$?
is "$rc" 1 "-f - from /dev/zero: capped, exit 1"
like "$err" '<stdin>: larger than 1 MB' "-f - from /dev/zero: the message"
err=$("$PGDECK" run --max-script-size=lots -c 'select 1' 2>&1); rc=$?
is "$rc" 2 "--max-script-size=lots: usage error"
like "$err" '--max-script-size takes a size' "--max-script-size=lots: says what it takes"

# --- settings files ---------------------------------------------------------------
err=$(timeout 60 "$PGDECK" run -c 'select 1' --config=/dev/zero 2>&1); rc=$?
is "$rc" 2 "--config=/dev/zero: a usage error at once"
like "$err" '/dev/zero: cannot open: not a regular file' "--config=/dev/zero: the message"
head -c 3000000 /dev/zero >"$tmp/nuls.conf"
err=$(timeout 60 "$PGDECK" run -c 'select 1' --config="$tmp/nuls.conf" 2>&1); rc=$?
is "$rc" 2 "a 3 MB settings file of NULs: refused"
like "$err" 'larger than 1 MB' "a settings file over 1 MB: the message"

# --- -d URI with -U / -h / -p: psql's precedence ----------------------------------
cluster_psql -c "create role ua login" >/dev/null
cluster_psql -c "create role ub login" >/dev/null
cluster_psql -c "create database dba owner ua" >/dev/null
Q="select current_user || '@' || current_database()"
URI_A="postgresql://ua@$PGHOST:$PGPORT/dba"
URI_NOUSER="postgresql://$PGHOST:$PGPORT/dba"
same_as_psql() { # NAME ARGS... (connection arguments only)
    name=$1
    shift
    want=$("$PSQL" -X -At -c "$Q" "$@" 2>&1 | head -1)
    got=$("$PGDECK" run --format=csv -c "$Q" "$@" 2>&1 | sed -n 2p)
    is "$got" "$want" "as psql: $name ($want)"
}
same_as_psql "-d URI(user ua) -U ub: the URI's user wins" -d "$URI_A" -U ub
same_as_psql "-U ub -d URI(user ua): in either order" -U ub -d "$URI_A"
same_as_psql "-d URI without a user -U ub: -U applies" -d "$URI_NOUSER" -U ub
same_as_psql "URI positional, USER positional" "$URI_A" ub
same_as_psql "-d conninfo user=ua -U ub" -d "user=ua dbname=dba" -U ub
same_as_psql "-d conninfo without user, -U ub" -d "dbname=dba" -U ub
same_as_psql "-U ub, positional URI(ua)" -U ub "$URI_A"
same_as_psql "-h and -p after a URI with its own host and port" -d "$URI_A" -h /nonexistent -p 1
same_as_psql "-d DBNAME then positional USER" -d dba ub
same_as_psql "-d conninfo, positional USER" -d "dbname=dba" ub
same_as_psql "plain -d, -U" -U ub -d dba

done_testing
