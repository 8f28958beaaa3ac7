/* grid.c — see grid.h. */
#define _GNU_SOURCE 1
#include "ui/grid.h"

#include "common/json.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "ui/app.h"
#include "ui/widgets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

/* ---- sets ---------------------------------------------------------------- */

static grid_set *set_new(grid_set_kind kind, const char *title)
{
    grid_set *s = xcalloc(1, sizeof *s);
    s->kind = kind;
    s->title = xstrdup(title ? title : "");
    s->match_row = -1;
    return s;
}

static void set_free(grid_set *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nchunks; i++)
        eng_result_free(s->chunks[i]);
    free(s->chunks);
    free(s->chunk_start);
    for (int c = 0; c < s->ncols; c++)
        free(s->colnames[c]);
    free(s->colnames);
    free(s->kinds);
    free(s->maxw);
    free(s->expanded);
    for (int i = 0; i < s->nlines; i++)
        free(s->lines[i].text);
    free(s->lines);
    free(s->title);
    free(s);
}

static grid_set *add_set(grid *g, grid_set *s)
{
    g->sets = xrealloc(g->sets, (size_t)(g->nsets + 1) * sizeof *g->sets);
    g->sets[g->nsets++] = s;
    return s;
}

void grid_init(grid *g, app *a, const char *null_marker)
{
    memset(g, 0, sizeof *g);
    g->a = a;
    g->null_marker = xstrdup(null_marker && *null_marker ? null_marker : "NULL");
    add_set(g, set_new(GS_TEXT, "Messages"));
}

void grid_free(grid *g)
{
    for (int i = 0; i < g->nsets; i++)
        set_free(g->sets[i]);
    free(g->sets);
    free(g->search);
    free(g->null_marker);
    memset(g, 0, sizeof *g);
}

void grid_clear(grid *g)
{
    for (int i = 0; i < g->nsets; i++)
        set_free(g->sets[i]);
    g->nsets = 0;
    g->cur = 0;
    add_set(g, set_new(GS_TEXT, "Messages"));
}

const char *grid_cell(const grid_set *s, long row, int col, bool *isnull, int *len)
{
    /* binary search of the chunk holding row */
    int lo = 0, hi = s->nchunks - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (s->chunk_start[mid] <= row)
            lo = mid;
        else
            hi = mid - 1;
    }
    const eng_result *r = s->chunks[lo];
    int rr = (int)(row - s->chunk_start[lo]);
    *isnull = eng_result_isnull(r, rr, col);
    if (len)
        *len = eng_result_length(r, rr, col);
    return eng_result_value(r, rr, col);
}

static void measure(grid_set *s, const eng_result *r)
{
    int n = eng_result_nrows(r);
    for (int c = 0; c < s->ncols; c++) {
        int w = s->maxw[c];
        for (int i = 0; i < n && w < GRID_MAX_WIDTH; i++) {
            int len = eng_result_length(r, i, c);
            if (len <= w)
                continue; /* a character is at least one byte wide... */
            const char *v = eng_result_value(r, i, c);
            /* ...and escapes make it wider only for invalid bytes: measure */
            int cw = len > GRID_MAX_WIDTH * 4 ? GRID_MAX_WIDTH : wg_text_width(v);
            if (cw > w)
                w = cw > GRID_MAX_WIDTH ? GRID_MAX_WIDTH : cw;
        }
        s->maxw[c] = w;
    }
}

