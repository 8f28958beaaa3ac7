/* pane_slow.c — pane 2, Slow: three sources in one view.
 *
 *   Server  pg_stat_statements top N (monitor_pgss.c builds the SQL for
 *           the server's version), cumulative and per-second figures, filter
 *           (db:NAME user:NAME text) bound as parameters, a detail view.
 *   Now     statements in pg_stat_activity running over slow_threshold.
 *   Client  pgdeck's own per-fingerprint metrics and slow log, joined to
 *           the server rows whose normalized text has the same fingerprint.
 *
 * Server and Now are refreshed by the monitor driver (monitor.h: probe,
 * statements, texts, rates), the actions (EXPLAIN, reset, create) go
 * through eng_exec here; all with ENG_EXEC_NOMETRICS and a "slow:" tag, at
 * most one of each kind in flight, so a slow server never piles up
 * requests. Without pg_stat_statements the server section says why and
 * what to do (monitor_probe.c's diagnosis) and offers CREATE EXTENSION. */
#include "config.h"

#include "common/sqlsplit.h"
#include "common/sqlquote.h"
#include "common/utf8.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "common/fmt.h"
#include "monitor/monitor.h"
#include "ui/osc52.h"
#include "ui/plan_view.h"
#include "ui/pane.h"
#include "ui/editor_link.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SEC_SERVER, SEC_NOW, SEC_CLIENT, SEC_COUNT };

typedef struct slow_pane {
    app *a;
    engine *e;
    bool shown;
    /* server and now: probe, statements, texts, rates and the running list */
    mon_driver mon;
    eng_id action_id, explain_id;
    /* client */
    eng_stmt_metric *metrics;
    size_t nmetrics;
    eng_slow_entry *slowlog;
    size_t nslow;
    bool show_slowlog;
    size_t *client_order; /* metrics sorted by total time */
    /* lists */
    bool narrow; /* the server list shows its narrow column set */
    wg_list list[SEC_COUNT];
    int focus;
    /* selection that survives refreshes */
    mon_stmt sel_key;
    bool has_sel_key;
    /* detail view */
    bool detail;
    int detail_top;
    mon_stmt *detail_row; /* copy of the row shown (owned strings) */
    int detail_left;      /* horizontal scroll of the plan and counters */
    int detail_cols;      /* width of the last draw: the statement wraps there */
    char *explain_title, *explain_text;
    bool explain_running;
    plan_view *plan;    /* the finished EXPLAIN as a tree (plan_view.c) */
    bool plan_open;     /* ... shown over the detail view (t) */
    char *explain_stmt; /* the text explained, values inlined (the advisor's) */
    eng_session explain_session;
    /* EXPLAIN as the statement's author (doc/security.md): lookup, y/n,
     * then setup / run / ROLLBACK on a session discarded afterwards */
    eng_id author_id, setup_id, rollback_id;
    mon_explain_author author;
    bool explain_asking; /* the confirmation is open */
    char *setup_error;
    /* what an action runs on (copied when the key was pressed) */
    char *action_sql;
    bool action_analyze;
    char *action_author_oid;  /* pg_stat_statements.userid, or NULL */
    char *action_author_name; /* pg_stat_activity's usename, or NULL (the DBA) */
    const char *action_kind;  /* "reset", "create" */
    /* a recorded moment shown instead of live data (moment.h; the app's),
     * and its statements running longer than the threshold (the pane's) */
    ui_moment *moment;
    mon_activity *moment_now;
} slow_pane;

static slow_pane *SP(pane *p)
{
    return (slow_pane *)p;
}

/* ---- helpers ---------------------------------------------------------------- */

/* The statements and the running list shown: the moment's on a recording. */
static mon_pgss_snap *shown(const slow_pane *p)
{
    return p->moment ? p->moment->pgss : p->mon.cur;
}

static const mon_activity *shown_now(const slow_pane *p)
{
    return p->moment ? p->moment_now : p->mon.now;
}

/* A recorded row has the deltas over the moment's interval, not the
 * server's cumulative counters: the list shows those. */
static double figure(const slow_pane *p, const mon_stmt *m, mon_counter k)
{
    if (p->moment)
        return m->has_rate || !isnan(m->d[k]) ? m->d[k] : NAN;
    return m->c[k];
}

static double threshold_ms(const slow_pane *p)
{
    const pgdeck_config *cfg = app_config(p->a);
    return cfg && cfg->slow_threshold > 0 ? cfg->slow_threshold : 50;
}

static eng_id submit_flags(slow_pane *p, const char *sql, int nparams, const char *const *params,
                           const char *tag, eng_session session, unsigned flags)
{
    eng_exec_args args = {.sql = sql,
                          .nparams = nparams,
                          .params = params,
                          .session = session,
                          .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE | flags,
                          .tag = tag};
    return eng_exec(p->e, &args);
}

static eng_id submit(slow_pane *p, const char *sql, int nparams, const char *const *params,
                     const char *tag, eng_session session)
{
    return submit_flags(p, sql, nparams, params, tag, session, 0);
}

static const eng_stmt_metric *metric_for(const slow_pane *p, uint64_t fp)
{
    if (!fp)
        return NULL;
    for (size_t i = 0; i < p->nmetrics; i++)
        if (p->metrics[i].fingerprint == fp)
            return &p->metrics[i];
    return NULL;
}

static const mon_stmt *server_row_for(const slow_pane *p, uint64_t fp)
{
    const mon_pgss_snap *snap = shown(p);
    for (size_t i = 0; fp && snap && i < snap->n; i++)
        if (snap->rows[i].fingerprint == fp)
            return &snap->rows[i];
    return NULL;
}

static const mon_stmt *selected_stmt(const slow_pane *p)
{
    int s = p->list[SEC_SERVER].sel;
    const mon_pgss_snap *snap = shown(p);
    if (!snap || s < 0 || (size_t)s >= snap->n)
        return NULL;
    return &snap->rows[s];
}

static void free_row_copy(mon_stmt *m)
{
    if (!m)
        return;
    free(m->database);
    free(m->user);
    free(m->query);
    free(m);
}

static mon_stmt *copy_row(const mon_stmt *m)
{
    mon_stmt *c = xmalloc(sizeof *c);
    *c = *m;
    c->database = xstrdup(m->database);
    c->user = xstrdup(m->user);
    c->query = xstrdup(m->query);
    return c;
}

static bool same_key(const mon_stmt *a, const mon_stmt *b)
{
    return a->userid == b->userid && a->dbid == b->dbid && a->queryid == b->queryid &&
           a->toplevel == b->toplevel && a->has_queryid == b->has_queryid;
}

/* ---- cells -------------------------------------------------------------------- */

static const wg_col server_cols[] = {
    {"calls", 6, WG_RIGHT}, {"calls/s", 7, WG_RIGHT}, {"total ms", 8, WG_RIGHT},
    {"ms/s", 6, WG_RIGHT},  {"mean", 7, WG_RIGHT},    {"rows", 6, WG_RIGHT},
    {"read", 5, WG_RIGHT},  {"tmp_w", 5, WG_RIGHT},   {"cli p95", 7, WG_RIGHT},
    {"db", 8, 0},           {"user", 8, 0},           {"query", 0, WG_FLEX},
};

/* Under NARROW_COLS columns: the figures read first, and always the query
 * (column numbers of server_cols in server_narrow_map). */
#define NARROW_COLS 110
static const wg_col server_cols_narrow[] = {
    {"calls", 6, WG_RIGHT}, {"total ms", 8, WG_RIGHT}, {"mean", 7, WG_RIGHT}, {"db", 8, 0},
    {"user", 8, 0},         {"query", 0, WG_FLEX},
};
static const int server_narrow_map[] = {0, 2, 4, 9, 10, 11};

/* Statements run inside a function or procedure (toplevel false, 1.9+). */
static const char *nested_mark(void)
{
    return wg_unicode() ? "\u21b3nested " : "(nested) ";
}

