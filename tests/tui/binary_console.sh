#!/bin/sh
# tests/tui/binary_console.sh — [editor] binary = on in the console: the
# editor's streamed statements come in binary and the grid shows exactly the
# server's text (numeric scale, uuid, UTC timestamptz, arrays with quotes and
# NULLs, -Infinity); `:set editor.binary off` goes back to text, same values.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin

Q="select 1.50::numeric(6,3) as n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, timestamptz '2024-02-29 12:00:00.25+00' as t, array['x y', null, 'q\"z'] as a, '-Infinity'::numeric as f"
sh_start binary 160 30 XDG_STATE_HOME="$tmp/state" PGTZ=UTC -- --set editor.binary=on
sh_wait 'connected' 20 >/dev/null
sh_keys M-4
sh_wait 'Pipeline: (on|off)' 10 >/dev/null
ed_run "$Q"
check "binary: numeric keeps its scale" ed_grid_wait '1\.500' 5
check "binary: uuid as the server prints it" ed_grid_wait 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' 5
check "binary: timestamptz in UTC" ed_grid_wait '2024-02-29 12:00:00\.25\+00' 5
check "binary: the array quoted as array_out" ed_grid_wait '\{"x y",NULL,"q\\"z"\}' 5
check "binary: -Infinity" ed_grid_wait '-Infinity' 5
sh_keys M-1
sh_wait 'Session |Pool' 10 >/dev/null
sh_cmd "set editor.binary off"
check ":set editor.binary off: said so" sh_wait 'editor.binary = off' 10
sh_keys M-4
sh_wait 'Pipeline: (on|off)' 10 >/dev/null
ed_run "select 2.50::numeric(6,3) as n"
check "text again: the same rendering" ed_grid_wait '2\.500' 5
sh_quit F10
sh_stop
done_testing
