/* pool.c — psycopg_pool semantics over the connection states of conn.c:
 * min_size/max_size, FIFO waiters with a timeout, max_waiting refused at
 * once, max_lifetime (-5 % jitter) and max_idle, reconnect with exponential
 * back-off and jitter bounded by reconnect_timeout, an optional check on
 * checkout, and a reset on return (ROLLBACK and keep; discard when broken,
 * mid-query, mid-COPY or in a pipeline). Checkout and return are O(1). */
#include "engine/engine_int.h"

#include "common/list.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int pool_size(const engine *e)
{
    int n = 0;
    for (int st = 0; st < CONN_CLOSED; st++)
        n += e->counts[st];
    return n;
}

/* ---- waiters ---- */

static void waiter_push(engine *e, borrower *b, bool at_head)
{
    b->waiting = true;
    if (at_head)
        QUEUE_PUSH_HEAD(e->wait_head, e->wait_tail, b, prev, next);
    else
        QUEUE_PUSH_TAIL(e->wait_head, e->wait_tail, b, prev, next);
    e->nwaiting++;
    stats_touch(e);
}

void pool_cancel_wait(engine *e, borrower *b)
{
    if (!b->waiting)
        return;
    QUEUE_UNLINK(e->wait_head, e->wait_tail, b, prev, next);
    b->waiting = false;
    e->nwaiting--;
    stats_touch(e);
}

static borrower *waiter_pop(engine *e)
{
    borrower *b = e->wait_head;
    if (b)
        pool_cancel_wait(e, b);
    return b;
}

void pool_fail_waiters(engine *e, eng_done_status st, const eng_error *err)
{
    borrower *b;
    while ((b = waiter_pop(e)) != NULL) {
        e->st.requests_errors++;
        b->failed(e, b, st, err);
    }
}

/* ---- checks and resets: small ops of the pool itself ---- */

static void hand_over(engine *e, borrower *b, conn *c, uint64_t t0);
static void check_begin(engine *e, conn *c, borrower *b);

static void check_io(engine *e, conn *c, int revents)
{
    (void)revents;
    bool bad = false;
    while (!PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            borrower *b = c->owner;
            c->op = NULL;
            c->owner = NULL;
            if (bad) {
                e->st.connections_lost++;
                if (b)
                    waiter_push(e, b, true);
                conn_close(e, c);
                return;
            }
            if (b)
                hand_over(e, b, c, mono_ns());
            else
                pool_conn_idle(e, c);
            return;
        }
        if (PQresultStatus(res) != PGRES_EMPTY_QUERY)
            bad = true;
        PQclear(res);
    }
}

static void check_lost(engine *e, conn *c, const eng_error *err)
{
    (void)err;
    borrower *b = c->owner;
    c->op = NULL;
    c->owner = NULL;
    if (b) /* a caller never gets a dead connection: it waits for another */
        waiter_push(e, b, true);
    conn_close(e, c);
}

static const conn_op check_op = {"check", check_io, check_lost};

static void check_begin(engine *e, conn *c, borrower *b)
{
    conn_set_state(e, c, CONN_CHECKING);
    c->op = &check_op;
    c->owner = b;
    if (!PQsendQuery(c->pg, "")) {
        conn_lost(e, c, PQerrorMessage(c->pg));
        return;
    }
    conn_flush(e, c);
}

static void reset_io(engine *e, conn *c, int revents)
{
    (void)revents;
    while (!PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            c->op = NULL;
            if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
                e->st.returns_bad++; /* the rollback failed */
                conn_close(e, c);
                return;
            }
            pool_conn_idle(e, c);
            return;
        }
        /* a late cancel may fail the settling query (57014): harmless, the
         * transaction status above decides */
        PQclear(res);
    }
}

static void reset_lost(engine *e, conn *c, const eng_error *err)
{
    (void)err;
    e->st.returns_bad++;
    c->op = NULL;
    conn_close(e, c);
}

