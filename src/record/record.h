/* record.h — recordings (issue 17): the writer of a recording file and the
 * headless recorder loop that `pgdeck record` and the console's `:record`
 * run. The file is SQLite; its schema (version REC_SCHEMA_VERSION) is in
 * doc/record.md and RECORD.md. SQLite itself stays behind this header (the
 * UI includes record headers but never sqlite3.h; record_db.h has it).
 *
 * The writer takes the live monitor structs as the drivers leave them
 * (monitor.h, monitor_server.h, monitor_fleet.h) and writes one snapshot of
 * one server in one transaction: a kill -9 loses at most that snapshot.
 * Texts from the server are stored as they came; escaping is the reader's
 * job at output time (termsafe). Not thread safe: one writer per thread. */
#ifndef PGDECK_RECORD_H
#define PGDECK_RECORD_H

#include "engine/engine.h"
#include "monitor/monitor.h"
#include "monitor/monitor_fleet.h"
#include "monitor/monitor_server.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REC_SCHEMA_VERSION 1

/* How a write ended. A full disk is told apart so the recorder can say so. */
typedef enum rec_status {
    REC_OK = 0,
    REC_FAILED,    /* any other failure; the message says why */
    REC_DISK_FULL, /* SQLITE_FULL, or an I/O error while writing (ENOSPC, EFBIG) */
} rec_status;

/* ---- the writer --------------------------------------------------------- */

typedef struct rec_writer rec_writer;

/* Opens (creating it if needed) a recording for writing: WAL, synchronous
 * NORMAL, foreign keys; runs the missing migration steps. NULL with *err
 * (malloc'd) for a file that is not a recording, from a newer pgdeck
 * ("FILE was written by a newer pgdeck (schema N; this pgdeck reads up to
 * 1)"), or cannot be opened. */
rec_writer *rec_writer_open(const char *path, char **err);
void rec_writer_close(rec_writer *w);
const char *rec_writer_path(const rec_writer *w);

/* The server's id, created on first use; target is the conninfo with any
 * password removed (the caller redacts). A known name keeps its id and gets
 * the new target. -1 with *err on failure (*status says which kind). */
int64_t rec_writer_server(rec_writer *w, const char *name, const char *target, rec_status *status,
                          char **err);

/* One snapshot of one server. Every pointer may be NULL (not read this time,
 * or the server is down). */
typedef struct rec_snapshot {
    int64_t server_id;
    double taken_at;   /* epoch seconds (the server's clock when known) */
    double interval_s; /* seconds the deltas cover; 0 = no deltas (the first) */
    bool up;           /* the server answered */
    const char *error; /* why not (raw server bytes), or NULL */
    int version_num;   /* 0 when unknown */
    int standby;       /* 1, 0, or -1 when unknown */
    /* pg_stat_statements with rates (mon_pgss_rates): rows whose has_rate is
     * set and whose calls delta is > 0 are written, with d[] as the deltas;
     * each (dbid, userid, queryid) text is stored once per server. */
    const mon_pgss_snap *pgss;
    const mon_activity *activity; /* client backends at that moment */
    const mon_dbstat *db;         /* with rates, or NULL */
    const mon_dbrates *rates;
    const srv_snap *views[SRV_VIEW_COUNT]; /* indexed by srv_view_id */
    const mon_fleet_member *fleet;         /* the server's Fleet line (used when m->have) */
} rec_snapshot;

/* Writes s in one transaction; *id (may be NULL) gets the snapshot's id.
 * On failure nothing of s is kept and *err (malloc'd) says why. */
rec_status rec_writer_write(rec_writer *w, const rec_snapshot *s, int64_t *id, char **err);

/* What the last rec_writer_write wrote (the -v line). */
typedef struct rec_write_counts {
    long stmts, texts, backends, view_rows;
} rec_write_counts;
const rec_write_counts *rec_writer_last(const rec_writer *w);

/* Bytes the recording uses now: pages in use (deleted rows leave free
 * pages that are reused) + the WAL. What --size-limit bounds. */
int64_t rec_writer_bytes(rec_writer *w);

/* ---- thinning (record_thin.c) -------------------------------------------- */

typedef struct rec_thin_opts {
    double now;           /* epoch seconds: the age of a snapshot is now - taken_at */
    double keep_detail_s; /* grain-0 snapshots older are folded per minute (<= 0: never) */
    double keep_s;        /* snapshots older are deleted (<= 0: never) */
    int64_t size_limit;   /* bytes; the oldest snapshots go until the file fits (0: none) */
} rec_thin_opts;

typedef struct rec_thin_result {
    long folded;  /* grain-0 snapshots folded */
    long minutes; /* grain-60 snapshots made */
    long deleted; /* snapshots deleted for age or size */
    long texts;   /* query texts no statement refers to any more, deleted */
} rec_thin_result;

/* Folds, deletes and drops orphan texts, in its own transaction (the size
 * limit deletes in further transactions and checkpoints the WAL so the file
 * can be measured). out may be NULL. */
rec_status rec_writer_thin(rec_writer *w, const rec_thin_opts *o, rec_thin_result *out, char **err);

/* ---- the recorder (recorder.c) ------------------------------------------- */

typedef struct rec_target {
    const char *name;       /* "default" for a single server, else the fleet name */
    const eng_conninfo *ci; /* how to connect (the recorder starts its own engine) */
    const char *target;     /* what the file stores: the conninfo without its password */
} rec_target;

typedef enum rec_msg_kind {
    REC_MSG_SNAPSHOT, /* one snapshot committed (the -v line) */
    REC_MSG_THIN,     /* a thinning pass did something */
    REC_MSG_WARNING,  /* a server went down, ... (recording goes on) */
    REC_MSG_ERROR,    /* recording stopped: the run returns a failure */
} rec_msg_kind;

typedef struct rec_recorder_opts {
    const char *path; /* the recording */
    const rec_target *servers;
    size_t nservers;
    const eng_pool_config *pool; /* NULL: a one-connection pool with short timeouts */
    double interval_s;           /* between snapshots (5) */
    double duration_s;           /* stop after (<= 0: until *stop) */
    int64_t size_limit;          /* bytes (0: none); the oldest go first */
    double keep_detail_s;        /* 24h */
    double keep_s;               /* 7d */
    int view_limit;              /* rows of tables/indexes per snapshot (0: 20) */
    /* messages (the -v lines, warnings, the final error), never NULL
     * strings; msg is plain text that may hold server bytes: escape it to
     * show it on a terminal. May be NULL: no messages. Called on the
     * recorder's thread. */
    void (*on_message)(void *arg, rec_msg_kind kind, const char *msg);
    void *arg;
} rec_recorder_opts;

/* Records until *stop becomes non-zero (checked between snapshots and while
 * waiting: the snapshot being written is finished first), the duration ends,
 * or a write fails. REC_DISK_FULL: the message is "recording stopped: disk
 * full (FILE)". Opening the file can fail the same ways as rec_writer_open
 * (REC_FAILED, message through on_message). */
rec_status rec_recorder_run(const rec_recorder_opts *o, atomic_int *stop);

/* Defaults of the command line, seconds. */
#define REC_DEFAULT_INTERVAL 5.0
#define REC_DEFAULT_KEEP_DETAIL (24.0 * 3600)
#define REC_DEFAULT_KEEP (7.0 * 24 * 3600)

#endif
