/* run_load.c — `pgdeck run --clients N --repeat M | --time S`: a load
 * through pgdeck's own pool (eng_load), then throughput and latency
 * percentiles as text, CSV or JSON.
 *
 * One engine thread drives all the connections of its pool; on a machine with
 * several CPUs that thread, not the server, becomes the limit (it is as fast
 * as one pgbench thread). So, as pgbench -j, the load is spread over --jobs
 * engines, one thread and one pool each, with the clients and the pool's
 * size shared out; their summaries, histograms and statistics are merged. */
#include "config.h"

#include "cli/run.h"
#include "cli/sqlerror.h"
#include "common/xalloc.h"

#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The CPUs this process may run on (a container's cpuset, taskset), in
 * order; their number. */
static int allowed_cpus(int *cpus, int max)
{
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE && n < max; c++)
            if (CPU_ISSET(c, &set))
                cpus[n++] = c;
    }
    return n;
}

int run_load_jobs(int asked, int clients)
{
    int jobs = asked;
    if (jobs <= 0) {
        int cpus[RUN_MAX_JOBS];
        jobs = allowed_cpus(cpus, RUN_MAX_JOBS);
        if (jobs <= 0)
            jobs = 1;
    }
    return jobs < clients ? jobs : clients;
}

/* One CPU per job, each engine thread kept on its own (see engine_pin_cpu):
 * otherwise the scheduler now and then puts a job's backends across the
 * CPUs and every statement pays a cross-CPU wake-up (runs then take 1.3x). */
static void pin_jobs(run_ctx *ctx)
{
    int cpus[RUN_MAX_JOBS];
    int n = allowed_cpus(cpus, RUN_MAX_JOBS);
    if (ctx->nes < 2 || n < 2)
        return;
    for (int i = 0; i < ctx->nes; i++)
        engine_pin_cpu(ctx->es[i], cpus[i % n]);
}

/* Job i's share of n, the first ones taking the remainder. */
static int share(int n, int jobs, int i)
{
    return n / jobs + (i < n % jobs);
}

void run_load_pool(const run_opts *o, int job, eng_pool_config *pool)
{
    /* every client gets its own connection, up to the pool's cap over all
     * jobs together; the pool opens them all at once when the engine starts
     * (the first clients begin while the last connections are set up) */
    int min = pool->min_size > o->clients ? pool->min_size : o->clients;
    if (min > ENG_MAX_CONNS)
        min = ENG_MAX_CONNS;
    int max = pool->max_size > min ? pool->max_size : min;
    if (max > ENG_MAX_CONNS)
        max = ENG_MAX_CONNS;
    pool->min_size = share(min, o->jobs, job);
    if (pool->min_size < 1)
        pool->min_size = 1;
    pool->max_size = share(max, o->jobs, job);
    if (pool->max_size < pool->min_size)
        pool->max_size = pool->min_size;
}

/* Starts the engines of jobs 1.. (job 0's is ctx->e, connected already). */
static int start_engines(run_ctx *ctx)
{
    run_opts *o = ctx->o;
    for (int i = 1; i < o->jobs; i++) {
        eng_pool_config pool = ctx->pool;
        run_load_pool(o, i, &pool);
        char *err = NULL;
        ctx->es[i] = engine_start(o->ca.ci, &pool, &err);
        if (!ctx->es[i]) {
            cli_eprintf(RUN_PROG ": %s\n", err ? err : "cannot start the engine");
            free(err);
            return EXIT_CONNECT;
        }
        ctx->nes = i + 1;
    }
    for (int i = 1; i < ctx->nes; i++) {
        int timeout_ms =
            (int)(ctx->pool.connect_timeout > 0 ? ctx->pool.connect_timeout * 1000 : 10000);
        char *err = NULL;
        if (!engine_wait_ready(ctx->es[i], timeout_ms + 1000, &err)) {
            cli_eprintf(RUN_PROG ": cannot connect: %s\n", err ? err : "connection failed");
            int rc = connargs_connect_exit(err);
            free(err);
            return rc;
        }
    }
    return EXIT_OK;
}

/* The next event of any engine (blocks); a Ctrl-C cancels every job's load once. */
static eng_event *next_event(run_ctx *ctx, const eng_id *ids, int *job)
{
    static bool cancel_sent;
    struct pollfd pfd[RUN_MAX_JOBS];
    for (;;) {
        for (int i = 0; i < ctx->nes; i++) {
            eng_event *ev = eng_event_next(ctx->es[i]);
            if (ev) {
                *job = i;
                return ev;
            }
            pfd[i] = (struct pollfd){.fd = eng_event_fd(ctx->es[i]), .events = POLLIN};
        }
        if (run_interrupted && !cancel_sent) {
            for (int i = 0; i < ctx->nes; i++)
                eng_cancel(ctx->es[i], ids[i]);
            cancel_sent = true;
        }
        poll(pfd, (nfds_t)ctx->nes, 200);
    }
}

