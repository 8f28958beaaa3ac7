# mk/common.mk — src/common: allocation, strings, queues, config, pure parsers
src_libpgdeck_common_a_SOURCES += \
	src/common/xalloc.c src/common/xalloc.h \
	src/common/sqlquote.c src/common/sqlquote.h \
	src/common/strbuf.c src/common/strbuf.h \
	src/common/strlist.c src/common/strlist.h \
	src/common/numparse.c src/common/numparse.h \
	src/common/mkdirs.c src/common/mkdirs.h \
	src/common/msgq.c src/common/msgq.h \
	src/common/pool_defaults.h \
	src/common/clock.h \
	src/common/fmt.c src/common/fmt.h \
	src/common/list.h \
	src/common/utf8.c src/common/utf8.h \
	src/common/json.c src/common/json.h \
	src/common/jsonparse.c src/common/jsonparse.h \
	src/common/termsafe.c src/common/termsafe.h \
	src/common/secretline.c src/common/secretline.h \
	src/common/filecap.c src/common/filecap.h \
	src/common/bindecode.c src/common/bindecode.h

# Pure parsers and metrics shared by the engine, the console and the CLI.
src_libpgdeck_common_a_SOURCES += \
	src/common/hist.c src/common/hist.h \
	src/common/sqllex.c src/common/sqllex.h \
	src/common/sqlsplit.c src/common/sqlsplit.h \
	src/common/sqlclass.c src/common/sqlclass.h \
	src/common/fingerprint.c src/common/fingerprint.h \
	src/common/conf.c src/common/conf.h

C_TESTS += tests/unit/hist.t
tests_unit_hist_t_SOURCES = tests/unit/hist.c tests/lib/tap.h

C_TESTS += tests/unit/sqlsplit.t tests/unit/fingerprint.t
tests_unit_sqlsplit_t_SOURCES = tests/unit/sqlsplit.c tests/lib/tap.h
tests_unit_fingerprint_t_SOURCES = tests/unit/fingerprint.c tests/lib/tap.h
# the script reader against what psql -f sends (tests/unit/sqlscript.c)
C_TESTS += tests/unit/sqlscript.t
tests_unit_sqlscript_t_SOURCES = tests/unit/sqlscript.c tests/lib/tap.h

C_TESTS += tests/unit/fmt.t
tests_unit_fmt_t_SOURCES = tests/unit/fmt.c tests/lib/tap.h

C_TESTS += tests/unit/list.t
tests_unit_list_t_SOURCES = tests/unit/list.c tests/lib/tap.h

C_TESTS += tests/unit/utf8.t
tests_unit_utf8_t_SOURCES = tests/unit/utf8.c tests/lib/tap.h

C_TESTS += tests/unit/sqlclass.t
tests_unit_sqlclass_t_SOURCES = tests/unit/sqlclass.c tests/lib/tap.h

C_TESTS += tests/unit/conf.t
tests_unit_conf_t_SOURCES = tests/unit/conf.c tests/lib/tap.h

# Fuzz targets: each target's input loop also runs as a check program that
# replays the committed corpus, so CI exercises it without clang.
C_TESTS += tests/fuzz/sqlsplit.t tests/fuzz/fingerprint.t
tests_fuzz_sqlsplit_t_SOURCES = tests/fuzz/sqlsplit.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_sqlsplit_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-sqlsplit"'
tests_fuzz_fingerprint_t_SOURCES = tests/fuzz/fingerprint.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fingerprint_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-fingerprint"'
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
# (the library sources are compiled in, not linked: no default LDADD)
tests_fuzz_sqlsplit_fuzz_LDADD =
tests_fuzz_fingerprint_fuzz_SOURCES = tests/fuzz/fingerprint.c tests/fuzz/fuzz.h \
	src/common/fingerprint.c src/common/sqlsplit.c $(FUZZ_LEXER)
