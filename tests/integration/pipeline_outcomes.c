/* pipeline_outcomes.c — pipeline mode per RELIABILITY.md: an error in
 * statement 2 of 5 (1 rolled back, 2 error, 3-5 aborted, nothing committed),
 * several BEGIN...COMMIT blocks, sync after each statement, refusals that
 * leave the connection usable, a connection terminated mid-pipeline
 * (unknown, never ok), and 10 000 INSERTs with large parameters. */
#include "tests/integration/engine_util.h"

typedef struct pipe_run {
    ev_list l;
    eng_event *stmt[16];
    int nstmt;
} pipe_run;

static pipe_run run_pipe(engine *e, eng_session s, const char *const *sqls, int n,
                         eng_pipe_sync sync)
{
    eng_pipeline_args a = {.nstmts = n, .sqls = sqls, .sync = sync, .session = s};
    pipe_run pr = {0};
    pr.l = tu_collect(e, eng_pipeline(e, &a), 60000);
    for (int i = 0; i < pr.l.n; i++)
        if (pr.l.ev[i]->kind == EV_PIPE_STMT && pr.nstmt < 16)
            pr.stmt[pr.nstmt++] = pr.l.ev[i];
    return pr;
}

static const char *outcome(const pipe_run *pr, int i)
{
    for (int k = 0; k < pr->nstmt; k++)
        if (pr->stmt[k]->stmt_index == i)
            return eng_stmt_outcome_name(pr->stmt[k]->outcome);
    return "(none)";
}

static void test_error_in_2_of_5(engine *e)
{
    const char *sqls[] = {"insert into pt values (1)", "insert into pt values (1/0)",
                          "insert into pt values (3)", "select 4", "insert into pt values (5)"};
    pipe_run pr = run_pipe(e, 0, sqls, 5, ENG_SYNC_END);
    is_int(pr.nstmt, 5, "one EV_PIPE_STMT per statement");
    bool in_order = true;
    for (int i = 0; i < pr.nstmt; i++)
        if (pr.stmt[i]->stmt_index != i)
            in_order = false;
    ok(in_order, "in order");
    is_str(outcome(&pr, 0), "rolled back", "statement 1: rolled back (same implicit transaction)");
    is_str(outcome(&pr, 1), "error", "statement 2: error");
    ok(pr.nstmt > 1 && pr.stmt[1]->error && strcmp(pr.stmt[1]->error->sqlstate, "22012") == 0,
       "statement 2 carries the server's error");
    is_str(outcome(&pr, 2), "aborted", "statement 3: aborted");
    is_str(outcome(&pr, 3), "aborted", "statement 4: aborted");
    is_str(outcome(&pr, 4), "aborted", "statement 5: aborted");
    ok(pr.l.done && pr.l.done->status == ENG_DONE_ERROR, "EV_DONE: error");
    ok(pr.l.done && pr.l.done->error && strstr(pr.l.done->error->message, "statement 2"),
       "naming statement 2: %s", pr.l.done && pr.l.done->error ? pr.l.done->error->message : "");
    tu_free_list(&pr.l);
    is_int(tu_long(e, 0, "select count(*) from pt"), 0, "nothing committed on the server");

    pr = run_pipe(e, 0, sqls, 5, ENG_SYNC_EACH);
    is_str(outcome(&pr, 0), "ok", "sync each: statement 1 committed");
    is_str(outcome(&pr, 1), "error", "sync each: statement 2 error");
    is_str(outcome(&pr, 2), "ok", "sync each: statement 3 runs after the sync");
    is_str(outcome(&pr, 4), "ok", "sync each: statement 5 ok");
    tu_free_list(&pr.l);
    is_int(tu_long(e, 0, "select count(*) from pt"), 3, "three rows committed");
    free(tu_value(e, 0, "truncate pt"));
}

