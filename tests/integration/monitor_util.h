/* monitor_util.h — running the monitors' SQL through the engine in tests, the
 * way the panes and `pgdeck top` do (NOMETRICS, parameters bound). */
#ifndef PGDECK_TEST_MONITOR_UTIL_H
#define PGDECK_TEST_MONITOR_UTIL_H

#include "monitor/monitor.h"
#include "tests/integration/engine_util.h"

/* Runs sql and hands over its first result (NULL on failure; *status and
 * *errmsg, malloc'd, say why). */
static __attribute__((unused)) eng_result *mu_run(engine *e, const char *sql, int nparams,
                                                  const char *const *params,
                                                  eng_done_status *status, char **errmsg,
                                                  char *sqlstate)
{
    eng_exec_args a = {.sql = sql,
                       .nparams = nparams,
                       .params = params,
                       .flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE,
                       .tag = "slow:test"};
    ev_list l = tu_collect(e, eng_exec(e, &a), 30000);
    eng_result *res = NULL;
    if (status)
        *status = l.done ? l.done->status : ENG_DONE_CONN;
    if (errmsg)
        *errmsg = NULL;
    if (sqlstate)
        sqlstate[0] = '\0';
    for (int i = 0; i < l.n; i++)
        if (l.ev[i]->kind == EV_RESULT && l.ev[i]->result && !res &&
            eng_result_status(l.ev[i]->result) != ENG_RES_ERROR) {
            res = l.ev[i]->result;
            l.ev[i]->result = NULL;
        }
    if (l.done && l.done->error) {
        if (errmsg)
            *errmsg = strdup(l.done->error->message);
        if (sqlstate && l.done->error->sqlstate)
            snprintf(sqlstate, 6, "%s", l.done->error->sqlstate);
    }
    if (l.done && l.done->status != ENG_DONE_OK) {
        eng_result_free(res);
        res = NULL;
    }
    tu_free_list(&l);
    return res;
}

/* The probe, parsed into s. */
static __attribute__((unused)) bool mu_probe(engine *e, mon_server *s)
{
    eng_result *r = mu_run(e, mon_probe_sql(), 0, NULL, NULL, NULL, NULL);
    char *err = NULL;
    bool ok = r && mon_probe_parse(r, s, &err);
    if (!ok)
        diag("probe: %s", err ? err : "no result");
    free(err);
    eng_result_free(r);
    return ok;
}

/* One pg_stat_statements snapshot with every text (NULL on error; the error
 * refines s). */
static __attribute__((unused)) mon_pgss_snap *mu_snapshot(engine *e, mon_server *s, mon_sort sort,
                                                          const mon_filter *f)
{
    static mon_text_cache *cache;
    if (!cache)
        cache = mon_text_cache_new();
    char *sql = mon_pgss_sql(s, sort, MON_DEFAULT_LIMIT, f);
    if (!sql)
        return NULL;
    const char *params[3];
    mon_pgss_params(f, params);
    eng_done_status st;
    char *err = NULL;
    char code[6];
    eng_result *r = mu_run(e, sql, 3, params, &st, &err, code);
    free(sql);
    mon_pgss_snap *snap = NULL;
    if (r) {
        snap = mon_pgss_parse(r, tu_now(), NULL);
    } else {
        eng_error *ee = eng_error_new(code[0] ? code : NULL, "%s", err ? err : "?");
        mon_server_diagnose_error(s, ee);
        eng_error_free(ee);
    }
    free(err);
    eng_result_free(r);
    char *ids = NULL;
    if (snap && mon_pgss_apply_texts(snap, cache, snap->n, false, &ids)) {
        char *tsql = mon_pgss_text_sql(s);
        const char *tp[1] = {ids};
        eng_result *t = mu_run(e, tsql, 1, tp, NULL, NULL, NULL);
        if (t)
            mon_text_cache_add_result(cache, t);
        eng_result_free(t);
        free(tsql);
        mon_pgss_apply_texts(snap, cache, 0, true, NULL);
    }
    free(ids);
    return snap;
}

static __attribute__((unused)) const mon_stmt *mu_find(const mon_pgss_snap *s, const char *needle)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (strstr(s->rows[i].query, needle))
            return &s->rows[i];
    return NULL;
}

#endif
