/* monitor_driver.c — the monitor views' one sequence (probe → statements →
 * texts → rates, and the lists beside it) as a state machine fed with engine
 * events. See monitor.h. */
#include "monitor/monitor.h"

#include "common/clock.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const step_tags[MON_STEP_COUNT] = {
    [MON_STEP_PROBE] = "probe",     [MON_STEP_PGSS] = "pgss",     [MON_STEP_TEXTS] = "texts",
    [MON_STEP_NOW] = "now",         [MON_STEP_ACTIVITY] = "list", [MON_STEP_DBSTAT] = "db",
    [MON_STEP_SRV_PROBE] = "probe", [MON_STEP_SRV_VIEW] = "view",
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

/* The server view: the catalog probe once, then the view's statement —
 * the catalog facts or, in between, the shown rows' statistics only. */
static void submit_view(mon_driver *d)
{
    if (!d->cat) {
        if (!d->id[MON_STEP_SRV_PROBE])
            submit(d, MON_STEP_SRV_PROBE, srv_probe_sql(), 0, NULL);
        return;
    }
    if (d->id[MON_STEP_SRV_VIEW])
        return;
    const srv_view *v = srv_view_get(d->view);
    double now = clock_mono_s();
    if (d->view_paced && d->view_snap && now - d->view_last_run < v->min_interval)
        return; /* tables and indexes read the whole catalog: not at every tick */
    d->view_last_run = now;
    char *sql = NULL;
    if (d->view_snap && !d->view_want_catalog && now - d->view_last_catalog < SRV_CATALOG_INTERVAL)
        sql = srv_view_sql_rows(v, d->cat, d->view_snap);
    if (!sql) {
        sql = srv_view_sql(v, d->cat, d->view_sort, d->view_limit);
        d->view_last_catalog = now;
        d->view_want_catalog = false;
    }
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
    if (d->parts & MON_PART_SERVER)
        submit_view(d);
}

void mon_driver_set_view_sort(mon_driver *d, int col)
{
    d->view_sort = col;
    if (srv_view_get(d->view)->cols[col].order)
        mon_driver_reread_catalog(d); /* the limit must keep the rows of the new order */
}

void mon_driver_reread_catalog(mon_driver *d)
{
    d->view_want_catalog = true;
    d->view_last_run = 0;
    if (d->parts & MON_PART_SERVER)
        submit_view(d);
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
