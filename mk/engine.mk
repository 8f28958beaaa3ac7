# mk/engine.mk — file lists for this area (included by Makefile.am)
# The background libpq engine: one thread, a pool, exec/prepare, pipeline,
# COPY, load, metrics, stats. One concept per file; engine_int.h is shared.
src_libpgdeck_engine_a_SOURCES += \
	src/engine/engine.h src/engine/engine_int.h \
	src/engine/api.c \
	src/engine/event.c \
	src/engine/flow.c \
	src/engine/loop.c \
	src/engine/conn.c \
	src/engine/gss_skip.c \
	src/engine/pool.c \
	src/engine/cancel.c \
	src/engine/session.c \
	src/engine/session_opts.c \
	src/engine/exec.c \
	src/engine/prepcache.c \
	src/engine/pipeline.c \
	src/engine/copy.c \
	src/engine/load.c \
	src/engine/result.c \
	src/engine/conninfo.c \
	src/engine/resolve.c \
	src/engine/worker.c src/engine/worker.h \
	src/engine/metrics.c \
	src/engine/stats.c

# Integration tests: each starts its own throwaway cluster.
ENGINE_TEST_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
EXTRA_DIST += tests/integration/engine_util.h tests/integration/test_clock.h

C_TESTS += tests/integration/engine_basic.t
tests_integration_engine_basic_t_SOURCES = tests/integration/engine_basic.c
tests_integration_engine_basic_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/engine_sqlclass.t
tests_integration_engine_sqlclass_t_SOURCES = tests/integration/engine_sqlclass.c
tests_integration_engine_sqlclass_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/pool_faults.t
tests_integration_pool_faults_t_SOURCES = tests/integration/pool_faults.c tests/integration/test_clock.c
tests_integration_pool_faults_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/pool_rules.t
tests_integration_pool_rules_t_SOURCES = tests/integration/pool_rules.c tests/integration/test_clock.c
tests_integration_pool_rules_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/engine_prepare.t
tests_integration_engine_prepare_t_SOURCES = tests/integration/engine_prepare.c
tests_integration_engine_prepare_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/engine_cancel.t
tests_integration_engine_cancel_t_SOURCES = tests/integration/engine_cancel.c
tests_integration_engine_cancel_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/engine_connect.t
tests_integration_engine_connect_t_SOURCES = tests/integration/engine_connect.c
tests_integration_engine_connect_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/pipeline_outcomes.t
tests_integration_pipeline_outcomes_t_SOURCES = tests/integration/pipeline_outcomes.c
tests_integration_pipeline_outcomes_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/copy_import.t
tests_integration_copy_import_t_SOURCES = tests/integration/copy_import.c
tests_integration_copy_import_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/pool_returns.t
tests_integration_pool_returns_t_SOURCES = tests/integration/pool_returns.c
tests_integration_pool_returns_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/engine_stream.t
tests_integration_engine_stream_t_SOURCES = tests/integration/engine_stream.c
tests_integration_engine_stream_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/engine_resolve.t
tests_integration_engine_resolve_t_SOURCES = tests/integration/engine_resolve.c
tests_integration_engine_resolve_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/unit/conn_moves.t
tests_unit_conn_moves_t_SOURCES = tests/unit/conn_moves.c tests/lib/tap.h
tests_unit_conn_moves_t_CFLAGS = $(ENGINE_TEST_CFLAGS)

C_TESTS += tests/integration/bindecode_roundtrip.t
tests_integration_bindecode_roundtrip_t_SOURCES = tests/integration/bindecode_roundtrip.c
tests_integration_bindecode_roundtrip_t_CFLAGS = $(ENGINE_TEST_CFLAGS)
