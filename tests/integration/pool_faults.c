/* pool_faults.c — the pool rules of RELIABILITY.md that a local cluster can
 * provoke: restart while idle and with queries in flight, pg_terminate_backend
 * of an idle pooled connection, a session's connection dying, checks on
 * checkout, connection limit (53300) back-off, live resize. */
#include "tests/integration/engine_util.h"
#include "tests/integration/test_clock.h"

#include <signal.h>

static bool cond_avail_min(const eng_stats *s, long n)
{
    return s->connected && s->pool_available >= n && s->pool_size == n;
}

static bool cond_new_pid(const eng_stats *s, long pid)
{
    return s->pool_available == 1 && s->nconns == 1 && s->conns[0].backend_pid != pid;
}

static int idle_pids(engine *e, int *pids, int max)
{
    eng_stats st;
    eng_stats_get(e, &st);
    int n = 0;
    for (int i = 0; i < st.nconns && n < max; i++)
        if (strcmp(st.conns[i].state, "idle") == 0)
            pids[n++] = st.conns[i].backend_pid;
    return n;
}

static void test_restart_idle(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 3;
    cfg.max_size = 4;
    engine *e = tu_engine(sb, &cfg);
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 3, 10000, &st), "pool filled to min_size=3");
    int before[3];
    idle_pids(e, before, 3);
    char *err = NULL;
    ok(sandbox_restart(sb, &err), "server restarted (fast) while the pool was idle");
    free(err);
    ok(tu_wait_stats(e, tu_cond_lost, 3, 15000, &st),
       "the 3 dead idle connections were found (lost=%llu)",
       (unsigned long long)st.connections_lost);
    ok(tu_wait_stats(e, cond_avail_min, 3, 30000, &st), "the pool refilled to 3");
    diag("size %d available %d lost %llu errors %llu: %s", st.pool_size, st.pool_available,
         (unsigned long long)st.connections_lost, (unsigned long long)st.connections_errors,
         st.last_error);
    int after[3];
    idle_pids(e, after, 3);
    bool all_new = true;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (after[i] == before[j])
                all_new = false;
    ok(all_new, "every connection is new (new backend pids)");
    is_int(tu_long(e, 0, "select 11"), 11, "a statement works after the restart");
    tu_stop(e);
}

static void test_restart_in_flight(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    cfg.max_size = 3;
    engine *e = tu_engine(sb, &cfg);
    eng_id ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = tu_exec(e, 0, 0, "select pg_sleep(30)");
    PGconn *side = tu_side(sb);
    double until = tu_now() + 10;
    while (tu_side_long(side, "select count(*) from pg_stat_activity where query = 'select "
                              "pg_sleep(30)' and state = 'active'") < 3 &&
           tu_now() < until)
        usleep(50000);
    PQfinish(side);
    char *err = NULL;
    ok(sandbox_restart(sb, &err), "server restarted with 3 statements in flight");
    free(err);
    int conn_errors = 0, dones = 0;
    for (int i = 0; i < 3; i++) {
        ev_list l = tu_collect(e, ids[i], 20000);
        int nd = 0;
        for (int k = 0; k < l.n; k++)
            if (l.ev[k]->kind == EV_DONE)
                nd++;
        dones += nd;
        if (l.done && l.done->status == ENG_DONE_CONN && l.done->error && l.done->error->conn_lost)
            conn_errors++;
        if (l.done && l.done->error)
            diag("in flight %d: %s: %s", i, eng_done_status_name(l.done->status),
                 l.done->error->message);
        tu_free_list(&l);
    }
    is_int(conn_errors, 3, "each in-flight caller got a connection-lost error");
    is_int(dones, 3, "exactly one EV_DONE each (no silent retry)");
    /* nothing else arrives for them later */
    usleep(300000);
    int extra = 0;
    eng_event *ev;
    while ((ev = eng_event_next(e)) != NULL) {
        for (int i = 0; i < 3; i++)
            if (ev->id == ids[i])
                extra++;
        eng_event_free(ev);
    }
    is_int(extra, 0, "no second event for a failed statement");
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 2, 20000, &st), "the pool refilled to min_size");
    ok(st.connections_lost >= 3, "connections_lost counts them (%llu)",
       (unsigned long long)st.connections_lost);
    is_int(tu_long(e, 0, "select 12"), 12, "statements work again");
    tu_stop(e);
}

