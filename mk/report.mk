# mk/report.mk — reading recordings (issue 17): the reader API and
# `pgdeck report`, with their tests.

# Moments as typed (--from 03:12, -2h, epoch) and printed back.
src_libpgdeck_common_a_SOURCES += src/common/timeparse.c src/common/timeparse.h
C_TESTS += tests/unit/timeparse.t
tests_unit_timeparse_t_SOURCES = tests/unit/timeparse.c tests/lib/tap.h

# The reader: moments rebuilt into the monitors' structs (record_read.h),
# and the server view snapshots it builds from stored values.
src_libpgdeck_record_a_SOURCES += src/record/record_read.h src/record/record_read.c \
	src/record/record_read_int.h
src_libpgdeck_monitor_a_SOURCES += src/monitor/monitor_server_build.c \
	src/monitor/monitor_server_build.h

# The reader against a recording made from SQL (no server).
C_TESTS += tests/unit/record_read.t
tests_unit_record_read_t_SOURCES = tests/unit/record_read.c tests/lib/tap.h
tests_unit_record_read_t_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
EXTRA_DIST += tests/data/record/moments.sql

# A window of a recording summed up, and `pgdeck report`.
src_libpgdeck_record_a_SOURCES += src/record/record_report.h src/record/record_report.c
src_pgdeck_SOURCES += src/cli/cmd_report.c

# A recording from SQL in the real schema, for tests without a server (the
# report's, and the replay's TUI tests): tests/lib/rec_fixture OUT.db FILE.sql
check_PROGRAMS += tests/lib/rec_fixture
tests_lib_rec_fixture_SOURCES = tests/lib/rec_fixture.c
tests_lib_rec_fixture_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
EXTRA_DIST += tests/data/record/window.sql

# A window summed up (record_report.h), against window.sql.
C_TESTS += tests/unit/record_report.t
tests_unit_record_report_t_SOURCES = tests/unit/record_report.c tests/lib/tap.h
tests_unit_record_report_t_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)

# `pgdeck report` on recordings from SQL: output, JSON keys, exit codes.
SH_TESTS += tests/cli/report_file.sh
# ... and on what pgdeck record recorded from a real cluster (a lock wait).
SH_TESTS += tests/cli/report.sh
