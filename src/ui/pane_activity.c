/* pane_activity.c — pane 3, Activity: pg_stat_activity as pg_activity shows
 * it, with views (all / running / waiting / blocking), idle sessions hidden
 * by default, sort, filter, tags, cancel and terminate, and the locks the
 * selected backend holds and awaits.
 *
 * The list and the header figures come from the monitor driver (monitor.h),
 * locks and signals through eng_exec here; all with ENG_EXEC_NOMETRICS and
 * an "activity:" tag, at most one of each kind in flight. Signals are sent one statement per
 * backend with its pid and backend_start as parameters, so they hit exactly
 * the backend the prompt named (a pid reused by a new session matches
 * nothing: "not applied"); the outcome shown is what the server answered.
 *
 * Safety: once the user moves the cursor, tags a row or is asked something,
 * the list freezes — new snapshots are held back, so the order and the
 * selected backend cannot change under the cursor — until Esc (or the end
 * of a cancel / terminate) makes it follow the refresh again.
 *
 * The header line holds pg_activity's figures from pg_stat_database (tps,
 * cache hit ratio, temp files) and, when the server runs on this host,
 * each backend's CPU, memory and I/O from /proc (proc_backend.h). */
#include "config.h"

#include "common/utf8.h"
#include "common/fmt.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"
#include "ui/osc52.h"
#include "ui/pane.h"
#include "ui/proc_backend.h"
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

/* A backend as the user saw it: pid and start time (a reused pid differs). */
typedef struct backend_id {
    int pid;
    char start[40]; /* mon_backend.backend_start */
} backend_id;

typedef struct pending_signal {
    backend_id who;
    eng_id id;
    bool done;
    char result[96];
} pending_signal;

/* Figures of one backend from /proc, parallel to act->rows. */
typedef struct proc_cell {
    proc_rates r;
} proc_cell;

enum {
    COL_TAG,
    COL_PID,
    COL_DB,
    COL_USER,
    COL_APP,
    COL_CLIENT,
    COL_CPU,
    COL_MEM,
    COL_READ,
    COL_WRITE,
    COL_STATE,
    COL_WAIT,
    COL_XACT,
    COL_TIME,
    COL_BLOCKED,
    COL_QUERY,
    COL_COUNT
};

