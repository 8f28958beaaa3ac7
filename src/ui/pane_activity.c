/* pane_activity.c — pane 3, Activity: pg_stat_activity as pg_activity shows
 * it, with views (all / running / waiting / blocking), idle sessions hidden
 * by default, sort, filter, tags, cancel and terminate, and the locks the
 * selected backend holds and awaits.
 *
 * Queries go through eng_exec with ENG_EXEC_NOMETRICS and an "activity:" tag,
 * at most one of each kind in flight. Signals are sent one statement per pid
 * with the pid as a parameter; the outcome shown is what the server answered
 * (pg_cancel_backend / pg_terminate_backend's boolean, or its error). */
#include "config.h"

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"
#include "ui/osc52.h"
#include "ui/pane.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum act_sort {
    SORT_DURATION,
    SORT_XACT,
    SORT_PID,
    SORT_DATABASE,
    SORT_USER,
    SORT_STATE,
    SORT_COUNT
} act_sort;
static const char *const sort_names[SORT_COUNT] = {"time",     "xact", "pid",
                                                   "database", "user", "state"};

typedef struct pending_signal {
    int pid;
    eng_id id;
    bool done;
    char result[96];
} pending_signal;

typedef struct activity_pane {
    app *a;
    engine *e;
    bool shown;
    mon_activity *act, *incoming;
    eng_id act_id, locks_id;
    char *error;
    int *vis; /* indexes into act->rows, in display order */
    int nvis;
    mon_view view;
    bool show_idle;
    act_sort sort;
    char *filter; /* case-insensitive substring over the text columns */
    int *tags;
    size_t ntags, tags_cap;
    wg_list list;
    int sel_pid;
    bool show_locks;
    mon_locks *locks, *locks_incoming;
    int locks_pid, locks_incoming_pid;
    /* signals in flight */
    bool terminate;
    pending_signal *sig;
    int nsig;
} activity_pane;

static activity_pane *AP(pane *p)
{
    return (activity_pane *)p;
}

static double threshold_ms(activity_pane *p)
{
    const pgdeck_config *cfg = app_config(p->a);
    return cfg && cfg->slow_threshold > 0 ? cfg->slow_threshold : 50;
}

static eng_id submit(activity_pane *p, const char *sql, int nparams, const char *const *params,
                     const char *tag)
{
    eng_exec_args args = {.sql = sql,
                          .nparams = nparams,
                          .params = params,
                          .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                          .tag = tag};
    return eng_exec(p->e, &args);
}

static bool is_tagged(const activity_pane *p, int pid)
{
    for (size_t i = 0; i < p->ntags; i++)
        if (p->tags[i] == pid)
            return true;
    return false;
}

static void toggle_tag(activity_pane *p, int pid)
{
    for (size_t i = 0; i < p->ntags; i++)
        if (p->tags[i] == pid) {
            p->tags[i] = p->tags[--p->ntags];
            return;
        }
    p->tags = xgrow(p->tags, &p->tags_cap, p->ntags + 1, sizeof *p->tags);
    p->tags[p->ntags++] = pid;
}

static const mon_backend *row_at(const activity_pane *p, int i)
{
    if (!p->act || i < 0 || i >= p->nvis)
        return NULL;
    return &p->act->rows[p->vis[i]];
}

static const mon_backend *selected(const activity_pane *p)
{
    return row_at(p, p->list.sel);
}

/* ---- the visible rows ------------------------------------------------------- */

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++)
        if (strncasecmp(h, needle, n) == 0)
            return true;
    return false;
}

static bool matches_filter(const activity_pane *p, const mon_backend *b)
{
    if (!p->filter || !p->filter[0])
        return true;
    char pid[16];
    snprintf(pid, sizeof pid, "%d", b->pid);
    return contains_ci(pid, p->filter) || contains_ci(b->database, p->filter) ||
           contains_ci(b->user, p->filter) || contains_ci(b->application, p->filter) ||
           contains_ci(b->client, p->filter) || contains_ci(b->state, p->filter) ||
           contains_ci(b->query, p->filter);
}

static const activity_pane *g_sort_pane; /* qsort context (UI thread only) */

static int num_desc(double a, double b)
{
    if (isnan(a) != isnan(b))
        return isnan(a) ? 1 : -1;
    if (isnan(a) || a == b)
        return 0;
    return a > b ? -1 : 1;
}

