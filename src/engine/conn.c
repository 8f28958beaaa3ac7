/* conn.c — one PGconn and its state machine. Each state is a list;
 * conn_set_state() is the one place that moves a connection between them and
 * updates the counters (as PgBouncer's change_server_state does). */
#include "config.h"

#include "engine/engine_int.h"

#include "common/list.h"
#include "common/xalloc.h"

#include <assert.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

const char *conn_state_name(conn_state st)
{
    static const char *const names[CONN_NSTATES] = {
        "connecting", "idle", "checking", "busy", "resetting", "cancelling", "closing",
    };
    return st < CONN_NSTATES ? names[st] : "?";
}

static void list_unlink(engine *e, conn *c)
{
    LIST_UNLINK(e->lists[c->state], c, prev, next);
    e->counts[c->state]--;
}

static void list_push(engine *e, conn *c, conn_state st)
{
    LIST_PUSH_HEAD(e->lists[st], c, prev, next);
    e->counts[st]++;
}

#define TO(s) (1u << (s))
/* The moves pool.c and conn.c make, as PgBouncer's change_server_state
 * allows them: checked under --enable-debug, so a new path that moves a
 * connection where no rule expects it fails the sanitizer suite at once.
 * Every state may close; a closed connection goes nowhere. */
static const unsigned allowed_moves[CONN_NSTATES] = {
    [CONN_CONNECTING] = TO(CONN_IDLE) | TO(CONN_CHECKING) | TO(CONN_BUSY) | TO(CONN_CLOSED),
    [CONN_IDLE] = TO(CONN_CHECKING) | TO(CONN_BUSY) | TO(CONN_CLOSED),
    [CONN_CHECKING] = TO(CONN_IDLE) | TO(CONN_BUSY) | TO(CONN_CLOSED),
    [CONN_BUSY] = TO(CONN_IDLE) | TO(CONN_CHECKING) | TO(CONN_RESETTING) | TO(CONN_CANCELLING) |
                  TO(CONN_CLOSED),
    [CONN_RESETTING] = TO(CONN_IDLE) | TO(CONN_CHECKING) | TO(CONN_BUSY) | TO(CONN_CLOSED),
    [CONN_CANCELLING] = TO(CONN_RESETTING) | TO(CONN_CLOSED),
    [CONN_CLOSED] = 0,
};
#undef TO

bool conn_move_allowed(conn_state from, conn_state to)
{
    return from == to || (allowed_moves[from] & (1u << to)) != 0;
}

void conn_set_state(engine *e, conn *c, conn_state st)
{
#ifdef PGDECK_DEBUG
    assert(conn_move_allowed(c->state, st));
#endif
    if (c->state == st)
        return;
    list_unlink(e, c);
    list_push(e, c, st);
    c->state = st;
    if (st == CONN_IDLE)
        c->idle_since_ns = e->now;
    stats_touch(e);
}

static void notice_receiver(void *arg, const PGresult *res)
{
    conn *c = arg;
    if (!c->notice_id || !c->notice_sink)
        return;
    eng_event *ev = event_new(EV_NOTICE, c->notice_id, c->notice_tag);
    ev->error = error_from_result(res);
    event_push(c->notice_sink, ev);
}

conn *conn_start(engine *e)
{
    conn *c = xcalloc(1, sizeof *c);
    c->id = ++e->next_conn_id;
    c->state = CONN_CONNECTING;
    list_push(e, c, CONN_CONNECTING);
    c->created_ns = e->now;
    c->connect_deadline_ns = e->now + secs_to_ns(e->cfg.connect_timeout);
    c->want_write = true; /* libpq: behave as if PQconnectPoll said WRITING */
    c->notice_sink = e;
    prepcache_init(&c->pc);
    e->st.connections_num++;
    engine_timer(e, c->connect_deadline_ns);
    stats_touch(e);
    if (e->resolve) {
        /* names to look up: a worker does it, PQconnectStartParams would block */
        if (!resolve_start(e, c)) {
            pool_conn_failed(e, c, "cannot start a thread to resolve the host name");
            return NULL;
        }
        return c;
    }
    conn_begin(e, c, e->kw, e->val);
    return c->state == CONN_CLOSED ? NULL : c;
}

