# tap.sh — TAP helpers for shell tests:  . "$top_srcdir/tests/lib/tap.sh"
#   ok COND_EXIT "name"; is "$got" "$want" "name"; like "$text" "regex" "name"; done_testing
tap_n=0
tap_failed=0
diag() { printf '# %s\n' "$*"; }
ok() { # ok STATUS NAME
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; tap_failed=$((tap_failed + 1)); fi
}
is() { # is GOT WANT NAME
    if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; diag "got:  '$1'"; diag "want: '$2'"; fi
}
like() { # like TEXT ERE NAME
    if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; diag "no match for /$2/ in:"; printf '%s\n' "$1" | head -40 | sed 's/^/#   /'; fi
}
unlike() { # unlike TEXT ERE NAME
    if printf '%s' "$1" | grep -Eq -- "$2"; then ok 1 "$3"; diag "unexpected /$2/ in:"; printf '%s\n' "$1" | head -40 | sed 's/^/#   /'; else ok 0 "$3"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
wait_until() { # wait_until SECONDS CMD [ARGS...]: retries CMD every 0.1 s; 0 once it succeeds, 1 at the deadline
    _wu_left=$(($1 * 10)); shift
    while ! "$@"; do
        [ "$_wu_left" -le 0 ] && return 1
        _wu_left=$((_wu_left - 1)); sleep 0.1
    done
}