static int vis_cmp(const void *pa, const void *pb)
{
    const mon_backend *a = &g_sort_pane->act->rows[*(const int *)pa];
    const mon_backend *b = &g_sort_pane->act->rows[*(const int *)pb];
    int c = 0;
    switch (g_sort_pane->sort) {
    case SORT_DURATION:
        c = num_desc(a->query_s, b->query_s);
        break;
    case SORT_XACT:
        c = num_desc(a->xact_s, b->xact_s);
        break;
    case SORT_PID:
        c = 0;
        break;
    case SORT_DATABASE:
        c = strcmp(a->database, b->database);
        break;
    case SORT_USER:
        c = strcmp(a->user, b->user);
        break;
    case SORT_STATE:
        c = strcmp(a->state, b->state);
        break;
    default:
        break;
    }
    return c ? c : (a->pid > b->pid) - (a->pid < b->pid);
}

static void rebuild(activity_pane *p)
{
    const mon_backend *sel = selected(p);
    if (sel)
        p->sel_pid = sel->pid;
    free(p->vis);
    p->vis = NULL;
    p->nvis = 0;
    if (p->act && p->act->n) {
        p->vis = xmalloc(p->act->n * sizeof *p->vis);
        for (size_t i = 0; i < p->act->n; i++) {
            const mon_backend *b = &p->act->rows[i];
            if (mon_backend_in_view(b, p->view, p->show_idle) && matches_filter(p, b))
                p->vis[p->nvis++] = (int)i;
        }
        g_sort_pane = p;
        qsort(p->vis, (size_t)p->nvis, sizeof *p->vis, vis_cmp);
    }
    wg_list_set_count(&p->list, p->nvis);
    for (int i = 0; i < p->nvis; i++)
        if (p->act->rows[p->vis[i]].pid == p->sel_pid) {
            wg_list_select(&p->list, i);
            break;
        }
}

/* ---- cells ------------------------------------------------------------------ */

static const wg_col act_cols[] = {
    {"", 1, 0},
    {"pid", 6, WG_RIGHT},
    {"database", 8, 0},
    {"user", 8, 0},
    {"app", 8, 0},
    {"client", 9, 0},
    {"state", 9, 0},
    {"wait", 14, 0},
    {"xact", 5, WG_RIGHT},
    {"time", 5, WG_RIGHT},
    {"blocked", 7, 0},
    {"query", 0, WG_FLEX},
};
#define NCOLS ((int)(sizeof act_cols / sizeof act_cols[0]))