typedef struct activity_pane {
    app *a;
    engine *e;
    bool shown;
    mon_driver mon; /* pg_stat_activity and pg_stat_database */
    mon_activity *act;
    mon_activity *held; /* the newest snapshot, kept back while frozen */
    eng_id locks_id;
    char *error;
    int *vis; /* indexes into act->rows, in display order */
    int nvis;
    mon_view view;
    bool show_idle, show_own;
    act_sort sort;
    char *filter; /* case-insensitive substring over the text columns */
    backend_id *tags;
    size_t ntags, tags_cap;
    wg_list list;
    backend_id sel_id;
    bool frozen;    /* the user took the cursor: see the top of the file */
    bool prompting; /* the filter prompt is open */
    bool show_locks;
    mon_locks *locks, *locks_incoming;
    int locks_pid, locks_incoming_pid;
    /* signals in flight */
    bool terminate;
    pending_signal *sig;
    int nsig;
    /* /proc figures: the last samples and the cells of act's rows */
    bool local;           /* the server said so, and /proc knows its backends */
    proc_sample *samples; /* of the last snapshot applied */
    size_t nsamples;
    proc_cell *procs; /* act->n entries or NULL */
    /* the columns drawn (chosen by width at each draw) */
    wg_col layout[COL_COUNT];
    int layout_ids[COL_COUNT];
    int width;       /* columns at the last draw */
    bool wait_short; /* the wait column shows the event alone (narrow screens) */
    /* a recorded moment shown instead of live data (moment.h; the app's):
     * act is a copy of its list, the figures line its dbstat */
    ui_moment *moment;
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

static backend_id id_of(const mon_backend *b)
{
    backend_id id = {.pid = b->pid};
    snprintf(id.start, sizeof id.start, "%s", b->backend_start);
    return id;
}

static bool id_is(const backend_id *id, const mon_backend *b)
{
    return id->pid == b->pid && strcmp(id->start, b->backend_start) == 0;
}

static bool is_tagged(const activity_pane *p, const mon_backend *b)
{
    for (size_t i = 0; i < p->ntags; i++)
        if (id_is(&p->tags[i], b))
            return true;
    return false;
}

static void toggle_tag(activity_pane *p, const mon_backend *b)
{
    for (size_t i = 0; i < p->ntags; i++)
        if (id_is(&p->tags[i], b)) {
            p->tags[i] = p->tags[--p->ntags];
            return;
        }
    p->tags = xgrow(p->tags, &p->tags_cap, p->ntags + 1, sizeof *p->tags);
    p->tags[p->ntags++] = id_of(b);
}

static const mon_backend *find_backend(const activity_pane *p, const backend_id *id)
{
    for (size_t i = 0; p->act && i < p->act->n; i++)
        if (id_is(id, &p->act->rows[i]))
            return &p->act->rows[i];
    return NULL;
}

/* The order and the selection stay put while the user works on a row. */
static bool is_frozen(const activity_pane *p)
{
    return p->frozen || p->prompting || p->ntags > 0 || p->nsig > 0;
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
        p->sel_id = id_of(sel);
    free(p->vis);
    p->vis = NULL;
    p->nvis = 0;
    if (p->act && p->act->n) {
        p->vis = xmalloc(p->act->n * sizeof *p->vis);
        for (size_t i = 0; i < p->act->n; i++) {
            const mon_backend *b = &p->act->rows[i];
            if ((p->show_own || !b->own) && mon_backend_in_view(b, p->view, p->show_idle) &&
                matches_filter(p, b))
                p->vis[p->nvis++] = (int)i;
        }
        g_sort_pane = p;
        qsort(p->vis, (size_t)p->nvis, sizeof *p->vis, vis_cmp);
    }
    wg_list_set_count(&p->list, p->nvis);
    for (int i = 0; i < p->nvis; i++)
        if (id_is(&p->sel_id, &p->act->rows[p->vis[i]])) {
            wg_list_select(&p->list, i);
            break;
        }
}

/* ---- cells ------------------------------------------------------------------ */

/* Every column, at its widest; the layout keeps or narrows them by width. */
static const wg_col all_cols[COL_COUNT] = {
    [COL_TAG] = {"", 1, 0},
    [COL_PID] = {"pid", 7, WG_RIGHT},
    [COL_DB] = {"database", 12, 0},
    [COL_USER] = {"user", 12, 0},
    [COL_APP] = {"app", 12, 0},
    [COL_CLIENT] = {"client", 15, 0},
    [COL_CPU] = {"cpu%", 5, WG_RIGHT},
    [COL_MEM] = {"mem", 6, WG_RIGHT},
    [COL_READ] = {"read/s", 6, WG_RIGHT},
    [COL_WRITE] = {"write/s", 7, WG_RIGHT},
    [COL_STATE] = {"state", 9, 0},
    [COL_WAIT] = {"wait", 20, 0},
    [COL_XACT] = {"xact", 6, WG_RIGHT},
    [COL_TIME] = {"time", 6, WG_RIGHT},
    [COL_BLOCKED] = {"blocked", 12, 0},
    [COL_QUERY] = {"query", 0, WG_FLEX},
};

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

static const proc_cell *proc_of(const activity_pane *p, const mon_backend *b)
{
    if (!p->procs || !p->act)
        return NULL;
    const proc_cell *c = &p->procs[b - p->act->rows];
    return c->r.ok ? c : NULL;
}

/* The text of column id for backend b. */
static const char *cell_of(activity_pane *p, const mon_backend *b, int id, char *buf, size_t n)
{
    const proc_cell *pc;
    switch (id) {
    case COL_TAG:
        return is_tagged(p, b) ? "*" : "";
    case COL_PID:
        snprintf(buf, n, "%d", b->pid);
        return buf;
    case COL_DB:
        return b->database;
    case COL_USER:
        return b->user;
    case COL_APP:
        return b->application;
    case COL_CLIENT:
        return b->client;
    case COL_CPU:
        pc = proc_of(p, b);
        if (!pc || isnan(pc->r.cpu_pct))
            return "-";
        snprintf(buf, n, "%.1f", pc->r.cpu_pct);
        return buf;
    case COL_MEM:
        pc = proc_of(p, b);
        fmt_bytes(pc ? pc->r.rss_bytes : NAN, buf, n);
        return buf;
    case COL_READ:
    case COL_WRITE:
        pc = proc_of(p, b);
        fmt_bytes(pc ? (id == COL_READ ? pc->r.read_s : pc->r.write_s) : NAN, buf, n);
        return buf;
    case COL_STATE:
        if (strcmp(b->state, "idle in transaction") == 0)
            return "idle txn";
        if (strcmp(b->state, "idle in transaction (aborted)") == 0)
            return "idle txn!";
        return b->state[0] ? b->state : b->backend_type;
    case COL_WAIT:
        /* an idle session always waits for its client: not news */
        if (!b->wait_type[0] || strcmp(b->wait_type, "Client") == 0)
            return "";
        if (p->wait_short)
            return b->wait_event;
        snprintf(buf, n, "%s:%s", b->wait_type, b->wait_event);
        return buf;
    case COL_XACT:
        fmt_duration(b->xact_s, buf, n);
        return buf;
    case COL_TIME:
        /* for idle sessions the time since the last query ended matters */
        fmt_duration(strcmp(b->state, "active") == 0 ? b->query_s : b->state_s, buf, n);
        return buf;
    case COL_BLOCKED:
        format_pids(b->blocked_by, b->nblocked_by, buf, n);
        return buf;
    case COL_QUERY:
        return b->query;
    }
    return NULL;
}

static const char *cell(void *ctx, int row, int col, char *buf, size_t n)
{
    activity_pane *p = ctx;
    const mon_backend *b = row_at(p, row);
    if (!b || col < 0 || col >= p->list.ncols)
        return NULL;
    return cell_of(p, b, p->layout_ids[col], buf, n);
}

/* ---- the columns for a width ------------------------------------------------ */

#define QUERY_MIN 20 /* what the query column should keep at least */

/* Chooses the columns for `cols` terminal columns: each as wide as its title
 * and the visible cells need (at most its full width); then, while the query
 * would get less than QUERY_MIN, empty columns go, then the client and the
 * /proc figures, then the widest names are narrowed. */
static void choose_layout(activity_pane *p, int cols)
{
    int want[COL_COUNT];
    bool on[COL_COUNT], any[COL_COUNT] = {false};
    char buf[512];
    p->wait_short = false; /* measured in full first */
    for (int c = 0; c < COL_COUNT; c++) {
        want[c] = wg_text_width(all_cols[c].title);
        on[c] = true;
    }
    for (int i = 0; i < p->nvis; i++) {
        const mon_backend *b = row_at(p, i);
        for (int c = 0; c < COL_QUERY; c++) {
            buf[0] = '\0';
            const char *t = cell_of(p, b, c, buf, sizeof buf);
            int w = t ? wg_text_width(t) : 0;
            if (w > 0)
                any[c] = true;
            if (w > want[c])
                want[c] = w;
        }
    }
    for (int c = 0; c < COL_QUERY; c++)
        if (want[c] > all_cols[c].width)
            want[c] = all_cols[c].width;
    want[COL_TAG] = 1; /* a width of 0 would make it flexible */
    if (!p->local)
        on[COL_CPU] = on[COL_MEM] = on[COL_READ] = on[COL_WRITE] = false;
    /* narrowing steps, in order: what a DBA misses least goes first; names
     * are cut only as the last resort */
    enum { DROP = 0, SHORT_WAIT = -1 };
    static const struct {
        int col;
        int width; /* DROP the column, SHORT_WAIT, or narrow it to this */
        bool only_empty;
    } steps[] = {
        {COL_BLOCKED, DROP, true}, {COL_WAIT, DROP, true},        {COL_CLIENT, DROP, false},
        {COL_WRITE, DROP, false},  {COL_READ, DROP, false},       {COL_MEM, DROP, false},
        {COL_CPU, DROP, false},    {COL_WAIT, SHORT_WAIT, false}, {COL_APP, 10, false},
        {COL_WAIT, 10, false},     {COL_BLOCKED, 7, false},       {COL_APP, 8, false},
        {COL_DB, 8, false},        {COL_USER, 8, false},          {COL_APP, 6, false},
        {COL_DB, 6, false},        {COL_USER, 6, false},
    };
    for (size_t k = 0;; k++) {
        int used = 0, n = 0;
        for (int c = 0; c < COL_QUERY; c++)
            if (on[c]) {
                used += want[c] + (n ? 1 : 0);
                n++;
            }
        if (cols - used - 1 >= QUERY_MIN || k >= sizeof steps / sizeof steps[0])
            break;
        int c = steps[k].col;
        if (steps[k].only_empty && any[c])
            continue;
        if (steps[k].width == DROP) {
            on[c] = false;
        } else if (steps[k].width == SHORT_WAIT) {
            p->wait_short = true;
            int w = wg_text_width(all_cols[c].title);
            for (int i = 0; i < p->nvis; i++) {
                int ew = wg_text_width(cell_of(p, row_at(p, i), c, buf, sizeof buf));
                if (ew > w)
                    w = ew;
            }
            want[c] = w < want[c] ? w : want[c];
        } else if (want[c] > steps[k].width) {
            want[c] = steps[k].width;
        }
    }
    int n = 0;
    for (int c = 0; c < COL_COUNT; c++) {
        if (!on[c])
            continue;
        p->layout[n] = all_cols[c];
        if (c != COL_QUERY)
            p->layout[n].width = want[c];
        p->layout_ids[n++] = c;
    }
    p->list.cols = p->layout;
    p->list.ncols = n;
}

static unsigned long row_attr(void *ctx, int row)
{
    activity_pane *p = ctx;
    const mon_backend *b = row_at(p, row);
    if (!b)
        return 0;
    if (is_tagged(p, b))
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
    if (p->moment || !p->show_locks || !b || p->locks_id)
        return;
    char pid[16];
    snprintf(pid, sizeof pid, "%d", b->pid);
    const char *params[1] = {pid};
    p->locks_incoming_pid = b->pid;
    p->locks_id = submit(p, mon_locks_sql(), 1, params, "activity:locks");
}

static void act_refresh(activity_pane *p)
{
    if (p->moment || !p->e)
        return; /* a recording is shown: no server is asked */
    mon_driver_refresh(&p->mon);
    submit_locks(p);
}

/* Samples /proc for the rows of p->act (when the server is on this host). */
static void sample_procs(activity_pane *p)
{
    free(p->procs);
    p->procs = NULL;
    size_t n = p->act ? p->act->n : 0;
    proc_sample *now = n ? xcalloc(n, sizeof *now) : NULL;
    size_t nnow = 0, found = 0;
    /* a recording's backends are long gone: /proc says nothing of them */
    bool try = !p->moment && p->mon.have_db_cur && p->mon.db_cur.local_conn && proc_available();
    if (try && n) {
        p->procs = xcalloc(n, sizeof *p->procs);
        for (size_t i = 0; i < n; i++) {
            const mon_backend *b = &p->act->rows[i];
            proc_sample cur;
            if (!proc_backend_read(b->pid, b->start_epoch, &cur))
                continue;
            const proc_sample *prev =
                proc_sample_find(p->samples, p->nsamples, b->pid, b->start_epoch);
            proc_backend_rates(prev, &cur, &p->procs[i].r);
            now[nnow++] = cur;
            found++;
        }
    }
    /* local only when /proc knows the backends as the server's processes */
    p->local = try && found > 0;
    free(p->samples);
    p->samples = now;
    p->nsamples = nnow;
}

/* Shows snapshot s (taking it): the cursor stays on the backend it was on. */
static void apply_snapshot(activity_pane *p, mon_activity *s)
{
    const mon_backend *sel = selected(p);
    if (sel)
        p->sel_id = id_of(sel);
    /* vis and procs index the old rows: forget them before they go */
    free(p->vis);
    p->vis = NULL;
    p->nvis = 0;
    free(p->procs);
    p->procs = NULL;
    mon_activity_free(p->act);
    p->act = s;
    /* tags of backends that are gone are dropped */
    for (size_t i = 0; i < p->ntags;) {
        bool alive = false;
        for (size_t j = 0; j < p->act->n && !alive; j++)
            alive = id_is(&p->tags[i], &p->act->rows[j]);
        if (!alive)
            p->tags[i] = p->tags[--p->ntags];
        else
            i++;
    }
    sample_procs(p);
    rebuild(p);
    submit_locks(p);
}

/* Follow the refresh again: the newest snapshot held back is shown. */
static void unfreeze(activity_pane *p)
{
    p->frozen = false;
    if (p->held && !is_frozen(p)) {
        mon_activity *h = p->held;
        p->held = NULL;
        apply_snapshot(p, h);
    }
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
        if (strncmp(p->sig[i].result, "not applied: pid ", 17) == 0)
            sb_printf(&sb, "%s%s", i ? "; " : "", p->sig[i].result);
        else
            sb_printf(&sb, "%spid %d %s", i ? "; " : "", p->sig[i].who.pid, p->sig[i].result);
        if (strcmp(p->sig[i].result, "signalled") != 0)
            all_ok = false;
    }
    app_message(p->a, all_ok ? MSG_INFO : MSG_WARN, "%s", sb.data);
    sb_free(&sb);
    free(p->sig);
    p->sig = NULL;
    p->nsig = 0;
    /* the action is over: the list follows the server again */
    unfreeze(p);
    act_refresh(p);
}