static const conn_op reset_op = {"reset", reset_io, reset_lost};

static void reset_begin(engine *e, conn *c, const char *sql)
{
    conn_set_state(e, c, CONN_RESETTING);
    c->op = &reset_op;
    c->owner = NULL;
    if (!PQsendQuery(c->pg, sql)) {
        e->st.returns_bad++;
        conn_close(e, c);
        return;
    }
    conn_flush(e, c);
}

/* A cancel job of the last checkout finished: settle the connection with a
 * statement that absorbs a cancel arriving late, then make it idle. */
void pool_cancel_settled(engine *e, conn *c)
{
    if (c->state != CONN_CANCELLING)
        return;
    if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_close(e, c);
        return;
    }
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    reset_begin(e, c, ts == PQTRANS_IDLE ? "" : "ROLLBACK");
}

/* ---- checkout and return ---- */

static void hand_over(engine *e, borrower *b, conn *c, uint64_t t0)
{
    conn_set_state(e, c, CONN_BUSY);
    c->owner = b;
    c->uses++;
    uint64_t now = mono_ns();
    c->borrowed_ns = now;
    uint64_t waited = b->wait_start_ns && now > b->wait_start_ns ? now - b->wait_start_ns : 0;
    stats_record_wait(e, waited);
    if (b->wait_start_ns) {
        e->st.requests_wait_ns += waited;
        b->wait_start_ns = 0;
    }
    b->bookkeeping_ns += now - t0;
    c->bookkeeping_ns = b->bookkeeping_ns;
    b->granted(e, b, c);
}

/* Gives c to the next waiter (through a check when configured). */
static void grant(engine *e, borrower *b, conn *c, uint64_t t0, bool fresh)
{
    if (e->cfg.check && !fresh) {
        check_begin(e, c, b);
        return;
    }
    hand_over(e, b, c, t0);
}

void pool_checkout(engine *e, borrower *b, double timeout_s)
{
    uint64_t t0 = mono_ns();
    if (e->stopping) {
        eng_error *err = eng_error_new("57P01", "the engine is stopping");
        b->failed(e, b, ENG_DONE_CANCELED, err);
        eng_error_free(err);
        return;
    }
    e->st.requests_num++;
    b->waiting = false;
    b->bookkeeping_ns = 0;
    b->wait_start_ns = 0;
    if (!e->wait_head && e->lists[CONN_IDLE]) {
        conn *c = e->lists[CONN_IDLE]; /* LIFO: the warmest connection */
        grant(e, b, c, t0, false);
        return;
    }
    if (e->gave_up && pool_size(e) == 0) {
        /* the next demand retries after giving up */
        e->gave_up = false;
        e->first_failure_ns = 0;
        e->retry_at_ns = 0;
        e->retry_delay_s = 1;
        e->demand_retry = true; /* one attempt; if it fails, say so at once */
    }
    if (e->cfg.max_waiting > 0 && e->nwaiting >= e->cfg.max_waiting) {
        e->st.requests_errors++;
        eng_error *err = eng_error_new("53300",
                                       "the pool is saturated: %d requests already waiting "
                                       "(max_waiting)",
                                       e->nwaiting);
        b->failed(e, b, ENG_DONE_REFUSED, err);
        eng_error_free(err);
        return;
    }
    b->wait_start_ns = t0;
    b->deadline_ns = t0 + secs_to_ns(timeout_s);
    engine_timer(e, b->deadline_ns);
    e->st.requests_queued++;
    waiter_push(e, b, false);
    pool_fill(e);
    b->bookkeeping_ns += mono_ns() - t0;
}

void pool_conn_idle(engine *e, conn *c)
{
    c->owner = NULL;
    c->op = NULL;
    if (e->stopping || c->expired || (c->expire_ns && e->now >= c->expire_ns) ||
        pool_size(e) > e->cfg.max_size) {
        conn_close(e, c);
        return;
    }
    borrower *b = waiter_pop(e);
    if (b) {
        grant(e, b, c, mono_ns(), c->state == CONN_CONNECTING);
        return;
    }
    conn_set_state(e, c, CONN_IDLE);
}

