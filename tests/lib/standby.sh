# standby.sh — a streaming standby of the test cluster (POSIX sh), for the
# replication figures. Source after cluster.sh, once cluster_start ran:
#
#   . "$top_srcdir/tests/lib/standby.sh"
#   standby_start                 # pg_basebackup -R, then pg_ctl start
#   standby_wait_streaming        # until pg_stat_replication says streaming, replayed
#   ... STANDBY_PORT, STANDBY_DATADIR ...
#   standby_stop                  # call it in the test's EXIT trap
#
# The primary's pg_hba.conf gets a trusted replication line for 127.0.0.1
# (the sandbox has none) and is reloaded. The standby listens on 127.0.0.1
# on a free port, its socket in its own directory; when run as root it runs
# as the owner of the primary's data directory. A watcher stops it and
# removes its directory when the test's shell is gone, even without a trap.

# runs a command as the owner of the primary's data directory
_standby_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$(stat -c %U "$PGDECK_TEST_DATADIR")" -- "$@"
    else
        "$@"
    fi
}

# pg_isready exits 2 when nothing answers on the port
_standby_port_free() {
    "$PGDECK_TEST_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$1" >/dev/null 2>&1
    [ $? -eq 2 ]
}

standby_start() {
    [ -n "${PGDECK_TEST_DATADIR:-}" ] || { echo "Bail out! standby_start before cluster_start"; exit 1; }
    if ! grep -q '^host replication' "$PGDECK_TEST_DATADIR/pg_hba.conf"; then
        _standby_as_owner sh -c "echo 'host replication all 127.0.0.1/32 trust' >> '$PGDECK_TEST_DATADIR/pg_hba.conf'"
        cluster_psql -c 'select pg_reload_conf()' >/dev/null
    fi
    STANDBY_DATADIR=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-standby-XXXXXX")
    chmod 700 "$STANDBY_DATADIR"
    [ "$(id -u)" -eq 0 ] && chown "$(stat -c %U "$PGDECK_TEST_DATADIR")" "$STANDBY_DATADIR"
    if ! _standby_as_owner "$PGDECK_TEST_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" \
        -U "$PGUSER" -D "$STANDBY_DATADIR" -R -X stream -c fast -d "application_name=pgdeck_standby" \
        >"$STANDBY_DATADIR.basebackup.log" 2>&1; then
        echo "Bail out! pg_basebackup failed: $(cat "$STANDBY_DATADIR.basebackup.log")"
        exit 1
    fi
    # a port that looks free can be taken by another test's cluster before the
    # standby binds it: a random one, and another try when the bind fails
    _tries=0
    while :; do
        _tries=$((_tries + 1))
        STANDBY_PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
        _standby_port_free "$STANDBY_PORT" || continue
        if _standby_as_owner "$PGDECK_TEST_BINDIR/pg_ctl" -D "$STANDBY_DATADIR" -w -l "$STANDBY_DATADIR/standby.log" \
            -o "-p $STANDBY_PORT -k $STANDBY_DATADIR -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
            break
        fi
        if [ "$_tries" -ge 5 ] || ! grep -q 'could not bind' "$STANDBY_DATADIR/standby.log"; then
            echo "Bail out! the standby did not start: $(tail -5 "$STANDBY_DATADIR/standby.log")"
            exit 1
        fi
    done
    export STANDBY_PORT STANDBY_DATADIR
    # the watcher: nothing outlives the test
    _standby_shell=$$
    (
        trap '' HUP INT TERM
        while kill -0 "$_standby_shell" 2>/dev/null && [ -d "$STANDBY_DATADIR" ]; do sleep 1; done
        if [ -d "$STANDBY_DATADIR" ]; then
            _standby_as_owner "$PGDECK_TEST_BINDIR/pg_ctl" -D "$STANDBY_DATADIR" -m immediate stop >/dev/null 2>&1
            rm -rf "$STANDBY_DATADIR" "$STANDBY_DATADIR.basebackup.log"
        fi
    ) >/dev/null 2>&1 </dev/null &
}

# streaming, and the standby has answered once (replay_lsn is NULL until its
# first reply: the lag in bytes is not known before)
_standby_streaming() {
    [ "$(cluster_psql -c "select state from pg_stat_replication where application_name = 'pgdeck_standby' and replay_lsn is not null")" = streaming ]
}
standby_wait_streaming() { wait_until "${1:-30}" _standby_streaming; }

standby_stop() {
    [ -n "${STANDBY_DATADIR:-}" ] && [ -d "$STANDBY_DATADIR" ] || return 0
    _standby_as_owner "$PGDECK_TEST_BINDIR/pg_ctl" -D "$STANDBY_DATADIR" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$STANDBY_DATADIR" "$STANDBY_DATADIR.basebackup.log"
    STANDBY_DATADIR=
}
