# mk/pool.mk — the pool pane, its rate arithmetic, `pgdeck demo` and its workload
src_libpgdeck_ui_a_SOURCES += \
	src/ui/rates.c src/ui/rates.h \
	src/ui/pool_cmd.c src/ui/pool_cmd.h \
	src/ui/pane_pool.c

check_PROGRAMS += tests/unit/rates.t
tests_unit_rates_t_SOURCES = tests/unit/rates.c tests/lib/tap.h
tests_unit_rates_t_LDADD = src/libpgdeck_ui.a $(COMMON_LIBS) -lm
TESTS += tests/unit/rates.t

check_PROGRAMS += tests/unit/pool_cmd.t
tests_unit_pool_cmd_t_SOURCES = tests/unit/pool_cmd.c tests/lib/tap.h
tests_unit_pool_cmd_t_LDADD = src/libpgdeck_ui.a $(COMMON_LIBS) -lm
TESTS += tests/unit/pool_cmd.t

src_libpgdeck_sandbox_a_SOURCES += \
	src/sandbox/demo_workload.c src/sandbox/demo_workload.h

check_PROGRAMS += tests/integration/demo_workload.t
tests_integration_demo_workload_t_SOURCES = tests/integration/demo_workload.c tests/lib/tap.h
tests_integration_demo_workload_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
tests_integration_demo_workload_t_LDADD = $(ENGINE_LIBS)
TESTS += tests/integration/demo_workload.t

POOL_TUI_TESTS = tests/tui/pool_pane.sh tests/tui/pgbouncer.sh tests/tui/demo.sh
TESTS += $(POOL_TUI_TESTS)
EXTRA_DIST += $(POOL_TUI_TESTS) tests/tui/pool_lib.sh tests/bench/console_vs_pg_activity.sh

# `pgdeck demo` (dispatched from src/cli/main.c)
src_pgdeck_SOURCES += src/cli/cmd_demo.c
