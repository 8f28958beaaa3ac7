/* pool_rules.c — saturation (timeout, max_waiting), max_lifetime recycling
 * (never while borrowed), dirty returns (in transaction / aborted: ROLLBACK
 * and keep), max_idle shrinking, the in-engine load generator. */
#include "tests/integration/engine_util.h"
#include "tests/integration/test_clock.h"

static bool cond_idle_n(const eng_stats *s, long n)
{
    return s->pool_available == n && s->pool_size == n;
}

static void test_saturation(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    cfg.timeout = 1.0;
    cfg.max_waiting = 1;
    engine *e = tu_engine(sb, &cfg);
    eng_id busy = tu_exec(e, 0, 0, "select pg_sleep(3)");
    usleep(200000);
    double t0 = tu_now();
    eng_id waiter = tu_exec(e, 0, 0, "select 1");
    usleep(100000);
    double t1 = tu_now();
    eng_id refused = tu_exec(e, 0, 0, "select 2");
    ev_list r = tu_collect(e, refused, 5000);
    double refused_after = tu_now() - t1;
    ok(r.done && r.done->status == ENG_DONE_REFUSED, "max_waiting=1: the second waiter is refused");
    ok(refused_after < 0.5, "refused at once (%.3f s)", refused_after);
    ok(r.done && r.done->error && strstr(r.done->error->message, "max_waiting"),
       "the message names max_waiting");
    tu_free_list(&r);
    ev_list w = tu_collect(e, waiter, 5000);
    double waited = tu_now() - t0;
    ok(w.done && w.done->status == ENG_DONE_TIMEOUT, "the waiter times out");
    ok(waited >= 0.95 && waited < 2.5, "after about `timeout` (%.3f s)", waited);
    tu_free_list(&w);
    ev_list b = tu_collect(e, busy, 10000);
    ok(b.done && b.done->status == ENG_DONE_OK, "the busy statement was not disturbed");
    tu_free_list(&b);
    eng_stats st;
    ok(tu_wait_stats(e, cond_idle_n, 1, 5000, &st), "the pool never grew past max_size=1");
    ok(st.requests_errors >= 2, "requests_errors counts the timeout and the refusal (%llu)",
       (unsigned long long)st.requests_errors);
    ok(st.requests_queued >= 1, "requests_queued counts the waiter");
    is_int(st.requests_waiting, 0, "no waiter left behind");
    is_int(tu_long(e, 0, "select 3"), 3, "the pool serves again");

    /* a burst beyond max_size waits its turn instead of growing the pool */
    eng_pool_resize(e, 1, 2);
    eng_id ids[8];
    for (int i = 0; i < 8; i++)
        ids[i] = tu_exec(e, 0, 0, "select pg_sleep(0.05)");
    int okn = 0;
    for (int i = 0; i < 8; i++) {
        ev_list l = tu_collect(e, ids[i], 10000);
        okn += l.done && l.done->status == ENG_DONE_OK;
        tu_free_list(&l);
    }
    (void)okn;
    eng_stats_get(e, &st);
    ok(st.pool_size <= 2, "a burst of 8 with max_size=2 keeps pool_size <= 2 (%d)", st.pool_size);
    tu_stop(e);
}

static void test_lifetime(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    cfg.max_lifetime = 1.5;
    engine *e = tu_engine(sb, &cfg);
    /* borrowed past its lifetime: kept while borrowed */
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    eng_test_clock_advance(e, 2.2);
    long pid_later = tu_long(e, s, "select pg_backend_pid()");
    is_int(pid_later, pid, "never replaced while borrowed, even past max_lifetime");
    eng_session_close(e, s);
    /* on return it is replaced */
    long pid_next = tu_long(e, 0, "select pg_backend_pid()");
    ok(pid_next > 0 && pid_next != pid, "replaced on return (%ld -> %ld)", pid, pid_next);
    /* idle: replaced in the background */
    eng_test_clock_advance(e, 2.5);
    long pid_bg = tu_long(e, 0, "select pg_backend_pid()");
    ok(pid_bg > 0 && pid_bg != pid_next, "an idle connection is replaced in the background");
    eng_stats st;
    eng_stats_get(e, &st);
    ok(st.connections_num >= 3, "connections_num counts the replacements (%llu)",
       (unsigned long long)st.connections_num);
    is_int(st.connections_lost, 0, "recycling is not a loss");
    tu_stop(e);
}

static void test_dirty_returns(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    engine *e = tu_engine(sb, &cfg);
    ev_list l = tu_run(e, 0, "create table dirty(x int)");
    tu_free_list(&l);
    /* returned inside a transaction */
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    l = tu_run(e, s, "begin");
    tu_free_list(&l);
    l = tu_run(e, s, "insert into dirty values (1)");
    is_int(l.done ? l.done->txn_status : 0, 'T', "txn_status T inside the transaction");
    tu_free_list(&l);
    eng_session_close(e, s);
    is_int(tu_long(e, 0, "select pg_backend_pid()"), pid, "returned in a transaction: kept");
    is_int(tu_long(e, 0, "select count(*) from dirty"), 0, "and rolled back (nothing committed)");
    char *v = tu_value(e, 0, "select current_setting('transaction_isolation') is not null");
    is_str(v, "t", "the next borrower gets a clean connection");
    free(v);
    /* returned in an aborted transaction */
    s = eng_session_open(e);
    l = tu_run(e, s, "begin");
    tu_free_list(&l);
    l = tu_run(e, s, "select 1/0");
    is_int(l.done ? l.done->txn_status : 0, 'E', "txn_status E after an error");
    tu_free_list(&l);
    eng_session_close(e, s);
    is_int(tu_long(e, 0, "select pg_backend_pid()"), pid, "returned aborted: rolled back, kept");
    l = tu_run(e, 0, "insert into dirty values (2)");
    ok(l.done && l.done->status == ENG_DONE_OK, "and usable (no 25P02)");
    tu_free_list(&l);
    eng_stats st;
    tu_wait_stats(e, cond_idle_n, 1, 2000, &st);
    is_int(st.returns_bad, 0, "a successful rollback is not a bad return");
    tu_stop(e);
}

