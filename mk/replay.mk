# mk/replay.mk — the console on a recording (issue 17): `pgdeck --replay`,
# the time bar, `:record`, their TUI tests and the scrub bench.

# the panes' recorded moments and the recording open in the console
src_libpgdeck_ui_a_SOURCES += src/ui/moment.c src/ui/moment.h \
	src/ui/replay.c src/ui/replay.h

# the console on a recording of pgdeck record, in tmux against a real cluster
SH_TESTS += tests/tui/replay_console.sh
# `:record FILE`: the recorder loop on a thread of the console's
src_libpgdeck_ui_a_SOURCES += src/ui/recorder.c src/ui/recorder.h
EXTRA_DIST += tests/bench/replay_scrub.sh
