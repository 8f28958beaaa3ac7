/* widgets.h — small drawing helpers every pane shares.
 *
 * Text: wg_text() is THE way to put server-supplied text on the screen. It
 * takes possibly-invalid UTF-8 (or whatever the locale's encoding is), draws
 * it clipped to a number of columns and never writes past them:
 *   - valid characters take their wcwidth() (CJK and emoji two columns,
 *     combining marks zero, attached to the previous character);
 *   - invalid bytes and non-printable characters show as \xNN;
 *   - tab and newline show as one space (list cells are single lines);
 *   - a wide character that would straddle the right edge becomes a space.
 * wg_text_width() measures exactly what wg_text() would draw.
 *
 * Gauge and sparkline: wg_gauge() draws a horizontal bar of stacked segments
 * against a maximum; wg_sparkline() draws a series with Unicode blocks
 * (▁▂▃▄▅▆▇█) in a UTF-8 locale and with ASCII (_.-=#) otherwise.
 *
 * List: wg_list is a scrollable table with a header row, a selected row, a
 * horizontal offset and `/` search. The pane keeps its rows; the list asks for
 * cells through a callback, so the pane's data never has to be copied:
 *
 *   static const wg_col cols[] = {{"pid", 7, WG_RIGHT}, {"state", 8, 0}, {"query", 0, 0}};
 *   static const char *cell(void *ctx, int row, int col, char *buf, size_t n) {...}
 *   wg_list_init(&p->list, cols, 3, cell, p);
 *   // data changed:   wg_list_set_count(&p->list, nrows);
 *   // in draw():      wg_list_draw(&p->list, win, 0, 0, rows, cols);
 *   // in on_key():    int r = wg_list_key(&p->list, p->app, ch, is_key); if (r) return r;
 *   // selected row:   p->list.sel (-1 when empty)
 *
 * Keys the list handles: Up/Down/k/j, PgUp/PgDn, Home/End/g/G, Left/Right
 * (horizontal scroll), `/` (search prompt on the message line, readline with
 * history), n / N (next / previous match). Search is a case-insensitive
 * substring over every column; matches are highlighted (TH_SEARCH_MATCH). */
#ifndef PGDECK_WIDGETS_H
#define PGDECK_WIDGETS_H

#include "ui/tui.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct app app;

/* ---- text ---------------------------------------------------------------- */

/* Draws s (NUL-terminated) at y,x, at most maxcols columns, with attr.
 * Returns the columns used. Never crashes on any bytes. */
int wg_text(WINDOW *w, int y, int x, const char *s, int maxcols, unsigned long attr);
/* Same for the first len bytes of s (may contain NUL bytes, shown as \x00). */
int wg_text_n(WINDOW *w, int y, int x, const char *s, size_t len, int maxcols, unsigned long attr);
/* Columns wg_text() would use for s without a limit. */
int wg_text_width(const char *s);

enum { WG_LEFT = 0, WG_RIGHT = 1, WG_CENTER = 2 };
/* Draws s in a field of exactly width columns (padded with spaces, clipped),
 * aligned WG_LEFT / WG_RIGHT / WG_CENTER. Returns width (0 when width <= 0). */
int wg_field(WINDOW *w, int y, int x, const char *s, int width, int align, unsigned long attr);
/* n spaces with attr (clipped to the window). */
void wg_fill(WINDOW *w, int y, int x, int n, unsigned long attr);

/* True when the locale is UTF-8 (blocks and box drawing are safe). */
bool wg_unicode(void);

/* ---- gauge and sparkline ------------------------------------------------- */

typedef struct wg_seg {
    double value;
    unsigned long attr; /* e.g. theme_attr(TH_GAUGE_USED) */
} wg_seg;

/* [|||||////      ] 3/8 : segments stacked left to right, scaled to max;
 * label (may be NULL) is drawn right-aligned inside the bar. */
void wg_gauge(WINDOW *w, int y, int x, int width, const wg_seg *segs, int nsegs, double max,
              const char *label, unsigned long frame_attr);

/* The last `width` values of vals[0..n) (oldest first), scaled to max (max <= 0:
 * the largest value shown). Missing history is blank. */
void wg_sparkline(WINDOW *w, int y, int x, int width, const double *vals, int n, double max,
                  unsigned long attr);

/* ---- scrollable list ----------------------------------------------------- */

enum { WG_FLEX = 1 << 2 }; /* column takes the remaining width (also when width == 0) */

typedef struct wg_col {
    const char *title;
    int width; /* columns; 0 = flexible */
    int flags; /* WG_RIGHT, WG_CENTER, WG_FLEX */
} wg_col;

/* The text of one cell. May return a constant or write into buf (size n) and
 * return buf. NULL draws nothing. */
typedef const char *(*wg_cell_fn)(void *ctx, int row, int col, char *buf, size_t n);
/* Optional: a row's attribute (0 = TH_NORMAL); the selected row is TH_SELECTED. */
typedef unsigned long (*wg_row_attr_fn)(void *ctx, int row);

typedef struct wg_list {
    const wg_col *cols;
    int ncols;
    wg_cell_fn cell;
    wg_row_attr_fn row_attr; /* may be NULL */
    void *ctx;
    int count;    /* rows */
    int sel;      /* selected row, -1 when count == 0 */
    int top;      /* first visible row */
    int hscroll;  /* columns scrolled to the right */
    int page;     /* visible data rows at the last draw */
    char *search; /* last search text (malloc'd) or NULL */
    bool no_header;
} wg_list;

void wg_list_init(wg_list *l, const wg_col *cols, int ncols, wg_cell_fn cell, void *ctx);
void wg_list_free(wg_list *l);
/* The number of rows changed (data refreshed): keeps sel and top in range. */
void wg_list_set_count(wg_list *l, int count);
void wg_list_select(wg_list *l, int row);
/* Draws header + rows into rows x cols at y,x of w. */
void wg_list_draw(wg_list *l, WINDOW *w, int y, int x, int rows, int cols);
/* Navigation and search keys; returns pane_result bits (0 when not a list key). */
int wg_list_key(wg_list *l, app *a, int ch, bool is_key);
/* Moves sel to the next (dir 1) or previous (dir -1) row matching the search;
 * false when nothing matches. */
bool wg_list_find(wg_list *l, int dir, bool include_current);

#endif
