# mk/tests.mk — unit tests (no server) and the shared test harness
check_PROGRAMS += tests/unit/msgq.t
tests_unit_msgq_t_SOURCES = tests/unit/msgq.c tests/lib/tap.h
tests_unit_msgq_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/msgq.t
