# mk/cli.mk — src/cli: the pgdeck program's subcommands and their tests
# (src/cli/main.c is listed in Makefile.am).
src_pgdeck_SOURCES += \
	src/cli/commands.h \
	src/cli/usage.c src/cli/usage.h \
	src/cli/connargs.c src/cli/connargs.h \
	src/cli/cliconf.c src/cli/cliconf.h \
	src/cli/password.c src/cli/password.h \
	src/cli/redact.c src/cli/redact.h \
	src/cli/argscrub.c src/cli/argscrub.h \
	src/cli/tls_lazy.c src/cli/tls_lazy.h \
	src/cli/output.c src/cli/output.h \
	src/cli/sqlerror.c src/cli/sqlerror.h \
	src/cli/statsjson.c src/cli/statsjson.h \
	src/cli/top_views.c src/cli/top_views.h \
	src/cli/cli_wait.c src/cli/cli_wait.h \
	src/cli/run.h src/cli/cmd_run.c src/cli/run_pipeline.c src/cli/run_load.c \
	src/cli/cmd_explain.c

# Shell tests of `pgdeck run` against a throwaway cluster (tests/lib/cluster.sh).
SH_TESTS += \
	tests/cli/run_usage.sh \
	tests/cli/run_format.sh \
	tests/cli/run_binary.sh \
	tests/cli/run_script.sh \
	tests/cli/run_pipeline.sh \
	tests/cli/lazy_libs.sh \
	tests/cli/run_connect.sh \
	tests/cli/session_settings.sh \
	tests/cli/run_load.sh \
	tests/cli/failover.sh \
	tests/cli/retry_read_only.sh \
	tests/cli/explain.sh

C_TESTS += tests/unit/argscrub.t
tests_unit_argscrub_t_SOURCES = tests/unit/argscrub.c src/cli/argscrub.c tests/lib/tap.h

# Issue 10 from the attacker's side: escapes, secrets, bad input.
SH_TESTS += \
	tests/cli/sec_escapes.sh \
	tests/cli/sec_secrets.sh \
	tests/cli/sec_input.sh \
	tests/tui/sec_console.sh

# Issue 14, the server views: `pgdeck top --view` and the Server pane, each
# figure provoked on a real cluster (and a standby: tests/lib/standby.sh).
SH_TESTS += tests/cli/top_views.sh tests/tui/server_pane.sh
EXTRA_DIST += tests/lib/standby.sh tests/bench/server_views.sh
