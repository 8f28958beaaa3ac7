/* statsjson.h — `pgdeck run --stats`: one JSON object printed when the run
 * ends. Its keys are stable (scripts rely on them; the man page lists them):
 *
 *   pool_min pool_max pool_size pool_available requests_waiting
 *   requests_num requests_queued requests_wait_ms requests_errors
 *   returns_bad connections_num connections_ms connections_errors
 *   connections_lost usage_ms            psycopg_pool's get_stats() names
 *   wait_ms, query_ms, checkout_ms       histogram summaries, each
 *        {"count","mean","p50","p95","p99","max"} in milliseconds: time to
 *        get a connection, statement time, pool bookkeeping per checkout +
 *        return (microsecond scale, hence fractional milliseconds)
 *   queries_num queries_errors
 *   prepared_hits prepared_misses prepared_evictions
 *   pipelines_num pipeline_stmts copy_bytes copy_rows
 *   server_version conninfo (display form, never a password)
 *   statements: [ {"query" (normalized text, literals as $n), "fingerprint"
 *        (16 hex digits), "calls", "errors", "rows", "total_ms", "mean_ms",
 *        "p50_ms", "p95_ms", "p99_ms", "max_ms"} ]  ordered by total_ms
 */
#ifndef PGDECK_STATSJSON_H
#define PGDECK_STATSJSON_H

#include "engine/engine.h"

#include <stdio.h>

/* Prints the object to out, for the n engines of the run merged into one
 * (a load over --jobs engines). work_start and work_end (CLOCK_MONOTONIC
 * seconds) bound the run's work: an engine publishes its snapshot at most
 * every 100 ms, so this waits (at most 300 ms) for one that shows all of it. */
void statsjson_print(engine *const *es, int n, FILE *out, double work_start, double work_end);

#endif
