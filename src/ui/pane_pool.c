/* pane_pool.c — the Pool pane: the console's own connection pool, live.
 *
 * What it shows, top to bottom (a document that scrolls when the window is
 * short): gauges of the pool against max_size beside the seed's success
 * metrics (SLO lines), per-second rates, every pool statistic under
 * psycopg_pool's name with a human label, wait and statement latency
 * percentiles with sparklines of the last minutes, the server's connections
 * by state against max_connections, PgBouncer's SHOW POOLS / SHOW STATS
 * (with --pgbouncer), and the pool's connection list.
 *
 * Data flow: on each tick the pane copies the engine's stats snapshot, keeps
 * a small sample in a history ring (rates, sparklines, SLO windows), and
 * sends one monitor query (pg_stat_activity) through the pool with
 * ENG_EXEC_NOMETRICS. The PgBouncer admin console gets an engine of its own
 * (simple query protocol, no prepared statements); the app only watches the
 * main engine's event fd, so the pane drains that engine on its ticks. */
#include "config.h"

#include "ui/pane.h"
#include "ui/pool_cmd.h"
#include "ui/rates.h"
#include "ui/theme.h"
#include "ui/widgets.h"

#include "common/clock.h"
#include "common/fmt.h"
#include "common/xalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HISTORY_SAMPLES 300 /* five minutes at the default 1 s refresh */
#define SLO_WINDOW_S 60.0   /* availability and error rate over the last minute */
#define TAG_SERVER "pool:server"
#define TAG_LOAD "pool:load"
#define KEY_CTRL_C 3

/* Server-side connection counts from pg_stat_activity. */
typedef struct server_counts {
    bool valid;
    long max_connections, total, active, idle, idle_in_txn, idle_in_txn_aborted, other;
    long lock_waiting;
    char error[200];
} server_counts;

typedef struct bouncer {
    engine *eng;
    char *display; /* user@host:port/db of the admin console */
    eng_id pools_req, stats_req;
    eng_result *pools, *stats; /* last answers, owned */
    char error[256];
} bouncer;

typedef struct pane_pool {
    app *a;
    engine *e;
    eng_stats *st; /* the last snapshot (heap: ~14 KB) */
    bool have_st;
    uint64_t failovers_told; /* failovers already said on the status line */
    pool_history hist;
    pool_rates rates;
    slo_result slo[SLO_COUNT];

    eng_id server_req;
    double server_asked_at;
    server_counts server;

    bouncer *pgb;

    /* the load tool */
    eng_id load_id;
    int load_clients;
    double load_seconds, load_started;
    char *load_sql;

    int scroll;   /* first document line shown */
    int doc_rows; /* document height at the last draw */
    int view_rows;
} pane_pool;

/* ---- drawing into a scrolled document --------------------------------- */

typedef struct canvas {
    WINDOW *w;
    int rows, cols, scroll;
    int y; /* current document line */
} canvas;

/* The window row of document line dy, or -1 when it is off screen. */
static int row_of(const canvas *c, int dy)
{
    int r = dy - c->scroll;
    return r >= 0 && r < c->rows ? r : -1;
}

/* Text at document line dy, column x, clipped to the window. Returns columns used. */
static int put(const canvas *c, int dy, int x, const char *s, unsigned long attr)
{
    int r = row_of(c, dy);
    if (r < 0 || x >= c->cols || x < 0)
        return 0;
    return wg_text(c->w, r, x, s, c->cols - x, attr);
}

__attribute__((format(printf, 5, 6))) static int putf(const canvas *c, int dy, int x,
                                                      unsigned long attr, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return put(c, dy, x, buf, attr);
}

static void field(const canvas *c, int dy, int x, const char *s, int width, int align,
                  unsigned long attr)
{
    int r = row_of(c, dy);
    if (r < 0 || x >= c->cols || width <= 0)
        return;
    if (x + width > c->cols)
        width = c->cols - x;
    wg_field(c->w, r, x, s, width, align, attr);
}

/* ---- the statistics table --------------------------------------------- */

typedef enum stat_type { ST_INT, ST_U64 } stat_type;

typedef struct stat_row {
    const char *name; /* psycopg_pool's name */
    const char *label;
    stat_type type;
    size_t off;
} stat_row;

#define INT_STAT(n, l)                                                                             \
    {                                                                                              \
#n, l, ST_INT, offsetof(eng_stats, n)                                                      \
    }
#define U64_STAT(n, l)                                                                             \
    {                                                                                              \
#n, l, ST_U64, offsetof(eng_stats, n)                                                      \
    }

static const stat_row stat_rows[] = {
    INT_STAT(pool_min, "min connections"),
    INT_STAT(pool_max, "max connections"),
    INT_STAT(pool_size, "connections open"),
    INT_STAT(pool_available, "idle, ready to use"),
    INT_STAT(requests_waiting, "callers waiting"),
    U64_STAT(requests_num, "checkouts asked"),
    U64_STAT(requests_queued, "checkouts queued"),
    U64_STAT(requests_wait_ms, "time spent waiting"),
    U64_STAT(requests_errors, "checkouts failed"),
    U64_STAT(returns_bad, "returned broken"),
    U64_STAT(connections_num, "connections opened"),
    U64_STAT(connections_ms, "time connecting"),
    U64_STAT(connections_errors, "connect failures"),
    U64_STAT(connections_lost, "connections lost"),
    U64_STAT(usage_ms, "time in use"),
    U64_STAT(queries_num, "statements run"),
    U64_STAT(queries_errors, "statements failed"),
    U64_STAT(prepared_hits, "prepared reused"),
    U64_STAT(prepared_misses, "prepared created"),
    U64_STAT(prepared_evictions, "prepared evicted"),
    U64_STAT(pipelines_num, "pipelines run"),
    U64_STAT(pipeline_stmts, "pipeline statements"),
    U64_STAT(copy_bytes, "COPY bytes sent"),
    U64_STAT(copy_rows, "COPY rows sent"),
    U64_STAT(load_executed, "load statements"),
};
#define NSTAT_ROWS ((int)(sizeof stat_rows / sizeof stat_rows[0]))
#define STAT_NAME_W 18
#define STAT_LABEL_W 19
#define STAT_VALUE_W 9
#define STAT_CELL_W (STAT_NAME_W + 1 + STAT_LABEL_W + 1 + STAT_VALUE_W)