static const char *server_cell(void *ctx, int row, int col, char *buf, size_t n)
{
    slow_pane *p = ctx;
    const mon_pgss_snap *snap = shown(p);
    if (!snap || row < 0 || (size_t)row >= snap->n)
        return NULL;
    const mon_stmt *m = &snap->rows[row];
    if (p->narrow && col >= 0 && col < (int)(sizeof server_narrow_map / sizeof *server_narrow_map))
        col = server_narrow_map[col];
    switch (col) {
    case 0:
        fmt_count(figure(p, m, MC_CALLS), buf, n);
        return buf;
    case 1:
        fmt_count(m->has_rate ? m->r[MC_CALLS] : NAN, buf, n);
        return buf;
    case 2:
        fmt_ms(figure(p, m, MC_TOTAL_MS), buf, n);
        return buf;
    case 3:
        fmt_ms(m->has_rate ? m->r[MC_TOTAL_MS] : NAN, buf, n);
        return buf;
    case 4:
        fmt_ms(p->moment ? m->interval_mean_ms : m->g[MG_MEAN_MS], buf, n);
        return buf;
    case 5:
        fmt_count(figure(p, m, MC_ROWS), buf, n);
        return buf;
    case 6:
        fmt_count(figure(p, m, MC_SHARED_READ), buf, n);
        return buf;
    case 7:
        fmt_count(figure(p, m, MC_TEMP_WRITTEN), buf, n);
        return buf;
    case 8: {
        const eng_stmt_metric *cm = metric_for(p, m->fingerprint);
        if (!cm)
            return "";
        fmt_ms(cm->p95_ms, buf, n);
        return buf;
    }
    case 9:
        return m->database;
    case 10:
        return m->user;
    case 11:
        if (!m->toplevel && (p->moment || mon_server_has_toplevel(&p->mon.srv))) {
            snprintf(buf, n, "%s%s", nested_mark(), m->query);
            return buf;
        }
        return m->query;
    }
    return NULL;
}

static const wg_col now_cols[] = {
    {"pid", 7, WG_RIGHT}, {"running", 8, WG_RIGHT}, {"db", 10, 0},
    {"user", 10, 0},      {"wait", 14, 0},          {"query", 0, WG_FLEX},
};

static const char *now_cell(void *ctx, int row, int col, char *buf, size_t n)
{
    slow_pane *p = ctx;
    const mon_activity *now = shown_now(p);
    if (!now || row < 0 || (size_t)row >= now->n)
        return NULL;
    const mon_backend *b = &now->rows[row];
    switch (col) {
    case 0:
        snprintf(buf, n, "%d", b->pid);
        return buf;
    case 1:
        fmt_duration(b->query_s, buf, n);
        return buf;
    case 2:
        return b->database;
    case 3:
        return b->user;
    case 4:
        if (!b->wait_type[0])
            return "";
        snprintf(buf, n, "%s:%s", b->wait_type, b->wait_event);
        return buf;
    case 5:
        return b->query;
    }
    return NULL;
}

static const wg_col client_cols[] = {
    {"calls", 7, WG_RIGHT}, {"err", 5, WG_RIGHT}, {"p50", 7, WG_RIGHT},      {"p95", 7, WG_RIGHT},
    {"p99", 7, WG_RIGHT},   {"max", 7, WG_RIGHT}, {"srv mean", 8, WG_RIGHT}, {"query", 0, WG_FLEX},
};

static const wg_col slowlog_cols[] = {
    {"at", 8, 0},     {"ms", 8, WG_RIGHT},   {"pid", 7, WG_RIGHT},
    {"result", 6, 0}, {"query", 0, WG_FLEX},
};

static const char *client_cell(void *ctx, int row, int col, char *buf, size_t n)
{
    slow_pane *p = ctx;
    if (p->show_slowlog) {
        if (row < 0 || (size_t)row >= p->nslow)
            return NULL;
        const eng_slow_entry *s = &p->slowlog[row];
        switch (col) {
        case 0: {
            time_t t = (time_t)s->at;
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(buf, n, "%H:%M:%S", &tm);
            return buf;
        }
        case 1:
            fmt_ms(s->ms, buf, n);
            return buf;
        case 2:
            snprintf(buf, n, "%d", s->backend_pid);
            return buf;
        case 3:
            return s->failed ? "error" : "ok";
        case 4:
            return s->query;
        }
        return NULL;
    }
    if (row < 0 || (size_t)row >= p->nmetrics)
        return NULL;
    const eng_stmt_metric *m = &p->metrics[p->client_order[row]];
    switch (col) {
    case 0:
        fmt_count((double)m->calls, buf, n);
        return buf;
    case 1:
        fmt_count((double)m->errors, buf, n);
        return buf;
    case 2:
        fmt_ms(m->p50_ms, buf, n);
        return buf;
    case 3:
        fmt_ms(m->p95_ms, buf, n);
        return buf;
    case 4:
        fmt_ms(m->p99_ms, buf, n);
        return buf;
    case 5:
        fmt_ms(m->max_ms, buf, n);
        return buf;
    case 6: {
        const mon_stmt *s = server_row_for(p, m->fingerprint);
        if (!s)
            return "";
        fmt_ms(s->g[MG_MEAN_MS], buf, n);
        return buf;
    }
    case 7:
        return m->query;
    }
    return NULL;
}

static unsigned long server_row_attr(void *ctx, int row)
{
    slow_pane *p = ctx;
    const mon_pgss_snap *snap = shown(p);
    if (!snap || row < 0 || (size_t)row >= snap->n)
        return 0;
    const mon_stmt *m = &snap->rows[row];
    if (m->hidden_text)
        return theme_attr(TH_DIM);
    if ((p->moment ? m->interval_mean_ms : m->g[MG_MEAN_MS]) > threshold_ms(p))
        return theme_attr(TH_WARN);
    return 0;
}

static unsigned long now_row_attr(void *ctx, int row)
{
    (void)ctx;
    (void)row;
    return theme_attr(TH_WARN);
}

static unsigned long client_row_attr(void *ctx, int row)
{
    slow_pane *p = ctx;
    if (p->show_slowlog)
        return row >= 0 && (size_t)row < p->nslow && p->slowlog[row].failed ? theme_attr(TH_BAD)
                                                                            : 0;
    return 0;
}

/* ---- data refresh --------------------------------------------------------- */

static const slow_pane *g_order_pane; /* for the qsort below (UI thread only) */

static int client_cmp(const void *a, const void *b)
{
    const eng_stmt_metric *x = &g_order_pane->metrics[*(const size_t *)a];
    const eng_stmt_metric *y = &g_order_pane->metrics[*(const size_t *)b];
    if (x->total_ms != y->total_ms)
        return x->total_ms > y->total_ms ? -1 : 1;
    return 0;
}

static void refresh_client(slow_pane *p)
{
    if (!p->e)
        return; /* a console on a recording alone: pgdeck ran nothing */
    eng_metrics_free(p->metrics, p->nmetrics);
    eng_slowlog_free(p->slowlog, p->nslow);
    free(p->client_order);
    p->nmetrics = eng_metrics_get(p->e, &p->metrics);
    p->nslow = eng_slowlog_get(p->e, &p->slowlog);
    p->client_order = xmalloc((p->nmetrics + 1) * sizeof *p->client_order);
    for (size_t i = 0; i < p->nmetrics; i++)
        p->client_order[i] = i;
    g_order_pane = p;
    if (p->nmetrics > 1)
        qsort(p->client_order, p->nmetrics, sizeof *p->client_order, client_cmp);
    wg_list_set_count(&p->list[SEC_CLIENT], (int)(p->show_slowlog ? p->nslow : p->nmetrics));
}

static void slow_refresh(slow_pane *p)
{
    if (p->moment || !p->e)
        return; /* a recording is shown: no server is asked */
    p->mon.threshold_ms = threshold_ms(p);
    mon_driver_refresh(&p->mon);
    refresh_client(p);
}

/* Sorts the rows again (s, r) with the cursor staying on its statement. */
static void resort_keep_selection(slow_pane *p)
{
    mon_pgss_snap *snap = shown(p);
    if (!snap)
        return;
    const mon_stmt *sel = selected_stmt(p);
    mon_stmt key = {0};
    bool have = sel != NULL;
    if (have)
        key = *sel;
    /* a recording has no cumulative figures: its rates order as its deltas */
    mon_pgss_sort(snap, p->mon.sort, p->mon.by_rate || p->moment);
    for (size_t i = 0; have && i < snap->n; i++)
        if (same_key(&snap->rows[i], &key)) {
            wg_list_select(&p->list[SEC_SERVER], (int)i);
            break;
        }
}

/* The driver has a new snapshot (with rates, sorted): the cursor stays on
 * the statement it was on in the previous one. */
