#!/bin/sh
# tests/cli/sec_escapes.sh — terminal escape injection, from the attacker's
# side (issue 10, part 2). An ordinary role (mallory: no superuser, owns one
# database) plants OSC 52 (clipboard), OSC 0 (title), CSI 2J (clear), the C1
# CSI U+009B and U+202E (right-to-left override) in query texts, values,
# column names and NOTICE/WARNING/ERROR texts. The DBA (a superuser) runs
# pgdeck top / run; the test reads the raw bytes pgdeck writes and asserts
# that none of those bytes reaches the terminal: no ESC, no BEL, no C1, no
# bidi control — each shown escaped instead (\x1B, \u009B, <U+202E>).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'cluster_stop; rm -rf "$tmp"' EXIT

# raw_clean FILE: "clean" when FILE holds no ESC, BEL, C1 (UTF-8 or raw
# 0x80-0x9F outside a valid sequence) nor a bidi control; else what it found.
cat >"$tmp/clean.py" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
bad = []
if b"\x1b" in data: bad.append("ESC")
if b"\x07" in data: bad.append("BEL")
text = data.decode("utf-8", "surrogateescape")
for ch in text:
    o = ord(ch)
    if 0x80 <= o <= 0x9f: bad.append("C1 U+%04X" % o)
    if 0xdc80 <= o <= 0xdcff and 0x80 <= o - 0xdc00 <= 0x9f: bad.append("raw C1 byte %02X" % (o - 0xdc00))
    if 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069 or o in (0x200e, 0x200f, 0x061c):
        bad.append("bidi U+%04X" % o)
print("clean" if not bad else "dirty: " + ", ".join(sorted(set(bad))))
PY
raw_clean() { python3 "$tmp/clean.py" "$1"; }

# The payloads, as SQL string literals (E'' escapes) and as a comment.
OSC52="\\x1b]52;c;cHduZWQ=\\x07"
OSC0="\\x1b]0;pwned-title\\x07"
CLEAR="\\x1b[2J"
C1CSI="\\xc2\\x9b2J"
RLO="\\xe2\\x80\\xae"
PAYLOAD_SQL="E'$OSC52' || E'$OSC0' || E'$CLEAR' || convert_from(E'$C1CSI'::bytea, 'UTF8') || convert_from(E'$RLO'::bytea, 'UTF8') || 'gpj.exe'"
# the same bytes as a comment in a query text (pg_stat_statements keeps comments)
printf 'select 1 as planted /* \033]52;c;cHduZWQ=\007 \033]0;pwned-title\007 \033[2J \302\2332J \342\200\256gpj.exe */' >"$tmp/planted.sql"

cluster_psql -c "create role mallory login" >/dev/null
cluster_psql -c "create database mallorydb owner mallory" >/dev/null
cluster_psql -c "select pg_stat_statements_reset()" >/dev/null

# --- mallory plants her texts ---------------------------------------------------
PGUSER=mallory PGDATABASE=mallorydb "$PGDECK_TEST_BINDIR/psql" -X -q -f "$tmp/planted.sql" >/dev/null
PGUSER=mallory PGDATABASE=mallorydb "$PGDECK_TEST_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
create table loot (id int, v text);
insert into loot select 1, $PAYLOAD_SQL;
create function noisy() returns int language plpgsql as \$f\$
begin
  raise notice 'notice %', $PAYLOAD_SQL using detail = 'detail ' || $PAYLOAD_SQL, hint = 'hint ' || $PAYLOAD_SQL;
  raise warning 'warning %', $PAYLOAD_SQL;
  return 1;
end \$f\$;
create function failing() returns int language plpgsql as \$f\$
begin
  raise exception 'boom %', $PAYLOAD_SQL using detail = $PAYLOAD_SQL;
end \$f\$;
SQL
ok $? "mallory (an ordinary role) planted her payloads"
# a long-running statement of hers, for top's "now" list
PGUSER=mallory PGDATABASE=mallorydb "$PGDECK_TEST_BINDIR/psql" -X -q \
    -c "select pg_sleep(30) /* $(printf '\033]0;now-title\007 \342\200\256') */" >/dev/null 2>&1 &
