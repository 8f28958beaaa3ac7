# tests/lib/pgbouncer.sh — a real PgBouncer (transaction pooling) in front of
# the test cluster, for the TUI tests. Source after shell_lib.sh and
# tui_begin. bouncer_start sets $dir and $port and registers bouncer_stop
# with tui_on_exit; it tries up to five ports and returns non-zero when
# PgBouncer would not answer on any. PgBouncer refuses to run as root: as
# root it drops to postgres (-u). The admin console's user is pgdeck_admin.
PGBOUNCER=$(command -v pgbouncer 2>/dev/null || { [ -x /usr/sbin/pgbouncer ] && echo /usr/sbin/pgbouncer; })

bouncer_stop() {
    [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
    i=0
    while [ -f "$dir/pgbouncer.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    rm -rf "$dir"
}

# bouncer_start [SALT]: SALT moves the ports tried (two bouncers in one test).
# $BOUNCER_EXTRA: more [pgbouncer] lines (e.g. default_pool_size = 1).
bouncer_start() {
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-pgbouncer-XXXXXX")
    tui_on_exit bouncer_stop
    as_user=
    if [ "$(id -u)" -eq 0 ]; then
        as_user="-u postgres"
        chown postgres "$dir"
    fi
    for try in 1 2 3 4 5; do
        printf '"pgdeck_admin" ""\n"%s" ""\n' "$PGUSER" >"$dir/users.txt"
        port=$(( 20000 + ($$ * 7 + try * 1009 + ${1:-0}) % 30000 ))
        cat >"$dir/pgbouncer.ini" <<INI
[databases]
postgres = host=127.0.0.1 port=$PGPORT dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
admin_users = pgdeck_admin
stats_users = pgdeck_admin
pool_mode = transaction
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
${BOUNCER_EXTRA:-}
INI
        [ -n "$as_user" ] && chown postgres "$dir"/*
        # shellcheck disable=SC2086
        "$PGBOUNCER" -d $as_user "$dir/pgbouncer.ini" >/dev/null 2>&1
        i=0
        while [ $i -lt 30 ]; do
            cluster_psql -h 127.0.0.1 -p "$port" -U pgdeck_admin pgbouncer -c 'SHOW VERSION' \
                >/dev/null 2>&1 && return 0
            sleep 0.1
            i=$((i + 1))
        done
        bouncer_stop
        dir=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-pgbouncer-XXXXXX")
        [ -n "$as_user" ] && chown postgres "$dir"
    done
    return 1
}
