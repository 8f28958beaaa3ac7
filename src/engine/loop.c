/* loop.c — the engine thread: one poll() over every connection socket, the
 * request queue's fd and the wake fd (cancel and resolver workers finished,
 * a caller popped a streamed batch), with timers. Requests are
 * drained at each turn; nothing here waits on anything but poll(). */
#include "engine/engine_int.h"

#include "common/list.h"
#include "common/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

double eng_wall_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

atomic_uint_fast64_t eng_clock_skew_ns;

double eng_random(engine *e)
{
    /* xorshift64*: good enough for jitter, and owned by one thread */
    uint64_t x = e->rng ? e->rng : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    e->rng = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* ---- requests ---- */

static void active_add(engine *e, request *r)
{
    LIST_PUSH_HEAD(e->active, r, prev, next);
    r->in_active = true;
}

static void active_remove(engine *e, request *r)
{
    if (!r->in_active)
        return;
    LIST_UNLINK(e->active, r, prev, next);
    r->in_active = false;
}

request *request_find(engine *e, eng_id id)
{
    for (request *r = e->active; r; r = r->next)
        if (r->id == id)
            return r;
    for (session *s = e->sessions; s; s = s->next) {
        if (s->current && s->current->id == id)
            return s->current;
        for (request *r = s->queue_head; r; r = r->next)
            if (r->id == id)
                return r;
    }
    return NULL;
}

void request_done(engine *e, request *r, eng_done_status st, eng_error *err, eng_event *done)
{
    if (!done)
        done = event_new(EV_DONE, r->id, r->tag);
    done->kind = EV_DONE;
    done->status = st;
    if (err) {
        eng_error_free(done->error);
        done->error = err;
    }
    if (!done->elapsed_ms && r->start_ns)
        done->elapsed_ms = (double)(mono_ns() - r->start_ns) / 1e6;
    conn *c = r->conn;
    r->conn = NULL;
    if (c) {
        c->notice_id = 0;
        c->notice_tag = NULL;
        c->cancel_target = NULL; /* the op ended: nothing left to settle */
        c->cancel_settle_ns = 0;
        if (!done->backend_pid)
            done->backend_pid = c->backend_pid;
    }
    session *s = r->session ? session_find(e, r->session) : NULL;
    if (s && s->current == r) {
        if (s->conn && s->conn->pg) {
            switch (PQtransactionStatus(s->conn->pg)) {
            case PQTRANS_IDLE:
                done->txn_status = 'I';
                break;
            case PQTRANS_INTRANS:
                done->txn_status = 'T';
                break;
            case PQTRANS_INERROR:
                done->txn_status = 'E';
                break;
            default:
                done->txn_status = 'U';
            }
            const char *scs = PQparameterStatus(s->conn->pg, "standard_conforming_strings");
            done->std_strings_off = !scs || strcmp(scs, "on") != 0; /* as psql reads it */
        }
    }
    if (r->kind == REQ_COPY)
        copy_release(e, r);
    active_remove(e, r);
    event_push(e, done);
    if (s && s->current == r) {
        s->current = NULL;
        request_free(r);
        session_request_done(e, s);
        return;
    }
    request_free(r);
    if (c)
        pool_return(e, c);
}

void request_run(engine *e, request *r, conn *c)
{
    r->conn = c;
    c->notice_id = r->id;
    c->notice_tag = r->tag;
    switch (r->kind) {
    case REQ_EXEC:
        exec_start(e, r, c);
        break;
    case REQ_PIPELINE:
        pipeline_start(e, r, c);
        break;
    case REQ_COPY:
        copy_start(e, r, c);
        break;
    default:
        request_done(e, r, ENG_DONE_ERROR, eng_error_new(NULL, "internal: bad request kind"), NULL);
    }
}

static void req_granted(engine *e, borrower *b, conn *c)
{
    request *r = (request *)((char *)b - offsetof(request, b));
    if (r->canceled) {
        /* canceled while its connection was being checked */
        r->conn = c;
        request_done(e, r, ENG_DONE_CANCELED, eng_error_new("57014", "canceled before it ran"),
                     NULL);
        return;
    }
    request_run(e, r, c);
}

static void req_failed(engine *e, borrower *b, eng_done_status st, const eng_error *err)
{
    request *r = (request *)((char *)b - offsetof(request, b));
    request_done(e, r, st, eng_error_dup(err), NULL);
}

void request_cancel(engine *e, eng_id id)
{
    if (session_cancel_queued(e, id))
        return;
    request *r = request_find(e, id);
    if (!r)
        return; /* already done: nothing to cancel */
    r->canceled = true;
    if (r->kind == REQ_LOAD) {
        load_cancel(e, r);
        return;
    }
    if (r->b.waiting) {
        pool_cancel_wait(e, &r->b);
        request_done(e, r, ENG_DONE_CANCELED, eng_error_new("57014", "canceled before it ran"),
                     NULL);
        return;
    }
    if (r->kind == REQ_COPY) {
        copy_cancel(e, r);
        return;
    }
    if (r->conn) {
        cancel_start(e, r->conn);
        flow_detach(e, r->conn); /* read on: the rest is drained, not held */
    }
}

static void start_pooled(engine *e, request *r)
{
    r->start_ns = e->now;
    r->b.granted = req_granted;
    r->b.failed = req_failed;
    active_add(e, r);
    pool_checkout(e, &r->b, e->cfg.timeout);
}

static void refuse_pipeline(engine *e, request *r, char *msg, int bad)
{
    for (int i = 0; i < r->nstmts; i++) {
        eng_event *ev = event_new(EV_PIPE_STMT, r->id, r->tag);
        ev->stmt_index = i;
        ev->outcome = i == bad ? ENG_OUT_REFUSED : ENG_OUT_NOT_SENT;
        if (i == bad)
            ev->error = eng_error_new("0A000", "%s", msg);
        event_push(e, ev);
    }
    eng_event *done = event_new(EV_DONE, r->id, r->tag);
    done->status = ENG_DONE_REFUSED;
    done->error = eng_error_new("0A000", "statement %d: %s", bad + 1, msg);
    event_push(e, done);
    free(msg);
    request_free(r);
}

static request *find_copy(engine *e, eng_id id)
{
    request *r = request_find(e, id);
    return r && r->kind == REQ_COPY ? r : NULL;
}

void engine_handle_request(engine *e, request *r)
{
    req_kind kind = r->kind; /* r may be gone once it is handed on */
    switch (kind) {
    case REQ_PIPELINE:
    case REQ_EXEC:
    case REQ_COPY:
        if (kind == REQ_PIPELINE) {
            int bad = -1;
            char *msg = pipeline_refusal(r, &bad);
            if (msg) {
                refuse_pipeline(e, r, msg, bad);
                return;
            }
        }
        if (kind == REQ_COPY)
            copy_prepare(e, r);
        if (r->session)
            session_submit(e, r);
        else
            start_pooled(e, r);
        break;
    case REQ_COPY_DATA: {
        request *c = find_copy(e, r->target);
        if (c) {
            copy_data(e, c, r); /* takes r->buf */
        } else {
            copy_pending_add(e, r->target, -(long)r->len);
        }
        break;
    }
    case REQ_COPY_END: {
        request *c = find_copy(e, r->target);
        if (c)
            copy_end(e, c, r->errmsg);
        break;
    }
    case REQ_LOAD:
        r->start_ns = e->now;
        active_add(e, r);
        load_start(e, r);
        return;
    case REQ_CANCEL:
        request_cancel(e, r->target);
        break;
    case REQ_SESSION_OPEN:
        session_open(e, r->session);
        break;
    case REQ_SESSION_CLOSE:
        if (r->flags)
            session_discard_on_close(e, r->session);
        session_close(e, r->session);
        break;
    case REQ_POOL_RESIZE:
        pool_resize(e, r->min_size, r->max_size);
        break;
    case REQ_POOL_CHECK:
        pool_check_all(e);
        break;
    case REQ_POOL_RECYCLE:
        pool_recycle_all(e);
        break;
    case REQ_SET_SESSION:
        session_change(e, r->nstmts, (const char *const *)r->sqls, (const char *const *)r->params);
        break;
    case REQ_STOP:
        e->stopping = true;
        break;
    }
    if (kind != REQ_EXEC && kind != REQ_PIPELINE && kind != REQ_COPY)
        request_free(r);
}

/* ---- the thread ---- */

static void drain_requests(engine *e)
{
    request *r;
    /* bounded, so a flood of requests cannot starve the sockets */
    for (int n = 0; n < 4096 && (r = msgq_pop(e->reqq)) != NULL; n++)
        engine_handle_request(e, r);
}

/* Answers that may be here already: a load statement was just sent, and the
 * backend it woke usually preempts this thread on the same CPU and answers
 * before the thread runs again. Reading them now saves a poll() and often a
 * sleep and a cross-CPU wake-up; pgbench's client loop does the same. The
 * budget lets new requests and other sockets have their turn. */
#define READ_SOON_BUDGET 16

static void read_soon(engine *e)
{
    for (int budget = READ_SOON_BUDGET; budget > 0; budget--) {
        conn *c = e->lists[CONN_BUSY];
        while (c && !c->read_soon)
            c = c->next;
        if (!c)
            return;
        /* io may move connections between lists: rescan afterwards */
        c->read_soon = false;
        if (c->read_paused || !c->pg || !c->op)
            continue;
        if (!PQconsumeInput(c->pg))
            conn_io(e, c, POLLIN); /* the connection's error, handled there */
        else if (!PQisBusy(c->pg))
            conn_io(e, c, 0);
    }
}

static int poll_timeout_ms(engine *e)
{
    if (e->next_timer_ns == 0)
        return 1000;
    if (e->next_timer_ns <= e->now)
        return 0;
    uint64_t d = e->next_timer_ns - e->now;
    uint64_t ms = (d + NS_PER_MS - 1) / NS_PER_MS;
    return ms > 1000 ? 1000 : (int)ms;
}

static void run_timers(engine *e)
{
    e->next_timer_ns = 0;
    pool_timers(e, e->now);
    cancel_timers(e, e->now);
    stats_tick(e, e->now);
    stats_publish(e, e->now);
    /* at least once a second: lifetimes, idle limits, reconnects */
    engine_timer(e, e->now + NS_PER_S);
}

static void shutdown_all(engine *e)
{
    eng_error *err = eng_error_new("57P01", "the engine is stopping");
    pool_fail_waiters(e, ENG_DONE_CANCELED, err);
    /* cancel what runs on the server, bounded, then close everything */
    for (conn *c = e->lists[CONN_BUSY]; c; c = c->next)
        if (c->pg && PQtransactionStatus(c->pg) == PQTRANS_ACTIVE)
            cancel_start(e, c);
    cancel_wait_all(e, 2000);
    session_close_all(e);
    for (int st = 0; st < CONN_CLOSED; st++) {
        while (e->lists[st]) {
            conn *c = e->lists[st];
            if (c->op && c->op->lost) {
                const conn_op *op = c->op;
                op->lost(e, c, err);
                if (c->state == (conn_state)st && c->op == op)
                    c->op = NULL; /* the op did not move it: close below */
                if (c->state != (conn_state)st)
                    continue;
            }
            conn_close(e, c);
        }
    }
    pool_fail_waiters(e, ENG_DONE_CANCELED, err);
    for (request *r = e->active; r;) {
        request *next = r->next;
        if (r->kind == REQ_LOAD)
            load_cancel(e, r);
        r = next;
    }
    eng_error_free(err);
    conn_free_closed(e);
    resolve_abandon_all(e);
    cancel_wait_all(e, 200);
}

void *engine_loop(void *arg)
{
    engine *e = arg;
    struct pollfd *pfd = NULL;
    conn **pconn = NULL;
    size_t cap = 0;
    e->now = mono_ns();
    pool_fill(e);
    run_timers(e);
    while (!e->stopping) {
        size_t total = 2;
        for (int st = 0; st < CONN_CLOSED; st++)
            total += (size_t)e->counts[st];
        if (total > cap) {
            cap = total * 2;
            pfd = xrealloc(pfd, cap * sizeof *pfd);
            pconn = xrealloc(pconn, cap * sizeof *pconn);
        }
        size_t n = 0;
        pfd[n] = (struct pollfd){.fd = msgq_fd(e->reqq), .events = POLLIN};
        pconn[n++] = NULL;
        pfd[n] = (struct pollfd){.fd = e->wake_efd, .events = POLLIN};
        pconn[n++] = NULL;
        for (int st = 0; st < CONN_CLOSED; st++) {
            for (conn *c = e->lists[st]; c; c = c->next) {
                int fd = c->pg ? PQsocket(c->pg) : -1;
                if (fd < 0 || c->read_paused)
                    continue; /* paused: its reader lags (flow.c) */
                pfd[n] = (struct pollfd){.fd = fd,
                                         .events = (short)(POLLIN | (c->want_write ? POLLOUT : 0))};
                pconn[n++] = c;
            }
        }
        int rc = poll(pfd, (nfds_t)n, poll_timeout_ms(e));
        /* mono_ns() by hand: the turn remembers the skew it ran at, so a test
         * stepping the clock knows when the timers have seen the step */
        uint64_t skew = atomic_load_explicit(&eng_clock_skew_ns, memory_order_acquire);
        e->now = clock_mono_ns() + skew;
        if (rc < 0 && errno != EINTR)
            break; /* cannot happen with valid fds; leave rather than spin */
        if (rc > 0) {
            if (pfd[1].revents) {
                cancel_poll(e); /* drains the wake fd */
                resolve_poll(e);
                flow_poll(e);
            }
            for (size_t i = 2; i < n; i++) {
                conn *c = pconn[i];
                /* a conn closed during this turn stays allocated until
                 * conn_free_closed, so its state can be checked */
                if (pfd[i].revents && c->state != CONN_CLOSED && c->pg &&
                    PQsocket(c->pg) == pfd[i].fd)
                    conn_io(e, c, pfd[i].revents);
            }
            if (pfd[0].revents)
                drain_requests(e);
        }
        read_soon(e);
        if (e->next_timer_ns && e->now >= e->next_timer_ns)
            run_timers(e);
        else if (e->stats_dirty)
            stats_publish(e, e->now);
        conn_free_closed(e);
        atomic_store_explicit(&e->turn_skew_ns, skew, memory_order_release);
    }
    shutdown_all(e);
    stats_publish(e, 0);
    free(pfd);
    free(pconn);
    return NULL;
}