int grid_add_result(grid *g, eng_result *r, const char *title)
{
    eng_res_status st = eng_result_status(r);
    if (st != ENG_RES_TUPLES && st != ENG_RES_ROWS_PARTIAL) {
        eng_result_free(r);
        return -1;
    }
    grid_set *s = g->nsets > 1 ? g->sets[g->nsets - 1] : NULL;
    if (!s || s->kind != GS_TABLE || s->complete || s->ncols != eng_result_ncols(r)) {
        if (s && s->kind == GS_TABLE)
            s->complete = true;
        s = add_set(g, set_new(GS_TABLE, title));
        s->ncols = eng_result_ncols(r);
        s->colnames = xcalloc((size_t)s->ncols + 1, sizeof *s->colnames);
        s->kinds = xcalloc((size_t)s->ncols + 1, sizeof *s->kinds);
        s->maxw = xcalloc((size_t)s->ncols + 1, sizeof *s->maxw);
        s->expanded = xcalloc((size_t)s->ncols + 1, sizeof *s->expanded);
        for (int c = 0; c < s->ncols; c++) {
            const char *name = eng_result_colname(r, c);
            s->colnames[c] = xstrdup(name ? name : "?column?");
            s->kinds[c] = eng_result_colkind(r, c);
            s->maxw[c] = wg_text_width(s->colnames[c]);
            if (s->maxw[c] > GRID_MAX_WIDTH)
                s->maxw[c] = GRID_MAX_WIDTH;
        }
    }
    if (eng_result_nrows(r) > 0) {
        if (s->nchunks == s->chunk_cap) {
            s->chunk_cap = s->chunk_cap ? s->chunk_cap * 2 : 16;
            s->chunks = xrealloc(s->chunks, (size_t)s->chunk_cap * sizeof *s->chunks);
            s->chunk_start =
                xrealloc(s->chunk_start, (size_t)s->chunk_cap * sizeof *s->chunk_start);
        }
        measure(s, r);
        s->chunks[s->nchunks] = r;
        s->chunk_start[s->nchunks] = s->nrows;
        s->nchunks++;
        s->nrows += eng_result_nrows(r);
    } else {
        eng_result_free(r);
    }
    if (st == ENG_RES_TUPLES)
        s->complete = true;
    return g->nsets - 1;
}

void grid_end_table(grid *g)
{
    grid_set *s = g->nsets > 1 ? g->sets[g->nsets - 1] : NULL;
    if (s && s->kind == GS_TABLE)
        s->complete = true;
}

static void log_line(grid *g, theme_element el, const char *text)
{
    grid_set *s = g->sets[0];
    /* one entry per line: the log scrolls by lines */
    const char *p = text;
    do {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (s->nlines == s->lines_cap) {
            s->lines_cap = s->lines_cap ? s->lines_cap * 2 : 32;
            s->lines = xrealloc(s->lines, (size_t)s->lines_cap * sizeof *s->lines);
        }
        s->lines[s->nlines].text = xstrndup(p, n);
        s->lines[s->nlines].el = el;
        s->nlines++;
        p = nl ? nl + 1 : NULL;
    } while (p);
}

void grid_log(grid *g, theme_element el, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    if (text)
        log_line(g, el, text);
    free(text);
}

/* The byte offset of the pos'th character (1-based) of s. */
static size_t char_to_byte(const char *s, size_t len, int pos)
{
    size_t off = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 1; i < pos && off < len; i++) {
        size_t r = mbrlen(s + off, len - off, &st);
        if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
            memset(&st, 0, sizeof st);
            r = 1;
        }
        off += r;
    }
    return off > len ? len : off;
}

void grid_log_error(grid *g, const eng_error *err, const char *stmt, size_t stmt_len)
{
    grid_log(g, TH_BAD, "%s:  %s%s%s%s", err->severity ? err->severity : "ERROR", err->message,
             err->sqlstate ? "  (" : "", err->sqlstate ? err->sqlstate : "",
             err->sqlstate ? ")" : "");
    if (err->detail)
        grid_log(g, TH_NORMAL, "DETAIL:  %s", err->detail);
    if (err->hint)
        grid_log(g, TH_NORMAL, "HINT:  %s", err->hint);
    if (err->context)
        grid_log(g, TH_DIM, "CONTEXT:  %s", err->context);
    if (stmt && err->position > 0) {
        size_t at = char_to_byte(stmt, stmt_len, err->position);
        size_t ls = at;
        while (ls > 0 && stmt[ls - 1] != '\n')
            ls--;
        size_t le = at;
        while (le < stmt_len && stmt[le] != '\n')
            le++;
        int line = 1;
        for (size_t i = 0; i < ls; i++)
            if (stmt[i] == '\n')
                line++;
        char *prefix = xasprintf("LINE %d: ", line);
        char *text = xstrndup(stmt + ls, le - ls);
        char *before = xstrndup(stmt + ls, at - ls);
        int caret = (int)strlen(prefix) + wg_text_width(before);
        grid_log(g, TH_NORMAL, "%s%s", prefix, text);
        char *pad = xmalloc((size_t)caret + 2);
        memset(pad, ' ', (size_t)caret);
        pad[caret] = '^';
        pad[caret + 1] = '\0';
        grid_log(g, TH_ERROR_MARK, "%s", pad);
        free(pad);
        free(before);
        free(text);
        free(prefix);
    }
}

