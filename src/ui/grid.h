/* grid.h — the editor's result grid (pspg-style).
 *
 * A run produces several "sets": set 0 is the run's message log (command
 * tags, notices, errors with detail/hint and the error position marked under
 * the statement, pipeline outcomes); each result with rows is a table set.
 * '[' and ']' move between sets.
 *
 * Tables keep the engine's result batches as they arrive (streaming: rows
 * are drawn while more arrive; the memory is the batches themselves, bounded
 * by the run's row cap). Header row frozen; optionally frozen first columns
 * ('f'); scrolling by line, page and column; widths from content up to a cap,
 * 'e' expands the current column; NULL drawn with the configured marker in
 * its own colour, distinct from ''; numbers right-aligned; '/', 'n', 'N'
 * search; 'r' or Enter a record view (one column per line); 'x' exports the
 * current table to CSV, TSV or JSON (by the file name's extension). */
#ifndef PGDECK_GRID_H
#define PGDECK_GRID_H

#include "engine/engine.h"
#include "ui/pane.h"
#include "ui/theme.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct grid_line {
    char *text;
    theme_element el;
} grid_line;

typedef enum grid_set_kind { GS_TEXT, GS_TABLE } grid_set_kind;

typedef struct grid_set {
    grid_set_kind kind;
    char *title;
    /* table */
    eng_result **chunks;
    long *chunk_start; /* first row of each chunk */
    int nchunks, chunk_cap;
    long nrows;
    int ncols;
    char **colnames;
    eng_col_kind *kinds;
    int *maxw;      /* widest content seen (columns), capped at GRID_MAX_WIDTH */
    bool *expanded; /* the 'e' key: no width cap */
    bool complete;  /* the last batch arrived */
    /* text */
    grid_line *lines;
    int nlines, lines_cap;
    /* view */
    long top, cur; /* first visible row, current row */
    int curcol, leftcol, frozen;
    bool record; /* record view */
    int rec_top; /* first line shown in the record view */
    int text_top;
    long match_row; /* last search match, -1 none */
    int match_col;
} grid_set;

#define GRID_WIDTH_CAP 40
#define GRID_MAX_WIDTH 1000

typedef struct grid {
    app *a;
    grid_set **sets;
    int nsets, cur;
    char *search;
    char *null_marker;
    int page;  /* data rows visible at the last draw */
    int width; /* columns at the last draw */
    bool focused;
} grid;

void grid_init(grid *g, app *a, const char *null_marker);
void grid_free(grid *g);
/* Drops every set (a new run); set 0, the message log, is made again. */
void grid_clear(grid *g);
/* Takes a result (owned by the grid from now on). Rows go to the open table
 * set (streaming batches append) or a new one; a TUPLES result completes it.
 * Other kinds are freed (the caller logs them). Returns the set's index. */
int grid_add_result(grid *g, eng_result *r, const char *title);
/* Closes the open table set (its last batch arrived). */
void grid_end_table(grid *g);
/* One line in the message log (set 0). */
void grid_log(grid *g, theme_element el, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Logs an error: message, detail, hint, context, and when pos_stmt is given
 * the statement's line holding the position with a caret under it. */
void grid_log_error(grid *g, const eng_error *err, const char *stmt, size_t stmt_len);
void grid_show(grid *g, int set); /* make a set current; -1: the last one */
int grid_first_table(const grid *g);
long grid_total_rows(const grid *g);

void grid_draw(grid *g, WINDOW *w, int y, int x, int rows, int cols);
/* Navigation, search, record view, export keys; pane_result bits. */
int grid_key(grid *g, pane *p, int ch, bool is_key);
/* True while the current set shows the record view (Esc leaves it). */
bool grid_in_record_view(const grid *g);

typedef enum grid_format { GRID_CSV, GRID_TSV, GRID_JSON } grid_format;
grid_format grid_format_for_path(const char *path);
/* Writes the current table set; false with *err (malloc'd). */
bool grid_export(const grid *g, const char *path, grid_format fmt, long *rows, char **err);

/* Cell access for a table set. */
const char *grid_cell(const grid_set *s, long row, int col, bool *isnull, int *len);

#endif
