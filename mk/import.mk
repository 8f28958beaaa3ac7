# mk/import.mk — the COPY import: CSV sniffing/splitting (common), the import
# orchestrator (engine), `pgdeck import` (cli), the wizard pane (ui), tests.
src_libpgdeck_import_a_SOURCES += src/import/csv.c src/import/csv.h src/import/csv_sniff.c \
	src/import/csv_infer.c src/import/csv_names.c

C_TESTS += tests/unit/csv.t
tests_unit_csv_t_SOURCES = tests/unit/csv.c tests/lib/tap.h

# The importer, one concept per file; import_int.h is shared inside src/import.
src_libpgdeck_import_a_SOURCES += src/import/import.h src/import/import_int.h \
	src/import/import.c src/import/import_job.c src/import/import_scan.c \
	src/import/import_copy.c src/import/import_binary.c src/import/import_reject.c src/import/import_lines.c \
	src/import/import_columns.c src/import/import_sql.c src/import/import_spec.c \
	src/import/import_probe.c

src_pgdeck_SOURCES += src/cli/cmd_import.c
# the way out of `import` and `run` (listed here to keep mk/cli.mk untouched)
src_pgdeck_SOURCES += src/cli/cmd_exit.c src/cli/cmd_exit.h

SH_TESTS += tests/cli/import_files.sh tests/cli/import_jobs.sh tests/cli/import_faults.sh \
	tests/cli/import_doubts.sh tests/cli/import_freeze.sh \
	tests/cli/import_binary.sh

C_TESTS += tests/integration/import_engine.t
tests_integration_import_engine_t_SOURCES = tests/integration/import_engine.c tests/lib/tap.h
tests_integration_import_engine_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)

# Fuzz targets for the sniffer and the record scanner; the replayers run the
# committed corpus in every `make check` (no clang needed).
C_TESTS += tests/fuzz/csvsplit.t tests/fuzz/csvsniff.t
tests_fuzz_csvsplit_t_SOURCES = tests/fuzz/csvsplit.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_csvsplit_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-csv"'
tests_fuzz_csvsniff_t_SOURCES = tests/fuzz/csvsniff.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_csvsniff_t_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"corpus-csv"'
EXTRA_DIST += tests/fuzz/corpus-csv

if ENABLE_FUZZ
# ./configure --enable-fuzz CC=clang; then e.g.
#   tests/fuzz/csvsplit_fuzz -max_total_time=60 $(srcdir)/tests/fuzz/corpus-csv
IMPORT_FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined
IMPORT_FUZZ_LIB = src/import/csv.c src/import/csv.h src/import/csv_sniff.c src/import/csv_infer.c \
	src/import/csv_names.c src/common/xalloc.c src/common/strbuf.c
noinst_PROGRAMS += tests/fuzz/csvsplit_fuzz tests/fuzz/csvsniff_fuzz
tests_fuzz_csvsplit_fuzz_SOURCES = tests/fuzz/csvsplit.c tests/fuzz/fuzz.h $(IMPORT_FUZZ_LIB)
tests_fuzz_csvsplit_fuzz_CFLAGS = $(AM_CFLAGS) $(IMPORT_FUZZ_FLAGS)
tests_fuzz_csvsplit_fuzz_LDFLAGS = $(IMPORT_FUZZ_FLAGS)
# (the library sources are compiled in, not linked: no default LDADD)
tests_fuzz_csvsplit_fuzz_LDADD =
tests_fuzz_csvsniff_fuzz_SOURCES = tests/fuzz/csvsniff.c tests/fuzz/fuzz.h $(IMPORT_FUZZ_LIB)
tests_fuzz_csvsniff_fuzz_CFLAGS = $(AM_CFLAGS) $(IMPORT_FUZZ_FLAGS)
tests_fuzz_csvsniff_fuzz_LDFLAGS = $(IMPORT_FUZZ_FLAGS)
tests_fuzz_csvsniff_fuzz_LDADD =
endif

# The wizard (pane 5).
src_libpgdeck_ui_a_SOURCES += src/ui/pane_import.c

# `make bench` runs every tests/bench/*.sh
EXTRA_DIST += tests/bench/import_vs_psql.sh
SH_TESTS += tests/tui/import_wizard.sh tests/tui/import_wizard_ask.sh
EXTRA_DIST += doc/import.md
