/* engine_cancel.c — cancel on the server without stalling the engine: a
 * running pg_sleep verified gone in pg_stat_activity, a queued request
 * dequeued, a cancel that can never reach the next borrower, a cancel that
 * hangs (postmaster stopped: K4) closing and replacing the connection, and
 * shutdown with connections borrowed leaving no thread or fd behind. */
#include "tests/integration/engine_util.h"

#include <signal.h>

static long active_sleeps(PGconn *side)
{
    return tu_side_long(side, "select count(*) from pg_stat_activity where query like 'select "
                              "pg_sleep(30)%' and state = 'active'");
}

static bool wait_sleeps(PGconn *side, long n)
{
    double until = tu_now() + 10;
    while (tu_now() < until) {
        if (active_sleeps(side) == n)
            return true;
        usleep(30000);
    }
    return false;
}

static void test_cancel_running(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    engine *e = tu_engine(sb, &cfg);
    PGconn *side = tu_side(sb);
    long pid = tu_long(e, 0, "select pg_backend_pid()");
    eng_id id = tu_exec(e, 0, 0, "select pg_sleep(30)");
    ok(wait_sleeps(side, 1), "pg_sleep(30) runs on the server");
    double t0 = tu_now();
    eng_cancel(e, id);
    ev_list l = tu_collect(e, id, 10000);
    double took = tu_now() - t0;
    ok(l.done && l.done->status == ENG_DONE_CANCELED, "EV_DONE says canceled");
    is_str(l.done && l.done->error ? l.done->error->sqlstate : NULL, "57014", "SQLSTATE 57014");
    ok(took < 5, "within moments (%.3f s)", took);
    tu_free_list(&l);
    is_int(active_sleeps(side), 0, "pg_stat_activity: the statement is gone from the server");
    is_int(tu_long(e, 0, "select pg_backend_pid()"), pid, "the connection was kept and reused");

    /* a queued request is dequeued, the running one untouched */
    eng_id busy = tu_exec(e, 0, 0, "select pg_sleep(1)");
    eng_id queued = tu_exec(e, 0, 0, "select 'never'");
    usleep(100000);
    eng_cancel(e, queued);
    l = tu_collect(e, queued, 5000);
    ok(l.done && l.done->status == ENG_DONE_CANCELED && tu_first_result(&l) == NULL,
       "a queued request is canceled before it runs");
    tu_free_list(&l);
    l = tu_collect(e, busy, 5000);
    ok(l.done && l.done->status == ENG_DONE_OK, "the running one was not disturbed");
    tu_free_list(&l);

    /* canceling something finished is a no-op */
    id = tu_exec(e, 0, 0, "select 1");
    l = tu_collect(e, id, 5000);
    tu_free_list(&l);
    eng_cancel(e, id);
    is_int(tu_long(e, 0, "select 2"), 2, "a late cancel of a finished request changes nothing");

    /* in a session: the transaction survives as the server decides */
    eng_session s = eng_session_open(e);
    id = tu_exec(e, s, 0, "select pg_sleep(30)");
    ok(wait_sleeps(side, 1), "session statement running");
    eng_cancel(e, id);
    l = tu_collect(e, id, 10000);
    ok(l.done && l.done->status == ENG_DONE_CANCELED, "session statement canceled");
    is_int(l.done ? l.done->txn_status : 0, 'I', "session idle afterwards");
    tu_free_list(&l);
    is_int(tu_long(e, s, "select pg_backend_pid()"), pid, "session keeps its connection");
    eng_session_close(e, s);
    PQfinish(side);
    tu_stop(e);
}

/* A cancel belongs to one checkout: cancel requests fired at statements
 * that are finishing must never cancel the next borrower's statement. */
