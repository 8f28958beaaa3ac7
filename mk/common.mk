# mk/common.mk — src/common: allocation, strings, queues, config, pure parsers
src_libpgdeck_common_a_SOURCES += \
	src/common/xalloc.c src/common/xalloc.h \
	src/common/strbuf.c src/common/strbuf.h \
	src/common/msgq.c src/common/msgq.h \
	src/common/pool_defaults.h \
	src/common/clock.h \
	src/common/utf8.c src/common/utf8.h \
	src/common/json.c src/common/json.h \
	src/common/jsonparse.c src/common/jsonparse.h \
	src/common/termsafe.c src/common/termsafe.h \
	src/common/secretline.c src/common/secretline.h \
	src/common/filecap.c src/common/filecap.h

# Pure parsers and metrics shared by the engine, the console and the CLI.
src_libpgdeck_common_a_SOURCES += \
	src/common/hist.c src/common/hist.h \
	src/common/sqllex.c src/common/sqllex.h \
	src/common/sqlsplit.c src/common/sqlsplit.h \
	src/common/fingerprint.c src/common/fingerprint.h \
	src/common/conf.c src/common/conf.h

check_PROGRAMS += tests/unit/hist.t
tests_unit_hist_t_SOURCES = tests/unit/hist.c tests/lib/tap.h
tests_unit_hist_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/hist.t

check_PROGRAMS += tests/unit/sqlsplit.t tests/unit/fingerprint.t
tests_unit_sqlsplit_t_SOURCES = tests/unit/sqlsplit.c tests/lib/tap.h
tests_unit_sqlsplit_t_LDADD = $(COMMON_LIBS)
tests_unit_fingerprint_t_SOURCES = tests/unit/fingerprint.c tests/lib/tap.h
tests_unit_fingerprint_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/sqlsplit.t tests/unit/fingerprint.t

check_PROGRAMS += tests/unit/conf.t
tests_unit_conf_t_SOURCES = tests/unit/conf.c tests/lib/tap.h
tests_unit_conf_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/conf.t

# Fuzz targets: each target's input loop also runs as a check program that
# replays the committed corpus, so CI exercises it without clang.
check_PROGRAMS += tests/fuzz/sqlsplit.t tests/fuzz/fingerprint.t
tests_fuzz_sqlsplit_t_SOURCES = tests/fuzz/sqlsplit.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_sqlsplit_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-sqlsplit"'
tests_fuzz_sqlsplit_t_LDADD = $(COMMON_LIBS)
tests_fuzz_fingerprint_t_SOURCES = tests/fuzz/fingerprint.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fingerprint_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-fingerprint"'
tests_fuzz_fingerprint_t_LDADD = $(COMMON_LIBS)
TESTS += tests/fuzz/sqlsplit.t tests/fuzz/fingerprint.t
EXTRA_DIST += tests/fuzz/corpus-sqlsplit tests/fuzz/corpus-fingerprint

if ENABLE_FUZZ
# ./configure --enable-fuzz CC=clang; run e.g.
#   tests/fuzz/sqlsplit_fuzz -max_total_time=60 $(srcdir)/tests/fuzz/corpus-sqlsplit
# The library sources are compiled in so that libFuzzer sees their coverage.
FUZZ_FLAGS = -fsanitize=fuzzer,address
FUZZ_LEXER = src/common/sqllex.c src/common/sqllex.h src/common/xalloc.c src/common/strbuf.c
noinst_PROGRAMS += tests/fuzz/sqlsplit_fuzz tests/fuzz/fingerprint_fuzz
tests_fuzz_sqlsplit_fuzz_SOURCES = tests/fuzz/sqlsplit.c tests/fuzz/fuzz.h \
	src/common/sqlsplit.c $(FUZZ_LEXER)
tests_fuzz_sqlsplit_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_sqlsplit_fuzz_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fingerprint_fuzz_SOURCES = tests/fuzz/fingerprint.c tests/fuzz/fuzz.h \
	src/common/fingerprint.c src/common/sqlsplit.c $(FUZZ_LEXER)
tests_fuzz_fingerprint_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fingerprint_fuzz_LDFLAGS = $(FUZZ_FLAGS)

# make fuzz [FUZZ_SECONDS=60]: each target from its corpus, new inputs kept
# in a scratch directory; a crash leaves crash-* in the build directory.
FUZZ_SECONDS = 60
fuzz: tests/fuzz/sqlsplit_fuzz tests/fuzz/fingerprint_fuzz
	for t in sqlsplit fingerprint; do \
	  mkdir -p fuzz-corpus-$$t && \
	  tests/fuzz/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
	    fuzz-corpus-$$t $(srcdir)/tests/fuzz/corpus-$$t || exit 1; \
	done
endif

# psql and pg_stat_statements as oracles, on a throwaway cluster.
check_PROGRAMS += tests/integration/sqltool
tests_integration_sqltool_SOURCES = tests/integration/sqltool.c
tests_integration_sqltool_LDADD = $(COMMON_LIBS)
TESTS += tests/integration/sqlsplit_psql.sh
EXTRA_DIST += tests/integration/sqlsplit_psql.sh
TESTS += tests/integration/fingerprint_pgss.sh
EXTRA_DIST += tests/integration/fingerprint_pgss.sh tests/integration/fingerprint_pgss.txt

check_PROGRAMS += tests/unit/json.t
tests_unit_json_t_SOURCES = tests/unit/json.c tests/lib/tap.h
tests_unit_json_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/json.t

check_PROGRAMS += tests/unit/termsafe.t
tests_unit_termsafe_t_SOURCES = tests/unit/termsafe.c tests/lib/tap.h
tests_unit_termsafe_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/termsafe.t

check_PROGRAMS += tests/unit/secretline.t
tests_unit_secretline_t_SOURCES = tests/unit/secretline.c tests/lib/tap.h
tests_unit_secretline_t_LDADD = $(COMMON_LIBS)
TESTS += tests/unit/secretline.t
