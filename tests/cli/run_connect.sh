#!/bin/sh
# tests/cli/run_connect.sh — connection options and failures of `pgdeck run`:
# psql's -h/-p/-U/-d and positional DBNAME USER (conninfo, URI), exit 3 on
# a bad port, an unknown host and a wrong password; -W prompts without echo
# on the terminal (driven through a pseudo-tty); a password never appears in
# the output, in /proc/PID/cmdline or in /proc/PID/environ.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

GOOD='Good-Pw-4471'
BAD='Wrong-Pw-9923'
cluster_psql -c "create role pw_x login password '$GOOD' in role pw_users" >/dev/null
cluster_psql -c "create database h4db" >/dev/null

whoami_sql="select current_user || '@' || current_database()"

# --- how the server is named ----------------------------------------------------
out=$("$PGDECK" run --format=csv -c "$whoami_sql" 2>&1)
is "$out" "$(printf '?column?\npostgres@postgres')" "PG* environment variables"
out=$(env -u PGDATABASE "$PGDECK" run --format=csv -c "$whoami_sql" h4db 2>&1)
is "$out" "$(printf '?column?\npostgres@h4db')" "positional DBNAME"
out=$("$PGDECK" run --format=csv -h "$PGHOST" -p "$PGPORT" -U postgres -d h4db -c "$whoami_sql" 2>&1)
is "$out" "$(printf '?column?\npostgres@h4db')" "-h -p -U -d"
out=$("$PGDECK" run --format=csv -c "$whoami_sql" "host=$PGHOST port=$PGPORT dbname=h4db" 2>&1)
is "$out" "$(printf '?column?\npostgres@h4db')" "conninfo string as DBNAME"
out=$(env -u PGPORT "$PGDECK" run --format=csv -c "$whoami_sql" "postgresql://postgres@$PGHOST:$PGPORT/h4db?application_name=h4uri" 2>&1)
is "$out" "$(printf '?column?\npostgres@h4db')" "postgres:// URI as DBNAME"
out=$(PGPASSWORD=$GOOD "$PGDECK" run --format=csv -c "$whoami_sql" h4db pw_x 2>&1)
is "$out" "$(printf '?column?\npw_x@h4db')" "positional DBNAME USER, PGPASSWORD"
printf '%s:%s:*:pw_x:%s\n' "$PGHOST" "$PGPORT" "$GOOD" >"$tmp/pgpass"
chmod 600 "$tmp/pgpass"
out=$(PGPASSFILE="$tmp/pgpass" "$PGDECK" run --format=csv -U pw_x -c "select current_user" 2>&1)
is "$out" "$(printf 'current_user\npw_x')" ".pgpass (PGPASSFILE) works"
printf '[h4svc]\nhost=%s\nport=%s\ndbname=h4db\n' "$PGHOST" "$PGPORT" >"$tmp/pg_service.conf"
out=$(env -u PGPORT -u PGDATABASE PGSERVICEFILE="$tmp/pg_service.conf" "$PGDECK" run --format=csv -c "$whoami_sql" "service=h4svc" 2>&1)
is "$out" "$(printf '?column?\npostgres@h4db')" "service file (service=NAME)"
out=$("$PGDECK" run --format=csv -c "select application_name from pg_stat_activity where pid = pg_backend_pid()" 2>&1)
is "$out" "$(printf 'application_name\npgdeck')" "application_name is pgdeck"

# --- failures: exit 3 with libpq's message ------------------------------------------
err=$("$PGDECK" run -p 1 -c 'select 1' 2>&1); rc=$?
is "$rc" 3 "bad port: exit 3"
like "$err" 'cannot connect: .*(Connection refused|could not connect)' "bad port: libpq's message"
err=$("$PGDECK" run -h nosuchhost.invalid -c 'select 1' 2>&1); rc=$?
is "$rc" 3 "unknown host: exit 3"
like "$err" 'could not translate host name "nosuchhost.invalid"' "unknown host: libpq's message"
err=$("$PGDECK" run -d nosuch_database -c 'select 1' 2>&1); rc=$?
is "$rc" 3 "unknown database: exit 3"
like "$err" 'database "nosuch_database" does not exist' "unknown database: the server's message"

err=$(PGPASSWORD=$BAD "$PGDECK" run -U pw_x -c 'select 1' 2>&1); rc=$?
is "$rc" 3 "wrong password (PGPASSWORD): exit 3"
like "$err" 'password authentication failed for user "pw_x"' "wrong password: the server's message"
unlike "$err" "$BAD" "wrong password: the password is not printed"

err=$("$PGDECK" run -w -U pw_x -c 'select 1' </dev/null 2>&1); rc=$?
is "$rc" 3 "-w without a password: exit 3, no prompt"
like "$err" 'no password supplied' "-w without a password: libpq's message"

