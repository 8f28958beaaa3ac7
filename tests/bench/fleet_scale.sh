#!/bin/sh
# tests/bench/fleet_scale.sh — what the console costs watching 1, 10 and 50
# servers at a 1 s refresh: its CPU (utime + stime from /proc/PID/stat over
# S seconds, default 60) and its RSS (VmRSS) at the end. 50 databases on one
# test cluster stand in for the servers (each a [server NAME] of its own
# engine and thread, as separate hosts would be); the console runs in tmux
# on the Fleet pane, so every server's fleet statement runs every second.
# Prints one line per fleet size and the cost per added server. Never asserts.
#
#   sh tests/bench/fleet_scale.sh [-s SECONDS] [-n "1 10 50"]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
S=60 SIZES="1 10 50"
while getopts s:n: o; do
    case $o in s) S=$OPTARG ;; n) SIZES=$OPTARG ;; *) exit 2 ;; esac
done
command -v tmux >/dev/null 2>&1 || { echo "# tmux is not installed"; exit 0; }
cluster_start
tmp=$(mktemp -d)
sock="pgdeck-fleetbench-$$"
trap 'tmux -L "$sock" kill-server >/dev/null 2>&1; cluster_stop; rm -rf "$tmp"' EXIT
max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
i=1
while [ $i -le "$max" ]; do
    cluster_psql -c "create database fleet_$i" >/dev/null
    i=$((i + 1))
done
hz=$(getconf CLK_TCK)
echo "# pgdeck console, Fleet pane, refresh 1 s, $S s per size; CPU = (utime+stime)/wall"
printf '%-8s %10s %10s %12s\n' servers cpu_pct rss_mb cpu_per_srv
base_cpu= base_n=
for n in $SIZES; do
    conf="$tmp/fleet_$n.conf"
    : >"$conf"
    i=1
    while [ $i -le "$n" ]; do
        printf '[server db%d]\nconninfo = "host=127.0.0.1 port=%s dbname=fleet_%d user=%s"\n' \
            $i "$PGPORT" $i "$PGUSER" >>"$conf"
        i=$((i + 1))
    done
    tmux -L "$sock" -f /dev/null new-session -d -s main -x 160 -y 60 \
        "env TERM=xterm-256color LANG=C.UTF-8 '$PGDECK' --config '$conf' --refresh 1 --set pool.min_size=1"
    sleep 1
    tmux -L "$sock" send-keys -t main 7
    pid=$(pgrep -P "$(tmux -L "$sock" display-message -p -t main '#{pane_pid}')" | head -n 1)
    [ -n "$pid" ] || pid=$(tmux -L "$sock" display-message -p -t main '#{pane_pid}')
    # until every server has answered once (up), then measure
    wait_until 60 sh -c "[ \$(tmux -L '$sock' capture-pane -p -t main | grep -c ' up ') -ge $(( n < 50 ? n : 50 )) ] || [ $n -gt 50 ]" || true
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep "$S"
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    tmux -L "$sock" kill-server >/dev/null 2>&1
    cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$S" 'BEGIN {printf "%.2f", (b - a) / hz / s * 100}')
    per=$(awk -v c="$cpu" -v n="$n" 'BEGIN {printf "%.3f", c / n}')
    printf '%-8s %10s %10.1f %12s\n' "$n" "$cpu" "$(awk -v r="$rss" 'BEGIN {print r / 1024}')" "$per"
    sleep 1
done