static void install_snapshot(slow_pane *p)
{
    const mon_pgss_snap *old = p->mon.prev, *snap = p->mon.cur;
    int s = p->list[SEC_SERVER].sel;
    if (old && s >= 0 && (size_t)s < old->n) {
        p->sel_key = old->rows[s];
        p->has_sel_key = true;
    }
    wg_list_set_count(&p->list[SEC_SERVER], (int)snap->n);
    if (p->has_sel_key)
        for (size_t i = 0; i < snap->n; i++)
            if (same_key(&snap->rows[i], &p->sel_key)) {
                wg_list_select(&p->list[SEC_SERVER], (int)i);
                break;
            }
    if (snap->reset_seen)
        app_message(p->a, MSG_INFO, "pg_stat_statements was reset: rates restart");
    if (p->detail && p->detail_row)
        for (size_t i = 0; i < snap->n; i++)
            if (same_key(&snap->rows[i], p->detail_row)) {
                free_row_copy(p->detail_row);
                p->detail_row = copy_row(&snap->rows[i]);
                break;
            }
}

/* The baseline is no longer comparable (filter changed, stats reset). */
static void drop_baseline(slow_pane *p)
{
    mon_driver_drop_baseline(&p->mon);
    wg_list_set_count(&p->list[SEC_SERVER], 0);
}

/* ---- events ----------------------------------------------------------------- */

static void explain_append(slow_pane *p, const eng_result *r)
{
    strbuf sb;
    sb_init(&sb);
    if (p->explain_text)
        sb_append(&sb, p->explain_text);
    for (int i = 0; i < eng_result_nrows(r); i++) {
        sb_append(&sb, eng_result_value(r, i, 0));
        sb_append_c(&sb, '\n');
    }
    free(p->explain_text);
    p->explain_text = sb_steal(&sb);
}

static void explain_author_known(slow_pane *p);

/* The JSON plan: shown first as a tree over the detail view (plan_view.c,
 * hottest node selected); t or Esc there goes to the detail view, which
 * holds EXPLAIN's text form with a summary, and t there back to the tree.
 * A text that is not a plan is replaced by the reason. */
static void explain_show_plan(slow_pane *p)
{
    char *err = NULL;
    plan *pl = plan_parse(p->explain_text, strlen(p->explain_text), &err);
    free(p->explain_text);
    if (!pl) {
        p->explain_text = xasprintf("ERROR: cannot read the plan: %s\n", err);
        free(err);
        return;
    }
    strbuf sb;
    sb_init(&sb);
    plan_format_text(pl, &sb);
    size_t mis = 0;
    for (size_t i = 0; i < pl->nnodes; i++)
        mis += pl->nodes[i]->misestimated;
    sb_printf(&sb, "\nt: the plan as a tree · hottest node: ");
    sb_append(&sb, pl->hottest->type); /* wg_text escapes what it draws */
    sb_printf(&sb, " (%.0f %% of the %s)", pl->hottest->share * 100,
              pl->analyzed ? "time" : "cost");
    if (mis)
        sb_printf(&sb, " · %zu node%s misestimated %.0fx or more", mis, mis == 1 ? "" : "s",
                  PLAN_MISESTIMATE);
    sb_append_c(&sb, '\n');
    p->explain_text = sb_steal(&sb);
    plan_view_free(p->plan);
    p->plan = plan_view_new(pl, p->explain_title);
    plan_view_text_closes(p->plan, true);
    plan_view_set_advisor(p->plan, p->a, "slow:explain-advisor", p->explain_stmt, p->author.role,
                          p->author.search_path);
    p->plan_open = p->detail; /* the tree first, unless the user left the detail */
}

static int slow_on_event(pane *pp, const eng_event *ev)
{
    slow_pane *p = SP(pp);
    if (p->plan && plan_view_on_event(p->plan, ev))
        return PANE_REDRAW;
    if (ev->kind == EV_POOL) {
        return 0;
    }
    unsigned got = mon_driver_on_event(&p->mon, ev);
    if (got & MON_GOT_ERROR) {
        /* pg_stat_statements' own failures are the diagnosis the list shows;
         * a missing text or now list is no news */
        const mon_failure *f = &p->mon.fail[p->mon.last_failed];
        if (p->mon.last_failed == MON_STEP_PROBE)
            app_message(p->a, MSG_ERROR, "slow: %s%s",
                        f->status == ENG_DONE_OK ? "" : "probe failed: ", f->message);
    }
    if ((got & MON_GOT_PGSS) && !p->moment)
        install_snapshot(p);
    if ((got & MON_GOT_NOW) && !p->moment)
        wg_list_set_count(&p->list[SEC_NOW], (int)p->mon.now->n);
    if (got & MON_EV_MINE)
        return PANE_REDRAW;
    char *err = NULL;
    if (ev->id == p->author_id && ev->id) {
        if (ev->kind == EV_RESULT && ev->result &&
            eng_result_status(ev->result) == ENG_RES_TUPLES) {
            if (!mon_explain_author_parse(ev->result, &p->author, &err))
                app_message(p->a, MSG_ERROR, "slow: %s", err);
            free(err);
        } else if (ev->kind == EV_DONE) {
            p->author_id = 0;
            if (ev->status != ENG_DONE_OK) {
                free(p->explain_title);
                p->explain_title = xstrdup("EXPLAIN not run: the author lookup failed");
                free(p->explain_text);
                p->explain_text =
                    xasprintf("ERROR: %s\n",
                              ev->error ? ev->error->message : eng_done_status_name(ev->status));
            } else {
                explain_author_known(p);
            }
        }
        return PANE_REDRAW;
    }
    if (ev->id == p->setup_id && ev->id) {
        if (ev->kind == EV_DONE) {
            p->setup_id = 0;
            if (ev->status != ENG_DONE_OK && !p->setup_error)
                p->setup_error =
                    xstrdup(ev->error ? ev->error->message : eng_done_status_name(ev->status));
        }
        return 0;
    }
    if (ev->id == p->explain_id && ev->id) {
        if (ev->kind == EV_RESULT && ev->result &&
            eng_result_status(ev->result) == ENG_RES_TUPLES) {
            explain_append(p, ev->result);
        } else if (ev->kind == EV_DONE) {
            p->explain_id = 0;
            p->explain_running = false;
            if (p->setup_error) {
                free(p->explain_text);
                p->explain_text = xasprintf("ERROR: cannot run it as role %s: %s\n",
                                            p->author.role ? p->author.role : "?", p->setup_error);
            } else if (ev->status != ENG_DONE_OK) {
                char *msg = xasprintf("%s%s%s%s\n",
                                      ev->status == ENG_DONE_CANCELED ? "canceled: " : "ERROR: ",
                                      ev->error ? ev->error->message : "",
                                      ev->error && ev->error->hint ? "\nHINT: " : "",
                                      ev->error && ev->error->hint ? ev->error->hint : "");
                free(p->explain_text);
                p->explain_text = msg;
            } else if (!p->explain_text) {
                p->explain_text = xstrdup("(no plan returned)\n");
            } else {
                explain_show_plan(p);
            }
        }
        return PANE_REDRAW;
    }
    if (ev->id == p->rollback_id && ev->id) {
        if (ev->kind == EV_DONE) {
            p->rollback_id = 0;
            /* whatever ran is rolled back; the connection is closed, not
             * returned: nothing it set reaches the pool */
            if (p->explain_session) {
                eng_session_discard(p->e, p->explain_session);
                p->explain_session = 0;
            }
        }
        return PANE_REDRAW;
    }
    if (ev->id == p->action_id && ev->kind == EV_DONE) {
        p->action_id = 0;
        const char *kind = p->action_kind ? p->action_kind : "action";
        if (ev->status == ENG_DONE_OK) {
            if (strcmp(kind, "reset") == 0) {
                app_message(p->a, MSG_INFO, "pg_stat_statements statistics reset");
                drop_baseline(p);
            } else {
                app_message(p->a, MSG_INFO, "pg_stat_statements created in %s",
                            p->mon.srv.database ? p->mon.srv.database : "this database");
                mon_driver_reprobe(&p->mon);
            }
            slow_refresh(p);
        } else {
            app_message(p->a, MSG_ERROR, "%s not applied: %s", kind,
                        ev->error ? ev->error->message : eng_done_status_name(ev->status));
        }
        return PANE_REDRAW;
    }
    return 0;
}

/* ---- actions ---------------------------------------------------------------- */

/* The text the actions work on: the detail row, the selected server row, or
 * the selected client/now row. NULL (with a message) when there is none. */