static void test_blocks(engine *e)
{
    const char *sqls[] = {"begin", "insert into pt values (10)", "commit",
                          "begin", "insert into pt values (20)", "commit",
                          "begin", "insert into pt values (30)", "insert into pt values (1/0)",
                          "commit"};
    pipe_run pr = run_pipe(e, 0, sqls, 10, ENG_SYNC_END);
    is_str(outcome(&pr, 1), "ok", "block 1 insert: ok (committed)");
    is_str(outcome(&pr, 2), "ok", "block 1 COMMIT: ok");
    is_str(outcome(&pr, 4), "ok", "block 2 insert: ok");
    is_str(outcome(&pr, 5), "ok", "block 2 COMMIT: ok");
    is_str(outcome(&pr, 6), "rolled back", "block 3 BEGIN: rolled back");
    is_str(outcome(&pr, 7), "rolled back", "block 3 insert: rolled back");
    is_str(outcome(&pr, 8), "error", "block 3 failing insert: error");
    is_str(outcome(&pr, 9), "aborted", "block 3 COMMIT: aborted, never ok");
    tu_free_list(&pr.l);
    char *v = tu_value(e, 0, "select string_agg(x::text, ',' order by x) from pt");
    is_str(v, "10,20", "committed blocks stayed committed; the failed one did not");
    free(v);
    free(tu_value(e, 0, "truncate pt"));

    /* a block left open at the end: ok (the transaction is open), and the
     * connection comes back to the pool rolled back */
    eng_session s = eng_session_open(e);
    const char *open_sqls[] = {"begin", "insert into pt values (40)"};
    pr = run_pipe(e, s, open_sqls, 2, ENG_SYNC_END);
    is_str(outcome(&pr, 1), "ok", "open transaction at the end: ok (open)");
    is_int(pr.l.done ? pr.l.done->txn_status : 0, 'T', "the session is in the transaction");
    tu_free_list(&pr.l);
    is_int(tu_long(e, s, "select count(*) from pt"), 1, "visible inside it");
    ev_list l = tu_run(e, s, "rollback");
    tu_free_list(&l);
    eng_session_close(e, s);
    is_int(tu_long(e, 0, "select count(*) from pt"), 0, "rolled back by the user");

    /* a pipeline inside a transaction the session opened earlier */
    s = eng_session_open(e);
    l = tu_run(e, s, "begin");
    tu_free_list(&l);
    const char *in_txn[] = {"insert into pt values (70)", "insert into pt values (1/0)"};
    pr = run_pipe(e, s, in_txn, 2, ENG_SYNC_END);
    is_str(outcome(&pr, 0), "rolled back", "inside the session's BEGIN: the insert is rolled back");
    is_str(outcome(&pr, 1), "error", "the failing insert: error");
    is_int(pr.l.done ? pr.l.done->txn_status : 0, 'E', "the session's transaction is aborted");
    tu_free_list(&pr.l);
    l = tu_run(e, s, "rollback");
    tu_free_list(&l);
    eng_session_close(e, s);
    is_int(tu_long(e, 0, "select count(*) from pt"), 0, "nothing committed");

    /* explicit ROLLBACK inside a pipeline */
    const char *rb[] = {"begin", "insert into pt values (50)", "rollback",
                        "insert into pt values (60)"};
    pr = run_pipe(e, 0, rb, 4, ENG_SYNC_END);
    is_str(outcome(&pr, 1), "rolled back", "insert before ROLLBACK: rolled back");
    is_str(outcome(&pr, 2), "ok", "ROLLBACK itself: ok");
    is_str(outcome(&pr, 3), "ok", "insert after it: ok");
    ok(pr.l.done && pr.l.done->status == ENG_DONE_OK, "no statement failed: EV_DONE ok");
    tu_free_list(&pr.l);
    is_int(tu_long(e, 0, "select count(*) from pt"), 1, "only the last insert committed");
    free(tu_value(e, 0, "truncate pt"));
}