static void stat_value(const eng_stats *st, const stat_row *r, char *buf, size_t n)
{
    const char *base = (const char *)st + r->off;
    if (r->type == ST_INT) {
        int v;
        memcpy(&v, base, sizeof v);
        snprintf(buf, n, "%d", v);
    } else {
        uint64_t v;
        memcpy(&v, base, sizeof v);
        snprintf(buf, n, "%llu", (unsigned long long)v);
    }
}

static void draw_stat_cell(const canvas *c, int dy, int x, const eng_stats *st, const stat_row *r)
{
    char v[32];
    stat_value(st, r, v, sizeof v);
    field(c, dy, x, r->name, STAT_NAME_W, WG_LEFT, theme_attr(TH_LABEL));
    field(c, dy, x + STAT_NAME_W + 1, r->label, STAT_LABEL_W, WG_LEFT, theme_attr(TH_DIM));
    field(c, dy, x + STAT_NAME_W + STAT_LABEL_W + 2, v, STAT_VALUE_W, WG_RIGHT,
          theme_attr(TH_VALUE));
}

/* ---- sections --------------------------------------------------------- */

/* "failover: now on HOST:PORT at HH:MM:SS, writes unavailable 3.2 s" */
static void failover_line(const eng_stats *st, char *out, size_t n)
{
    time_t at = (time_t)st->failover_at;
    struct tm tm;
    char hms[16] = "?";
    if (localtime_r(&at, &tm))
        strftime(hms, sizeof hms, "%H:%M:%S", &tm);
    snprintf(out, n, "failover: now on %.100s at %s, writes unavailable %.1f s (was on %.100s)",
             st->server_at, hms, st->last_unavailable_s, st->failover_from);
}

static void draw_title(pane_pool *p, canvas *c)
{
    const eng_stats *st = p->st;
    int x = put(c, c->y, 0, "Pool ", theme_attr(TH_TITLE));
    if (!p->have_st) {
        put(c, c->y, x, " waiting for the first statistics…", theme_attr(TH_DIM));
        c->y++;
        return;
    }
    x += putf(c, c->y, x, theme_attr(TH_NORMAL), " %s  ", st->conn_display);
    x += put(c, c->y, x, st->connected ? "connected" : "not connected",
             theme_attr(st->connected ? TH_GOOD : TH_BAD));
    if (st->server_version[0])
        x += putf(c, c->y, x, theme_attr(TH_DIM), "  PostgreSQL %s", st->server_version);
    if (p->load_id) {
        double el = clock_mono_s() - p->load_started;
        x += putf(c, c->y, x, theme_attr(TH_WARN),
                  "  load: %d clients, %llu done, %.0f/%.0f s (:load stop or Ctrl-C)",
                  p->load_clients, (unsigned long long)st->load_executed, el, p->load_seconds);
    }
    c->y++;
    if (!st->connected && st->last_error[0]) {
        put(c, c->y, 2, st->last_error, theme_attr(TH_BAD));
        c->y++;
    }
    if (st->failovers > 0) {
        char line[320];
        failover_line(st, line, sizeof line);
        put(c, c->y, 2, line, theme_attr(TH_WARN));
        c->y++;
    }
}

/* The server settings every pool connection gets ([session], --set
 * session.X, :set session.X): shown only when there are some. */
static void draw_session(pane_pool *p, canvas *c)
{
    const pgdeck_config *cfg = app_config(p->a);
    if (!cfg || cfg->nsession == 0)
        return;
    int x = put(c, c->y, 0, "Session ", theme_attr(TH_LABEL));
    for (size_t i = 0; i < cfg->nsession; i++)
        x += putf(c, c->y, x, theme_attr(TH_NORMAL), " %s=%s", cfg->session_names[i],
                  cfg->session_values[i]);
    c->y++;
}

static void draw_gauges(pane_pool *p, canvas *c, int x, int width)
{
    const eng_stats *st = p->st;
    int in_use = st->pool_size - st->pool_available;
    if (in_use < 0)
        in_use = 0;
    struct {
        const char *name;
        int value;
        theme_element el;
    } g[3] = {{"in use", in_use, TH_GAUGE_USED},
              {"available", st->pool_available, TH_GAUGE_FREE},
              {"waiting", st->requests_waiting, TH_GAUGE_WAIT}};
    for (int i = 0; i < 3; i++) {
        int r = row_of(c, c->y + i);
        field(c, c->y + i, x, g[i].name, 10, WG_LEFT, theme_attr(TH_LABEL));
        char label[32];
        snprintf(label, sizeof label, "%d/%d", g[i].value, st->pool_max);
        int gw = width - 11;
        if (r >= 0 && gw >= 3 && x + 11 < c->cols) {
            if (x + 11 + gw > c->cols)
                gw = c->cols - x - 11;
            wg_seg seg = {(double)g[i].value, theme_attr(g[i].el)};
            if (gw >= 3)
                wg_gauge(c->w, r, x + 11, gw, &seg, 1, st->pool_max > 0 ? st->pool_max : 1, label,
                         theme_attr(TH_NORMAL));
        }
    }
    field(c, c->y + 3, x, "max_size", 10, WG_LEFT, theme_attr(TH_LABEL));
    putf(c, c->y + 3, x + 11, theme_attr(TH_DIM), "%d (min_size %d)", st->pool_max, st->pool_min);
}

