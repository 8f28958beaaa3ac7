# mk/replay.mk — the console on a recording (issue 17): `pgdeck --replay`,
# the time bar, `:record`, their TUI tests and the scrub bench.

# the panes' recorded moments (moment.h), the recording open in the console
# (replay.h: the one UI file that reads record_read.h) and `:record FILE`
# (recorder.h: the recorder loop on a thread of the console's)
src_libpgdeck_ui_a_SOURCES += src/ui/moment.c src/ui/moment.h \
	src/ui/replay.c src/ui/replay.h \
	src/ui/recorder.c src/ui/recorder.h

# the console on a recording of pgdeck record, in tmux against a real cluster
SH_TESTS += tests/tui/replay_console.sh

# time of a replay step on a day of 5 s snapshots (make bench)
EXTRA_DIST += tests/bench/replay_scrub.sh

# the recording cursor (replay.c) on a file written through the writer; no server
C_TESTS += tests/unit/replay_seek.t
tests_unit_replay_seek_t_SOURCES = tests/unit/replay_seek.c tests/lib/tap.h
