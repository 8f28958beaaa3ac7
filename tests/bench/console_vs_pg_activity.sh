#!/bin/sh
# console_vs_pg_activity.sh — an idle console side by side with pg_activity 3
# on the same throwaway cluster, in the same run: both in tmux (100x30), both
# refreshing every second, for DURATION seconds (default 30). Prints CPU time
# (utime+stime from /proc/PID/stat, start-up excluded) and peak RSS (VmHWM)
# of each, and the ratios (targets: pgdeck <= 1/5 of pg_activity's CPU and
# <= 1/3 of its RSS). A benchmark: it never fails on the figures.
#
#   top_builddir=/path/to/build top_srcdir=/path/to/src \
#     sh tests/bench/console_vs_pg_activity.sh [DURATION]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
DURATION=${1:-30}

. "$top_srcdir/tests/lib/tap.sh"
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed"; exit 0; }
command -v pg_activity >/dev/null 2>&1 || { echo "pg_activity is not installed (Debian: pg-activity)"; exit 0; }
[ -x "$PGDECK" ] || { echo "build pgdeck first ($PGDECK)"; exit 0; }
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

SOCK=pgdeck-bench-$$
trap 'tmux -L $SOCK kill-server >/dev/null 2>&1; cluster_stop' EXIT
env_vars="TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=$PGDATABASE"
tmux -L $SOCK -f /dev/null new-session -d -s pgdeck -x 100 -y 30 "exec env $env_vars $PGDECK --refresh 1"
tmux -L $SOCK new-session -d -s pga -x 100 -y 30 "exec env $env_vars pg_activity --refresh 1 --no-db-size"
pid_of() { tmux -L $SOCK display-message -p -t "$1" '#{pane_pid}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; } # utime + stime, after "(comm)"
# Nanoseconds on CPU, summed over live threads (finer than clock ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# Let both finish starting (Python imports, first queries) before measuring.
sleep 5
p1=$(pid_of pgdeck)
p2=$(pid_of pga)
if ! [ -d "/proc/$p1" ] || ! [ -d "/proc/$p2" ]; then
    echo "a program did not start:"
    tmux -L $SOCK capture-pane -p -t pgdeck | head -5
    tmux -L $SOCK capture-pane -p -t pga | head -5
    exit 0
fi
c1a=$(cpu_ticks "$p1") c2a=$(cpu_ticks "$p2")
n1a=$(cpu_ns "$p1") n2a=$(cpu_ns "$p2")
sleep "$DURATION"
c1b=$(cpu_ticks "$p1") c2b=$(cpu_ticks "$p2")
n1b=$(cpu_ns "$p1") n2b=$(cpu_ns "$p2")
r1=$(hwm_kb "$p1") r2=$(hwm_kb "$p2")
hz=$(getconf CLK_TCK)
# pgdeck's threads (engine) are in the same process: /proc/PID/stat sums them.
awk -v c1="$((c1b - c1a))" -v c2="$((c2b - c2a))" -v n1="$((n1b - n1a))" -v n2="$((n2b - n2a))" \
    -v r1="$r1" -v r2="$r2" -v hz="$hz" -v d="$DURATION" 'BEGIN {
    printf "idle console, 1 s refresh, %d s, same cluster, same run\n", d
    printf "%-14s %14s %16s %14s\n", "", "CPU (ticks, s)", "CPU (schedstat, s)", "peak RSS (MB)"
    printf "%-14s %14.2f %16.3f %14.1f\n", "pgdeck", c1 / hz, n1 / 1e9, r1 / 1024
    printf "%-14s %14.2f %16.3f %14.1f\n", "pg_activity", c2 / hz, n2 / 1e9, r2 / 1024
    cr = n2 > 0 ? n1 / n2 : (c2 > 0 ? c1 / c2 : 0)
    printf "ratio pgdeck/pg_activity: CPU %.3f (target <= 0.200), RSS %.3f (target <= 0.333)\n", cr, r1 / r2
}'