static const char *action_text(slow_pane *p)
{
    if (p->detail && p->detail_row)
        return p->detail_row->hidden_text ? NULL : p->detail_row->query;
    if (p->focus == SEC_SERVER) {
        const mon_stmt *m = selected_stmt(p);
        if (m && m->hidden_text) {
            app_message(p->a, MSG_WARN, "the text is <insufficient privilege>: not available");
            return NULL;
        }
        return m ? m->query : NULL;
    }
    int s = p->list[p->focus].sel;
    if (s < 0)
        return NULL;
    if (p->focus == SEC_NOW) {
        const mon_activity *now = shown_now(p);
        return now && (size_t)s < now->n ? now->rows[s].query : NULL;
    }
    if (p->show_slowlog)
        return (size_t)s < p->nslow ? p->slowlog[s].query : NULL;
    return (size_t)s < p->nmetrics ? p->metrics[p->client_order[s]].query : NULL;
}

static void open_detail(slow_pane *p)
{
    const mon_stmt *m = selected_stmt(p);
    if (p->focus != SEC_SERVER || !m)
        return;
    free_row_copy(p->detail_row);
    p->detail_row = copy_row(m);
    p->detail = true;
    p->detail_top = 0;
    p->detail_left = 0;
}

/* Splits "v1, v2, 'a,b'" into values: commas outside single quotes separate;
 * surrounding quotes are removed; NULL (unquoted) is SQL NULL. */
static int split_values(const char *s, char ***out)
{
    char **v = NULL;
    size_t cap = 0;
    int n = 0;
    const char *q = s;
    while (*q) {
        while (*q == ' ')
            q++;
        strbuf sb;
        sb_init(&sb);
        bool quoted = false, was_quoted = false;
        for (; *q && (quoted || *q != ','); q++) {
            if (*q == '\'') {
                if (quoted && q[1] == '\'') {
                    sb_append_c(&sb, '\'');
                    q++;
                } else {
                    quoted = !quoted;
                    was_quoted = true;
                }
                continue;
            }
            sb_append_c(&sb, *q);
        }
        while (!was_quoted && sb.len && sb.data[sb.len - 1] == ' ')
            sb.data[--sb.len] = '\0';
        v = xgrow(v, &cap, (size_t)n + 1, sizeof *v);
        if (!was_quoted && strcmp(sb.data, "NULL") == 0) {
            v[n++] = NULL;
            sb_free(&sb);
        } else {
            v[n++] = sb_steal(&sb);
        }
        if (*q == ',')
            q++;
    }
    *out = v;
    return n;
}

/* Shows the detail view of the statement an EXPLAIN is about (a blank row
 * for texts from the Now and Client sections). */
static void explain_show_detail(slow_pane *p, const char *query)
{
    if (p->detail)
        return;
    const mon_stmt *m = selected_stmt(p);
    if (m && p->focus == SEC_SERVER) {
        open_detail(p);
        return;
    }
    free_row_copy(p->detail_row);
    mon_stmt *blank = xcalloc(1, sizeof *blank);
    blank->query = xstrdup(query);
    blank->database = xstrdup("");
    /* the Now section's author, so e/E/o from this view keep it */
    blank->user = xstrdup(p->action_author_name ? p->action_author_name : "");
    blank->toplevel = true;
    blank->interval_mean_ms = NAN;
    p->detail_row = blank;
    p->detail = true;
    p->detail_top = 0;
    p->detail_left = 0;
}

/* "role attacker" / "role postgres (superuser)" */
static char *author_label(const mon_explain_author *a)
{
    return xasprintf("role %s%s", a->role, a->role_super ? " (superuser)" : "");
}

/* Runs EXPLAIN in the sandbox: a session of its own (BEGIN, the function
 * owned by the author, the EXPLAIN through it, ROLLBACK), discarded when the
 * ROLLBACK is answered. Nothing of it goes to the editor: the editor would
 * run the text with the DBA's rights and commit it. */
static void run_explain(slow_pane *p, const char *query, bool analyze, int nvalues,
                        const char *const *values)
{
    int nparams = sql_param_count(query, strlen(query));
    bool generic =
        !analyze && nparams > 0 && nvalues == 0 && mon_server_has_generic_plan(&p->mon.srv);
    char *text = nvalues > 0 ? mon_explain_inline_params(query, nvalues, values) : xstrdup(query);
    char *sql = mon_explain_json_sql(text, analyze, generic);
    free(p->explain_stmt);
    p->explain_stmt = text;
    plan_view_free(p->plan);
    p->plan = NULL;
    if (p->explain_id)
        eng_cancel(p->e, p->explain_id);
    if (p->explain_session)
        eng_session_discard(p->e, p->explain_session);
    free(p->explain_text);
    p->explain_text = NULL;
    free(p->setup_error);
    p->setup_error = NULL;
    free(p->explain_title);
    char *who = author_label(&p->author);
    p->explain_title =
        xasprintf("%s as %s%s",
                  analyze   ? "EXPLAIN (ANALYZE, BUFFERS)"
                  : generic ? "EXPLAIN (GENERIC_PLAN)"
                            : "EXPLAIN",
                  who, analyze ? " — executed in a transaction, rolled back" : " — rolled back");
    free(who);
    p->explain_running = true;
    p->explain_session = eng_session_open(p->e);
    char *setup = mon_explain_setup_sql(p->author.role, app_readonly(p->a), MON_EXPLAIN_TIMEOUT_MS);
    p->setup_id =
        submit_flags(p, setup, 0, NULL, "slow:explain-setup", p->explain_session, ENG_EXEC_SIMPLE);
    free(setup);
    const char *params[2] = {sql, p->author.search_path};
    p->explain_id = submit(p, mon_explain_run_sql(), 2, params, "slow:explain", p->explain_session);
    p->rollback_id = submit(p, "ROLLBACK", 0, NULL, "slow:explain-rollback", p->explain_session);
    free(sql);
    explain_show_detail(p, query);
}

static void explain_values_cb(pane *pp, const char *answer)
{
    slow_pane *p = SP(pp);
    if (!answer || !p->action_sql) {
        app_message(p->a, MSG_INFO, "EXPLAIN not run");
        return;
    }
    char **vals;
    int n = split_values(answer, &vals);
    int need = sql_param_count(p->action_sql, strlen(p->action_sql));
    if (n != need) {
        app_message(p->a, MSG_ERROR, "EXPLAIN needs %d value%s, got %d", need, need == 1 ? "" : "s",
                    n);
    } else {
        run_explain(p, p->action_sql, p->action_analyze, n, (const char *const *)vals);
    }
    for (int i = 0; i < n; i++)
        free(vals[i]);
    free(vals);
    app_mark_dirty(p->a, pp);
}

static void explain_go(slow_pane *p)
{
    const char *q = p->action_sql;
    int nparams = sql_param_count(q, strlen(q));
    if (nparams > 0 && (p->action_analyze || !mon_server_has_generic_plan(&p->mon.srv))) {
        char *question =
            nparams == 1
                ? xstrdup("value for $1 ('quoted' or NULL): ")
                : xasprintf("values for $1..$%d (comma separated, 'quoted', NULL): ", nparams);
        app_prompt(p->a, (pane *)p, question, "", false, explain_values_cb);
        free(question);
        return;
    }
    run_explain(p, q, p->action_analyze, 0, NULL);
}

static void explain_confirm_cb(pane *pp, bool yes)
{
    slow_pane *p = SP(pp);
    p->explain_asking = false;
    if (yes) {
        free(p->explain_title);
        p->explain_title = xstrdup("EXPLAIN — confirmed");
        explain_go(p);
    } else {
        free(p->explain_title);
        p->explain_title = NULL;
        app_message(p->a, MSG_INFO, "EXPLAIN not run");
    }
    app_mark_dirty(p->a, pp);
}

/* The author lookup answered: refuse, ask, or run. */
static void explain_author_known(slow_pane *p)
{
    const mon_explain_author *a = &p->author;
    free(p->explain_title);
    p->explain_title = NULL;
    if (!a->role) {
        app_message(p->a, MSG_ERROR,
                    "EXPLAIN refused: the statement's author (role oid %s) no longer exists",
                    p->action_author_oid ? p->action_author_oid : "?");
        return;
    }
    if (!a->may_become) {
        p->explain_title = xasprintf("EXPLAIN refused: written by role %s; %s is not a member of "
                                     "it, and pgdeck runs it only with its author's rights",
                                     a->role, a->dba);
        app_message(p->a, MSG_ERROR, "EXPLAIN refused: only role %s (or a member) may run it",
                    a->role);
        return;
    }
    bool ask = p->action_analyze || a->functions[0];
    if (!ask) {
        explain_go(p);
        return;
    }
    p->explain_asking = true;
    p->explain_title = xstrdup(p->action_analyze ? "EXPLAIN ANALYZE — waiting for y/n"
                                                 : "EXPLAIN — waiting for y/n");
    char *q =
        p->action_analyze
            ? xasprintf("EXPLAIN ANALYZE executes it as role %s (rolled back). Run it?", a->role)
            : xasprintf("EXPLAIN runs %s as role %s at plan time. Run it?", a->functions, a->role);
    app_confirm(p->a, (pane *)p, q, explain_confirm_cb);
    free(q);
}