if command -v setsid >/dev/null 2>&1; then
    # -W without a terminal reads standard input; at its end: exit 3
    err=$(setsid "$PGDECK" run -W -U pw_x -c 'select 1' </dev/null 2>&1); rc=$?
    is "$rc" 3 "-W without a terminal and no input: exit 3"
    like "$err" 'cannot connect: no password supplied' "-W without a terminal and no input: says so"
fi

# passwords inside a URI or conninfo never come back in a message
err=$("$PGDECK" run -c 'select 1' "postgresql://pw_x:$BAD@$PGHOST:$PGPORT/postgres" 2>&1); rc=$?
is "$rc" 3 "wrong password in a URI: exit 3"
unlike "$err" "$BAD" "wrong password in a URI: not printed"
err=$("$PGDECK" run -c 'select 1' "postgresql://pw_x:$BAD@[::1" 2>&1); rc=$?
is "$rc" 2 "malformed URI: exit 2"
like "$err" 'URI' "malformed URI: libpq's message"
unlike "$err" "$BAD" "malformed URI: the password in it is masked"
# the same exit code and the same masking for every command
printf 'a\n1\n' >"$tmp/one.csv"
uri="postgresql://pw_x:$BAD@[::1"
for name in top import console; do
    case $name in
    top) err=$("$PGDECK" top --once "$uri" </dev/null 2>&1); rc=$? ;;
    import) err=$("$PGDECK" import "$uri" "$tmp/one.csv" --table t_bad_uri </dev/null 2>&1); rc=$? ;;
    console) err=$("$PGDECK" "$uri" </dev/null 2>&1); rc=$? ;;
    esac
    is "$rc" 2 "malformed URI, $name: exit 2"
    like "$err" 'URI' "malformed URI, $name: libpq's message"
    unlike "$err" "$BAD" "malformed URI, $name: the password in it is masked"
done
err=$("$PGDECK" run -c 'select 1' "host=$PGHOST user=pw_x password=$BAD" 2>&1); rc=$?
is "$rc" 3 "wrong password in a conninfo: exit 3"
unlike "$err" "$BAD" "wrong password in a conninfo: not printed"

# --- -W: a prompt on the terminal, no echo -----------------------------------------
# ptyrun.py CMD... : runs CMD on a pseudo-terminal, answers the password prompt
# with $ANSWER, samples /proc/PID/cmdline and environ while the statement
# runs, prints the transcript and "EXIT n" / "LEAK cmdline|environ".
cat >"$tmp/ptyrun.py" <<'PY'
import os, pty, sys, time, select, termios
answer = os.environ.pop("ANSWER", "").encode()  # not inherited by the child
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
leaks = set()
def sample():
    for what in ("cmdline", "environ"):
        try:
            with open("/proc/%d/%s" % (pid, what), "rb") as f:
                if answer and answer in f.read():
                    leaks.add(what)
        except OSError:
            pass
answered = False
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    sample()
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not answered and b"Password" in out:
        # the answer goes in once the prompt turned echo off (the pty's state)
        while termios.tcgetattr(fd)[3] & termios.ECHO and time.time() < deadline:
            time.sleep(0.01)
        os.write(fd, answer + b"\n")
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.stdout.write("\nEXIT %d\n" % os.waitstatus_to_exitcode(status))
for l in sorted(leaks):
    sys.stdout.write("LEAK %s\n" % l)
PY
tr=$(ANSWER=$GOOD python3 "$tmp/ptyrun.py" "$PGDECK" run -W -U pw_x --format=csv \
    -c "select pg_sleep(0.5)" -c "select current_user" 2>&1)
like "$tr" 'Password for user pw_x: ' "-W: prompts for the password on the terminal"
like "$tr" 'EXIT 0' "-W with the right password: exit 0"
like "$tr" '^pw_x' "-W with the right password: connected as pw_x"
unlike "$tr" "$GOOD" "-W: the typed password is not echoed"
unlike "$tr" 'LEAK' "-W: the password is in neither /proc/PID/cmdline nor environ"

tr=$(ANSWER=$BAD python3 "$tmp/ptyrun.py" "$PGDECK" run -W -U pw_x -c "select 1" 2>&1)
like "$tr" 'EXIT 3' "-W with a wrong password: exit 3"
like "$tr" 'password authentication failed' "-W with a wrong password: the server's message"
unlike "$tr" "$BAD" "-W with a wrong password: the password appears nowhere"

# no -W but the server asks: prompt once on a terminal, as psql does
tr=$(ANSWER=$GOOD python3 "$tmp/ptyrun.py" "$PGDECK" run -U pw_x --format=csv -c "select current_user" 2>&1)
like "$tr" 'Password for user pw_x: ' "server asks for a password: prompt on a terminal"
like "$tr" 'EXIT 0' "server asks for a password: exit 0 after the prompt"
unlike "$tr" "$GOOD" "server asks for a password: not echoed"

done_testing
