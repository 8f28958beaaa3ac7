# mk/monitor.mk — src/monitor: catalog probing and the SQL and parsing for
# pg_stat_statements, pg_stat_activity and pg_locks. An engine API client:
# its library has no libpq include path (the build enforces the layer rule).
src_libpgdeck_monitor_a_SOURCES += src/monitor/monitor.c src/monitor/monitor.h \
	src/monitor/monitor_explain.c
src_libpgdeck_monitor_a_SOURCES += src/monitor/monitor_server.c src/monitor/monitor_server.h

# Integration test of the server views' SQL and parsers (a throwaway cluster).
check_PROGRAMS += tests/integration/monitor_server.t
tests_integration_monitor_server_t_SOURCES = tests/integration/monitor_server.c
tests_integration_monitor_server_t_CFLAGS = $(AM_CFLAGS) $(LIBPQ_CFLAGS)
tests_integration_monitor_server_t_LDADD = $(ENGINE_LIBS) -lpthread -lm
TESTS += tests/integration/monitor_server.t