static void draw_slo(pane_pool *p, canvas *c, int dy, int x)
{
    put(c, dy, x, "SLO", theme_attr(TH_TITLE));
    for (int i = 0; i < SLO_COUNT; i++) {
        const slo_result *s = &p->slo[i];
        int yy = dy + i;
        int cx = x + 4;
        field(c, yy, cx, s->name, 13, WG_LEFT, theme_attr(TH_LABEL));
        field(c, yy, cx + 14, s->target, 9, WG_LEFT, theme_attr(TH_DIM));
        field(c, yy, cx + 24, s->text, 9, WG_RIGHT, theme_attr(s->met ? TH_GOOD : TH_BAD));
        put(c, yy, cx + 34, s->met ? "ok" : "MISSED", theme_attr(s->met ? TH_GOOD : TH_BAD));
        if (s->idle && s->kind != SLO_MEMORY)
            put(c, yy, cx + 41, "(no traffic)", theme_attr(TH_DIM));
    }
}

static void draw_rates(pane_pool *p, canvas *c)
{
    int x = put(c, c->y, 0, "rates     ", theme_attr(TH_LABEL));
    if (p->rates.dt <= 0) {
        put(c, c->y, x, "(after two refreshes)", theme_attr(TH_DIM));
    } else {
        struct {
            const char *name;
            double v;
        } r[] = {{"requests", p->rates.requests_per_s},
                 {"queries", p->rates.queries_per_s},
                 {"errors", p->rates.errors_per_s},
                 {"connections", p->rates.connections_per_s}};
        for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
            x += put(c, c->y, x, r[i].name, theme_attr(TH_DIM));
            x += putf(c, c->y, x, theme_attr(i == 2 && r[i].v > 0 ? TH_BAD : TH_VALUE), " %.1f/s  ",
                      r[i].v);
        }
        /* queries/s over the history, to the right */
        int w = c->cols - x - 1;
        int r0 = row_of(c, c->y);
        if (w > 4 && r0 >= 0) {
            double vals[HISTORY_SAMPLES];
            int n = pool_history_series(&p->hist, SERIES_QUERIES_PER_S, vals, HISTORY_SAMPLES);
            wg_sparkline(c->w, r0, x, w, vals, n, 0, theme_attr(TH_VALUE));
        }
    }
    c->y++;
}

static void draw_stats_table(pane_pool *p, canvas *c)
{
    int two = c->cols >= 2 * STAT_CELL_W + 3;
    if (two) {
        int half = (NSTAT_ROWS + 1) / 2;
        for (int i = 0; i < half; i++) {
            draw_stat_cell(c, c->y + i, 0, p->st, &stat_rows[i]);
            if (i + half < NSTAT_ROWS) {
                put(c, c->y + i, STAT_CELL_W + 1, "│", theme_attr(TH_DIM));
                draw_stat_cell(c, c->y + i, STAT_CELL_W + 3, p->st, &stat_rows[i + half]);
            }
        }
        c->y += half;
    } else {
        for (int i = 0; i < NSTAT_ROWS; i++)
            draw_stat_cell(c, c->y + i, 0, p->st, &stat_rows[i]);
        c->y += NSTAT_ROWS;
    }
}

/* Percentiles of the last minute; when nothing ran in it, since the engine
 * started, said so. "now" is the mean of the last refresh interval; the
 * sparkline is the last-minute p95 over the history (5 minutes). */
static void draw_latency_line(pane_pool *p, canvas *c, const char *name,
                              const eng_hist_summary *recent, const eng_hist_summary *all,
                              double now_mean, pool_series series)
{
    const eng_hist_summary *h = recent->count ? recent : all;
    char a[16], b[16], d[16], m[16], nm[16];
    fmt_ms_unit(h->p50, a, sizeof a);
    fmt_ms_unit(h->p95, b, sizeof b);
    fmt_ms_unit(h->p99, d, sizeof d);
    fmt_ms_unit(h->max, m, sizeof m);
    fmt_ms_unit(now_mean, nm, sizeof nm);
    put(c, c->y, 0, name, theme_attr(TH_LABEL));
    int x = 10;
    x += putf(c, c->y, x, theme_attr(TH_VALUE), "p50 %s  p95 %s  p99 %s  max %s", a, b, d, m);
    x += putf(c, c->y, x, theme_attr(TH_DIM), " %s  now %s  ",
              recent->count ? "(1 min)" : "(since start)", nm);
    int r = row_of(c, c->y);
    int w = c->cols - x - 1;
    if (r >= 0 && w > 4) {
        double vals[HISTORY_SAMPLES];
        int n = pool_history_series(&p->hist, series, vals, HISTORY_SAMPLES);
        wg_sparkline(c->w, r, x, w, vals, n, 0, theme_attr(TH_VALUE));
    }
    c->y++;
}

static void draw_latency(pane_pool *p, canvas *c)
{
    draw_latency_line(p, c, "wait", &p->st->wait_recent, &p->st->wait, p->rates.wait_mean_ms,
                      SERIES_WAIT_P95);
    draw_latency_line(p, c, "query", &p->st->query_recent, &p->st->query, p->rates.query_mean_ms,
                      SERIES_QUERY_P95);
}