void grid_show(grid *g, int set)
{
    if (set < 0 || set >= g->nsets)
        set = g->nsets - 1;
    g->cur = set;
    grid_set *s = g->sets[set];
    if (s->kind == GS_TEXT && g->page > 0 && s->nlines > g->page)
        s->text_top = s->nlines - g->page; /* the newest lines */
}

int grid_first_table(const grid *g)
{
    for (int i = 1; i < g->nsets; i++)
        if (g->sets[i]->kind == GS_TABLE)
            return i;
    return -1;
}

long grid_total_rows(const grid *g)
{
    long n = 0;
    for (int i = 1; i < g->nsets; i++)
        n += g->sets[i]->nrows;
    return n;
}

#define GRID_MAX_VISIBLE 512

/* ---- drawing ------------------------------------------------------------- */

static int col_width(const grid_set *s, int c, int cols)
{
    int w = s->maxw[c];
    /* one column (EXPLAIN's QUERY PLAN): nothing to make room for */
    if (!s->expanded[c] && s->ncols > 1 && w > GRID_WIDTH_CAP)
        w = GRID_WIDTH_CAP;
    if (w > cols - 2)
        w = cols - 2;
    return w < 1 ? 1 : w;
}

static const char *sep(void)
{
    return wg_unicode() ? " \u2502 " : " | ";
}
#define SEPW 3

/* Draws the search term's first occurrence in v over a cell drawn at x
 * (the text starting `off` columns in), in the match colour. */
static void mark_match(const grid *g, WINDOW *w, int y, int x, int width, int off, const char *v,
                       int len)
{
    if (!g->search || !*g->search || (int)strlen(v) != len)
        return; /* a value with NUL bytes is drawn escaped: no overlay */
    const char *m = strcasestr(v, g->search);
    if (!m)
        return;
    char *before = xstrndup(v, (size_t)(m - v));
    int bx = off + wg_text_width(before);
    free(before);
    if (bx >= width)
        return;
    wg_text_n(w, y, x + bx, m, strlen(g->search), width - bx, theme_attr(TH_SEARCH_MATCH));
}

static void draw_cell(grid *g, grid_set *s, WINDOW *w, int y, int x, int width, long row, int c,
                      bool selected)
{
    bool isnull;
    int len;
    const char *v = grid_cell(s, row, c, &isnull, &len);
    unsigned long attr = selected ? theme_attr(TH_SELECTED) : theme_attr(TH_NORMAL);
    if (isnull) {
        unsigned long na = selected ? attr : theme_attr(TH_GRID_NULL);
        wg_field(w, y, x, g->null_marker, width, WG_LEFT, na);
        return;
    }
    if (s->kinds[c] == ENG_COL_NUMBER) {
        wg_field(w, y, x, v, width, WG_RIGHT, selected ? attr : theme_attr(TH_GRID_NUMBER));
        int tw = wg_text_width(v);
        mark_match(g, w, y, x, width, tw < width ? width - tw : 0, v, len);
        return;
    }
    wg_fill(w, y, x, width, attr);
    wg_text_n(w, y, x, v, (size_t)len, width, attr);
    mark_match(g, w, y, x, width, 0, v, len);
}

/* The columns shown: frozen ones, then from leftcol. Returns how many. */
static int visible_cols(const grid_set *s, int cols, int *which, int *widths)
{
    int n = 0, used = 0;
    for (int c = 0; c < s->frozen && c < s->ncols && n < GRID_MAX_VISIBLE; c++) {
        int cw = col_width(s, c, cols);
        if (n > 0 && used + cw > cols)
            break;
        which[n] = c;
        widths[n++] = cw;
        used += cw + SEPW;
    }
    for (int c = s->leftcol < s->frozen ? s->frozen : s->leftcol; c < s->ncols; c++) {
        if (used >= cols || n >= GRID_MAX_VISIBLE)
            break;
        int cw = col_width(s, c, cols);
        which[n] = c;
        widths[n++] = used + cw > cols ? cols - used : cw;
        used += cw + SEPW;
    }
    return n;
}