sleeper=$!
i=0
until [ "$(cluster_psql -c "select count(*) from pg_stat_activity where query like '%pg_sleep(30)%' and usename = 'mallory' and state = 'active' and query_start < now() - interval '300 ms'")" = 1 ] || [ $i -ge 100 ]; do
    sleep 0.1; i=$((i + 1))
done

# --- pgdeck top, as the DBA -------------------------------------------------------
"$PGDECK" top --once --limit 50 --set console.slow_threshold=100 >"$tmp/top.out" 2>"$tmp/top.err"
ok $? "top --once exits 0"
is "$(raw_clean "$tmp/top.out")" clean "top --once: no ESC/BEL/C1/bidi byte on stdout"
like "$(cat "$tmp/top.out")" 'planted /\* \\x1B\]52;c;cHduZWQ=\\x07 \\x1B\]0;pwned-title\\x07 \\x1B\[2J \\u009B2J <U\+202E>gpj.exe' \
    "top --once: mallory's text is shown, escaped"
like "$(cat "$tmp/top.out")" 'pg_sleep\(30\) /\* \\x1B\]0;now-title\\x07 <U\+202E>' "top --once: the running statement too"
"$PGDECK" top --once --json --limit 50 --set console.slow_threshold=100 >"$tmp/top.json" 2>&1
is "$(raw_clean "$tmp/top.json")" clean "top --json: no ESC/BEL/C1/bidi byte"
check=$(python3 - "$tmp/top.json" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1], "rb").read())
q = [s["query"] for s in d["statements"] if "planted" in s["query"]]
raw = open(sys.argv[1], "rb").read()
print("ok" if q and "\x1b]52" in q[0] and "\u009b" in q[0] and "\u202e" in q[0]
      and b"\\u009b" in raw and b"\\u202e" in raw else "bad %r" % q)
PY
)
is "$check" ok "top --json: the text round-trips through JSON (\\u009b, \\u202e)"
kill "$sleeper" 2>/dev/null
cluster_psql -c "select pg_terminate_backend(pid) from pg_stat_activity where usename = 'mallory'" >/dev/null

# --- pgdeck run: her values ---------------------------------------------------------
export PGDATABASE=mallorydb
"$PGDECK" run -c "select id, v as \"col$(printf '\033[2J')\" from loot" >"$tmp/table.out" 2>&1
ok $? "run table: exit 0"
is "$(raw_clean "$tmp/table.out")" clean "run table: no ESC/BEL/C1/bidi byte"
like "$(cat "$tmp/table.out")" '\\x1B\]52;c;cHduZWQ=\\x07\\x1B\]0;pwned-title\\x07\\x1B\[2J\\u009B2J<U\+202E>gpj.exe' \
    "run table: the value shown escaped"
like "$(cat "$tmp/table.out")" 'col\\x1B\[2J' "run table: a column name escaped"
"$PGDECK" run --format=json -c "select v from loot" >"$tmp/json.out" 2>&1
is "$(raw_clean "$tmp/json.out")" clean "run json: no ESC/BEL/C1/bidi byte"
like "$(cat "$tmp/json.out")" '\\u001b\]52;c;cHduZWQ=\\u0007.*\\u009b2J\\u202egpj.exe' "run json: \\u009b and \\u202e"
"$PGDECK" run --format=csv -c "select v from loot" >"$tmp/csv.out" 2>&1
"$PGDECK_TEST_BINDIR/psql" -X -At -c "select v from loot" >"$tmp/psql.out"
python3 - "$tmp/csv.out" "$tmp/psql.out" >"$tmp/cmp" <<'PY'
import sys
csv = open(sys.argv[1], "rb").read().split(b"\n")[1]
psql = open(sys.argv[2], "rb").read().rstrip(b"\n")
print("same" if csv == psql else "differ %r %r" % (csv, psql))
PY
is "$(cat "$tmp/cmp")" same "run csv to a file: byte-exact (the payload as stored)"
# csv to a terminal: escaped like the table (python's pty is the terminal)
cat >"$tmp/ontty.py" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
PY
python3 "$tmp/ontty.py" "$PGDECK" run --format=csv -c "select v from loot" >"$tmp/csvtty.out"
is "$(raw_clean "$tmp/csvtty.out")" clean "run csv on a terminal: no ESC/BEL/C1/bidi byte"
like "$(cat "$tmp/csvtty.out")" '\\x1B\]52;c;' "run csv on a terminal: escaped like the table"
python3 "$tmp/ontty.py" "$PGDECK" run -c "select v from loot" >"$tmp/tabletty.out"
is "$(raw_clean "$tmp/tabletty.out")" clean "run table on a terminal: no ESC/BEL/C1/bidi byte"
"$PGDECK" run --pipeline -c "select v from loot; select failing()" >"$tmp/pipe.out" 2>&1
is "$(raw_clean "$tmp/pipe.out")" clean "run --pipeline: no ESC/BEL/C1/bidi byte in the report"

