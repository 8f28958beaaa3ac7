/* load.c — a load generator inside the engine: N virtual clients, each
 * looping checkout -> execute -> return through the real pool, M times or
 * for S seconds. No per-statement events and no per-statement allocation:
 * the clients, their send plans and the latency histogram are allocated
 * once. The summary arrives with EV_DONE. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct load_client {
    borrower b;
    load_state *ls;
    conn *c;
    send_plan plan;
    long reps;
    int stmt;
    int tries; /* resends of the current statement after lost connections */
    uint64_t t_req, t_send, rows;
    bool failed;
    bool ended;
} load_client;

struct load_state {
    request *r;
    load_client *clients;
    int nclients, active;
    uint64_t *fps;
    hist lat;
    uint64_t executed, errors, retried;
    uint64_t t_start, deadline;
    bool stopping;
    eng_error *first_err;
};

struct eng_latency {
    hist h;
};

static void summary_percentiles(eng_load_summary *s, const hist *h)
{
    s->p50_ms = (double)hist_percentile(h, 50) / 1e6;
    s->p95_ms = (double)hist_percentile(h, 95) / 1e6;
    s->p99_ms = (double)hist_percentile(h, 99) / 1e6;
    s->max_ms = (double)h->max_ns / 1e6;
}

void eng_load_summary_add(eng_load_summary *dst, const eng_load_summary *src)
{
    dst->executed += src->executed;
    dst->errors += src->errors;
    dst->retried += src->retried;
    if (src->seconds > dst->seconds)
        dst->seconds = src->seconds;
    if (!src->latency)
        return;
    if (!dst->latency) {
        dst->latency = xmalloc(sizeof *dst->latency);
        hist_init(&dst->latency->h);
    }
    hist_merge(&dst->latency->h, &src->latency->h);
    summary_percentiles(dst, &dst->latency->h);
}

void eng_load_summary_clear(eng_load_summary *s)
{
    free(s->latency);
    memset(s, 0, sizeof *s);
}

static void load_io(engine *e, conn *c, int revents);
static void load_lost(engine *e, conn *c, const eng_error *err);
static const conn_op load_op = {"load", load_io, load_lost};

static void load_finish(engine *e, load_state *ls)
{
    request *r = ls->r;
    uint64_t now = mono_ns();
    eng_event *done = event_new(EV_DONE, r->id, r->tag);
    done->load.executed = ls->executed;
    done->load.errors = ls->errors;
    done->load.retried = ls->retried;
    done->load.seconds = (double)(now - ls->t_start) / 1e9;
    summary_percentiles(&done->load, &ls->lat);
    done->load.latency = xmalloc(sizeof *done->load.latency);
    done->load.latency->h = ls->lat;
    done->rows = ls->executed;
    done->elapsed_ms = (double)(now - ls->t_start) / 1e6;
    eng_done_status st = ENG_DONE_OK;
    eng_error *err = NULL;
    if (r->canceled) {
        st = ENG_DONE_CANCELED;
    } else if (ls->errors) {
        st = ENG_DONE_ERROR;
        err = ls->first_err;
        ls->first_err = NULL;
    }
    e->st.load_running = false;
    e->stats_dirty = true;
    stats_publish(e, 0); /* before EV_DONE: a reader of the stats sees the whole load */
    eng_error_free(ls->first_err);
    free(ls->clients);
    free(ls->fps);
    free(ls);
    r->op = NULL;
    request_done(e, r, st, err, done);
}

static void client_end(engine *e, load_client *cl)
{
    if (cl->ended)
        return;
    cl->ended = true;
    load_state *ls = cl->ls;
    if (--ls->active == 0)
        load_finish(e, ls);
}

static void client_next(engine *e, load_client *cl)
{
    load_state *ls = cl->ls;
    request *r = ls->r;
    bool out_of_reps = r->repeat > 0 && cl->reps >= r->repeat;
    bool out_of_time = ls->deadline && mono_ns() >= ls->deadline;
    /* repeat 0 and seconds 0: until canceled, as engine.h says */
    if (ls->stopping || e->stopping || out_of_reps || out_of_time || r->nstmts == 0) {
        client_end(e, cl);
        return;
    }
    cl->t_req = mono_ns();
    pool_checkout(e, &cl->b, e->cfg.timeout);
}

static void note_error(load_state *ls, const eng_error *err)
{
    ls->errors++;
    if (!ls->first_err && err)
        ls->first_err = eng_error_dup(err);
}

/* The statement ended (its result, an error, or the connection). */
static void statement_done(engine *e, load_client *cl, bool failed)
{
    load_state *ls = cl->ls;
    uint64_t now = mono_ns();
    hist_record(&ls->lat, now - cl->t_req);
    uint64_t ns = now - cl->t_send;
    stats_record_query(e, ns, true);
    e->st.queries_num++;
    if (failed)
        e->st.queries_errors++;
    ls->executed++;
    e->st.load_executed++;
    metrics_record(e, ls->fps[cl->stmt], ls->r->sqls[cl->stmt], ns, cl->rows, failed,
                   cl->c ? cl->c->backend_pid : 0);
    cl->tries = 0;
    if (++cl->stmt >= ls->r->nstmts) {
        cl->stmt = 0;
        cl->reps++;
    }
    stats_touch(e);
}

static void load_granted(engine *e, borrower *b, conn *c)
{
    load_client *cl = (load_client *)b;
    load_state *ls = cl->ls;
    cl->c = c;
    c->op = &load_op;
    c->op_ctx = cl;
    cl->failed = false;
    cl->rows = 0;
    cl->t_send = mono_ns();
    const char *sql = ls->r->sqls[cl->stmt];
    exec_plan(e, c, sql, 0, &cl->plan);
    if (exec_send_step(e, c, sql, 0, NULL, 0, &cl->plan))
        c->read_soon = true; /* loop.c reads the answer before it polls */
}

