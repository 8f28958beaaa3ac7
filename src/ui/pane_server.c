/* pane_server.c — the Server pane: the server health views of
 * src/monitor/monitor_server.h (database, tables, indexes, replication,
 * progress, WAL / checkpointer / bgwriter), as pgcenter shows them.
 *
 * One view at a time, chosen by a key shown in the footer (d t x r o w; the
 * progress view is `o`, "operations running", because g is the list's Home).
 * The catalog is probed once (the views' columns, so the SQL fits the
 * server's version); then each refresh runs the shown view's statement with
 * an "server:" tag, at most one in flight. Rates come from the previous
 * snapshot of the same view: switching views restarts them. Tables and
 * indexes choose their rows by a pass over the catalog in slices, one
 * slice a tick (the driver; started every SRV_CATALOG_INTERVAL seconds, on
 * a sort change or on R); every tick reads the shown rows' statistics. A
 * line under the tabs says how fresh that choice is.
 *
 * s cycles the sort column (for tables and indexes a new pass chooses the
 * top rows of the new order; the line says while it runs), / filters the rows by a
 * substring of their text columns, Enter shows every figure of the selected
 * row (the ones this server lacks say "not on PostgreSQL N"). Everything the
 * server sent reaches the screen through wg_text. */
#include "config.h"

#include "common/clock.h"
#include "common/fmt.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"
#include "ui/pane.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SERVER_LIMIT 100 /* rows per view and refresh: the server's cost stays flat */
#define MAX_COLS 32

typedef struct server_pane {
    app *a;
    engine *e;
    bool shown;
    mon_driver mon;           /* probe, the shown view's statement, rates */
    int sort[SRV_VIEW_COUNT]; /* column index per view */
    char *error;
    char *filter;
    int *vis; /* snap rows shown, in order */
    int nvis;
    bool detail;
    int detail_top;
    wg_list list;
    wg_col layout[MAX_COLS];
    int layout_ids[MAX_COLS];
    char titles[MAX_COLS][32];
    ui_moment *moment; /* a recorded moment shown instead of live data (moment.h), or NULL */
} server_pane;

static server_pane *SP(pane *p)
{
    return (server_pane *)p;
}

static const srv_view *cur_view(const server_pane *p)
{
    return srv_view_get(p->mon.view);
}

/* The shown view's snapshot: the moment's on a recording (NULL when that
 * view was not recorded). */
static srv_snap *shown(const server_pane *p)
{
    return p->moment ? p->moment->views[p->mon.view] : p->mon.view_snap;
}

static void srv_refresh(server_pane *p)
{
    if (p->moment || !p->e)
        return; /* a recording is shown: no server is asked */
    mon_driver_refresh(&p->mon);
}

/* ---- rows shown ------------------------------------------------------------ */

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return n == 0;
}

static bool row_matches(const server_pane *p, size_t j)
{
    if (!p->filter)
        return true;
    const srv_view *v = shown(p)->view;
    for (int i = 0; i < v->ncols; i++)
        if (v->cols[i].kind == SRV_TEXT && contains_ci(shown(p)->rows[j].text[i], p->filter))
            return true;
    return false;
}

static void rebuild(server_pane *p)
{
    free(p->vis);
    p->vis = NULL;
    p->nvis = 0;
    if (shown(p)) {
        srv_sort(shown(p), p->sort[p->mon.view]);
        p->vis = xmalloc((shown(p)->n ? shown(p)->n : 1) * sizeof *p->vis);
        for (size_t j = 0; j < shown(p)->n; j++)
            if (row_matches(p, j))
                p->vis[p->nvis++] = (int)j;
    }
    wg_list_set_count(&p->list, shown(p) && !shown(p)->view->single ? p->nvis : 0);
}

static void set_view(server_pane *p, srv_view_id v)
{
    if (p->mon.view == v)
        return;
    p->detail = false;
    mon_driver_set_view(&p->mon, v, p->sort[v]); /* rates restart with the view */
    rebuild(p);
    wg_list_select(&p->list, 0);
    app_message(p->a, MSG_INFO, "view: %s", cur_view(p)->title);
}