static int act_on_event(pane *pp, const eng_event *ev)
{
    activity_pane *p = AP(pp);
    char *err = NULL;
    if (ev->kind == EV_POOL)
        return 0;
    unsigned got = mon_driver_on_event(&p->mon, ev);
    if (got & MON_GOT_DBSTAT) {
        /* only now is it known whether the server is on this host: the
         * first list gets its /proc columns at once, not a refresh later */
        if (!p->mon.have_db_prev && p->act) {
            sample_procs(p);
            rebuild(p);
        }
    }
    if (got & MON_GOT_ACTIVITY) {
        free(p->error);
        p->error = NULL;
        mon_activity *s = mon_driver_take_activity(&p->mon);
        if (p->moment) {
            mon_activity_free(s); /* a live answer from before the recording was shown */
        } else if (is_frozen(p) && p->act) {
            mon_activity_free(p->held);
            p->held = s;
        } else {
            apply_snapshot(p, s);
        }
    }
    if ((got & MON_GOT_ERROR) && p->mon.last_failed == MON_STEP_ACTIVITY) {
        free(p->error);
        p->error = xasprintf("pg_stat_activity: %s", p->mon.fail[MON_STEP_ACTIVITY].message);
    }
    if (got & MON_EV_MINE)
        return PANE_REDRAW;
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
                             : "not signalled (see the server log)");
            else if (eng_result_status(ev->result) == ENG_RES_TUPLES &&
                     eng_result_nrows(ev->result) == 0)
                snprintf(s->result, sizeof s->result,
                         "not applied: pid %d is no longer that backend", s->who.pid);
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

