# mk/editor.mk — pane 4, the query editor: buffer, highlighting, history,
# completion, result grid (included by Makefile.am)
src_libpgdeck_ui_a_SOURCES += \
	src/ui/pane_editor.c \
	src/ui/editbuf.c src/ui/editbuf.h \
	src/ui/sqlhl.c src/ui/sqlhl.h \
	src/ui/grid.c src/ui/grid.h \
	src/ui/history.c src/ui/history.h \
	src/ui/complete.c src/ui/complete_ctx.c src/ui/complete.h

C_TESTS += tests/unit/editbuf.t tests/unit/sqlhl.t tests/unit/complete.t
tests_unit_editbuf_t_SOURCES = tests/unit/editbuf.c tests/lib/tap.h
tests_unit_editbuf_t_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)
tests_unit_sqlhl_t_SOURCES = tests/unit/sqlhl.c tests/lib/tap.h
tests_unit_sqlhl_t_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)
tests_unit_complete_t_SOURCES = tests/unit/complete.c tests/lib/tap.h
tests_unit_complete_t_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)

SH_TESTS += tests/tui/editor_grid.sh tests/tui/editor_run.sh tests/tui/editor_history.sh \
	tests/tui/editor_keys.sh tests/tui/editor_complete.sh tests/tui/editor_pipeline_first.sh
EXTRA_DIST += tests/bench/grid_rows.sh