/* ---- events ---------------------------------------------------------------- */

/* A failed step: the parser's message as it is, the server's after what
 * ran ("probe: …", "tables: …"). */
static void set_error(server_pane *p)
{
    const mon_failure *f = &p->mon.fail[p->mon.last_failed];
    const char *what = p->mon.last_failed == MON_STEP_SRV_PROBE ? "probe" : cur_view(p)->name;
    free(p->error);
    p->error =
        f->status == ENG_DONE_OK ? xstrdup(f->message) : xasprintf("%s: %s", what, f->message);
}

static int srv_on_event(pane *pp, const eng_event *ev)
{
    server_pane *p = SP(pp);
    unsigned got = mon_driver_on_event(&p->mon, ev);
    if (got & MON_GOT_ERROR) {
        set_error(p);
    } else if (got & (MON_GOT_CATALOG | MON_GOT_VIEW)) {
        free(p->error);
        p->error = NULL;
    }
    if (got & MON_GOT_VIEW)
        rebuild(p);
    return got & MON_EV_MINE ? PANE_REDRAW : 0;
}

/* ---- list cells and layout -------------------------------------------------- */

static const char *cell(void *ctx, int row, int col, char *buf, size_t n)
{
    server_pane *p = ctx;
    if (!shown(p) || row < 0 || row >= p->nvis || col < 0 || col >= p->list.ncols)
        return NULL;
    return srv_format(shown(p), (size_t)p->vis[row], p->layout_ids[col], true, buf, n);
}

static unsigned long row_attr(void *ctx, int row)
{
    server_pane *p = ctx;
    if (!shown(p) || row < 0 || row >= p->nvis)
        return 0;
    const srv_row *r = &shown(p)->rows[p->vis[row]];
    const srv_view *v = shown(p)->view;
    for (int i = 0; i < v->ncols; i++) {
        const char *k = v->cols[i].key;
        if (v->cols[i].kind == SRV_BOOL && r->num[i] == 1 && strcmp(k, "invalid") == 0)
            return theme_attr(TH_BAD);
        if (strcmp(k, "duplicate_of") == 0 && r->text[i][0])
            return theme_attr(TH_WARN);
        if (strcmp(k, "dead_pct") == 0 && r->num[i] >= 20)
            return theme_attr(TH_WARN);
    }
    return 0;
}

/* The visible columns, then the highest `drop` goes until the row fits
 * (the flexible column keeps at least 12). */
static void choose_layout(server_pane *p, int cols)
{
    const srv_view *v = cur_view(p);
    bool on[MAX_COLS];
    for (int i = 0; i < v->ncols && i < MAX_COLS; i++)
        on[i] = !(v->cols[i].flags & SRV_F_HIDE);
    for (;;) {
        int used = 0, n = 0, worst = -1;
        for (int i = 0; i < v->ncols && i < MAX_COLS; i++) {
            if (!on[i])
                continue;
            used += (v->cols[i].width > 0 ? v->cols[i].width : 12) + (n++ ? 1 : 0);
            if (v->cols[i].drop > 0 && (worst < 0 || v->cols[i].drop > v->cols[worst].drop))
                worst = i;
        }
        if (used <= cols || worst < 0)
            break;
        on[worst] = false;
    }
    int n = 0;
    char(*titles)[32] = p->titles;
    for (int i = 0; i < v->ncols && i < MAX_COLS; i++) {
        if (!on[i])
            continue;
        const char *t = v->cols[i].title;
        if (shown(p) && shown(p)->view == v)
            t = srv_title(shown(p), i, titles[n], sizeof titles[n]);
        else
            snprintf(titles[n], sizeof titles[n], "%s", t);
        if (t != titles[n])
            snprintf(titles[n], sizeof titles[n], "%s", t);
        if (i == p->sort[p->mon.view] && strlen(titles[n]) + 1 < sizeof titles[n])
            strcat(titles[n], "*"); /* the sort column */
        p->layout[n].title = titles[n];
        p->layout[n].width = v->cols[i].width;
        p->layout[n].flags =
            v->cols[i].kind == SRV_TEXT ? (v->cols[i].width ? WG_LEFT : WG_FLEX) : WG_RIGHT;
        p->layout_ids[n++] = i;
    }
    p->list.cols = p->layout;
    p->list.ncols = n;
}

