/* widgets.c — safe text, gauge, sparkline and the shared list. */
#include "ui/widgets.h"
#include "ui/app.h"
#include "ui/pane.h"
#include "ui/theme.h"
#include "common/termsafe.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

/* ---- text ---------------------------------------------------------------- */

#define MAX_COMBINING 4 /* per base cell; ncurses keeps a few, we keep fewer */

static size_t put_escape(wchar_t *out, size_t n, unsigned char b)
{
    static const char hex[] = "0123456789abcdef";
    if (out) {
        out[n] = L'\\';
        out[n + 1] = L'x';
        out[n + 2] = (wchar_t)hex[b >> 4];
        out[n + 3] = (wchar_t)hex[b & 15];
    }
    return n + 4;
}

/* Lays s out for at most maxcols columns (maxcols < 0: no limit). Writes the
 * wide characters to out (when not NULL; room for 5 per column + 8) and
 * returns the columns used. The escapes are split when only part fits. */
static int layout(const char *s, size_t len, int maxcols, wchar_t *out, size_t *nout)
{
    int used = 0, combining = 0;
    size_t n = 0, i = 0;
    bool have_base = false;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (i < len && (maxcols < 0 || used < maxcols)) {
        unsigned char b = (unsigned char)s[i];
        wchar_t wc;
        size_t r;
        if (b < 0x80) {
            wc = (wchar_t)b;
            r = 1;
        } else {
            r = mbrtowc(&wc, s + i, len - i, &st);
            if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
                memset(&st, 0, sizeof st);
                r = 0; /* escape one byte below */
            }
        }
        int cw = r ? wcwidth(wc) : -1;
        if (r && (wc == L'\t' || wc == L'\n' || wc == L'\r')) {
            wc = L' ';
            cw = 1;
        }
        if (r && term_classify_cp((uint32_t)wc) == TS_BIDI) {
            /* shown as <U+202E> (termsafe.h): text cannot disguise itself */
            char esc[16];
            int k = snprintf(esc, sizeof esc, "<U+%04X>", (unsigned)wc);
            for (int e = 0; e < k && (maxcols < 0 || used < maxcols); e++) {
                if (out)
                    out[n] = (wchar_t)esc[e];
                n++;
                used++;
            }
            i += r;
            have_base = true;
            combining = 0;
            continue;
        }
        if (r && cw == 0 && have_base && combining < MAX_COMBINING) {
            if (out)
                out[n] = wc;
            n++;
            combining++;
            i += r;
            continue;
        }
        if (!r || cw <= 0) {
            /* invalid byte(s), control or unprintable characters, lone combining mark */
            size_t nb = r ? r : 1;
            for (size_t k = 0; k < nb; k++) {
                wchar_t tmp[4];
                put_escape(tmp, 0, (unsigned char)s[i + k]);
                for (int e = 0; e < 4; e++) {
                    if (maxcols >= 0 && used >= maxcols)
                        break;
                    if (out)
                        out[n] = tmp[e];
                    n++;
                    used++;
                }
            }
            i += nb;
            have_base = true;
            combining = 0;
            continue;
        }
        if (maxcols >= 0 && used + cw > maxcols) {
            while (used < maxcols) { /* a wide char at the edge becomes blanks */
                if (out)
                    out[n] = L' ';
                n++;
                used++;
            }
            break;
        }
        if (out)
            out[n] = wc;
        n++;
        used += cw;
        i += r;
        have_base = true;
        combining = 0;
    }
    if (nout)
        *nout = n;
    return used;
}

int wg_text_n(WINDOW *w, int y, int x, const char *s, size_t len, int maxcols, unsigned long attr)
{
    if (!w || !s || maxcols <= 0)
        return 0;
    int wy, wx;
    getmaxyx(w, wy, wx);
    if (y < 0 || y >= wy || x < 0 || x >= wx)
        return 0;
    if (maxcols > wx - x)
        maxcols = wx - x;
    wchar_t stackbuf[512];
    size_t cap = (size_t)maxcols * (MAX_COMBINING + 1) + 8;
    wchar_t *buf =
        cap <= sizeof stackbuf / sizeof stackbuf[0] ? stackbuf : xmalloc(cap * sizeof *buf);
    size_t n;
    int used = layout(s, len, maxcols, buf, &n);
    attr_t old_attr;
    short old_pair;
    wattr_get(w, &old_attr, &old_pair, NULL);
    wattrset(w, (int)attr);
    /* waddnwstr stops at the right edge; the bottom-right cell returns ERR
     * after drawing, which is harmless. */
    mvwaddnwstr(w, y, x, buf, (int)n);
    wattr_set(w, old_attr, old_pair, NULL);
    if (buf != stackbuf)
        free(buf);
    return used;
}

