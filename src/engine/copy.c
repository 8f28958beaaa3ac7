/* copy.c — COPY ... FROM STDIN on its own pooled connection or a session's.
 *
 * The caller queues malloc'd chunks (eng_copy_data) and watches
 * eng_copy_pending_bytes() for back-pressure. The engine hands chunks to
 * PQputCopyData in non-blocking mode; when libpq's buffer cannot take more
 * it waits for POLLOUT. eng_copy_end finishes (PQputCopyEnd(conn, NULL)) or
 * aborts with a message, then the results are drained until NULL; the
 * server's error keeps its CONTEXT ("COPY t, line N"). */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct chunk {
    char *buf;
    size_t len;
    struct chunk *next;
} chunk;

enum { P_QUEUED, P_START, P_DATA, P_RESULTS };

struct copy_state { /* engine thread only */
    int phase;
    chunk *head, *tail;
    bool end_requested, end_sent, user_abort;
    bool draining_out; /* a COPY TO STDOUT given by mistake: read it away */
    char *errmsg;
    eng_error *err;
    uint64_t rows, bytes, t_start;
};

struct copy_pending { /* in e->copies: under e->copy_lock (any thread) */
    eng_id id;
    long bytes;
    struct copy_pending *next;
};

/* ---- back-pressure registry (any thread) ---- */

void copy_register(engine *e, eng_id id)
{
    struct copy_pending *p = xcalloc(1, sizeof *p);
    p->id = id;
    pthread_mutex_lock(&e->copy_lock);
    p->next = e->copies;
    e->copies = p;
    pthread_mutex_unlock(&e->copy_lock);
}

void copy_unregister(engine *e, eng_id id)
{
    pthread_mutex_lock(&e->copy_lock);
    for (struct copy_pending **pp = &e->copies; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            struct copy_pending *p = *pp;
            *pp = p->next;
            free(p);
            break;
        }
    }
    pthread_mutex_unlock(&e->copy_lock);
}

void copy_pending_add(engine *e, eng_id id, long delta)
{
    pthread_mutex_lock(&e->copy_lock);
    for (struct copy_pending *p = e->copies; p; p = p->next)
        if (p->id == id) {
            p->bytes += delta;
            if (p->bytes < 0)
                p->bytes = 0;
            break;
        }
    pthread_mutex_unlock(&e->copy_lock);
}

size_t eng_copy_pending_bytes(engine *e, eng_id copy)
{
    size_t n = 0;
    pthread_mutex_lock(&e->copy_lock);
    for (struct copy_pending *p = e->copies; p; p = p->next)
        if (p->id == copy) {
            n = (size_t)p->bytes;
            break;
        }
    pthread_mutex_unlock(&e->copy_lock);
    return n;
}

/* ---- the op ---- */

static void copy_io(engine *e, conn *c, int revents);
static void copy_lost(engine *e, conn *c, const eng_error *err);
static const conn_op copy_op = {"copy", copy_io, copy_lost};

void copy_prepare(engine *e, request *r)
{
    (void)e;
    copy_state *st = xcalloc(1, sizeof *st);
    st->phase = P_QUEUED;
    r->op = st;
}

static void free_chunks(engine *e, request *r, copy_state *st)
{
    long dropped = 0;
    while (st->head) {
        chunk *k = st->head;
        st->head = k->next;
        dropped += (long)k->len;
        free(k->buf);
        free(k);
    }
    st->tail = NULL;
    if (dropped)
        copy_pending_add(e, r->id, -dropped);
}

void copy_release(engine *e, request *r)
{
    copy_state *st = r->op;
    if (st) {
        free_chunks(e, r, st);
        free(st->errmsg);
        eng_error_free(st->err);
        free(st);
        r->op = NULL;
    }
    copy_unregister(e, r->id);
}

static void copy_finish(engine *e, request *r, conn *c, copy_state *st, bool lost,
                        const eng_error *lost_err)
{
    uint64_t ns = mono_ns() - st->t_start;
    eng_event *done = event_new(EV_DONE, r->id, r->tag);
    done->elapsed_ms = (double)ns / 1e6;
    done->backend_pid = c->backend_pid;
    eng_done_status status = ENG_DONE_OK;
    eng_error *err = st->err;
    st->err = NULL;
    if (lost) {
        status = ENG_DONE_CONN;
        eng_error_free(err);
        err = eng_error_new("08006",
                            "the connection was lost during COPY: nothing was imported "
                            "(%s)",
                            lost_err && lost_err->message ? lost_err->message : "?");
        err->conn_lost = true;
    } else if (err) {
        status = st->user_abort ? ENG_DONE_CANCELED : ENG_DONE_ERROR;
    } else {
        done->rows = st->rows;
        e->st.copy_rows += st->rows;
    }
    metrics_record(e, 0, r->sql, ns, done->rows, status != ENG_DONE_OK, c->backend_pid);
    c->op = NULL;
    c->op_ctx = NULL;
    request_done(e, r, status, err, done); /* frees st through copy_release */
}

