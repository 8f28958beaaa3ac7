/* record_report.h — what happened in a window of a recording, for `pgdeck
 * report`: the statements that took the most time, the sessions that blocked
 * others longest, the connection peak, throughput and the periods the
 * server was down. Summed in SQL over the snapshots taken in [from, to], so
 * a week of snapshots is read once, not moment by moment.
 *
 * Texts are as recorded (raw server bytes): escape them to show them. */
#ifndef PGDECK_RECORD_REPORT_H
#define PGDECK_RECORD_REPORT_H

#include "record/record_read.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rec_stmt_total {
    uint32_t dbid, userid;
    int64_t queryid;
    bool toplevel;
    char *database, *role, *query; /* "" / "<text not available>" when not kept */
    double calls, total_ms, rows;  /* summed deltas */
    double mean_ms;                /* total_ms / calls, NAN without calls */
    double max_ms;                 /* the largest max_ms seen (since the server's reset) */
    double share;                  /* of the window's top-level total time, 0..1 */
} rec_stmt_total;

typedef struct rec_blocker {
    int pid;
    char *role, *database, *application, *state, *query; /* at its last sighting */
    double first_seen, last_seen;                        /* snapshots in which it blocked someone */
    double blocked_s;    /* at least: the span seen, or its longest waiter's wait */
    size_t snapshots;    /* how many snapshots saw it blocking */
    size_t waiters;      /* distinct sessions that waited for it */
    size_t most_at_once; /* largest nblocking in one snapshot */
} rec_blocker;

typedef struct rec_down {
    double from, to; /* the first and last snapshot that found it down */
    double up_again; /* the next snapshot that found it up, NAN: not in the window */
    size_t snapshots;
    char *error; /* the first snapshot's error (raw), "" when none */
} rec_down;

typedef struct rec_error_count {
    char *error; /* raw */
    size_t count;
    double first, last;
} rec_error_count;

typedef struct rec_summary {
    char *server;
    double from, to;         /* the window asked for */
    size_t snapshots;        /* taken in it */
    size_t minute_snapshots; /* of which per-minute aggregates (grain 60) */
    double first, last;      /* the first and last of them, NAN when none */
    double covered_s;        /* sum of their interval_s: the time the deltas cover */
    double total_ms, calls;  /* top-level statements, all of them */
    size_t nstmt;            /* <= top, by total time */
    rec_stmt_total *stmt;
    size_t nblockers; /* <= top, longest first */
    rec_blocker *blockers;
    double peak_conn, peak_conn_at, max_conn; /* NAN when never recorded */
    double tps_min, tps_avg, tps_max;         /* tps_avg weighted by interval_s */
    size_t ndown;
    rec_down *down;
    size_t nerrors; /* errors while up (a view failed, ...) */
    rec_error_count *errors;
} rec_summary;

/* The window [from, to] of one server; top: how many statements and
 * blockers. NULL with *err when the file cannot be read (an empty window is
 * a summary with snapshots 0). */
rec_summary *rec_summary_load(rec_reader *r, size_t server, double from, double to, int top,
                              char **err);
void rec_summary_free(rec_summary *s);

#endif
