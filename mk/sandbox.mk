# mk/sandbox.mk — the throwaway cluster (src/sandbox/sandbox.c), the shell
# harness around it (tests/lib) and its tests.
src_libpgdeck_sandbox_a_SOURCES += src/sandbox/sandbox.c src/sandbox/sandbox.h

check_PROGRAMS += tests/integration/sandbox.t
tests_integration_sandbox_t_SOURCES = tests/integration/sandbox.c tests/lib/tap.h
tests_integration_sandbox_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
tests_integration_sandbox_t_LDADD = $(ENGINE_LIBS)
TESTS += tests/integration/sandbox.t

# The shell harness: tests/lib/cluster.sh drives this helper.
check_PROGRAMS += tests/lib/testcluster
tests_lib_testcluster_SOURCES = tests/lib/testcluster.c
tests_lib_testcluster_LDADD = $(ENGINE_LIBS)
EXTRA_DIST += tests/lib/cluster.sh tests/lib/tap.sh

TESTS += tests/cli/harness.sh
EXTRA_DIST += tests/cli/harness.sh
