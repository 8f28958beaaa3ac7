/* record_report.c — a window of a recording summed up (record_report.h),
 * against tests/data/record/window.sql: the statements by total time with
 * the nested ones outside the total, blockers across snapshots, the
 * connection peak, weighted tps, down periods and errors, a window that
 * cuts the incident, an empty window and --top. */
#include "config.h"

#include "common/xalloc.h"
#include "record/record_db.h"
#include "record/record_report.h"
#include "tests/lib/tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pgdeck-record-report-XXXXXX";

static bool make_recording(const char *p)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/tests/lib/rec_fixture '%s' '%s/tests/data/record/window.sql'",
             PGDECK_BUILDDIR, p, PGDECK_SRCDIR);
    return system(cmd) == 0;
}

static void whole(rec_reader *r)
{
    char *err = NULL;
    rec_summary *s = rec_summary_load(r, 0, 2000, 2030, 10, &err);
    if (!ok(s != NULL, "the whole recording")) {
        diag("%s", err);
        return;
    }
    is_str(s->server, "default", "server name");
    ok(s->snapshots == 7 && s->minute_snapshots == 0 && s->first == 2000 && s->last == 2030 &&
           s->covered_s == 30,
       "7 snapshots, 2000 to 2030, 30 s of deltas");
    ok(s->total_ms == 8250 && s->calls == 1208, "total: top-level statements only (%g ms, %g)",
       s->total_ms, s->calls);
    if (ok(s->nstmt == 4, "four statements")) {
        const rec_stmt_total *t = &s->stmt[0];
        ok(t->queryid == 111 && t->calls == 7 && t->total_ms == 8000 && t->rows == 7 &&
               t->max_ms == 2000,
           "the heaviest first, summed over the snapshots");
        ok(fabs(t->mean_ms - 8000.0 / 7) < 1e-9 && fabs(t->share - 8000.0 / 8250) < 1e-9,
           "its mean and share");
        ok(strstr(t->query, "\n  WHERE id = $2") != NULL && strcmp(t->role, "alice") == 0,
           "its whole text and role");
        ok(s->stmt[1].queryid == 444 && !s->stmt[1].toplevel, "a nested statement, marked");
        ok(s->stmt[2].queryid == 222 && s->stmt[2].calls == 1200, "the most called, third");
        ok(s->stmt[3].queryid == 555 && strchr(s->stmt[3].query, 27) != NULL,
           "a hostile text kept raw (escaping is the output's job)");
    }
    if (ok(s->nblockers == 2, "two blockers")) {
        const rec_blocker *b = &s->blockers[0];
        ok(b->pid == 200 && b->first_seen == 2000 && b->last_seen == 2010 && b->snapshots == 3,
           "pid 200, seen blocking in 3 snapshots");
        ok(b->waiters == 2 && b->most_at_once == 2, "2 sessions waited, 2 at once");
        ok(b->blocked_s == 14, "blocked at least its longest waiter's wait (%g)", b->blocked_s);
        is_str(b->state, "idle in transaction", "its state");
        is_str(b->query, "LOCK TABLE accounts", "its query");
        is_str(b->role, "alice", "its role");
        ok(s->blockers[1].pid == 300 && s->blockers[1].blocked_s == 3 &&
               s->blockers[1].waiters == 1,
           "then pid 300");
    }
    ok(s->peak_conn == 9 && s->peak_conn_at == 2005 && s->max_conn == 100,
       "peak connections: the first time at the peak");
    ok(s->tps_min == 10 && s->tps_max == 30 && s->tps_avg == 20, "tps min/avg/max");
    if (ok(s->ndown == 2, "two down periods")) {
        ok(s->down[0].from == 2015 && s->down[0].to == 2020 && s->down[0].up_again == 2025 &&
               s->down[0].snapshots == 2 && strcmp(s->down[0].error, "connection refused") == 0,
           "the first: 2015-2020, up again at 2025, its first error");
        ok(s->down[1].from == 2030 && isnan(s->down[1].up_again),
           "the second lasts to the window's end");
    }
    ok(s->nerrors == 1 && s->errors[0].count == 1 && strstr(s->errors[0].error, "permission"),
       "an error while up");
    rec_summary_free(s);
}

static void windows(rec_reader *r)
{
    char *err = NULL;
    rec_summary *s = rec_summary_load(r, 0, 2005, 2010, 10, &err);
    if (ok(s && s->snapshots == 2, "a window inside the incident")) {
        ok(s->nblockers == 2 && s->blockers[0].first_seen == 2005 && s->blockers[0].snapshots == 2,
           "the blocker as seen in the window");
        ok(s->ndown == 0 && s->nerrors == 0, "no down period in it");
    }
    rec_summary_free(s);

    s = rec_summary_load(r, 0, 2011, 2014, 10, &err);
    ok(s && s->snapshots == 0 && s->nstmt == 0 && s->nblockers == 0 && isnan(s->peak_conn) &&
           isnan(s->tps_avg) && s->ndown == 0 && isnan(s->first),
       "an empty window: nothing, no error");
    rec_summary_free(s);

    s = rec_summary_load(r, 0, 2000, 2030, 1, &err);
    ok(s && s->nstmt == 1 && s->nblockers == 1 && s->stmt[0].queryid == 111 &&
           s->blockers[0].pid == 200,
       "top 1");
    rec_summary_free(s);

    s = rec_summary_load(r, 1, 0, 1e10, 10, &err);
    ok(s && s->snapshots == 1 && strcmp(s->server, "other") == 0 && s->nstmt == 0,
       "the other server's own snapshots");
    rec_summary_free(s);

    s = rec_summary_load(r, 5, 0, 1e10, 10, &err);
    ok(!s && err && strstr(err, "no server"), "an unknown server index");
    free(err);
}

int main(void)
{
    plan_no_plan();
    if (!mkdtemp(dir))
        return 1;
    char path[300];
    snprintf(path, sizeof path, "%s/window.db", dir);
    if (!ok(make_recording(path), "the fixture recording"))
        return done_testing();
    char *err = NULL;
    rec_reader *r = rec_reader_open(path, &err);
    if (!ok(r != NULL, "open")) {
        diag("%s", err);
        return done_testing();
    }
    whole(r);
    windows(r);
    rec_reader_close(r);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    return done_testing();
}