static void draw_server(pane_pool *p, canvas *c)
{
    int x = put(c, c->y, 0, "server    ", theme_attr(TH_LABEL));
    const server_counts *s = &p->server;
    if (!s->valid) {
        put(c, c->y, x, s->error[0] ? s->error : "(pg_stat_activity: waiting for the first answer)",
            theme_attr(s->error[0] ? TH_BAD : TH_DIM));
        c->y++;
        return;
    }
    struct {
        const char *name;
        long v;
    } f[] = {{"active", s->active},
             {"idle", s->idle},
             {"idle in transaction", s->idle_in_txn},
             {"idle in transaction (aborted)", s->idle_in_txn_aborted},
             {"other", s->other}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (i >= 3 && f[i].v == 0)
            continue;
        x += putf(c, c->y, x, theme_attr(TH_DIM), "%s ", f[i].name);
        x += putf(c, c->y, x, theme_attr(TH_VALUE), "%ld  ", f[i].v);
    }
    bool high = s->max_connections > 0 && s->total * 10 >= s->max_connections * 9;
    x += putf(c, c->y, x, theme_attr(high ? TH_BAD : TH_VALUE), "%ld / %ld max_connections",
              s->total, s->max_connections);
    if (s->lock_waiting)
        x += putf(c, c->y, x, theme_attr(TH_WARN), "  %ld waiting for a lock", s->lock_waiting);
    double waited = clock_mono_s() - p->server_asked_at;
    if (p->server_req && waited > 2 * app_refresh_interval(p->a))
        putf(c, c->y, x, theme_attr(TH_WARN), "  (stale: no answer for %.0f s)", waited);
    c->y++;
    if (s->error[0]) {
        putf(c, c->y, 10, theme_attr(TH_BAD), "last refresh failed: %s", s->error);
        c->y++;
    }
}

static int result_col(const eng_result *r, const char *name)
{
    for (int i = 0; i < eng_result_ncols(r); i++)
        if (strcmp(eng_result_colname(r, i), name) == 0)
            return i;
    return -1;
}

/* Draws the columns of r that exist among `want`, as a small table. */
static void draw_result_table(canvas *c, const eng_result *r, const char *const *want, int nwant)
{
    int idx[16], width[16], n = 0;
    for (int i = 0; i < nwant && n < 16; i++) {
        int k = result_col(r, want[i]);
        if (k < 0)
            continue;
        idx[n] = k;
        width[n] = (int)strlen(want[i]);
        for (int row = 0; row < eng_result_nrows(r); row++) {
            int l = wg_text_width(eng_result_value(r, row, k));
            if (l > width[n])
                width[n] = l;
        }
        if (width[n] > 24)
            width[n] = 24;
        n++;
    }
    int x = 2;
    for (int i = 0; i < n; i++) {
        field(c, c->y, x, eng_result_colname(r, idx[i]), width[i], i < 2 ? WG_LEFT : WG_RIGHT,
              theme_attr(TH_GRID_HEADER));
        x += width[i] + 2;
    }
    c->y++;
    for (int row = 0; row < eng_result_nrows(r); row++) {
        x = 2;
        for (int i = 0; i < n; i++) {
            field(c, c->y, x, eng_result_value(r, row, idx[i]), width[i],
                  i < 2 ? WG_LEFT : WG_RIGHT, theme_attr(i < 2 ? TH_NORMAL : TH_GRID_NUMBER));
            x += width[i] + 2;
        }
        c->y++;
    }
}

static void draw_bouncer(pane_pool *p, canvas *c)
{
    bouncer *b = p->pgb;
    if (!b)
        return;
    c->y++;
    int x = put(c, c->y, 0, "PgBouncer ", theme_attr(TH_TITLE));
    put(c, c->y, x, b->display, theme_attr(TH_NORMAL));
    c->y++;
    if (b->error[0]) {
        put(c, c->y, 2, b->error, theme_attr(TH_BAD));
        c->y++;
    }
    static const char *const pool_cols[] = {"database",  "user",    "cl_active", "cl_waiting",
                                            "sv_active", "sv_idle", "sv_used",   "sv_tested",
                                            "sv_login",  "maxwait", "pool_mode"};
    static const char *const stat_cols[] = {
        "database",       "total_xact_count", "total_query_count",
        "avg_xact_count", "avg_query_count",  "avg_query_time",
        "avg_wait_time",  "total_received",   "total_sent"};
    if (b->pools) {
        put(c, c->y, 0, "SHOW POOLS", theme_attr(TH_LABEL));
        c->y++;
        draw_result_table(c, b->pools, pool_cols, (int)(sizeof pool_cols / sizeof pool_cols[0]));
    }
    if (b->stats) {
        put(c, c->y, 0, "SHOW STATS", theme_attr(TH_LABEL));
        c->y++;
        draw_result_table(c, b->stats, stat_cols, (int)(sizeof stat_cols / sizeof stat_cols[0]));
    }
    if (!b->pools && !b->stats && !b->error[0]) {
        put(c, c->y, 2, "waiting for the admin console…", theme_attr(TH_DIM));
        c->y++;
    }
}

static void draw_connections(pane_pool *p, canvas *c)
{
    static const struct {
        const char *title;
        int width, align;
    } cols[] = {{"id", 4, WG_RIGHT},   {"state", 11, WG_LEFT},    {"age", 7, WG_RIGHT},
                {"idle", 7, WG_RIGHT}, {"uses", 8, WG_RIGHT},     {"prepared", 8, WG_RIGHT},
                {"pid", 8, WG_RIGHT},  {"last error", 0, WG_LEFT}};
    c->y++;
    putf(c, c->y, 0, theme_attr(TH_TITLE), "Connections (%d)", p->st->nconns);
    c->y++;
    int x = 0;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        int w = cols[i].width ? cols[i].width : c->cols - x;
        field(c, c->y, x, cols[i].title, w, cols[i].align, theme_attr(TH_GRID_HEADER));
        x += w + 1;
    }
    c->y++;
    double lag = clock_mono_s() - p->st->taken_at;
    if (lag < 0 || p->st->taken_at <= 0)
        lag = 0;
    for (int i = 0; i < p->st->nconns && i < ENG_MAX_CONNS; i++) {
        const eng_conn_stat *cs = &p->st->conns[i];
        char v[8][48];
        snprintf(v[0], sizeof v[0], "%d", cs->id);
        snprintf(v[1], sizeof v[1], "%s", cs->state ? cs->state : "?");
        /* The snapshot may be older than this draw (published on changes only). */
        bool idle = cs->state && strcmp(cs->state, "idle") == 0;
        fmt_duration(cs->age_s + lag, v[2], sizeof v[2]);
        fmt_duration(cs->idle_s + (idle ? lag : 0), v[3], sizeof v[3]);
        snprintf(v[4], sizeof v[4], "%llu", (unsigned long long)cs->uses);
        snprintf(v[5], sizeof v[5], "%d", cs->prepared);
        if (cs->backend_pid > 0)
            snprintf(v[6], sizeof v[6], "%d", cs->backend_pid);
        else
            snprintf(v[6], sizeof v[6], "-");
        bool busy = !idle;
        x = 0;
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
            int w = cols[k].width ? cols[k].width : c->cols - x;
            const char *text = k == 7 ? cs->last_error : v[k];
            unsigned long attr = theme_attr(TH_NORMAL);
            if (k == 1)
                attr = theme_attr(busy ? TH_WARN : TH_GOOD);
            else if (k == 7)
                attr = theme_attr(TH_BAD);
            field(c, c->y, x, text, w, cols[k].align, attr);
            x += w + 1;
        }
        c->y++;
    }
    if (p->st->nconns == 0) {
        put(c, c->y, 2, "no connection open", theme_attr(TH_DIM));
        c->y++;
    }
}