static void test_terminate_idle(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    engine *e = tu_engine(sb, &cfg);
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 2, 10000, &st), "two idle connections");
    int pids[2];
    idle_pids(e, pids, 2);
    PGconn *side = tu_side(sb);
    char sql[128];
    snprintf(sql, sizeof sql, "select pg_terminate_backend(%d)", pids[0]);
    char *v = tu_side_value(side, sql);
    is_str(v, "t", "pg_terminate_backend of an idle pooled connection");
    free(v);
    ok(tu_wait_stats(e, tu_cond_lost, 1, 10000, &st), "the engine saw it die (connections_lost=1)");
    ok(tu_wait_stats(e, cond_avail_min, 2, 10000, &st), "and replaced it");
    int now_pids[2];
    idle_pids(e, now_pids, 2);
    ok(now_pids[0] != pids[0] && now_pids[1] != pids[0], "the dead pid is gone from the pool");
    for (int i = 0; i < 4; i++)
        is_int(tu_long(e, 0, "select 13"), 13, "statement %d after the kill succeeds", i + 1);
    PQfinish(side);
    tu_stop(e);
}

static void test_session_dies(sandbox *sb)
{
    engine *e = tu_engine(sb, NULL);
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    ok(pid > 0, "session pinned to backend %ld", pid);
    ev_list l = tu_run(e, s, "begin");
    is_int(l.done ? l.done->txn_status : 0, 'T', "session in a transaction");
    tu_free_list(&l);
    PGconn *side = tu_side(sb);
    char sql[128];
    snprintf(sql, sizeof sql, "select pg_terminate_backend(%ld)", pid);
    free(tu_side_value(side, sql));
    PQfinish(side);
    usleep(300000);
    l = tu_run(e, s, "insert into nowhere values (1)");
    ok(l.done && l.done->status == ENG_DONE_CONN, "the next request gets one clear CONN error");
    ok(l.done && l.done->error && strstr(l.done->error->message, "was not run"),
       "it says the statement was not run: %s",
       l.done && l.done->error ? l.done->error->message : "");
    tu_free_list(&l);
    long pid2 = tu_long(e, s, "select pg_backend_pid()");
    ok(pid2 > 0 && pid2 != pid, "the request after that runs on a fresh connection");
    eng_session_close(e, s);

    /* a session killed while a statement runs: that statement's error only */
    s = eng_session_open(e);
    pid = tu_long(e, s, "select pg_backend_pid()");
    eng_id id = tu_exec(e, s, 0, "select pg_sleep(30)");
    side = tu_side(sb);
    usleep(300000);
    snprintf(sql, sizeof sql, "select pg_terminate_backend(%ld)", pid);
    free(tu_side_value(side, sql));
    PQfinish(side);
    l = tu_collect(e, id, 10000);
    ok(l.done && l.done->status == ENG_DONE_CONN, "running statement: CONN error");
    ok(l.done && l.done->error && l.done->error->sqlstate &&
           strcmp(l.done->error->sqlstate, "57P01") == 0,
       "with the server's own message (57P01)");
    tu_free_list(&l);
    pid2 = tu_long(e, s, "select pg_backend_pid()");
    ok(pid2 > 0 && pid2 != pid, "the session goes on with a new connection (error said once)");
    eng_session_close(e, s);
    tu_stop(e);
}