void conn_begin(engine *e, conn *c, const char *const *kw, const char *const *val)
{
    const char **gkw = NULL, **gval = NULL; /* gss_skip.c */
    if (gss_skip_params(kw, val, &gkw, &gval)) {
        kw = gkw;
        val = gval;
    }
    c->pg = PQconnectStartParams(kw, val, 0);
    free(gkw);
    free(gval);
    if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
        const char *msg = c->pg ? PQerrorMessage(c->pg) : "out of memory";
        char *copy = xstrdup(msg && *msg ? msg : "cannot start a connection");
        pool_conn_failed(e, c, copy);
        free(copy);
        return;
    }
    c->want_write = true; /* libpq: behave as if PQconnectPoll said WRITING */
    PQsetNoticeReceiver(c->pg, notice_receiver, c);
}

void conn_close(engine *e, conn *c)
{
    if (c->state == CONN_CLOSED)
        return;
    cancel_detach(e, c);
    resolve_detach(c);
    free(c->resolve_note);
    c->resolve_note = NULL;
    if (c->pg) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    prepcache_free(&c->pc);
    c->op = NULL;
    c->op_ctx = NULL;
    c->owner = NULL;
    c->want_write = false;
    conn_state was = c->state;
    conn_set_state(e, c, CONN_CLOSED);
    if (was != CONN_CONNECTING)
        pool_conn_gone(e, c);
}

void conn_free_closed(engine *e)
{
    while (e->lists[CONN_CLOSED]) {
        conn *c = e->lists[CONN_CLOSED];
        list_unlink(e, c);
        free(c);
    }
}

void conn_lost(engine *e, conn *c, const char *why)
{
    if (c->state == CONN_CLOSED)
        return;
    e->st.connections_lost++;
    if (e->ever_connected && !e->outage_start_ns)
        e->outage_start_ns = e->now; /* writes unavailable from here */
    c->lost = true;
    one_line_msg(c->last_error, sizeof c->last_error, why && *why ? why : "connection lost");
    snprintf(e->last_error, sizeof e->last_error, "%s", c->last_error);
    eng_error *err = error_from_conn(NULL, why && *why ? why : "connection lost");
    conn_state st = c->state;
    if (c->op && c->op->lost) {
        c->op->lost(e, c, err);
    } else if (st == CONN_BUSY) {
        /* pinned by a session with nothing running */
        for (session *s = e->sessions; s; s = s->next)
            if (s->conn == c) {
                session_conn_lost(e, s);
                break;
            }
    }
    eng_error_free(err);
    if (c->state != CONN_CLOSED)
        conn_close(e, c);
    stats_pool_event(e);
}

bool conn_flush(engine *e, conn *c)
{
    int r = PQflush(c->pg);
    if (r < 0) {
        conn_lost(e, c, PQerrorMessage(c->pg));
        return false;
    }
    c->want_write = r == 1;
    return true;
}

bool conn_consume(engine *e, conn *c)
{
    if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_lost(e, c, PQerrorMessage(c->pg));
        return false;
    }
    return true;
}

static void connect_poll(engine *e, conn *c)
{
    switch (PQconnectPoll(c->pg)) {
    case PGRES_POLLING_READING:
        c->want_write = false;
        break;
    case PGRES_POLLING_WRITING:
        c->want_write = true;
        break;
    case PGRES_POLLING_OK:
        c->want_write = false;
        PQsetnonblocking(c->pg, 1);
        c->backend_pid = PQbackendPID(c->pg);
        pool_conn_ready(e, c);
        break;
    case PGRES_POLLING_FAILED:
    default: {
        /* names that did not resolve come first: they were tried first */
        char *msg = c->resolve_note ? xasprintf("%s; %s", c->resolve_note, PQerrorMessage(c->pg))
                                    : xstrdup(PQerrorMessage(c->pg));
        pool_conn_failed(e, c, msg);
        free(msg);
        break;
    }
    }
}

void conn_io(engine *e, conn *c, int revents)
{
    if (c->state == CONN_CONNECTING) {
        connect_poll(e, c);
        return;
    }
    if ((revents & POLLOUT) && c->want_write && !conn_flush(e, c))
        return;
    if ((revents & (POLLIN | POLLERR | POLLHUP)) && !conn_consume(e, c))
        return;
    if (c->op) {
        c->op->io(e, c, revents);
        return;
    }
    /* idle, or pinned by a session between requests: nothing is expected,
     * but a server that closes the connection is seen here */
    PGnotify *n;
    while ((n = PQnotifies(c->pg)) != NULL)
        PQfreemem(n);
    if (PQstatus(c->pg) == CONNECTION_BAD)
        conn_lost(e, c, PQerrorMessage(c->pg));
}
