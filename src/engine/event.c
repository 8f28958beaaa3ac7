/* event.c — events from the engine thread to the caller: one queue with a
 * wake-up fd; the receiver owns what an event carries. */
#include "engine/engine_int.h"

#include "common/xalloc.h"

#include <stdlib.h>

/* Every event is allocated in a box that also holds what the caller must
 * not see: the flow gate a streamed batch counts against. */
typedef struct event_box {
    eng_event ev; /* first: an eng_event * is the box */
    flow_gate *gate;
} event_box;

flow_gate **event_gate_slot(eng_event *ev)
{
    return &((event_box *)ev)->gate;
}

eng_event *event_new(eng_ev_kind kind, eng_id id, const char *tag)
{
    event_box *box = xcalloc(1, sizeof *box);
    eng_event *ev = &box->ev;
    ev->kind = kind;
    ev->id = id;
    ev->tag = tag ? xstrdup(tag) : NULL;
    ev->txn_status = 'U';
    return ev;
}

void event_push(engine *e, eng_event *ev)
{
    msgq_push(e->evq, ev);
}

int eng_event_fd(engine *e)
{
    return msgq_fd(e->evq);
}

static eng_event *delivered(eng_event *ev)
{
    if (ev)
        flow_delivered(event_gate_slot(ev));
    return ev;
}

eng_event *eng_event_next(engine *e)
{
    return delivered(msgq_pop(e->evq));
}

eng_event *eng_event_wait(engine *e, int timeout_ms)
{
    return delivered(msgq_wait(e->evq, timeout_ms));
}

size_t eng_event_backlog(engine *e)
{
    return msgq_len(e->evq);
}

void eng_event_free(eng_event *ev)
{
    if (!ev)
        return;
    flow_forget(event_gate_slot(ev));
    free(ev->tag);
    eng_result_free(ev->result);
    eng_error_free(ev->error);
    free(ev->load.latency);
    free(ev);
}

const char *eng_done_status_name(eng_done_status s)
{
    switch (s) {
    case ENG_DONE_OK:
        return "ok";
    case ENG_DONE_ERROR:
        return "error";
    case ENG_DONE_CANCELED:
        return "canceled";
    case ENG_DONE_TIMEOUT:
        return "timeout";
    case ENG_DONE_REFUSED:
        return "refused";
    case ENG_DONE_CONN:
        return "connection lost";
    }
    return "?";
}

const char *eng_stmt_outcome_name(eng_stmt_outcome o)
{
    switch (o) {
    case ENG_OUT_OK:
        return "ok";
    case ENG_OUT_ERROR:
        return "error";
    case ENG_OUT_ABORTED:
        return "aborted";
    case ENG_OUT_ROLLED_BACK:
        return "rolled back";
    case ENG_OUT_UNKNOWN:
        return "unknown";
    case ENG_OUT_REFUSED:
        return "refused";
    case ENG_OUT_NOT_SENT:
        return "not sent";
    }
    return "?";
}