static void keep_col_visible(grid_set *s, int cols)
{
    if (s->curcol < s->frozen)
        return;
    if (s->leftcol < s->frozen)
        s->leftcol = s->frozen;
    if (s->curcol < s->leftcol) {
        s->leftcol = s->curcol;
        return;
    }
    for (int guard = 0; guard < s->ncols; guard++) {
        int used = 0;
        for (int c = 0; c < s->frozen; c++)
            used += col_width(s, c, cols) + SEPW;
        bool fits = false;
        for (int c = s->leftcol; c < s->ncols; c++) {
            used += col_width(s, c, cols);
            if (c == s->curcol) {
                fits = used <= cols || c == s->leftcol;
                break;
            }
            used += SEPW;
        }
        if (fits)
            return;
        s->leftcol++;
    }
}

static void draw_record(grid *g, grid_set *s, WINDOW *w, int y, int x, int rows, int cols)
{
    int namew = 0;
    for (int c = 0; c < s->ncols; c++) {
        int nw = wg_text_width(s->colnames[c]);
        if (nw > namew)
            namew = nw;
    }
    if (namew > cols / 3)
        namew = cols / 3;
    if (s->rec_top > s->ncols - 1)
        s->rec_top = s->ncols > 0 ? s->ncols - 1 : 0;
    for (int i = 0; i < rows && s->rec_top + i < s->ncols; i++) {
        int c = s->rec_top + i;
        wg_field(w, y + i, x, s->colnames[c], namew, WG_LEFT, theme_attr(TH_GRID_HEADER));
        wg_text(w, y + i, x + namew, sep(), cols - namew, theme_attr(TH_DIM));
        bool isnull;
        int len;
        const char *v = grid_cell(s, s->cur, c, &isnull, &len);
        int vx = x + namew + SEPW;
        if (isnull)
            wg_text(w, y + i, vx, g->null_marker, cols - namew - SEPW, theme_attr(TH_GRID_NULL));
        else
            wg_text_n(w, y + i, vx, v, (size_t)len, cols - namew - SEPW,
                      s->kinds[c] == ENG_COL_NUMBER ? theme_attr(TH_GRID_NUMBER)
                                                    : theme_attr(TH_NORMAL));
    }
}

/* The position at the right end of the title line, when it fits after the
 * title; otherwise over the title's end (the position matters more). */
static void draw_position(WINDOW *w, int y, int x, int cols, int title_w, const char *pos,
                          unsigned long attr)
{
    int pw = wg_text_width(pos);
    if (pw >= cols)
        return;
    int px = cols - pw;
    if (px < title_w + 1 && title_w + 1 + pw <= cols)
        px = title_w + 1;
    wg_text(w, y, x + px, pos, pw, attr);
}

