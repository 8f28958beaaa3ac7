/* tui.h — the one place that includes curses (wide-character ncursesw). */
#ifndef PGDECK_TUI_H
#define PGDECK_TUI_H

#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifdef HAVE_NCURSESW_CURSES_H
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

#endif