/* ---- drawing ---------------------------------------------------------------- */

static void draw_tabs(server_pane *p, WINDOW *win, int y, int cols)
{
    int x = 0;
    for (int i = 0; i < SRV_VIEW_COUNT && x < cols; i++) {
        const srv_view *v = srv_view_get((srv_view_id)i);
        char tab[40];
        snprintf(tab, sizeof tab, " %c %s ", v->key, v->title);
        unsigned long attr = theme_attr(i == (int)p->mon.view ? TH_PANEBAR_ACTIVE : TH_PANEBAR);
        x += wg_text(win, y, x, cols >= 70 ? tab : tab + 1, cols - x, attr);
        if (cols < 70 && x < cols)
            x += wg_text(win, y, x, " ", cols - x, theme_attr(TH_PANEBAR));
    }
}

/* One figure a line: the WAL view, and the detail of a selected row. */
static void draw_figures(server_pane *p, WINDOW *win, int y, int rows, int cols, size_t row,
                         int top)
{
    const srv_snap *s = shown(p);
    const srv_view *v = s->view;
    int label_w = cols >= 60 ? 26 : 18;
    for (int i = top; i < v->ncols && y < rows; i++, y++) {
        char buf[128], rate[128];
        wg_field(win, y, 0, v->cols[i].key, label_w, WG_LEFT, theme_attr(TH_LABEL));
        const char *why = srv_absent_text(s, i, buf, sizeof buf);
        if (why) {
            wg_text(win, y, label_w + 1, why, cols - label_w - 1, theme_attr(TH_DIM));
            continue;
        }
        int x = label_w + 1;
        const char *val = srv_format(s, row, i, false, buf, sizeof buf);
        x += wg_text(win, y, x, val, cols - x, theme_attr(TH_VALUE));
        if ((v->cols[i].flags & SRV_F_COUNTER) && s->interval_s > 0 &&
            !isnan(s->rows[row].rate[i])) {
            char r[64];
            if (v->cols[i].kind == SRV_BYTES)
                fmt_bytes(s->rows[row].rate[i], r, sizeof r);
            else
                snprintf(r, sizeof r, "%.2f", s->rows[row].rate[i]);
            snprintf(rate, sizeof rate, "  (%s/s)", r);
            wg_text(win, y, x, rate, cols - x, theme_attr(TH_DIM));
        }
    }
}

