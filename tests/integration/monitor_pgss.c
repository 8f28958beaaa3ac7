/* monitor_pgss.c — the pg_stat_statements monitor against a real cluster:
 * top list by mean time, per-second rates, reset detection (global and one
 * entry), filters bound as parameters, and the diagnosis when the extension
 * is missing: not created in a database, no privilege, not preloaded. */
#include "config.h"

#include "tests/integration/monitor_util.h"

#include <math.h>

static engine *engine_on(sandbox *sb, const char *dbname, const char *user)
{
    eng_conninfo *ci = tu_conninfo(sb);
    if (dbname)
        eng_conninfo_set(ci, "dbname", dbname);
    if (user)
        eng_conninfo_set(ci, "user", user);
    eng_conninfo_set(ci, "host", sandbox_host(sb));
    char port[16];
    snprintf(port, sizeof port, "%d", sandbox_port(sb));
    eng_conninfo_set(ci, "port", port);
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 2;
    char *err = NULL;
    engine *e = engine_start(ci, &cfg, &err);
    eng_conninfo_free(ci);
    if (!e || !engine_wait_ready(e, 30000, &err)) {
        printf("Bail out! engine: %s\n", err ? err : "?");
        exit(1);
    }
    return e;
}

static bool no_negative(const mon_pgss_snap *s)
{
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < MC_COUNT; k++)
            if (s->rows[i].has_rate && (s->rows[i].r[k] < 0 || s->rows[i].d[k] < 0))
                return false;
    return true;
}

