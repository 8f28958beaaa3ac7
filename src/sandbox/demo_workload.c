/* demo_workload.c — the demo's schema and background sessions.
 *
 * One thread drives every session with non-blocking libpq and one poll():
 * each session is a tiny script (an actor) that sends one statement, waits
 * for its results, pauses, and sends the next. A pipe wakes the thread for
 * shutdown. */
#include "sandbox/demo_workload.h"

#include "common/clock.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <libpq-fe.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Sizes: loads in a few seconds on a laptop, large enough for the slow query
 * to be slow (a few hundred ms) and for plans to use the indexes. */
#define DEMO_CUSTOMERS 20000
#define DEMO_PRODUCTS 1000
#define DEMO_ORDERS 100000
#define DEMO_ITEMS_PER_ORDER 3
#define DEMO_LOCKED_PRODUCT 1 /* the row the holder keeps locked */
#define STR_(x) #x
#define XSTR(x) STR_(x)

static const char *const schema_sql[] = {
    "SET synchronous_commit = off",
    "SET client_min_messages = warning",
    "DROP TABLE IF EXISTS order_items, orders, products, customers CASCADE",
    "CREATE TABLE customers (id bigint NOT NULL, name text NOT NULL, email text NOT NULL,"
    " country text NOT NULL, created_at timestamptz NOT NULL)",
    "CREATE TABLE products (id int NOT NULL, name text NOT NULL, category text NOT NULL,"
    " price numeric(10,2) NOT NULL, stock int NOT NULL)",
    "CREATE TABLE orders (id bigint NOT NULL, customer_id bigint NOT NULL, status text NOT NULL,"
    " created_at timestamptz NOT NULL)",
    "CREATE TABLE order_items (order_id bigint NOT NULL, line int NOT NULL,"
    " product_id int NOT NULL, quantity int NOT NULL, unit_price numeric(10,2) NOT NULL)",
    /* Data first, constraints after: one validation pass instead of a trigger per row. */
    "INSERT INTO customers SELECT g, 'Customer ' || g, 'customer' || g || '@example.com',"
    " (ARRAY['FR','DE','US','JP','BR','IN','GB','ES'])[1 + g % 8],"
    " now() - (g % 1000) * interval '1 day' FROM generate_series(1, " XSTR(DEMO_CUSTOMERS) ") g",
    "INSERT INTO products SELECT g, 'Product ' || g,"
    " (ARRAY['books','games','garden','kitchen','music','tools'])[1 + g % 6],"
    " round((1 + (g * 7919) % 20000 / 100.0)::numeric, 2), 100 + g % 900"
    " FROM generate_series(1, " XSTR(DEMO_PRODUCTS) ") g",
    "INSERT INTO orders SELECT g, 1 + (g * 7907) % " XSTR(
        DEMO_CUSTOMERS) ","
                        " (ARRAY['new','paid','shipped','delivered','returned'])[1 + g % 5],"
                        " now() - (g % 700) * interval '1 day' - (g % 86400) * interval '1 second'"
                        " FROM generate_series(1, " XSTR(DEMO_ORDERS) ") g",
    "INSERT INTO order_items SELECT o, l, 1 + (o * 31 + l * 17) % " XSTR(
        DEMO_PRODUCTS) ","
                       " 1 + (o + l) % 4, round((1 + ((o * 31 + l * 17) * 7919) % 20000 / "
                       "100.0)::numeric, 2)"
                       " FROM generate_series(1::bigint, " XSTR(
                           DEMO_ORDERS) ") o,"
                                        " generate_series(1::bigint, " XSTR(
                                            DEMO_ITEMS_PER_ORDER) ") l",
    "ALTER TABLE customers ADD PRIMARY KEY (id)",
    "ALTER TABLE products ADD PRIMARY KEY (id)",
    "ALTER TABLE orders ADD PRIMARY KEY (id)",
    "ALTER TABLE order_items ADD PRIMARY KEY (order_id, line)",
    "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers",
    "ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders",
    "ALTER TABLE order_items ADD FOREIGN KEY (product_id) REFERENCES products",
    "CREATE INDEX orders_customer_id ON orders (customer_id)",
    "CREATE INDEX order_items_product_id ON order_items (product_id)",
    /* for the Server pane: products' dead tuples pile up between autovacuums
     * (the fast sessions update it), and a duplicate index to find */
    "ALTER TABLE products SET (autovacuum_vacuum_threshold = 2000)",
    "CREATE INDEX orders_customer_id_again ON orders (customer_id)",
    "ANALYZE",
};

