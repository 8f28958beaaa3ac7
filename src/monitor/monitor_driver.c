/* monitor_driver.c — the monitor views' one sequence (probe → statements →
 * texts → rates, and the lists beside it) as a state machine fed with engine
 * events. See monitor.h. */
#include "monitor/monitor.h"

#include "common/clock.h"
#include "common/fmt.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const step_tags[MON_STEP_COUNT] = {
    [MON_STEP_PROBE] = "probe",     [MON_STEP_PGSS] = "pgss",     [MON_STEP_TEXTS] = "texts",
    [MON_STEP_NOW] = "now",         [MON_STEP_ACTIVITY] = "list", [MON_STEP_DBSTAT] = "db",
    [MON_STEP_SRV_PROBE] = "probe", [MON_STEP_SRV_VIEW] = "view", [MON_STEP_SRV_SLICE] = "slice",
};

void mon_driver_init(mon_driver *d, engine *e, const char *tag, unsigned parts)
{
    memset(d, 0, sizeof *d);
    d->e = e;
    d->parts = parts;
    d->sort = MON_SORT_TOTAL;
    d->limit = MON_DEFAULT_LIMIT;
    d->threshold_ms = 50;
    d->view_limit = 100;
    d->view_sort = srv_view_get(d->view)->default_sort;
    d->view_slice = 0; /* each view's own (srv_pass_new) */
    /* tests make the slices small, so that a pass takes several */
    const char *slice = getenv("PGDECK_SLICE_ROWS");
    if (slice && atoi(slice) > 0)
        d->view_slice = atoi(slice);
    d->tag = xstrdup(tag);
    mon_server_init(&d->srv);
    d->texts = mon_text_cache_new();
}

void mon_driver_free(mon_driver *d)
{
    mon_server_free(&d->srv);
    mon_filter_free(&d->filter);
    mon_pgss_snap_free(d->prev);
    mon_pgss_snap_free(d->cur);
    mon_pgss_snap_free(d->incoming);
    mon_text_cache_free(d->texts);
    mon_activity_free(d->now);
    mon_activity_free(d->now_incoming);
    mon_activity_free(d->activity);
    mon_activity_free(d->activity_incoming);
    srv_catalog_free(d->cat);
    srv_snap_free(d->view_snap);
    srv_snap_free(d->view_incoming);
    srv_snap_free(d->view_seed);
    srv_pass_free(d->view_pass);
    for (size_t i = 0; i < d->nsize_due; i++)
        free(d->size_due[i]);
    free(d->size_due);
    for (int i = 0; i < MON_STEP_COUNT; i++)
        free(d->fail[i].message);
    free(d->tag);
    memset(d, 0, sizeof *d);
}

static void submit(mon_driver *d, mon_step step, const char *sql, int nparams,
                   const char *const *params)
{
    char tag[64];
    snprintf(tag, sizeof tag, "%s:%s", d->tag, step_tags[step]);
    eng_exec_args args = {.sql = sql,
                          .nparams = nparams,
                          .params = params,
                          .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                          .tag = tag};
    d->id[step] = eng_exec(d->e, &args);
    d->fail[step].failed = false; /* fail[] tells of the latest run */
}

/* Records a step's failure; returns MON_GOT_ERROR for the caller's bits. */
static unsigned failed(mon_driver *d, mon_step step, eng_done_status status, const char *message)
{
    mon_failure *f = &d->fail[step];
    f->failed = true;
    f->status = status;
    free(f->message);
    f->message = xstrdup(message ? message : eng_done_status_name(status));
    d->last_failed = step;
    return MON_GOT_ERROR;
}

static unsigned failed_event(mon_driver *d, mon_step step, const eng_event *ev)
{
    return failed(d, step, ev->status, ev->error ? ev->error->message : NULL);
}

