/* pool_returns.c — connections given back dirty, through the public API: a
 * session closed while its COPY is still open, or while a statement runs,
 * must discard the connection and count returns_bad; the statement is
 * stopped on the server; the pool refills and the next borrower gets a clean
 * connection. Queued requests of a closed session end canceled. */
#include "tests/integration/engine_util.h"

static bool cond_returns_bad(const eng_stats *s, long n)
{
    return (long)s->returns_bad >= n;
}

/* Waits for the first event of `id` whose result has status st. */
static bool wait_result(engine *e, eng_id id, eng_res_status st, int timeout_ms)
{
    double until = tu_now() + timeout_ms / 1000.0;
    while (tu_now() < until) {
        eng_event *ev = eng_event_wait(e, 100);
        if (!ev)
            continue;
        bool hit = ev->id == id && ev->kind == EV_RESULT && ev->result &&
                   eng_result_status(ev->result) == st;
        bool done = ev->id == id && ev->kind == EV_DONE;
        if (ev->kind != EV_POOL && !hit && tu_nstash < 4096)
            tu_stash[tu_nstash++] = ev;
        else
            eng_event_free(ev);
        if (hit)
            return true;
        if (done)
            return false;
    }
    return false;
}

static long sleeps_on_server(PGconn *side)
{
    return tu_side_long(side, "select count(*) from pg_stat_activity where query = "
                              "'select pg_sleep(60)' and state = 'active'");
}

/* The next borrower: idle, no leftover session state, another backend. */
static void check_clean(engine *e, long dirty_pid, const char *what)
{
    eng_session s = eng_session_open(e);
    ev_list l = tu_run(e, s, "select pg_backend_pid(), current_setting('application_name')");
    eng_result *r = tu_first_result(&l);
    long pid = r && eng_result_nrows(r) == 1 ? strtol(eng_result_value(r, 0, 0), NULL, 10) : 0;
    ok(l.done && l.done->status == ENG_DONE_OK && l.done->txn_status == 'I',
       "%s: the next borrower's statement runs outside any transaction", what);
    ok(pid > 0 && pid != dirty_pid, "%s: on another backend (%ld, was %ld)", what, pid, dirty_pid);
    is_str(r && eng_result_nrows(r) == 1 ? eng_result_value(r, 0, 1) : NULL, "pgdeck",
           "%s: no session setting left over", what);
    tu_free_list(&l);
    eng_session_close(e, s);
}

static void test_copy_open(sandbox *sb, engine *e)
{
    PGconn *side = tu_side(sb);
    tu_side_ok(side, "create table ret_copy(a int, b text)");
    eng_stats st;
    eng_stats_get(e, &st);
    unsigned long long bad0 = st.returns_bad;

    eng_session s = eng_session_open(e);
    ev_list l = tu_run(e, s, "set application_name = 'dirty'");
    tu_free_list(&l);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    eng_id copy = eng_copy_begin(e, s, "copy ret_copy from stdin with (format csv)", "copy");
    ok(wait_result(e, copy, ENG_RES_COPY_IN, 10000), "COPY started in the session");
    char *chunk = strdup("1,one\n2,two\n");
    eng_copy_data(e, copy, chunk, strlen(chunk));
    usleep(100000);
    /* closed without eng_copy_end: the COPY can never finish by itself */
    eng_session_close(e, s);
    l = tu_collect(e, copy, 10000);
    ok(l.done != NULL, "closing the session ends the open COPY (no hang)");
    ok(l.done && l.done->status != ENG_DONE_OK, "and it does not say ok (%s: %s)",
       l.done ? eng_done_status_name(l.done->status) : "no answer",
       l.done && l.done->error ? l.done->error->message : "");
    ok(l.done && l.done->error && strstr(l.done->error->message, "nothing was imported"),
       "it says nothing was imported");
    tu_free_list(&l);
    bool counted = tu_wait_stats(e, cond_returns_bad, (long)bad0 + 1, 10000, &st);
    ok(counted, "returns_bad counts the discarded connection (%llu -> %llu)", bad0,
       (unsigned long long)st.returns_bad);
    bool refilled = tu_wait_stats(e, tu_cond_size, 1, 10000, &st);
    ok(refilled, "the pool refills (size %d, available %d)", st.pool_size, st.pool_available);
    is_int(tu_side_long(side, "select count(*) from ret_copy"), 0, "nothing was imported");
    is_int(tu_side_long(side, "select count(*) from pg_stat_activity where query like 'copy "
                              "ret_copy%' and state <> 'idle'"),
           0, "the COPY is gone from the server");
    check_clean(e, pid, "after COPY");
    PQfinish(side);
}

static void test_statement_running(sandbox *sb, engine *e)
{
    PGconn *side = tu_side(sb);
    eng_stats st;
    eng_stats_get(e, &st);
    unsigned long long bad0 = st.returns_bad;
    eng_session s = eng_session_open(e);
    ev_list l = tu_run(e, s, "begin");
    tu_free_list(&l);
    l = tu_run(e, s, "set local application_name = 'dirty'");
    tu_free_list(&l);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    eng_id run = tu_exec(e, s, 0, "select pg_sleep(60)");
    eng_id queued = tu_exec(e, s, 0, "select 'never'");
    double until = tu_now() + 10;
    while (sleeps_on_server(side) != 1 && tu_now() < until)
        usleep(30000);
    is_int(sleeps_on_server(side), 1, "a statement runs in the session");
    eng_session_close(e, s);
    l = tu_collect(e, run, 10000);
    ok(l.done && l.done->status == ENG_DONE_CONN,
       "the running statement ends at once: outcome unknown (%s: %s)",
       l.done ? eng_done_status_name(l.done->status) : "no answer",
       l.done && l.done->error ? l.done->error->message : "");
    tu_free_list(&l);
    l = tu_collect(e, queued, 10000);
    ok(l.done && l.done->status == ENG_DONE_CANCELED && !tu_first_result(&l),
       "the statement queued behind it never runs: canceled");
    tu_free_list(&l);
    bool counted = tu_wait_stats(e, cond_returns_bad, (long)bad0 + 1, 10000, &st);
    ok(counted, "returns_bad counts it (%llu -> %llu)", bad0, (unsigned long long)st.returns_bad);
    until = tu_now() + 10;
    while (sleeps_on_server(side) != 0 && tu_now() < until)
        usleep(30000);
    is_int(sleeps_on_server(side), 0, "the statement was stopped on the server");
    bool refilled = tu_wait_stats(e, tu_cond_size, 1, 10000, &st);
    ok(refilled, "the pool refills (size %d, available %d)", st.pool_size, st.pool_available);
    check_clean(e, pid, "after a running statement");
    PQfinish(side);
}

/* Closing after the last EV_DONE keeps the connection (the usual case). */
static void test_clean_close(engine *e)
{
    eng_stats st;
    eng_stats_get(e, &st);
    unsigned long long bad0 = st.returns_bad;
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    eng_session_close(e, s);
    tu_wait_stats(e, tu_cond_size, 1, 10000, &st);
    is_int(tu_long(e, 0, "select pg_backend_pid()"), pid, "a session closed idle: connection kept");
    eng_stats_get(e, &st);
    is_int(st.returns_bad, bad0, "and not counted as a bad return");
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1; /* the next borrower must get the replacement */
    engine *e = tu_engine(sb, &cfg);
    test_clean_close(e);
    test_copy_open(sb, e);
    test_statement_running(sb, e);
    test_clean_close(e);
    tu_stop(e);
    sandbox_stop(sb);
    return done_testing();
}