static void srv_draw(pane *pp, WINDOW *win, int rows, int cols)
{
    server_pane *p = SP(pp);
    p->shown = true;
    werase(win);
    if (rows <= 0 || cols <= 0)
        return;
    const srv_view *v = cur_view(p);
    char title[512], filter[160] = "", rates[48] = "";
    if (p->filter)
        snprintf(filter, sizeof filter, " · filter: %s", p->filter);
    if (shown(p) && shown(p)->interval_s > 0)
        snprintf(rates, sizeof rates, " · rates over %.1fs", shown(p)->interval_s);
    char count[48];
    int total = shown(p) ? (int)shown(p)->n : 0;
    if (p->filter && shown(p) && !v->single)
        snprintf(count, sizeof count, "%d of %d row%s", p->nvis, total, total == 1 ? "" : "s");
    else
        snprintf(count, sizeof count, "%d row%s", total, total == 1 ? "" : "s");
    snprintf(title, sizeof title, "Server%s: %s%s · %s%s%s%s", p->moment ? " (recorded)" : "",
             v->title, filter, count, shown(p) && !v->single ? " · sort " : "",
             shown(p) && !v->single ? v->cols[p->sort[p->mon.view]].key : "", rates);
    wg_fill(win, 0, 0, cols, theme_attr(TH_TITLE));
    wg_text(win, 0, 0, title, cols, theme_attr(TH_TITLE));
    if (rows < 2)
        return;
    draw_tabs(p, win, 1, cols);
    int y = 2;
    if (p->error && y < rows)
        wg_text(win, y++, 0, p->error, cols, theme_attr(TH_BAD));
    if (shown(p) && shown(p)->note && shown(p)->note[0] && y < rows)
        wg_text(win, y++, 0, shown(p)->note, cols, theme_attr(TH_DIM));
    char fresh[256]; /* a recorded moment's rows were chosen by the recorder */
    if (!p->moment && mon_driver_view_freshness(&p->mon, fresh, sizeof fresh) && y < rows)
        wg_text(win, y++, 0, fresh, cols, theme_attr(TH_DIM));
    if (!shown(p)) {
        if (y < rows)
            wg_text(win, y, 0,
                    p->moment    ? "not recorded at this moment (pgdeck record keeps the views it "
                                   "could read)"
                    : p->mon.cat ? "loading…"
                                 : "probing the server…",
                    cols, theme_attr(TH_DIM));
        return;
    }
    if (v->single) {
        if (shown(p)->n)
            draw_figures(p, win, y, rows, cols, 0, 0);
        return;
    }
    if (p->detail && p->list.sel >= 0 && p->list.sel < p->nvis) {
        wg_fill(win, y, 0, cols, theme_attr(TH_LABEL));
        wg_text(win, y++, 0, "detail (Esc: back to the list, Up/Down scroll)", cols,
                theme_attr(TH_LABEL));
        draw_figures(p, win, y, rows, cols, (size_t)p->vis[p->list.sel], p->detail_top);
        return;
    }
    p->detail = false;
    choose_layout(p, cols);
    wg_list_draw(&p->list, win, y, 0, rows - y, cols);
    if (p->nvis == 0 && y + 1 < rows)
        wg_text(win, y + 1, 1,
                p->filter ? "no row matches the filter" : "no rows (nothing to show right now)",
                cols - 1, theme_attr(TH_DIM));
}

/* ---- keys ------------------------------------------------------------------ */

static void filter_cb(pane *pp, const char *answer)
{
    server_pane *p = SP(pp);
    if (!answer)
        return;
    free(p->filter);
    p->filter = answer[0] ? xstrdup(answer) : NULL;
    rebuild(p);
    app_mark_dirty(p->a, pp);
}

static void next_sort(server_pane *p)
{
    const srv_view *v = cur_view(p);
    if (v->single)
        return;
    int c = p->sort[p->mon.view];
    do
        c = (c + 1) % v->ncols;
    while ((v->cols[c].flags & SRV_F_HIDE) && c != p->sort[p->mon.view]);
    p->sort[p->mon.view] = c;
    mon_driver_set_view_sort(&p->mon, c);
    rebuild(p);
    app_message(p->a, MSG_INFO, "sorted by %s%s", v->cols[c].key,
                v->cols[c].order && srv_view_cached(v)
                    ? " (a pass over the catalog chooses its top rows)"
                : v->cols[c].order ? " (in the server: the limit keeps the top rows)"
                                   : "");
}