/* When the pool just went quiet, publishes the stats now rather than within
 * 100 ms, so a caller reading them right after its work sees all of it. */
static void publish_if_quiet(engine *e)
{
    if (!e->st.load_running && e->nwaiting == 0 && e->counts[CONN_BUSY] == 0 &&
        e->counts[CONN_RESETTING] == 0 && e->counts[CONN_CANCELLING] == 0 &&
        e->counts[CONN_CHECKING] == 0) {
        e->stats_dirty = true;
        stats_publish(e, 0);
    }
}

void pool_return(engine *e, conn *c)
{
    uint64_t t0 = mono_ns();
    if (c->borrowed_ns && t0 > c->borrowed_ns)
        e->st.usage_ns += t0 - c->borrowed_ns;
    c->borrowed_ns = 0;
    c->owner = NULL;
    c->op = NULL;
    c->notice_id = 0;
    c->notice_tag = NULL;
    c->cancel_target = NULL;
    c->cancel_settle_ns = 0;
    c->flow = NULL;
    c->read_paused = false;
    c->read_soon = false;
    uint64_t bk = c->bookkeeping_ns;
    c->bookkeeping_ns = 0;
    if (c->lost || !c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
        if (!c->lost)
            e->st.returns_bad++;
        conn_close(e, c);
        return;
    }
    if (c->abandoned) {
        /* given up mid-statement or mid-COPY: what ran on it is unknown */
        e->st.returns_bad++;
        conn_close(e, c);
        return;
    }
    if (e->stopping) {
        conn_close(e, c);
        return;
    }
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    if (ts == PQTRANS_ACTIVE || ts == PQTRANS_UNKNOWN ||
        PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF || PQisBusy(c->pg)) {
        /* mid-query, mid-COPY or in a pipeline: nothing safe to do but close */
        e->st.returns_bad++;
        conn_close(e, c);
        return;
    }
    if (c->cancel) {
        /* the cancel of this checkout still runs: the next borrower must
         * never receive it */
        conn_set_state(e, c, CONN_CANCELLING);
        return;
    }
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
        reset_begin(e, c, "ROLLBACK");
        return;
    }
    pool_conn_idle(e, c);
    hist_record(&e->st.checkout, bk + (mono_ns() - t0));
    publish_if_quiet(e);
}

/* ---- connections coming and going ---- */

static bool is_auth_failure(const char *msg)
{
    return strstr(msg, "password authentication failed") || strstr(msg, "no password supplied") ||
           strstr(msg, "SCRAM authentication") || strstr(msg, "pg_hba.conf rejects") ||
           strstr(msg, "no pg_hba.conf entry") || strstr(msg, "authentication failed");
}

/* Where c connected (libpq tried the hosts of a multi-host conninfo in
 * turn, skipping those target_session_attrs rejects): after an outage, a
 * reconnect, and a failover when the host:port changed. */
static void note_server(engine *e, conn *c, uint64_t now)
{
    const char *h = PQhost(c->pg), *p = PQport(c->pg);
    char at[sizeof e->server_at];
    snprintf(at, sizeof at, "%s:%s", h ? h : "", p ? p : "");
    if (e->ever_connected && e->outage_start_ns) {
        uint64_t gap = now > e->outage_start_ns ? now - e->outage_start_ns : 0;
        e->st.reconnects++;
        e->st.unavailable_ns += gap;
        e->last_unavailable_ns = gap;
        if (strcmp(at, e->server_at) != 0) {
            e->st.failovers++;
            snprintf(e->failover_from, sizeof e->failover_from, "%s", e->server_at);
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            e->failover_wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        }
    }
    e->outage_start_ns = 0;
    snprintf(e->server_at, sizeof e->server_at, "%s", at);
}

