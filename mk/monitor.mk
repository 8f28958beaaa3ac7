# mk/monitor.mk — src/monitor: catalog probing and the SQL and parsing for
# pg_stat_statements, pg_stat_activity and pg_locks. An engine API client:
# its library has no libpq include path (the build enforces the layer rule).
src_libpgdeck_monitor_a_SOURCES += src/monitor/monitor.c src/monitor/monitor.h \
	src/monitor/monitor_explain.c
src_libpgdeck_monitor_a_SOURCES += src/monitor/monitor_server.c src/monitor/monitor_server.h