static void test_top_and_rates(sandbox *sb, engine *e, PGconn *side)
{
    mon_server srv;
    mon_server_init(&srv);
    ok(mu_probe(e, &srv), "probe runs");
    is_str(mon_pgss_state_name(srv.state), "ok", "pg_stat_statements is usable");
    ok(srv.version_num >= 130000, "server version %d read", srv.version_num);
    ok(srv.relation && strstr(srv.relation, "pg_stat_statements"), "view found: %s",
       srv.relation ? srv.relation : "(null)");
    ok(srv.columns && strstr(srv.columns, "total_exec_time"), "13+ column names seen");

    tu_side_ok(side, "SELECT pg_stat_statements_reset()");
    for (int i = 0; i < 3; i++)
        tu_side_ok(side, "select pg_sleep(0.3)");
    tu_side_ok(side, "select count(*) from pg_class");

    mon_pgss_snap *a = mu_snapshot(e, &srv, MON_SORT_MEAN, NULL);
    ok(a != NULL && a->n > 0, "snapshot has rows");
    const mon_stmt *first = a && a->n ? &a->rows[0] : NULL;
    ok(first && strstr(first->query, "pg_sleep"), "first by mean time: %s",
       first ? first->query : "(none)");
    is_int(first ? (long)first->c[MC_CALLS] : -1, 3, "pg_sleep calls = 3");
    ok(first && first->g[MG_MEAN_MS] >= 299, "mean time >= 300 ms (%.1f)",
       first ? first->g[MG_MEAN_MS] : -1);
    ok(first && first->g[MG_MIN_MS] > 0 && first->g[MG_MAX_MS] >= first->g[MG_MIN_MS] &&
           !isnan(first->g[MG_STDDEV_MS]),
       "min/max/stddev present");
    ok(first && first->fingerprint != 0, "normalized text fingerprinted");
    ok(!mu_find(a, MON_SQL_MARK), "the monitor's own statements are left out");
    mon_pgss_rates(NULL, a);
    ok(a && a->n && !a->rows[0].has_rate, "first snapshot: no rates yet");

    /* rates between two snapshots */
    usleep(200000);
    for (int i = 0; i < 4; i++)
        tu_side_ok(side, "select pg_sleep(0.05)");
    mon_pgss_snap *b = mu_snapshot(e, &srv, MON_SORT_MEAN, NULL);
    mon_pgss_rates(a, b);
    const mon_stmt *s = mu_find(b, "pg_sleep");
    ok(b && b->interval_s > 0, "interval %.2f s", b ? b->interval_s : 0);
    ok(s && s->has_rate, "pg_sleep has a rate");
    is_int(s ? (long)s->d[MC_CALLS] : -1, 4, "4 calls in the interval");
    ok(s && s->r[MC_CALLS] > 0 && fabs(s->r[MC_CALLS] - 4 / b->interval_s) < 1e-6,
       "calls per second = delta / interval");
    ok(s && s->interval_mean_ms >= 49 && s->interval_mean_ms < 299,
       "interval mean %.1f ms is the new calls' mean", s ? s->interval_mean_ms : -1);
    ok(b && !b->reset_seen && no_negative(b), "no reset, no negative rate");

    /* a global reset between refreshes */
    tu_side_ok(side, "SELECT pg_stat_statements_reset()");
    tu_side_ok(side, "select pg_sleep(0.01)");
    usleep(50000);
    mon_pgss_snap *c = mu_snapshot(e, &srv, MON_SORT_TOTAL, NULL);
    mon_pgss_rates(b, c);
    ok(c && c->reset_seen, "a reset between snapshots is detected");
    ok(c && no_negative(c), "no negative rate after the reset");
    bool any_rate = false;
    for (size_t i = 0; c && i < c->n; i++)
        any_rate |= c->rows[i].has_rate;
    if (srv.info_relation)
        ok(!any_rate, "rates restart from the new baseline");
    else /* only rows whose counters went backwards show the reset */
        skip("no pg_stat_statements_info before pg_stat_statements 1.9 (PostgreSQL 14)",
             "rates restart from the new baseline");

    /* the next refresh has rates again */
    for (int i = 0; i < 2; i++)
        tu_side_ok(side, "select pg_sleep(0.01)");
    usleep(50000);
    mon_pgss_snap *d = mu_snapshot(e, &srv, MON_SORT_TOTAL, NULL);
    mon_pgss_rates(c, d);
    s = mu_find(d, "pg_sleep");
    ok(d && !d->reset_seen && s && s->has_rate && s->d[MC_CALLS] == 2,
       "after the reset, rates resume (delta %g)", s ? s->d[MC_CALLS] : -1);

    /* one entry reset (counters go backwards without stats_reset changing):
     * simulated on a copy, as PG 13 without pg_stat_statements_info would */
    mon_pgss_snap *e2 = mu_snapshot(e, &srv, MON_SORT_TOTAL, NULL);
    if (d && e2) {
        for (size_t i = 0; i < e2->n; i++)
            if (strstr(e2->rows[i].query, "pg_sleep"))
                e2->rows[i].c[MC_CALLS] = 0, e2->rows[i].c[MC_TOTAL_MS] = 0;
        e2->stats_reset = NAN;
        e2->taken_at = d->taken_at + 1;
        mon_pgss_rates(d, e2);
        const mon_stmt *t = mu_find(e2, "pg_sleep");
        ok(t && !t->has_rate && e2->reset_seen && no_negative(e2),
           "a counter going backwards: no rate for that row, never negative");
    } else {
        ok(0, "snapshots for the backwards test");
    }

    /* a statement new since the last snapshot, without pg_stat_statements_info
     * (as on 13): its calls count from zero only while the entries are well
     * below pg_stat_statements.max, where no eviction can have happened */
    tu_side_ok(side, "select 1 as pgss_new_row");
    mon_pgss_snap *n1 = mu_snapshot(e, &srv, MON_SORT_TOTAL, NULL);
    mon_pgss_snap *n0 = mu_snapshot(e, &srv, MON_SORT_TOTAL, NULL);
    if (d && n1 && n0) {
        for (int pass = 0; pass < 2; pass++) {
            mon_pgss_snap *cur = pass ? n0 : n1;
            d->dealloc = d->stats_reset = cur->dealloc = cur->stats_reset = NAN;
            cur->taken_at = d->taken_at + 1 + pass;
            /* pass 0: far below max; pass 1: near it, an eviction was possible */
            cur->entries_max = pass ? (double)cur->total_entries : 5000.0 + cur->total_entries;
            mon_pgss_rates(d, cur);
            const mon_stmt *t = mu_find(cur, "pgss_new_row");
            if (pass == 0)
                ok(t && t->has_rate && t->d[MC_CALLS] == 1,
                   "13: a new row well below pg_stat_statements.max counts from zero");
            else
                ok(t && !t->has_rate, "13: near pg_stat_statements.max a new row has no rate");
        }
    } else {
        ok(0, "snapshots for the new-row test");
        ok(0, "snapshots for the new-row test");
    }
    mon_pgss_snap_free(n1);
    mon_pgss_snap_free(n0);

    /* filters travel as parameters */
    mon_filter f = {0};
    mon_filter_parse(&f, "PG_SLEEP");
    mon_pgss_snap *g = mu_snapshot(e, &srv, MON_SORT_TOTAL, &f);
    bool only = g && g->n > 0;
    for (size_t i = 0; g && i < g->n; i++)
        only &= strcasestr(g->rows[i].query, "pg_sleep") != NULL;
    ok(only, "text filter (case-insensitive) keeps only matching rows (%zu)", g ? g->n : 0);
    mon_filter_parse(&f, "db:nosuchdb");
    mon_pgss_snap *h = mu_snapshot(e, &srv, MON_SORT_TOTAL, &f);
    ok(h && h->n == 0, "db filter for another database: no rows");
    mon_filter_parse(&f, "user:postgres db:postgres '); DROP TABLE x; --");
    mon_pgss_snap *i2 = mu_snapshot(e, &srv, MON_SORT_TOTAL, &f);
    ok(i2 && i2->n == 0, "an injection attempt is just text that matches nothing");
    is_str(f.database, "postgres", "db: parsed");
    is_str(f.user, "postgres", "user: parsed");
    char *ft = mon_filter_format(&f);
    is_str(ft, "db:postgres user:postgres '); DROP TABLE x; --", "filter formats back");
    free(ft);
    mon_filter_free(&f);

    /* sorts */
    mon_pgss_snap *j = mu_snapshot(e, &srv, MON_SORT_CALLS, NULL);
    bool sorted = j != NULL;
    for (size_t i = 1; j && i < j->n; i++)
        sorted &= j->rows[i - 1].c[MC_CALLS] >= j->rows[i].c[MC_CALLS];
    ok(sorted, "sorted by calls");
    mon_pgss_sort(j, MON_SORT_TOTAL, false);
    sorted = j != NULL;
    for (size_t i = 1; j && i < j->n; i++)
        sorted &= j->rows[i - 1].c[MC_TOTAL_MS] >= j->rows[i].c[MC_TOTAL_MS];
    ok(sorted, "re-sorted by total time client-side");

    /* the reset SQL */
    char *reset = mon_reset_sql(&srv);
    eng_done_status st;
    eng_result *rr = mu_run(e, reset, 0, NULL, &st, NULL, NULL);
    ok(st == ENG_DONE_OK, "mon_reset_sql runs");
    eng_result_free(rr);
    free(reset);
    (void)sb;

    mon_pgss_snap *all[] = {a, b, c, d, e2, g, h, i2, j};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        mon_pgss_snap_free(all[k]);
    mon_server_free(&srv);
}

