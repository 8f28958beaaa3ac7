# mk/ui.mk — the console shell: app loop, keymap, themes, widgets, line editing
src_libpgdeck_ui_a_SOURCES += \
	src/ui/tui.h src/ui/pane.h \
	src/ui/theme.c src/ui/theme.h \
	src/ui/keymap.c src/ui/keymap.h \
	src/ui/command.c src/ui/command.h \
	src/ui/widgets.c src/ui/widgets.h \
	src/ui/plan_view.c src/ui/plan_view.h \
	src/ui/editor_explain.c src/ui/editor_explain.h \
	src/ui/advisor_run.c src/ui/advisor_run.h \
	src/ui/lineedit.c src/ui/lineedit.h \
	src/ui/app.c src/ui/app.h src/ui/app_priv.h \
	src/ui/header.c src/ui/footer.c src/ui/msgline.c src/ui/help.c \
	src/ui/proc_backend.c src/ui/proc_backend.h \
	src/ui/pane_registry.c

themesdir = $(pkgdatadir)/themes
dist_themes_DATA = themes/default.theme themes/light.theme themes/solarized-dark.theme \
	themes/high-contrast.theme themes/mono.theme

C_TESTS += tests/unit/theme.t tests/unit/keymap.t
tests_unit_theme_t_SOURCES = tests/unit/theme.c tests/lib/tap.h
tests_unit_theme_t_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)
tests_unit_keymap_t_SOURCES = tests/unit/keymap.c tests/lib/tap.h
tests_unit_keymap_t_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)

# the console subcommand
src_pgdeck_SOURCES += src/cli/cmd_console.c

# the shell's TUI tests (tmux + a throwaway cluster)
SH_TESTS += tests/tui/shell.sh tests/tui/shell_config.sh
EXTRA_DIST += tests/tui/shell_lib.sh

C_TESTS += tests/unit/widgets.t
tests_unit_widgets_t_SOURCES = tests/unit/widgets.c tests/lib/tap.h
tests_unit_widgets_t_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)

C_TESTS += tests/unit/lineedit.t
tests_unit_lineedit_t_SOURCES = tests/unit/lineedit.c tests/lib/tap.h
tests_unit_lineedit_t_CFLAGS = $(AM_CFLAGS) $(CURSES_CFLAGS)

# the Activity pane's safety, figures and narrow layout; the grid's position and search
SH_TESTS += tests/tui/activity_safety.sh tests/tui/grid_position.sh tests/tui/small_visible.sh

# the Server pane (server health views: src/monitor/monitor_server.c)
src_libpgdeck_ui_a_SOURCES += src/ui/pane_server.c
