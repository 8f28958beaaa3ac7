/* moment.c — the panes' helpers for recorded moments (moment.h). */
#include "ui/moment.h"
#include "ui/pane.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

mon_activity *ui_activity_copy(const mon_activity *a, bool (*keep)(const mon_backend *b, void *ctx),
                               void *ctx)
{
    if (!a)
        return NULL;
    mon_activity *c = xcalloc(1, sizeof *c);
    c->rows = xcalloc(a->n ? a->n : 1, sizeof *c->rows);
    for (size_t i = 0; i < a->n; i++) {
        const mon_backend *b = &a->rows[i];
        if (keep && !keep(b, ctx))
            continue;
        mon_backend *o = &c->rows[c->n++];
        *o = *b;
        o->database = dup_or_empty(b->database);
        o->user = dup_or_empty(b->user);
        o->application = dup_or_empty(b->application);
        o->client = dup_or_empty(b->client);
        o->state = dup_or_empty(b->state);
        o->wait_type = dup_or_empty(b->wait_type);
        o->wait_event = dup_or_empty(b->wait_event);
        o->backend_type = dup_or_empty(b->backend_type);
        o->query = dup_or_empty(b->query);
        o->backend_start = dup_or_empty(b->backend_start);
        o->blocked_by = NULL;
        if (b->nblocked_by > 0 && b->blocked_by) {
            o->blocked_by = xmalloc((size_t)b->nblocked_by * sizeof *o->blocked_by);
            memcpy(o->blocked_by, b->blocked_by, (size_t)b->nblocked_by * sizeof *o->blocked_by);
        } else {
            o->nblocked_by = 0;
        }
    }
    return c;
}

int ui_replay_refuse(struct app *a, const char *what)
{
    app_message(a, MSG_WARN, "%s: %s is not available on a recording", UI_REPLAY_REFUSED, what);
    return PANE_HANDLED | PANE_REDRAW;
}