static void submit_pgss(mon_driver *d)
{
    if (d->id[MON_STEP_PGSS] || d->id[MON_STEP_TEXTS] || d->srv.state != MON_PGSS_OK)
        return;
    char *sql = mon_pgss_sql(&d->srv, d->sort, d->limit, &d->filter);
    if (!sql)
        return;
    const char *params[3];
    mon_pgss_params(&d->filter, params);
    submit(d, MON_STEP_PGSS, sql, 3, params);
    free(sql);
}

/* ---- the server views ------------------------------------------------------ */

/* No rows to show yet (or a complete answer is wanted): the pass's slices
 * follow each other at once instead of one a refresh. */
static bool back_to_back(const mon_driver *d)
{
    return d->view_complete || (!d->view_snap && !d->view_seed);
}

static void drop_pass(mon_driver *d)
{
    srv_pass_free(d->view_pass);
    d->view_pass = NULL;
    d->view_pass_gen++; /* a slice in flight answers the dropped pass */
}

static void drop_rows_choice(mon_driver *d)
{
    drop_pass(d);
    srv_snap_free(d->view_seed);
    d->view_seed = NULL;
    for (size_t i = 0; i < d->nsize_due; i++)
        free(d->size_due[i]);
    d->nsize_due = 0;
    d->view_rows_chosen_at = 0;
}

static void submit_slice(mon_driver *d)
{
    if (d->id[MON_STEP_SRV_SLICE] || !d->view_pass)
        return;
    char *sql = srv_pass_slice_sql(d->view_pass, d->cat);
    if (!sql)
        return;
    d->slice_gen = d->view_pass_gen;
    submit(d, MON_STEP_SRV_SLICE, sql, 0, NULL);
    free(sql);
}

/* A pass starts when nothing was chosen yet, every SRV_CATALOG_INTERVAL s
 * (from the start of the one before), on a sort change and on R. */
static void start_pass_if_due(mon_driver *d, const srv_view *v, double now)
{
    if (d->view_pass)
        return;
    bool nothing = !d->view_snap && !d->view_seed;
    if (!nothing && !d->view_want_catalog && now - d->view_pass_started < SRV_CATALOG_INTERVAL)
        return;
    d->view_want_catalog = false;
    d->view_pass = srv_pass_new(v, d->view_sort, d->view_limit, d->view_slice);
    d->view_pass_gen++;
    d->view_pass_started = now;
}

/* Flags the rows whose sizes are due, SRV_SIZES_PER_REFRESH of them (all
 * with view_complete, or while no row is shown yet: the first answer is
 * whole), and takes them off the list. */
static bool *sizes_now(mon_driver *d, const srv_snap *rows)
{
    if (!d->nsize_due || !rows->n)
        return NULL;
    int coid = -1;
    for (int i = 0; i < rows->view->ncols; i++)
        if (strcmp(rows->view->cols[i].key, "oid") == 0)
            coid = i;
    bool *now = xcalloc(rows->n, sizeof *now);
    bool all = d->view_complete || !d->view_snap;
    size_t taken = 0;
    for (size_t k = 0; k < d->nsize_due;) {
        bool hit = false;
        if (all || taken < SRV_SIZES_PER_REFRESH)
            for (size_t j = 0; j < rows->n && !hit; j++)
                if (strcmp(rows->rows[j].text[coid], d->size_due[k]) == 0)
                    hit = now[j] = true;
        if (!hit) {
            k++;
            continue;
        }
        taken++;
        free(d->size_due[k]);
        d->size_due[k] = d->size_due[--d->nsize_due];
    }
    return now;
}

/* The shown rows' statistics (and due sizes), by oid: after a pass, the
 * rows it chose. */
static void submit_rows(mon_driver *d, const srv_view *v, double now)
{
    const srv_snap *rows = d->view_seed ? d->view_seed : d->view_snap;
    if (d->id[MON_STEP_SRV_VIEW] || !rows)
        return;
    if (d->view_paced && !d->view_seed && now - d->view_last_run < v->min_interval)
        return;
    d->view_last_run = now;
    bool *flags = sizes_now(d, rows);
    char *sql = srv_view_sql_rows(v, d->cat, rows, flags);
    free(flags);
    srv_snap_free(d->view_seed); /* the statement carries the choice now */
    d->view_seed = NULL;
    d->view_of_query = d->view;
    submit(d, MON_STEP_SRV_VIEW, sql, 0, NULL);
    free(sql);
}

