# mk/report.mk — reading recordings (issue 17): the reader API and
# `pgdeck report`, with their tests.

# Moments as typed (--from 03:12, -2h, epoch) and printed back.
src_libpgdeck_common_a_SOURCES += src/common/timeparse.c src/common/timeparse.h
C_TESTS += tests/unit/timeparse.t
tests_unit_timeparse_t_SOURCES = tests/unit/timeparse.c tests/lib/tap.h