/* The backends a C or K acts on: the tagged ones, else the selected one. */
static int target_ids(activity_pane *p, backend_id **out)
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
    (*out)[0] = id_of(b);
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
        snprintf(pid, sizeof pid, "%d", p->sig[i].who.pid);
        const char *params[2] = {pid, p->sig[i].who.start};
        p->sig[i].id =
            submit(p, mon_signal_backend_sql(p->terminate), 2, params, "activity:signal");
    }
    p->ntags = 0;
    app_mark_dirty(p->a, pp);
}

/* The first `max` columns of s on one line (runs of white space as one). */
static char *excerpt(const char *s, int max)
{
    strbuf sb;
    sb_init(&sb);
    bool space = false;
    for (const char *c = s; *c; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r') {
            space = sb.len > 0;
            continue;
        }
        if (space)
            sb_append_c(&sb, ' ');
        space = false;
        sb_append_c(&sb, *c);
        if (sb.len > (size_t)max * 4 || wg_text_width(sb.data) > max)
            break;
    }
    char *out = xstrdup(sb.len ? sb.data : "");
    sb_free(&sb);
    if (wg_text_width(out) > max) {
        /* cut on a character boundary, and say so */
        size_t n = strlen(out);
        while (n > 0 && wg_text_width(out) > max - 3) {
            n = utf8_char_start(out, n - 1);
            out[n] = '\0';
        }
        char *t = xasprintf("%s...", out);
        free(out);
        out = t;
    }
    return out;
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
    backend_id *ids;
    int n = target_ids(p, &ids);
    if (n == 0) {
        app_message(p->a, MSG_WARN, "no backend selected");
        return;
    }
    p->terminate = terminate;
    p->sig = xcalloc((size_t)n, sizeof *p->sig);
    p->nsig = n; /* from here the list is frozen: the prompt names what is hit */
    for (int i = 0; i < n; i++)
        p->sig[i].who = ids[i];
    char *q;
    if (n == 1) {
        const mon_backend *b = find_backend(p, &ids[0]);
        const char *verb = terminate ? "Terminate" : "Cancel the query of";
        char *head = xasprintf("%s pid %d (user %s, app %s): ", verb, ids[0].pid, b ? b->user : "?",
                               b && b->application[0] ? b->application : "-");
        int room = (p->width > 0 ? p->width : 80) - wg_text_width(head) - 10;
        char *text = excerpt(b ? b->query : "", room < 12 ? 12 : room);
        q = xasprintf("%s%s?", head, text[0] ? text : "(no query)");
        free(text);
        free(head);
    } else {
        strbuf sb;
        sb_init(&sb);
        for (int i = 0; i < n; i++)
            sb_printf(&sb, "%s%d", i ? "," : "", ids[i].pid);
        q = xasprintf("%s %d tagged backends (%s)?",
                      terminate ? "Terminate" : "Cancel the queries of", n, sb.data);
        sb_free(&sb);
    }
    app_confirm(p->a, (pane *)p, q, signal_confirm_cb);
    free(q);
    free(ids);
}

