#!/bin/sh
# sqlsplit_psql.sh — psql 15 is the oracle for statement boundaries: each
# script of the splitter's corpus runs through psql -f against a throwaway
# server that logs every statement it receives; the statements psql sent
# must be exactly those sql_split finds. Compared without blanks (psql drops
# empty lines); psql's empty and comment-only statements are left out (we
# drop them by design); psql sends the ending ';' with the statement, sql_split
# leaves it out.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"

SQLTOOL="$top_builddir/tests/integration/sqltool"
cluster_start --no-pg-stat-statements
PSQL="$PGDECK_TEST_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=psql
LOG="$PGDECK_TEST_DATADIR/server.log"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; cluster_stop' EXIT

cluster_psql -c "alter system set log_statement = 'all'" \
    -c "alter system set log_line_prefix = '@@@ '" \
    -c "alter system set log_min_error_statement = 'error'" -c "select pg_reload_conf()" >/dev/null
prefix_set() { [ "$(cluster_psql -c 'show log_line_prefix')" = "@@@ " ]; }
wait_until 10 prefix_set
ok $? "the server logs every statement"

# Normalizes statements, one per line: blanks removed; empty and
# comment-only ones dropped.
normalize() {
    awk '{ gsub(/[ \t\r\f\v]/, "") }
         $0 == "" || $0 == ";" { next }
         /^(\/\*([^*]|\*+[^*\/])*\*+\/)+;?$/ { next }
         { print }'
}

# Same statements: psql's is ours, or ours and the ';' that ended it.
same_statements() {
    [ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ] || return 1
    paste "$1" "$2" | awk -F '\t' '$1 != $2 && $1 != $2 ";" { bad = 1 } END { exit bad }'
}

# The statements psql sent after byte OFFSET of the log, up to the marker,
# one per line without blanks: "@@@ LOG:  statement: X" (continuation lines
# follow), or, for a statement that failed to parse, only
# "@@@ STATEMENT:  X" after its ERROR.
psql_statements() {
    tail -c +"$(($1 + 1))" "$LOG" | awk -v marker="$2" '
        function flush(   s) {
            if (!cap) return
            s = cur; gsub(/[ \t\r\n\f\v]/, "", s)
            if (index(s, marker)) { done = 1 }
            else if (!(kind == "STATEMENT" && s == last)) { print s; last = s }
            cap = 0
        }
        /^@@@ / {
            flush()
            if (done) exit
            if (match($0, /^@@@ LOG:  statement: /)) { kind = "LOG"; cap = 1 }
            else if (match($0, /^@@@ STATEMENT:  /)) { kind = "STATEMENT"; cap = 1 }
            if (cap) cur = substr($0, RLENGTH + 1)
            next
        }
        cap { cur = cur "\n" $0 }
        END { flush() }' | normalize
}

n=0
for script in "$top_srcdir"/tests/fuzz/corpus-sqlsplit/*.sql; do
    n=$((n + 1))
    name=${script##*/}
    offset=$(wc -c <"$LOG")
    "$PSQL" -X -q -f "$script" >/dev/null 2>&1
    marker="sqlsplit-marker-$n"
    cluster_psql -c "select '$marker'" >/dev/null
    marker_logged() { grep -q "$marker" "$LOG"; }
    wait_until 10 marker_logged
    psql_statements "$offset" "$marker" >"$TMP/psql"
    "$SQLTOOL" split "$script" | normalize >"$TMP/ours"
    if same_statements "$TMP/psql" "$TMP/ours"; then
        ok 0 "$name: the same $(wc -l <"$TMP/ours" | tr -d ' ') statements as psql"
    else
        ok 1 "$name: the same statements as psql"
        diff "$TMP/psql" "$TMP/ours" | sed 's/^/#   /' | head -40
    fi
done

done_testing
