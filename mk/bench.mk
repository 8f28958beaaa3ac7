# mk/bench.mk — benchmarks in tests/bench/: run by hand or with `make bench`,
# never by `make check` (they print side-by-side figures, never assert on
# time). `make bench` runs every tests/bench/*.sh in turn, so a new
# benchmark only needs its script there (and its line in EXTRA_DIST).
EXTRA_DIST += tests/bench/run_vs_pgbench.sh tests/bench/pipeline_inserts.sh
EXTRA_DIST += tests/bench/binary_results.sh

bench: src/pgdeck$(EXEEXT) tests/lib/testcluster$(EXEEXT)
	@failed=0; \
	for script in $(abs_top_srcdir)/tests/bench/*.sh; do \
	  echo "=== $$(basename $$script)"; \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  PGDECK='$(abs_top_builddir)/src/pgdeck' $(SHELL) "$$script" || failed=1; \
	  echo; \
	done; \
	exit $$failed