static void test_max_idle(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 3;
    cfg.max_idle = 60; /* reached only by stepping the clock */
    engine *e = tu_engine(sb, &cfg);
    eng_id ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = tu_exec(e, 0, 0, "select pg_sleep(0.3)");
    for (int i = 0; i < 3; i++) {
        ev_list l = tu_collect(e, ids[i], 10000);
        tu_free_list(&l);
    }
    eng_stats st;
    eng_stats_get(e, &st);
    ok(st.pool_size >= 2, "the pool grew under demand (%d)", st.pool_size);
    int grown = st.pool_size;
    eng_test_clock_advance(e, 50);
    eng_stats_get(e, &st);
    is_int(st.pool_size, grown, "idle for less than max_idle: kept");
    eng_test_clock_advance(e, 11);
    ok(tu_wait_stats(e, cond_idle_n, 1, 6000, &st),
       "idle connections above min_size closed after max_idle");
    tu_stop(e);
}

static void test_load(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 3;
    cfg.max_size = 3;
    engine *e = tu_engine(sb, &cfg);
    const char *sqls[] = {"select 1", "select $$x$$::text"};
    eng_load_args la = {.clients = 3, .repeat = 200, .nstmts = 2, .sqls = sqls, .tag = "load"};
    eng_id id = eng_load(e, &la);
    ev_list l = tu_collect(e, id, 60000);
    is_int(l.n, 1, "a load sends no per-statement events, only EV_DONE");
    ok(l.done && l.done->status == ENG_DONE_OK, "load done ok");
    is_int(l.done ? (long long)l.done->load.executed : -1, 1200, "3 clients x 200 x 2 statements");
    is_int(l.done ? (long long)l.done->load.errors : -1, 0, "no errors");
    ok(l.done && l.done->load.p50_ms > 0 && l.done->load.p99_ms >= l.done->load.p50_ms &&
           l.done->load.max_ms >= l.done->load.p99_ms,
       "latency percentiles ordered (p50 %.3f p99 %.3f max %.3f ms)",
       l.done ? l.done->load.p50_ms : 0, l.done ? l.done->load.p99_ms : 0,
       l.done ? l.done->load.max_ms : 0);
    is_str(l.done ? l.done->tag : NULL, "load", "tag carried");
    tu_free_list(&l);
    eng_stats st;
    tu_wait_stats(e, cond_idle_n, 3, 2000, &st);
    ok(st.load_executed == 1200 && !st.load_running, "stats: load_executed and load_running");
    ok(st.prepared_hits > 1000, "the load ran prepared statements (%llu hits)",
       (unsigned long long)st.prepared_hits);
    ok(st.checkout.count >= 1200, "checkout bookkeeping recorded (p50 %.2f us)",
       st.checkout.p50 * 1000);

    /* a timed load that is canceled */
    const char *slow[] = {"select pg_sleep(0.01)"};
    eng_load_args lb = {.clients = 2, .seconds = 30, .nstmts = 1, .sqls = slow};
    id = eng_load(e, &lb);
    usleep(300000);
    double t0 = tu_now();
    eng_cancel(e, id);
    l = tu_collect(e, id, 10000);
    ok(l.done && l.done->status == ENG_DONE_CANCELED, "a canceled load ends canceled");
    ok(tu_now() - t0 < 3, "promptly");
    ok(l.done && l.done->load.executed > 0, "having run %llu statements",
       l.done ? (unsigned long long)l.done->load.executed : 0ULL);
    tu_free_list(&l);

    /* errors are counted, not fatal */
    const char *bad[] = {"select 1/0"};
    eng_load_args lc = {.clients = 2, .repeat = 5, .nstmts = 1, .sqls = bad};
    l = tu_collect(e, eng_load(e, &lc), 10000);
    is_int(l.done ? (long long)l.done->load.errors : -1, 10, "every failed statement counted");
    ok(l.done && l.done->status == ENG_DONE_ERROR && l.done->error &&
           strcmp(l.done->error->sqlstate, "22012") == 0,
       "EV_DONE error carries the first failure");
    tu_free_list(&l);
    tu_stop(e);

    /* more clients than max_size + max_waiting: the load stops, no spin */
    cfg.min_size = 1;
    cfg.max_size = 1;
    cfg.max_waiting = 1;
    e = tu_engine(sb, &cfg);
    const char *one[] = {"select 1"};
    eng_load_args ld = {.clients = 4, .repeat = 100000, .nstmts = 1, .sqls = one};
    l = tu_collect(e, eng_load(e, &ld), 30000);
    ok(l.done && l.done->status == ENG_DONE_ERROR && l.done->error &&
           strstr(l.done->error->message, "max_waiting"),
       "a load refused by max_waiting ends with that error (%s)",
       l.done && l.done->error ? l.done->error->message : "no answer");
    tu_free_list(&l);
    is_int(tu_long(e, 0, "select 4"), 4, "the pool is fine afterwards");
    tu_stop(e);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    test_saturation(sb);
    test_dirty_returns(sb);
    test_lifetime(sb);
    test_max_idle(sb);
    test_load(sb);
    sandbox_stop(sb);
    return done_testing();
}
