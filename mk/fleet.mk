# mk/fleet.mk — several servers (issue 16): `pgdeck fleet`, the servers'
# engines, the Fleet pane, their tests and the scale bench.
src_pgdeck_SOURCES += \
	src/cli/cmd_fleet.c \
	src/cli/fleet_servers.c src/cli/fleet_servers.h

src_libpgdeck_ui_a_SOURCES += src/ui/pane_fleet.c

SH_TESTS += tests/cli/fleet.sh tests/tui/fleet_pane.sh
EXTRA_DIST += tests/bench/fleet_scale.sh
# the fleet statement on every supported major (make check-compat)
SH_TESTS += tests/compat/fleet_sql.sh
COMPAT_TESTS += tests/compat/fleet_sql.sh
