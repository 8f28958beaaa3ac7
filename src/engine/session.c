/* session.c — a session pins one pooled connection across requests (a
 * transaction in the editor, a script in `pgdeck run -f`). Its requests run
 * one at a time, in order. If the pinned connection dies, the next request
 * gets one clear ENG_DONE_CONN error — never a silent retry of something
 * that may have run — and the one after that gets a fresh connection. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <stdlib.h>

session *session_find(engine *e, eng_session id)
{
    for (session *s = e->sessions; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

static void session_kick(engine *e, session *s);

static void sess_granted(engine *e, borrower *b, conn *c)
{
    session *s = (session *)((char *)b - offsetof(session, b));
    s->conn = c;
    session_kick(e, s);
}

static void sess_failed(engine *e, borrower *b, eng_done_status st, const eng_error *err)
{
    session *s = (session *)((char *)b - offsetof(session, b));
    request *r = s->queue_head;
    if (r) {
        s->queue_head = r->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        r->next = NULL;
        s->current = r;
        request_done(e, r, st, eng_error_dup(err), NULL);
    } else {
        session_kick(e, s);
    }
}

void session_open(engine *e, eng_session id)
{
    session *s = xcalloc(1, sizeof *s);
    s->id = id;
    s->b.granted = sess_granted;
    s->b.failed = sess_failed;
    s->next = e->sessions;
    e->sessions = s;
}

static void session_free(engine *e, session *s)
{
    for (session **pp = &e->sessions; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    pool_cancel_wait(e, &s->b);
    if (s->conn) {
        conn *c = s->conn;
        s->conn = NULL;
        if (s->discard)
            c->expired = true; /* reset (ROLLBACK), then closed: never reused */
        pool_return(e, c);
    }
    free(s);
}

static void session_kick(engine *e, session *s)
{
    for (;;) {
        if (s->current)
            return;
        request *r = s->queue_head;
        if (!r) {
            if (s->closing)
                session_free(e, s);
            return;
        }
        if (s->broken) {
            s->broken = false;
            s->queue_head = r->next;
            if (!s->queue_head)
                s->queue_tail = NULL;
            r->next = NULL;
            s->current = r;
            eng_error *err =
                eng_error_new("08006", "the session's connection was lost; its transaction "
                                       "(if any) is gone and this statement was not run");
            err->conn_lost = true;
            request_done(e, r, ENG_DONE_CONN, err, NULL);
            return; /* request_done kicked again */
        }
        if (!s->conn) {
            if (!s->b.waiting)
                pool_checkout(e, &s->b, e->cfg.timeout);
            return;
        }
        if (s->conn->cancel)
            return; /* a cancel for the previous request is in flight: it must
                       not reach this one (session_cancel_done kicks again) */
        s->queue_head = r->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        r->next = NULL;
        s->current = r;
        r->start_ns = mono_ns();
        request_run(e, r, s->conn);
        return;
    }
}

void session_submit(engine *e, request *r)
{
    session *s = session_find(e, r->session);
    if (!s || s->closing) {
        request_done(e, r, ENG_DONE_ERROR,
                     eng_error_new("08003", "session %u is not open", (unsigned)r->session), NULL);
        return;
    }
    r->next = NULL;
    r->prev = NULL;
    if (s->queue_tail)
        s->queue_tail->next = r;
    else
        s->queue_head = r;
    s->queue_tail = r;
    r->start_ns = mono_ns();
    session_kick(e, s);
}

void session_request_done(engine *e, session *s)
{
    if (s->conn && (s->conn->state == CONN_CLOSED || s->conn->lost)) {
        /* died under the request: that request already said so */
        s->conn = NULL;
    }
    session_kick(e, s);
}

/* The session is closed while its current request still runs (a statement,
 * a COPY whose end never comes): the request ends now, its statement is
 * canceled on the server and its connection is discarded (returns_bad), as
 * the outcome of what ran on it is unknown. */
static void session_abandon_current(engine *e, session *s)
{
    request *r = s->current;
    conn *c = s->conn;
    if (!c || c->op_ctx != r || !c->op || !c->op->lost)
        return; /* nothing runs on the connection: it ends by itself */
    c->abandoned = true;
    if (c->pg && PQtransactionStatus(c->pg) == PQTRANS_ACTIVE)
        cancel_start(e, c); /* stop the statement: the server keeps no lock of ours */
    eng_error *err = eng_error_new("57014", "the session was closed while this ran: its "
                                            "connection was discarded and the outcome is unknown");
    c->op->lost(e, c, err); /* ends r; the kick frees the session and returns c */
    eng_error_free(err);
}

void session_discard_on_close(engine *e, eng_session id)
{
    session *s = session_find(e, id);
    if (s)
        s->discard = true;
}

void session_close(engine *e, eng_session id)
{
    session *s = session_find(e, id);
    if (!s)
        return;
    s->closing = true;
    /* what waits in the queue will never run: the caller gave the session up */
    while (s->queue_head) {
        request *r = s->queue_head;
        s->queue_head = r->next;
        r->next = NULL;
        if (r->kind == REQ_COPY)
            copy_release(e, r);
        eng_event *done = event_new(EV_DONE, r->id, r->tag);
        done->status = ENG_DONE_CANCELED;
        done->error = eng_error_new("57014", "the session was closed before this ran");
        event_push(e, done);
        request_free(r);
    }
    s->queue_tail = NULL;
    if (s->current) {
        session_abandon_current(e, s);
        return;
    }
    session_kick(e, s);
}

bool session_cancel_queued(engine *e, eng_id id)
{
    for (session *s = e->sessions; s; s = s->next) {
        request *prev = NULL;
        for (request *r = s->queue_head; r; prev = r, r = r->next) {
            if (r->id != id)
                continue;
            if (prev)
                prev->next = r->next;
            else
                s->queue_head = r->next;
            if (s->queue_tail == r)
                s->queue_tail = prev;
            r->next = NULL;
            if (r->kind == REQ_COPY)
                copy_release(e, r);
            eng_event *done = event_new(EV_DONE, r->id, r->tag);
            done->status = ENG_DONE_CANCELED;
            done->error = eng_error_new("57014", "canceled before it ran");
            event_push(e, done);
            request_free(r);
            if (!s->queue_head && !s->current && s->b.waiting)
                pool_cancel_wait(e, &s->b);
            return true;
        }
    }
    return false;
}

void session_conn_lost(engine *e, session *s)
{
    conn *c = s->conn;
    s->conn = NULL;
    s->broken = true;
    if (c) {
        c->owner = NULL;
        c->lost = true;
    }
}

void session_close_all(engine *e)
{
    while (e->sessions) {
        session *s = e->sessions;
        while (s->queue_head) {
            request *r = s->queue_head;
            s->queue_head = r->next;
            if (r->kind == REQ_COPY)
                copy_release(e, r);
            request_free(r);
        }
        s->queue_tail = NULL;
        if (s->current) {
            /* its op ends with the connection at shutdown */
            s->closing = true;
            if (s->conn && s->conn->op && s->conn->op->lost) {
                eng_error *err = eng_error_new("57P01", "the engine is stopping");
                s->conn->op->lost(e, s->conn, err);
                eng_error_free(err);
            }
            if (session_find(e, s->id) != s)
                continue; /* freed by the kick */
            s->current = NULL;
        }
        session_free(e, s);
    }
}

void session_cancel_done(engine *e, conn *c)
{
    for (session *s = e->sessions; s; s = s->next)
        if (s->conn == c) {
            session_kick(e, s);
            return;
        }
}
