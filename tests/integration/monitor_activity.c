/* monitor_activity.c — the pg_stat_activity and pg_locks monitors against a
 * real cluster: a running pg_sleep appears (and under "now"), cancel and
 * terminate by pid as a parameter, a lock chain shows blocker and blocked,
 * and the locks held and awaited. */
#include "config.h"

#include "tests/integration/monitor_util.h"

#include <math.h>

static mon_activity *activity(engine *e)
{
    eng_result *r = mu_run(e, mon_activity_sql(), 0, NULL, NULL, NULL, NULL);
    mon_activity *a = r ? mon_activity_parse(r, NULL) : NULL;
    eng_result_free(r);
    return a;
}

static mon_activity *now_over(engine *e, const char *ms)
{
    const char *params[1] = {ms};
    eng_result *r = mu_run(e, mon_now_sql(), 1, params, NULL, NULL, NULL);
    mon_activity *a = r ? mon_activity_parse(r, NULL) : NULL;
    eng_result_free(r);
    return a;
}

static mon_locks *locks_of(engine *e, int pid)
{
    char p[16];
    snprintf(p, sizeof p, "%d", pid);
    const char *params[1] = {p};
    eng_result *r = mu_run(e, mon_locks_sql(), 1, params, NULL, NULL, NULL);
    mon_locks *l = r ? mon_locks_parse(r, NULL) : NULL;
    eng_result_free(r);
    return l;
}

/* pg_cancel_backend / pg_terminate_backend through the monitor's SQL:
 * "t", "f" or the error. */
static char *signal_pid(engine *e, int pid, bool terminate)
{
    char p[16];
    snprintf(p, sizeof p, "%d", pid);
    const char *params[1] = {p};
    char *err = NULL;
    eng_result *r = mu_run(e, mon_signal_sql(terminate), 1, params, NULL, &err, NULL);
    char *out =
        r && eng_result_nrows(r) == 1 ? strdup(eng_result_value(r, 0, 0)) : strdup(err ? err : "?");
    eng_result_free(r);
    free(err);
    return out;
}

/* The same by identity (pid and backend_start): "t", "f", "no row" or the error. */
static char *signal_backend(engine *e, int pid, const char *start, bool terminate)
{
    char p[16];
    snprintf(p, sizeof p, "%d", pid);
    const char *params[2] = {p, start};
    char *err = NULL;
    eng_result *r = mu_run(e, mon_signal_backend_sql(terminate), 2, params, NULL, &err, NULL);
    char *out = r && eng_result_nrows(r) == 1   ? strdup(eng_result_value(r, 0, 0))
                : r && eng_result_nrows(r) == 0 ? strdup("no row")
                                                : strdup(err ? err : "?");
    eng_result_free(r);
    free(err);
    return out;
}

/* Waits until the backend's state in pg_stat_activity matches. */
static bool wait_state(engine *e, int pid, const char *state, bool waiting, int ms)
{
    double until = tu_now() + ms / 1000.0;
    while (tu_now() < until) {
        mon_activity *a = activity(e);
        const mon_backend *b = mon_activity_find(a, pid);
        bool hit = b && strcmp(b->state, state) == 0 && (!waiting || b->nblocked_by > 0);
        mon_activity_free(a);
        if (hit)
            return true;
        usleep(50000);
    }
    return false;
}