static char *pq_error(PGconn *conn, const char *what)
{
    const char *m = conn ? PQerrorMessage(conn) : "out of memory";
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    return xasprintf("%s: %.*s", what, (int)n, m);
}

/* libpq prints notices on stderr by default: over a curses screen. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connects with application_name set, without echoing the conninfo (it may
 * hold a password). */
static PGconn *connect_as(const char *conninfo, const char *appname, bool async)
{
    const char *keys[] = {"dbname", "application_name", "connect_timeout", NULL};
    const char *vals[] = {conninfo, appname, "5", NULL};
    PGconn *conn = async ? PQconnectStartParams(keys, vals, 1) : PQconnectdbParams(keys, vals, 1);
    if (conn)
        PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

bool demo_schema_load(const char *conninfo, char **warn, char **err)
{
    *err = NULL;
    if (warn)
        *warn = NULL;
    PGconn *conn = connect_as(conninfo, "demo setup", false);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        *err = pq_error(conn, "cannot connect to the demo cluster");
        PQfinish(conn);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof schema_sql / sizeof schema_sql[0]; i++) {
        PGresult *r = PQexec(conn, schema_sql[i]);
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            *err = pq_error(conn, "loading the demo schema");
            ok = false;
        }
        PQclear(r);
    }
    if (ok) {
        PGresult *r = PQexec(conn, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        if (PQresultStatus(r) != PGRES_COMMAND_OK && warn)
            *warn = pq_error(conn, "pg_stat_statements is not available");
        PQclear(r);
        /* Preloaded but created only now: start the statistics from here. */
        r = PQexec(conn, "SELECT pg_stat_statements_reset()");
        PQclear(r);
    }
    PQfinish(conn);
    return ok;
}

/* ---- the workload ---------------------------------------------------- */

typedef enum actor_role { ROLE_FAST, ROLE_SLOW, ROLE_LONG, ROLE_HOLDER, ROLE_WAITER } actor_role;

typedef enum actor_state {
    ACT_DOWN,       /* no connection; (re)connect at next_at */
    ACT_CONNECTING, /* PQconnectPoll in progress */
    ACT_IDLE,       /* connected; send the next statement at next_at */
    ACT_BUSY,       /* a statement runs; results awaited */
} actor_state;

typedef struct actor {
    actor_role role;
    const char *appname;
    PGconn *conn;
    actor_state state;
    PostgresPollingStatusType poll_want; /* while connecting */
    bool flush_pending;                  /* PQflush returned 1: wait for POLLOUT */
    double next_at;                      /* monotonic seconds */
    double pause_after;                  /* seconds to wait after the results */
    int step;                            /* position in the actor's script */
    bool failed;                         /* the running statement reported an error */
} actor;

#define DEMO_ACTORS 6

struct demo_workload {
    char *conninfo;
    pthread_t thread;
    int wake[2]; /* pipe: a byte means stop */
    actor actors[DEMO_ACTORS];
    uint64_t rng;
    _Atomic uint64_t statements, errors, connects;
    _Atomic int sessions_up;
};

static uint64_t next_rand(demo_workload *w)
{
    /* xorshift64: the workload needs variety, not quality. */
    uint64_t x = w->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return w->rng = x;
}

