/* monitor_driver.c — the monitor driver (probe → statements → texts → rates,
 * now, activity, dbstat) against a real cluster: one refresh fills every
 * part under the caller's tag, the second has rates, a filter set while a
 * snapshot is on its way discards it, a dropped extension is diagnosed and
 * probed again, and events that are not the driver's are left alone. */
#include "config.h"

#include "tests/integration/monitor_util.h"

#include <math.h>

/* Runs what is in flight to completion, checking every event's tag. */
static unsigned run(mon_driver *d, bool *tags_ok)
{
    unsigned got = 0;
    while (mon_driver_busy(d)) {
        eng_event *ev = eng_event_wait(d->e, 30000);
        if (!ev) {
            diag("no event in 30 s");
            break;
        }
        unsigned bits = mon_driver_on_event(d, ev);
        if ((bits & MON_EV_MINE) && (!ev->tag || strncmp(ev->tag, "drv:", 4) != 0))
            *tags_ok = false;
        got |= bits;
        eng_event_free(ev);
    }
    return got;
}

static const mon_stmt *find_text(const mon_pgss_snap *s, const char *needle)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (strstr(s->rows[i].query, needle))
            return &s->rows[i];
    return NULL;
}

static void test_sequence(engine *e, PGconn *side)
{
    mon_driver d;
    mon_driver_init(&d, e, "drv",
                    MON_PART_PGSS | MON_PART_NOW | MON_PART_ACTIVITY | MON_PART_DBSTAT);
    d.sort = MON_SORT_MEAN;
    bool tags_ok = true;

    tu_side_ok(side, "SELECT pg_stat_statements_reset()");
    for (int i = 0; i < 3; i++)
        tu_side_ok(side, "select pg_sleep(0.05)");

    mon_driver_refresh(&d);
    ok(mon_driver_busy(&d), "refresh submits");
    unsigned got = run(&d, &tags_ok);
    ok(got & MON_GOT_PROBE, "probed");
    is_str(mon_pgss_state_name(d.srv.state), "ok", "pg_stat_statements usable");
    ok(got & MON_GOT_PGSS, "a snapshot in the same refresh, after the probe");
    ok(!(got & MON_GOT_ERROR), "no step failed");
    ok(d.cur && !d.prev, "cur set, no previous snapshot yet");
    const mon_stmt *m = find_text(d.cur, "pg_sleep");
    ok(m != NULL, "the text came from the texts step (counters are read without)");
    is_int(m ? (long)m->c[MC_CALLS] : -1, 3, "pg_sleep: 3 calls");
    ok(m && !m->has_rate, "first snapshot: no rates");
    ok(d.cur && d.cur->n && d.cur->rows[0].g[MG_MEAN_MS] >= d.cur->rows[d.cur->n - 1].g[MG_MEAN_MS],
       "sorted by mean, descending");
    ok(!find_text(d.cur, MON_SQL_MARK), "the monitor's own statements are left out");
    ok((got & MON_GOT_ACTIVITY) && d.activity && d.activity->n > 0, "pg_stat_activity read");
    ok((got & MON_GOT_NOW) && d.now, "now list read");
    ok((got & MON_GOT_DBSTAT) && d.have_db_cur && !d.have_db_prev, "pg_stat_database read");
    ok(d.db_cur.local_conn, "the sandbox is local");

    /* the second refresh: rates against the first */
    for (int i = 0; i < 4; i++)
        tu_side_ok(side, "select pg_sleep(0.05)");
    mon_pgss_snap *first = d.cur;
    mon_driver_refresh(&d);
    got = run(&d, &tags_ok);
    ok((got & MON_GOT_PGSS) && d.prev == first, "the first snapshot became prev");
    m = find_text(d.cur, "pg_sleep");
    ok(m && m->has_rate, "rates on the second snapshot");
    is_int(m && m->has_rate ? (long)m->d[MC_CALLS] : -1, 4, "4 calls in the interval");
    ok(d.cur && d.cur->interval_s > 0, "interval %.2f s", d.cur ? d.cur->interval_s : -1);
    ok(d.have_db_prev && !isnan(d.rates.tps) && d.rates.tps >= 0, "dbstat rates: %.1f tps",
       d.rates.tps);
    mon_activity *taken = mon_driver_take_activity(&d);
    ok(taken && !d.activity, "the activity list is handed over");
    mon_activity_free(taken);

    /* a filter set while a snapshot is on its way: that one answers the
     * old filter and is discarded */
    tu_side_ok(side, "select 4242 as other_statement");
    mon_driver_submit(&d, MON_PART_PGSS);
    mon_driver_set_filter(&d, "pg_sleep");
    ok(!d.cur && !d.prev, "a new filter drops the baseline");
    got = run(&d, &tags_ok);
    ok((got & MON_GOT_PGSS) && d.cur, "a snapshot for the new filter");
    bool all_match = d.cur && d.cur->n > 0;
    for (size_t i = 0; d.cur && i < d.cur->n; i++)
        all_match &=
            strcasestr(d.cur->rows[i].query, "pg_sleep") != NULL; /* as the server matches */
    if (!ok(all_match, "only rows matching the filter (%zu)", d.cur ? d.cur->n : 0))
        for (size_t i = 0; d.cur && i < d.cur->n; i++)
            diag("row: %s", d.cur->rows[i].query);
    ok(!d.prev, "and no rates against the old filter's snapshot");
    mon_driver_set_filter(&d, ""); /* reads the list again at once */
    ok(mon_driver_busy(&d), "clearing the filter reads the list again");
    (void)run(&d, &tags_ok);

    /* the extension dropped under the driver: diagnosed, probed again */
    tu_side_ok(side, "DROP EXTENSION pg_stat_statements");
    d.parts = MON_PART_PGSS;
    mon_driver_refresh(&d);
    got = run(&d, &tags_ok);
    ok((got & MON_GOT_ERROR) && d.fail[MON_STEP_PGSS].failed, "the statements step failed: %s",
       d.fail[MON_STEP_PGSS].message ? d.fail[MON_STEP_PGSS].message : "(none)");
    ok(!d.probed, "and asks for a new probe");
    mon_driver_refresh(&d);
    got = run(&d, &tags_ok);
    is_str(mon_pgss_state_name(d.srv.state), "not_installed", "the probe says: not installed");
    ok(strstr(d.srv.remedy, "CREATE EXTENSION") != NULL, "remedy: %s", d.srv.remedy);
    ok(!(got & MON_GOT_PGSS), "no snapshot while unusable");
    tu_side_ok(side, "CREATE EXTENSION pg_stat_statements");
    mon_driver_refresh(&d); /* unusable: every refresh probes again */
    got = run(&d, &tags_ok);
    ok((got & MON_GOT_PROBE) && d.srv.state == MON_PGSS_OK && (got & MON_GOT_PGSS),
       "created again: probe and snapshot in one refresh");

    ok(tags_ok, "every statement carried the driver's tag (drv:...)");

    /* someone else's event is not the driver's */
    eng_exec_args a = {.sql = "select 1", .tag = "other"};
    ev_list l = tu_collect(e, eng_exec(e, &a), 30000);
    unsigned foreign = 0;
    for (int i = 0; i < l.n; i++)
        foreign |= mon_driver_on_event(&d, l.ev[i]);
    is_int((long)foreign, 0, "a foreign statement's events are ignored");
    tu_free_list(&l);
    mon_driver_free(&d);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    PGconn *side = tu_side(sb);
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 2;
    engine *e = tu_engine(sb, &cfg);
    test_sequence(e, side);
    tu_stop(e);
    PQfinish(side);
    sandbox_stop(sb);
    return done_testing();
}