void grid_draw(grid *g, WINDOW *w, int y, int x, int rows, int cols)
{
    g->width = cols;
    if (rows <= 0 || cols <= 0)
        return;
    if (g->cur >= g->nsets)
        g->cur = 0;
    grid_set *s = g->sets[g->cur];
    /* title line: which set, how many */
    char title[256];
    if (s->kind == GS_TABLE)
        snprintf(title, sizeof title, " [%d/%d] %s: %ld row%s%s%s", g->cur, g->nsets - 1, s->title,
                 s->nrows, s->nrows == 1 ? "" : "s", s->complete ? "" : " (arriving...)",
                 s->record ? "  record view" : "");
    else
        snprintf(title, sizeof title, " %s (%d result set%s: [ ] to switch)", s->title,
                 g->nsets - 1, g->nsets - 1 == 1 ? "" : "s");
    unsigned long tattr = theme_attr(g->focused ? TH_TITLE : TH_LABEL);
    wg_field(w, y, x, title, cols, WG_LEFT, tattr);
    int title_y = y, title_x = x, title_cols = cols, title_w = wg_text_width(title);
    y++;
    rows--;
    if (rows <= 0)
        return;
    if (s->kind == GS_TEXT) {
        g->page = rows;
        /* never past the last line: the last page is full */
        if (s->text_top > s->nlines - rows)
            s->text_top = s->nlines - rows;
        if (s->text_top < 0)
            s->text_top = 0;
        if (s->nlines > rows) {
            char pos[64];
            snprintf(pos, sizeof pos, "lines %d-%d of %d ", s->text_top + 1,
                     s->text_top + rows < s->nlines ? s->text_top + rows : s->nlines, s->nlines);
            draw_position(w, title_y, title_x, title_cols, title_w, pos, tattr);
        }
        for (int i = 0; i < rows && s->text_top + i < s->nlines; i++) {
            const grid_line *l = &s->lines[s->text_top + i];
            wg_text(w, y + i, x, l->text, cols, theme_attr(l->el));
        }
        return;
    }
    if (s->record) {
        g->page = rows;
        if (s->nrows > 0) {
            draw_record(g, s, w, y, x, rows, cols);
            char pos[64];
            snprintf(pos, sizeof pos, "row %ld of %ld ", s->cur + 1, s->nrows);
            draw_position(w, title_y, title_x, title_cols, title_w, pos, tattr);
        }
        return;
    }
    /* header */
    int which[GRID_MAX_VISIBLE], widths[GRID_MAX_VISIBLE];
    /* one blank column of margin on the left */
    x++;
    cols--;
    if (cols <= 0)
        return;
    keep_col_visible(s, cols);
    int n = visible_cols(s, cols, which, widths);
    int cx = x;
    for (int i = 0; i < n; i++) {
        unsigned long ha = theme_attr(TH_GRID_HEADER);
        if (which[i] == s->curcol && g->focused)
            ha |= A_REVERSE;
        wg_field(w, y, cx, s->colnames[which[i]], widths[i],
                 s->kinds[which[i]] == ENG_COL_NUMBER ? WG_RIGHT : WG_LEFT, ha);
        cx += widths[i];
        if (cx < x + cols)
            cx += wg_text(w, y, cx, sep(), x + cols - cx, theme_attr(TH_DIM));
    }
    y++;
    rows--;
    g->page = rows > 0 ? rows : 1;
    if (s->cur >= s->nrows)
        s->cur = s->nrows - 1;
    if (s->cur < 0)
        s->cur = 0;
    if (s->cur < s->top)
        s->top = s->cur;
    if (s->cur >= s->top + g->page)
        s->top = s->cur - g->page + 1;
    /* never past the last row: the last page is full (PgDn, End) */
    if (s->top > s->nrows - g->page)
        s->top = s->nrows - g->page;
    if (s->top < 0)
        s->top = 0;
    if (s->nrows > 0) {
        /* pspg's position: row, percent, the columns shown */
        int first = n > 0 ? which[0] : 0, last = n > 0 ? which[n - 1] : 0;
        for (int i = 0; i < n; i++)
            if (which[i] >= s->frozen) {
                first = which[i];
                break;
            }
        char pos[128];
        int pct = (int)((s->cur + 1) * 100 / s->nrows);
        if (title_cols - title_w >= 44)
            snprintf(pos, sizeof pos, "row %ld of %ld  %d%%  cols %d-%d of %d ", s->cur + 1,
                     s->nrows, pct, first + 1, last + 1, s->ncols);
        else
            snprintf(pos, sizeof pos, "%ld/%ld %d%% c%d-%d/%d ", s->cur + 1, s->nrows, pct,
                     first + 1, last + 1, s->ncols);
        draw_position(w, title_y, title_x, title_cols, title_w, pos, tattr);
    }
    for (int r = 0; r < rows && s->top + r < s->nrows; r++) {
        long row = s->top + r;
        bool selected = g->focused && row == s->cur;
        cx = x;
        for (int i = 0; i < n; i++) {
            draw_cell(g, s, w, y + r, cx, widths[i], row, which[i], selected);
            cx += widths[i];
            if (cx < x + cols)
                cx += wg_text(w, y + r, cx, sep(), x + cols - cx,
                              theme_attr(selected ? TH_SELECTED : TH_DIM));
        }
    }
}

