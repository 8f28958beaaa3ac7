/* recorder.c — the headless recording loop (`pgdeck record`, the console's
 * `:record`). See record.h.
 *
 * Each server gets its own engine (a pool of two connections) and on it:
 * one monitor driver for pg_stat_statements, pg_stat_activity and
 * pg_stat_database, one driver per server view (each keeps its own previous
 * snapshot, so every view has rates at every snapshot; tables and indexes
 * read view_limit rows and the catalog facts once a minute, the driver's
 * rule) and the fleet statement. Every interval all of them are submitted,
 * their answers awaited (a down server answers with its connection error;
 * a server still silent after the round's deadline is recorded as down),
 * then one snapshot per server is written, each in its own transaction.
 * Thinning runs at most once a minute, and when the file outgrows
 * --size-limit. Only this thread touches the drivers and the writer. */
#include "config.h"

#include "record/record.h"

#include "common/clock.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THIN_EVERY_S 60.0
#define VIEW_ROWS_DEFAULT 20 /* tables and indexes: rows per snapshot */
#define VIEW_ROWS_ALL 200    /* the other views: all their rows, within reason */

typedef struct recorded {
    const rec_target *t;
    engine *e;
    int64_t id;
    mon_driver main;
    mon_driver views[SRV_VIEW_COUNT];
    mon_fleet_member fleet;
    unsigned got, view_got[SRV_VIEW_COUNT];
    bool fleet_answered;
    bool was_up, warned_pgss;
    long written;     /* snapshots of this server written */
    double last_wall; /* the previous snapshot's taken_at (0: none) */
} recorded;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 3, 4))) static void say(const rec_recorder_opts *o, rec_msg_kind kind,
                                                      const char *fmt, ...)
{
    if (!o->on_message)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    o->on_message(o->arg, kind, msg);
    free(msg);
}

static void server_init(recorded *r, const rec_target *t, engine *e, int view_limit)
{
    r->t = t;
    r->e = e;
    mon_driver_init(&r->main, e, "record", MON_PART_PGSS | MON_PART_ACTIVITY | MON_PART_DBSTAT);
    r->main.text_rows = 0; /* every recorded statement needs its text */
    for (int v = 0; v < SRV_VIEW_COUNT; v++) {
        mon_driver *d = &r->views[v];
        const srv_view *sv = srv_view_get((srv_view_id)v);
        mon_driver_init(d, e, "record", MON_PART_SERVER);
        mon_driver_set_view(d, (srv_view_id)v, sv->default_sort);
        d->view_limit = v == SRV_TABLES || v == SRV_INDEXES ? view_limit : VIEW_ROWS_ALL;
    }
    mon_fleet_member_init(&r->fleet, t->name, e, NULL);
}

static void server_free(recorded *r)
{
    mon_driver_free(&r->main);
    for (int v = 0; v < SRV_VIEW_COUNT; v++)
        mon_driver_free(&r->views[v]);
    mon_fleet_member_free(&r->fleet);
    if (r->e)
        engine_stop(r->e);
}

static bool server_busy(const recorded *r)
{
    if (mon_driver_busy(&r->main) || mon_fleet_busy(&r->fleet))
        return true;
    for (int v = 0; v < SRV_VIEW_COUNT; v++)
        if (mon_driver_busy(&r->views[v]))
            return true;
    return false;
}

static void drain(recorded *r)
{
    eng_event *ev;
    while ((ev = eng_event_next(r->e)) != NULL) {
        if (mon_fleet_on_event(&r->fleet, ev)) {
            if (ev->kind == EV_DONE)
                r->fleet_answered = true;
        } else {
            unsigned got = mon_driver_on_event(&r->main, ev);
            if (got & MON_EV_MINE)
                r->got |= got;
            else
                for (int v = 0; v < SRV_VIEW_COUNT; v++) {
                    got = mon_driver_on_event(&r->views[v], ev);
                    if (got & MON_EV_MINE) {
                        r->view_got[v] |= got;
                        break;
                    }
                }
        }
        eng_event_free(ev);
    }
}

/* The pool cannot reach the server: down now, not after the pool's timeout. */
static bool pool_down(recorded *r)
{
    eng_stats st;
    eng_stats_get(r->e, &st);
    if (st.connected || !st.last_error[0])
        return false;
    mon_fleet_pool_state(&r->fleet, false, st.last_error);
    return true;
}