void pool_conn_ready(engine *e, conn *c)
{
    uint64_t now = e->now;
    e->st.connections_ns += now > c->created_ns ? now - c->created_ns : 0;
    double jitter = 1.0 - 0.05 * eng_random(e);
    c->expire_ns = now + secs_to_ns(e->cfg.max_lifetime * jitter);
    engine_timer(e, c->expire_ns);
    note_server(e, c, now);
    e->first_failure_ns = 0;
    e->retry_at_ns = 0;
    e->retry_delay_s = 1;
    e->gave_up = false;
    e->demand_retry = false;
    e->ever_connected = true;
    if (!e->pub.server_version[0]) {
        const char *v = PQparameterStatus(c->pg, "server_version");
        if (v) {
            pthread_mutex_lock(&e->stats_lock);
            snprintf(e->pub.server_version, sizeof e->pub.server_version, "%.*s",
                     (int)strcspn(v, " "), v);
            pthread_mutex_unlock(&e->stats_lock);
        }
    }
    stats_set_ready(e, 1, NULL);
    stats_pool_event(e);
    pool_conn_idle(e, c);
    pool_fill(e); /* after a reconnect: the rest of min_size, at once */
}

void pool_conn_failed(engine *e, conn *c, const char *msg)
{
    e->st.connections_errors++;
    char line[256];
    one_line_msg(line, sizeof line, msg && *msg ? msg : "connection failed");
    snprintf(e->last_error, sizeof e->last_error, "%s", line);
    conn_close(e, c);
    uint64_t now = e->now;
    bool bad_setting = session_setting_failure(msg ? msg : "");
    bool fatal = is_auth_failure(msg ? msg : "") || bad_setting;
    if (!e->first_failure_ns)
        e->first_failure_ns = now;
    if (e->ever_connected && !e->outage_start_ns)
        e->outage_start_ns = now;
    bool retry_failed = e->demand_retry;
    e->demand_retry = false;
    if (fatal || retry_failed ||
        now - e->first_failure_ns >= secs_to_ns(e->cfg.reconnect_timeout)) {
        e->gave_up = true;
        eng_error *err = eng_error_new(bad_setting ? "22023"
                                       : fatal     ? "28P01"
                                                   : "08001",
                                       "%s%s", line, fatal ? "" : " (gave up reconnecting)");
        err->conn_lost = true;
        stats_set_ready(e, -1, line);
        stats_pool_event(e); /* fresh stats before the callers hear of it */
        pool_fail_waiters(e, ENG_DONE_CONN, err);
        eng_error_free(err);
    } else {
        double d = e->retry_delay_s * (0.9 + 0.2 * eng_random(e));
        e->retry_at_ns = now + secs_to_ns(d);
        e->retry_delay_s *= 2;
        if (e->retry_delay_s > 60)
            e->retry_delay_s = 60;
        engine_timer(e, e->retry_at_ns);
        /* engine_wait_ready fails on the first attempt that fails, unless
         * another attempt of the same start is still on its way */
        if (!e->ever_connected && e->counts[CONN_CONNECTING] == 0)
            stats_set_ready(e, -1, line);
    }
    stats_pool_event(e);
    pool_fill(e);
}

void pool_conn_gone(engine *e, conn *c)
{
    (void)c;
    if (!e->stopping)
        pool_fill(e);
}

void pool_fill(engine *e)
{
    /* conn_start can fail at once and call back here */
    if (e->stopping || e->gave_up || e->filling)
        return;
    int size = pool_size(e);
    int floor = e->cfg.min_size;
    if (floor == 0 && !e->ever_connected && !e->first_failure_ns)
        floor = 1; /* engine_wait_ready needs one attempt even with min_size 0 */
    int want = floor - size;
    int grow = e->nwaiting - e->counts[CONN_CONNECTING];
    if (grow > want)
        want = grow;
    if (want > e->cfg.max_size - size)
        want = e->cfg.max_size - size;
    if (want <= 0)
        return;
    if (e->first_failure_ns) {
        /* reconnecting: one attempt at a time, after the back-off */
        if (e->counts[CONN_CONNECTING] > 0)
            return;
        if (e->now < e->retry_at_ns) {
            engine_timer(e, e->retry_at_ns);
            return;
        }
        want = 1;
    }
    e->filling = true;
    for (int i = 0; i < want; i++)
        conn_start(e);
    e->filling = false;
}

