#!/bin/sh
# grid_rows.sh — the editor's result grid against psql, same run, same
# cluster: `select` of 1 000 000 rows x 5 columns.
#   pgdeck: the console in tmux, the query typed into pane 4 and run with F5;
#           time to the first rows visible on the screen (tmux capture every
#           20 ms) and to "1000000 rows" in the status line; peak RSS
#           (VmHWM of the pgdeck process, read before it quits).
#   psql -c: time to its first output byte and to the end (output to a pipe
#           that discards it), peak RSS (/usr/bin/time).
# Prints the figures side by side and the ratios. Never asserts on time.
#   BENCH_ROWS=1000000   rows
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/tui/shell_lib.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
cluster_start
rows=${BENCH_ROWS:-1000000}
tmp=$(mktemp -d)
trap 'sh_stop; cluster_stop; rm -rf "$tmp"' EXIT
PSQL="$PGDECK_TEST_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql
sql="select g as id, g * 2 as twice, 'row ' || g as label, md5(g::text) as hash, g % 7 = 0 as flag from generate_series(1, $rows) g"
now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

# psql: first byte, end, peak RSS
t0=$(now)
"$PSQL" -X -q -c "$sql" 2>/dev/null | { head -c 1 >/dev/null; now >"$tmp/psql_first"; cat >/dev/null; }
t1=$(now)
psql_first=$(ms "$t0" "$(cat "$tmp/psql_first")")
psql_total=$(ms "$t0" "$t1")
/usr/bin/time -f %M -o "$tmp/psql_rss" "$PSQL" -X -q -c "$sql" >/dev/null 2>&1
psql_rss=$(tail -n 1 "$tmp/psql_rss")

# pgdeck: the grid in tmux
ed_start bench XDG_STATE_HOME="$tmp/state"
ed_sql "$sql"
pid=$(sh_pid)
t0=$(now)
tmux -L "$SH_SOCK" send-keys -t main F5
first=
while :; do
    s=$(tmux -L "$SH_SOCK" capture-pane -p -t main)
    if [ -z "$first" ] && printf '%s\n' "$s" | grep -Eq '^ +1 │ +2 │ row 1 '; then
        first=$(now)
        first_status=$(printf '%s\n' "$s" | grep -m1 -o 'running [0-9.]* s, [0-9]* rows so far' || true)
    fi
    if printf '%s\n' "$s" | grep -Eq "\\| ok \\| $rows rows"; then
        break
    fi
    if [ "$(ms "$t0" "$(now)")" -gt 300000 ]; then
        echo "# pgdeck did not finish in 300 s"
        break
    fi
    sleep 0.02
done
t1=$(now)
pg_first=$(ms "$t0" "${first:-$t1}")
pg_total=$(ms "$t0" "$t1")
pg_rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
sh_keys F10
sh_wait_dead 3 || sh_keys y

echo "# select of $rows rows x 5 columns (same cluster, same run)"
printf '# %-28s %12s %12s\n' "" "pgdeck grid" "psql -c"
printf '# %-28s %12s %12s\n' "first rows visible (ms)" "$pg_first" "$psql_first"
printf '# %-28s %12s %12s\n' "complete (ms)" "$pg_total" "$psql_total"
printf '# %-28s %12s %12s\n' "peak RSS (kB)" "${pg_rss:-?}" "$psql_rss"
echo "# pgdeck status when the first rows showed: ${first_status:-(already complete)}"
awk -v a="$pg_first" -v b="$pg_total" -v c="$psql_first" -v d="${pg_rss:-0}" -v e="$psql_rss" 'BEGIN {
    printf "# ratios: pgdeck first rows / pgdeck complete = %.3f; pgdeck first rows / psql first byte = %.3f; pgdeck RSS / psql RSS = %.2f\n",
        a / (b ? b : 1), a / (c ? c : 1), d / (e ? e : 1) }'
ok 0 "benchmark ran (figures above; never asserts on time)"
done_testing