static double rand_between(demo_workload *w, double lo, double hi)
{
    return lo + (hi - lo) * (double)(next_rand(w) % 10000) / 10000.0;
}

static void actor_down(demo_workload *w, actor *a, double retry_in)
{
    if (a->conn) {
        if (a->state == ACT_IDLE || a->state == ACT_BUSY)
            atomic_fetch_sub(&w->sessions_up, 1);
        PQfinish(a->conn);
    }
    a->conn = NULL;
    a->state = ACT_DOWN;
    a->flush_pending = false;
    a->step = 0; /* a new session starts its script over (a lost BEGIN is gone) */
    a->next_at = clock_mono_s() + retry_in;
}

static bool send_sql(actor *a, const char *sql, int nparams, const char *const *params)
{
    int ok = nparams ? PQsendQueryParams(a->conn, sql, nparams, NULL, params, NULL, NULL, 0)
                     : PQsendQuery(a->conn, sql);
    if (!ok)
        return false;
    int f = PQflush(a->conn);
    if (f < 0)
        return false;
    a->flush_pending = f == 1;
    a->state = ACT_BUSY;
    a->failed = false;
    return true;
}

/* Sends the actor's next statement and sets how long to pause after it. */
static bool actor_step(demo_workload *w, actor *a)
{
    char p1[32], p2[32];
    const char *params[2] = {p1, p2};
    switch (a->role) {
    case ROLE_FAST: {
        a->pause_after = rand_between(w, 0.03, 0.12);
        uint64_t pick = next_rand(w) % 10;
        snprintf(p1, sizeof p1, "%llu", (unsigned long long)(1 + next_rand(w) % DEMO_CUSTOMERS));
        if (pick < 5)
            return send_sql(a, "SELECT id, name, email, country FROM customers WHERE id = $1", 1,
                            params);
        if (pick < 8)
            return send_sql(a,
                            "SELECT o.id, o.status, sum(i.quantity * i.unit_price) AS total"
                            " FROM orders o JOIN order_items i ON i.order_id = o.id"
                            " WHERE o.customer_id = $1 GROUP BY o.id, o.status ORDER BY o.id",
                            1, params);
        /* Never the locked product: the fast sessions must not queue behind the holder. */
        snprintf(p1, sizeof p1, "%llu",
                 (unsigned long long)(DEMO_LOCKED_PRODUCT + 1 +
                                      next_rand(w) % (DEMO_PRODUCTS - DEMO_LOCKED_PRODUCT)));
        snprintf(p2, sizeof p2, "%d", (int)(next_rand(w) % 3) - 1);
        return send_sql(a, "UPDATE products SET stock = greatest(stock + $2, 0) WHERE id = $1", 2,
                        params);
    }
    case ROLE_SLOW:
        a->pause_after = rand_between(w, 3.0, 5.0);
        return send_sql(a,
                        "SELECT c.country, p.category, count(DISTINCT o.id) AS orders,"
                        " sum(i.quantity * i.unit_price) AS revenue"
                        " FROM order_items i JOIN orders o ON o.id = i.order_id"
                        " JOIN customers c ON c.id = o.customer_id"
                        " JOIN products p ON p.id = i.product_id"
                        " GROUP BY c.country, p.category ORDER BY revenue DESC",
                        0, NULL);
    case ROLE_LONG:
        a->pause_after = 0.2;
        return send_sql(a, "SELECT pg_sleep(30)", 0, NULL);
    case ROLE_HOLDER:
        if (a->step++ % 2 == 0) {
            a->pause_after = 45; /* idle in transaction, holding the row lock */
            return send_sql(a,
                            "BEGIN; SELECT id, stock FROM products WHERE id = " XSTR(
                                DEMO_LOCKED_PRODUCT) " FOR UPDATE",
                            0, NULL);
        }
        a->pause_after = 0.5; /* re-lock before the waiter comes back */
        return send_sql(a, "COMMIT", 0, NULL);
    case ROLE_WAITER:
        a->pause_after = 2.0;
        return send_sql(
            a, "UPDATE products SET stock = stock + 1 WHERE id = " XSTR(DEMO_LOCKED_PRODUCT), 0,
            NULL);
    }
    return false;
}