/* ---- search -------------------------------------------------------------- */

static bool row_match(const grid_set *s, long row, const char *needle, int *col)
{
    for (int c = 0; c < s->ncols; c++) {
        bool isnull;
        const char *v = grid_cell(s, row, c, &isnull, NULL);
        if (!isnull && strcasestr(v, needle)) {
            *col = c;
            return true;
        }
    }
    return false;
}

/* Finds the next match from the current row (or line); *wrapped tells when
 * it went past the end (or the start) to get there. */
static bool grid_find(grid *g, int dir, bool include_current, bool *wrapped)
{
    grid_set *s = g->sets[g->cur];
    *wrapped = false;
    if (!g->search || !*g->search)
        return false;
    if (s->kind == GS_TEXT) {
        for (int k = include_current ? 0 : 1; k <= s->nlines; k++) {
            int at = s->text_top + dir * k;
            int i = (at % s->nlines + s->nlines) % s->nlines;
            if (strcasestr(s->lines[i].text, g->search)) {
                *wrapped = k > 0 && (at >= s->nlines || at < 0);
                s->text_top = i;
                return true;
            }
        }
        return false;
    }
    if (s->nrows == 0)
        return false;
    for (long k = include_current ? 0 : 1; k <= s->nrows; k++) {
        long at = s->cur + dir * k;
        long row = (at % s->nrows + s->nrows) % s->nrows;
        int col;
        if (row_match(s, row, g->search, &col)) {
            *wrapped = k > 0 && (at >= s->nrows || at < 0);
            s->cur = row;
            s->match_row = row;
            s->match_col = col;
            s->curcol = col;
            return true;
        }
    }
    s->match_row = -1;
    return false;
}

/* Searches and says what happened: not found, or wrapped around. */
static void find_and_say(grid *g, int dir, bool include_current)
{
    bool wrapped;
    if (!grid_find(g, dir, include_current, &wrapped))
        app_message(g->a, MSG_WARN, "Not found: %s", g->search);
    else if (wrapped)
        app_message(g->a, MSG_INFO, "search wrapped: %s (continuing at the %s)", g->search,
                    dir > 0 ? "top" : "bottom");
}

static void search_done(void *ctx, const char *answer)
{
    grid *g = ctx;
    if (!answer)
        return;
    if (!*answer) /* an empty answer keeps the last search (n / N repeat it) */
        return;
    free(g->search);
    g->search = xstrdup(answer);
    find_and_say(g, 1, true);
}

/* ---- export -------------------------------------------------------------- */

grid_format grid_format_for_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".tsv") == 0)
        return GRID_TSV;
    if (dot && strcasecmp(dot, ".json") == 0)
        return GRID_JSON;
    return GRID_CSV;
}

static void csv_field(strbuf *sb, const char *v, int len, bool isnull)
{
    if (isnull)
        return; /* empty unquoted: NULL; "" is the empty string */
    bool quote = len == 0;
    for (int i = 0; i < len && !quote; i++)
        if (v[i] == ',' || v[i] == '"' || v[i] == '\n' || v[i] == '\r')
            quote = true;
    if (!quote) {
        sb_append_n(sb, v, (size_t)len);
        return;
    }
    sb_append_c(sb, '"');
    for (int i = 0; i < len; i++) {
        if (v[i] == '"')
            sb_append_c(sb, '"');
        sb_append_c(sb, v[i]);
    }
    sb_append_c(sb, '"');
}

static void tsv_field(strbuf *sb, const char *v, int len, bool isnull)
{
    if (isnull) {
        sb_append(sb, "\\N"); /* COPY's text format */
        return;
    }
    for (int i = 0; i < len; i++) {
        switch (v[i]) {
        case '\t':
            sb_append(sb, "\\t");
            break;
        case '\n':
            sb_append(sb, "\\n");
            break;
        case '\r':
            sb_append(sb, "\\r");
            break;
        case '\\':
            sb_append(sb, "\\\\");
            break;
        default:
            sb_append_c(sb, v[i]);
        }
    }
}