static void test_running_and_cancel(engine *e, sandbox *sb)
{
    PGconn *sleeper = tu_side(sb);
    int pid = PQbackendPID(sleeper);
    ok(PQsendQuery(sleeper, "select pg_sleep(30)"), "pg_sleep(30) sent");
    ok(wait_state(e, pid, "active", false, 10000), "the sleeper is active in pg_stat_activity");
    usleep(200000);

    mon_activity *a = activity(e);
    const mon_backend *b = mon_activity_find(a, pid);
    ok(b && strstr(b->query, "pg_sleep(30)"), "its query is shown");
    ok(b && b->query_s > 0.1 && !isnan(b->xact_s), "query and transaction durations (%.2f s)",
       b ? b->query_s : -1);
    ok(b && mon_backend_in_view(b, MON_VIEW_RUNNING, false), "in the running view");
    ok(b && !mon_backend_in_view(b, MON_VIEW_WAITING, false), "not in the waiting view");
    ok(b && strcmp(b->client, "127.0.0.1") == 0, "client address: %s", b ? b->client : "");
    bool own_listed = false, own_unmarked = false;
    for (size_t i = 0; a && i < a->n; i++)
        if (strstr(a->rows[i].query, MON_SQL_MARK) && strcmp(a->rows[i].state, "active") == 0) {
            own_listed = true;
            own_unmarked |= !a->rows[i].own;
        }
    ok(own_listed && !own_unmarked, "the monitor's own backend is listed, marked as its own");
    ok(b && !b->own && b->backend_start[0] && b->start_epoch > 0,
       "the sleeper is not the monitor's; its backend_start: %s", b ? b->backend_start : "");
    mon_activity_free(a);

    mon_activity *n = now_over(e, "50");
    ok(mon_activity_find(n, pid) != NULL, "under \"now\": running longer than 50 ms");
    mon_activity_free(n);
    n = now_over(e, "600000");
    ok(n && !mon_activity_find(n, pid), "not over a 10 minute threshold");
    mon_activity_free(n);

    char *res = signal_pid(e, pid, false);
    is_str(res, "t", "pg_cancel_backend($1) answers true");
    free(res);
    PGresult *r = PQgetResult(sleeper);
    is_str(PQresultErrorField(r, PG_DIAG_SQLSTATE), "57014", "the sleeper was canceled (57014)");
    PQclear(r);
    while ((r = PQgetResult(sleeper)) != NULL)
        PQclear(r);
    ok(wait_state(e, pid, "idle", false, 10000), "on the server: the backend is idle now");

    res = signal_pid(e, 1, false);
    is_str(res, "f", "a pid that is no backend: false, not an error");
    free(res);
    mon_activity *cur = activity(e);
    const mon_backend *cb = mon_activity_find(cur, pid);
    char *start = cb ? strdup(cb->backend_start) : strdup("");
    mon_activity_free(cur);
    res = signal_backend(e, pid, "2000-01-01 00:00:00.000000", true);
    is_str(res, "no row", "terminate by identity: another backend_start matches nothing");
    free(res);
    res = signal_backend(e, pid + 100000, start, true);
    is_str(res, "no row", "terminate by identity: another pid matches nothing");
    free(res);
    cur = activity(e);
    ok(mon_activity_find(cur, pid) != NULL, "on the server: the sleeper is still there");
    mon_activity_free(cur);
    res = signal_backend(e, pid, start, true);
    is_str(res, "t", "pg_terminate_backend by pid and backend_start answers true");
    free(start);
    free(res);
    double until = tu_now() + 10;
    bool gone = false;
    while (!gone && tu_now() < until) {
        mon_activity *x = activity(e);
        gone = x && !mon_activity_find(x, pid);
        mon_activity_free(x);
        usleep(50000);
    }
    ok(gone, "the terminated backend is gone");
    PQfinish(sleeper);
}

static void test_lock_chain(engine *e, sandbox *sb)
{
    PGconn *side = tu_side(sb);
    tu_side_ok(side, "CREATE TABLE locktest(i int)");
    PGconn *blocker = tu_side(sb), *blocked = tu_side(sb);
    int bpid = PQbackendPID(blocker), wpid = PQbackendPID(blocked);
    tu_side_ok(blocker, "BEGIN");
    tu_side_ok(blocker, "LOCK TABLE locktest IN ACCESS EXCLUSIVE MODE");
    ok(PQsendQuery(blocked, "SELECT * FROM locktest"), "a reader is sent");
    ok(wait_state(e, wpid, "active", true, 10000), "the reader waits for a lock");

    mon_activity *a = activity(e);
    const mon_backend *w = mon_activity_find(a, wpid), *h = mon_activity_find(a, bpid);
    ok(w && w->nblocked_by == 1 && w->blocked_by[0] == bpid, "blocked by the blocker's pid %d",
       bpid);
    ok(w && strcmp(w->wait_type, "Lock") == 0, "wait event type Lock");
    ok(h && h->nblocking == 1, "the blocker blocks one backend");
    ok(h && mon_backend_idle_in_xact(h), "the blocker is idle in transaction");
    ok(w && mon_backend_in_view(w, MON_VIEW_WAITING, false), "blocked: in the waiting view");
    ok(h && mon_backend_in_view(h, MON_VIEW_BLOCKING, false), "blocker: in the blocking view");
    ok(h && !mon_backend_in_view(h, MON_VIEW_WAITING, false), "blocker: not waiting");
    mon_activity_free(a);

    mon_locks *l = locks_of(e, wpid);
    bool awaited = false;
    for (size_t i = 0; l && i < l->n; i++)
        if (!l->rows[i].granted && strstr(l->rows[i].object, "locktest") &&
            strcmp(l->rows[i].mode, "AccessShareLock") == 0 && l->rows[i].nholders == 1 &&
            l->rows[i].holders[0] == bpid)
            awaited = true;
    ok(awaited, "locks of the blocked: AccessShareLock on locktest awaited, held by %d", bpid);
    mon_locks_free(l);
    l = locks_of(e, bpid);
    bool held = false;
    for (size_t i = 0; l && i < l->n; i++)
        if (l->rows[i].granted && strstr(l->rows[i].object, "locktest") &&
            strcmp(l->rows[i].mode, "AccessExclusiveLock") == 0)
            held = true;
    ok(held, "locks of the blocker: AccessExclusiveLock on locktest held");
    mon_locks_free(l);

    char *res = signal_pid(e, bpid, true);
    is_str(res, "t", "terminate the blocker");
    free(res);
    PGresult *r = PQgetResult(blocked);
    ok(PQresultStatus(r) == PGRES_TUPLES_OK, "the reader proceeds");
    PQclear(r);
    while ((r = PQgetResult(blocked)) != NULL)
        PQclear(r);
    PQfinish(blocker);
    PQfinish(blocked);
    PQfinish(side);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 2;
    engine *e = tu_engine(sb, &cfg);
    test_running_and_cancel(e, sb);
    test_lock_chain(e, sb);
    tu_stop(e);
    sandbox_stop(sb);
    return done_testing();
}
