/* engine_stream.c — back-pressure for streamed results: a reader slower than
 * the server must not make undelivered batches pile up. 2 000 000 rows of
 * ~110 bytes are streamed to a reader that sleeps between pops: at most a
 * few batches ever wait in the event queue and the process RSS stays
 * bounded, every row arrives once and in order. A paused stream can still
 * be canceled, keeps its connection, and does not stall other requests. */
#include "tests/integration/engine_util.h"

/* Sanitizer runtimes keep freed memory in quarantine and map shadow memory:
 * RSS says nothing about the engine there. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RSS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_MEANINGFUL
#define RSS_MEANINGFUL 1
#endif

#define NROWS 2000000L
#define FLOW_LIMIT 4 /* FLOW_MAX_BATCHES in src/engine/engine_int.h */
#define BATCH 1000

static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kb = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* Handles one event of the stream; returns the EV_DONE (kept) or NULL. */
typedef struct reader {
    eng_id id;
    long rows, next;
    int batches;
    bool in_order;
} reader;

static eng_event *take(reader *rd, eng_event *ev, bool *partial)
{
    *partial = false;
    if (ev->id != rd->id) {
        eng_event_free(ev);
        return NULL;
    }
    if (ev->kind == EV_DONE)
        return ev;
    if (ev->kind == EV_RESULT && ev->result) {
        eng_result *r = ev->result;
        if (eng_result_status(r) == ENG_RES_ROWS_PARTIAL) {
            *partial = true;
            rd->batches++;
        }
        for (int i = 0; i < eng_result_nrows(r); i++, rd->next++)
            if (strtol(eng_result_value(r, i, 0), NULL, 10) != rd->next)
                rd->in_order = false;
        rd->rows += eng_result_nrows(r);
    }
    eng_event_free(ev);
    return NULL;
}

static void test_slow_reader(engine *e)
{
    long rss0 = status_kb("VmRSS");
    eng_exec_args a = {.sql = "select g, repeat('x', 100) from generate_series(1, 2000000) g",
                       .flags = ENG_EXEC_STREAM,
                       .stream_batch = BATCH};
    reader rd = {.id = eng_exec(e, &a), .next = 1, .in_order = true};
    long rss_max = rss0;
    int max_waiting = 0, checks = 0;
    eng_event *done = NULL;
    double until = tu_now() + 300;
    while (!done && tu_now() < until) {
        if (rd.batches > 0 && rd.batches % 250 == 0) {
            /* stop reading for a while, then count what waits at the
             * instant the reader comes back: the engine must have paused */
            usleep(300000);
            int waiting = (int)eng_event_backlog(e);
            if (waiting > max_waiting)
                max_waiting = waiting;
            checks++;
            eng_event *ev;
            bool partial;
            int drained = 0;
            while (!done && drained < waiting && (ev = eng_event_next(e)) != NULL) {
                done = take(&rd, ev, &partial);
                drained++;
            }
            if (rd.batches % 250 == 0)
                continue; /* no partial batch came (the end): go on reading */
        }
        eng_event *ev = eng_event_wait(e, 1000);
        if (!ev)
            continue;
        bool partial;
        done = take(&rd, ev, &partial);
        if (partial)
            usleep(3000); /* the slow reader */
        long rss = status_kb("VmRSS");
        if (rss > rss_max)
            rss_max = rss;
    }
    ok(done && done->status == ENG_DONE_OK, "the stream completes: %s",
       done ? eng_done_status_name(done->status) : "no answer");
    is_int(rd.rows, NROWS, "every row arrived");
    is_int(done ? (long long)done->rows : -1, NROWS, "EV_DONE counts them");
    ok(rd.in_order, "once each, in order");
    diag("%d partial batches; after a pause at most %d waited (%d checks); VmRSS %ld kB "
         "before, max %ld kB (+%ld MB), VmHWM %ld kB",
         rd.batches, max_waiting, checks, rss0, rss_max, (rss_max - rss0) / 1024,
         status_kb("VmHWM"));
    ok(checks > 0 && max_waiting <= FLOW_LIMIT + 2, /* + the final result and EV_DONE */
       "after the reader paused, only a few batches waited in the queue (%d, limit %d)",
       max_waiting, FLOW_LIMIT);
    /* unbounded, the same run peaks at 170-190 MB; bounded, near 10 MB */
    long hwm = status_kb("VmHWM");
    if (hwm > rss_max)
        rss_max = hwm;
    if (RSS_MEANINGFUL)
        ok(rss_max < 100 * 1024, "memory stays bounded: peak RSS %ld MB < 100 MB", rss_max / 1024);
    else
        ok(1, "# SKIP RSS under a sanitizer runtime (max VmRSS %ld MB)", rss_max / 1024);
    eng_event_free(done);
}

/* A stream the caller stopped reading: cancel still works, promptly, and
 * the connection is kept (the cancel is not mistaken for a frozen backend). */
static void test_cancel_paused(engine *e)
{
    eng_session s = eng_session_open(e);
    long pid = tu_long(e, s, "select pg_backend_pid()");
    eng_exec_args a = {.sql = "select g, repeat('x', 100) from generate_series(1, 2000000) g",
                       .flags = ENG_EXEC_STREAM,
                       .stream_batch = BATCH,
                       .session = s};
    eng_id id = eng_exec(e, &a);
    usleep(1500000); /* read nothing: the engine pauses this stream */
    is_int(tu_long(e, 0, "select 7"), 7, "another request is served while a stream is paused");
    eng_cancel(e, id);
    double t0 = tu_now();
    ev_list l = tu_collect(e, id, 20000);
    ok(l.done && l.done->status == ENG_DONE_CANCELED, "a paused stream can be canceled (%s)",
       l.done ? eng_done_status_name(l.done->status) : "no answer");
    ok(tu_now() - t0 < 10, "promptly (%.2f s)", tu_now() - t0);
    tu_free_list(&l);
    is_int(tu_long(e, s, "select pg_backend_pid()"), pid, "the session keeps its connection");
    eng_session_close(e, s);
}

/* Events of a stream left in the queue until engine_stop: freed, no hang. */
static void test_stop_paused(sandbox *sb)
{
    engine *e = tu_engine(sb, NULL);
    eng_exec_args a = {.sql = "select g, repeat('x', 100) from generate_series(1, 2000000) g",
                       .flags = ENG_EXEC_STREAM,
                       .stream_batch = BATCH};
    eng_exec(e, &a);
    usleep(1000000);
    double t0 = tu_now();
    engine_stop(e);
    ok(tu_now() - t0 < 10, "engine_stop with a paused stream returns (%.2f s)", tu_now() - t0);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    engine *e = tu_engine(sb, NULL);
    test_slow_reader(e);
    test_cancel_paused(e);
    tu_stop(e);
    test_stop_paused(sb);
    sandbox_stop(sb);
    return done_testing();
}
