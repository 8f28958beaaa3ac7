# mk/record.mk — recordings (issue 17): the SQLite file, `pgdeck record`,
# thinning, their tests and the recorder cost bench.
#
# src/record is an engine API client like src/monitor (no libpq include
# path; mk/layers.sh keeps curses, readline and libpq-fe.h out) and the only
# library, with the reader of the report branch, that sees sqlite3.h.
noinst_LIBRARIES += src/libpgdeck_record.a
src_libpgdeck_record_a_SOURCES = src/record/record.h \
	src/record/record_db.h src/record/record_db.c \
	src/record/record_write.c src/record/record_thin.c src/record/recorder.c
src_pgdeck_SOURCES += src/cli/cmd_record.c
src_libpgdeck_record_a_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)

# The record library uses the monitors, the engine and common: in static
# link order they come again after it.
RECORD_LIBS = src/libpgdeck_record.a $(CLIENT_LIBS) src/libpgdeck_engine.a \
	src/libpgdeck_common.a $(SQLITE_LIBS) $(LIBPQ_LIBS)
src_pgdeck_LDADD += $(RECORD_LIBS)
LDADD += $(RECORD_LIBS)

# Opening a file: schema, pragmas, refusals (no server).
C_TESTS += tests/unit/record_db.t
tests_unit_record_db_t_SOURCES = tests/unit/record_db.c tests/lib/tap.h
tests_unit_record_db_t_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)

# pgdeck record against a real cluster: the rows, kill -9, refusals, full
# disk, two servers, usage.
SH_TESTS += tests/cli/record.sh

# Thinning: old snapshots written through the writer fold per minute, keep
# and the size limit delete (no server).
C_TESTS += tests/unit/record_thin.t
tests_unit_record_thin_t_SOURCES = tests/unit/record_thin.c tests/lib/tap.h
tests_unit_record_thin_t_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)

# The recorder's cost (by hand or `make bench`): CPU at 5 s and 1 s, ms per
# snapshot written, the server's time per snapshot, bytes per snapshot, next
# to pgcenter record or a psql loop doing the same reads. demo_load runs the
# demo's workload on the bench's cluster.
EXTRA_DIST += tests/bench/record_cost.sh
noinst_PROGRAMS += tests/bench/demo_load
tests_bench_demo_load_SOURCES = tests/bench/demo_load.c

EXTRA_DIST += doc/record.md
# the recorder reads every monitor: on every supported major (make check-compat)
COMPAT_TESTS += tests/cli/record.sh