static void test_refusals(engine *e)
{
    const char *a[] = {"select 1", "copy pt from stdin", "select 3"};
    pipe_run pr = run_pipe(e, 0, a, 3, ENG_SYNC_END);
    is_str(outcome(&pr, 1), "refused", "COPY refused");
    is_str(outcome(&pr, 0), "not sent", "the others: not sent");
    is_str(outcome(&pr, 2), "not sent", "(all of them)");
    ok(pr.nstmt > 1 && pr.stmt[1]->error && strstr(pr.stmt[1]->error->message, "COPY"),
       "a clear message: %s", pr.nstmt > 1 && pr.stmt[1]->error ? pr.stmt[1]->error->message : "");
    ok(pr.l.done && pr.l.done->status == ENG_DONE_REFUSED, "EV_DONE refused");
    tu_free_list(&pr.l);

    const char *b[] = {"select 1; select 2"};
    pr = run_pipe(e, 0, b, 1, ENG_SYNC_END);
    is_str(outcome(&pr, 0), "refused", "several statements in one entry refused");
    tu_free_list(&pr.l);

    const char *c[] = {"insert into pt values (1)", "vacuum pt"};
    pr = run_pipe(e, 0, c, 2, ENG_SYNC_END);
    is_str(outcome(&pr, 1), "refused", "VACUUM with other statements in one transaction: refused");
    ok(pr.nstmt > 1 && pr.stmt[1]->error && strstr(pr.stmt[1]->error->message, "transaction block"),
       "says why: %s", pr.nstmt > 1 && pr.stmt[1]->error ? pr.stmt[1]->error->message : "");
    tu_free_list(&pr.l);
    const char *d[] = {"create index concurrently pt_x on pt(x)", "select 1"};
    pr = run_pipe(e, 0, d, 2, ENG_SYNC_END);
    is_str(outcome(&pr, 0), "refused", "CREATE INDEX CONCURRENTLY refused with a sync at the end");
    tu_free_list(&pr.l);
    const char *f[] = {"create database pipedb"};
    pr = run_pipe(e, 0, f, 1, ENG_SYNC_END);
    is_str(outcome(&pr, 0), "ok", "CREATE DATABASE alone: allowed and ok");
    tu_free_list(&pr.l);
    const char *g[] = {"vacuum pt", "select 2"};
    pr = run_pipe(e, 0, g, 2, ENG_SYNC_EACH);
    is_str(outcome(&pr, 0), "ok", "VACUUM with a sync after each statement: ok");
    is_str(outcome(&pr, 1), "ok", "and the next statement too");
    tu_free_list(&pr.l);
    is_int(tu_long(e, 0, "select count(*) from pt"), 0, "refused pipelines sent nothing");
    is_int(tu_long(e, 0, "select 99"), 99, "the pool is usable after refusals");
}

