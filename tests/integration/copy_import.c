/* copy_import.c — COPY FROM STDIN through the engine: a large import in
 * chunks, a bad row (error with its line in CONTEXT, nothing imported,
 * connection reusable), a user abort (nothing imported), a session's
 * transaction, the connection lost mid-COPY, back-pressure accounting. */
#include "tests/integration/engine_util.h"

static char *make_rows(int from, int to, size_t *len)
{
    size_t cap = (size_t)(to - from + 1) * 32 + 1;
    char *buf = malloc(cap);
    size_t n = 0;
    for (int i = from; i <= to; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%d,row %d\n", i, i);
    *len = n;
    return buf;
}

static void test_ok(sandbox *sb, engine *e)
{
    (void)sb;
    eng_id id = eng_copy_begin(e, 0, "copy ct from stdin with (format csv)", "imp");
    int per = 5000;
    for (int start = 1; start <= 100000; start += per) {
        size_t len;
        char *chunk = make_rows(start, start + per - 1, &len);
        eng_copy_data(e, id, chunk, len);
    }
    size_t pending = eng_copy_pending_bytes(e, id);
    diag("pending right after queueing: %zu bytes", pending);
    eng_copy_end(e, id, NULL);
    ev_list l = tu_collect(e, id, 60000);
    ok(l.done && l.done->status == ENG_DONE_OK, "100 000 rows imported: ok");
    is_int(l.done ? (long long)l.done->rows : -1, 100000, "EV_DONE rows = rows copied");
    is_str(l.done ? l.done->tag : NULL, "imp", "tag carried");
    tu_free_list(&l);
    is_int(eng_copy_pending_bytes(e, id), 0, "nothing pending after the end");
    is_int(tu_long(e, 0, "select count(*) from ct"), 100000, "on the server");
    eng_stats st;
    usleep(200000);
    eng_stats_get(e, &st);
    ok(st.copy_rows == 100000 && st.copy_bytes > 1000000, "stats: copy_rows %llu, copy_bytes %llu",
       (unsigned long long)st.copy_rows, (unsigned long long)st.copy_bytes);
    free(tu_value(e, 0, "truncate ct"));

    /* one huge chunk (16 MB) */
    size_t big = 16u << 20;
    char *buf = malloc(big);
    size_t n = 0;
    int i = 0;
    while (n + 40 < big)
        n += (size_t)snprintf(buf + n, big - n, "%d,%s\n", ++i, "abcdefghijklmnopqrstuvwx");
    id = eng_copy_begin(e, 0, "copy ct from stdin with (format csv)", NULL);
    eng_copy_data(e, id, buf, n);
    eng_copy_end(e, id, NULL);
    l = tu_collect(e, id, 60000);
    is_int(l.done ? (long long)l.done->rows : -1, i, "a 16 MB chunk goes through");
    tu_free_list(&l);
    free(tu_value(e, 0, "truncate ct"));
}

static void test_bad_row(engine *e)
{
    long pid = tu_long(e, 0, "select pg_backend_pid()");
    eng_id id = eng_copy_begin(e, 0, "copy ct from stdin with (format csv)", NULL);
    const char *data = "1,one\n2,two\nthree,3\n4,four\n";
    eng_copy_data(e, id, strdup(data), strlen(data));
    eng_copy_end(e, id, NULL);
    ev_list l = tu_collect(e, id, 30000);
    ok(l.done && l.done->status == ENG_DONE_ERROR, "a bad row: error");
    const eng_error *err = l.done ? l.done->error : NULL;
    is_str(err ? err->sqlstate : NULL, "22P02", "invalid input syntax");
    ok(err && err->context && strstr(err->context, "line 3"), "CONTEXT names line 3: %s",
       err && err->context ? err->context : "");
    tu_free_list(&l);
    is_int(tu_long(e, 0, "select count(*) from ct"), 0, "0 rows committed");
    is_int(tu_long(e, 0, "select pg_backend_pid()"), pid, "the connection is reused");
}

static void test_abort(engine *e)
{
    eng_id id = eng_copy_begin(e, 0, "copy ct from stdin with (format csv)", NULL);
    size_t len;
    char *chunk = make_rows(1, 1000, &len);
    eng_copy_data(e, id, chunk, len);
    eng_copy_end(e, id, "canceled by user");
    ev_list l = tu_collect(e, id, 30000);
    ok(l.done && l.done->status == ENG_DONE_CANCELED, "user abort: canceled");
    ok(l.done && l.done->error && strstr(l.done->error->message, "canceled by user"),
       "the server echoes the reason: %s", l.done && l.done->error ? l.done->error->message : "");
    tu_free_list(&l);
    is_int(tu_long(e, 0, "select count(*) from ct"), 0, "nothing imported");

    id = eng_copy_begin(e, 0, "copy ct from stdin with (format csv)", NULL);
    chunk = make_rows(1, 10, &len);
    eng_copy_data(e, id, chunk, len);
    eng_cancel(e, id);
    l = tu_collect(e, id, 30000);
    ok(l.done && l.done->status == ENG_DONE_CANCELED, "eng_cancel of a COPY: canceled");
    tu_free_list(&l);
    is_int(tu_long(e, 0, "select count(*) from ct"), 0, "nothing imported");

    l = tu_collect(e, eng_copy_begin(e, 0, "copy no_such_table from stdin", NULL), 30000);
    ok(l.done && l.done->status == ENG_DONE_ERROR && l.done->error &&
           strcmp(l.done->error->sqlstate, "42P01") == 0,
       "COPY into a missing table: the server's error");
    tu_free_list(&l);
    long pid = tu_long(e, 0, "select pg_backend_pid()");
    l = tu_collect(
        e, eng_copy_begin(e, 0, "copy (select generate_series(1, 50000)) to stdout", NULL), 30000);
    ok(l.done && l.done->status == ENG_DONE_ERROR && l.done->error &&
           strstr(l.done->error->message, "FROM STDIN"),
       "COPY TO STDOUT through eng_copy_begin: a clear error");
    tu_free_list(&l);
    is_int(tu_long(e, 0, "select pg_backend_pid()"), pid, "without losing the connection");
    is_int(tu_long(e, 0, "select 5"), 5, "reusable after all that");
}

static void test_session(engine *e)
{
    eng_session s = eng_session_open(e);
    ev_list l = tu_run(e, s, "begin");
    tu_free_list(&l);
    eng_id id = eng_copy_begin(e, s, "copy ct from stdin with (format csv)", NULL);
    size_t len;
    char *chunk = make_rows(1, 50, &len);
    eng_copy_data(e, id, chunk, len);
    eng_copy_end(e, id, NULL);
    l = tu_collect(e, id, 30000);
    ok(l.done && l.done->rows == 50 && l.done->txn_status == 'T',
       "COPY inside a session's transaction");
    tu_free_list(&l);
    is_int(tu_long(e, s, "select count(*) from ct"), 50, "visible in the transaction");
    l = tu_run(e, s, "rollback");
    tu_free_list(&l);
    eng_session_close(e, s);
    is_int(tu_long(e, 0, "select count(*) from ct"), 0, "rolled back with it");
}

static void test_lost(sandbox *sb, engine *e)
{
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    eng_id id = eng_copy_begin(e, s, "copy ct from stdin with (format csv)", NULL);
    size_t len;
    char *chunk = make_rows(1, 1000, &len);
    eng_copy_data(e, id, chunk, len);
    usleep(200000);
    PGconn *side = tu_side(sb);
    char q[96];
    snprintf(q, sizeof q, "select pg_terminate_backend(%ld)", pid);
    free(tu_side_value(side, q));
    usleep(200000);
    for (int k = 0; k < 20; k++) {
        chunk = make_rows(1001 + k * 1000, 2000 + k * 1000, &len);
        eng_copy_data(e, id, chunk, len);
    }
    eng_copy_end(e, id, NULL);
    ev_list l = tu_collect(e, id, 30000);
    ok(l.done && l.done->status == ENG_DONE_CONN, "connection lost mid-COPY: CONN");
    ok(l.done && l.done->error && strstr(l.done->error->message, "nothing was imported"),
       "says nothing was imported: %s", l.done && l.done->error ? l.done->error->message : "");
    tu_free_list(&l);
    is_int(tu_side_long(side, "select count(*) from ct"), 0, "and nothing was");
    PQfinish(side);
    eng_session_close(e, s);
    is_int(tu_long(e, 0, "select 6"), 6, "the pool goes on");
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 1;
    engine *e = tu_engine(sb, &cfg);
    free(tu_value(e, 0, "create table ct(id int, v text)"));
    test_ok(sb, e);
    test_bad_row(e);
    test_abort(e);
    test_session(e);
    test_lost(sb, e);
    tu_stop(e);
    sandbox_stop(sb);
    return done_testing();
}