static void pool_draw(pane *pp, WINDOW *win, int rows, int cols)
{
    pane_pool *p = (pane_pool *)pp;
    werase(win);
    if (rows <= 0 || cols <= 0)
        return;
    p->view_rows = rows;
    if (p->scroll > p->doc_rows - rows)
        p->scroll = p->doc_rows - rows;
    if (p->scroll < 0)
        p->scroll = 0;
    canvas c = {win, rows, cols, p->scroll, 0};
    draw_title(p, &c);
    draw_session(p, &c);
    if (p->have_st) {
        /* Gauges and SLO lines side by side when both fit (the SLO block
         * needs about 44 columns, a gauge at least 20). */
        enum { SLO_W = 44, GAUGE_MIN_W = 31, GAUGE_MAX_W = 46 };
        bool side = cols >= GAUGE_MIN_W + 2 + SLO_W;
        int top = c.y;
        if (side) {
            int gw = cols - SLO_W - 2;
            if (gw > GAUGE_MAX_W)
                gw = GAUGE_MAX_W;
            draw_gauges(p, &c, 0, gw);
            draw_slo(p, &c, top, gw + 2);
            c.y = top + 4;
        } else {
            draw_gauges(p, &c, 0, cols < 50 ? cols : 50);
            c.y = top + 4;
            draw_slo(p, &c, c.y, 0);
            c.y += SLO_COUNT;
        }
        draw_rates(p, &c);
        draw_latency(p, &c);
        draw_server(p, &c);
        draw_stats_table(p, &c);
        draw_bouncer(p, &c);
        draw_connections(p, &c);
    }
    p->doc_rows = c.y;
    if (c.y > p->scroll + rows && cols > 12) /* more below: say so */
        wg_field(win, rows - 1, cols - 12, wg_unicode() ? " more ↓ PgDn" : " more: PgDn", 12,
                 WG_RIGHT, theme_attr(TH_DIM));
}

/* ---- data ------------------------------------------------------------- */

static void refresh_stats(pane_pool *p, bool sample)
{
    eng_stats_get(p->e, p->st);
    p->have_st = true;
    if (!sample) {
        /* An EV_POOL between ticks: show it, but keep rates on tick intervals. */
        return;
    }
    pool_sample s;
    pool_sample_from_stats(&s, p->st);
    /* The engine publishes on changes only (at most every 100 ms), so
     * taken_at can lag the tick by a whole idle period: intervals between
     * snapshot times would then be short or long at random and the rates
     * jumpy. The tick's own time gives even intervals; counters lag by at
     * most one publication (100 ms) while they move. */
    s.t = clock_mono_s();
    const pool_sample *last = pool_history_at(&p->hist, 0);
    if (last && s.t <= last->t)
        return;
    pool_history_push(&p->hist, &s);
    const pool_sample *prev = pool_history_at(&p->hist, 1);
    if (prev)
        pool_rates_between(prev, &s, &p->rates);
    slo_evaluate(pool_history_window_start(&p->hist, SLO_WINDOW_S), &s,
                 pool_history_uptime(&p->hist, SLO_WINDOW_S), self_rss_bytes(), p->slo);
}

static const char server_sql[] =
    "SELECT current_setting('max_connections')::int,"
    " count(*),"
    " count(*) FILTER (WHERE state = 'active'),"
    " count(*) FILTER (WHERE state = 'idle'),"
    " count(*) FILTER (WHERE state = 'idle in transaction'),"
    " count(*) FILTER (WHERE state = 'idle in transaction (aborted)'),"
    " count(*) FILTER (WHERE state IS NULL OR state NOT IN ('active', 'idle',"
    " 'idle in transaction', 'idle in transaction (aborted)')),"
    " count(*) FILTER (WHERE wait_event_type = 'Lock')"
    " FROM pg_stat_activity WHERE backend_type = 'client backend'";

static void request_server(pane_pool *p)
{
    if (p->server_req)
        return; /* the last one still runs: a slow server gets no pile-up */
    eng_exec_args a = {0};
    a.sql = server_sql;
    a.flags = ENG_EXEC_NOMETRICS;
    a.tag = TAG_SERVER;
    p->server_req = eng_exec(p->e, &a);
    p->server_asked_at = clock_mono_s();
}