# --- her NOTICE, WARNING and ERROR texts -----------------------------------------------
"$PGDECK" run -c "select noisy()" >"$tmp/notice.out" 2>"$tmp/notice.err"
is "$(raw_clean "$tmp/notice.err")" clean "NOTICE/WARNING: no ESC/BEL/C1/bidi byte on stderr"
like "$(cat "$tmp/notice.err")" 'NOTICE:  notice \\x1B\]52;c;' "NOTICE: shown, escaped"
like "$(cat "$tmp/notice.err")" 'DETAIL:  detail \\x1B\]52' "NOTICE's DETAIL: escaped"
like "$(cat "$tmp/notice.err")" 'WARNING:  warning \\x1B\]52' "WARNING: escaped"
"$PGDECK" run -c "select failing()" >"$tmp/error.out" 2>"$tmp/error.err"
is "$?" 1 "ERROR: exit 1"
is "$(raw_clean "$tmp/error.err")" clean "ERROR, DETAIL, CONTEXT: no ESC/BEL/C1/bidi byte"
like "$(cat "$tmp/error.err")" 'ERROR:  P0001: boom \\x1B\]52;c;' "ERROR: shown, escaped"
"$PGDECK" top --once --limit 5 >/dev/null 2>"$tmp/top_err.err" </dev/null
is "$(raw_clean "$tmp/top_err.err")" clean "top's stderr: clean"

# --- a script's own bytes quoted in an error -------------------------------------------
printf 'select 1;\nselect \033[2J \302\2332J \342\200\256 from;\n' >"$tmp/evil.sql"
"$PGDECK" run -f "$tmp/evil.sql" >"$tmp/f.out" 2>"$tmp/f.err"
is "$?" 1 "run -f with a syntax error: exit 1"
is "$(raw_clean "$tmp/f.err")" clean "run -f: the LINE excerpt quotes the file escaped"
like "$(cat "$tmp/f.err")" 'LINE 2: select \\x1B\[2J \\u009B2J <U\+202E> from' "run -f: LINE shows the bytes escaped"

# --- config and argument echoes ----------------------------------------------------------
"$PGDECK" run -c 'select 1' --set "pool.max_size=$(printf '\033]0;arg\007')" >/dev/null 2>"$tmp/set.err"
is "$(raw_clean "$tmp/set.err")" clean "--set with escapes: the echo is escaped"
printf '[pool]\n\033]52;c;eA==\007 = 1\n' >"$tmp/evil.conf"
"$PGDECK" run -c 'select 1' --config "$tmp/evil.conf" >/dev/null 2>"$tmp/conf.err"
is "$(raw_clean "$tmp/conf.err")" clean "a config file's bytes in an error: escaped"
like "$(cat "$tmp/conf.err")" '\\x1B\]52' "a config file's bytes: shown"
"$PGDECK" run -c 'select 1' "$(printf 'bad\033[2Jarg')" extra more >/dev/null 2>"$tmp/arg.err"
is "$(raw_clean "$tmp/arg.err")" clean "an unexpected argument: echoed escaped"

done_testing