static void test_check_on_checkout(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    cfg.max_size = 2;
    cfg.check = true;
    engine *e = tu_engine(sb, &cfg);
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 2, 10000, &st), "two idle connections (check on)");
    PGconn *side = tu_side(sb);
    tu_side_ok(side, "create temp table gone as select pid from pg_stat_activity where "
                     "application_name = 'pgdeck'");
    free(tu_side_value(side, "select pg_terminate_backend(pid) from gone"));
    /* pg_terminate_backend only signals: the check is about connections that
     * are dead, so wait until the server has ended them */
    long left = 1;
    for (int i = 0; i < 100 && left > 0; i++) {
        left = tu_side_long(side, "select count(*) from pg_stat_activity where pid in "
                                  "(select pid from gone)");
        if (left > 0)
            usleep(50000);
    }
    ok(left == 0, "both pooled backends ended on the server");
    PQfinish(side);
    int good = 0;
    for (int i = 0; i < 4; i++) {
        ev_list l = tu_run(e, 0, "select 1");
        if (l.done && l.done->status == ENG_DONE_OK)
            good++;
        else
            diag("statement %d: %s: %s", i,
                 l.done ? eng_done_status_name(l.done->status) : "no end",
                 l.done && l.done->error && l.done->error->message ? l.done->error->message : "");
        tu_free_list(&l);
    }
    is_int(good, 4, "with checks on, no caller gets a dead connection");
    eng_pool_check(e);
    ok(tu_wait_stats(e, cond_avail_min, 2, 10000, &st), "eng_pool_check keeps healthy ones idle");
    tu_stop(e);
}

static bool cond_errors(const eng_stats *s, long n)
{
    return (long)s->connections_errors >= n;
}

static void test_conn_limit(sandbox *sb)
{
    PGconn *side = tu_side(sb);
    tu_side_ok(side, "create role lim_user login connection limit 1");
    eng_conninfo *ci = tu_conninfo(sb);
    eng_conninfo_set(ci, "user", "lim_user");
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    cfg.max_size = 2;
    char *err = NULL;
    engine *e = engine_start(ci, &cfg, &err);
    eng_conninfo_free(ci);
    /* not engine_wait_ready: it fails with the first failed start, and two
     * backends starting together may both see the other and both refuse
     * (the server counts the role's backends during startup); the pool
     * then retries after its back-off */
    free(err);
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 1, 15000, &st),
       "one connection of a limit-1 role comes up");
    ok(tu_wait_stats(e, cond_errors, 1, 10000, &st), "the second fails (53300)");
    ok(strstr(st.last_error, "too many connections") != NULL, "last_error: %s", st.last_error);
    tu_clock_run(e, 2.5, 0.1);
    eng_stats_get(e, &st);
    ok(st.connections_errors <= 4, "it backs off instead of looping (%llu failures in ~3 s)",
       (unsigned long long)st.connections_errors);
    is_int(tu_long(e, 0, "select 14"), 14, "the pool still serves through its one connection");
    tu_stop(e);
    tu_side_ok(side, "drop role lim_user");
    PQfinish(side);
}

static void test_resize(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 2;
    engine *e = tu_engine(sb, &cfg);
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 1, 10000, &st), "pool at 1");
    eng_pool_resize(e, 3, 5);
    ok(tu_wait_stats(e, cond_avail_min, 3, 10000, &st), "live resize up: 3 connections");
    is_int(st.pool_max, 5, "pool_max follows");
    eng_pool_resize(e, 1, 1);
    ok(tu_wait_stats(e, cond_avail_min, 1, 10000, &st), "live resize down: 1 connection");
    is_int(st.pool_min, 1, "pool_min follows");
    int pid_before = st.conns[0].backend_pid;
    eng_pool_recycle(e);
    ok(tu_wait_stats(e, cond_new_pid, pid_before, 10000, &st), "recycle replaced the connection");
    tu_stop(e);
}

static bool cond_not_connected(const eng_stats *s, long n)
{
    (void)n;
    return !s->connected;
}