/* One round: submit everything, wait for the answers until the deadline. */
static void collect(recorded *rs, size_t n, double deadline)
{
    for (size_t i = 0; i < n; i++) {
        recorded *r = &rs[i];
        r->got = 0;
        memset(r->view_got, 0, sizeof r->view_got);
        r->fleet_answered = false;
        mon_driver_refresh(&r->main);
        for (int v = 0; v < SRV_VIEW_COUNT; v++)
            mon_driver_refresh(&r->views[v]);
        mon_fleet_refresh(&r->fleet);
    }
    struct pollfd *pfd = xcalloc(n ? n : 1, sizeof *pfd);
    bool *given_up = xcalloc(n ? n : 1, sizeof *given_up);
    for (;;) {
        nfds_t k = 0;
        for (size_t i = 0; i < n; i++) {
            drain(&rs[i]);
            if (given_up[i] || !server_busy(&rs[i]))
                continue;
            if (pool_down(&rs[i])) {
                given_up[i] = true;
                continue;
            }
            pfd[k++] = (struct pollfd){.fd = eng_event_fd(rs[i].e), .events = POLLIN};
        }
        double left = deadline - clock_mono_s();
        if (k == 0 || left <= 0)
            break;
        /* wake up now and then for the pool's state */
        poll(pfd, k, left > 0.2 ? 200 : (int)(left * 1000) + 1);
    }
    free(pfd);
    free(given_up);
}

/* ---- writing ---------------------------------------------------------- */

static const char *fmt_clock(double epoch, char *buf, size_t n)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, n, "%H:%M:%S", &tm);
    return buf;
}

/* The server's snapshot of this round; its failure status (err set). */
static rec_status write_server(const rec_recorder_opts *o, rec_writer *w, recorded *r,
                               double waited_s, char **err)
{
    mon_fleet_member *f = &r->fleet;
    mon_driver *d = &r->main;
    bool answered = r->fleet_answered || (r->got & (MON_GOT_ACTIVITY | MON_GOT_DBSTAT));
    bool up = answered && (r->fleet_answered ? f->up : true);
    char *silent = NULL;
    const char *error = NULL;
    if (!up) {
        if (f->error)
            error = f->error;
        else
            error = silent = xasprintf("no answer within %.0f s", waited_s);
    }
    bool fleet_now = r->fleet_answered && f->up && f->have;
    rec_snapshot s = {.server_id = r->id, .up = up, .error = error, .standby = -1};
    s.taken_at = (r->got & MON_GOT_DBSTAT) && !isnan(d->db_cur.now_s) ? d->db_cur.now_s
                 : fleet_now && !isnan(f->cur.now_s)                  ? f->cur.now_s
                                                                      : wall_now();
    if (up) {
        if ((r->got & MON_GOT_PGSS) && d->cur) {
            s.pgss = d->cur;
            s.interval_s = d->cur->interval_s;
        }
        if (s.interval_s <= 0 && r->was_up && r->last_wall > 0)
            s.interval_s = s.taken_at - r->last_wall;
        if (r->got & MON_GOT_ACTIVITY)
            s.activity = d->activity;
        if (r->got & MON_GOT_DBSTAT) {
            s.db = &d->db_cur;
            s.rates = d->have_db_prev ? &d->rates : NULL;
        }
        for (int v = 0; v < SRV_VIEW_COUNT; v++)
            if ((r->view_got[v] & MON_GOT_VIEW) && r->views[v].view_snap)
                s.views[v] = r->views[v].view_snap;
        if (fleet_now) {
            s.fleet = f;
            s.version_num = f->cur.version_num;
            s.standby = f->cur.standby;
        } else if (d->probed) {
            s.version_num = d->srv.version_num;
        }
    }
    double t0 = clock_mono_s();
    int64_t id = 0;
    rec_status st = rec_writer_write(w, &s, &id, err);
    double ms = (clock_mono_s() - t0) * 1000;
    if (st == REC_OK) {
        char clk[16];
        const rec_write_counts *c = rec_writer_last(w);
        if (up)
            say(o, REC_MSG_SNAPSHOT,
                "snapshot %lld %s at %s: up, %ld statements (%ld new texts), %ld backends, "
                "%ld view rows, written in %.1f ms",
                (long long)id, r->t->name, fmt_clock(s.taken_at, clk, sizeof clk), c->stmts,
                c->texts, c->backends, c->view_rows, ms);
        else
            say(o, REC_MSG_SNAPSHOT, "snapshot %lld %s at %s: down: %s", (long long)id, r->t->name,
                fmt_clock(s.taken_at, clk, sizeof clk), error);
        if (!up && (r->was_up || r->written == 0)) /* went down, or down from the start */
            say(o, REC_MSG_WARNING, "server %s is down: %s", r->t->name, error);
        else if (up && !r->was_up && r->written > 0)
            say(o, REC_MSG_WARNING, "server %s is up again", r->t->name);
        if (up && d->probed && d->srv.state != MON_PGSS_OK && !r->warned_pgss) {
            r->warned_pgss = true;
            say(o, REC_MSG_WARNING, "server %s: no statements recorded: %s", r->t->name,
                d->srv.reason ? d->srv.reason : mon_pgss_state_name(d->srv.state));
        }
        r->was_up = up;
        r->written++;
        r->last_wall = up ? s.taken_at : 0;
    }
    free(silent);
    return st;
}