/* Reads what arrived; true while the connection is usable. */
static bool actor_read(demo_workload *w, actor *a)
{
    if (!PQconsumeInput(a->conn))
        return false;
    while (!PQisBusy(a->conn)) {
        PGresult *r = PQgetResult(a->conn);
        if (!r) {
            if (a->failed)
                atomic_fetch_add(&w->errors, 1);
            else
                atomic_fetch_add(&w->statements, 1);
            a->state = ACT_IDLE;
            a->next_at = clock_mono_s() + a->pause_after;
            return PQstatus(a->conn) == CONNECTION_OK;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE)
            a->failed = true;
        PQclear(r);
    }
    return true;
}

static void actor_connect_progress(demo_workload *w, actor *a)
{
    PostgresPollingStatusType ps = PQconnectPoll(a->conn);
    if (ps == PGRES_POLLING_FAILED) {
        actor_down(w, a, 1.0);
    } else if (ps == PGRES_POLLING_OK) {
        PQsetnonblocking(a->conn, 1);
        a->state = ACT_IDLE;
        a->step = 0;
        atomic_fetch_add(&w->connects, 1);
        atomic_fetch_add(&w->sessions_up, 1);
        if (a->role == ROLE_WAITER) /* let the holder take its lock first */
            a->next_at = clock_mono_s() + 1.0;
    } else {
        a->poll_want = ps;
    }
}

static void actor_start_connect(demo_workload *w, actor *a)
{
    a->conn = connect_as(w->conninfo, a->appname, true);
    if (!a->conn || PQstatus(a->conn) == CONNECTION_BAD) {
        actor_down(w, a, 1.0);
        return;
    }
    a->state = ACT_CONNECTING;
    a->poll_want = PGRES_POLLING_WRITING;
}

/* Runs what is due now; returns the seconds until the next due time. */
static double run_due(demo_workload *w)
{
    double now = clock_mono_s(), wait = 1.0;
    for (int i = 0; i < DEMO_ACTORS; i++) {
        actor *a = &w->actors[i];
        if (a->state == ACT_DOWN && now >= a->next_at)
            actor_start_connect(w, a);
        if (a->state == ACT_IDLE && now >= a->next_at) {
            if (!actor_step(w, a))
                actor_down(w, a, 1.0);
        }
        if (a->state == ACT_DOWN || a->state == ACT_IDLE) {
            double d = a->next_at - now;
            if (d < wait)
                wait = d;
        }
    }
    return wait > 0 ? wait : 0;
}