static bool flush_out(int fd, strbuf *sb)
{
    const char *p = sb->data;
    size_t left = sb->len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += w;
        left -= (size_t)w;
    }
    sb_reset(sb);
    return true;
}

bool grid_export(const grid *g, const char *path, grid_format fmt, long *rows, char **err)
{
    const grid_set *s = g->sets[g->cur];
    if (s->kind != GS_TABLE) {
        int t = grid_first_table(g);
        if (t < 0) {
            *err = xstrdup("no result with rows to export");
            return false;
        }
        s = g->sets[t];
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        *err = xasprintf("%s: %s", path, strerror(errno));
        return false;
    }
    strbuf sb;
    sb_init(&sb);
    bool ok = true;
    const char *fsep = fmt == GRID_TSV ? "\t" : ",";
    if (fmt == GRID_JSON) {
        sb_append(&sb, "[");
    } else {
        for (int c = 0; c < s->ncols; c++) {
            if (c)
                sb_append(&sb, fsep);
            if (fmt == GRID_CSV)
                csv_field(&sb, s->colnames[c], (int)strlen(s->colnames[c]), false);
            else
                tsv_field(&sb, s->colnames[c], (int)strlen(s->colnames[c]), false);
        }
        sb_append_c(&sb, '\n');
    }
    for (long r = 0; r < s->nrows && ok; r++) {
        if (fmt == GRID_JSON)
            sb_append(&sb, r ? ",\n {" : "\n {");
        for (int c = 0; c < s->ncols; c++) {
            bool isnull;
            int len;
            const char *v = grid_cell(s, r, c, &isnull, &len);
            if (fmt == GRID_JSON) {
                if (c)
                    sb_append(&sb, ", ");
                json_append_string(&sb, s->colnames[c], strlen(s->colnames[c]));
                sb_append(&sb, ": ");
                if (isnull)
                    sb_append(&sb, "null");
                else if ((s->kinds[c] == ENG_COL_NUMBER && json_number_ok(v)) ||
                         s->kinds[c] == ENG_COL_JSON)
                    sb_append_n(&sb, v, (size_t)len);
                else if (s->kinds[c] == ENG_COL_BOOL)
                    sb_append(&sb, v[0] == 't' ? "true" : "false");
                else
                    json_append_string(&sb, v, (size_t)len);
            } else {
                if (c)
                    sb_append(&sb, fsep);
                if (fmt == GRID_CSV)
                    csv_field(&sb, v, len, isnull);
                else
                    tsv_field(&sb, v, len, isnull);
            }
        }
        sb_append(&sb, fmt == GRID_JSON ? "}" : "\n");
        if (sb.len > 1 << 16)
            ok = flush_out(fd, &sb);
    }
    if (fmt == GRID_JSON)
        sb_append(&sb, "\n]\n");
    if (ok)
        ok = flush_out(fd, &sb);
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    sb_free(&sb);
    if (!ok) {
        *err = xasprintf("%s: %s", path, strerror(saved));
        return false;
    }
    *rows = s->nrows;
    return true;
}

static void export_done(void *ctx, const char *answer)
{
    grid *g = ctx;
    if (!answer || !*answer)
        return;
    char *err = NULL;
    long rows = 0;
    grid_format fmt = grid_format_for_path(answer);
    if (grid_export(g, answer, fmt, &rows, &err)) {
        app_message(g->a, MSG_INFO, "Exported %ld rows to %s (%s)", rows, answer,
                    fmt == GRID_TSV    ? "TSV"
                    : fmt == GRID_JSON ? "JSON"
                                       : "CSV");
    } else {
        app_message(g->a, MSG_ERROR, "Export failed: %s", err);
        free(err);
    }
}

/* ---- keys ---------------------------------------------------------------- */

