/* run_load.c — `pgdeck run --clients N --repeat M | --time S`: a load
 * through the engine's own pool (eng_load), then throughput and latency
 * percentiles as text, CSV or JSON. */
#include "config.h"

#include "cli/run.h"
#include "cli/sqlerror.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

int run_load(run_ctx *ctx)
{
    engine *e = ctx->e;
    run_opts *o = ctx->o;
    size_t n = ctx->nstmts;
    const char **sqls = xcalloc(n, sizeof *sqls);
    for (size_t i = 0; i < n; i++)
        sqls[i] = ctx->stmts[i].sql;
    eng_load_args a = {
        .clients = o->clients,
        .repeat = o->repeat,
        .seconds = o->seconds,
        .nstmts = (int)n,
        .sqls = sqls,
    };
    eng_id id = eng_load(e, &a);
    eng_load_summary sum = {0};
    eng_done_status status = ENG_DONE_OK;
    eng_error *err = NULL;
    for (;;) {
        eng_event *ev = run_next_event(e, id);
        bool done = false;
        if (ev->kind == EV_NOTICE) {
            /* a load would repeat the same notice thousands of times */
        } else if (ev->kind == EV_DONE && ev->id == id) {
            sum = ev->load;
            status = ev->status;
            err = ev->error;
            ev->error = NULL;
            done = true;
        }
        eng_event_free(ev);
        if (done)
            break;
    }
    free(sqls);

    double tps = sum.seconds > 0 ? (double)sum.executed / sum.seconds : 0;
    if (o->fmt == OUT_JSON) {
        printf("{\"clients\":%d,\"repeat\":%ld,\"time\":%.3f,\"statements\":%zu,"
               "\"executed\":%llu,\"errors\":%llu,\"seconds\":%.6f,\"tps\":%.3f,"
               "\"latency_ms\":{\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
               o->clients, o->repeat, o->seconds, n, (unsigned long long)sum.executed,
               (unsigned long long)sum.errors, sum.seconds, tps, sum.p50_ms, sum.p95_ms, sum.p99_ms,
               sum.max_ms);
    } else if (o->fmt == OUT_CSV) {
        printf("clients,repeat,time,statements,executed,errors,seconds,tps,p50_ms,p95_ms,"
               "p99_ms,max_ms\n");
        printf("%d,%ld,%.3f,%zu,%llu,%llu,%.6f,%.3f,%.3f,%.3f,%.3f,%.3f\n", o->clients, o->repeat,
               o->seconds, n, (unsigned long long)sum.executed, (unsigned long long)sum.errors,
               sum.seconds, tps, sum.p50_ms, sum.p95_ms, sum.p99_ms, sum.max_ms);
    } else {
        printf("clients: %d\n", o->clients);
        if (o->repeat)
            printf("repeat: %ld\n", o->repeat);
        if (o->seconds > 0)
            printf("time: %.3f s\n", o->seconds);
        printf("statements: %zu\n", n);
        printf("executed: %llu\n", (unsigned long long)sum.executed);
        printf("errors: %llu\n", (unsigned long long)sum.errors);
        printf("seconds: %.3f\n", sum.seconds);
        printf("tps: %.1f\n", tps);
        printf("latency ms: p50 %.3f  p95 %.3f  p99 %.3f  max %.3f\n", sum.p50_ms, sum.p95_ms,
               sum.p99_ms, sum.max_ms);
    }
    int rc = EXIT_OK;
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
    return rc;
}