static void test_cancel_race(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    engine *e = tu_engine(sb, &cfg);
    int canceled_first = 0, second_hit = 0, rounds = 150;
    for (int i = 0; i < rounds; i++) {
        eng_id a = tu_exec(e, 0, 0, "select pg_sleep(0.002)");
        if (i % 3)
            usleep((useconds_t)(500 * (i % 7)));
        eng_cancel(e, a);
        eng_id b = tu_exec(e, 0, 0, "select pg_sleep(0.02), 'second'");
        ev_list la = tu_collect(e, a, 10000);
        ev_list lb = tu_collect(e, b, 10000);
        if (la.done && la.done->status == ENG_DONE_CANCELED)
            canceled_first++;
        if (!lb.done || lb.done->status != ENG_DONE_OK) {
            second_hit++;
            diag("round %d: second statement: %s %s", i,
                 lb.done ? eng_done_status_name(lb.done->status) : "timeout",
                 lb.done && lb.done->error ? lb.done->error->message : "");
        }
        tu_free_list(&la);
        tu_free_list(&lb);
    }
    is_int(second_hit, 0, "%d rounds: the next borrower's statement was never canceled", rounds);
    diag("%d of %d first statements were canceled in time", canceled_first, rounds);

    /* the same within a session: the next request waits for the cancel */
    eng_session s = eng_session_open(e);
    second_hit = 0;
    canceled_first = 0;
    for (int i = 0; i < 100; i++) {
        eng_id a = tu_exec(e, s, 0, "select pg_sleep(0.002)");
        if (i % 2)
            usleep((useconds_t)(700 * (i % 5)));
        eng_cancel(e, a);
        eng_id b = tu_exec(e, s, 0, "select pg_sleep(0.02), 'second'");
        ev_list la = tu_collect(e, a, 10000);
        ev_list lb = tu_collect(e, b, 10000);
        if (la.done && la.done->status == ENG_DONE_CANCELED)
            canceled_first++;
        if (!lb.done || lb.done->status != ENG_DONE_OK)
            second_hit++;
        tu_free_list(&la);
        tu_free_list(&lb);
    }
    is_int(second_hit, 0, "in a session too: the next request was never canceled");
    diag("session: %d of 100 first statements were canceled in time", canceled_first);
    eng_session_close(e, s);
    tu_stop(e);
}

static pid_t postmaster_pid(sandbox *sb)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/postmaster.pid", sandbox_datadir(sb));
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long pid = 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return (pid_t)pid;
}

static void test_cancel_hangs(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    cfg.max_size = 2;
    cfg.connect_timeout = 2;
    engine *e = tu_engine(sb, &cfg);
    eng_stats st;
    tu_wait_stats(e, tu_cond_available, 2, 10000, &st);
    PGconn *side = tu_side(sb);
    eng_id id = tu_exec(e, 0, 0, "select pg_sleep(30)");
    ok(wait_sleeps(side, 1), "statement running");
    pid_t pm = postmaster_pid(sb);
    ok(pm > 0 && kill(pm, SIGSTOP) == 0, "postmaster stopped (K4)");
    double t0 = tu_now();
    eng_cancel(e, id);
    /* the engine stays responsive meanwhile: the other connection works */
    is_int(tu_long(e, 0, "select 21"), 21,
           "an existing connection still serves while the cancel hangs");
    ev_list l = tu_collect(e, id, 15000);
    double took = tu_now() - t0;
    ok(l.done && l.done->status == ENG_DONE_CONN, "the hung cancel closes the connection: CONN");
    ok(l.done && l.done->error && strstr(l.done->error->message, "cancel"),
       "the message says why: %s", l.done && l.done->error ? l.done->error->message : "");
    ok(took >= 1.5 && took < 8, "after the bound (%.2f s)", took);
    tu_free_list(&l);
    kill(pm, SIGCONT);
    ok(tu_wait_stats(e, tu_cond_available, 2, 15000, &st), "after SIGCONT the pool refills");
    is_int(tu_long(e, 0, "select 22"), 22, "and serves");
    free(tu_side_value(side, "select pg_cancel_backend(pid) from pg_stat_activity where query = "
                             "'select pg_sleep(30)'"));
    PQfinish(side);
    tu_stop(e);
}

/* K4 again, but the engine stops while the cancel worker hangs: the worker
 * owns what it uses (its PGcancel, its job, its own wake fd), so when the
 * postmaster wakes up it finishes without touching the freed engine (a
 * sanitizer build turns any such access into a failure), and then no thread
 * is left behind. */