static void test_terminated(sandbox *sb, engine *e)
{
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    const char *sqls[] = {"insert into pt values (1)", "select pg_sleep(30)",
                          "insert into pt values (2)", "select 4"};
    eng_pipeline_args a = {.nstmts = 4, .sqls = sqls, .sync = ENG_SYNC_END, .session = s};
    eng_id id = eng_pipeline(e, &a);
    PGconn *side = tu_side(sb);
    double until = tu_now() + 10;
    while (tu_side_long(side, "select count(*) from pg_stat_activity where query = 'select "
                              "pg_sleep(30)' and state = 'active'") < 1 &&
           tu_now() < until)
        usleep(30000);
    char q[96];
    snprintf(q, sizeof q, "select pg_terminate_backend(%ld)", pid);
    free(tu_side_value(side, q));
    pipe_run pr = {0};
    pr.l = tu_collect(e, id, 15000);
    for (int i = 0; i < pr.l.n; i++)
        if (pr.l.ev[i]->kind == EV_PIPE_STMT && pr.nstmt < 16)
            pr.stmt[pr.nstmt++] = pr.l.ev[i];
    is_int(pr.nstmt, 4, "every statement reported");
    bool none_ok = true;
    for (int i = 0; i < pr.nstmt; i++)
        if (pr.stmt[i]->outcome == ENG_OUT_OK)
            none_ok = false;
    ok(none_ok, "terminated mid-pipeline: no statement shows ok");
    ok(strcmp(outcome(&pr, 2), "unknown") == 0 && strcmp(outcome(&pr, 3), "unknown") == 0,
       "pending statements show unknown (%s, %s)", outcome(&pr, 2), outcome(&pr, 3));
    ok(strcmp(outcome(&pr, 0), "ok") != 0, "the insert before it: %s, not ok", outcome(&pr, 0));
    ok(pr.l.done && pr.l.done->status == ENG_DONE_CONN, "EV_DONE: connection lost");
    tu_free_list(&pr.l);
    is_int(tu_side_long(side, "select count(*) from pt"), 0, "nothing committed");
    PQfinish(side);
    long pid2 = tu_long(e, s, "select pg_backend_pid()");
    ok(pid2 > 0 && pid2 != pid, "the session continues on a new connection");
    eng_session_close(e, s);
}

static void test_big(engine *e)
{
    enum { N = 10000 };
    const char **sqls = calloc(N, sizeof *sqls);
    int *np = calloc(N, sizeof *np);
    const char *const **params = calloc(N, sizeof *params);
    char *big = malloc(8193);
    memset(big, 'p', 8192);
    big[8192] = '\0';
    const char *one[2] = {NULL, big};
    char(*nums)[16] = calloc(N, sizeof *nums);
    const char **pv = calloc(2 * N, sizeof *pv);
    for (int i = 0; i < N; i++) {
        sqls[i] = "insert into pbig values ($1::int, $2::text)";
        np[i] = 2;
        snprintf(nums[i], sizeof nums[i], "%d", i);
        pv[2 * i] = nums[i];
        pv[2 * i + 1] = one[1];
        params[i] = &pv[2 * i];
    }
    free(tu_value(e, 0, "create unlogged table pbig(i int, v text)"));
    eng_pipeline_args a = {
        .nstmts = N, .sqls = sqls, .nparams = np, .params = params, .sync = ENG_SYNC_END};
    double t0 = tu_now();
    eng_id id = eng_pipeline(e, &a);
    ev_list l = tu_collect(e, id, 120000);
    double took = tu_now() - t0;
    int okn = 0;
    for (int i = 0; i < l.n; i++)
        if (l.ev[i]->kind == EV_PIPE_STMT && l.ev[i]->outcome == ENG_OUT_OK)
            okn++;
    ok(l.done && l.done->status == ENG_DONE_OK, "10 000 INSERTs with 8 KB parameters: no deadlock");
    is_int(okn, N, "every statement ok");
    diag("pipeline of %d x 8 KB inserts: %.2f s", N, took);
    tu_free_list(&l);
    is_int(tu_long(e, 0, "select count(*) from pbig where length(v) = 8192"), N,
           "all rows on the server");
    eng_stats st;
    usleep(200000);
    eng_stats_get(e, &st);
    ok(st.pipelines_num >= 1 && st.pipeline_stmts >= N,
       "stats: pipelines_num %llu, pipeline_stmts %llu", (unsigned long long)st.pipelines_num,
       (unsigned long long)st.pipeline_stmts);
    is_int(tu_long(e, 0, "select 7"), 7, "the connection is healthy after");
    free(sqls);
    free(np);
    free(params);
    free(big);
    free(nums);
    free(pv);
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
    free(tu_value(e, 0, "create table pt(x int)"));
    test_error_in_2_of_5(e);
    test_blocks(e);
    test_refusals(e);
    test_terminated(sb, e);
    test_big(e);
    tu_stop(e);
    sandbox_stop(sb);
    return done_testing();
}