static void take_server_result(pane_pool *p, const eng_result *r)
{
    if (eng_result_status(r) != ENG_RES_TUPLES || eng_result_nrows(r) != 1 ||
        eng_result_ncols(r) < 8)
        return;
    long v[8];
    for (int i = 0; i < 8; i++)
        v[i] = atol(eng_result_value(r, 0, i));
    server_counts *s = &p->server;
    s->max_connections = v[0];
    s->total = v[1];
    s->active = v[2];
    s->idle = v[3];
    s->idle_in_txn = v[4];
    s->idle_in_txn_aborted = v[5];
    s->other = v[6];
    s->lock_waiting = v[7];
    s->valid = true;
    s->error[0] = '\0';
}

/* ---- PgBouncer admin console ----------------------------------------- */

static bouncer *bouncer_start(const char *conninfo, char **err)
{
    eng_conninfo *ci = eng_conninfo_new();
    eng_conninfo_set(ci, "dbname", conninfo);
    if (!eng_conninfo_get(ci, "application_name"))
        eng_conninfo_set(ci, "application_name", "pgdeck");
    if (!eng_conninfo_check(ci, err)) {
        eng_conninfo_free(ci);
        return NULL;
    }
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    /* The admin console speaks only the simple query protocol. */
    cfg.min_size = 1;
    cfg.max_size = 1;
    cfg.prepare_threshold = -1;
    cfg.check = false;
    cfg.timeout = 5;
    cfg.connect_timeout = 5;
    cfg.reconnect_timeout = 3600;
    engine *e = engine_start(ci, &cfg, err);
    if (!e) {
        eng_conninfo_free(ci);
        return NULL;
    }
    bouncer *b = xcalloc(1, sizeof *b);
    b->eng = e;
    b->display = eng_conninfo_display(ci);
    eng_conninfo_free(ci);
    return b;
}

static void bouncer_stop(bouncer *b)
{
    if (!b)
        return;
    engine_stop(b->eng);
    if (b->pools)
        eng_result_free(b->pools);
    if (b->stats)
        eng_result_free(b->stats);
    free(b->display);
    free(b);
}

static void bouncer_take(bouncer *b, eng_event *ev)
{
    bool pools = ev->id == b->pools_req;
    if (ev->kind == EV_RESULT && ev->result) {
        eng_result **slot = pools ? &b->pools : &b->stats;
        if (eng_result_status(ev->result) == ENG_RES_TUPLES) {
            if (*slot)
                eng_result_free(*slot);
            *slot = ev->result;
            ev->result = NULL; /* kept: the event no longer owns it */
        } else if (eng_result_error(ev->result)) {
            snprintf(b->error, sizeof b->error, "%s: %s", pools ? "SHOW POOLS" : "SHOW STATS",
                     eng_result_error(ev->result)->message);
        }
    } else if (ev->kind == EV_DONE) {
        if (ev->status == ENG_DONE_OK) {
            b->error[0] = '\0';
        } else {
            snprintf(b->error, sizeof b->error, "%s: %s", pools ? "SHOW POOLS" : "SHOW STATS",
                     ev->error ? ev->error->message : eng_done_status_name(ev->status));
        }
        if (pools)
            b->pools_req = 0;
        else
            b->stats_req = 0;
    }
}

/* Takes what arrived (the app calls this as soon as the engine's event fd
 * is readable, and the tick does too); true when something changed. */
static bool bouncer_drain(bouncer *b)
{
    bool changed = false;
    eng_event *ev;
    while ((ev = eng_event_next(b->eng)) != NULL) {
        if (ev->id && (ev->id == b->pools_req || ev->id == b->stats_req)) {
            bouncer_take(b, ev);
            changed = true;
        }
        eng_event_free(ev);
    }
    return changed;
}

/* Collects what arrived, then asks again (unless still waiting). */
static bool bouncer_tick(bouncer *b)
{
    bool changed = bouncer_drain(b);
    eng_stats st;
    eng_stats_get(b->eng, &st);
    if (!st.connected && st.last_error[0] && !b->pools_req && !b->stats_req) {
        snprintf(b->error, sizeof b->error, "not connected: %.200s", st.last_error);
        changed = true;
    }
    eng_exec_args a = {0};
    a.flags = ENG_EXEC_SIMPLE | ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE;
    if (!b->pools_req) {
        a.sql = "SHOW POOLS";
        a.tag = "pool:bouncer";
        b->pools_req = eng_exec(b->eng, &a);
    }
    if (!b->stats_req) {
        a.sql = "SHOW STATS";
        a.tag = "pool:bouncer";
        b->stats_req = eng_exec(b->eng, &a);
    }
    return changed;
}

/* ---- actions ---------------------------------------------------------- */

static void do_resize(pane_pool *p, int min_size, int max_size)
{
    eng_stats st;
    eng_stats_get(p->e, &st);
    int new_min = min_size >= 0 ? min_size : st.pool_min;
    int new_max = max_size >= 0 ? max_size : st.pool_max;
    if (new_min > new_max) {
        app_message(p->a, MSG_ERROR, "pool: min_size %d would exceed max_size %d", new_min,
                    new_max);
        return;
    }
    if (new_max < 1 || new_max > ENG_MAX_CONNS) {
        app_message(p->a, MSG_ERROR, "pool: max_size must be from 1 to %d", ENG_MAX_CONNS);
        return;
    }
    eng_pool_resize(p->e, min_size, max_size);
    app_message(p->a, MSG_INFO,
                "pool resized: min %d → %d, max %d → %d (pgdeck's own pool; the server is "
                "unchanged)",
                st.pool_min, new_min, st.pool_max, new_max);
}

static void do_check(pane_pool *p)
{
    eng_pool_check(p->e);
    app_message(p->a, MSG_INFO,
                "pool check: every idle connection is being tested (broken ones count in "
                "connections_lost)");
}

static void do_recycle(pane_pool *p)
{
    eng_pool_recycle(p->e);
    app_message(p->a, MSG_INFO,
                "pool recycle: every connection is replaced (borrowed ones when returned)");
}

