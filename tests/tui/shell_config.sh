#!/bin/sh
# The console's themes, colours, config file, --readonly, key overrides and
# the password rule, in tmux against a throwaway cluster.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/shell_lib.sh"
tui_begin
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-shellcfg-XXXXXX")
tui_on_exit 'rm -rf "$work"'
# no user config of whoever runs the tests
export XDG_CONFIG_HOME="$work/xdg" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_CONFIG_HOME"
CONNECTED="\\| connected \\|"

# colours by default (so the NO_COLOR checks below can fail)
sh_start colour 100 30 --
sh_wait "$CONNECTED" 20
sh_has_colour "$(sh_screen -e)"
ok $? "colours by default"
# the SGR the header starts with (its colours)
header_sgr() { sh_screen -e | head -n 1 | sed 's/ PostgreSQL.*//'; }
header_dark=$(header_sgr)
sh_keys ':'
sh_type "theme light"
sh_keys Enter
sh_wait "Theme light" 5
ok $? ":theme light: says so"
header_light=$(header_sgr)
[ "$header_dark" != "$header_light" ]
ok $? ":theme light: the header's colours changed live"
sh_keys ':'
sh_type "theme no-such-theme"
sh_keys Enter
sh_wait "keeping the theme light: theme 'no-such-theme' not found" 5
ok $? ":theme of a missing theme: an error that says the theme in use stays"
is "$(header_sgr)" "$header_light" "... and it does: still light"
for t in solarized-dark high-contrast mono default; do
    sh_keys ':'
    sh_type "theme $t"
    sh_keys Enter
    sh_wait "Theme $t" 5
    ok $? ":theme $t"
done
sh_keys q
sh_wait_dead 10
sh_stop

# NO_COLOR, --no-color: attributes only
sh_start nocolour 100 30 NO_COLOR=1 --
sh_wait "$CONNECTED" 20
sh_keys F1
sh_wait "Global keys" 5
s=$(sh_screen -e)
sh_has_colour "$s"
ok $((! $?)) "NO_COLOR=1: no colour escapes in the capture"
like "$s" "$(printf '\033')\\[[0-9;]*7[;m]" "NO_COLOR=1: reverse video still marks things"
sh_keys Escape q
sh_wait_dead 10
sh_stop
sh_start nocolour2 100 30 -- --no-color
sh_wait "$CONNECTED" 20
sh_has_colour "$(sh_screen -e)"
ok $((! $?)) "--no-color: no colour escapes"
sh_keys ':'
sh_type "theme light"
sh_keys Enter
sh_wait "Theme light" 5
sh_has_colour "$(sh_screen -e)"
ok $((! $?)) "--no-color: still none after :theme light"
sh_keys q
sh_wait_dead 10
sh_stop

# a terminal without colours
sh_start vt100 100 30 TERM=vt100 --
sh_wait "$CONNECTED" 20
sh_has_colour "$(sh_screen -e)"
ok $((! $?)) "TERM=vt100 (no colours): no colour escapes"
sh_keys q
sh_wait_dead 10
sh_stop

# a bad theme file: FILE:LINE and the default theme
printf 'header = red blue bold\n# fine so far\nfooter = chartreuse default\n' > "$work/bad.theme"
sh_start badtheme 100 30 -- --theme "$work/bad.theme"
sh_wait "$CONNECTED" 20
s=$(sh_screen)
like "$s" "$work/bad.theme:3: unknown colour 'chartreuse'" "bad theme: FILE:LINE: what is wrong"
like "$s" "using the default theme" "bad theme: says the default is used"
header_bad=$(header_sgr)
is "$header_bad" "$header_dark" "bad theme: the header has the default theme's colours"
sh_keys q
sh_wait_dead 10
sh_stop

# a theme in $XDG_CONFIG_HOME/pgdeck/themes by name
mkdir -p "$XDG_CONFIG_HOME/pgdeck/themes"
printf 'header = black yellow\n' > "$XDG_CONFIG_HOME/pgdeck/themes/mine.theme"
sh_start mytheme 100 30 -- --theme mine
sh_wait "$CONNECTED" 20
like "$(header_sgr)" "$(printf '\033')\\[[0-9;]*(30|43)[;m]" "--theme NAME found in \$XDG_CONFIG_HOME/pgdeck/themes"
sh_keys q
sh_wait_dead 10
sh_stop