static int srv_on_key(pane *pp, int ch, bool is_key)
{
    server_pane *p = SP(pp);
    if (p->detail) {
        if (!is_key && (ch == 27 || ch == '\n' || ch == 'q')) {
            p->detail = false;
            return PANE_HANDLED | PANE_REDRAW;
        }
        if (is_key && ch == KEY_DOWN && p->detail_top + 1 < cur_view(p)->ncols)
            p->detail_top++;
        else if (is_key && ch == KEY_UP && p->detail_top > 0)
            p->detail_top--;
        else if (!is_key)
            return PANE_IGNORED;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (!is_key) {
        for (int i = 0; i < SRV_VIEW_COUNT; i++)
            if (ch == srv_view_get((srv_view_id)i)->key) {
                set_view(p, (srv_view_id)i);
                return PANE_HANDLED | PANE_REDRAW;
            }
        switch (ch) {
        case 's':
            next_sort(p);
            return PANE_HANDLED | PANE_REDRAW;
        case 'R':
            if (p->moment)
                return ui_replay_refuse(p->a, "re-reading the catalog");
            if (srv_view_cached(cur_view(p))) {
                app_message(p->a, MSG_INFO,
                            "re-reading the catalog (a new pass: rows, sizes, duplicates)");
                mon_driver_reread_catalog(&p->mon);
            }
            return PANE_HANDLED | PANE_REDRAW;
        case '/':
            app_prompt(p->a, pp,
                       "filter (substring of names and states): ", p->filter ? p->filter : "",
                       false, filter_cb);
            return PANE_HANDLED;
        case '\n':
        case '\r':
            if (shown(p) && !cur_view(p)->single && p->list.sel >= 0 && p->list.sel < p->nvis) {
                p->detail = true;
                p->detail_top = 0;
            }
            return PANE_HANDLED | PANE_REDRAW;
        case 27:
            if (!p->filter)
                return PANE_IGNORED;
            free(p->filter);
            p->filter = NULL;
            rebuild(p);
            return PANE_HANDLED | PANE_REDRAW;
        }
    }
    return wg_list_key(&p->list, p->a, ch, is_key);
}

/* ---- lifecycle ------------------------------------------------------------- */

static pane *srv_create(app *a)
{
    server_pane *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->e = app_engine(a);
    mon_driver_init(&p->mon, p->e, "server", MON_PART_SERVER);
    p->mon.view_limit = SERVER_LIMIT;
    p->mon.view_paced = true;
    for (int i = 0; i < SRV_VIEW_COUNT; i++)
        p->sort[i] = srv_view_get((srv_view_id)i)->default_sort;
    choose_layout(p, 80);
    wg_list_init(&p->list, p->layout, p->list.ncols, cell, p);
    choose_layout(p, 80);
    p->list.row_attr = row_attr;
    return (pane *)p;
}

static void srv_destroy(pane *pp)
{
    server_pane *p = SP(pp);
    if (!p)
        return;
    wg_list_free(&p->list);
    mon_driver_free(&p->mon);
    free(p->vis);
    free(p->filter);
    free(p->error);
    free(p);
}

static int srv_on_tick(pane *pp)
{
    server_pane *p = SP(pp);
    if (p->shown)
        srv_refresh(p);
    return 0;
}

static void srv_on_show(pane *pp, bool shown)
{
    server_pane *p = SP(pp);
    p->shown = shown;
    if (shown)
        srv_refresh(p);
}

/* The moment's views replace the live ones (rows filtered and sorted as
 * the user chose); NULL: live again. */
static void srv_show_moment(pane *pp, ui_moment *m)
{
    server_pane *p = SP(pp);
    p->moment = m;
    rebuild(p);
    if (!m && p->shown)
        srv_refresh(p);
}

static const pane_key srv_keys[] = {
    {"d", "Database",
     "view: per database — commits/rollbacks per second, cache hit, temp, "
     "deadlocks, conflicts, sessions"},
    {"t", "Tables", "view: tables — scans, live/dead tuples, vacuum/analyze, size, bloat"},
    {"x", "Indexes", "view: indexes — invalid, duplicate and unused first, scans, size"},
    {"r", "Repl", "view: replication — standbys' lag in bytes and time, slots' retained WAL"},
    {"o", "Progress",
     "view: operations in progress — vacuum, analyze, create index, cluster, "
     "copy, base backup"},
    {"w", "WAL", "view: WAL bytes/s, checkpoints timed vs requested, buffers written"},
    {"s", "Sort", "sort by the next column (tables, indexes: in the server)"},
    {"R", "Reread",
     "tables, indexes: start a pass over the catalog now (rows, sizes, duplicates; else every 60 "
     "s)"},
    {"/", "Filter", "filter the rows by a substring of their names (Esc clears it)"},
    {"Enter", "Detail", "every figure of the selected row (Esc: back)"},
    {NULL, NULL, NULL},
};

const pane_class pane_server_class = {
    .name = "Server",
    .tag_prefix = "server:",
    .create = srv_create,
    .destroy = srv_destroy,
    .draw = srv_draw,
    .on_key = srv_on_key,
    .on_event = srv_on_event,
    .on_tick = srv_on_tick,
    .on_show = srv_on_show,
    .keys = srv_keys,
    .show_moment = srv_show_moment,
};