/* The last slice came: the running top becomes the rows shown, and their
 * sizes are due. */
static void finish_pass(mon_driver *d)
{
    const srv_view *v = srv_view_get(d->view);
    bool waited = back_to_back(d); /* nothing shown yet, or --once */
    srv_snap_free(d->view_seed);
    d->view_seed = srv_pass_rows(d->view_pass, d->view_snap);
    d->view_rows_sort = srv_pass_sort(d->view_pass);
    d->view_rows_chosen_at = clock_mono_s();
    drop_pass(d);
    for (size_t i = 0; i < d->nsize_due; i++)
        free(d->size_due[i]);
    d->nsize_due = 0;
    int coid = -1;
    for (int i = 0; i < v->ncols; i++)
        if (strcmp(v->cols[i].key, "oid") == 0)
            coid = i;
    d->size_due = xrealloc(d->size_due, (d->view_seed->n + 1) * sizeof *d->size_due);
    for (size_t j = 0; j < d->view_seed->n; j++)
        d->size_due[d->nsize_due++] = xstrdup(d->view_seed->rows[j].text[coid]);
    /* else the next refresh reads them: rates want its interval */
    if (waited)
        submit_rows(d, v, clock_mono_s());
}

/* The server view: the catalog probe once, then the view's statement; for
 * tables and indexes the next slice of the pass beside the shown rows'
 * statistics. */
static void submit_view(mon_driver *d)
{
    if (!d->cat) {
        if (!d->id[MON_STEP_SRV_PROBE])
            submit(d, MON_STEP_SRV_PROBE, srv_probe_sql(), 0, NULL);
        return;
    }
    const srv_view *v = srv_view_get(d->view);
    double now = clock_mono_s();
    if (srv_view_cached(v)) {
        start_pass_if_due(d, v, now);
        submit_slice(d);
        submit_rows(d, v, now);
        return;
    }
    if (d->id[MON_STEP_SRV_VIEW])
        return;
    if (d->view_paced && d->view_snap && now - d->view_last_run < v->min_interval)
        return;
    d->view_last_run = now;
    char *sql = srv_view_sql(v, d->cat, d->view_sort, d->view_limit);
    d->view_of_query = d->view;
    submit(d, MON_STEP_SRV_VIEW, sql, 0, NULL);
    free(sql);
}

void mon_driver_set_view(mon_driver *d, srv_view_id view, int sort_col)
{
    if (d->view == view)
        return;
    d->view = view;
    d->view_sort = sort_col;
    srv_snap_free(d->view_snap); /* rates restart with the view */
    d->view_snap = NULL;
    drop_rows_choice(d);
    if (d->parts & MON_PART_SERVER)
        submit_view(d);
}

void mon_driver_set_view_sort(mon_driver *d, int col)
{
    d->view_sort = col;
    const srv_view *v = srv_view_get(d->view);
    if (!srv_view_cached(v))
        return;
    int key = srv_pass_key_col(v, col);
    int chosen = d->view_pass ? srv_pass_sort(d->view_pass) : d->view_rows_sort;
    if (key != chosen || !d->view_rows_chosen_at)
        mon_driver_reread_catalog(d); /* the new order's top rows need a pass */
}

void mon_driver_reread_catalog(mon_driver *d)
{
    drop_pass(d);
    d->view_want_catalog = true;
    if (!(d->parts & MON_PART_SERVER))
        return;
    const srv_view *v = srv_view_get(d->view);
    if (d->cat && srv_view_cached(v)) {
        /* the pass's first slice now; the rows at the next refresh, so that
         * their rates keep a refresh's interval */
        start_pass_if_due(d, v, clock_mono_s());
        submit_slice(d);
    } else {
        submit_view(d);
    }
}

