/* replay_seek.c — the console's recording cursor (src/ui/replay.c) on a
 * file written through the writer (record.h): where each key lands (one
 * snapshot, a minute across a gap, the ends, a time before the first), the
 * moment it hands the panes (Fleet lines as answered members), another
 * server at the same time, and the copy of a session list the panes keep
 * (moment.c). No server, no terminal. */
#include "config.h"

#include "record/record.h"
#include "ui/replay.h"
#include "common/xalloc.h"
#include "tests/lib/tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pgdeck-replay-seek-XXXXXX";

static bool write_at(rec_writer *w, int64_t server, double t, bool up)
{
    rec_snapshot s = {.server_id = server,
                      .taken_at = t,
                      .interval_s = 5,
                      .up = up,
                      .error = up ? NULL : "connection refused",
                      .standby = -1};
    char *err = NULL;
    rec_status st = rec_writer_write(w, &s, NULL, &err);
    if (st != REC_OK)
        diag("write %.0f: %s", t, err);
    free(err);
    return st == REC_OK;
}

static double at(ui_replay *r)
{
    return ui_replay_moment(r)->taken_at;
}

static bool keep_active(const mon_backend *b, void *ctx)
{
    (void)ctx;
    return strcmp(b->state, "active") == 0;
}

int main(void)
{
    if (!mkdtemp(dir))
        skip_all("mkdtemp");
    char path[300];
    snprintf(path, sizeof path, "%s/rec.db", dir);
    char *err = NULL;
    rec_writer *w = rec_writer_open(path, &err);
    ok(w != NULL, "a recording to write (%s)", err ? err : "");
    rec_status st;
    int64_t a = rec_writer_server(w, "primary", "host=a", &st, &err);
    int64_t b = rec_writer_server(w, "replica", "host=b", &st, &err);
    /* primary: 1000 1005 1010, a gap, 1100 (down); replica: 1007 */
    bool good = write_at(w, a, 1000, true) && write_at(w, a, 1005, true) &&
                write_at(w, a, 1010, true) && write_at(w, a, 1100, false) &&
                write_at(w, b, 1007, true);
    ok(good, "five snapshots of two servers");
    rec_writer_close(w);

    ui_replay *r = ui_replay_open(path, &err);
    ok(r != NULL, "opened (%s)", err ? err : "");
    if (!r)
        return done_testing();
    is_int((int)at(r), 1100, "it opens on the last snapshot of the first server");
    ok(!ui_replay_moment(r)->up, "... which was down");
    double first, last;
    ui_replay_span(r, &first, &last);
    ok(first == 1000 && last == 1100, "its span");
    is_int((int)ui_replay_moment(r)->nfleet, 2, "a Fleet line per server");
    const mon_fleet_member *f = ui_replay_moment(r)->fleet;
    ok(f[0].asked && !f[0].up && f[0].error && strstr(f[0].error, "refused"),
       "the primary's line: down, with its error");
    is_str(f[1].name, "replica", "the replica's line");
    ok(f[1].have && f[1].up, "... up, its latest at or before 1100 (1007)");

    ok(!ui_replay_seek(r, UI_SEEK_NEXT, 0, &err) && !err,
       "nothing after the last: false, no error");
    ok(ui_replay_seek(r, UI_SEEK_PREV, 0, &err), ", one back");
    is_int((int)at(r), 1010, "... 1010");
    ok(ui_replay_seek(r, UI_SEEK_BY, 60, &err), "> a minute forward");
    is_int((int)at(r), 1100,
           "... across the gap: the next snapshot, 1100 (none at or before 1070 after 1010)");
    ok(ui_replay_seek(r, UI_SEEK_BY, -60, &err), "< a minute back");
    is_int((int)at(r), 1010, "... the snapshot at or before 1040: 1010");
    ok(ui_replay_seek(r, UI_SEEK_BY, -600, &err), "[ ten minutes back");
    is_int((int)at(r), 1000, "... before the first: the first");
    ok(!ui_replay_seek(r, UI_SEEK_BY, -60, &err) && !err, "< at the first: false, no error");
    ok(!ui_replay_seek(r, UI_SEEK_FIRST, 0, &err), "{ at the first: false");
    ok(ui_replay_seek(r, UI_SEEK_LAST, 0, &err), "} the last");
    is_int((int)at(r), 1100, "... 1100");
    ok(ui_replay_seek(r, UI_SEEK_AT, 1007.5, &err), "a typed time");
    is_int((int)at(r), 1005, "... the snapshot at or before it");
    ok(ui_replay_seek(r, UI_SEEK_AT, 10, &err), "a time before the recording");
    is_int((int)at(r), 1000, "... its first snapshot");

    ok(ui_replay_seek(r, UI_SEEK_AT, 1010, &err) && ui_replay_select(r, 1, &err), "the replica");
    is_int((int)ui_replay_server(r), 1, "... shown");
    is_int((int)at(r), 1007, "... at or before the time shown: 1007");
    ui_replay_span(r, &first, &last);
    ok(first == 1007 && last == 1007, "... its own span");
    is_int((int)ui_replay_moment(r)->server, 1, "the moment names the server the panes show");
    ok(ui_replay_select(r, 0, &err), "back to the primary");
    is_int((int)at(r), 1005, "... at or before 1007: 1005");
    ui_replay_close(r);

    /* the copy the Slow and Activity panes keep */
    mon_activity *src = xcalloc(1, sizeof *src);
    src->n = 2;
    src->rows = xcalloc(2, sizeof *src->rows);
    for (int i = 0; i < 2; i++) {
        mon_backend *bk = &src->rows[i];
        bk->pid = i + 1;
        bk->database = xstrdup("d");
        bk->user = xstrdup("u");
        bk->application = xstrdup("");
        bk->client = xstrdup("");
        bk->state = xstrdup(i == 0 ? "active" : "idle");
        bk->wait_type = xstrdup(i == 0 ? "Lock" : "");
        bk->wait_event = xstrdup(i == 0 ? "tuple" : "");
        bk->backend_type = xstrdup("");
        bk->query = xstrdup(i == 0 ? "update t" : "");
        bk->backend_start = xstrdup("");
    }
    src->rows[0].blocked_by = xmalloc(sizeof(int));
    src->rows[0].blocked_by[0] = 2;
    src->rows[0].nblocked_by = 1;
    mon_activity *c = ui_activity_copy(src, keep_active, NULL);
    is_int((int)c->n, 1, "the copy keeps the rows asked for");
    ok(c->rows[0].query != src->rows[0].query && strcmp(c->rows[0].query, "update t") == 0,
       "its own strings");
    ok(c->rows[0].blocked_by != src->rows[0].blocked_by && c->rows[0].blocked_by[0] == 2,
       "its own blockers");
    mon_activity_free(src);
    mon_activity_free(c);
    ok(ui_activity_copy(NULL, NULL, NULL) == NULL, "no list, no copy");

    unlink(path);
    char side[320];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    rmdir(dir);
    free(err);
    return done_testing();
}