static void test_stop_during_hung_cancel(sandbox *sb)
{
    int threads0 = tu_count_dir("/proc/self/task");
    int fds0 = tu_count_dir("/proc/self/fd");
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    cfg.connect_timeout = 2;
    engine *e = tu_engine(sb, &cfg);
    PGconn *side = tu_side(sb);
    eng_id id = tu_exec(e, 0, 0, "select pg_sleep(30)");
    ok(wait_sleeps(side, 1), "statement running");
    pid_t pm = postmaster_pid(sb);
    ok(pm > 0 && kill(pm, SIGSTOP) == 0, "postmaster stopped (K4)");
    eng_cancel(e, id);
    usleep(300000); /* the worker is inside PQcancel now, hanging */
    double t0 = tu_now();
    tu_stop(e);
    double took = tu_now() - t0;
    ok(took < 8, "engine_stop returns while the cancel hangs (%.2f s)", took);
    ok(tu_count_dir("/proc/self/task") > threads0, "the hung worker outlives the engine");
    kill(pm, SIGCONT);
    double until = tu_now() + 15;
    while (tu_count_dir("/proc/self/task") > threads0 && tu_now() < until)
        usleep(20000);
    is_int(tu_count_dir("/proc/self/task"), threads0,
           "after SIGCONT the worker finishes on its own: no thread left");
    is_int(tu_count_dir("/proc/self/fd"), fds0 + 1 /* side */, "and no file descriptor");
    free(tu_side_value(side, "select pg_cancel_backend(pid) from pg_stat_activity where query = "
                             "'select pg_sleep(30)'"));
    until = tu_now() + 10;
    while (active_sleeps(side) > 0 && tu_now() < until)
        usleep(50000);
    PQfinish(side);
}

static void test_shutdown_borrowed(sandbox *sb)
{
    PGconn *side = tu_side(sb);
    int fds0 = tu_count_dir("/proc/self/fd");
    int threads0 = tu_count_dir("/proc/self/task");
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 2;
    cfg.max_size = 4;
    engine *e = tu_engine(sb, &cfg);
    eng_session s = eng_session_open(e);
    ev_list l = tu_run(e, s, "begin");
    tu_free_list(&l);
    eng_id running = tu_exec(e, 0, 0, "select pg_sleep(30)");
    eng_id copy = eng_copy_begin(e, 0, "copy (select 1) to stdout", NULL);
    const char *sqls[] = {"select pg_sleep(0.01)"};
    eng_load_args la = {.clients = 2, .seconds = 60, .nstmts = 1, .sqls = sqls};
    eng_load(e, &la);
    (void)running;
    (void)copy;
    ok(wait_sleeps(side, 1), "a statement is running, a session and a load hold connections");
    double t0 = tu_now();
    tu_stop(e);
    double took = tu_now() - t0;
    ok(took < 5, "engine_stop returns promptly (%.2f s)", took);
    usleep(300000);
    is_int(tu_count_dir("/proc/self/task"), threads0, "no thread left behind");
    is_int(tu_count_dir("/proc/self/fd"), fds0, "no file descriptor left behind");
    double until = tu_now() + 5;
    long left;
    while ((left = tu_side_long(side, "select count(*) from pg_stat_activity where "
                                      "application_name = 'pgdeck'")) > 0 &&
           tu_now() < until)
        usleep(50000);
    is_int(left, 0, "no pgdeck connection left on the server");
    is_int(active_sleeps(side), 0, "the running statement was canceled on the server");
    PQfinish(side);
}

/* K5: one backend frozen. The cancel is delivered, the statement cannot stop:
 * after the bound the connection is closed and the caller gets control. */
static void test_frozen_backend(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 2;
    cfg.connect_timeout = 2;
    engine *e = tu_engine(sb, &cfg);
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    eng_id id = tu_exec(e, s, 0, "select pg_sleep(30)");
    PGconn *side = tu_side(sb);
    ok(wait_sleeps(side, 1), "statement running");
    ok(kill((pid_t)pid, SIGSTOP) == 0, "its backend stopped (K5)");
    double t0 = tu_now();
    eng_cancel(e, id);
    ev_list l = tu_collect(e, id, 15000);
    double took = tu_now() - t0;
    ok(l.done && l.done->status == ENG_DONE_CONN, "the caller gets control back: CONN");
    ok(l.done && l.done->error && strstr(l.done->error->message, "did not stop"), "saying why: %s",
       l.done && l.done->error ? l.done->error->message : "");
    ok(took >= 1.5 && took < 8, "after the bound (%.2f s)", took);
    tu_free_list(&l);
    kill((pid_t)pid, SIGCONT);
    long pid2 = tu_long(e, s, "select pg_backend_pid()");
    ok(pid2 > 0 && pid2 != pid, "the session goes on with another connection");
    eng_session_close(e, s);
    PQfinish(side);
    tu_stop(e);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    /* after another engine has come and gone, so that runtime helpers
     * (a sanitizer's background thread) are already counted */
    test_cancel_running(sb);
    test_shutdown_borrowed(sb);
    test_cancel_race(sb);
    test_cancel_hangs(sb);
    test_stop_during_hung_cancel(sb);
    test_frozen_backend(sb);
    sandbox_stop(sb);
    return done_testing();
}