const char *mon_driver_view_freshness(const mon_driver *d, char *buf, size_t n)
{
    const srv_view *v = srv_view_get(d->view);
    if (!srv_view_cached(v) || !d->cat)
        return NULL;
    double now = clock_mono_s();
    char age[32] = "", next[64] = "";
    if (d->view_rows_chosen_at > 0)
        fmt_duration(now - d->view_rows_chosen_at, age, sizeof age);
    const srv_pass *p = d->view_pass;
    if (p && !d->view_rows_chosen_at) {
        snprintf(buf, n, "choosing the rows by %s: %.0f%% of the catalog read",
                 v->cols[srv_pass_sort(p)].key, srv_pass_pct(p));
    } else if (p && srv_pass_sort(p) != d->view_rows_sort) {
        snprintf(
            buf, n, "sorting by %s: %.0f%% of the catalog read · rows below chosen by %s %s ago",
            v->cols[srv_pass_sort(p)].key, srv_pass_pct(p), v->cols[d->view_rows_sort].key, age);
    } else if (d->view_rows_chosen_at > 0 && d->view_complete && !p) {
        snprintf(buf, n, "rows chosen by %s over the whole catalog (a full pass, %s ago)",
                 v->cols[d->view_rows_sort].key, age);
    } else if (d->view_rows_chosen_at > 0) {
        if (p)
            snprintf(next, sizeof next, "next pass %.0f%% done", srv_pass_pct(p));
        else {
            char in[32];
            double left = SRV_CATALOG_INTERVAL - (now - d->view_pass_started);
            fmt_duration(left > 0 ? left : 0, in, sizeof in);
            snprintf(next, sizeof next, "next pass in %s", in);
        }
        snprintf(buf, n, "rows chosen %s ago by %s over the whole catalog · %s", age,
                 v->cols[d->view_rows_sort].key, next);
    } else {
        return NULL;
    }
    return buf;
}

void mon_driver_submit(mon_driver *d, unsigned parts)
{
    if (parts & MON_PART_PGSS) {
        /* while pg_stat_statements is unavailable every refresh probes again:
         * someone may create the extension (or grant the view) meanwhile */
        if ((!d->probed || d->srv.state != MON_PGSS_OK) && !d->id[MON_STEP_PROBE])
            submit(d, MON_STEP_PROBE, mon_probe_sql(), 0, NULL);
        else
            submit_pgss(d);
    }
    if ((parts & MON_PART_NOW) && !d->id[MON_STEP_NOW]) {
        char thr[32];
        snprintf(thr, sizeof thr, "%g", d->threshold_ms);
        const char *params[1] = {thr};
        submit(d, MON_STEP_NOW, mon_now_sql(), 1, params);
    }
    if ((parts & MON_PART_ACTIVITY) && !d->id[MON_STEP_ACTIVITY])
        submit(d, MON_STEP_ACTIVITY, mon_activity_sql(), 0, NULL);
    if ((parts & MON_PART_DBSTAT) && !d->id[MON_STEP_DBSTAT])
        submit(d, MON_STEP_DBSTAT, mon_dbstat_sql(), 0, NULL);
    if (parts & MON_PART_SERVER)
        submit_view(d);
}

void mon_driver_refresh(mon_driver *d)
{
    mon_driver_submit(d, d->parts);
}

bool mon_driver_busy(const mon_driver *d)
{
    for (int i = 0; i < MON_STEP_COUNT; i++)
        if (d->id[i])
            return true;
    return false;
}

void mon_driver_drop_baseline(mon_driver *d)
{
    mon_pgss_snap_free(d->prev);
    mon_pgss_snap_free(d->cur);
    d->prev = d->cur = NULL;
}

void mon_driver_set_filter(mon_driver *d, const char *input)
{
    mon_filter_parse(&d->filter, input);
    mon_driver_drop_baseline(d);
    if (d->id[MON_STEP_PGSS] || d->id[MON_STEP_TEXTS])
        d->pgss_stale = true; /* what is on its way answers the old filter */
    else
        submit_pgss(d);
}

