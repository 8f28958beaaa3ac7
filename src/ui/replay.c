/* replay.c — a recording open in the console (replay.h): the reader, the
 * server shown, and the moment under the cursor as the panes' ui_moment.
 *
 * The moment before the current one is kept until the next move, so a
 * pane handed the new moment can still read the old one (its cursor's
 * statement) while it switches. */
#include "ui/replay.h"
#include "record/record_read.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ui_replay {
    char *path;
    rec_reader *rd;
    size_t server;
    double first, last;    /* the shown server's span */
    rec_moment *cur, *old; /* old: see the top of the file */
    ui_moment view;
    mon_fleet_member *fleet, *old_fleet;
};

static void fleet_free(mon_fleet_member *f)
{
    free(f); /* the members' strings are the rec_moment's */
}

/* The ui_moment of r->cur: pointers into it, and Fleet lines as the
 * Fleet pane's members (answered, no engine). */
static void build_view(ui_replay *r)
{
    rec_moment *m = r->cur;
    ui_moment *v = &r->view;
    memset(v, 0, sizeof *v);
    v->taken_at = m->taken_at;
    v->interval_s = m->interval_s;
    v->grain = m->grain;
    v->up = m->up;
    v->error = m->error;
    v->pgss = m->pgss;
    v->activity = m->activity;
    v->have_db = m->have_db;
    v->db = m->db;
    v->rates = m->rates;
    for (int i = 0; i < SRV_VIEW_COUNT; i++)
        v->views[i] = m->views[i];
    fleet_free(r->old_fleet);
    r->old_fleet = r->fleet;
    r->fleet = xcalloc(m->nfleet ? m->nfleet : 1, sizeof *r->fleet);
    for (size_t i = 0; i < m->nfleet; i++) {
        const rec_fleet_line *l = &m->fleet[i];
        mon_fleet_member *f = &r->fleet[i];
        f->name = l->name;
        f->have = !isnan(l->taken_at);
        f->asked = true;
        f->up = l->up;
        f->error = l->error;
        f->cur = l->s;
        f->tps = l->tps;
    }
    v->nfleet = m->nfleet;
    v->fleet = r->fleet;
    v->server = r->server;
}

/* Loads the snapshot at `at` of the shown server as the current moment. */
static bool load(ui_replay *r, double at, char **err)
{
    rec_moment *m = rec_moment_load(r->rd, r->server, at, err);
    if (!m)
        return false;
    rec_moment_free(r->old);
    r->old = r->cur;
    r->cur = m;
    build_view(r);
    return true;
}

static bool load_span(ui_replay *r, size_t server, char **err)
{
    const char *const *names;
    size_t n = rec_reader_servers(r->rd, &names);
    if (server >= n || !rec_reader_range(r->rd, server, &r->first, &r->last)) {
        *err = xasprintf("%s: no snapshot of server %s", r->path, server < n ? names[server] : "?");
        return false;
    }
    return true;
}

ui_replay *ui_replay_open(const char *path, char **err)
{
    *err = NULL;
    rec_reader *rd = rec_reader_open(path, err);
    if (!rd)
        return NULL;
    ui_replay *r = xcalloc(1, sizeof *r);
    r->path = xstrdup(path);
    r->rd = rd;
    const char *const *names;
    size_t n = rec_reader_servers(rd, &names);
    /* the first server with a snapshot */
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        if (rec_reader_range(rd, i, &r->first, &r->last)) {
            r->server = i;
            found = true;
        }
    if (!found) {
        *err = xasprintf("%s: the recording holds no snapshot yet", path);
        ui_replay_close(r);
        return NULL;
    }
    if (!load(r, r->last, err)) {
        ui_replay_close(r);
        return NULL;
    }
    return r;
}

void ui_replay_close(ui_replay *r)
{
    if (!r)
        return;
    rec_moment_free(r->cur);
    rec_moment_free(r->old);
    fleet_free(r->fleet);
    fleet_free(r->old_fleet);
    rec_reader_close(r->rd);
    free(r->path);
    free(r);
}

const char *ui_replay_path(const ui_replay *r)
{
    return r->path;
}

size_t ui_replay_servers(ui_replay *r, const char *const **names)
{
    return rec_reader_servers(r->rd, names);
}

size_t ui_replay_server(const ui_replay *r)
{
    return r->server;
}

bool ui_replay_select(ui_replay *r, size_t server, char **err)
{
    *err = NULL;
    if (server == r->server)
        return true;
    size_t before = r->server;
    double first = r->first, last = r->last;
    r->server = server;
    if (!load_span(r, server, err)) {
        r->server = before;
        r->first = first;
        r->last = last;
        return false;
    }
    double at, t = r->cur->taken_at;
    if (!rec_reader_seek(r->rd, server, t, 0, &at))
        at = r->first; /* that server started later: its first snapshot */
    if (!load(r, at, err)) {
        r->server = before;
        r->first = first;
        r->last = last;
        return false;
    }
    return true;
}

bool ui_replay_seek(ui_replay *r, ui_seek how, double arg, char **err)
{
    *err = NULL;
    double now = r->cur->taken_at, at = now;
    ui_replay_refresh_span(r); /* a recorder still writing: the span grows */
    bool ok = false;
    switch (how) {
    case UI_SEEK_PREV:
        ok = rec_reader_seek(r->rd, r->server, now, -1, &at);
        break;
    case UI_SEEK_NEXT:
        ok = rec_reader_seek(r->rd, r->server, now, +1, &at);
        break;
    case UI_SEEK_FIRST:
        at = r->first;
        ok = at < now;
        break;
    case UI_SEEK_LAST:
        at = r->last;
        ok = at > now;
        break;
    case UI_SEEK_BY:
        if (arg < 0) {
            /* at or before the target; before the first: the first */
            if (!rec_reader_seek(r->rd, r->server, now + arg, 0, &at))
                at = r->first;
            if (at >= now)
                ok = rec_reader_seek(r->rd, r->server, now, -1, &at);
            else
                ok = true;
        } else {
            /* at or before the target, but at least the next one (a gap) */
            ok = rec_reader_seek(r->rd, r->server, now + arg, 0, &at) && at > now;
            if (!ok)
                ok = rec_reader_seek(r->rd, r->server, now, +1, &at);
        }
        break;
    case UI_SEEK_AT:
        if (!rec_reader_seek(r->rd, r->server, arg, 0, &at))
            at = r->first; /* before the recording began: its first snapshot */
        ok = true;
        break;
    }
    if (!ok)
        return false;
    return load(r, at, err);
}

ui_moment *ui_replay_moment(ui_replay *r)
{
    return &r->view;
}

void ui_replay_span(const ui_replay *r, double *first, double *last)
{
    *first = r->first;
    *last = r->last;
}

void ui_replay_refresh_span(ui_replay *r)
{
    double first, last;
    if (rec_reader_range(r->rd, r->server, &first, &last)) {
        r->first = first;
        r->last = last;
    }
}
