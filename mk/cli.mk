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
	src/cli/output.c src/cli/output.h \
	src/cli/sqlerror.c src/cli/sqlerror.h \
	src/cli/statsjson.c src/cli/statsjson.h \
	src/cli/run.h src/cli/cmd_run.c src/cli/run_pipeline.c src/cli/run_load.c \
	src/cli/cmd_explain.c

# Shell tests of `pgdeck run` against a throwaway cluster (tests/lib/cluster.sh).
CLI_TESTS = \
	tests/cli/run_usage.sh \
	tests/cli/run_format.sh \
	tests/cli/run_script.sh \
	tests/cli/run_pipeline.sh \
	tests/cli/run_connect.sh \
	tests/cli/run_load.sh \
	tests/cli/explain.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += $(CLI_TESTS)

check_PROGRAMS += tests/unit/argscrub.t
tests_unit_argscrub_t_SOURCES = tests/unit/argscrub.c src/cli/argscrub.c tests/lib/tap.h
tests_unit_argscrub_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/argscrub.t

# Issue 10 from the attacker's side: escapes, secrets, bad input.
SECURITY_TESTS = \
	tests/cli/sec_escapes.sh \
	tests/cli/sec_secrets.sh \
	tests/cli/sec_input.sh \
	tests/tui/sec_console.sh
TESTS += $(SECURITY_TESTS)
EXTRA_DIST += $(SECURITY_TESTS)
