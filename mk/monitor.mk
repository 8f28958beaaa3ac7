# mk/monitor.mk — src/monitor: catalog probing and the SQL and parsing for
# pg_stat_statements, pg_stat_activity and pg_locks, and the driver that runs
# them for every view. An engine API client:
# its library has no libpq include path (the build enforces the layer rule).
src_libpgdeck_monitor_a_SOURCES += src/monitor/monitor.h src/monitor/monitor_int.h \
	src/monitor/monitor_probe.c src/monitor/monitor_pgss.c \
	src/monitor/monitor_activity.c src/monitor/monitor_dbstat.c \
	src/monitor/monitor_explain.c src/monitor/monitor_driver.c \
	src/monitor/monitor_server.c src/monitor/monitor_server.h src/monitor/monitor_slices.c \
	src/monitor/monitor_fleet.c src/monitor/monitor_fleet.h \
	src/monitor/plan.c src/monitor/plan.h \
	src/monitor/advisor.c src/monitor/advisor.h

# The driver against a real cluster (the statements it runs, their order, tags
# and failures).
C_TESTS += tests/integration/monitor_driver.t
tests_integration_monitor_driver_t_SOURCES = tests/integration/monitor_driver.c
tests_integration_monitor_driver_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)

# Integration test of the server views' SQL and parsers (a throwaway cluster).
C_TESTS += tests/integration/monitor_server.t
tests_integration_monitor_server_t_SOURCES = tests/integration/monitor_server.c
tests_integration_monitor_server_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)

# The JSON reader and the plan tree on good and hostile input (no server).
C_TESTS += tests/unit/jsonparse.t
tests_unit_jsonparse_t_SOURCES = tests/unit/jsonparse.c tests/lib/tap.h

# Plan trees from live EXPLAIN output on a throwaway cluster.
C_TESTS += tests/integration/plan.t
tests_integration_plan_t_SOURCES = tests/integration/plan.c
tests_integration_plan_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)

# Fuzz target of the JSON reader and the plan tree; its replayer runs the
# committed corpus as a check program.
C_TESTS += tests/fuzz/jsonplan.t
tests_fuzz_jsonplan_t_SOURCES = tests/fuzz/jsonplan.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_jsonplan_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-jsonplan"'
EXTRA_DIST += tests/fuzz/corpus-jsonplan
