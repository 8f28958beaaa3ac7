/* cancel.c — server-side cancel without stalling the engine loop.
 *
 * PQcancel blocks (libpq 15), so it runs in a short-lived detached worker
 * thread on a PGcancel the engine thread obtained. The worker signals
 * completion through an eventfd. A cancel belongs to one checkout: the
 * connection is not handed to the next borrower until the job finished
 * (CONN_CANCELLING). A job that hangs (postmaster stopped) past a bound
 * makes the engine close and replace the connection; the worker then owns
 * itself and ends whenever the server lets it. */
#include "engine/engine_int.h"
#include "engine/worker.h"

#include "common/xalloc.h"

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

struct cancel_job {
    eng_worker w; /* first: refs, done, the worker's wake fd (atomics) */
    /* the worker's until w.done is set, then read-only for the engine
     * (the atomic store/load of done orders them) */
    PGcancel *cancel;
    bool ok;
    char errbuf[256];
    /* engine thread only */
    conn *c; /* NULL once detached */
    cancel_job *next;
};

static void job_release(cancel_job *j)
{
    if (worker_release(&j->w)) {
        PQfreeCancel(j->cancel);
        free(j);
    }
}

static void *cancel_worker(void *arg)
{
    cancel_job *j = arg;
    j->ok = PQcancel(j->cancel, j->errbuf, sizeof j->errbuf) == 1;
    worker_finish(&j->w);
    job_release(j);
    return NULL;
}

static double cancel_bound_s(const engine *e)
{
    double s = e->cfg.connect_timeout;
    return s < 1 ? 1 : s > 10 ? 10 : s;
}

void cancel_start(engine *e, conn *c)
{
    if (c->cancel || !c->pg)
        return; /* one cancel per checkout */
    PGcancel *pc = PQgetCancel(c->pg);
    if (!pc)
        return;
    cancel_job *j = xcalloc(1, sizeof *j);
    j->cancel = pc;
    j->c = c;
    if (!worker_start(e, &j->w, 256 * 1024, cancel_worker, j)) {
        job_release(j);
        return;
    }
    c->cancel = j;
    c->cancel_target = c->op_ctx;
    c->cancel_settle_ns = 0;
    c->cancel_deadline_ns = mono_ns() + secs_to_ns(cancel_bound_s(e));
    engine_timer(e, c->cancel_deadline_ns);
    j->next = e->cancel_jobs;
    e->cancel_jobs = j;
}

static void drain_fd(int fd)
{
    uint64_t n;
    while (read(fd, &n, sizeof n) > 0)
        ;
}

void cancel_poll(engine *e)
{
    drain_fd(e->wake_efd);
    cancel_job **pp = &e->cancel_jobs;
    while (*pp) {
        cancel_job *j = *pp;
        if (!atomic_load(&j->w.done)) {
            pp = &j->next;
            continue;
        }
        *pp = j->next;
        conn *c = j->c;
        if (c) {
            c->cancel = NULL;
            if (c->op && c->op_ctx == c->cancel_target) {
                /* delivered; the statement now has a bounded time to stop */
                c->cancel_settle_ns = mono_ns() + secs_to_ns(cancel_bound_s(e));
                engine_timer(e, c->cancel_settle_ns);
            }
            if (!j->ok)
                snprintf(c->last_error, sizeof c->last_error, "cancel failed: %.120s", j->errbuf);
            if (c->state == CONN_CANCELLING)
                pool_cancel_settled(e, c);
            else if (c->state == CONN_BUSY && !c->op)
                session_cancel_done(e, c);
        }
        job_release(j);
    }
}

static void settle_timers(engine *e, uint64_t now);

void cancel_timers(engine *e, uint64_t now)
{
    settle_timers(e, now);
    for (cancel_job *j = e->cancel_jobs; j; j = j->next) {
        conn *c = j->c;
        if (!c || atomic_load(&j->w.done))
            continue;
        if (now >= c->cancel_deadline_ns) {
            /* the cancel hangs: this connection cannot be trusted any more */
            char msg[160];
            snprintf(msg, sizeof msg,
                     "the cancel request got no answer within %g s; connection closed",
                     cancel_bound_s(e));
            conn_lost(e, c, msg);
            /* conn_close detached the job; restart the scan (list unchanged) */
        } else {
            engine_timer(e, c->cancel_deadline_ns);
        }
    }
}

/* Statements that ignored a delivered cancel past the bound. */
static void settle_timers(engine *e, uint64_t now)
{
    for (conn *c = e->lists[CONN_BUSY]; c;) {
        conn *next = c->next;
        if (c->cancel_settle_ns) {
            if (!c->op || c->op_ctx != c->cancel_target) {
                c->cancel_settle_ns = 0; /* it ended */
            } else if (now >= c->cancel_settle_ns) {
                c->cancel_settle_ns = 0;
                char msg[160];
                snprintf(msg, sizeof msg,
                         "the statement did not stop within %g s of a cancel (backend frozen?); "
                         "connection closed",
                         cancel_bound_s(e));
                conn_lost(e, c, msg);
            } else {
                engine_timer(e, c->cancel_settle_ns);
            }
        }
        c = next;
    }
}

void cancel_detach(engine *e, conn *c)
{
    (void)e;
    if (c->cancel) {
        c->cancel->c = NULL;
        c->cancel = NULL;
    }
}

bool cancel_wait_all(engine *e, int timeout_ms)
{
    uint64_t until = mono_ns() + (uint64_t)timeout_ms * NS_PER_MS;
    for (;;) {
        cancel_poll(e);
        if (!e->cancel_jobs)
            return true;
        uint64_t now = mono_ns();
        if (now >= until)
            break;
        struct pollfd p = {.fd = e->wake_efd, .events = POLLIN};
        poll(&p, 1, (int)((until - now) / NS_PER_MS) + 1);
    }
    /* hung workers own themselves from here on */
    while (e->cancel_jobs) {
        cancel_job *j = e->cancel_jobs;
        e->cancel_jobs = j->next;
        if (j->c)
            j->c->cancel = NULL;
        job_release(j);
    }
    return false;
}