/* pgdeck's own per-fingerprint metrics meet the server's row for the same
 * statement: the join the Slow pane shows. */
static void test_client_join(engine *e)
{
    mon_server srv;
    mon_server_init(&srv);
    mu_probe(e, &srv);
    for (int i = 0; i < 2; i++) {
        char *v = tu_value(e, 0, "SELECT md5('pgdeck join test')");
        free(v);
    }
    mon_pgss_snap *s = mu_snapshot(e, &srv, MON_SORT_TOTAL, NULL);
    const mon_stmt *row = mu_find(s, "pgdeck join test");
    if (!row)
        row = mu_find(s, "SELECT md5($1)");
    ok(row != NULL, "the statement is in pg_stat_statements: %s", row ? row->query : "(none)");
    eng_stmt_metric *m = NULL;
    size_t n = eng_metrics_get(e, &m);
    const eng_stmt_metric *hit = NULL;
    for (size_t i = 0; row && i < n; i++)
        if (m[i].fingerprint == row->fingerprint)
            hit = &m[i];
    ok(hit != NULL, "the engine's metric has the same fingerprint as the server's text");
    is_int(hit ? (long)hit->calls : -1, 2, "client calls = 2");
    ok(hit && hit->p95_ms > 0, "client p95 %.3f ms", hit ? hit->p95_ms : -1);
    eng_metrics_free(m, n);
    mon_pgss_snap_free(s);
    mon_server_free(&srv);
}

