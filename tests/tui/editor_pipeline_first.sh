#!/bin/sh
# tests/tui/editor_pipeline_first.sh — the first pipeline on a connection
# whose previous statement streamed its rows: libpq keeps single-row mode
# for the first query sent in pipeline mode, and the pipeline must still
# show that statement's rows as ok (it used to say "unknown error").
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
ed_start pipefirst XDG_STATE_HOME="$tmp/state"
ed_sql "select 'first' as a, g from generate_series(1, 3) g"
sh_keys F5
check "the streamed run shows its rows" sh_wait ' first +│ +3' 10
# at once, on the same connection: pipeline on and run the same text
sh_keys F7 F5
check "the pipelined run is ok, with its 3 rows" sh_wait '\| idle \| ok \| 3 rows \| .* pipelined, 1 statement' 10
check "... and its three rows in the grid" sh_wait 'statement 1: 3 rows' 5
check "... the values too" sh_wait ' first +│ +3' 5
unlike "$(sh_screen)" 'error' "no error on the screen"
done_testing
