/* engine_prepare.c — automatic prepared statements: the switch after
 * prepare_threshold executions observed on the server
 * (pg_prepared_statements of the session's own connection), 0 = always,
 * -1 = never, the per-connection LRU of prepared_max with DEALLOCATE, and a
 * user's DEALLOCATE ALL survived. */
#include "tests/integration/engine_util.h"

static ev_list run_param(engine *e, eng_session s, const char *sql, const char *p1)
{
    const char *params[] = {p1};
    eng_exec_args a = {
        .sql = sql, .nparams = p1 ? 1 : 0, .params = p1 ? params : NULL, .session = s};
    return tu_collect(e, eng_exec(e, &a), 30000);
}

static long server_prepared(engine *e, eng_session s)
{
    eng_exec_args a = {.sql = "select count(*) from pg_prepared_statements where name like "
                              "'pgdeck_%'",
                       .session = s,
                       .flags = ENG_EXEC_NOPREPARE | ENG_EXEC_NOMETRICS};
    ev_list l = tu_collect(e, eng_exec(e, &a), 30000);
    eng_result *r = tu_first_result(&l);
    long n = r ? atol(eng_result_value(r, 0, 0)) : -1;
    tu_free_list(&l);
    return n;
}

static void test_threshold(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.prepare_threshold = 5;
    engine *e = tu_engine(sb, &cfg);
    eng_session s = eng_session_open(e);
    const char *sql = "select $1::int * 2";
    bool prepared[7];
    int counts[7];
    for (int i = 0; i < 7; i++) {
        char v[8];
        snprintf(v, sizeof v, "%d", i);
        ev_list l = run_param(e, s, sql, v);
        eng_result *r = tu_first_result(&l);
        prepared[i] = l.done && l.done->prepared;
        counts[i] = l.done ? l.done->prepare_count : -1;
        char want[8];
        snprintf(want, sizeof want, "%d", i * 2);
        if (i == 0 || i == 6)
            is_str(r ? eng_result_value(r, 0, 0) : NULL, want, "execution %d result", i + 1);
        tu_free_list(&l);
        if (i == 4)
            is_int(server_prepared(e, s), 0,
                   "after 5 executions nothing is prepared on the server");
    }
    ok(!prepared[0] && !prepared[4], "executions 1..5 unprepared");
    ok(prepared[5] && prepared[6], "the 6th execution runs prepared (threshold 5)");
    is_int(counts[6], 7, "prepare_count counts executions on the connection");
    is_int(server_prepared(e, s), 1, "pg_prepared_statements shows one pgdeck_N statement");
    eng_exec_args q = {.sql = "select statement from pg_prepared_statements where name like "
                              "'pgdeck_%'",
                       .session = s,
                       .flags = ENG_EXEC_NOPREPARE};
    ev_list l = tu_collect(e, eng_exec(e, &q), 30000);
    eng_result *r = tu_first_result(&l);
    is_str(r ? eng_result_value(r, 0, 0) : NULL, sql, "with the statement's text");
    tu_free_list(&l);

    /* a user's DEALLOCATE ALL: the next run re-prepares instead of failing forever */
    l = tu_collect(e, tu_exec(e, s, ENG_EXEC_SIMPLE, "deallocate all"), 30000);
    tu_free_list(&l);
    l = run_param(e, s, sql, "2");
    r = tu_first_result(&l);
    is_str(r ? eng_result_value(r, 0, 0) : NULL, "4",
           "after the user's DEALLOCATE ALL the statement is prepared again and runs");
    ok(l.done && l.done->status == ENG_DONE_OK && l.done->prepared, "ok, prepared");
    tu_free_list(&l);
    is_int(server_prepared(e, s), 1, "prepared again on the server");
    eng_session_close(e, s);

    eng_stats st;
    usleep(250000);
    eng_stats_get(e, &st);
    ok(st.prepared_hits >= 1 && st.prepared_misses >= 1, "stats: prepared hits %llu, misses %llu",
       (unsigned long long)st.prepared_hits, (unsigned long long)st.prepared_misses);
    tu_stop(e);
}

static void test_always_never(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.prepare_threshold = 0;
    engine *e = tu_engine(sb, &cfg);
    eng_session s = eng_session_open(e);
    ev_list l = run_param(e, s, "select $1::text || 'a'", "x");
    ok(l.done && l.done->prepared, "threshold 0: prepared at the first execution");
    tu_free_list(&l);
    is_int(server_prepared(e, s), 1, "visible on the server at once");
    l = run_param(e, s, "select * from no_such_table_xyz where a = $1", "1");
    ok(l.done && l.done->status == ENG_DONE_ERROR && l.done->error &&
           strcmp(l.done->error->sqlstate, "42P01") == 0,
       "a Parse error is the statement's error");
    tu_free_list(&l);
    is_int(server_prepared(e, s), 1, "a failed prepare leaves nothing behind");
    l = tu_collect(e, tu_exec(e, s, ENG_EXEC_NOPREPARE, "select 5"), 30000);
    ok(l.done && !l.done->prepared, "ENG_EXEC_NOPREPARE runs unprepared");
    tu_free_list(&l);
    eng_session_close(e, s);
    tu_stop(e);

    cfg.prepare_threshold = -1;
    e = tu_engine(sb, &cfg);
    s = eng_session_open(e);
    bool any = false;
    for (int i = 0; i < 10; i++) {
        l = run_param(e, s, "select $1::int", "1");
        any |= l.done && l.done->prepared;
        tu_free_list(&l);
    }
    ok(!any, "threshold -1: never prepared (PgBouncer transaction pooling)");
    is_int(server_prepared(e, s), 0, "nothing prepared on the server");
    eng_session_close(e, s);
    tu_stop(e);
}

static void test_lru(sandbox *sb)
{
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.prepare_threshold = 0;
    cfg.prepared_max = 2;
    engine *e = tu_engine(sb, &cfg);
    eng_session s = eng_session_open(e);
    ev_list l = run_param(e, s, "select $1::int + 1", "1");
    tu_free_list(&l);
    l = run_param(e, s, "select $1::int + 2", "1");
    tu_free_list(&l);
    l = run_param(e, s, "select $1::int + 1", "1"); /* touch: now most recent */
    tu_free_list(&l);
    l = run_param(e, s, "select $1::int + 3", "1"); /* evicts "+ 2" */
    ok(l.done && l.done->prepared, "third statement prepared");
    tu_free_list(&l);
    is_int(server_prepared(e, s), 2, "prepared_max=2: two statements stay on the server");
    eng_exec_args q = {.sql = "select string_agg(statement, ',' order by statement) from "
                              "pg_prepared_statements where name like 'pgdeck_%'",
                       .session = s,
                       .flags = ENG_EXEC_NOPREPARE};
    l = tu_collect(e, eng_exec(e, &q), 30000);
    eng_result *r = tu_first_result(&l);
    is_str(r ? eng_result_value(r, 0, 0) : NULL, "select $1::int + 1,select $1::int + 3",
           "the least recently used one was DEALLOCATEd");
    tu_free_list(&l);
    eng_session_close(e, s);
    eng_stats st;
    usleep(250000);
    eng_stats_get(e, &st);
    is_int(st.prepared_evictions, 1, "stats: one eviction");
    ok(st.conns[0].prepared == 2, "per-connection prepared count in stats");
    tu_stop(e);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    test_threshold(sb);
    test_always_never(sb);
    test_lru(sb);
    sandbox_stop(sb);
    return done_testing();
}