static void test_missing_in_database(sandbox *sb, PGconn *side)
{
    tu_side_ok(side, "CREATE DATABASE nopgss");
    tu_side_ok(side, "CREATE ROLE lowly LOGIN");
    engine *e = engine_on(sb, "nopgss", NULL);
    mon_server srv;
    mon_server_init(&srv);
    ok(mu_probe(e, &srv), "probe in a database without the extension");
    is_str(mon_pgss_state_name(srv.state), "not_installed", "diagnosis: not installed");
    ok(strstr(srv.reason, "not installed in database nopgss") != NULL, "reason: %s", srv.reason);
    ok(strstr(srv.remedy, "CREATE EXTENSION pg_stat_statements") != NULL, "remedy: %s", srv.remedy);
    ok(srv.offer_create, "CREATE EXTENSION offered (the library is loaded)");
    ok(mon_pgss_sql(&srv, MON_SORT_TOTAL, 10, NULL) == NULL, "no statement list is attempted");

    eng_done_status st;
    eng_result *r = mu_run(e, mon_create_sql(), 0, NULL, &st, NULL, NULL);
    eng_result_free(r);
    ok(st == ENG_DONE_OK, "CREATE EXTENSION runs");
    ok(mu_probe(e, &srv) && srv.state == MON_PGSS_OK, "then the probe says ok");
    tu_stop(e);

    /* a role that may not read the view */
    tu_side_ok(side, "REVOKE SELECT ON pg_stat_statements FROM PUBLIC");
    e = engine_on(sb, "postgres", "lowly");
    ok(mu_probe(e, &srv), "probe as an unprivileged role");
    is_str(mon_pgss_state_name(srv.state), "no_privilege", "diagnosis: no privilege");
    ok(strstr(srv.remedy, "GRANT SELECT") != NULL, "remedy: %s", srv.remedy);
    tu_side_ok(side, "GRANT SELECT ON pg_stat_statements TO PUBLIC");
    ok(mu_probe(e, &srv) && srv.state == MON_PGSS_OK, "granted: ok");
    ok(strstr(srv.visibility_note, "insufficient privilege") != NULL, "note about hidden texts: %s",
       srv.visibility_note);
    mon_pgss_snap *s = mu_snapshot(e, &srv, MON_SORT_TOTAL, NULL);
    bool hidden_seen = false, hidden_ok = true;
    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->rows[i].user, "postgres") == 0) {
            hidden_seen = true;
            hidden_ok &=
                s->rows[i].hidden_text && strcmp(s->rows[i].query, "<insufficient privilege>") == 0;
        }
    ok(hidden_seen && hidden_ok, "other roles' rows are shown as <insufficient privilege>");
    mon_pgss_snap_free(s);
    mon_server_free(&srv);
    tu_stop(e);
}

static void test_not_preloaded(void)
{
    sandbox_opts o;
    sandbox_opts_defaults(&o);
    o.pg_stat_statements = false;
    char *err = NULL;
    sandbox *sb = sandbox_start(&o, &err);
    if (!sb) {
        ok(0, "cluster without the preload: %s", err ? err : "?");
        return;
    }
    engine *e = engine_on(sb, NULL, NULL);
    mon_server srv;
    mon_server_init(&srv);
    ok(mu_probe(e, &srv), "probe on a cluster without the preload");
    is_str(mon_pgss_state_name(srv.state), "not_preloaded", "diagnosis: not preloaded");
    ok(strstr(srv.reason, "shared_preload_libraries") != NULL, "reason: %s", srv.reason);
    ok(strstr(srv.remedy, "restart") != NULL, "remedy: %s", srv.remedy);
    ok(!srv.offer_create, "CREATE EXTENSION is not offered (it would not help)");

    /* created anyway: the view exists but cannot be read */
    eng_done_status st;
    eng_result *r = mu_run(e, mon_create_sql(), 0, NULL, &st, NULL, NULL);
    eng_result_free(r);
    ok(mu_probe(e, &srv), "probe after CREATE EXTENSION");
    is_str(mon_pgss_state_name(srv.state), "not_preloaded", "still: not preloaded");
    ok(strstr(srv.reason, "installed in postgres but the library is not in "
                          "shared_preload_libraries") != NULL,
       "reason: %s", srv.reason);

    /* the server's own error leads to the same diagnosis */
    mon_server forced = srv;
    forced.state = MON_PGSS_OK;
    char *sql = mon_pgss_sql(&forced, MON_SORT_TOTAL, 10, NULL);
    const char *params[3] = {NULL, NULL, NULL};
    char *msg = NULL, code[6];
    r = mu_run(e, sql, 3, params, &st, &msg, code);
    is_str(code, "55000", "querying the view fails with 55000");
    eng_error *ee = eng_error_new(code, "%s", msg ? msg : "");
    mon_server_diagnose_error(&srv, ee);
    is_str(mon_pgss_state_name(srv.state), "not_preloaded", "the error is diagnosed");
    eng_error_free(ee);
    eng_result_free(r);
    free(msg);
    free(sql);
    mon_server_free(&srv);
    tu_stop(e);
    sandbox_stop(sb);
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

    test_top_and_rates(sb, e, side);
    test_client_join(e);
    tu_stop(e);
    test_missing_in_database(sb, side);
    PQfinish(side);
    sandbox_stop(sb);
    test_not_preloaded();
    return done_testing();
}