static void load_start(pane_pool *p, int clients, double seconds, const char *sql)
{
    if (p->load_id) {
        app_message(p->a, MSG_WARN, "a load is running: `:load stop` (or Ctrl-C) first");
        return;
    }
    if (app_readonly(p->a)) {
        app_message(p->a, MSG_ERROR, "read-only mode: :load is disabled (its SQL may write)");
        return;
    }
    const char *sqls[1] = {sql};
    eng_load_args la = {0};
    la.clients = clients;
    la.seconds = seconds;
    la.nstmts = 1;
    la.sqls = sqls;
    la.tag = TAG_LOAD;
    p->load_id = eng_load(p->e, &la);
    p->load_clients = clients;
    p->load_seconds = seconds;
    p->load_started = clock_mono_s();
    free(p->load_sql);
    p->load_sql = xstrdup(sql);
    app_message(p->a, MSG_INFO, "load: %d clients for %g s: %s", clients, seconds, sql);
}

static bool load_stop(pane_pool *p)
{
    if (!p->load_id)
        return false;
    eng_cancel(p->e, p->load_id);
    app_message(p->a, MSG_INFO, "load: stopping…");
    return true;
}

static void load_done(pane_pool *p, const eng_event *ev)
{
    const eng_load_summary *s = &ev->load;
    double tps = s->seconds > 0 ? (double)s->executed / s->seconds : 0;
    const char *how = ev->status == ENG_DONE_OK         ? "done"
                      : ev->status == ENG_DONE_CANCELED ? "stopped"
                                                        : eng_done_status_name(ev->status);
    char err[200] = "";
    if (ev->error && ev->error->message)
        snprintf(err, sizeof err, " — %s", ev->error->message);
    char p50[16], p95[16], p99[16];
    fmt_ms_unit(s->p50_ms, p50, sizeof p50);
    fmt_ms_unit(s->p95_ms, p95, sizeof p95);
    fmt_ms_unit(s->p99_ms, p99, sizeof p99);
    app_message(p->a,
                s->errors || (ev->status != ENG_DONE_OK && ev->status != ENG_DONE_CANCELED)
                    ? MSG_WARN
                    : MSG_INFO,
                "load %s: %llu statements (%llu errors) in %.1f s, %.0f tps, p50 %s p95 %s "
                "p99 %s%s",
                how, (unsigned long long)s->executed, (unsigned long long)s->errors, s->seconds,
                tps, p50, p95, p99, err);
    p->load_id = 0;
}

static int run_command(pane_pool *p, const char *line)
{
    pool_cmd c;
    pool_cmd_parse(line, &c);
    int r = PANE_HANDLED | PANE_REDRAW;
    switch (c.kind) {
    case PCMD_NOT_MINE:
        r = PANE_IGNORED;
        break;
    case PCMD_ERROR:
        app_message(p->a, MSG_ERROR, "%s", c.err);
        break;
    case PCMD_POOL_MIN:
        do_resize(p, c.n, -1);
        break;
    case PCMD_POOL_MAX:
        do_resize(p, -1, c.n);
        break;
    case PCMD_POOL_CHECK:
        do_check(p);
        break;
    case PCMD_POOL_RECYCLE:
        do_recycle(p);
        break;
    case PCMD_LOAD:
        load_start(p, c.clients, c.seconds, c.sql);
        break;
    case PCMD_LOAD_STOP:
        if (!load_stop(p))
            app_message(p->a, MSG_INFO, "load: nothing is running");
        break;
    }
    pool_cmd_free(&c);
    return r;
}

static void load_prompt_answer(pane *pp, const char *answer)
{
    pane_pool *p = (pane_pool *)pp;
    if (!answer || !*answer)
        return;
    char *line = xasprintf("load %s", answer);
    run_command(p, line);
    free(line);
    app_mark_dirty(p->a, pp);
}

/* ---- pane_class ------------------------------------------------------- */

static pane *pool_create(app *a)
{
    pane_pool *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->e = app_engine(a);
    p->st = xcalloc(1, sizeof *p->st);
    pool_history_init(&p->hist, HISTORY_SAMPLES);
    const pgdeck_config *cfg = app_config(a);
    if (cfg && cfg->pgbouncer && *cfg->pgbouncer) {
        char *err = NULL;
        p->pgb = bouncer_start(cfg->pgbouncer, &err);
        if (!p->pgb) {
            app_message(a, MSG_ERROR, "--pgbouncer: %s", err ? err : "cannot start");
            free(err);
        }
    }
    refresh_stats(p, true);
    return (pane *)p;
}

static void pool_destroy(pane *pp)
{
    pane_pool *p = (pane_pool *)pp;
    if (!p)
        return;
    bouncer_stop(p->pgb);
    pool_history_free(&p->hist);
    free(p->st);
    free(p->load_sql);
    free(p);
}

