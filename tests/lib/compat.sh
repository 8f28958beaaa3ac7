# compat.sh MAJOR... — `make check-compat`: runs the tests in $COMPAT_TESTS
# once per PostgreSQL major, each time with PGDECK_PG_BINDIR on that major's
# npm build (tests/lib/pgversion.sh), through automake's harness
# (make check-TESTS, so MAKEFLAGS' -j runs them side by side). Prints one line
# per major and the sum:
#   == PostgreSQL 17: 42 passed, 0 failed (95 s; logs in compat/17)
#   == compat: 210 passed, 0 failed
# A major whose build cannot be had (no npm, no network) counts as one
# skipped case, with the reason. Exit 1 when anything failed.
# Environment: MAKE, top_srcdir, top_builddir (the build, the current
# directory), COMPAT_TESTS; TEST_TIMEOUT (seconds per test, default 600).
set -u
cd "${top_builddir:?}" || exit 2
: "${MAKE:=make}"
all_pass=0
all_fail=0
all_skip=0

# The .trs and .log of each test, as automake names them (tests/x/y.sh -> tests/x/y.trs).
results_of() { for t in $COMPAT_TESTS; do echo "${t%.*}.$1"; done; }

for major in "$@"; do
    start=$(date +%s)
    err=$(mktemp) || exit 2
    bindir=$(sh "$top_srcdir/tests/lib/pgversion.sh" bindir "$major" 2>"$err")
    rc=$?
    why=$(tr '\n' ' ' <"$err")
    rm -f "$err"
    if [ "$rc" -eq 77 ]; then
        echo "ok - PostgreSQL $major # SKIP $why"
        echo "== PostgreSQL $major: 0 passed, 0 failed, 1 skipped"
        all_skip=$((all_skip + 1))
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        echo "not ok - PostgreSQL $major: $why"
        echo "== PostgreSQL $major: 0 passed, 1 failed"
        all_fail=$((all_fail + 1))
        continue
    fi
    # shellcheck disable=SC2046 # a list of files
    rm -f $(results_of trs) $(results_of log)
    out=compat/$major
    rm -rf "$out"
    mkdir -p "$out"
    guard="timeout -k 10 ${TEST_TIMEOUT:-600}"
    PGDECK_PG_BINDIR=$bindir PGDECK_PG_MAJOR=$major \
        $MAKE check-TESTS TESTS="$COMPAT_TESTS" TEST_SUITE_LOG="$out/test-suite.log" \
        T_LOG_COMPILER="$guard" SH_LOG_COMPILER="$guard" >"$out/make.log" 2>&1
    pass=0 fail=0 skip=0 failed=
    for t in $COMPAT_TESTS; do
        trs=${t%.*}.trs
        if [ ! -f "$trs" ]; then
            fail=$((fail + 1))
            failed="$failed $t(no result)"
            continue
        fi
        for r in $(sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' "$trs"); do
            case $r in
            PASS | XFAIL) pass=$((pass + 1)) ;;
            SKIP) skip=$((skip + 1)) ;;
            *)
                fail=$((fail + 1))
                case " $failed " in *" $t "*) ;; *) failed="$failed $t" ;; esac
                ;;
            esac
        done
        log=${t%.*}.log
        mkdir -p "$out/$(dirname "$t")"
        # keep the logs, not the .trs (quickstart counts every .trs in the build)
        [ -f "$log" ] && cp "$log" "$out/$log"
        rm -f "$trs"
    done
    for t in $failed; do
        echo "== PostgreSQL $major: FAIL $t"
    done
    line="== PostgreSQL $major: $pass passed, $fail failed"
    [ "$skip" -gt 0 ] && line="$line, $skip skipped"
    echo "$line ($(($(date +%s) - start)) s; logs in $top_builddir/$out)"
    all_pass=$((all_pass + pass))
    all_fail=$((all_fail + fail))
    all_skip=$((all_skip + skip))
done
line="== compat: $all_pass passed, $all_fail failed"
[ "$all_skip" -gt 0 ] && line="$line, $all_skip skipped"
echo "$line"
[ "$all_fail" -eq 0 ]