int wg_text(WINDOW *w, int y, int x, const char *s, int maxcols, unsigned long attr)
{
    return s ? wg_text_n(w, y, x, s, strlen(s), maxcols, attr) : 0;
}

int wg_text_width(const char *s)
{
    return s ? layout(s, strlen(s), -1, NULL, NULL) : 0;
}

void wg_fill(WINDOW *w, int y, int x, int n, unsigned long attr)
{
    if (!w || n <= 0)
        return;
    int wy, wx;
    getmaxyx(w, wy, wx);
    if (y < 0 || y >= wy || x < 0 || x >= wx)
        return;
    if (n > wx - x)
        n = wx - x;
    mvwhline(w, y, x, ' ' | (chtype)attr, n);
}

int wg_field(WINDOW *w, int y, int x, const char *s, int width, int align, unsigned long attr)
{
    if (width <= 0)
        return 0;
    wg_fill(w, y, x, width, attr);
    int tw = wg_text_width(s);
    if (tw > width)
        tw = width;
    int off = align == WG_RIGHT ? width - tw : align == WG_CENTER ? (width - tw) / 2 : 0;
    wg_text(w, y, x + off, s, width - off, attr);
    return width;
}

bool wg_unicode(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* ---- gauge and sparkline ------------------------------------------------- */

void wg_gauge(WINDOW *w, int y, int x, int width, const wg_seg *segs, int nsegs, double max,
              const char *label, unsigned long frame_attr)
{
    static const char marks[] = "|#~*+";
    if (width < 3)
        return;
    int inner = width - 2;
    wg_text(w, y, x, "[", 1, frame_attr);
    wg_fill(w, y, x + 1, inner, frame_attr);
    int pos = 0;
    double acc = 0;
    for (int s = 0; s < nsegs && pos < inner; s++) {
        acc += segs[s].value > 0 ? segs[s].value : 0;
        int end = max > 0 ? (int)(acc / max * inner + 0.5) : 0;
        if (end > inner)
            end = inner;
        if (end > pos) {
            char m[2] = {marks[s % 5], 0};
            for (int c = pos; c < end; c++)
                wg_text(w, y, x + 1 + c, m, 1, segs[s].attr);
            pos = end;
        }
    }
    if (label && *label) {
        int lw = wg_text_width(label);
        if (lw > inner)
            lw = inner;
        wg_text(w, y, x + 1 + inner - lw, label, lw, frame_attr | A_BOLD);
    }
    wg_text(w, y, x + 1 + inner, "]", 1, frame_attr);
}

void wg_sparkline(WINDOW *w, int y, int x, int width, const double *vals, int n, double max,
                  unsigned long attr)
{
    static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                          "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char ascii[] = "_.-:=+*#";
    if (width <= 0)
        return;
    int first = n > width ? n - width : 0;
    if (max <= 0)
        for (int i = first; i < n; i++)
            if (vals[i] > max)
                max = vals[i];
    bool uni = wg_unicode();
    int col = width - (n - first); /* right-align: newest at the right edge */
    wg_fill(w, y, x, col, attr);
    for (int i = first; i < n; i++, col++) {
        double v = vals[i] < 0 ? 0 : vals[i];
        int lvl = max > 0 ? (int)(v / max * 7 + 0.5) : 0;
        if (lvl > 7)
            lvl = 7;
        if (uni)
            wg_text(w, y, x + col, blocks[lvl], 1, attr);
        else {
            char c[2] = {ascii[lvl], 0};
            wg_text(w, y, x + col, c, 1, attr);
        }
    }
}

/* ---- list ---------------------------------------------------------------- */

void wg_list_init(wg_list *l, const wg_col *cols, int ncols, wg_cell_fn cell, void *ctx)
{
    memset(l, 0, sizeof *l);
    l->cols = cols;
    l->ncols = ncols;
    l->cell = cell;
    l->ctx = ctx;
    l->sel = -1;
}

void wg_list_free(wg_list *l)
{
    free(l->search);
    l->search = NULL;
}

static void clamp(wg_list *l)
{
    if (l->count <= 0) {
        l->count = 0;
        l->sel = -1;
        l->top = 0;
        return;
    }
    if (l->sel < 0)
        l->sel = 0;
    if (l->sel >= l->count)
        l->sel = l->count - 1;
    int page = l->page > 0 ? l->page : 1;
    if (l->top > l->sel)
        l->top = l->sel;
    if (l->sel >= l->top + page)
        l->top = l->sel - page + 1;
    if (l->top > l->count - page)
        l->top = l->count - page;
    if (l->top < 0)
        l->top = 0;
}

void wg_list_set_count(wg_list *l, int count)
{
    l->count = count;
    clamp(l);
}

void wg_list_select(wg_list *l, int row)
{
    l->sel = row;
    clamp(l);
}

static const char *cell_text(wg_list *l, int row, int col, char *buf, size_t n)
{
    buf[0] = '\0';
    const char *s = l->cell(l->ctx, row, col, buf, n);
    return s ? s : "";
}

/* Byte offset after skipping `skip` display columns of s. */
static size_t skip_cols(const char *s, int skip)
{
    size_t len = strlen(s), lo = 0;
    while (lo < len && skip > 0) {
        mbstate_t st;
        memset(&st, 0, sizeof st);
        wchar_t wc;
        size_t r = (unsigned char)s[lo] < 0x80 ? 1 : mbrtowc(&wc, s + lo, len - lo, &st);
        if (r == (size_t)-1 || r == (size_t)-2 || r == 0)
            r = 1;
        skip -= layout(s + lo, r, -1, NULL, NULL);
        lo += r;
    }
    return lo;
}

static const char *find_ci(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    if (nl == 0)
        return NULL;
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, nl) == 0)
            return p;
    return NULL;
}

