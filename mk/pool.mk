# mk/pool.mk — the pool pane, its rate arithmetic, `pgdeck demo` and its workload
src_libpgdeck_ui_a_SOURCES += \
	src/ui/rates.c src/ui/rates.h \
	src/ui/pool_cmd.c src/ui/pool_cmd.h \
	src/ui/pane_pool.c

C_TESTS += tests/unit/rates.t
tests_unit_rates_t_SOURCES = tests/unit/rates.c tests/lib/tap.h

C_TESTS += tests/unit/pool_cmd.t
tests_unit_pool_cmd_t_SOURCES = tests/unit/pool_cmd.c tests/lib/tap.h

src_libpgdeck_sandbox_a_SOURCES += \
	src/sandbox/demo_workload.c src/sandbox/demo_workload.h

C_TESTS += tests/integration/demo_workload.t
tests_integration_demo_workload_t_SOURCES = tests/integration/demo_workload.c tests/lib/tap.h
tests_integration_demo_workload_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)

SH_TESTS += tests/tui/pool_pane.sh tests/tui/pgbouncer.sh tests/tui/demo.sh \
	tests/tui/session_console.sh tests/tui/failover_pane.sh tests/tui/pgbouncer_console.sh \
	tests/tui/binary_console.sh
EXTRA_DIST += tests/bench/console_vs_pg_activity.sh tests/lib/pgbouncer.sh

# `pgdeck demo` (dispatched from src/cli/main.c)
src_pgdeck_SOURCES += src/cli/cmd_demo.c