static void start_explain(slow_pane *p, bool analyze)
{
    const char *q = action_text(p);
    if (!q) {
        if (!p->detail || !p->detail_row || p->detail_row->hidden_text)
            app_message(p->a, MSG_WARN, "no statement text to explain");
        return;
    }
    if (p->author_id || p->explain_asking)
        return; /* one at a time */
    free(p->action_sql);
    p->action_sql = xstrdup(q);
    p->action_analyze = analyze;
    free(p->action_author_oid);
    free(p->action_author_name);
    p->action_author_oid = p->action_author_name = NULL;
    /* the author: pg_stat_statements' userid, pg_stat_activity's user, or
     * (the Client section) the DBA, who ran it through this console */
    const mon_stmt *m = p->detail                ? p->detail_row
                        : p->focus == SEC_SERVER ? selected_stmt(p)
                                                 : NULL;
    if (m && m->has_queryid) {
        p->action_author_oid = xasprintf("%u", (unsigned)m->userid);
    } else if (!p->detail && p->focus == SEC_NOW && p->mon.now) {
        int s = p->list[SEC_NOW].sel;
        if (s >= 0 && (size_t)s < p->mon.now->n)
            p->action_author_name = xstrdup(p->mon.now->rows[s].user);
    } else if (p->detail && m && m->user && m->user[0]) {
        p->action_author_name = xstrdup(m->user);
    }
    char *funcs, *ops;
    mon_explain_candidates(q, &funcs, &ops);
    const char *params[4] = {p->action_author_oid, p->action_author_name, funcs, ops};
    p->author_id = submit(p, mon_explain_author_sql(), 4, params, "slow:explain-author", 0);
    free(funcs);
    free(ops);
    mon_explain_author_free(&p->author);
    explain_show_detail(p, q);
    free(p->explain_text);
    p->explain_text = NULL;
    free(p->explain_title);
    p->explain_title = xstrdup("EXPLAIN: looking up the statement's author…");
}

/* o: the text into the editor, never to be committed by accident: it opens
 * in a transaction, with the author's role when it is not the DBA's, under
 * a comment naming the author. */
static void open_in_editor(slow_pane *p)
{
    const char *q = action_text(p);
    if (!q)
        return;
    const char *author = NULL;
    const mon_stmt *m = p->detail                ? p->detail_row
                        : p->focus == SEC_SERVER ? selected_stmt(p)
                                                 : NULL;
    if (m && m->user && m->user[0])
        author = m->user;
    else if (!p->detail && p->focus == SEC_NOW && p->mon.now && p->list[SEC_NOW].sel >= 0 &&
             (size_t)p->list[SEC_NOW].sel < p->mon.now->n)
        author = p->mon.now->rows[p->list[SEC_NOW].sel].user;
    char *text;
    if (author) {
        bool other = !p->mon.srv.user || strcmp(author, p->mon.srv.user) != 0;
        char *who = sql_quote_ident(author);
        char *role_line = other ? xasprintf("SET LOCAL ROLE %s;\n", who) : xstrdup("");
        text = xasprintf("-- written by role %s (from the Slow pane): opened in a transaction,\n"
                         "-- COMMIT or ROLLBACK it yourself. SET ROLE limits its rights, but the\n"
                         "-- functions it calls can undo it: read them before you run it.\n"
                         "BEGIN;\n%s%s",
                         who, role_line, q);
        free(who);
        free(role_line);
    } else {
        text = xstrdup(q);
    }
    if (!editor_link_open(p->a, text, 0, NULL, false))
        app_message(p->a, MSG_WARN, "no editor pane in this build: use y to copy the text");
    else if (author)
        app_message(p->a, MSG_INFO,
                    "text of role %s, in a transaction: nothing is committed unless "
                    "you COMMIT",
                    author);
    free(text);
}

static void reset_confirm_cb(pane *pp, bool yes)
{
    slow_pane *p = SP(pp);
    if (!yes) {
        app_message(p->a, MSG_INFO, "reset not applied");
        return;
    }
    char *sql = mon_reset_sql(&p->mon.srv);
    if (!sql) {
        app_message(p->a, MSG_ERROR, "pg_stat_statements_reset() is not available");
        return;
    }
    p->action_kind = "reset";
    p->action_id = submit(p, sql, 0, NULL, "slow:reset", 0);
    free(sql);
}

static void create_confirm_cb(pane *pp, bool yes)
{
    slow_pane *p = SP(pp);
    if (!yes) {
        app_message(p->a, MSG_INFO, "CREATE EXTENSION not applied");
        return;
    }
    p->action_kind = "CREATE EXTENSION";
    p->action_id = submit(p, mon_create_sql(), 0, NULL, "slow:create", 0);
}

static void filter_cb(pane *pp, const char *answer)
{
    slow_pane *p = SP(pp);
    if (!answer)
        return;
    mon_driver_set_filter(&p->mon, answer);
    wg_list_set_count(&p->list[SEC_SERVER], 0);
    app_mark_dirty(p->a, pp);
}

/* ---- keys ------------------------------------------------------------------ */

static int detail_lines(slow_pane *p, char ***out, int *nfixed);

