#!/bin/sh
# console_vs_pg_activity.sh — an idle console side by side with pg_activity 3
# on the same throwaway cluster, in the same run: both in tmux (100x30), both
# refreshing every second, DURATION seconds (default 15) per round, ROUNDS
# rounds (default 5) with the start order alternated. Prints per round the
# CPU time (utime+stime from /proc/PID/stat and schedstat, start-up excluded)
# and peak RSS (VmHWM) of each, then the medians and the paired ratios (the
# median of each round's own ratio). Targets: pgdeck <= 1/5 of pg_activity's
# CPU and <= 0.30 of its RSS. A benchmark: it never fails on the figures.
#
#   top_builddir=/path/to/build top_srcdir=/path/to/src \
#     sh tests/bench/console_vs_pg_activity.sh [DURATION [ROUNDS]]
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
DURATION=${1:-15}
ROUNDS=${2:-5}

. "$top_srcdir/tests/lib/tap.sh"
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed"; exit 0; }
command -v pg_activity >/dev/null 2>&1 || { echo "pg_activity is not installed (Debian: pg-activity)"; exit 0; }
[ -x "$PGDECK" ] || { echo "build pgdeck first ($PGDECK)"; exit 0; }
. "$top_srcdir/tests/lib/cluster.sh"
cluster_start

BASE_SOCK=pgdeck-bench-$$
SOCK=$BASE_SOCK
env_vars="TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=$PGDATABASE"
pid_of() { tmux -L $SOCK display-message -p -t "$1" '#{pane_pid}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; } # utime + stime, after "(comm)"
# Nanoseconds on CPU, summed over live threads (finer than clock ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null; }
start_pgdeck() { tmux -L $SOCK -f /dev/null new-session -d -s pgdeck -x 100 -y 30 "exec env $env_vars $PGDECK --refresh 1"; }
start_pga() { tmux -L $SOCK -f /dev/null new-session -d -s pga -x 100 -y 30 "exec env $env_vars pg_activity --refresh 1 --no-db-size"; }

hz=$(getconf CLK_TCK)
rows=$(mktemp)
trap 'tmux -L $SOCK kill-server >/dev/null 2>&1; cluster_stop; rm -f "$rows"' EXIT
printf 'idle console, 1 s refresh, %d s x %d rounds, same cluster, same run\n' "$DURATION" "$ROUNDS"
printf '%-6s %12s %12s %12s %12s %9s %9s\n' round pgdeck_cpu_s pga_cpu_s pgdeck_MB pga_MB cpu_ratio rss_ratio
r=1
while [ "$r" -le "$ROUNDS" ]; do
    SOCK=$BASE_SOCK-$r # a fresh tmux server: the last one may still be exiting
    if [ $((r % 2)) -eq 1 ]; then start_pgdeck; start_pga; else start_pga; start_pgdeck; fi
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
    # pgdeck's threads (engine) are in the same process: schedstat sums them.
    awk -v r="$r" -v c1="$((c1b - c1a))" -v c2="$((c2b - c2a))" -v n1="$((n1b - n1a))" \
        -v n2="$((n2b - n2a))" -v r1="$r1" -v r2="$r2" -v hz="$hz" 'BEGIN {
        cr = n2 > 0 ? n1 / n2 : (c2 > 0 ? c1 / c2 : 0)
        printf "%-6s %12.3f %12.3f %12.1f %12.1f %9.3f %9.3f\n", r, n1 / 1e9, n2 / 1e9, r1 / 1024, r2 / 1024, cr, r1 / r2
    }' | tee -a "$rows"
    tmux -L $SOCK kill-server >/dev/null 2>&1
    r=$((r + 1))
done
median_col() { awk -v c="$1" '{print $c}' "$rows" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-6s %12.3f %12.3f %12.1f %12.1f %9.3f %9.3f\n' median "$(median_col 2)" "$(median_col 3)" \
    "$(median_col 4)" "$(median_col 5)" "$(median_col 6)" "$(median_col 7)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio pgdeck/pg_activity, paired medians: CPU $(median_col 6) (target <= 0.200), RSS $(median_col 7) (target <= 0.300)"
