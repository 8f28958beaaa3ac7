# mk/tests.mk — unit tests (no server) and the shared test harness
C_TESTS += tests/unit/msgq.t
tests_unit_msgq_t_SOURCES = tests/unit/msgq.c tests/lib/tap.h
