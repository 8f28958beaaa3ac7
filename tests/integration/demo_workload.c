/* demo_workload.c — `pgdeck demo`'s schema and background sessions against a
 * real throwaway cluster: the data is there, every kind of session shows up
 * in pg_stat_activity, and stopping leaves no session behind. */
#include "sandbox/demo_workload.h"
#include "sandbox/sandbox.h"

#include "../lib/tap.h"

#include <libpq-fe.h>

#include <time.h>
#include <unistd.h>

static PGconn *conn;

static long scalar(const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = atol(PQgetvalue(r, 0, 0));
    else
        diag("%s: %s", sql, PQerrorMessage(conn));
    PQclear(r);
    return v;
}

/* Polls a count query until it is at least want (at most ~20 s). */
static long eventually(const char *sql, long want)
{
    long v = -1;
    for (int i = 0; i < 200; i++) {
        v = scalar(sql);
        if (v >= want)
            break;
        usleep(100 * 1000);
    }
    return v;
}

int main(void)
{
    plan_no_plan();
    if (!sandbox_find_bindir())
        skip_all("no PostgreSQL server binaries");
    sandbox_opts o;
    sandbox_opts_defaults(&o);
    char *err = NULL, *warn = NULL;
    sandbox *sb = sandbox_start(&o, &err);
    if (!sb)
        skip_all("sandbox did not start: %s", err);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool loaded = demo_schema_load(sandbox_conninfo(sb), &warn, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ok(loaded, "schema loads");
    if (!loaded)
        diag("%s", err);
    ok(warn == NULL, "pg_stat_statements created");
    if (warn)
        diag("%s", warn);
    diag("schema load took %.1f s",
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

    conn = PQconnectdb(sandbox_conninfo(sb));
    ok(PQstatus(conn) == CONNECTION_OK, "test connection");
    is_int(scalar("SELECT count(*) FROM customers"), 20000, "customers");
    is_int(scalar("SELECT count(*) FROM products"), 1000, "products");
    is_int(scalar("SELECT count(*) FROM orders"), 100000, "orders");
    is_int(scalar("SELECT count(*) FROM order_items"), 300000, "order_items");
    is_int(scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"), 3, "foreign keys");
    is_int(scalar("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"), 1,
           "pg_stat_statements extension");

    ok(demo_schema_load(sandbox_conninfo(sb), NULL, &err), "loading again replaces the data");

    demo_workload *w = demo_workload_start(sandbox_conninfo(sb), &err);
    ok(w != NULL, "workload starts");
    const char *app = "FROM pg_stat_activity WHERE application_name LIKE 'demo %'";
    char q[512];
    snprintf(q, sizeof q, "SELECT count(*) %s", app);
    is_int(eventually(q, 6), 6, "six demo sessions connect");
    snprintf(q, sizeof q, "SELECT count(*) %s AND state = 'idle in transaction'", app);
    is_int(eventually(q, 1), 1, "one session idle in transaction");
    snprintf(q, sizeof q, "SELECT count(*) %s AND wait_event_type = 'Lock'", app);
    is_int(eventually(q, 1), 1, "one session waits for a lock");
    snprintf(q, sizeof q, "SELECT count(*) %s AND state = 'active' AND query LIKE '%%pg_sleep%%'",
             app);
    is_int(eventually(q, 1), 1, "one long-running pg_sleep");
    snprintf(q, sizeof q,
             "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '%%GROUP BY c.country%%'");
    ok(eventually(q, 1) >= 1, "the slow report ran");
    snprintf(q, sizeof q,
             "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
             " WHERE query LIKE '%%FROM customers WHERE id = $1%%'");
    ok(eventually(q, 20) >= 20, "fast lookups keep coming");

    demo_workload_counts c;
    demo_workload_get_counts(w, &c);
    ok(c.statements > 0 && c.sessions_up == 6, "counts: %llu statements, %d sessions up",
       (unsigned long long)c.statements, c.sessions_up);

    /* A terminated session comes back. */
    snprintf(q, sizeof q,
             "SELECT count(pg_terminate_backend(pid)) %s AND query LIKE '%%pg_sleep%%'", app);
    is_int(scalar(q), 1, "terminate the long-running session");
    snprintf(q, sizeof q, "SELECT count(*) %s AND state = 'active' AND query LIKE '%%pg_sleep%%'",
             app);
    usleep(300 * 1000);
    is_int(eventually(q, 1), 1, "it reconnects and sleeps again");
    demo_workload_get_counts(w, &c);
    ok(c.connects >= 7, "reconnect counted (%llu connects)", (unsigned long long)c.connects);

    demo_workload_stop(w);
    snprintf(q, sizeof q, "SELECT count(*) %s", app);
    long left = -1;
    for (int i = 0; i < 50 && left != 0; i++) {
        left = scalar(q);
        if (left)
            usleep(100 * 1000);
    }
    is_int(left, 0, "stop leaves no demo session (the pg_sleep was canceled)");
    demo_workload_stop(NULL);
    ok(1, "stop(NULL) is harmless");

    PQfinish(conn);
    sandbox_stop(sb);
    free(err);
    free(warn);
    return done_testing();
}
