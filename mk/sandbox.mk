# mk/sandbox.mk — the throwaway cluster (src/sandbox/sandbox.c), the shell
# harness around it (tests/lib) and its tests.
src_libpgdeck_sandbox_a_SOURCES += src/sandbox/sandbox.c src/sandbox/sandbox.h

C_TESTS += tests/integration/sandbox.t
tests_integration_sandbox_t_SOURCES = tests/integration/sandbox.c tests/lib/tap.h
tests_integration_sandbox_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)

# The shell harness: tests/lib/cluster.sh drives this helper.
check_PROGRAMS += tests/lib/testcluster
tests_lib_testcluster_SOURCES = tests/lib/testcluster.c
EXTRA_DIST += tests/lib/cluster.sh tests/lib/tap.sh

SH_TESTS += tests/cli/harness.sh