# config file: an unknown key is FILE:LINE; the command line wins
printf '[console]\nrefresh = 3\n' > "$work/good.conf"
sh_start conf 100 30 -- --config "$work/good.conf"
sh_wait "$CONNECTED" 20
like "$(sh_screen | head -n 1)" "refresh 3\\.0s" "config file: refresh = 3 applies"
sh_keys q
sh_wait_dead 10
sh_stop
sh_start confcli 100 30 -- --config "$work/good.conf" --refresh 2
sh_wait "$CONNECTED" 20
like "$(sh_screen | head -n 1)" "refresh 2\\.0s" "--refresh wins over the file"
sh_keys q
sh_wait_dead 10
sh_stop
printf '[console]\nrefresh = 3\nfrobnicate = 1\n' > "$work/bad.conf"
sh_start badconf 100 30 -- --config "$work/bad.conf"
sh_wait "$CONNECTED" 20
like "$(sh_screen)" "$work/bad.conf:3: .*frobnicate" "config unknown key: FILE:LINE shown"
sh_keys q
sh_wait_dead 10
sh_stop
# the default file in $XDG_CONFIG_HOME/pgdeck/pgdeck.conf, with key overrides
printf '[console]\nrefresh = 4\n[keys]\nquit = C-q\nhelp = h\n' > "$XDG_CONFIG_HOME/pgdeck/pgdeck.conf"
sh_start keys 100 30 --
sh_wait "$CONNECTED" 20
like "$(sh_screen | head -n 1)" "refresh 4\\.0s" "the default config file is read"
like "$(sh_screen | tail -n 1)" "C-qQuit" "footer shows the overridden quit key"
sh_keys h
sh_wait "Global keys" 5
s=$(sh_screen)
like "$s" "C-q +Quit" "help shows the overridden quit key"
like "$s" "  h +Show this help" "help shows the overridden help key"
sh_keys Escape q
sh_sync h
sh_alive
ok $? "q no longer quits"
sh_keys C-q
sh_wait_dead 10
ok $? "C-q quits"
sh_stop
printf '[keys]\nfrobnicate = x\n' > "$XDG_CONFIG_HOME/pgdeck/pgdeck.conf"
sh_start badkeys 100 30 --
sh_wait "$CONNECTED" 20
like "$(sh_screen)" "\\[keys\\] frobnicate: unknown command" "[keys] with an unknown command: said"
like "$(sh_screen | tail -n 1)" "F10Quit" "... and the default keys stay"
sh_keys q
sh_wait_dead 10
sh_stop
rm -f "$XDG_CONFIG_HOME/pgdeck/pgdeck.conf"

# --readonly
sh_start ro 100 30 -- --readonly
sh_wait "$CONNECTED" 20
like "$(sh_screen | head -n 1)" "READONLY" "--readonly shows in the header"
sh_keys ':'
sh_type "set readonly off"
sh_keys Enter
sh_wait "readonly cannot be turned off" 5
ok $? ":set readonly off is refused"
like "$(sh_screen | head -n 1)" "READONLY" "still readonly"
sh_keys q
sh_wait_dead 10
sh_stop

# wide text in the header: a database named in CJK with an emoji
cluster_psql -c 'CREATE DATABASE "データ🐘"' >/dev/null
sh_start wide 100 30 -- -d 'データ🐘'
sh_wait "$CONNECTED" 20
like "$(sh_screen | head -n 1)" "db データ🐘 \\| postgres@" "CJK and emoji database name in the header"
sh_resize 45 12
like "$(sh_screen | sed -n 2p)" "1 Pool" "narrow: the pane bar still on its own line"
sh_resize 100 30
sh_keys q
sh_wait_dead 10
sh_stop

# the password never on screen
secret='Sw0rdf1sh-xyzzy'
cluster_psql -c "CREATE ROLE pw_alice LOGIN PASSWORD '$secret' IN ROLE pw_users" >/dev/null
SH_CAPTURES=
sh_start pw 100 30 PGPASSWORD="$secret" -- -U pw_alice -d postgres
sh_wait "$CONNECTED" 20
ok $? "pw_alice connects with PGPASSWORD"
like "$(sh_screen | head -n 1)" "pw_alice@127\\.0\\.0\\.1:$PGPORT" "header shows pw_alice@host:port"
for k in F1 Escape Tab Tab Tab M-1; do
    sh_keys "$k"
    sh_screen >/dev/null
done
sh_keys ':'
sh_type "set frob 1"
sh_keys Enter
sh_wait 'set: .*frob' 5 >/dev/null # the error names the key
sh_keys q
sh_wait_dead 10
sh_stop
# a conninfo string holding the password, and a wrong password
sh_start pw2 100 30 -- "host=127.0.0.1 port=$PGPORT user=pw_alice dbname=postgres password=$secret"
sh_wait "$CONNECTED" 20
ok $? "connects with a password in the conninfo"
sh_keys F1 Escape
sh_screen >/dev/null
sh_keys q
sh_wait_dead 10
sh_stop
sh_start pw3 100 30 PGPASSWORD="wrong-$secret" -- -U pw_alice -d postgres
sh_wait "NOT CONNECTED" 20
ok $? "a wrong password: not connected, said in the header"
sh_screen >/dev/null
sh_keys q
sh_wait_dead 10
sh_stop
! grep -rq -- "$secret" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
ok $? "the password is in no file pgdeck wrote"
case "$SH_CAPTURES" in
*"$secret"*) ok 1 "the password is on no screen"; diag "found in a capture" ;;
*) ok 0 "the password is on no screen ($(printf '%s\n' "$SH_CAPTURES" | wc -l) lines captured)" ;;
esac

done_testing