static void draw_cell(wg_list *l, WINDOW *w, int y, int x, int width, const char *text, int align,
                      unsigned long attr)
{
    int tw = wg_text_width(text);
    int off = (align == WG_RIGHT && tw < width) ? width - tw : 0;
    const char *m = l->search ? find_ci(text, l->search) : NULL;
    if (!m) {
        wg_text(w, y, x + off, text, width - off, attr);
        return;
    }
    int c = off;
    c += wg_text_n(w, y, x + c, text, (size_t)(m - text), width - c, attr);
    size_t ml = strlen(l->search);
    c += wg_text_n(w, y, x + c, m, ml, width - c, theme_attr(TH_SEARCH_MATCH));
    wg_text(w, y, x + c, m + ml, width - c, attr);
}

void wg_list_draw(wg_list *l, WINDOW *w, int y, int x, int rows, int cols)
{
    if (rows <= 0 || cols <= 0)
        return;
    int hdr = l->no_header ? 0 : 1;
    l->page = rows - hdr > 0 ? rows - hdr : 1;
    clamp(l);
    /* column widths: fixed, then flexible ones share what is left (at least
     * their widest visible cell, so long text can be scrolled to) */
    int widths[64];
    int nc = l->ncols < 64 ? l->ncols : 64, fixed = 0, nflex = 0;
    for (int c = 0; c < nc; c++) {
        bool flex = l->cols[c].width <= 0 || (l->cols[c].flags & WG_FLEX);
        widths[c] = flex ? 0 : l->cols[c].width;
        if (flex)
            nflex++;
        fixed += widths[c] + (c ? 1 : 0);
    }
    char buf[512];
    if (nflex) {
        int share = (cols - fixed) / nflex;
        if (share < 8)
            share = 8;
        for (int c = 0; c < nc; c++) {
            if (widths[c] != 0 || !(l->cols[c].width <= 0 || (l->cols[c].flags & WG_FLEX)))
                continue;
            int want = l->cols[c].width > 0 ? l->cols[c].width : share;
            int t = wg_text_width(l->cols[c].title ? l->cols[c].title : "");
            if (want < t)
                want = t;
            for (int r = l->top; r < l->count && r < l->top + l->page; r++) {
                int cw = wg_text_width(cell_text(l, r, c, buf, sizeof buf));
                if (cw > want)
                    want = cw > 4096 ? 4096 : cw;
            }
            widths[c] = want;
        }
    }
    int total = 0;
    for (int c = 0; c < nc; c++)
        total += widths[c] + (c ? 1 : 0);
    if (l->hscroll > total - cols)
        l->hscroll = total - cols;
    if (l->hscroll < 0)
        l->hscroll = 0;

    for (int line = 0; line < rows; line++) {
        int row = l->top + line - hdr;
        bool is_hdr = line < hdr;
        unsigned long attr = theme_attr(TH_NORMAL);
        if (is_hdr)
            attr = theme_attr(TH_GRID_HEADER);
        else if (row >= l->count) {
            wg_fill(w, y + line, x, cols, attr);
            continue;
        } else if (row == l->sel)
            attr = theme_attr(TH_SELECTED);
        else if (l->row_attr) {
            unsigned long ra = l->row_attr(l->ctx, row);
            if (ra)
                attr = ra;
        }
        wg_fill(w, y + line, x, cols, attr);
        int vx = 0;
        for (int c = 0; c < nc; c++) {
            if (c)
                vx++;
            int cw = widths[c];
            int start = vx, end = vx + cw;
            vx = end;
            if (end <= l->hscroll || start >= l->hscroll + cols)
                continue;
            const char *text = is_hdr ? (l->cols[c].title ? l->cols[c].title : "")
                                      : cell_text(l, row, c, buf, sizeof buf);
            int sx = start - l->hscroll, width = cw;
            if (sx < 0) {
                text += skip_cols(text, -sx);
                width += sx;
                sx = 0;
            }
            if (sx + width > cols)
                width = cols - sx;
            int align = l->cols[c].flags & (WG_RIGHT | WG_CENTER);
            if (is_hdr) {
                int tw = wg_text_width(text);
                int off = (align == WG_RIGHT && tw < width) ? width - tw : 0;
                wg_text(w, y + line, x + sx + off, text, width - off, attr);
            } else
                draw_cell(l, w, y + line, x + sx, width, text, align, attr);
        }
    }
}