static void filter_cb(pane *pp, const char *answer)
{
    activity_pane *p = AP(pp);
    p->prompting = false;
    if (!answer) {
        unfreeze(p);
        return;
    }
    free(p->filter);
    p->filter = answer[0] ? xstrdup(answer) : NULL;
    unfreeze(p);
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
    if (p->moment && !is_key) {
        switch (ch) {
        case 'C':
            return ui_replay_refuse(p->a, "cancel");
        case 'K':
            return ui_replay_refuse(p->a, "terminate");
        case 'l':
            return ui_replay_refuse(p->a, "the locks list (pg_locks was not recorded)");
        }
    }
    if (!is_key) {
        switch (ch) {
        case 'C':
            start_signal(p, false);
            return PANE_HANDLED | PANE_REDRAW;
        case 'K':
            start_signal(p, true);
            return PANE_HANDLED | PANE_REDRAW;
        case 27: /* Esc: follow the refresh again */
            if (!is_frozen(p) && !p->held)
                return PANE_IGNORED;
            p->ntags = 0;
            unfreeze(p);
            app_message(p->a, MSG_INFO, "live: the list follows the refresh again");
            return PANE_HANDLED | PANE_REDRAW;
        case ' ':
        case 't': {
            const mon_backend *b = selected(p);
            if (b) {
                toggle_tag(p, b);
                p->frozen = true;
                wg_list_select(&p->list, p->list.sel + 1 < p->nvis ? p->list.sel + 1 : p->list.sel);
                b = selected(p);
                if (b)
                    p->sel_id = id_of(b);
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
        case 'o':
            p->show_own = !p->show_own;
            rebuild(p);
            app_message(p->a, MSG_INFO, "pgdeck's own monitor backends %s",
                        p->show_own ? "shown" : "hidden");
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
            p->prompting = true;
            app_prompt(p->a, pp, "filter (pid, db, user, app, client, state, text): ",
                       p->filter ? p->filter : "", false, filter_cb);
            return PANE_HANDLED;
        }
    }
    int before = p->list.sel;
    int r = wg_list_key(&p->list, p->a, ch, is_key);
    if (r != PANE_IGNORED) /* the user took the cursor: the rows stay where they are */
        p->frozen = true;
    if (p->list.sel != before) {
        const mon_backend *b = selected(p);
        if (b)
            p->sel_id = id_of(b);
        submit_locks(p);
    }
    return r;
}

/* ---- drawing ----------------------------------------------------------------- */

/* pg_activity's header: tps, sessions by state, cache hit ratio, temp files,
 * and where the /proc figures come from. */
static void figures_line(activity_pane *p, char *buf, size_t n, bool narrow)
{
    size_t active = 0, idle = 0, idle_x = 0;
    for (size_t i = 0; p->act && i < p->act->n; i++) {
        const mon_backend *b = &p->act->rows[i];
        if (b->own && !p->show_own)
            continue;
        active += strcmp(b->state, "active") == 0;
        idle += strcmp(b->state, "idle") == 0;
        idle_x += mon_backend_idle_in_xact(b);
    }
    char tps[16], hit[16], tf[16], tb[16];
    /* a recording's figures are the moment's (with rates when it had a
     * snapshot before it); it says nothing of /proc */
    const mon_dbrates *rates = p->moment ? &p->moment->rates : &p->mon.rates;
    bool have_cur = p->moment ? p->moment->have_db : p->mon.have_db_cur;
    bool have_prev =
        p->moment ? p->moment->have_db && p->moment->interval_s > 0 : p->mon.have_db_prev;
    fmt_count(rates->tps, tps, sizeof tps);
    if (isnan(rates->hit_ratio) || !have_cur)
        snprintf(hit, sizeof hit, "-");
    else
        snprintf(hit, sizeof hit, "%.1f%%", rates->hit_ratio);
    fmt_count(rates->temp_files_s, tf, sizeof tf);
    fmt_bytes(rates->temp_bytes_s, tb, sizeof tb);
    if (!have_prev)
        snprintf(tps, sizeof tps, "-");
    const char *where = p->moment || !have_cur      ? ""
                        : !p->mon.db_cur.local_conn ? "remote"
                        : p->local                  ? "local /proc"
                                                    : "not in /proc";
    const char *tbs = !have_prev ? "-" : tb;
    if (narrow)
        snprintf(buf, n, "tps %s  active %zu  idle %zu  in txn %zu  hit %s  temp %s/s %s/s  %s",
                 tps, active, idle, idle_x, hit, tf, tbs, where);
    else
        snprintf(buf, n,
                 "tps %s · active %zu · idle %zu · idle in txn %zu · cache hit %s · temp %s "
                 "files/s %s/s%s%s",
                 tps, active, idle, idle_x, hit, tf, tbs, where[0] ? " · cpu/mem/io: " : "", where);
}

static void act_draw(pane *pp, WINDOW *win, int rows, int cols)
{
    activity_pane *p = AP(pp);
    p->shown = true;
    p->width = cols;
    werase(win);
    if (rows <= 0 || cols <= 0)
        return;
    size_t total = 0, waiting = 0;
    for (size_t i = 0; p->act && i < p->act->n; i++) {
        const mon_backend *b = &p->act->rows[i];
        if (b->own && !p->show_own)
            continue;
        total++;
        waiting += b->nblocked_by > 0;
    }
    /* what narrows the list comes first: it must stay visible at 80 columns */
    char title[512], tagged[32] = "", filter[160] = "";
    if (p->ntags)
        snprintf(tagged, sizeof tagged, " · %zu tagged", p->ntags);
    if (p->filter)
        snprintf(filter, sizeof filter, " · filter: %s", p->filter);
    snprintf(title, sizeof title,
             "Activity: %zu session%s%s%s%s · %zu waiting · view %s · sort %s · "
             "idle %s · own %s",
             total, total == 1 ? "" : "s", filter,
             p->moment      ? " · recorded"
             : is_frozen(p) ? " · FROZEN (Esc: live)"
                            : "",
             tagged, waiting, mon_view_name(p->view), sort_names[p->sort],
             p->show_idle ? "shown" : "hidden", p->show_own ? "shown" : "hidden");
    wg_fill(win, 0, 0, cols, theme_attr(TH_TITLE));
    wg_text(win, 0, 0, title, cols, theme_attr(TH_TITLE));
    int y = 1;
    if (rows > 4) {
        char fig[256];
        figures_line(p, fig, sizeof fig, cols < 120);
        wg_text(win, y++, 0, fig, cols, theme_attr(TH_LABEL));
    }
    if (p->error) {
        wg_text(win, y++, 0, p->error, cols, theme_attr(TH_BAD));
    }
    choose_layout(p, cols);
    int lock_rows = 0;
    const mon_backend *sel = selected(p);
    if (p->show_locks && sel && rows - y > 10 && !p->moment)
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
    mon_driver_init(&p->mon, p->e, "activity", MON_PART_ACTIVITY | MON_PART_DBSTAT);
    p->show_locks = true;
    p->sel_id.pid = -1;
    choose_layout(p, 80);
    wg_list_init(&p->list, p->layout, p->list.ncols, cell, p);
    p->list.row_attr = row_attr;
    return (pane *)p;
}

static void act_destroy(pane *pp)
{
    activity_pane *p = AP(pp);
    if (!p)
        return;
    wg_list_free(&p->list);
    mon_driver_free(&p->mon);
    mon_activity_free(p->act);
    mon_activity_free(p->held);
    free(p->samples);
    free(p->procs);
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
    if (!p->shown || p->moment)
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

/* The moment's list (a copy: the pane keeps it); NULL: live again. The
 * user chose the moment, so a frozen list takes it too. */
static void act_show_moment(pane *pp, ui_moment *m)
{
    activity_pane *p = AP(pp);
    p->moment = m;
    mon_activity_free(p->held);
    p->held = NULL;
    if (m) {
        mon_activity *copy = ui_activity_copy(m->activity, NULL, NULL);
        if (!copy)
            copy = xcalloc(1, sizeof *copy);
        apply_snapshot(p, copy);
        return;
    }
    p->frozen = false;
    apply_snapshot(p, xcalloc(1, sizeof(mon_activity))); /* nothing recorded stays */
    act_refresh(p);
}

static const pane_key act_keys[] = {
    {"C", "Cancel", "cancel the query of the selected (or every tagged) backend, after y"},
    {"K", "Kill", "terminate the selected (or every tagged) backend, after y"},
    {"p", "Pause", "pause / resume the refresh (the global key; Space tags here)"},
    {"Space", "Tag", "tag / untag the selected backend (u untags all)"},
    {"Esc", "Live", "follow the refresh again (moving, tagging or asking freezes the list)"},
    {"t", NULL, "tag / untag the selected backend (as Space)"},
    {"r", "Running", "view: running statements (again: all)"},
    {"w", "Waiting", "view: backends waiting for a lock (again: all)"},
    {"b", "Blocking", "view: backends blocking others (again: all)"},
    {"a", "All", "view: all non-idle backends"},
    {"i", "Idle", "show / hide idle sessions"},
    {"o", "Own", "show / hide pgdeck's own monitor backends (hidden at first)"},
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
    .show_moment = act_show_moment,
};