/* Hands queued chunks to libpq while it takes them; then the end. */
static bool pump(engine *e, request *r, conn *c, copy_state *st)
{
    while (st->head && !c->want_write) {
        chunk *k = st->head;
        int rc = PQputCopyData(c->pg, k->buf, (int)k->len);
        if (rc < 0) {
            conn_lost(e, c, PQerrorMessage(c->pg));
            return false;
        }
        if (rc == 0) {
            c->want_write = true; /* wait for the socket, then retry */
            return true;
        }
        st->head = k->next;
        if (!st->head)
            st->tail = NULL;
        st->bytes += k->len;
        e->st.copy_bytes += k->len;
        copy_pending_add(e, r->id, -(long)k->len);
        free(k->buf);
        free(k);
        if (!conn_flush(e, c))
            return false;
    }
    if (!st->head && st->end_requested && !st->end_sent && !c->want_write) {
        int rc = PQputCopyEnd(c->pg, st->errmsg);
        if (rc < 0) {
            conn_lost(e, c, PQerrorMessage(c->pg));
            return false;
        }
        if (rc == 0) {
            c->want_write = true;
            return true;
        }
        st->end_sent = true;
        st->phase = P_RESULTS;
        if (!conn_flush(e, c))
            return false;
    }
    return true;
}

static void read_results(engine *e, request *r, conn *c, copy_state *st)
{
    if (st->draining_out) {
        char *buf;
        int n;
        while ((n = PQgetCopyData(c->pg, &buf, 1)) > 0)
            PQfreemem(buf);
        if (n == 0)
            return;
        st->draining_out = false;
    }
    while (st->phase != P_DATA && !PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (!res) {
            if (!st->err && st->phase == P_START)
                st->err = eng_error_new("42601", "not a COPY ... FROM STDIN statement");
            copy_finish(e, r, c, st, false, NULL);
            return;
        }
        switch (PQresultStatus(res)) {
        case PGRES_COPY_IN: {
            st->phase = P_DATA;
            eng_event *ev = event_new(EV_RESULT, r->id, r->tag);
            ev->result = result_wrap(res, ENG_RES_COPY_IN);
            event_push(e, ev);
            if (!pump(e, r, c, st))
                return;
            break;
        }
        case PGRES_COMMAND_OK:
            st->rows = strtoull(PQcmdTuples(res), NULL, 10);
            PQclear(res);
            break;
        case PGRES_COPY_OUT: {
            /* the wrong direction: read it away, then report */
            PQclear(res);
            if (!st->err)
                st->err = eng_error_new("42601", "not a COPY ... FROM STDIN statement");
            char *buf;
            int n;
            while ((n = PQgetCopyData(c->pg, &buf, 1)) > 0)
                PQfreemem(buf);
            if (n == 0) {
                st->draining_out = true;
                return; /* more to read: copy_io comes back here */
            }
            st->draining_out = false;
            break;
        }
        case PGRES_COPY_BOTH:
            PQclear(res);
            if (!st->err)
                st->err = eng_error_new("42601", "not a COPY ... FROM STDIN statement");
            conn_lost(e, c, "unexpected COPY BOTH (replication) response");
            return;
        default:
            if (!st->err)
                st->err = error_from_result(res);
            PQclear(res);
            break;
        }
    }
}

static void copy_io(engine *e, conn *c, int revents)
{
    (void)revents;
    request *r = c->op_ctx;
    copy_state *st = r->op;
    if (st->phase == P_DATA) {
        if (!pump(e, r, c, st))
            return;
    }
    if (st->phase != P_DATA)
        read_results(e, r, c, st);
}

/* Sends what is queued; once the end is sent, reads the results at once:
 * libpq may already hold the server's answer in its buffer (read while it
 * flushed our data), and then the socket never becomes readable again. */
static void pump_and_read(engine *e, request *r, copy_state *st)
{
    conn *c = r->conn;
    if (st->phase != P_DATA || !c)
        return;
    if (pump(e, r, c, st) && st->phase != P_DATA)
        read_results(e, r, c, st);
}

void copy_start(engine *e, request *r, conn *c)
{
    copy_state *st = r->op;
    st->phase = P_START;
    st->t_start = mono_ns();
    c->op = &copy_op;
    c->op_ctx = r;
    if (!PQsendQuery(c->pg, r->sql)) {
        conn_lost(e, c, PQerrorMessage(c->pg));
        return;
    }
    conn_flush(e, c);
}

void copy_data(engine *e, request *r, request *data)
{
    copy_state *st = r->op;
    if (st->end_requested || !data->len) {
        copy_pending_add(e, r->id, -(long)data->len);
        return; /* data after the end is dropped (the caller's bug) */
    }
    chunk *k = xcalloc(1, sizeof *k);
    k->buf = data->buf;
    k->len = data->len;
    data->buf = NULL;
    if (st->tail)
        st->tail->next = k;
    else
        st->head = k;
    st->tail = k;
    pump_and_read(e, r, st);
}

void copy_end(engine *e, request *r, const char *errmsg)
{
    copy_state *st = r->op;
    if (st->end_requested)
        return;
    st->end_requested = true;
    if (errmsg) {
        st->errmsg = xstrdup(errmsg);
        st->user_abort = true;
        free_chunks(e, r, st); /* nothing more is sent */
    }
    pump_and_read(e, r, st);
}

void copy_cancel(engine *e, request *r)
{
    copy_state *st = r->op;
    if (st->end_sent) {
        if (r->conn)
            cancel_start(e, r->conn);
        st->user_abort = true;
        return;
    }
    st->end_requested = false;
    copy_end(e, r, "canceled by user");
}

static void copy_lost(engine *e, conn *c, const eng_error *err)
{
    request *r = c->op_ctx;
    copy_finish(e, r, c, r->op, true, err);
}