/* As wg_list_find; *wrapped when the match is past the end (or the start). */
static bool list_find(wg_list *l, int dir, bool include_current, bool *wrapped)
{
    *wrapped = false;
    if (!l->search || !*l->search || l->count == 0)
        return false;
    char buf[512];
    int start = l->sel < 0 ? 0 : l->sel;
    for (int i = include_current ? 0 : 1; i <= l->count; i++) {
        int at = start + dir * i;
        int row = (at % l->count + l->count) % l->count;
        for (int c = 0; c < l->ncols; c++)
            if (find_ci(cell_text(l, row, c, buf, sizeof buf), l->search)) {
                *wrapped = i > 0 && (at >= l->count || at < 0);
                wg_list_select(l, row);
                return true;
            }
    }
    return false;
}

bool wg_list_find(wg_list *l, int dir, bool include_current)
{
    bool wrapped;
    return list_find(l, dir, include_current, &wrapped);
}

static void find_and_say(wg_list *l, app *a, int dir, bool include_current)
{
    bool wrapped;
    if (!list_find(l, dir, include_current, &wrapped))
        app_message(a, MSG_WARN, "Not found: %s", l->search);
    else if (wrapped)
        app_message(a, MSG_INFO, "search wrapped: %s (continuing at the %s)", l->search,
                    dir > 0 ? "top" : "bottom");
}

typedef struct search_ctx {
    wg_list *list;
    app *app;
} search_ctx;

static void search_done(void *ctx, const char *answer)
{
    search_ctx *sc = ctx;
    wg_list *l = sc->list;
    app *a = sc->app;
    free(sc);
    if (!answer || !*answer) /* empty: the last search stays (n / N repeat it) */
        return;
    free(l->search);
    l->search = xstrdup(answer);
    find_and_say(l, a, 1, true);
}

int wg_list_key(wg_list *l, app *a, int ch, bool is_key)
{
    int before_sel = l->sel, before_h = l->hscroll;
    int page = l->page > 0 ? l->page : 1;
    if (is_key) {
        switch (ch) {
        case KEY_UP:
            l->sel--;
            break;
        case KEY_DOWN:
            l->sel++;
            break;
        case KEY_PPAGE:
            l->sel -= page;
            break;
        case KEY_NPAGE:
            l->sel += page;
            break;
        case KEY_HOME:
            l->sel = 0;
            break;
        case KEY_END:
            l->sel = l->count - 1;
            break;
        case KEY_LEFT:
            l->hscroll -= 8;
            break;
        case KEY_RIGHT:
            l->hscroll += 8;
            break;
        default:
            return PANE_IGNORED;
        }
    } else {
        switch (ch) {
        case 'k':
            l->sel--;
            break;
        case 'j':
            l->sel++;
            break;
        case 'g':
            l->sel = 0;
            break;
        case 'G':
            l->sel = l->count - 1;
            break;
        case '/': {
            search_ctx *sc = xmalloc(sizeof *sc);
            sc->list = l;
            sc->app = a;
            /* empty, as in less and pspg: Up brings back the last term */
            app_prompt_ctx(a, "/", "", "search", false, search_done, sc);
            return PANE_HANDLED | PANE_REDRAW;
        }
        case 'n':
        case 'N':
            if (!l->search) {
                app_message(a, MSG_INFO, "No search yet: / searches");
                return PANE_HANDLED;
            }
            find_and_say(l, a, ch == 'n' ? 1 : -1, false);
            return PANE_HANDLED | PANE_REDRAW;
        default:
            return PANE_IGNORED;
        }
    }
    if (l->hscroll < 0)
        l->hscroll = 0;
    clamp(l);
    return (l->sel != before_sel || l->hscroll != before_h) ? PANE_HANDLED | PANE_REDRAW
                                                            : PANE_HANDLED;
}
