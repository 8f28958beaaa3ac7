/* flow.c — back-pressure for streamed results (ENG_EXEC_STREAM).
 *
 * Each partial batch pushed for a streamed request counts against the
 * request's gate until the caller pops it (eng_event_next/eng_event_wait).
 * Above FLOW_MAX_BATCHES the engine stops reading that connection: no
 * PQconsumeInput, no poll on its socket, so rows wait in the kernel and on
 * the server instead of in memory. The caller's pop wakes the loop through
 * the wake eventfd when the engine had paused.
 *
 * The pause is a Dekker-style handshake on two seq_cst atomics: the engine
 * sets `paused` then re-reads `pending`; the reader lowers `pending` then
 * reads `paused`. At least one of them sees the other, so a pause can never
 * miss its wake-up. The gate is refcounted: the request and every event still
 * attached hold a reference, as events may outlive the request. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

struct flow_gate {      /* shared by the engine and the event reader: atomics only */
    atomic_int pending; /* batches pushed and not yet popped */
    atomic_int refs;
    atomic_bool paused; /* the engine stopped reading for this gate */
    int wake_fd;        /* the engine's wake eventfd (lives as long as the queue) */
};

flow_gate *flow_gate_new(engine *e)
{
    flow_gate *g = xcalloc(1, sizeof *g);
    atomic_init(&g->pending, 0);
    atomic_init(&g->refs, 1);
    atomic_init(&g->paused, false);
    g->wake_fd = e->wake_efd;
    return g;
}

static void gate_unref(flow_gate *g)
{
    if (g && atomic_fetch_sub(&g->refs, 1) == 1)
        free(g);
}

void flow_gate_release(flow_gate *g)
{
    gate_unref(g);
}

void flow_track(flow_gate *g, eng_event *ev)
{
    if (!g)
        return;
    atomic_fetch_add(&g->refs, 1);
    atomic_fetch_add(&g->pending, 1);
    *event_gate_slot(ev) = g;
}

void flow_delivered(flow_gate **slot)
{
    flow_gate *g = *slot;
    if (!g)
        return;
    *slot = NULL;
    atomic_fetch_sub(&g->pending, 1);
    if (atomic_load(&g->paused)) {
        uint64_t one = 1;
        while (write(g->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
            ;
    }
    gate_unref(g);
}

void flow_forget(flow_gate **slot)
{
    flow_gate *g = *slot;
    if (!g)
        return;
    *slot = NULL;
    atomic_fetch_sub(&g->pending, 1);
    gate_unref(g);
}

bool flow_should_pause(engine *e, conn *c, flow_gate *g)
{
    (void)e;
    if (!g || c->flow != g || atomic_load(&g->pending) < FLOW_MAX_BATCHES)
        return false;
    atomic_store(&g->paused, true);
    if (atomic_load(&g->pending) < FLOW_MAX_BATCHES) {
        /* the reader caught up meanwhile (and may not have seen the flag) */
        atomic_store(&g->paused, false);
        return false;
    }
    c->read_paused = true;
    return true;
}

static void resume(engine *e, conn *c)
{
    c->read_paused = false;
    if (c->flow)
        atomic_store(&c->flow->paused, false);
    /* rows already in libpq's buffer first; the socket is polled again after */
    if (c->op && c->pg)
        c->op->io(e, c, 0);
}

void flow_attach(conn *c, flow_gate *g)
{
    c->flow = g;
    c->read_paused = false;
}

void flow_end(conn *c, flow_gate *g)
{
    if (c->flow == g) {
        c->flow = NULL;
        c->read_paused = false;
    }
    flow_gate_release(g);
}

void flow_detach(engine *e, conn *c)
{
    flow_gate *g = c->flow;
    c->flow = NULL;
    if (g)
        atomic_store(&g->paused, false);
    if (c->read_paused) {
        c->read_paused = false;
        if (c->op && c->pg)
            c->op->io(e, c, 0);
    }
}

void flow_poll(engine *e)
{
    bool again = true;
    while (again) {
        again = false;
        for (conn *c = e->lists[CONN_BUSY]; c; c = c->next) {
            if (!c->read_paused)
                continue;
            if (c->flow && atomic_load(&c->flow->pending) >= FLOW_MAX_BATCHES)
                continue;
            /* io may move connections between lists: rescan afterwards */
            resume(e, c);
            again = true;
            break;
        }
    }
}