void mon_driver_reprobe(mon_driver *d)
{
    d->probed = false;
}

mon_activity *mon_driver_take_activity(mon_driver *d)
{
    mon_activity *a = d->activity;
    d->activity = NULL;
    return a;
}

/* The snapshot with its texts: rates against cur, sorted, cur becomes prev. */
static unsigned install_snapshot(mon_driver *d)
{
    mon_pgss_snap *snap = d->incoming;
    d->incoming = NULL;
    mon_pgss_rates(d->cur, snap);
    mon_pgss_sort(snap, d->sort, d->by_rate);
    mon_pgss_snap_free(d->prev);
    d->prev = d->cur;
    d->cur = snap;
    return MON_GOT_PGSS;
}

/* A snapshot answering an old filter: dropped, and the list read again. */
static bool restart_if_stale(mon_driver *d)
{
    if (!d->pgss_stale)
        return false;
    d->pgss_stale = false;
    mon_pgss_snap_free(d->incoming);
    d->incoming = NULL;
    submit_pgss(d);
    return true;
}

static bool tuples(const eng_event *ev)
{
    return ev->kind == EV_RESULT && ev->result && eng_result_status(ev->result) == ENG_RES_TUPLES;
}

static unsigned on_probe(mon_driver *d, const eng_event *ev)
{
    unsigned got = 0;
    if (tuples(ev)) {
        char *err = NULL;
        if (mon_probe_parse(ev->result, &d->srv, &err))
            d->probed = true;
        else
            got |= failed(d, MON_STEP_PROBE, ENG_DONE_OK, err);
        free(err);
    } else if (ev->kind == EV_DONE) {
        d->id[MON_STEP_PROBE] = 0;
        if (ev->status != ENG_DONE_OK) {
            got |= failed_event(d, MON_STEP_PROBE, ev);
        } else if (d->probed) {
            got |= MON_GOT_PROBE;
            submit_pgss(d);
        }
    }
    return got;
}

static unsigned on_pgss(mon_driver *d, const eng_event *ev)
{
    unsigned got = 0;
    if (tuples(ev)) {
        char *err = NULL;
        mon_pgss_snap_free(d->incoming);
        d->incoming = mon_pgss_parse(ev->result, clock_mono_s(), &err);
        if (!d->incoming)
            got |= failed(d, MON_STEP_PGSS, ENG_DONE_OK, err);
        free(err);
    } else if (ev->kind == EV_RESULT && ev->result && eng_result_error(ev->result)) {
        mon_server_diagnose_error(&d->srv, eng_result_error(ev->result));
    } else if (ev->kind == EV_DONE) {
        d->id[MON_STEP_PGSS] = 0;
        char *ids = NULL;
        if (restart_if_stale(d))
            return got;
        if (ev->status == ENG_DONE_OK && d->incoming) {
            size_t upto = d->text_rows ? d->text_rows : d->incoming->n;
            if (mon_pgss_apply_texts(d->incoming, d->texts, upto, false, &ids)) {
                /* new statements: their texts first, then the snapshot */
                char *sql = mon_pgss_text_sql(&d->srv);
                const char *params[1] = {ids};
                submit(d, MON_STEP_TEXTS, sql, 1, params);
                free(sql);
                free(ids);
            } else {
                got |= install_snapshot(d);
            }
        } else {
            mon_pgss_snap_free(d->incoming);
            d->incoming = NULL;
            if (ev->status != ENG_DONE_OK) {
                if (ev->error && ev->status == ENG_DONE_ERROR)
                    mon_server_diagnose_error(&d->srv, ev->error);
                got |= failed_event(d, MON_STEP_PGSS, ev);
            }
            if (d->srv.state == MON_PGSS_UNKNOWN)
                d->probed = false; /* the extension changed: probe again */
        }
    }
    return got;
}

