/* moment.h — what a pane draws when it shows a recorded moment instead of
 * live data (issue 17: `pgdeck --replay`, `:replay`). The figures have the
 * live monitors' own types, so each pane draws them with the code it draws
 * live data with; replay.c fills a ui_moment from the recording's reader
 * (record_read.h), which the panes never see.
 *
 * A moment is the app's: a pane borrows it until the next show_moment call
 * (pane.h) and copies what it keeps longer. It may reorder the rows of
 * pgss and views (its sort), nothing else. */
#ifndef PGDECK_UI_MOMENT_H
#define PGDECK_UI_MOMENT_H

#include "monitor/monitor.h"
#include "monitor/monitor_fleet.h"
#include "monitor/monitor_server.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ui_moment {
    double taken_at;   /* epoch seconds */
    double interval_s; /* seconds the deltas cover; 0: none (the first snapshot) */
    int grain;         /* 0: one snapshot; 60: a per-minute aggregate */
    bool up;           /* the server answered */
    const char *error; /* why not (raw server bytes: escape to show), or NULL */
    /* pg_stat_statements: rows with d[] (deltas over interval_s), r[],
     * has_rate, interval_mean_ms; c[] and g[] may be NAN. NULL if none. */
    mon_pgss_snap *pgss;
    const mon_activity *activity; /* NULL if none */
    bool have_db;
    mon_dbstat db;
    mon_dbrates rates;
    srv_snap *views[SRV_VIEW_COUNT]; /* NULL when that view was not recorded */
    /* the Fleet lines, each server's latest at or before taken_at (have,
     * asked, up, error, cur and tps set; no engine) */
    size_t nfleet;
    const mon_fleet_member *fleet;
    /* which of them the other panes show */
    size_t server;
} ui_moment;

/* A deep copy (mon_activity_free frees it); NULL for NULL. keep(b, ctx)
 * chooses the rows (NULL: all). */
mon_activity *ui_activity_copy(const mon_activity *a, bool (*keep)(const mon_backend *b, void *ctx),
                               void *ctx);

/* "replay: read-only" on the message line, for an action that would touch
 * the server while a pane shows a moment. Returns PANE_HANDLED. */
struct app;
int ui_replay_refuse(struct app *a, const char *what);

#define UI_REPLAY_REFUSED "replay: read-only"

#endif