static void *workload_main(void *arg)
{
    demo_workload *w = arg;
    struct pollfd pfd[DEMO_ACTORS + 1];
    int owner[DEMO_ACTORS + 1];
    for (;;) {
        double wait = run_due(w);
        int n = 0;
        pfd[n].fd = w->wake[0];
        pfd[n].events = POLLIN;
        owner[n++] = -1;
        for (int i = 0; i < DEMO_ACTORS; i++) {
            actor *a = &w->actors[i];
            short ev = 0;
            if (a->state == ACT_CONNECTING)
                ev = a->poll_want == PGRES_POLLING_WRITING ? POLLOUT : POLLIN;
            else if (a->state == ACT_BUSY)
                ev = (short)(POLLIN | (a->flush_pending ? POLLOUT : 0));
            else if (a->state == ACT_IDLE)
                ev = POLLIN; /* notices, or the server closing the session */
            if (!ev || PQsocket(a->conn) < 0)
                continue;
            pfd[n].fd = PQsocket(a->conn);
            pfd[n].events = ev;
            owner[n++] = i;
        }
        int rc = poll(pfd, (nfds_t)n, (int)(wait * 1000) + 1);
        if (rc < 0 && errno != EINTR)
            break;
        if (rc <= 0)
            continue;
        if (pfd[0].revents)
            break; /* stop */
        for (int k = 1; k < n; k++) {
            if (!pfd[k].revents)
                continue;
            actor *a = &w->actors[owner[k]];
            if (a->state == ACT_CONNECTING) {
                actor_connect_progress(w, a);
                continue;
            }
            if (a->flush_pending && (pfd[k].revents & POLLOUT)) {
                int f = PQflush(a->conn);
                if (f < 0) {
                    actor_down(w, a, 1.0);
                    continue;
                }
                a->flush_pending = f == 1;
            }
            if (!(pfd[k].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            if (a->state == ACT_IDLE) {
                /* Nothing was asked: a notice, or the server ending the session. */
                if (!PQconsumeInput(a->conn) || PQstatus(a->conn) != CONNECTION_OK)
                    actor_down(w, a, 1.0);
            } else if (!actor_read(w, a)) {
                actor_down(w, a, 1.0);
            }
        }
    }
    /* Stop: cancel what runs (pg_sleep would otherwise outlive us), then close. */
    for (int i = 0; i < DEMO_ACTORS; i++) {
        actor *a = &w->actors[i];
        if (a->state == ACT_BUSY) {
            PGcancel *c = PQgetCancel(a->conn);
            char buf[256];
            if (c) {
                PQcancel(c, buf, sizeof buf);
                PQfreeCancel(c);
            }
        }
        if (a->conn)
            actor_down(w, a, 0);
    }
    return NULL;
}

demo_workload *demo_workload_start(const char *conninfo, char **err)
{
    static const struct {
        actor_role role;
        const char *appname;
    } cast[DEMO_ACTORS] = {
        {ROLE_FAST, "demo fast"},  {ROLE_FAST, "demo fast"},     {ROLE_SLOW, "demo report"},
        {ROLE_LONG, "demo sleep"}, {ROLE_HOLDER, "demo holder"}, {ROLE_WAITER, "demo waiter"},
    };
    *err = NULL;
    demo_workload *w = xcalloc(1, sizeof *w);
    w->conninfo = xstrdup(conninfo);
    w->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() ^ (uint64_t)(clock_mono_s() * 1e6);
    if (!w->rng)
        w->rng = 1;
    if (pipe(w->wake) != 0) {
        *err = xasprintf("demo workload: pipe: %s", strerror(errno));
        free(w->conninfo);
        free(w);
        return NULL;
    }
    fcntl(w->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(w->wake[1], F_SETFD, FD_CLOEXEC);
    double now = clock_mono_s();
    for (int i = 0; i < DEMO_ACTORS; i++) {
        w->actors[i].role = cast[i].role;
        w->actors[i].appname = cast[i].appname;
        w->actors[i].state = ACT_DOWN;
        w->actors[i].next_at = now;
    }
    int rc = pthread_create(&w->thread, NULL, workload_main, w);
    if (rc != 0) {
        *err = xasprintf("demo workload: cannot start its thread: %s", strerror(rc));
        close(w->wake[0]);
        close(w->wake[1]);
        free(w->conninfo);
        free(w);
        return NULL;
    }
    return w;
}

void demo_workload_stop(demo_workload *w)
{
    if (!w)
        return;
    char b = 1;
    ssize_t n;
    do
        n = write(w->wake[1], &b, 1);
    while (n < 0 && errno == EINTR);
    pthread_join(w->thread, NULL);
    close(w->wake[0]);
    close(w->wake[1]);
    free(w->conninfo);
    free(w);
}

void demo_workload_get_counts(demo_workload *w, demo_workload_counts *out)
{
    out->statements = atomic_load(&w->statements);
    out->errors = atomic_load(&w->errors);
    out->connects = atomic_load(&w->connects);
    out->sessions_up = atomic_load(&w->sessions_up);
}