/* K1 as an outage: the server is down for a while, then back. */
static void test_outage(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    cfg.max_size = 2;
    cfg.timeout = 1;
    engine *e = tu_engine(sb, &cfg);
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 2, 10000, &st), "two connections");
    char *err = NULL;
    ok(sandbox_pause(sb, &err), "server stopped");
    free(err);
    ok(tu_wait_stats(e, cond_not_connected, 0, 10000, &st), "the pool sees it: not connected");
    ev_list l = tu_run(e, 0, "select 1");
    ok(l.done && l.done->status == ENG_DONE_TIMEOUT, "a request during the outage times out (%s)",
       l.done ? eng_done_status_name(l.done->status) : "none");
    tu_free_list(&l);
    unsigned long long e0 = st.connections_errors;
    tu_clock_run(e, 3.5, 0.1);
    eng_stats_get(e, &st);
    unsigned long long tries = st.connections_errors - e0;
    ok(tries >= 1 && tries <= 4, "reconnects back off (%llu attempts in 3.5 s)", tries);
    err = NULL;
    ok(sandbox_resume(sb, &err), "server started again");
    free(err);
    ok(tu_wait_stats(e, cond_avail_min, 2, 20000, &st), "the pool refilled after the outage");
    is_int(tu_long(e, 0, "select 15"), 15, "and serves");
    tu_stop(e);
}

/* K3: kill -9 of one backend resets every session (57P02, then 57P03). */
static void test_backend_crash(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    cfg.max_size = 2;
    engine *e = tu_engine(sb, &cfg);
    eng_stats st;
    ok(tu_wait_stats(e, cond_avail_min, 2, 10000, &st), "two connections");
    int pids[2];
    idle_pids(e, pids, 2);
    ok(pids[0] > 0 && kill(pids[0], SIGKILL) == 0, "kill -9 of one pooled backend (K3)");
    ok(tu_wait_stats(e, tu_cond_lost, 2, 15000, &st),
       "the crash-restart cost both connections (lost=%llu)",
       (unsigned long long)st.connections_lost);
    ok(tu_wait_stats(e, cond_avail_min, 2, 30000, &st), "the pool refilled after recovery");
    is_int(tu_long(e, 0, "select 16"), 16, "and serves");
    tu_stop(e);
}

/* K9: the server's own timeouts. */
static void test_server_timeouts(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    PGconn *side = tu_side(sb);
    int server_version = PQserverVersion(side);
    PQfinish(side);
    if (server_version >= 140000) {
        eng_conninfo *ci = tu_conninfo(sb);
        eng_conninfo_set(ci, "options", "-c idle_session_timeout=700");
        char *err = NULL;
        engine *e = engine_start(ci, &cfg, &err);
        eng_conninfo_free(ci);
        ok(engine_wait_ready(e, 10000, &err), "connected with idle_session_timeout=700ms");
        free(err);
        eng_stats st;
        ok(tu_wait_stats(e, tu_cond_lost, 1, 10000, &st), "an idle-session kill is detected");
        ok(tu_wait_stats(e, cond_avail_min, 1, 10000, &st), "and the connection replaced");
        is_int(tu_long(e, 0, "select 17"), 17, "a statement right after works");
        tu_stop(e);
    } else {
        skip("no idle_session_timeout before PostgreSQL 14", "an idle-session kill is detected");
    }

    engine *e = tu_engine(sb, &cfg);
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    ev_list l = tu_run(e, s, "set statement_timeout = '100ms'");
    tu_free_list(&l);
    l = tu_run(e, s, "select pg_sleep(2)");
    ok(l.done && l.done->status == ENG_DONE_ERROR && l.done->error &&
           strcmp(l.done->error->sqlstate, "57014") == 0,
       "statement_timeout: an error 57014 (not reported as our cancel)");
    tu_free_list(&l);
    is_int(tu_long(e, s, "select pg_backend_pid()"), pid, "the connection stays usable");
    eng_session_close(e, s);
    tu_stop(e);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    test_terminate_idle(sb);
    test_session_dies(sb);
    test_check_on_checkout(sb);
    test_resize(sb);
    test_conn_limit(sb);
    test_restart_idle(sb);
    test_restart_in_flight(sb);
    test_server_timeouts(sb);
    test_outage(sb);
    test_backend_crash(sb);
    sandbox_stop(sb);
    return done_testing();
}