void pool_timers(engine *e, uint64_t now)
{
    /* waiters past their timeout */
    for (borrower *b = e->wait_head; b;) {
        borrower *next = b->next;
        if (now >= b->deadline_ns) {
            pool_cancel_wait(e, b);
            e->st.requests_errors++;
            e->st.requests_wait_ns += now - b->wait_start_ns;
            eng_error *err = eng_error_new("08000",
                                           "no connection available within %g s "
                                           "(pool_max=%d, %d in use)",
                                           e->cfg.timeout, e->cfg.max_size, e->counts[CONN_BUSY]);
            b->failed(e, b, ENG_DONE_TIMEOUT, err);
            eng_error_free(err);
        } else {
            engine_timer(e, b->deadline_ns);
        }
        b = next;
    }
    /* connection attempts past connect_timeout */
    for (conn *c = e->lists[CONN_CONNECTING]; c;) {
        conn *next = c->next;
        if (now >= c->connect_deadline_ns) {
            const char *name = resolve_pending_name(c);
            char *msg = name ? xasprintf("timeout expired after %g s resolving host name \"%s\" "
                                         "(connect_timeout)",
                                         e->cfg.connect_timeout, name)
                             : xasprintf("timeout expired after %g s (connect_timeout)",
                                         e->cfg.connect_timeout);
            pool_conn_failed(e, c, msg);
            free(msg);
        } else {
            engine_timer(e, c->connect_deadline_ns);
        }
        c = next;
    }
    /* idle connections: lifetime and idle limits (never while borrowed) */
    uint64_t max_idle = secs_to_ns(e->cfg.max_idle);
    for (conn *c = e->lists[CONN_IDLE]; c;) {
        conn *next = c->next;
        if (c->expired || (c->expire_ns && now >= c->expire_ns)) {
            conn_close(e, c); /* refilled by pool_conn_gone */
        } else if (max_idle && now - c->idle_since_ns >= max_idle &&
                   pool_size(e) > e->cfg.min_size) {
            conn_close(e, c);
        } else {
            engine_timer(e, c->expire_ns);
            if (max_idle && pool_size(e) > e->cfg.min_size)
                engine_timer(e, c->idle_since_ns + max_idle);
        }
        c = next;
    }
    pool_fill(e); /* below min_size for any reason: catch up (honours back-off) */
}

void pool_resize(engine *e, int min_size, int max_size)
{
    if (max_size >= 0)
        e->cfg.max_size = max_size < 1 ? 1 : max_size > ENG_MAX_CONNS ? ENG_MAX_CONNS : max_size;
    if (min_size >= 0)
        e->cfg.min_size = min_size;
    if (e->cfg.min_size > e->cfg.max_size)
        e->cfg.min_size = e->cfg.max_size;
    while (pool_size(e) > e->cfg.max_size && e->lists[CONN_IDLE])
        conn_close(e, e->lists[CONN_IDLE]);
    pool_fill(e);
    stats_touch(e);
}

void pool_check_all(engine *e)
{
    while (e->lists[CONN_IDLE])
        check_begin(e, e->lists[CONN_IDLE], NULL);
}

void pool_recycle_all(engine *e)
{
    for (int st = CONN_IDLE; st < CONN_CLOSED; st++)
        for (conn *c = e->lists[st]; c; c = c->next)
            c->expired = true;
    while (e->lists[CONN_IDLE])
        conn_close(e, e->lists[CONN_IDLE]);
    pool_fill(e);
}