static int slow_on_key(pane *pp, int ch, bool is_key)
{
    slow_pane *p = SP(pp);
    if (!is_key && ch == 3) { /* Ctrl-C cancels what the pane runs, as everywhere */
        if (!p->explain_running || !p->explain_id)
            return PANE_IGNORED; /* the app says there is nothing to cancel */
        eng_cancel(p->e, p->explain_id);
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (p->detail && p->plan && p->plan_open) {
        int r = plan_view_key(p->plan, ch, is_key);
        if (r & PLAN_VIEW_CLOSE)
            p->plan_open = false; /* t or Esc: the detail view and its text plan */
        if (r != PANE_IGNORED)
            return r & (PANE_HANDLED | PANE_REDRAW);
    }
    if (p->detail && p->plan && p->explain_title && !p->explain_running && !is_key && ch == 't') {
        p->plan_open = true;
        return PANE_HANDLED | PANE_REDRAW;
    }
    if (p->detail) {
        if (!is_key && ch == 27) {
            if (p->explain_running && p->explain_id) {
                eng_cancel(p->e, p->explain_id);
                return PANE_HANDLED | PANE_REDRAW;
            }
            p->detail = false;
            return PANE_HANDLED | PANE_REDRAW;
        }
        char **lines;
        int nfixed, widest = 0;
        int n = detail_lines(p, &lines, &nfixed);
        for (int i = 0; i < n; i++) {
            int w = wg_text_width(lines[i]);
            if (i >= nfixed && w > widest)
                widest = w;
            free(lines[i]);
        }
        free(lines);
        int side = 0;
        if ((is_key && ch == KEY_RIGHT) || (!is_key && ch == '>'))
            side = 8;
        else if ((is_key && ch == KEY_LEFT) || (!is_key && ch == '<'))
            side = -8;
        if (side) {
            int max = widest - (p->detail_cols > 0 ? p->detail_cols : 80) + 1;
            p->detail_left += side;
            if (p->detail_left > max)
                p->detail_left = max;
            if (p->detail_left < 0)
                p->detail_left = 0;
            return PANE_HANDLED | PANE_REDRAW;
        }
        int step = 0;
        if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
            step = 1;
        else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
            step = -1;
        else if (is_key && ch == KEY_NPAGE)
            step = 10;
        else if (is_key && ch == KEY_PPAGE)
            step = -10;
        else if ((is_key && ch == KEY_HOME) || (!is_key && ch == 'g'))
            step = -n;
        else if ((is_key && ch == KEY_END) || (!is_key && ch == 'G'))
            step = n;
        if (step) {
            p->detail_top += step;
            if (p->detail_top > n - 1)
                p->detail_top = n - 1;
            if (p->detail_top < 0)
                p->detail_top = 0;
            return PANE_HANDLED | PANE_REDRAW;
        }
    }
    if (p->moment && !is_key) {
        switch (ch) {
        case 'e':
        case 'E':
            return ui_replay_refuse(p->a, "EXPLAIN");
        case 'o':
            return ui_replay_refuse(p->a, "opening a transaction in the editor");
        case 'R':
            return ui_replay_refuse(p->a, "resetting pg_stat_statements");
        case 'c':
            return ui_replay_refuse(p->a, "CREATE EXTENSION");
        case '/':
            return ui_replay_refuse(p->a, "the server-side filter");
        }
    }
    if (!is_key) {
        switch (ch) {
        case '\n':
        case '\r':
            if (!p->detail && p->focus == SEC_SERVER && selected_stmt(p)) {
                open_detail(p);
                return PANE_HANDLED | PANE_REDRAW;
            }
            break;
        case 's':
            p->mon.sort = (mon_sort)((p->mon.sort + 1) % MON_SORT_COUNT);
            resort_keep_selection(p);
            if (!p->moment)
                mon_driver_submit(&p->mon, MON_PART_PGSS); /* the server's top N for this order */
            app_message(p->a, MSG_INFO, "sorted by %s%s", mon_sort_name(p->mon.sort),
                        p->mon.by_rate ? " per second" : "");
            return PANE_HANDLED | PANE_REDRAW;
        case 'r':
            p->mon.by_rate = !p->mon.by_rate;
            resort_keep_selection(p);
            app_message(p->a, MSG_INFO, "sorted by %s%s", mon_sort_name(p->mon.sort),
                        p->mon.by_rate ? " per second" : " (cumulative)");
            return PANE_HANDLED | PANE_REDRAW;
        case '/':
            if (!p->detail && p->focus == SEC_SERVER) {
                char *cur = mon_filter_format(&p->mon.filter);
                app_prompt(p->a, pp, "filter (db:NAME user:NAME text): ", cur, false, filter_cb);
                free(cur);
                return PANE_HANDLED;
            }
            break;
        case 'f':
            if (!p->detail) {
                p->focus = (p->focus + 1) % SEC_COUNT;
                return PANE_HANDLED | PANE_REDRAW;
            }
            break;
        case 'l':
            p->show_slowlog = !p->show_slowlog;
            p->list[SEC_CLIENT].cols = p->show_slowlog ? slowlog_cols : client_cols;
            p->list[SEC_CLIENT].ncols = p->show_slowlog ? 5 : 8;
            wg_list_set_count(&p->list[SEC_CLIENT],
                              (int)(p->show_slowlog ? p->nslow : p->nmetrics));
            return PANE_HANDLED | PANE_REDRAW;
        case 'e':
            start_explain(p, false);
            return PANE_HANDLED | PANE_REDRAW;
        case 'E':
            start_explain(p, true);
            return PANE_HANDLED | PANE_REDRAW;
        case 'o':
            open_in_editor(p);
            return PANE_HANDLED | PANE_REDRAW;
        case 'y': {
            const char *q = action_text(p);
            if (!q)
                return PANE_HANDLED;
            if (osc52_copy(q))
                app_message(p->a, MSG_INFO, "copied %zu bytes to the clipboard (OSC 52)",
                            strlen(q));
            else
                app_message(p->a, MSG_ERROR, "cannot write to the terminal for OSC 52");
            return PANE_HANDLED;
        }
        case 'R':
            if (app_readonly(p->a)) {
                app_message(p->a, MSG_WARN, "read-only mode: resetting statistics is disabled");
                return PANE_HANDLED;
            }
            if (p->mon.srv.state != MON_PGSS_OK) {
                app_message(p->a, MSG_WARN, "pg_stat_statements is not available");
                return PANE_HANDLED;
            }
            app_confirm(p->a, pp, "Reset pg_stat_statements statistics for the whole server?",
                        reset_confirm_cb);
            return PANE_HANDLED;
        case 'c':
            if (!p->mon.srv.offer_create)
                break;
            if (app_readonly(p->a)) {
                app_message(p->a, MSG_WARN, "read-only mode: CREATE EXTENSION is disabled");
                return PANE_HANDLED;
            }
            {
                char *q = xasprintf("Run CREATE EXTENSION pg_stat_statements in %s?",
                                    p->mon.srv.database ? p->mon.srv.database : "this database");
                app_confirm(p->a, pp, q, create_confirm_cb);
                free(q);
            }
            return PANE_HANDLED;
        }
    }
    if (p->detail)
        return PANE_IGNORED;
    return wg_list_key(&p->list[p->focus], p->a, ch, is_key);
}

/* ---- drawing --------------------------------------------------------------- */

static void add_line(char ***lines, int *n, size_t *cap, char *s)
{
    *lines = xgrow(*lines, cap, (size_t)*n + 1, sizeof **lines);
    (*lines)[(*n)++] = s;
}

/* Byte length of the longest prefix of s (len bytes) that fits in ncols
 * display columns; at least one character when ncols > 0. */
static size_t fit_prefix(const char *s, size_t len, int ncols)
{
    size_t i = 0;
    int w = 0;
    while (i < len) {
        uint32_t cp;
        size_t l = utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (l == 0)
            l = 1;
        char ch[8];
        memcpy(ch, s + i, l);
        ch[l] = '\0';
        int cw = wg_text_width(ch);
        if (w + cw > ncols && i > 0)
            break;
        w += cw;
        i += l;
        if (w >= ncols)
            break;
    }
    return i;
}

/* The statement text, wrapped at width columns (it never scrolls sideways). */
static void add_wrapped(char ***lines, int *n, size_t *cap, const char *text, int width)
{
    const char *q = text;
    while (q) {
        const char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) : strlen(q);
        if (len == 0)
            add_line(lines, n, cap, xstrdup(""));
        while (len > 0) {
            size_t k = width > 0 ? fit_prefix(q, len, width) : len;
            if (k < len) { /* break after the last blank that fits, if any */
                size_t b = k;
                while (b > 0 && q[b - 1] != ' ')
                    b--;
                if (b > 0)
                    k = b;
            }
            add_line(lines, n, cap, xstrndup(q, k));
            q += k;
            len -= k;
        }
        q = nl ? nl + 1 : NULL;
    }
}

/* One line of the text: newlines and tabs as spaces, at most max bytes. */
static char *one_line(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len > max)
        len = max;
    len = utf8_char_start(text, len); /* not inside a UTF-8 sequence */
    char *s = xstrndup(text, len);
    for (char *c = s; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    char *r = xasprintf("%s%s", s, strlen(text) > len ? " …" : "");
    free(s);
    return r;
}

/* What the EXPLAIN runs as, what it calls, whether it executes. */
static void add_explain_about(slow_pane *p, char ***lines, int *n, size_t *cap)
{
    const mon_explain_author *a = &p->author;
    if (!a->role || !a->may_become)
        return;
    bool own = a->dba && strcmp(a->role, a->dba) == 0;
    add_line(lines, n, cap,
             xasprintf("  runs as:  role %s%s (%s)", a->role, a->role_super ? ", a superuser" : "",
                       own ? "your own statement" : "the statement's author, not you"));
    add_line(lines, n, cap,
             xasprintf("  calls:    %s", a->functions[0]
                                             ? a->functions
                                             : "no function outside pg_catalog named in the text"));
    add_line(lines, n, cap,
             xstrdup(p->action_analyze
                         ? "  executes: yes — the statement really runs, then is rolled back"
                         : "  executes: no — planned only (the planner may run IMMUTABLE/STABLE "
                           "functions), rolled back"));
    if (p->explain_asking && p->action_sql) {
        char *t = one_line(p->action_sql, 300);
        add_line(lines, n, cap, xasprintf("  text:     %s", t));
        free(t);
    }
}