static int pool_on_key(pane *pp, int ch, bool is_key)
{
    pane_pool *p = (pane_pool *)pp;
    int page = p->view_rows > 2 ? p->view_rows - 1 : 1;
    if (is_key) {
        switch (ch) {
        case KEY_UP:
            p->scroll--;
            break;
        case KEY_DOWN:
            p->scroll++;
            break;
        case KEY_PPAGE:
            p->scroll -= page;
            break;
        case KEY_NPAGE:
            p->scroll += page;
            break;
        case KEY_HOME:
            p->scroll = 0;
            break;
        case KEY_END:
            p->scroll = p->doc_rows;
            break;
        default:
            return PANE_IGNORED;
        }
        if (p->scroll < 0)
            p->scroll = 0;
        return PANE_HANDLED | PANE_REDRAW;
    }
    switch (ch) {
    case ']':
        if (p->have_st)
            do_resize(p, -1, p->st->pool_max + 1);
        return PANE_HANDLED | PANE_REDRAW;
    case '[':
        if (p->have_st)
            do_resize(p, -1, p->st->pool_max - 1);
        return PANE_HANDLED | PANE_REDRAW;
    case '}':
        if (p->have_st)
            do_resize(p, p->st->pool_min + 1, -1);
        return PANE_HANDLED | PANE_REDRAW;
    case '{':
        if (p->have_st && p->st->pool_min > 0)
            do_resize(p, p->st->pool_min - 1, -1);
        return PANE_HANDLED | PANE_REDRAW;
    case 'c':
        do_check(p);
        return PANE_HANDLED | PANE_REDRAW;
    case 'R':
        do_recycle(p);
        return PANE_HANDLED | PANE_REDRAW;
    case 'L':
        if (p->load_id) {
            load_stop(p);
            return PANE_HANDLED | PANE_REDRAW;
        }
        app_prompt(p->a, pp, "load [-c CLIENTS] [-t SECONDS] SQL:", "-c 4 -t 10 ", false,
                   load_prompt_answer);
        return PANE_HANDLED;
    case KEY_CTRL_C:
        if (load_stop(p))
            return PANE_HANDLED | PANE_REDRAW;
        return PANE_IGNORED;
    case 'k':
        p->scroll = p->scroll > 0 ? p->scroll - 1 : 0;
        return PANE_HANDLED | PANE_REDRAW;
    case 'j':
        p->scroll++;
        return PANE_HANDLED | PANE_REDRAW;
    default:
        return PANE_IGNORED;
    }
}

static int pool_on_event(pane *pp, const eng_event *ev)
{
    pane_pool *p = (pane_pool *)pp;
    if (ev->kind == EV_POOL) {
        refresh_stats(p, false);
        if (p->have_st && p->st->failovers > p->failovers_told) {
            p->failovers_told = p->st->failovers;
            char line[320];
            failover_line(p->st, line, sizeof line);
            app_message(p->a, MSG_WARN, "%s", line);
        }
        return PANE_REDRAW;
    }
    if (p->server_req && ev->id == p->server_req) {
        if (ev->kind == EV_RESULT && ev->result) {
            if (eng_result_status(ev->result) == ENG_RES_TUPLES)
                take_server_result(p, ev->result);
            else if (eng_result_error(ev->result))
                snprintf(p->server.error, sizeof p->server.error, "%s",
                         eng_result_error(ev->result)->message);
        } else if (ev->kind == EV_DONE) {
            if (ev->status != ENG_DONE_OK)
                snprintf(p->server.error, sizeof p->server.error, "pg_stat_activity: %s",
                         ev->error && ev->error->message ? ev->error->message
                                                         : eng_done_status_name(ev->status));
            p->server_req = 0;
        }
        return PANE_REDRAW;
    }
    if (p->load_id && ev->id == p->load_id) {
        if (ev->kind == EV_DONE) {
            load_done(p, ev);
            refresh_stats(p, false);
            return PANE_REDRAW;
        }
        return PANE_IGNORED;
    }
    return PANE_IGNORED;
}

static int pool_on_tick(pane *pp)
{
    pane_pool *p = (pane_pool *)pp;
    refresh_stats(p, true);
    request_server(p);
    if (p->pgb)
        bouncer_tick(p->pgb);
    return PANE_REDRAW;
}

static int pool_event_fd(const pane *pp)
{
    const pane_pool *p = (const pane_pool *)pp;
    return p->pgb ? eng_event_fd(p->pgb->eng) : -1;
}

static int pool_on_fd(pane *pp)
{
    pane_pool *p = (pane_pool *)pp;
    return p->pgb && bouncer_drain(p->pgb) ? PANE_REDRAW : 0;
}

static void pool_on_show(pane *pp, bool shown)
{
    pane_pool *p = (pane_pool *)pp;
    if (shown)
        refresh_stats(p, false);
}

static bool pool_text_input(const pane *pp)
{
    (void)pp;
    return false;
}

static bool pool_busy(const pane *pp)
{
    const pane_pool *p = (const pane_pool *)pp;
    return p->load_id != 0;
}

static int pool_cmd_exec(void *self, const char *line)
{
    return run_command(self, line);
}

static const ui_command pool_commands[] = {
    {"pool", ":pool min N|max N|check|recycle",
     "resize pgdeck's own pool, check idle connections, or replace them all", pool_cmd_exec},
    {"load", ":load [-c CLIENTS] [-t SECONDS] SQL|stop",
     "run a load through the pool (not with --readonly); :load stop ends it", pool_cmd_exec},
    {NULL, NULL, NULL, NULL},
};

static const pane_key pool_keys[] = {
    {"]", "Max+", "Pool max_size + 1 (:pool max N); pgdeck's own pool, so --readonly allows it"},
    {"[", "Max-", "Pool max_size - 1"},
    {"}", "Min+", "Pool min_size + 1 (:pool min N)"},
    {"{", "Min-", "Pool min_size - 1"},
    {"c", "Check", "Check every idle pool connection now (:pool check)"},
    {"R", "Recycle", "Replace every pool connection, borrowed ones on return (:pool recycle)"},
    {"L", "Load",
     "Load tool (:load [-c CLIENTS] [-t SECONDS] SQL), L again stops; not with --readonly"},
    {"C-c", "Stop", "Stop a running load (:load stop)"},
    {"Up/Dn", "Scroll", "Scroll the pane (PgUp/PgDn, Home/End, j/k)"},
    {NULL, NULL, NULL},
};

const pane_class pane_pool_class = {
    .name = "Pool",
    .tag_prefix = "pool:",
    .create = pool_create,
    .destroy = pool_destroy,
    .draw = pool_draw,
    .on_key = pool_on_key,
    .on_event = pool_on_event,
    .on_tick = pool_on_tick,
    .on_show = pool_on_show,
    .text_input = pool_text_input,
    .busy = pool_busy,
    .commands = pool_commands,
    .event_fd = pool_event_fd,
    .on_fd = pool_on_fd,
    .keys = pool_keys,
};
