/* demo_workload.h — what `pgdeck demo` puts into its throwaway cluster: a
 * small shop schema with generated data, and a light background workload on
 * connections of its own (not the console's pool) so every pane has
 * something live:
 *
 *   fast (x2)   point lookups and small joins, a few dozen per second
 *   slow        a reporting join over all order lines every 3-5 s
 *   long        SELECT pg_sleep(30) in a loop (a long-running query)
 *   holder      BEGIN; SELECT ... FOR UPDATE on product 1, then idle in
 *               transaction for 45 s, COMMIT, again
 *   waiter      UPDATE product 1: waits for the holder's lock
 *
 * Each session sets application_name "demo ROLE" (fast, report, sleep,
 * holder, waiter: short, so narrow columns still tell them apart). The workload runs
 * in a thread of its own with non-blocking libpq, reconnects (after 1 s)
 * when a session is terminated, and never prints. */
#ifndef PGDECK_DEMO_WORKLOAD_H
#define PGDECK_DEMO_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

/* Creates customers, products, orders, order_items (a few hundred thousand
 * rows generated server-side), their indexes and foreign keys, ANALYZE, and
 * CREATE EXTENSION pg_stat_statements (skipped with a notice in *warn when
 * the library is not preloaded). Blocking, on a connection of its own: the
 * demo calls it before the console and its engine exist. Returns false with
 * *err (malloc'd) on failure. *warn may be set (malloc'd) even on success. */
bool demo_schema_load(const char *conninfo, char **warn, char **err);

typedef struct demo_workload demo_workload;

/* Starts the workload thread; the sessions connect in the background. */
demo_workload *demo_workload_start(const char *conninfo, char **err);
/* Cancels what runs, closes every session, joins the thread. NULL is fine. */
void demo_workload_stop(demo_workload *w);

typedef struct demo_workload_counts {
    uint64_t statements; /* completed without error */
    uint64_t errors;     /* failed statements */
    uint64_t connects;   /* sessions established (including reconnects) */
    int sessions_up;     /* sessions connected now */
} demo_workload_counts;

void demo_workload_get_counts(demo_workload *w, demo_workload_counts *out);

#endif