static unsigned on_texts(mon_driver *d, const eng_event *ev)
{
    unsigned got = 0;
    if (ev->kind == EV_RESULT && ev->result) {
        mon_text_cache_add_result(d->texts, ev->result);
    } else if (ev->kind == EV_DONE) {
        d->id[MON_STEP_TEXTS] = 0;
        if (ev->status != ENG_DONE_OK)
            got |= failed_event(d, MON_STEP_TEXTS, ev);
        if (restart_if_stale(d))
            return got;
        if (d->incoming) {
            /* rows whose text did not come say so rather than stay empty */
            mon_pgss_apply_texts(d->incoming, d->texts, 0, true, NULL);
            got |= install_snapshot(d);
        }
    }
    return got;
}

/* pg_stat_activity, for the now list and the whole list alike. */
static unsigned on_activity(mon_driver *d, const eng_event *ev, mon_step step,
                            mon_activity **incoming, mon_activity **out, unsigned got_bit)
{
    unsigned got = 0;
    if (tuples(ev)) {
        char *err = NULL;
        mon_activity_free(*incoming);
        *incoming = mon_activity_parse(ev->result, &err);
        if (!*incoming)
            got |= failed(d, step, ENG_DONE_OK, err);
        free(err);
    } else if (ev->kind == EV_DONE) {
        d->id[step] = 0;
        if (ev->status != ENG_DONE_OK) {
            mon_activity_free(*incoming);
            *incoming = NULL;
            got |= failed_event(d, step, ev);
        } else if (*incoming) {
            mon_activity_free(*out);
            *out = *incoming;
            *incoming = NULL;
            got |= got_bit;
        }
    }
    return got;
}

static unsigned on_dbstat(mon_driver *d, const eng_event *ev)
{
    unsigned got = 0;
    if (tuples(ev)) {
        char *err = NULL;
        d->have_db_incoming = mon_dbstat_parse(ev->result, &d->db_incoming, &err);
        if (!d->have_db_incoming)
            got |= failed(d, MON_STEP_DBSTAT, ENG_DONE_OK, err);
        free(err);
    } else if (ev->kind == EV_DONE) {
        d->id[MON_STEP_DBSTAT] = 0;
        if (ev->status != ENG_DONE_OK) {
            got |= failed_event(d, MON_STEP_DBSTAT, ev);
        } else if (d->have_db_incoming) {
            if (d->have_db_cur) {
                d->db_prev = d->db_cur;
                d->have_db_prev = true;
            }
            d->db_cur = d->db_incoming;
            d->have_db_cur = true;
            mon_dbstat_rates(d->have_db_prev ? &d->db_prev : NULL, &d->db_cur, &d->rates);
            got |= MON_GOT_DBSTAT;
        }
        d->have_db_incoming = false;
    }
    return got;
}

static unsigned on_srv_probe(mon_driver *d, const eng_event *ev)
{
    unsigned got = 0;
    if (tuples(ev)) {
        char *err = NULL;
        srv_catalog_free(d->cat);
        if (!(d->cat = srv_catalog_parse(ev->result, &err)))
            got |= failed(d, MON_STEP_SRV_PROBE, ENG_DONE_OK, err);
        free(err);
    } else if (ev->kind == EV_DONE) {
        d->id[MON_STEP_SRV_PROBE] = 0;
        if (ev->status != ENG_DONE_OK) {
            srv_catalog_free(d->cat);
            d->cat = NULL;
            got |= failed_event(d, MON_STEP_SRV_PROBE, ev);
        } else if (d->cat) {
            got |= MON_GOT_CATALOG;
            submit_view(d);
        }
    }
    return got;
}

