# mk/monitor.mk — src/monitor: catalog probing and the SQL and parsing for
# pg_stat_statements, pg_stat_activity and pg_locks. An engine API client:
# its library has no libpq include path (the build enforces the layer rule).
src_libpgdeck_monitor_a_SOURCES += src/monitor/monitor.c src/monitor/monitor.h \
	src/monitor/monitor_explain.c \
	src/monitor/plan.c src/monitor/plan.h \
	src/monitor/advisor.c src/monitor/advisor.h

# The JSON reader and the plan tree on good and hostile input (no server).
check_PROGRAMS += tests/unit/jsonparse.t
tests_unit_jsonparse_t_SOURCES = tests/unit/jsonparse.c tests/lib/tap.h
tests_unit_jsonparse_t_LDADD = src/libpgdeck_monitor.a $(COMMON_LIBS) -lm
TESTS += tests/unit/jsonparse.t

# Plan trees from live EXPLAIN output on a throwaway cluster.
check_PROGRAMS += tests/integration/plan.t
tests_integration_plan_t_SOURCES = tests/integration/plan.c
tests_integration_plan_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
tests_integration_plan_t_LDADD = $(ENGINE_LIBS) -lpthread -lm
TESTS += tests/integration/plan.t

# Fuzz target of the JSON reader and the plan tree; its replayer runs the
# committed corpus as a check program.
check_PROGRAMS += tests/fuzz/jsonplan.t
tests_fuzz_jsonplan_t_SOURCES = tests/fuzz/jsonplan.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_jsonplan_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-jsonplan"'
tests_fuzz_jsonplan_t_LDADD = src/libpgdeck_monitor.a $(COMMON_LIBS) -lm
TESTS += tests/fuzz/jsonplan.t
EXTRA_DIST += tests/fuzz/corpus-jsonplan