static int detail_lines(slow_pane *p, char ***out, int *nfixed)
{
    char **lines = NULL;
    int n = 0;
    size_t cap = 0;
    const mon_stmt *m = p->detail_row;
    *nfixed = 0;
    if (m) {
        if (m->has_queryid) {
            const char *level = !mon_server_has_toplevel(&p->mon.srv) ? ""
                                : m->toplevel                         ? " · toplevel"
                                              : " · nested (run inside a function or procedure)";
            add_line(&lines, &n, &cap,
                     xasprintf("queryid %lld · database %s · user %s%s", (long long)m->queryid,
                               m->database, m->user, level));
        }
        add_line(&lines, &n, &cap, xstrdup(""));
        add_wrapped(&lines, &n, &cap, m->query, p->detail_cols);
        *nfixed = n;
        if (p->explain_title) {
            add_line(&lines, &n, &cap, xstrdup(""));
            add_line(&lines, &n, &cap,
                     xasprintf("%s%s", p->explain_title,
                               p->explain_running ? " … running (Esc or Ctrl-C cancels)" : ""));
            add_explain_about(p, &lines, &n, &cap);
            const char *t = p->explain_text;
            while (t && *t) {
                const char *nl = strchr(t, '\n');
                add_line(&lines, &n, &cap, nl ? xstrndup(t, (size_t)(nl - t)) : xstrdup(t));
                t = nl ? nl + 1 : NULL;
            }
        }
        add_line(&lines, &n, &cap, xstrdup(""));
        if (m->has_queryid) {
            add_line(&lines, &n, &cap,
                     xasprintf("%-22s %16s %16s %14s", "counter",
                               /* a recording keeps the interval's figures, not the totals */
                               p->moment ? "recorded" : "cumulative", "last interval",
                               "per second"));
            for (int k = 0; k < MC_COUNT; k++) {
                char c[32], d[32], r[32];
                fmt_count(m->c[k], c, sizeof c);
                fmt_count(m->has_rate ? m->d[k] : NAN, d, sizeof d);
                fmt_count(m->has_rate ? m->r[k] : NAN, r, sizeof r);
                if (isnan(m->c[k]))
                    snprintf(c, sizeof c, "n/a");
                else if (k == MC_TOTAL_MS || k == MC_BLK_READ_MS || k == MC_BLK_WRITE_MS ||
                         k == MC_PLAN_MS)
                    snprintf(c, sizeof c, "%.3f", m->c[k]);
                else
                    snprintf(c, sizeof c, "%.0f", m->c[k]);
                add_line(
                    &lines, &n, &cap,
                    xasprintf("%-22s %16s %16s %14s", mon_counter_name((mon_counter)k), c, d, r));
            }
            for (int k = 0; k < MG_COUNT; k++) /* NAN: not on this server, or not recorded */
                add_line(&lines, &n, &cap,
                         isnan(m->g[k])
                             ? xasprintf("%-22s %16s", mon_gauge_name((mon_gauge)k), "n/a")
                             : xasprintf("%-22s %16.3f", mon_gauge_name((mon_gauge)k), m->g[k]));
            if (!isnan(m->interval_mean_ms))
                add_line(&lines, &n, &cap,
                         xasprintf("%-22s %16.3f", "interval mean_ms", m->interval_mean_ms));
            add_line(&lines, &n, &cap, xstrdup(""));
        }
        uint64_t fp = m->fingerprint ? m->fingerprint : 0;
        const eng_stmt_metric *cm = metric_for(p, fp);
        if (cm)
            add_line(&lines, &n, &cap,
                     xasprintf("client (pgdeck): calls %llu · errors %llu · p50 %.3f · p95 %.3f "
                               "· p99 %.3f · max %.3f ms",
                               (unsigned long long)cm->calls, (unsigned long long)cm->errors,
                               cm->p50_ms, cm->p95_ms, cm->p99_ms, cm->max_ms));
        else
            add_line(&lines, &n, &cap, xstrdup("client (pgdeck): not run through this console"));
    }
    *out = lines;
    return n;
}

