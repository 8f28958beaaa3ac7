/* record_read.h — reading a recording (issue 17): the moments the replay
 * draws and the servers and times it steps through. SQLite stays behind
 * this header (the console includes it, never sqlite3.h).
 *
 * The file is opened read-only, so a recording that `pgdeck record` is still
 * writing (WAL) can be read at the same time; each rec_moment_load reads in
 * one read transaction and so sees whole snapshots only. A file from a newer
 * pgdeck, one that is not SQLite or not a recording, is refused with a
 * message that names it. Times are epoch seconds (snapshot.taken_at).
 *
 * A moment is made of the live monitor structs (monitor.h), so the panes
 * draw it with their own code and free it with the monitors' functions:
 *   pgss      rows with d[] = the stored deltas, r[] = d / interval_s,
 *             has_rate (interval_s > 0), c[] = d[] too (the recording keeps
 *             the interval's figures, not the totals since the server's
 *             reset), g[MG_MAX_MS] = the stored max_ms, g[MG_MEAN_MS] =
 *             interval_mean_ms; query/database/user from query_text
 *             ("<text not available>" when the text was not kept); sorted
 *             by total time; taken_at is the epoch, not the monotonic clock
 *   activity  the backends, longest running first (as mon_activity_sql),
 *             blocked_by parsed, nblocking as recorded, own false
 *   views     srv_snap per recorded view, cells from the stored JSON object
 *             (srv_col.key -> value, "<key>_per_s" -> rate); a key missing
 *             from the object is an absent column ("n/a")
 *   fleet     one line per server of the file, index = server, each
 *             server's latest snapshot at or before the moment (up false
 *             and error "not recorded yet" before its first)
 * Not thread safe: one reader per thread. */
#ifndef PGDECK_RECORD_READ_H
#define PGDECK_RECORD_READ_H

#include "monitor/monitor.h"
#include "monitor/monitor_fleet.h"
#include "monitor/monitor_server.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct rec_reader rec_reader;

/* Read-only; NULL with *err (malloc'd) for a missing or unreadable file, a
 * file that is not a recording, or one from a newer pgdeck ("FILE was
 * written by a newer pgdeck (schema N; this pgdeck reads up to 1)"). */
rec_reader *rec_reader_open(const char *path, char **err);
void rec_reader_close(rec_reader *r);

/* The servers, in the order they were first recorded: *names[i] is server
 * i's name ("default" for a single server). Read at open. */
size_t rec_reader_servers(rec_reader *r, const char *const **names);

/* First and last taken_at of a server; false when it has no snapshot. */
bool rec_reader_range(rec_reader *r, size_t server, double *first, double *last);

/* The snapshot time at or before t (dir 0), the one before (dir -1) or
 * after (dir +1) the snapshot at t; false when there is none. Stepping with
 * -1/+1 from a time seek returned visits every snapshot once. */
bool rec_reader_seek(rec_reader *r, size_t server, double t, int dir, double *at);

typedef struct rec_fleet_line {
    char *name;
    bool up;
    char *error; /* raw server bytes (escape to show), NULL when none */
    bool standby;
    int version_num;
    mon_fleet_sample s; /* xacts NAN: the recording keeps tps */
    double tps;
    double taken_at; /* NAN before the server's first snapshot */
} rec_fleet_line;

typedef struct rec_moment {
    double taken_at, interval_s; /* interval_s 0: the first snapshot, no deltas */
    int grain;                   /* 0 one snapshot, 60 a per-minute aggregate */
    bool up;
    char *error;            /* NULL when none */
    mon_pgss_snap *pgss;    /* NULL when the snapshot has no statement row */
    mon_activity *activity; /* NULL when it has no backend row */
    bool have_db;
    mon_dbstat db; /* now_s = taken_at; cumulative fields as recorded */
    mon_dbrates rates;
    double connections, max_connections; /* from dbstat, NAN when unknown */
    srv_snap *views[SRV_VIEW_COUNT];     /* NULL when that view was not recorded */
    size_t nfleet;
    rec_fleet_line *fleet; /* each server's latest at or before taken_at */
} rec_moment;

/* The moment of `server` at or before `at` (pass a time from rec_reader_seek
 * for that snapshot exactly). NULL with *err when there is none or the file
 * cannot be read. */
rec_moment *rec_moment_load(rec_reader *r, size_t server, double at, char **err);
void rec_moment_free(rec_moment *m);

#endif
