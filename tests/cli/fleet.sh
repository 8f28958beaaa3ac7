#!/bin/sh
# tests/cli/fleet.sh — `pgdeck fleet` against real servers: a primary (the
# test cluster), its streaming standby (pg_basebackup -R) and a server that
# is down (a port nothing listens on). Each line's role, version, up/down
# with the error, lag and the documented keys; tps from two samples; the
# text table; exit 0 whatever the servers' state; [server NAME] sections of
# the config file; a password in --server masked in argv; usage errors exit 2.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PGDECK:=$top_builddir/src/pgdeck}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
. "$top_srcdir/tests/lib/standby.sh"
export LC_ALL=C.UTF-8
cluster_start
tmp=$(mktemp -d)
trap 'standby_stop; cluster_stop; rm -rf "$tmp"' EXIT
standby_start
standby_wait_streaming

# a port nothing listens on: bind one, note it, free it
down_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
primary="host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres"
standby="host=127.0.0.1 port=$STANDBY_PORT dbname=postgres user=postgres"
down="host=127.0.0.1 port=$down_port dbname=postgres user=postgres connect_timeout=3"

"$PGDECK" fleet --once --json --server "prim=$primary" --server "stby=$standby" \
    --server "gone=$down" >"$tmp/once.json" 2>"$tmp/once.err"
is $? 0 "exit 0 with a server down"
check=$(python3 - "$tmp/once.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "one line per sample: %r" % lines
d = json.loads(lines[0])
keys = set("name up error role version version_num connections max_connections tps "
           "longest_xact_s blocked lag_s lag_bytes standbys slo pgbouncer".split())
out = []
for k in ("taken_at", "interval_s", "servers"):
    assert k in d, k
s = {x["name"]: x for x in d["servers"]}
assert [x["name"] for x in d["servers"]] == ["prim", "stby", "gone"], d["servers"]
for x in d["servers"]:
    assert set(x) == keys, sorted(set(x) ^ keys)
p, t, g = s["prim"], s["stby"], s["gone"]
out.append("prim %s %s %s" % (p["up"], p["role"], p["error"]))
out.append("stby %s %s" % (t["up"], t["role"]))
out.append("gone %s %s %s" % (g["up"], g["role"], bool(g["error"])))
out.append("version %s" % (p["version_num"] >= 130000 and p["version"] == t["version"]))
out.append("primary lag %s standbys %s" % (p["lag_s"] is not None, p["standbys"]))
out.append("standby lag %s" % (t["lag_s"] is not None and t["lag_bytes"] is not None))
out.append("conn %s" % (p["connections"] >= 1 and p["max_connections"] > 0))
out.append("tps once %s" % p["tps"])
out.append("slo %s" % sorted(p["slo"]))
out.append("down error %s" % g["error"])
print("\n".join(out))
PY
)
diag "$check"
like "$check" "prim True primary None" "the primary is up, role primary, no error"
like "$check" "stby True standby" "the standby is up, role standby (pg_is_in_recovery)"
like "$check" "gone False None True" "the down server is a line: up false, no role, its error"
like "$check" "version True" "version and version_num of both servers"
like "$check" "primary lag True standbys 1" "the primary counts its standby and has a lag"
like "$check" "standby lag True" "the standby has a replay lag"
like "$check" "conn True" "connections against max_connections"
like "$check" "tps once None" "tps is null from one sample"
like "$check" "slo \['availability', 'error_rate', 'memory', 'p95'\]" "the SLO lines"
like "$check" "down error .*(refused|connect)" "the down server's error says why"

# two samples: tps has a value
cluster_psql -c "select 1" >/dev/null
"$PGDECK" fleet --once --json --interval 0.5 --server "prim=$primary" >"$tmp/two.json"
is $? 0 "--once --interval exits 0"
tps=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["servers"][0]["tps"] is not None and d["interval_s"] > 0)' "$tmp/two.json")
is "$tps" True "two samples give tps and interval_s"

# the text table, from a config file's [server NAME] sections
cat >"$tmp/pgdeck.conf" <<CONF
[server prim]
conninfo = "$primary"
[server gone]
conninfo = "$down"
CONF
"$PGDECK" fleet --once --config "$tmp/pgdeck.conf" >"$tmp/table.txt" 2>&1
is $? 0 "the table exits 0"
like "$(sed -n 1p "$tmp/table.txt")" "NAME +ROLE +VERSION +UP +CONN/MAX +TPS +LONGEST +BLOCKED +LAG +SLO +ERROR" "the table's header"
like "$(grep '^prim ' "$tmp/table.txt")" "^prim +primary +[0-9]+\.[0-9]+ +up " "the config file's primary is up"
like "$(grep '^gone ' "$tmp/table.txt")" "^gone +- +- +DOWN .*(refused|connect)" "the config file's down server: DOWN and why"

# a section without a conninfo, a bad --server: exit 2
printf '[server x]\npgbouncer = "host=nowhere"\n' >"$tmp/bad.conf"
"$PGDECK" fleet --once --config "$tmp/bad.conf" >/dev/null 2>"$tmp/bad.err"
is $? 2 "a [server] without conninfo exits 2"
like "$(cat "$tmp/bad.err")" "server x\] has no conninfo or service" "and says which"
"$PGDECK" fleet --once --server "=host=x" >/dev/null 2>"$tmp/bad2.err"
is $? 2 "--server without a name exits 2"
"$PGDECK" fleet --once --server "bad/name=host=x" >/dev/null 2>"$tmp/bad3.err"
is $? 2 "a bad server name exits 2"
"$PGDECK" fleet --nope >/dev/null 2>&1
is $? 2 "an unknown option exits 2"

# a password in --server never stays in argv (/proc/PID/cmdline)
"$PGDECK" fleet --interval 5 --server "pw=$primary password=s3cretpw" >"$tmp/pw.out" 2>&1 &
pid=$!
wait_until 20 grep -q '^pw ' "$tmp/pw.out" # its first sample: long past start-up
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
kill $pid 2>/dev/null; wait $pid 2>/dev/null
like "$cmdline" "password=x{8}" "the password's bytes are overwritten in place"
unlike "$cmdline" "s3cretpw" "the --server password is masked in argv"
done_testing