static void format_pids(const int *pids, int n, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && off < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%d", i ? "," : "", pids[i]);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

static const char *cell(void *ctx, int row, int col, char *buf, size_t n)
{
    activity_pane *p = ctx;
    const mon_backend *b = row_at(p, row);
    if (!b)
        return NULL;
    switch (col) {
    case 0:
        return is_tagged(p, b->pid) ? "*" : "";
    case 1:
        snprintf(buf, n, "%d", b->pid);
        return buf;
    case 2:
        return b->database;
    case 3:
        return b->user;
    case 4:
        return b->application;
    case 5:
        return b->client;
    case 6:
        if (strcmp(b->state, "idle in transaction") == 0)
            return "idle txn";
        if (strcmp(b->state, "idle in transaction (aborted)") == 0)
            return "idle txn!";
        return b->state[0] ? b->state : b->backend_type;
    case 7:
        /* an idle session always waits for its client: not news */
        if (!b->wait_type[0] || strcmp(b->wait_type, "Client") == 0)
            return "";
        snprintf(buf, n, "%s:%s", b->wait_type, b->wait_event);
        return buf;
    case 8:
        mon_fmt_duration(b->xact_s, buf, n);
        return buf;
    case 9:
        /* for idle sessions the time since the last query ended matters */
        mon_fmt_duration(strcmp(b->state, "active") == 0 ? b->query_s : b->state_s, buf, n);
        return buf;
    case 10:
        format_pids(b->blocked_by, b->nblocked_by, buf, n);
        return buf;
    case 11:
        return b->query;
    }
    return NULL;
}

static unsigned long row_attr(void *ctx, int row)
{
    activity_pane *p = ctx;
    const mon_backend *b = row_at(p, row);
    if (!b)
        return 0;
    if (is_tagged(p, b->pid))
        return theme_attr(TH_TAGGED);
    if (mon_backend_idle_in_xact(b) || b->nblocked_by > 0)
        return theme_attr(TH_BAD);
    if (strcmp(b->state, "active") == 0 && b->query_s * 1000 > threshold_ms(p))
        return theme_attr(TH_WARN);
    if (b->nblocking > 0)
        return theme_attr(TH_WARN);
    return 0;
}

/* ---- refresh and events ------------------------------------------------------ */

static void submit_locks(activity_pane *p)
{
    const mon_backend *b = selected(p);
    if (!p->show_locks || !b || p->locks_id)
        return;
    char pid[16];
    snprintf(pid, sizeof pid, "%d", b->pid);
    const char *params[1] = {pid};
    p->locks_incoming_pid = b->pid;
    p->locks_id = submit(p, mon_locks_sql(), 1, params, "activity:locks");
}

static void act_refresh(activity_pane *p)
{
    if (!p->act_id)
        p->act_id = submit(p, mon_activity_sql(), 0, NULL, "activity:list");
    submit_locks(p);
}

static void signals_report(activity_pane *p)
{
    for (int i = 0; i < p->nsig; i++)
        if (!p->sig[i].done)
            return;
    strbuf sb;
    sb_init(&sb);
    bool all_ok = true;
    sb_printf(&sb, "%s: ", p->terminate ? "terminate" : "cancel");
    for (int i = 0; i < p->nsig; i++) {
        sb_printf(&sb, "%spid %d %s", i ? "; " : "", p->sig[i].pid, p->sig[i].result);
        if (strcmp(p->sig[i].result, "signalled") != 0)
            all_ok = false;
    }
    app_message(p->a, all_ok ? MSG_INFO : MSG_WARN, "%s", sb.data);
    sb_free(&sb);
    free(p->sig);
    p->sig = NULL;
    p->nsig = 0;
    act_refresh(p);
}

static int act_on_event(pane *pp, const eng_event *ev)
{
    activity_pane *p = AP(pp);
    char *err = NULL;
    if (ev->kind == EV_POOL)
        return 0;
    if (ev->id == p->act_id) {
        if (ev->kind == EV_RESULT && ev->result &&
            eng_result_status(ev->result) == ENG_RES_TUPLES) {
            mon_activity_free(p->incoming);
            p->incoming = mon_activity_parse(ev->result, &err);
            free(err);
        } else if (ev->kind == EV_DONE) {
            p->act_id = 0;
            free(p->error);
            p->error = NULL;
            if (ev->status == ENG_DONE_OK && p->incoming) {
                const mon_backend *sel = selected(p);
                if (sel)
                    p->sel_pid = sel->pid;
                /* vis indexes the old rows: forget it before they go */
                free(p->vis);
                p->vis = NULL;
                p->nvis = 0;
                mon_activity_free(p->act);
                p->act = p->incoming;
                p->incoming = NULL;
                /* tags of backends that are gone are dropped */
                for (size_t i = 0; i < p->ntags;)
                    if (!mon_activity_find(p->act, p->tags[i]))
                        p->tags[i] = p->tags[--p->ntags];
                    else
                        i++;
                rebuild(p);
                submit_locks(p);
            } else {
                p->error =
                    xasprintf("pg_stat_activity: %s",
                              ev->error ? ev->error->message : eng_done_status_name(ev->status));
            }
        }
        return PANE_REDRAW;
    }
    if (ev->id == p->locks_id) {
        if (ev->kind == EV_RESULT && ev->result &&
            eng_result_status(ev->result) == ENG_RES_TUPLES) {
            mon_locks_free(p->locks_incoming);
            p->locks_incoming = mon_locks_parse(ev->result, &err);
            free(err);
        } else if (ev->kind == EV_DONE) {
            p->locks_id = 0;
            if (p->locks_incoming) {
                mon_locks_free(p->locks);
                p->locks = p->locks_incoming;
                p->locks_pid = p->locks_incoming_pid;
                p->locks_incoming = NULL;
            }
        }
        return PANE_REDRAW;
    }
    for (int i = 0; i < p->nsig; i++) {
        pending_signal *s = &p->sig[i];
        if (ev->id != s->id || s->done)
            continue;
        if (ev->kind == EV_RESULT && ev->result) {
            if (eng_result_status(ev->result) == ENG_RES_TUPLES &&
                eng_result_nrows(ev->result) == 1)
                snprintf(s->result, sizeof s->result, "%s",
                         eng_result_value(ev->result, 0, 0)[0] == 't'
                             ? "signalled"
                             : "not signalled (no such backend, see the server log)");
            else if (eng_result_error(ev->result))
                snprintf(s->result, sizeof s->result, "refused: %s",
                         eng_result_error(ev->result)->message);
        } else if (ev->kind == EV_DONE) {
            s->done = true;
            if (ev->status != ENG_DONE_OK)
                snprintf(s->result, sizeof s->result, "not applied: %s",
                         ev->error ? ev->error->message : eng_done_status_name(ev->status));
            else if (!s->result[0])
                snprintf(s->result, sizeof s->result, "unknown");
            signals_report(p);
        }
        return PANE_REDRAW;
    }
    return 0;
}

/* ---- actions ----------------------------------------------------------------- */

/* The pids a C or K acts on: the tagged ones, else the selected one. */
static int target_pids(activity_pane *p, int **out)
{
    if (p->ntags) {
        *out = xmalloc(p->ntags * sizeof **out);
        memcpy(*out, p->tags, p->ntags * sizeof **out);
        return (int)p->ntags;
    }
    const mon_backend *b = selected(p);
    if (!b)
        return 0;
    *out = xmalloc(sizeof **out);
    (*out)[0] = b->pid;
    return 1;
}

static void signal_confirm_cb(pane *pp, bool yes)
{
    activity_pane *p = AP(pp);
    if (!yes) {
        app_message(p->a, MSG_INFO, "%s not applied", p->terminate ? "terminate" : "cancel");
        free(p->sig);
        p->sig = NULL;
        p->nsig = 0;
        return;
    }
    for (int i = 0; i < p->nsig; i++) {
        char pid[16];
        snprintf(pid, sizeof pid, "%d", p->sig[i].pid);
        const char *params[1] = {pid};
        p->sig[i].id = submit(p, mon_signal_sql(p->terminate), 1, params, "activity:signal");
    }
    p->ntags = 0;
    app_mark_dirty(p->a, pp);
}

static void start_signal(activity_pane *p, bool terminate)
{
    const char *what = terminate ? "terminate" : "cancel";
    if (app_readonly(p->a)) {
        app_message(p->a, MSG_WARN, "read-only mode: %s is disabled", what);
        return;
    }
    if (p->nsig) {
        app_message(p->a, MSG_WARN, "a %s is still in progress",
                    p->terminate ? "terminate" : "cancel");
        return;
    }
    int *pids;
    int n = target_pids(p, &pids);
    if (n == 0) {
        app_message(p->a, MSG_WARN, "no backend selected");
        return;
    }
    p->terminate = terminate;
    p->sig = xcalloc((size_t)n, sizeof *p->sig);
    p->nsig = n;
    for (int i = 0; i < n; i++)
        p->sig[i].pid = pids[i];
    char list[256];
    format_pids(pids, n, list, sizeof list);
    char *q = n == 1
                  ? xasprintf("%s backend %s%s?", terminate ? "Terminate" : "Cancel the query of",
                              list, terminate ? " (its session ends)" : "")
                  : xasprintf("%s %d tagged backends (%s)?",
                              terminate ? "Terminate" : "Cancel the queries of", n, list);
    app_confirm(p->a, (pane *)p, q, signal_confirm_cb);
    free(q);
    free(pids);
}

static void filter_cb(pane *pp, const char *answer)
{
    activity_pane *p = AP(pp);
    if (!answer)
        return;
    free(p->filter);
    p->filter = answer[0] ? xstrdup(answer) : NULL;
    rebuild(p);
    app_mark_dirty(p->a, pp);
}

static void set_view(activity_pane *p, mon_view v)
{
    p->view = p->view == v ? MON_VIEW_ALL : v;
    rebuild(p);
    app_message(p->a, MSG_INFO, "view: %s", mon_view_name(p->view));
}

static int act_on_key(pane *pp, int ch, bool is_key)
{
    activity_pane *p = AP(pp);
    if (!is_key) {
        switch (ch) {
        case 'C':
            start_signal(p, false);
            return PANE_HANDLED | PANE_REDRAW;
        case 'K':
            start_signal(p, true);
            return PANE_HANDLED | PANE_REDRAW;
        case ' ':
        case 't': {
            const mon_backend *b = selected(p);
            if (b) {
                toggle_tag(p, b->pid);
                wg_list_select(&p->list, p->list.sel + 1 < p->nvis ? p->list.sel + 1 : p->list.sel);
            }
            return PANE_HANDLED | PANE_REDRAW;
        }
        case 'u':
            p->ntags = 0;
            return PANE_HANDLED | PANE_REDRAW;
        case 'r':
            set_view(p, MON_VIEW_RUNNING);
            return PANE_HANDLED | PANE_REDRAW;
        case 'w':
            set_view(p, MON_VIEW_WAITING);
            return PANE_HANDLED | PANE_REDRAW;
        case 'b':
            set_view(p, MON_VIEW_BLOCKING);
            return PANE_HANDLED | PANE_REDRAW;
        case 'a':
            p->view = MON_VIEW_ALL;
            rebuild(p);
            return PANE_HANDLED | PANE_REDRAW;
        case 'i':
            p->show_idle = !p->show_idle;
            rebuild(p);
            app_message(p->a, MSG_INFO, "idle sessions %s", p->show_idle ? "shown" : "hidden");
            return PANE_HANDLED | PANE_REDRAW;
        case 's':
            p->sort = (act_sort)((p->sort + 1) % SORT_COUNT);
            rebuild(p);
            app_message(p->a, MSG_INFO, "sorted by %s", sort_names[p->sort]);
            return PANE_HANDLED | PANE_REDRAW;
        case 'l':
            p->show_locks = !p->show_locks;
            submit_locks(p);
            return PANE_HANDLED | PANE_REDRAW;
        case 'y': {
            const mon_backend *b = selected(p);
            if (b && osc52_copy(b->query))
                app_message(p->a, MSG_INFO, "copied the query of pid %d (OSC 52)", b->pid);
            return PANE_HANDLED;
        }
        case '/':
            app_prompt(p->a, pp, "filter (pid, db, user, app, client, state, text): ",
                       p->filter ? p->filter : "", false, filter_cb);
            return PANE_HANDLED;
        }
    }
    int before = p->list.sel;
    int r = wg_list_key(&p->list, p->a, ch, is_key);
    if (p->list.sel != before) {
        const mon_backend *b = selected(p);
        if (b)
            p->sel_pid = b->pid;
        submit_locks(p);
    }
    return r;
}

/* ---- drawing ----------------------------------------------------------------- */

static void act_draw(pane *pp, WINDOW *win, int rows, int cols)
{
    activity_pane *p = AP(pp);
    p->shown = true;
    werase(win);
    if (rows <= 0 || cols <= 0)
        return;
    size_t total = p->act ? p->act->n : 0, active = 0, idle_x = 0, waiting = 0;
    for (size_t i = 0; i < total; i++) {
        const mon_backend *b = &p->act->rows[i];
        active += strcmp(b->state, "active") == 0;
        idle_x += mon_backend_idle_in_xact(b);
        waiting += b->nblocked_by > 0;
    }
    char title[384], tagged[32] = "";
    if (p->ntags)
        snprintf(tagged, sizeof tagged, " · %zu tagged", p->ntags);
    snprintf(title, sizeof title,
             "Activity: %zu sessions · %zu active · %zu idle in xact · %zu waiting · view %s · "
             "idle %s · sort %s%s%s%s",
             total, active, idle_x, waiting, mon_view_name(p->view),
             p->show_idle ? "shown" : "hidden", sort_names[p->sort], tagged,
             p->filter ? " · filter: " : "", p->filter ? p->filter : "");
    wg_fill(win, 0, 0, cols, theme_attr(TH_TITLE));
    wg_text(win, 0, 0, title, cols, theme_attr(TH_TITLE));
    int y = 1;
    if (p->error) {
        wg_text(win, y++, 0, p->error, cols, theme_attr(TH_BAD));
    }
    int lock_rows = 0;
    const mon_backend *sel = selected(p);
    if (p->show_locks && sel && rows - y > 10)
        lock_rows = (rows - y) / 3;
    int list_rows = rows - y - lock_rows;
    wg_list_draw(&p->list, win, y, 0, list_rows, cols);
    y += list_rows;
    if (lock_rows <= 0)
        return;
    char line[512];
    snprintf(line, sizeof line, "pid %d locks%s (l hides)", sel->pid,
             p->locks && p->locks_pid == sel->pid ? "" : " (loading)");
    wg_fill(win, y, 0, cols, theme_attr(TH_LABEL));
    wg_text(win, y++, 0, line, cols, theme_attr(TH_LABEL));
    int end = y + lock_rows - 1;
    if (y < end)
        wg_text(win, y++, 0, sel->query, cols, theme_attr(TH_DIM));
    if (!p->locks || p->locks_pid != sel->pid)
        return;
    if (p->locks->n == 0 && y < end)
        wg_text(win, y++, 2, "no locks", cols - 2, theme_attr(TH_DIM));
    for (size_t i = 0; i < p->locks->n && y < end; i++) {
        const mon_lock *l = &p->locks->rows[i];
        char holders[128] = "";
        if (!l->granted && l->nholders) {
            char pids[96];
            format_pids(l->holders, l->nholders, pids, sizeof pids);
            snprintf(holders, sizeof holders, "  blocked by %s", pids);
        }
        snprintf(line, sizeof line, "%-8s %-24s %-14s %s%s", l->granted ? "held" : "AWAITED",
                 l->mode, l->locktype, l->object, holders);
        wg_text(win, y++, 2, line, cols - 2, theme_attr(l->granted ? TH_NORMAL : TH_BAD));
    }
}

/* ---- lifecycle --------------------------------------------------------------- */

static pane *act_create(app *a)
{
    activity_pane *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->e = app_engine(a);
    p->show_locks = true;
    p->sel_pid = -1;
    wg_list_init(&p->list, act_cols, NCOLS, cell, p);
    p->list.row_attr = row_attr;
    return (pane *)p;
}

static void act_destroy(pane *pp)
{
    activity_pane *p = AP(pp);
    if (!p)
        return;
    wg_list_free(&p->list);
    mon_activity_free(p->act);
    mon_activity_free(p->incoming);
    mon_locks_free(p->locks);
    mon_locks_free(p->locks_incoming);
    free(p->vis);
    free(p->filter);
    free(p->tags);
    free(p->sig);
    free(p->error);
    free(p);
}

static int act_on_tick(pane *pp)
{
    activity_pane *p = AP(pp);
    if (!p->shown)
        return 0;
    act_refresh(p);
    return 0;
}

static void act_on_show(pane *pp, bool shown)
{
    activity_pane *p = AP(pp);
    p->shown = shown;
    if (shown)
        act_refresh(p);
}

static bool act_busy(const pane *pp)
{
    return ((const activity_pane *)pp)->nsig > 0;
}

static const pane_key act_keys[] = {
    {"C", "Cancel", "cancel the query of the selected (or every tagged) backend, after y"},
    {"K", "Kill", "terminate the selected (or every tagged) backend, after y"},
    {"Space", "Tag", "tag / untag the selected backend (u untags all)"},
    {"t", "Tag", "tag / untag the selected backend (as Space)"},
    {"r", "Running", "view: running statements (again: all)"},
    {"w", "Waiting", "view: backends waiting for a lock (again: all)"},
    {"b", "Blocking", "view: backends blocking others (again: all)"},
    {"a", "All", "view: all non-idle backends"},
    {"i", "Idle", "show / hide idle sessions"},
    {"s", "Sort", "sort by query time, transaction time, pid, database, user, state"},
    {"/", "Filter", "filter by pid, database, user, application, client, state or text"},
    {"l", "Locks", "show / hide the locks held and awaited by the selected backend"},
    {"y", "Copy", "copy the selected query to the clipboard (OSC 52)"},
    {NULL, NULL, NULL},
};

const pane_class pane_activity_class = {
    .name = "Activity",
    .tag_prefix = "activity:",
    .create = act_create,
    .destroy = act_destroy,
    .draw = act_draw,
    .on_key = act_on_key,
    .on_event = act_on_event,
    .on_tick = act_on_tick,
    .on_show = act_on_show,
    .busy = act_busy,
    .keys = act_keys,
};