static void draw_detail(slow_pane *p, WINDOW *win, int rows, int cols)
{
    char **lines;
    int nfixed;
    p->detail_cols = cols;
    int n = detail_lines(p, &lines, &nfixed);
    char title[160];
    snprintf(title, sizeof title,
             "Statement detail   (e EXPLAIN · E ANALYZE · o editor · y copy · Left/Right · Esc "
             "back)%s",
             p->detail_left ? " →" : "");
    wg_text(win, 0, 0, title, cols, theme_attr(TH_TITLE));
    for (int y = 1; y < rows; y++) {
        int i = p->detail_top + y - 1;
        if (i >= n)
            break;
        const char *l = lines[i];
        if (i >= nfixed && p->detail_left > 0) { /* plan and counters scroll sideways */
            size_t len = strlen(l);
            size_t skip = fit_prefix(l, len, p->detail_left);
            l = wg_text_width(l) > p->detail_left ? l + skip : "";
        }
        wg_text(win, y, 0, l, cols, theme_attr(TH_NORMAL));
    }
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

static void section_title(WINDOW *win, int y, int cols, bool focused, const char *text)
{
    unsigned long attr = theme_attr(focused ? TH_TITLE : TH_LABEL);
    wg_fill(win, y, 0, cols, attr);
    wg_text(win, y, 0, text, cols, attr);
}

static void slow_draw(pane *pp, WINDOW *win, int rows, int cols)
{
    slow_pane *p = SP(pp);
    p->shown = true;
    werase(win);
    if (rows <= 0 || cols <= 0)
        return;
    if (p->detail && p->plan && p->plan_open) {
        plan_view_draw(p->plan, win, rows, cols);
        return;
    }
    if (p->detail) {
        draw_detail(p, win, rows, cols);
        return;
    }
    char title[512];
    int y = 0;
    /* section sizes: now gets up to 5 lines, client up to a quarter */
    const mon_activity *now = shown_now(p);
    const mon_pgss_snap *snap = shown(p);
    int now_rows = now && now->n ? (int)now->n + 2 : 2;
    if (now_rows > 6)
        now_rows = 6;
    /* pgdeck's own client figures are live ones: not beside a recording */
    int client_rows = p->moment ? 0 : rows / 4 < 3 ? 3 : rows / 4;
    int server_rows = rows - now_rows - client_rows;
    if (server_rows < 3) {
        server_rows = rows;
        now_rows = client_rows = 0;
    }

    char *filter = mon_filter_format(&p->mon.filter);
    bool listed = p->moment || p->mon.srv.state == MON_PGSS_OK;
    if (p->moment) {
        char over[64] = "the first snapshot: no deltas";
        if (p->moment->interval_s > 0)
            snprintf(over, sizeof over, "calls and time over the %.0fs before",
                     p->moment->interval_s);
        snprintf(title, sizeof title,
                 "Server (recorded): pg_stat_statements · %zu statements · %s · sort %s (s)",
                 snap ? snap->n : 0, snap ? over : "none recorded", mon_sort_name(p->mon.sort));
    } else if (p->mon.srv.state == MON_PGSS_OK) {
        char rates[48] = "";
        if (p->mon.cur && p->mon.cur->interval_s > 0)
            snprintf(rates, sizeof rates, " · rates over %.1fs", p->mon.cur->interval_s);
        /* the filter first: it must stay visible at 80 columns */
        snprintf(title, sizeof title,
                 "Server: pg_stat_statements %s%s%s · %zu%s statements · sort %s%s (s,r)%s",
                 p->mon.srv.installed_version ? p->mon.srv.installed_version : "?",
                 filter[0] ? " · filter: " : "", filter, p->mon.cur ? p->mon.cur->n : 0,
                 p->mon.cur && p->mon.cur->truncated ? "+" : "", mon_sort_name(p->mon.sort),
                 p->mon.by_rate ? "/s" : "", rates);
    } else {
        snprintf(title, sizeof title, "Server: pg_stat_statements %s",
                 p->mon.srv.state == MON_PGSS_UNKNOWN ? "(probing…)" : "unavailable");
    }
    free(filter);
    section_title(win, y++, cols, p->focus == SEC_SERVER, title);
    if (listed || p->mon.srv.state == MON_PGSS_UNKNOWN) {
        int list_rows = server_rows - 1;
        if (!p->moment && p->mon.srv.visibility_note[0] && list_rows > 3) {
            wg_text(win, y++, 0, p->mon.srv.visibility_note, cols, theme_attr(TH_DIM));
            list_rows--;
        }
        bool narrow = cols < NARROW_COLS;
        if (narrow != p->narrow) {
            p->narrow = narrow;
            p->list[SEC_SERVER].cols = narrow ? server_cols_narrow : server_cols;
            p->list[SEC_SERVER].ncols = narrow ? 6 : 12;
            p->list[SEC_SERVER].hscroll = 0;
        }
        wg_list_draw(&p->list[SEC_SERVER], win, y, 0, list_rows, cols);
        y += list_rows;
    } else {
        int yy = y;
        wg_text(win, yy++, 2, p->mon.srv.reason, cols - 2, theme_attr(TH_BAD));
        if (yy < y + server_rows - 1)
            wg_text(win, yy++, 2, p->mon.srv.remedy, cols - 2, theme_attr(TH_NORMAL));
        if (p->mon.srv.offer_create && yy < y + server_rows - 1)
            wg_text(win, yy++, 2,
                    app_readonly(p->a) ? "(CREATE EXTENSION is disabled in read-only mode)"
                                       : "c: CREATE EXTENSION pg_stat_statements",
                    cols - 2, theme_attr(TH_FOOTER_KEY));
        y += server_rows - 1;
    }
    if (now_rows > 0) {
        snprintf(title, sizeof title, "Now%s: %zu running longer than %g ms",
                 p->moment ? " (at that moment)" : "", now ? now->n : 0, threshold_ms(p));
        section_title(win, y++, cols, p->focus == SEC_NOW, title);
        wg_list_draw(&p->list[SEC_NOW], win, y, 0, now_rows - 1, cols);
        y += now_rows - 1;
    }
    if (client_rows > 0) {
        if (p->show_slowlog)
            snprintf(title, sizeof title,
                     "Client (pgdeck): slow log, %zu executions over %g ms (l: metrics)", p->nslow,
                     threshold_ms(p));
        else
            snprintf(title, sizeof title,
                     "Client (pgdeck): %zu statements, latency percentiles (l: slow log)",
                     p->nmetrics);
        section_title(win, y++, cols, p->focus == SEC_CLIENT, title);
        wg_list_draw(&p->list[SEC_CLIENT], win, y, 0, client_rows - 1, cols);
    }
}

/* ---- lifecycle ------------------------------------------------------------- */

static pane *slow_create(app *a)
{
    slow_pane *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->e = app_engine(a);
    mon_driver_init(&p->mon, p->e, "slow", MON_PART_PGSS | MON_PART_NOW);
    p->mon.limit = MON_PANE_LIMIT;
    wg_list_init(&p->list[SEC_SERVER], server_cols, 12, server_cell, p);
    p->list[SEC_SERVER].row_attr = server_row_attr;
    wg_list_init(&p->list[SEC_NOW], now_cols, 6, now_cell, p);
    p->list[SEC_NOW].row_attr = now_row_attr;
    wg_list_init(&p->list[SEC_CLIENT], client_cols, 8, client_cell, p);
    p->list[SEC_CLIENT].row_attr = client_row_attr;
    return (pane *)p;
}

static void slow_destroy(pane *pp)
{
    slow_pane *p = SP(pp);
    if (!p)
        return;
    if (p->explain_session)
        eng_session_discard(p->e, p->explain_session);
    mon_explain_author_free(&p->author);
    free(p->setup_error);
    free(p->action_author_oid);
    free(p->action_author_name);
    for (int i = 0; i < SEC_COUNT; i++)
        wg_list_free(&p->list[i]);
    mon_driver_free(&p->mon);
    mon_activity_free(p->moment_now);
    eng_metrics_free(p->metrics, p->nmetrics);
    eng_slowlog_free(p->slowlog, p->nslow);
    free(p->client_order);
    free_row_copy(p->detail_row);
    free(p->explain_title);
    free(p->explain_text);
    plan_view_free(p->plan);
    free(p->explain_stmt);
    free(p->action_sql);
    free(p);
}

static int slow_on_tick(pane *pp)
{
    slow_pane *p = SP(pp);
    if (!p->shown || p->moment)
        return 0; /* hidden: cost the server nothing */
    slow_refresh(p);
    return PANE_REDRAW;
}

static void slow_on_show(pane *pp, bool shown)
{
    slow_pane *p = SP(pp);
    p->shown = shown;
    if (shown)
        slow_refresh(p);
}

static bool slow_busy(const pane *pp)
{
    const slow_pane *p = (const slow_pane *)pp;
    return p->explain_running || p->action_id || p->author_id || p->rollback_id;
}

static int slow_cmd_sort(void *self, const char *line)
{
    slow_pane *p = self;
    mon_sort s;
    if (!mon_sort_parse(ui_command_args(line), &s)) {
        app_message(p->a, MSG_ERROR, "sort: total, mean, calls, rows, read or temp");
        return PANE_HANDLED;
    }
    p->mon.sort = s;
    resort_keep_selection(p);
    if (!p->moment)
        mon_driver_submit(&p->mon, MON_PART_PGSS);
    return PANE_HANDLED | PANE_REDRAW;
}

static int slow_cmd_filter(void *self, const char *line)
{
    slow_pane *p = self;
    if (p->moment)
        return ui_replay_refuse(p->a, "the server-side filter");
    filter_cb(self, ui_command_args(line));
    return PANE_HANDLED | PANE_REDRAW;
}

/* ---- a recorded moment ----------------------------------------------------- */

static bool running_long(const mon_backend *b, void *ctx)
{
    const slow_pane *p = ctx;
    return !b->own && b->state && strcmp(b->state, "active") == 0 && !isnan(b->query_s) &&
           b->query_s * 1000 > threshold_ms(p);
}

/* The moment's rows replace the list (the cursor stays on its statement
 * when it is there too); NULL: the live snapshot again. */
static void slow_show_moment(pane *pp, ui_moment *m)
{
    slow_pane *p = SP(pp);
    const mon_stmt *sel = selected_stmt(p); /* the old moment is still valid here */
    mon_stmt key = {0};
    bool have = sel != NULL;
    if (have)
        key = *sel;
    mon_activity_free(p->moment_now);
    p->moment_now = NULL;
    p->moment = m;
    if (m) {
        if (m->pgss)
            mon_pgss_sort(m->pgss, p->mon.sort, true);
        p->moment_now = ui_activity_copy(m->activity, running_long, p);
    }
    const mon_pgss_snap *snap = shown(p);
    const mon_activity *now = shown_now(p);
    wg_list_set_count(&p->list[SEC_SERVER], snap ? (int)snap->n : 0);
    wg_list_set_count(&p->list[SEC_NOW], now ? (int)now->n : 0);
    for (size_t i = 0; have && snap && i < snap->n; i++)
        if (same_key(&snap->rows[i], &key)) {
            wg_list_select(&p->list[SEC_SERVER], (int)i);
            break;
        }
    if (p->detail && p->detail_row)
        for (size_t i = 0; snap && i < snap->n; i++)
            if (same_key(&snap->rows[i], p->detail_row)) {
                free_row_copy(p->detail_row);
                p->detail_row = copy_row(&snap->rows[i]);
                break;
            }
    if (!m && p->shown)
        slow_refresh(p);
}

static const ui_command slow_commands[] = {
    {"sort", ":sort total|mean|calls|rows|read|temp", "sort the server's statements",
     slow_cmd_sort},
    {"filter", ":filter [db:NAME] [user:NAME] [TEXT]", "filter the server list (empty: all)",
     slow_cmd_filter},
    {NULL, NULL, NULL, NULL},
};

static const pane_key slow_keys[] = {
    {"Enter", "Detail",
     "full text (wrapped), every counter, client metrics and EXPLAIN output (Left/Right "
     "scroll)"},
    {"s", "Sort", "sort by total, mean, calls, rows, shared blocks read, temp blocks written"},
    {"r", "Rate", "sort by per-second rates instead of cumulative figures"},
    {"/", "Filter", "filter the server list: db:NAME user:NAME and text"},
    {"f", "Focus", "move between the Server, Now and Client sections"},
    {"l", "Log", "Client section: latency metrics or the slow log"},
    {"e", "Explain",
     "EXPLAIN as the statement's author, rolled back (asks first when it names non-builtin "
     "functions)"},
    {"E", "Analyze", "EXPLAIN (ANALYZE, BUFFERS) as the statement's author, rolled back (asks)"},
    {"t", NULL,
     "e/E show the plan as a tree first (fold, hottest node; a: index advisor, as the "
     "author); t: the text plan in the detail view, t again: the tree"},
    {"o", "Editor", "open the text in the editor, in a transaction, naming its author"},
    {"y", "Copy", "copy the statement text to the clipboard (OSC 52)"},
    {"R", "Reset", "pg_stat_statements_reset() (asks; refused under --readonly)"},
    {"c", "Create", "CREATE EXTENSION pg_stat_statements when the library is loaded"},
    {NULL, NULL, NULL},
};

const pane_class pane_slow_class = {
    .name = "Slow",
    .tag_prefix = "slow:",
    .create = slow_create,
    .destroy = slow_destroy,
    .draw = slow_draw,
    .on_key = slow_on_key,
    .on_event = slow_on_event,
    .on_tick = slow_on_tick,
    .on_show = slow_on_show,
    .busy = slow_busy,
    .commands = slow_commands,
    .keys = slow_keys,
    .show_moment = slow_show_moment,
};