tests_fuzz_fingerprint_fuzz_CFLAGS = $(AM_CFLAGS) $(FUZZ_FLAGS)
tests_fuzz_fingerprint_fuzz_LDFLAGS = $(FUZZ_FLAGS)
tests_fuzz_fingerprint_fuzz_LDADD =

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
SH_TESTS += tests/integration/sqlsplit_psql.sh
SH_TESTS += tests/integration/regress_parity.sh
EXTRA_DIST += tests/data/regress/README tests/data/regress/copy_inline.sql tests/data/regress/ddl.sql tests/data/regress/errors.sql tests/data/regress/prepare.sql tests/data/regress/returning.sql tests/data/regress/strings.sql tests/data/regress/transactions.sql tests/data/regress/wide.sql 
EXTRA_DIST += tests/data/regress-pg15/COPYRIGHT \
	tests/data/regress-pg15/README \
	tests/data/regress-pg15/alter_operator.sql \
	tests/data/regress-pg15/async.sql \
	tests/data/regress-pg15/bitmapops.sql \
	tests/data/regress-pg15/box.sql \
	tests/data/regress-pg15/brin.sql \
	tests/data/regress-pg15/brin_bloom.sql \
	tests/data/regress-pg15/brin_multi.sql \
	tests/data/regress-pg15/case.sql \
	tests/data/regress-pg15/char.sql \
	tests/data/regress-pg15/circle.sql \
	tests/data/regress-pg15/combocid.sql \
	tests/data/regress-pg15/comments.sql \
	tests/data/regress-pg15/create_am.sql \
	tests/data/regress-pg15/create_cast.sql \
	tests/data/regress-pg15/create_function_sql.sql \
	tests/data/regress-pg15/create_misc.sql \
	tests/data/regress-pg15/create_operator.sql \
	tests/data/regress-pg15/create_role.sql \
	tests/data/regress-pg15/database.sql \
	tests/data/regress-pg15/date.sql \
	tests/data/regress-pg15/dbsize.sql \
	tests/data/regress-pg15/delete.sql \
	tests/data/regress-pg15/drop_if_exists.sql \
	tests/data/regress-pg15/drop_operator.sql \
	tests/data/regress-pg15/enum.sql \
	tests/data/regress-pg15/equivclass.sql \
	tests/data/regress-pg15/event_trigger.sql \
	tests/data/regress-pg15/explain.sql \
	tests/data/regress-pg15/fast_default.sql \
	tests/data/regress-pg15/float4.sql \
	tests/data/regress-pg15/float8.sql \
	tests/data/regress-pg15/functional_deps.sql \
	tests/data/regress-pg15/geometry.sql \
	tests/data/regress-pg15/gin.sql \
	tests/data/regress-pg15/gist.sql \
	tests/data/regress-pg15/groupingsets.sql \
	tests/data/regress-pg15/guc.sql \
	tests/data/regress-pg15/hash_func.sql \
	tests/data/regress-pg15/horology.sql \
	tests/data/regress-pg15/inet.sql \
	tests/data/regress-pg15/init_privs.sql \
	tests/data/regress-pg15/insert_conflict.sql \
	tests/data/regress-pg15/interval.sql \
	tests/data/regress-pg15/join.sql \
	tests/data/regress-pg15/json.sql \
	tests/data/regress-pg15/jsonb_jsonpath.sql \
	tests/data/regress-pg15/jsonpath.sql \
	tests/data/regress-pg15/line.sql \
	tests/data/regress-pg15/lseg.sql \
	tests/data/regress-pg15/macaddr.sql \
	tests/data/regress-pg15/macaddr8.sql \
	tests/data/regress-pg15/maintain_every.sql \
	tests/data/regress-pg15/memoize.sql \
	tests/data/regress-pg15/merge.sql \
	tests/data/regress-pg15/misc_sanity.sql \
	tests/data/regress-pg15/money.sql \
	tests/data/regress-pg15/multirangetypes.sql \
	tests/data/regress-pg15/name.sql \
	tests/data/regress-pg15/namespace.sql \
	tests/data/regress-pg15/numerology.sql \
	tests/data/regress-pg15/oid.sql \
	tests/data/regress-pg15/oidjoins.sql \
	tests/data/regress-pg15/partition_aggregate.sql \
	tests/data/regress-pg15/partition_info.sql \
	tests/data/regress-pg15/partition_join.sql \
	tests/data/regress-pg15/password.sql \
	tests/data/regress-pg15/path.sql \
	tests/data/regress-pg15/pg_lsn.sql \
	tests/data/regress-pg15/plpgsql.sql \
	tests/data/regress-pg15/point.sql \
	tests/data/regress-pg15/polygon.sql \
	tests/data/regress-pg15/portals.sql \
	tests/data/regress-pg15/portals_p2.sql \
	tests/data/regress-pg15/prepare.sql \
	tests/data/regress-pg15/rangefuncs.sql \
	tests/data/regress-pg15/rangetypes.sql \
	tests/data/regress-pg15/regex.sql \
	tests/data/regress-pg15/regproc.sql \
	tests/data/regress-pg15/reindex_catalog.sql \
	tests/data/regress-pg15/returning.sql \
	tests/data/regress-pg15/roleattributes.sql \
	tests/data/regress-pg15/rowtypes.sql \
	tests/data/regress-pg15/sanity_check.sql \
	tests/data/regress-pg15/security_label.sql \
	tests/data/regress-pg15/select_having.sql \
	tests/data/regress-pg15/select_implicit.sql \
	tests/data/regress-pg15/select_parallel.sql \
	tests/data/regress-pg15/spgist.sql \
	tests/data/regress-pg15/subselect.sql \
	tests/data/regress-pg15/sysviews.sql \
	tests/data/regress-pg15/text.sql \
	tests/data/regress-pg15/tid.sql \
	tests/data/regress-pg15/tidrangescan.sql \
	tests/data/regress-pg15/tidscan.sql \
	tests/data/regress-pg15/time.sql \
	tests/data/regress-pg15/timestamp.sql \
	tests/data/regress-pg15/timestamptz.sql \
	tests/data/regress-pg15/timetz.sql \
	tests/data/regress-pg15/transactions.sql \
	tests/data/regress-pg15/truncate.sql \
	tests/data/regress-pg15/tsdicts.sql \
	tests/data/regress-pg15/tsrf.sql \
	tests/data/regress-pg15/tstypes.sql \
	tests/data/regress-pg15/type_sanity.sql \
	tests/data/regress-pg15/union.sql \
	tests/data/regress-pg15/uuid.sql \
	tests/data/regress-pg15/vacuum.sql \
	tests/data/regress-pg15/vacuum_parallel.sql \
	tests/data/regress-pg15/varchar.sql \
	tests/data/regress-pg15/window.sql \
	tests/data/regress-pg15/write_parallel.sql \
	tests/data/regress-pg15/xmlmap.sql
SH_TESTS += tests/integration/fingerprint_pgss.sh
EXTRA_DIST += tests/integration/fingerprint_pgss.txt

C_TESTS += tests/unit/json.t
tests_unit_json_t_SOURCES = tests/unit/json.c tests/lib/tap.h

C_TESTS += tests/unit/termsafe.t
tests_unit_termsafe_t_SOURCES = tests/unit/termsafe.c tests/lib/tap.h

C_TESTS += tests/unit/secretline.t
tests_unit_secretline_t_SOURCES = tests/unit/secretline.c tests/lib/tap.h