static unsigned on_srv_view(mon_driver *d, const eng_event *ev)
{
    unsigned got = 0;
    if (tuples(ev) && d->view_of_query == d->view) {
        char *err = NULL;
        srv_snap_free(d->view_incoming);
        d->view_incoming =
            srv_parse(srv_view_get(d->view), d->cat, ev->result, clock_mono_s(), &err);
        if (!d->view_incoming)
            got |= failed(d, MON_STEP_SRV_VIEW, ENG_DONE_OK, err);
        free(err);
    } else if (ev->kind == EV_DONE) {
        d->id[MON_STEP_SRV_VIEW] = 0;
        srv_snap *s = d->view_incoming;
        d->view_incoming = NULL;
        if (ev->status != ENG_DONE_OK) {
            srv_snap_free(s);
            got |= failed_event(d, MON_STEP_SRV_VIEW, ev);
        } else if (d->view_of_query != d->view) {
            srv_snap_free(s); /* the view changed while it ran */
            submit_view(d);
        } else if (s) {
            srv_rates(d->view_snap, s);
            srv_snap_free(d->view_snap);
            d->view_snap = s;
            got |= MON_GOT_VIEW;
        }
        if (d->view_seed && (d->view_complete || !d->view_snap))
            submit_rows(d, srv_view_get(d->view), clock_mono_s()); /* the pass ended meanwhile */
    }
    return got;
}

static unsigned on_srv_slice(mon_driver *d, const eng_event *ev)
{
    unsigned got = 0;
    bool mine = d->slice_gen == d->view_pass_gen && d->view_pass;
    if (tuples(ev) && mine) {
        char *err = NULL;
        if (!srv_pass_add(d->view_pass, ev->result, &err)) {
            got |= failed(d, MON_STEP_SRV_SLICE, ENG_DONE_OK, err);
            drop_pass(d);
        }
        free(err);
    } else if (ev->kind == EV_DONE) {
        d->id[MON_STEP_SRV_SLICE] = 0;
        if (!mine) {
            submit_slice(d); /* the pass changed while it ran: the new one's first */
        } else if (ev->status != ENG_DONE_OK) {
            got |= failed_event(d, MON_STEP_SRV_SLICE, ev);
            drop_pass(d); /* the next is due SRV_CATALOG_INTERVAL s after its start */
        } else if (srv_pass_done(d->view_pass)) {
            finish_pass(d);
            got |= MON_GOT_VIEW_PASS;
        } else {
            if (back_to_back(d))
                submit_slice(d);
            got |= MON_GOT_VIEW_PASS;
        }
    }
    return got;
}

unsigned mon_driver_on_event(mon_driver *d, const eng_event *ev)
{
    if (!ev->id || ev->kind == EV_POOL)
        return 0;
    if (ev->id == d->id[MON_STEP_PROBE])
        return MON_EV_MINE | on_probe(d, ev);
    if (ev->id == d->id[MON_STEP_PGSS])
        return MON_EV_MINE | on_pgss(d, ev);
    if (ev->id == d->id[MON_STEP_TEXTS])
        return MON_EV_MINE | on_texts(d, ev);
    if (ev->id == d->id[MON_STEP_NOW])
        return MON_EV_MINE |
               on_activity(d, ev, MON_STEP_NOW, &d->now_incoming, &d->now, MON_GOT_NOW);
    if (ev->id == d->id[MON_STEP_ACTIVITY])
        return MON_EV_MINE | on_activity(d, ev, MON_STEP_ACTIVITY, &d->activity_incoming,
                                         &d->activity, MON_GOT_ACTIVITY);
    if (ev->id == d->id[MON_STEP_DBSTAT])
        return MON_EV_MINE | on_dbstat(d, ev);
    if (ev->id == d->id[MON_STEP_SRV_PROBE])
        return MON_EV_MINE | on_srv_probe(d, ev);
    if (ev->id == d->id[MON_STEP_SRV_VIEW])
        return MON_EV_MINE | on_srv_view(d, ev);
    if (ev->id == d->id[MON_STEP_SRV_SLICE])
        return MON_EV_MINE | on_srv_slice(d, ev);
    return 0;
}

unsigned mon_driver_wait(mon_driver *d)
{
    unsigned got = 0;
    while (mon_driver_busy(d)) {
        eng_event *ev = eng_event_wait(d->e, 1000);
        if (!ev)
            continue;
        got |= mon_driver_on_event(d, ev);
        eng_event_free(ev);
    }
    return got;
}
