#!/bin/sh
# tests/cli/lazy_libs.sh — the libraries pgdeck no longer initialises for
# nothing, and that they still work when asked for:
#   - libpq's GSSAPI encryption probe is skipped only when nobody asked for
#     GSSAPI and krb5 can have no credentials (gss_skip.c): KRB5_TRACE shows
#     whether krb5 was started at all;
#   - gssencmode=require (environment or conninfo) still asks the server;
#   - the long-lived commands (console, top) re-exec once with
#     GNUTLS_NO_IMPLICIT_INIT=1 (tls_lazy.c), run their arguments unchanged,
#     and leave a user's own GNUTLS_NO_IMPLICIT_INIT alone.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
top_pid=
trap '[ -n "$top_pid" ] && kill "$top_pid" 2>/dev/null; cluster_stop; rm -rf "$tmp"' EXIT
unset KRB5CCNAME KRB5_CONFIG KRB5_CLIENT_KTNAME PGGSSENCMODE GNUTLS_NO_IMPLICIT_INIT

# krb5 has somewhere to look for credentials on this machine?
krb5_configured=no
if [ -e /etc/krb5.conf ] || [ -e /etc/gss/mech ] || [ -n "$(ls -A /etc/gss/mech.d 2>/dev/null)" ] ||
    [ -e "/tmp/krb5cc_$(id -u)" ] || [ -e "/etc/krb5/user/$(id -u)/client.keytab" ]; then
    krb5_configured=yes
fi

# --- the GSSAPI probe -------------------------------------------------------
out=$(KRB5_TRACE="$tmp/trace.none" "$PGDECK" run --format=csv -c "select 'up'" 2>&1)
is "$out" "$(printf '?column?\nup')" "no GSSAPI asked for: the query runs"
if [ "$krb5_configured" = no ]; then
    ok "$([ ! -e "$tmp/trace.none" ] && echo 0 || echo 1)" "no credentials possible: krb5 is not started"
else
    ok "$([ -e "$tmp/trace.none" ] && echo 0 || echo 1)" "krb5 configured here: the probe still runs"
fi

out=$(KRB5CCNAME="FILE:$tmp/no-cache" KRB5_TRACE="$tmp/trace.cache" "$PGDECK" run --format=csv \
    -c "select 'up'" 2>&1)
is "$out" "$(printf '?column?\nup')" "KRB5CCNAME set: the query runs"
ok "$([ -e "$tmp/trace.cache" ] && echo 0 || echo 1)" "KRB5CCNAME set: libpq probes GSSAPI as usual"

out=$(KRB5_TRACE="$tmp/trace.prefer" "$PGDECK" run -c "select 1" "host=$PGHOST gssencmode=prefer" 2>&1)
ok "$([ -e "$tmp/trace.prefer" ] && echo 0 || echo 1)" "gssencmode=prefer given: libpq probes GSSAPI"

out=$(PGGSSENCMODE=require "$PGDECK" run -c "select 1" 2>&1)
rc=$?
is "$rc" 3 "PGGSSENCMODE=require: cannot connect (exit 3)"
like "$out" "GSSAPI encryption required" "PGGSSENCMODE=require: libpq asked for GSSAPI"
out=$("$PGDECK" run -c "select 1" "host=$PGHOST gssencmode=require" 2>&1)
rc=$?
is "$rc" 3 "conninfo gssencmode=require: cannot connect (exit 3)"
like "$out" "GSSAPI encryption required" "conninfo gssencmode=require: libpq asked for GSSAPI"

# --- the re-exec of long-lived commands -------------------------------------
out=$("$PGDECK" top --once --view database --json 2>&1)
rc=$?
is "$rc" 0 "top --once after the re-exec: exit 0"
like "$out" '"database"' "top --once after the re-exec: its arguments arrived"

# a running top: /proc/PID/environ shows the environment its image was
# started with, so the re-executed image shows the mark (tls_lazy.c unsets
# both variables again at once, for any child)
"$PGDECK" top --interval 1 --view database >"$tmp/top.out" 2>&1 &
top_pid=$!
i=0
while [ ! -s "$tmp/top.out" ] && [ "$i" -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
environ=$(tr '\0' '\n' <"/proc/$top_pid/environ" 2>/dev/null)
like "$environ" "PGDECK_GNUTLS_LAZY=set" "top re-executed itself once with the mark"
like "$environ" "GNUTLS_NO_IMPLICIT_INIT=1" "top re-executed with gnutls' implicit init off"
kill "$top_pid" 2>/dev/null
wait "$top_pid" 2>/dev/null
top_pid=

GNUTLS_NO_IMPLICIT_INIT=0 "$PGDECK" top --interval 1 --view database >"$tmp/top2.out" 2>&1 &
top_pid=$!
i=0
while [ ! -s "$tmp/top2.out" ] && [ "$i" -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
environ=$(tr '\0' '\n' <"/proc/$top_pid/environ" 2>/dev/null)
unlike "$environ" "PGDECK_GNUTLS_LAZY" "a user's own GNUTLS_NO_IMPLICIT_INIT: no re-exec"
like "$environ" "GNUTLS_NO_IMPLICIT_INIT=0" "a user's own GNUTLS_NO_IMPLICIT_INIT: left as it was"
kill "$top_pid" 2>/dev/null
wait "$top_pid" 2>/dev/null
top_pid=

done_testing