int run_load(run_ctx *ctx)
{
    run_opts *o = ctx->o;
    int rc = start_engines(ctx);
    if (rc != EXIT_OK)
        return rc;
    if (o->pin)
        pin_jobs(ctx);
    size_t n = ctx->nstmts;
    const char **sqls = xcalloc(n, sizeof *sqls);
    for (size_t i = 0; i < n; i++)
        sqls[i] = ctx->stmts[i].sql;
    eng_id ids[RUN_MAX_JOBS];
    for (int i = 0; i < ctx->nes; i++) {
        eng_load_args a = {
            .clients = share(o->clients, ctx->nes, i),
            .repeat = o->repeat,
            .seconds = o->seconds,
            .nstmts = (int)n,
            .sqls = sqls,
            .retry_lost = o->retry_read_only,
        };
        ids[i] = eng_load(ctx->es[i], &a);
    }
    eng_load_summary sum = {0};
    eng_done_status status = ENG_DONE_OK;
    eng_error *err = NULL;
    for (int running = ctx->nes; running > 0;) {
        int job;
        eng_event *ev = next_event(ctx, ids, &job);
        /* notices are ignored: a load would repeat the same one thousands of times */
        if (ev->kind == EV_DONE && ev->id == ids[job]) {
            eng_load_summary_add(&sum, &ev->load);
            if (status == ENG_DONE_OK && ev->status != ENG_DONE_OK)
                status = ev->status;
            if (!err) {
                err = ev->error;
                ev->error = NULL;
            }
            running--;
        }
        eng_event_free(ev);
    }
    free(sqls);

    double tps = sum.seconds > 0 ? (double)sum.executed / sum.seconds : 0;
    if (o->fmt == OUT_JSON) {
        printf("{\"clients\":%d,\"jobs\":%d,\"repeat\":%ld,\"time\":%.3f,\"statements\":%zu,"
               "\"executed\":%llu,\"errors\":%llu,\"retried\":%llu,\"seconds\":%.6f,"
               "\"tps\":%.3f,"
               "\"latency_ms\":{\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
               o->clients, ctx->nes, o->repeat, o->seconds, n, (unsigned long long)sum.executed,
               (unsigned long long)sum.errors, (unsigned long long)sum.retried, sum.seconds, tps,
               sum.p50_ms, sum.p95_ms, sum.p99_ms, sum.max_ms);
    } else if (o->fmt == OUT_CSV) {
        printf("clients,jobs,repeat,time,statements,executed,errors,seconds,tps,p50_ms,p95_ms,"
               "p99_ms,max_ms,retried\n");
        printf("%d,%d,%ld,%.3f,%zu,%llu,%llu,%.6f,%.3f,%.3f,%.3f,%.3f,%.3f,%llu\n", o->clients,
               ctx->nes, o->repeat, o->seconds, n, (unsigned long long)sum.executed,
               (unsigned long long)sum.errors, sum.seconds, tps, sum.p50_ms, sum.p95_ms, sum.p99_ms,
               sum.max_ms, (unsigned long long)sum.retried);
    } else {
        printf("clients: %d\n", o->clients);
        printf("jobs: %d\n", ctx->nes);
        if (o->repeat)
            printf("repeat: %ld\n", o->repeat);
        if (o->seconds > 0)
            printf("time: %.3f s\n", o->seconds);
        printf("statements: %zu\n", n);
        printf("executed: %llu\n", (unsigned long long)sum.executed);
        printf("errors: %llu\n", (unsigned long long)sum.errors);
        if (o->retry_read_only)
            printf("retried: %llu (read-only, after a lost connection)\n",
                   (unsigned long long)sum.retried);
        printf("seconds: %.3f\n", sum.seconds);
        printf("tps: %.1f\n", tps);
        printf("latency ms: p50 %.3f  p95 %.3f  p99 %.3f  max %.3f\n", sum.p50_ms, sum.p95_ms,
               sum.p99_ms, sum.max_ms);
    }
    rc = EXIT_OK;
    if (status != ENG_DONE_OK)
        rc = run_exit_for(status);
    else if (sum.errors > 0)
        rc = EXIT_SQL;
    if (rc != EXIT_OK) {
        if (err)
            run_print_error(NULL, err);
        else if (sum.errors > 0)
            cli_eprintf(RUN_PROG ": %llu of %llu executions failed\n",
                        (unsigned long long)sum.errors,
                        (unsigned long long)(sum.executed + sum.errors));
    }
    eng_error_free(err);
    eng_load_summary_clear(&sum);
    return rc;
}