int grid_key(grid *g, pane *p, int ch, bool is_key)
{
    (void)p;
    grid_set *s = g->sets[g->cur];
    long page = g->page > 1 ? g->page - 1 : 1;
    int k = is_key ? -ch : ch; /* KEY_* codes negative: no clash with characters */
    if (k == '[' || k == ']') {
        int n = g->nsets;
        g->cur = (g->cur + (k == ']' ? 1 : n - 1)) % n;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (k == '/') {
        /* empty, as in less and pspg: Up brings back the last term (history) */
        app_prompt_ctx(g->a, "/", "", "search", false, search_done, g);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (k == 'n' || k == 'N') {
        if (!g->search) {
            app_message(g->a, MSG_INFO, "No search yet: / searches");
            return PANE_HANDLED;
        }
        find_and_say(g, k == 'n' ? 1 : -1, false);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (k == 'x') {
        app_prompt_ctx(g->a, "Export to (.csv .tsv .json): ", "", "export", true, export_done, g);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (s->kind == GS_TEXT) {
        int top = s->text_top;
        if (k == -KEY_UP || k == 'k')
            top--;
        else if (k == -KEY_DOWN || k == 'j')
            top++;
        else if (k == -KEY_PPAGE)
            top -= (int)page;
        else if (k == -KEY_NPAGE || k == ' ')
            top += (int)page;
        else if (k == -KEY_HOME || k == 'g')
            top = 0;
        else if (k == -KEY_END || k == 'G')
            top = s->nlines - g->page;
        else
            return PANE_IGNORED;
        if (top > s->nlines - g->page) /* the last page stays full */
            top = s->nlines - g->page;
        s->text_top = top < 0 ? 0 : top;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (s->record) {
        if (k == -KEY_UP || k == 'k')
            s->rec_top = s->rec_top > 0 ? s->rec_top - 1 : 0;
        else if (k == -KEY_DOWN || k == 'j')
            s->rec_top++;
        else if (k == -KEY_LEFT || k == 'h' || k == -KEY_PPAGE)
            s->cur = s->cur > 0 ? s->cur - 1 : 0;
        else if (k == -KEY_RIGHT || k == 'l' || k == -KEY_NPAGE)
            s->cur = s->cur + 1 < s->nrows ? s->cur + 1 : s->cur;
        else if (k == 'r' || k == '\n' || k == -KEY_ENTER || k == 27)
            s->record = false;
        else
            return PANE_IGNORED;
        return PANE_HANDLED | PANE_REDRAW;
    }
    switch (k) {
    case -KEY_UP:
    case 'k':
        s->cur--;
        break;
    case -KEY_DOWN:
    case 'j':
        s->cur++;
        break;
    case -KEY_PPAGE:
        s->cur -= page;
        s->top -= page;
        break;
    case -KEY_NPAGE:
    case ' ':
        s->cur += page;
        s->top += page;
        break;
    case -KEY_HOME:
    case 'g':
        s->cur = 0;
        break;
    case -KEY_END:
    case 'G':
        s->cur = s->nrows - 1;
        break;
    case -KEY_LEFT:
    case 'h':
        if (s->curcol > 0)
            s->curcol--;
        break;
    case -KEY_RIGHT:
    case 'l':
        if (s->curcol + 1 < s->ncols)
            s->curcol++;
        break;
    case '0':
        s->curcol = 0;
        break;
    case '$':
        s->curcol = s->ncols > 0 ? s->ncols - 1 : 0;
        break;
    case 'e':
        if (s->ncols > 0)
            s->expanded[s->curcol] = !s->expanded[s->curcol];
        break;
    case 'f':
        /* freeze the columns up to the current one; again: unfreeze */
        s->frozen = s->frozen ? 0 : s->curcol + 1;
        if (s->frozen >= s->ncols)
            s->frozen = s->ncols > 1 ? s->ncols - 1 : 0;
        s->leftcol = s->frozen;
        break;
    case 'r':
    case '\n':
    case -KEY_ENTER:
        if (s->nrows > 0) {
            s->record = true;
            s->rec_top = 0;
        }
        break;
    default:
        return PANE_IGNORED;
    }
    if (s->cur >= s->nrows)
        s->cur = s->nrows - 1;
    if (s->cur < 0)
        s->cur = 0;
    if (s->top > s->cur)
        s->top = s->cur;
    if (s->top < 0)
        s->top = 0;
    return PANE_HANDLED | PANE_REDRAW;
}

bool grid_in_record_view(const grid *g)
{
    return g->nsets > 0 && g->cur >= 0 && g->cur < g->nsets && g->sets[g->cur]->record;
}