static rec_status thin(const rec_recorder_opts *o, rec_writer *w, char **err)
{
    rec_thin_opts t = {.now = wall_now(),
                       .keep_detail_s = o->keep_detail_s,
                       .keep_s = o->keep_s,
                       .size_limit = o->size_limit};
    rec_thin_result res;
    rec_status st = rec_writer_thin(w, &t, &res, err);
    if (st == REC_OK && (res.folded || res.deleted))
        say(o, REC_MSG_THIN,
            "thinned: %ld snapshots folded into %ld minutes, %ld deleted, %ld texts dropped",
            res.folded, res.minutes, res.deleted, res.texts);
    return st;
}

/* The flag is set by a signal handler (pgdeck record) or by the console's
 * thread (:record stop): a lock-free atomic serves both. */
static bool stop_asked(atomic_int *stop)
{
    return stop && atomic_load(stop) != 0;
}

/* Sleeps until the monotonic time `until`, or until *stop. */
static void wait_until(double until, atomic_int *stop)
{
    for (;;) {
        double left = until - clock_mono_s();
        if (left <= 0 || stop_asked(stop))
            return;
        poll(NULL, 0, left > 0.1 ? 100 : (int)(left * 1000) + 1);
    }
}

static rec_status stopped(const rec_recorder_opts *o, rec_status st, char *err)
{
    if (st == REC_DISK_FULL)
        say(o, REC_MSG_ERROR, "recording stopped: disk full (%s)", o->path);
    else
        say(o, REC_MSG_ERROR, "recording stopped: %s", err ? err : "write failed");
    free(err);
    return st;
}

rec_status rec_recorder_run(const rec_recorder_opts *o, atomic_int *stop)
{
    char *err = NULL;
    rec_writer *w = rec_writer_open(o->path, &err);
    if (!w) {
        say(o, REC_MSG_ERROR, "%s", err);
        free(err);
        return REC_FAILED;
    }
    double interval = o->interval_s > 0 ? o->interval_s : REC_DEFAULT_INTERVAL;
    eng_pool_config pool;
    if (o->pool)
        pool = *o->pool;
    else
        eng_pool_config_defaults(&pool);
    /* two connections: the views and the statements overlap; a down server
     * is retried for ever, and a round never waits out a long pool timeout */
    pool.min_size = 1;
    pool.max_size = 2;
    pool.check = false;
    pool.prepare_threshold = -1;
    pool.reconnect_timeout = 1e9;
    pool.timeout = fmin(fmax(interval, 2.0), 10.0);
    if (pool.connect_timeout <= 0 || pool.connect_timeout > 5)
        pool.connect_timeout = 5;

    recorded *rs = xcalloc(o->nservers ? o->nservers : 1, sizeof *rs);
    size_t started = 0;
    rec_status st = REC_OK;
    for (size_t i = 0; i < o->nservers; i++) {
        const rec_target *t = &o->servers[i];
        rs[i].id = rec_writer_server(w, t->name, t->target, &st, &err);
        if (rs[i].id < 0)
            break;
        engine *e = engine_start(t->ci, &pool, &err);
        if (!e) {
            char *why = xasprintf("server %s: %s", t->name, err ? err : "cannot start");
            free(err);
            err = why;
            st = REC_FAILED;
            break;
        }
        server_init(&rs[i], t, e, o->view_limit > 0 ? o->view_limit : VIEW_ROWS_DEFAULT);
        started++;
    }
    double start = clock_mono_s(), next = start, last_thin = -1e18;
    while (st == REC_OK && started == o->nservers) {
        double round = clock_mono_s();
        double waited = fmax(interval, 3.0);
        collect(rs, started, round + waited);
        for (size_t i = 0; i < started && st == REC_OK; i++)
            st = write_server(o, w, &rs[i], waited, &err);
        if (st != REC_OK)
            break;
        double now = clock_mono_s();
        bool over = o->size_limit > 0 && rec_writer_bytes(w) > o->size_limit;
        if (now - last_thin >= THIN_EVERY_S || over) {
            last_thin = now;
            if ((st = thin(o, w, &err)) != REC_OK)
                break;
        }
        if (stop_asked(stop) || (o->duration_s > 0 && now - start >= o->duration_s - 1e-3))
            break;
        next += interval;
        if (next < now)
            next = now; /* a slow round: the missed snapshots are not made up */
        if (o->duration_s > 0 && next > start + o->duration_s)
            next = start + o->duration_s;
        wait_until(next, stop);
        if (stop_asked(stop))
            break;
    }
    if (st != REC_OK)
        stopped(o, st, err);
    else
        free(err);
    for (size_t i = 0; i < started; i++)
        server_free(&rs[i]);
    free(rs);
    rec_writer_close(w);
    return st;
}