static void load_failed(engine *e, borrower *b, eng_done_status st, const eng_error *err)
{
    load_client *cl = (load_client *)b;
    load_state *ls = cl->ls;
    note_error(ls, err);
    ls->executed++;
    e->st.load_executed++;
    cl->tries = 0;
    if (++cl->stmt >= ls->r->nstmts) {
        cl->stmt = 0;
        cl->reps++;
    }
    if (st == ENG_DONE_CONN || st == ENG_DONE_CANCELED || st == ENG_DONE_REFUSED) {
        /* the pool gave up, refuses more waiters (max_waiting below the
         * client count) or the engine stops: a load cannot go on (and a
         * refusal comes at once: retrying would only spin) */
        ls->stopping = true;
    }
    client_next(e, cl);
}

static void load_io(engine *e, conn *c, int revents)
{
    (void)revents;
    load_client *cl = c->op_ctx;
    load_state *ls = cl->ls;
    while (!PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (res) {
            ExecStatusType rs = PQresultStatus(res);
            if (rs == PGRES_TUPLES_OK) {
                cl->rows += (uint64_t)PQntuples(res);
            } else if (rs != PGRES_COMMAND_OK && rs != PGRES_EMPTY_QUERY) {
                if (cl->plan.step == STEP_EXEC || cl->plan.step == STEP_PREPARE) {
                    cl->plan.step_failed = true;
                    cl->failed = true;
                    if (!ls->first_err)
                        ls->first_err = error_from_result(res);
                }
            }
            PQclear(res);
            continue;
        }
        if (!exec_step_done(c, &cl->plan)) {
            const char *sql = ls->r->sqls[cl->stmt];
            if (!exec_send_step(e, c, sql, 0, NULL, 0, &cl->plan))
                return;
            continue;
        }
        if (cl->failed)
            ls->errors++;
        statement_done(e, cl, cl->failed);
        c->op = NULL;
        c->op_ctx = NULL;
        cl->c = NULL;
        pool_return(e, c);
        client_next(e, cl);
        return;
    }
}

/* A read-only statement (the caller's promise, the server's guarantee) is
 * sent again on another connection, which the pool gets from libpq's
 * host list: after a failover, the new server. */
static bool retry_lost(engine *e, conn *c, load_client *cl)
{
    load_state *ls = cl->ls;
    if (cl->tries >= ls->r->retry_lost || ls->stopping || ls->r->canceled || e->stopping)
        return false;
    cl->tries++;
    ls->retried++;
    if (cl->failed && ls->errors == 0) { /* its FATAL, read before the loss, is no error now */
        eng_error_free(ls->first_err);
        ls->first_err = NULL;
    }
    e->st.load_retried++;
    c->op = NULL;
    c->op_ctx = NULL;
    cl->c = NULL;
    pool_return(e, c); /* closes it: the connection is marked lost */
    client_next(e, cl);
    return true;
}

static void load_lost(engine *e, conn *c, const eng_error *err)
{
    load_client *cl = c->op_ctx;
    if (retry_lost(e, c, cl))
        return;
    /* the first error may be this statement's own FATAL, read just before */
    bool first = !cl->ls->first_err || cl->failed;
    note_error(cl->ls, err);
    if (first && cl->ls->first_err && !cl->ls->first_err->hint) /* say why it is not run again */
        cl->ls->first_err->hint =
            cl->ls->r->retry_lost
                ? xasprintf("the connection to the server was lost during the statement, "
                            "%d time%s: --retry-read-only gave up",
                            cl->tries + 1, cl->tries ? "s" : "")
                : xstrdup("the connection to the server was lost during the "
                          "statement; its outcome is unknown, so it was not retried");
    statement_done(e, cl, true);
    c->op = NULL;
    c->op_ctx = NULL;
    cl->c = NULL;
    pool_return(e, c); /* closes it: the connection is marked lost */
    client_next(e, cl);
}

void load_start(engine *e, request *r)
{
    load_state *ls = xcalloc(1, sizeof *ls);
    ls->r = r;
    r->op = ls;
    ls->nclients = r->clients;
    ls->active = r->clients;
    ls->clients = xcalloc((size_t)r->clients, sizeof *ls->clients);
    ls->fps = xcalloc((size_t)r->nstmts + 1, sizeof *ls->fps);
    for (int i = 0; i < r->nstmts; i++)
        ls->fps[i] = metrics_fingerprint(r->sqls[i]);
    hist_init(&ls->lat);
    ls->t_start = mono_ns();
    if (r->seconds > 0)
        ls->deadline = ls->t_start + secs_to_ns(r->seconds);
    e->st.load_running = true;
    stats_touch(e);
    for (int i = 0; i < r->clients; i++) {
        load_client *cl = &ls->clients[i];
        cl->ls = ls;
        cl->b.granted = load_granted;
        cl->b.failed = load_failed;
    }
    /* clients may end at once (nothing to run): count down safely */
    for (int i = 0; i < ls->nclients; i++) {
        bool last = i == ls->nclients - 1;
        client_next(e, &ls->clients[i]);
        if (last)
            break;
    }
}

void load_cancel(engine *e, request *r)
{
    load_state *ls = r->op;
    if (!ls)
        return;
    r->canceled = true;
    ls->stopping = true;
    for (int i = 0; i < ls->nclients; i++) {
        load_client *cl = &ls->clients[i];
        if (cl->c) {
            cancel_start(e, cl->c);
        } else if (cl->b.waiting) {
            pool_cancel_wait(e, &cl->b);
            bool finishing = ls->active == 1;
            client_end(e, cl);
            if (finishing)
                return; /* ls is gone */
        }
    }
}
