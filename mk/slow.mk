# mk/slow.mk — the server monitors (pg_stat_statements, pg_stat_activity,
# pg_locks), the Slow and Activity panes and `pgdeck top`.
src_pgdeck_SOURCES += src/cli/cmd_top.c
src_libpgdeck_ui_a_SOURCES += \
	src/ui/pane_slow.c src/ui/pane_activity.c \
	src/ui/osc52.c src/ui/osc52.h \
	src/ui/editor_link.c src/ui/editor_link.h

# Integration tests: each starts its own throwaway cluster (sandbox.h).
EXTRA_DIST += tests/integration/monitor_util.h
C_TESTS += tests/integration/monitor_pgss.t tests/integration/monitor_activity.t
tests_integration_monitor_pgss_t_SOURCES = tests/integration/monitor_pgss.c
tests_integration_monitor_pgss_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
tests_integration_monitor_activity_t_SOURCES = tests/integration/monitor_activity.c
tests_integration_monitor_activity_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)

# Shell tests (tests/lib/cluster.sh; TUI ones drive the binary in tmux).
SH_TESTS += \
	tests/cli/top_json.sh \
	tests/cli/top_missing.sh \
	tests/tui/slow_pane.sh \
	tests/tui/slow_missing.sh \
	tests/tui/slow_security.sh \
	tests/tui/slow_detail.sh \
	tests/tui/activity_pane.sh \
	tests/tui/plan_view.sh

# Benchmark (make bench or by hand; never a timed test).
EXTRA_DIST += tests/bench/monitor_cost.sh
EXTRA_DIST += doc/security.md

# Unit test of the pure EXPLAIN-as-author helpers (no server).
C_TESTS += tests/unit/monitor_explain.t
tests_unit_monitor_explain_t_SOURCES = tests/unit/monitor_explain.c tests/lib/tap.h
tests_unit_monitor_explain_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
