/* statsjson.c — `--stats`: the pool's snapshot and the per-statement
 * metrics as one JSON object. */
#include "config.h"

#include "common/clock.h"
#include "common/json.h"
#include "cli/statsjson.h"

#include "cli/output.h"
#include "cli/redact.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void json_hist(strbuf *sb, const char *key, const eng_hist_summary *h)
{
    sb_printf(sb,
              ",\n\"%s\":{\"count\":%llu,\"mean\":%.6f,\"p50\":%.6f,\"p95\":%.6f,"
              "\"p99\":%.6f,\"max\":%.6f}",
              key, (unsigned long long)h->count, h->mean, h->p50, h->p95, h->p99, h->max);
}

static int by_total_desc(const void *a, const void *b)
{
    const eng_stmt_metric *x = a, *y = b;
    return x->total_ms < y->total_ms ? 1 : x->total_ms > y->total_ms ? -1 : 0;
}

/* NaN and infinities are not JSON: print them as 0. */
static double fin(double v)
{
    return isfinite(v) ? v : 0.0;
}

void statsjson_print(engine *const *es, int n, FILE *out, double work_start, double work_end)
{
    eng_stats *st = xcalloc(1, sizeof *st);
    /* The snapshot is published at most every 100 ms. Wait (briefly) for
     * one that shows the work over: published after the work ended, or
     * taken after it began, with the work's checkouts counted, every
     * connection idle in the pool and no load running (what the engine
     * publishes at once when its pool goes quiet; the snapshot of the first
     * connection coming up can be taken just after the work began, before
     * anything ran). Until then the counts may miss the last statements. */
    double deadline = clock_mono_s() + 0.3;
    for (;;) {
        eng_stats_get_merged(es, n, st);
        bool settled = st->taken_at >= work_end ||
                       (st->taken_at >= work_start && st->requests_num > 0 && !st->load_running &&
                        st->pool_available >= st->pool_size && st->requests_waiting == 0);
        if (settled || clock_mono_s() > deadline)
            break;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb,
              "{\"pool_min\":%d,\"pool_max\":%d,\"pool_size\":%d,\"pool_available\":%d,"
              "\"requests_waiting\":%d,\n\"requests_num\":%llu,\"requests_queued\":%llu,"
              "\"requests_wait_ms\":%llu,\"requests_errors\":%llu,\"returns_bad\":%llu,\n"
              "\"connections_num\":%llu,\"connections_ms\":%llu,\"connections_errors\":%llu,"
              "\"connections_lost\":%llu,\"usage_ms\":%llu",
              st->pool_min, st->pool_max, st->pool_size, st->pool_available, st->requests_waiting,
              (unsigned long long)st->requests_num, (unsigned long long)st->requests_queued,
              (unsigned long long)st->requests_wait_ms, (unsigned long long)st->requests_errors,
              (unsigned long long)st->returns_bad, (unsigned long long)st->connections_num,
              (unsigned long long)st->connections_ms, (unsigned long long)st->connections_errors,
              (unsigned long long)st->connections_lost, (unsigned long long)st->usage_ms);
    sb_printf(&sb,
              ",\n\"reconnects\":%llu,\"failovers\":%llu,\"writes_unavailable_ms\":%llu,"
              "\"statements_retried\":%llu,\"failover_from\":",
              (unsigned long long)st->reconnects, (unsigned long long)st->failovers,
              (unsigned long long)st->writes_unavailable_ms, (unsigned long long)st->load_retried);
    json_append_string(&sb, st->failover_from,
                       strnlen(st->failover_from, sizeof st->failover_from));
    sb_append(&sb, ",\"server_at\":");
    json_append_string(&sb, st->server_at, strnlen(st->server_at, sizeof st->server_at));
    json_hist(&sb, "wait_ms", &st->wait);
    json_hist(&sb, "query_ms", &st->query);
    json_hist(&sb, "checkout_ms", &st->checkout);
    sb_printf(&sb,
              ",\n\"queries_num\":%llu,\"queries_errors\":%llu,\"prepared_hits\":%llu,"
              "\"prepared_misses\":%llu,\"prepared_evictions\":%llu,\n\"pipelines_num\":%llu,"
              "\"pipeline_stmts\":%llu,\"copy_bytes\":%llu,\"copy_rows\":%llu,\n"
              "\"server_version\":",
              (unsigned long long)st->queries_num, (unsigned long long)st->queries_errors,
              (unsigned long long)st->prepared_hits, (unsigned long long)st->prepared_misses,
              (unsigned long long)st->prepared_evictions, (unsigned long long)st->pipelines_num,
              (unsigned long long)st->pipeline_stmts, (unsigned long long)st->copy_bytes,
              (unsigned long long)st->copy_rows);
    json_append_string(&sb, st->server_version,
                       strnlen(st->server_version, sizeof st->server_version));
    sb_append(&sb, ",\"conninfo\":");
    char *conn = redact(st->conn_display);
    json_append_string(&sb, conn, strlen(conn));
    free(conn);
    sb_append(&sb, ",\n\"statements\":[");
    eng_stmt_metric *m = NULL;
    size_t nm = eng_metrics_get_merged(es, n, &m);
    if (nm > 1)
        qsort(m, nm, sizeof *m, by_total_desc);
    for (size_t i = 0; i < nm; i++) {
        sb_append(&sb, i ? ",\n{\"query\":" : "\n{\"query\":");
        const char *q = m[i].query ? m[i].query : "";
        char *safe = redact(q);
        json_append_string(&sb, safe, strlen(safe));
        free(safe);
        sb_printf(&sb,
                  ",\"fingerprint\":\"%016llx\",\"calls\":%llu,\"errors\":%llu,\"rows\":%llu,"
                  "\"total_ms\":%.6f,\"mean_ms\":%.6f,\"p50_ms\":%.6f,\"p95_ms\":%.6f,"
                  "\"p99_ms\":%.6f,\"max_ms\":%.6f}",
                  (unsigned long long)m[i].fingerprint, (unsigned long long)m[i].calls,
                  (unsigned long long)m[i].errors, (unsigned long long)m[i].rows,
                  fin(m[i].total_ms), fin(m[i].mean_ms), fin(m[i].p50_ms), fin(m[i].p95_ms),
                  fin(m[i].p99_ms), fin(m[i].max_ms));
    }
    sb_append(&sb, nm ? "\n]}\n" : "]}\n");
    eng_metrics_free(m, nm);
    fflush(stdout);
    fwrite(sb.data, 1, sb.len, out);
    fflush(out);
    sb_free(&sb);
    free(st);
}
