/* engine.h — the engine's public API: the one contract between the
 * background libpq thread and everything above it (CLI, console, tests).
 *
 * Threading: engine_start() spawns ONE thread that owns every PGconn. Callers
 * submit requests with the eng_* functions below (any thread, never blocks)
 * and receive typed events through one queue whose fd is readable when an
 * event waits (eng_event_fd / eng_event_next / eng_event_wait). Events carry
 * results as eng_result handles; the receiver owns what an event carries and
 * frees it with eng_event_free(). Stats are published as snapshots copied out
 * under a lock (eng_stats_get). Nothing here includes libpq-fe.h. */
#ifndef PGDECK_ENGINE_H
#define PGDECK_ENGINE_H

#include "common/pool_defaults.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct engine engine;
typedef struct eng_result eng_result; /* opaque: owns a server result */
typedef uint64_t eng_id;              /* request id, > 0, unique per engine */
typedef uint32_t eng_session;         /* pinned-connection handle, > 0 */

/* ------------------------------------------------------------------------
 * Connection parameters: libpq keywords and values, copied. */
typedef struct eng_conninfo eng_conninfo;

eng_conninfo *eng_conninfo_new(void);
void eng_conninfo_free(eng_conninfo *ci);
/* Sets (or replaces) a libpq keyword; value NULL removes it. A "dbname" may be
 * a conninfo string or URI: it is expanded as libpq's expand_dbname does. */
void eng_conninfo_set(eng_conninfo *ci, const char *key, const char *value);
const char *eng_conninfo_get(const eng_conninfo *ci, const char *key);
/* Validates keywords and syntax with libpq; on failure returns false and a
 * malloc'd message in *err. */
bool eng_conninfo_check(const eng_conninfo *ci, char **err);
/* "user@host:port/dbname" for display: never contains a password (fields
 * libpq marks with dispchar '*' are masked). malloc'd. */
char *eng_conninfo_display(const eng_conninfo *ci);
eng_conninfo *eng_conninfo_dup(const eng_conninfo *ci);

/* ------------------------------------------------------------------------
 * Pool configuration (psycopg_pool names). Times in seconds. */
typedef struct eng_pool_config {
    /* min_size, max_size, timeout, …: their list and defaults are in
     * common/pool_defaults.h */
    // clang-format off
    POOL_SETTINGS_FIELDS
    // clang-format on
    double slow_threshold_ms; /* 50: executions slower go to the slow log */
    size_t slowlog_size;      /* 256 entries in the ring */
    /* Server settings every connection gets at connect ("-c name=value" in
     * libpq's options, after the user's own; application_name as its own
     * parameter). Read by engine_start only: the caller keeps them. */
    int nsession;
    const char *const *session_names;
    const char *const *session_values;
} eng_pool_config;

void eng_pool_config_defaults(eng_pool_config *cfg);

/* ------------------------------------------------------------------------
 * Lifecycle. */

/* Starts the engine thread and the pool's min_size connections (in the
 * background: returns at once). NULL and *err on a bad conninfo. The engine
 * keeps its own copies of ci and cfg. */
engine *engine_start(const eng_conninfo *ci, const eng_pool_config *cfg, char **err);
/* Cancels what runs, closes every connection, joins the thread, frees
 * undelivered events. Safe with requests in flight. */
void engine_stop(engine *e);

/* Waits until the pool has one usable connection or connecting failed for
 * good (wrong password, bad host, reconnect_timeout). Returns true when a
 * connection is up; else fills *err (malloc'd, libpq's message).
 * For the CLI's exit code 3. */
bool engine_wait_ready(engine *e, int timeout_ms, char **err);
/* True when engine_wait_ready's error is the server refusing a setting of
 * the startup options (a bad [session] name or value): a usage error, not a
 * connection failure. */
bool engine_refused_setting(const char *connect_error);
/* Replaces the server settings (as eng_pool_config's session_*; copied):
 * new connections get them, idle ones are closed and reopened, borrowed
 * ones (a transaction in the editor) are closed when they come back. */
void eng_pool_set_session(engine *e, int n, const char *const *names, const char *const *values);
/* libpq's "options" for the settings: user_options (may be NULL) first,
 * then "-c name=value" for each but application_name, with white space
 * and backslashes escaped as the server's parser wants (malloc'd). */
char *session_options_build(const char *user_options, int n, const char *const *names,
                            const char *const *values);

/* Keeps the engine thread on one CPU (a load spread over several engines,
 * one per CPU): the backends it wakes then run beside it instead of across
 * CPUs. false when the system refuses. */
bool engine_pin_cpu(engine *e, int cpu);

/* ------------------------------------------------------------------------
 * Errors, as the server (or libpq) reported them. All strings may be NULL
 * except message. */
typedef struct eng_error {
    char *message;  /* primary message, one line, no "ERROR:" prefix */
    char *severity; /* ERROR, FATAL, ... */
    char *sqlstate; /* five characters */
    char *detail;
    char *hint;
    char *context;
    int position;   /* 1-based character offset into the statement, 0 = none */
    bool conn_lost; /* the connection broke: the statement's outcome is unknown */
} eng_error;

eng_error *eng_error_dup(const eng_error *err);
void eng_error_free(eng_error *err);
/* Makes an error with just a message (client-side errors). */
eng_error *eng_error_new(const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------
 * Results. A result set, a command completion, or an error. */
typedef enum eng_res_status {
    ENG_RES_COMMAND,          /* command ok, no rows (INSERT/UPDATE/DDL...) */
    ENG_RES_TUPLES,           /* rows (possibly zero) */
    ENG_RES_ROWS_PARTIAL,     /* streaming: a batch of rows, more will follow */
    ENG_RES_ERROR,            /* see eng_result_error */
    ENG_RES_PIPELINE_ABORTED, /* skipped: an earlier statement in the pipeline failed */
    ENG_RES_EMPTY,            /* empty query */
    ENG_RES_COPY_IN,          /* server waits for COPY data */
} eng_res_status;

/* Column kinds for alignment and JSON typing, classified from the type OID. */
typedef enum eng_col_kind {
    ENG_COL_TEXT,
    ENG_COL_NUMBER, /* int2/4/8, oid, numeric, float4/8 */
    ENG_COL_BOOL,
    ENG_COL_JSON, /* json, jsonb */
} eng_col_kind;

eng_res_status eng_result_status(const eng_result *r);
int eng_result_nrows(const eng_result *r);
int eng_result_ncols(const eng_result *r);
const char *eng_result_colname(const eng_result *r, int col);
eng_col_kind eng_result_colkind(const eng_result *r, int col);
uint32_t eng_result_coltype(const eng_result *r, int col); /* type OID */
bool eng_result_isnull(const eng_result *r, int row, int col);
const char *eng_result_value(const eng_result *r, int row, int col); /* "" when NULL */
int eng_result_length(const eng_result *r, int row, int col);
const char *eng_result_cmdstatus(const eng_result *r);  /* "INSERT 0 1" */
uint64_t eng_result_cmdtuples(const eng_result *r);     /* rows affected */
const eng_error *eng_result_error(const eng_result *r); /* NULL unless ERROR */
/* True for the rows of a COPY TO STDOUT: one column, one data line per row. */
bool eng_result_is_copy_out(const eng_result *r);
void eng_result_free(eng_result *r);

/* ------------------------------------------------------------------------
 * Requests. Each returns the request's id at once; the outcome arrives as
 * events with that id: zero or more EV_RESULT / EV_NOTICE, then exactly one
 * EV_DONE. Strings and params are copied. */

enum eng_exec_flags {
    ENG_EXEC_STREAM = 1 << 0,    /* rows in batches (ENG_RES_ROWS_PARTIAL) as they arrive */
    ENG_EXEC_NOPREPARE = 1 << 1, /* never prepare this text (one-off statements) */
    ENG_EXEC_SIMPLE = 1 << 2,    /* simple query protocol: may hold several statements,
                                    no params, never prepared */
    ENG_EXEC_NOMETRICS = 1 << 3, /* keep out of per-statement metrics (monitors) */
    ENG_EXEC_COPY_RAW = 1 << 4,  /* COPY TO STDOUT rows keep their bytes exactly, the
                                    line's '\n' included (`pgdeck run` writes them out) */
    ENG_EXEC_BINARY = 1 << 5,    /* results in binary where every column decodes exactly
                                    (bindecode.c), else text; delivered as text */
};

typedef struct eng_exec_args {
    const char *sql;
    int nparams;               /* $1..$n, bound server-side */
    const char *const *params; /* NULL entries are SQL NULL */
    eng_session session;       /* 0: any pooled connection, returned after */
    unsigned flags;            /* eng_exec_flags */
    int stream_batch;          /* rows per partial result when streaming (default 1000) */
    uint64_t row_limit;        /* stop after this many rows (0 = no cap) */
    const char *tag;           /* free-form label, copied into events (may be NULL) */
} eng_exec_args;

eng_id eng_exec(engine *e, const eng_exec_args *args);

/* Sessions pin one pool connection across requests (a transaction in the
 * editor, a script in `pgdeck run -f`). The connection is checked out on the
 * first request and returned (reset) by eng_session_close. Closing gives up
 * what has not finished: queued requests end canceled; a request still
 * running (a statement, a COPY never ended) is canceled on the server, ends
 * with ENG_DONE_CONN (outcome unknown) and its connection is discarded
 * (returns_bad). Close after the last EV_DONE to keep everything. */
eng_session eng_session_open(engine *e);
void eng_session_close(engine *e, eng_session s);
/* As eng_session_close, but the pinned connection is closed instead of going
 * back to the pool: for a session that ran code the console does not trust
 * (another role's statement, EXPLAIN from the Slow pane), so nothing it left
 * on the connection (settings, temp objects, prepared statements, session
 * locks) reaches a later borrower. */
void eng_session_discard(engine *e, eng_session s);

/* Cancels a request: on the server when it runs (without blocking the engine
 * thread), or dequeued when it still waits. Its EV_DONE says canceled. A
 * cancel never reaches another checkout of the same connection. */
void eng_cancel(engine *e, eng_id id);

/* Pipeline mode: the statements are sent in libpq pipeline mode on one
 * connection, one sync at the end (an implicit transaction) or one after each
 * statement. One EV_PIPE_STMT per statement, in order, then EV_DONE. */
typedef enum eng_pipe_sync { ENG_SYNC_END, ENG_SYNC_EACH } eng_pipe_sync;
typedef struct eng_pipeline_args {
    int nstmts;
    const char *const *sqls;
    const int *nparams; /* may be NULL: no params anywhere */
    const char *const *const *params;
    eng_pipe_sync sync;
    eng_session session;
    const char *tag;
} eng_pipeline_args;
eng_id eng_pipeline(engine *e, const eng_pipeline_args *args);

typedef enum eng_stmt_outcome {
    ENG_OUT_OK,          /* result arrived and its transaction committed (or is open) */
    ENG_OUT_ERROR,       /* this statement failed */
    ENG_OUT_ABORTED,     /* skipped after an earlier error (PGRES_PIPELINE_ABORTED) */
    ENG_OUT_ROLLED_BACK, /* ran, but its implicit transaction aborted later */
    ENG_OUT_UNKNOWN,     /* connection lost before the outcome was known */
    ENG_OUT_REFUSED,     /* not allowed in a pipeline (COPY, several statements...): the
                            whole pipeline is then refused before anything is sent */
    ENG_OUT_NOT_SENT,    /* not sent because another statement was refused */
} eng_stmt_outcome;
const char *eng_stmt_outcome_name(eng_stmt_outcome o); /* "ok", "error", ... */

/* Pool control (console actions); results visible in the stats. */
void eng_pool_resize(engine *e, int min_size, int max_size); /* -1 keeps a bound */
void eng_pool_check(engine *e);                              /* check every idle connection now */
void eng_pool_recycle(engine *e); /* replace every connection (borrowed ones on return) */

/* Load generator inside the engine: `clients` concurrent requesters through
 * the pool, each running the statements `repeat` times (or for `seconds`).
 * Progress in the stats; EV_DONE with a summary in ev->load. */
typedef struct eng_load_args {
    int clients;
    long repeat;    /* per client; 0 = until seconds elapse or canceled */
    double seconds; /* 0 = no time bound */
    int nstmts;
    const char *const *sqls;
    /* a statement whose connection is lost mid-flight is sent again on
     * another connection, up to this many times; only for statements the
     * server guarantees read-only (run --retry-read-only), else 0: an
     * outcome unknown is never repeated blindly */
    int retry_lost;
    const char *tag;
} eng_load_args;
eng_id eng_load(engine *e, const eng_load_args *args);

/* ------------------------------------------------------------------------
 * COPY FROM STDIN. The caller streams data; the engine sends it
 * non-blocking. eng_copy_begin runs `sql` (a COPY ... FROM STDIN) on the
 * session's connection (0: a dedicated pooled one). Data chunks are queued
 * with eng_copy_data (the engine takes ownership of buf, a malloc'd block);
 * the caller keeps at most a few MB in flight by watching
 * eng_copy_pending_bytes(). eng_copy_end finishes (errmsg NULL) or aborts
 * (PQputCopyEnd with errmsg). EV_DONE carries rows copied or the error. */
eng_id eng_copy_begin(engine *e, eng_session s, const char *sql, const char *tag);
void eng_copy_data(engine *e, eng_id copy, char *buf, size_t len);
void eng_copy_end(engine *e, eng_id copy, const char *errmsg);
size_t eng_copy_pending_bytes(engine *e, eng_id copy);

/* ------------------------------------------------------------------------
 * Events. */
typedef enum eng_ev_kind {
    EV_RESULT,    /* ev->result: one result set or a streamed batch */
    EV_NOTICE,    /* ev->error holds the NOTICE/WARNING fields */
    EV_PIPE_STMT, /* ev->stmt_index, ev->outcome, ev->result (may be NULL) */
    EV_DONE,      /* the request ended: ev->status, ev->error */
    EV_POOL,      /* the pool changed state (connected, lost, gave up): redraw */
} eng_ev_kind;

typedef enum eng_done_status {
    ENG_DONE_OK,
    ENG_DONE_ERROR,    /* SQL or data error: ev->error */
    ENG_DONE_CANCELED, /* eng_cancel or user abort */
    ENG_DONE_TIMEOUT,  /* no pool connection within `timeout` */
    ENG_DONE_REFUSED,  /* max_waiting reached, or refused before sending */
    ENG_DONE_CONN,     /* connection lost / cannot connect: outcome unknown */
} eng_done_status;

typedef struct eng_latency eng_latency; /* a load's raw latency histogram */

typedef struct eng_load_summary {
    uint64_t executed, errors;
    uint64_t retried; /* statements sent again after a lost connection */
    double seconds;   /* wall time */
    double p50_ms, p95_ms, p99_ms, max_ms;
    eng_latency *latency; /* owned by the event (or by a merged summary) */
} eng_load_summary;

/* Adds src (the summary of one eng_load) into dst, for one load spread over
 * several engines (`pgdeck run --jobs`): counts summed, latency histograms
 * merged and the percentiles recomputed, seconds the longest. dst starts
 * zeroed; eng_load_summary_clear releases it. */
void eng_load_summary_add(eng_load_summary *dst, const eng_load_summary *src);
void eng_load_summary_clear(eng_load_summary *s);

typedef struct eng_event {
    eng_ev_kind kind;
    eng_id id;
    char *tag;              /* copy of the request's tag, or NULL */
    eng_result *result;     /* owned by the receiver */
    eng_error *error;       /* owned by the receiver */
    eng_done_status status; /* EV_DONE */
    int stmt_index;         /* EV_PIPE_STMT */
    eng_stmt_outcome outcome;
    double elapsed_ms; /* EV_DONE, EV_PIPE_STMT: client-measured */
    uint64_t rows;     /* EV_DONE: rows returned / affected / copied */
    bool prepared;     /* EV_DONE: ran as a prepared statement */
    int prepare_count; /* EV_DONE: executions of this text on its connection */
    char txn_status;   /* EV_DONE on a session: 'I' idle, 'T' in txn, 'E' aborted, 'U' unknown */
    int backend_pid;   /* connection that ran it */
    eng_load_summary load; /* EV_DONE of eng_load */
    /* EV_DONE on a session: the server reports (ParameterStatus)
     * standard_conforming_strings off, so '...' knows backslashes */
    bool std_strings_off;
} eng_event;

int eng_event_fd(engine *e);                          /* readable when events wait */
eng_event *eng_event_next(engine *e);                 /* NULL when none; never blocks */
eng_event *eng_event_wait(engine *e, int timeout_ms); /* NULL on timeout */
size_t eng_event_backlog(engine *e); /* events waiting to be taken, at this instant */
void eng_event_free(eng_event *ev);
const char *eng_done_status_name(eng_done_status s);

/* ------------------------------------------------------------------------
 * Statistics: a snapshot published by the engine thread (at each state
 * change, at most every 100 ms) and copied out under a lock. */
typedef struct eng_hist_summary {
    uint64_t count;
    double mean, p50, p95, p99, max; /* milliseconds */
} eng_hist_summary;

#define ENG_MAX_CONNS 64

typedef struct eng_conn_stat {
    int id;
    const char *state; /* static string: "connecting", "idle", "busy", "closing", ... */
    double age_s, idle_s;
    uint64_t uses;
    int prepared; /* statements prepared on it */
    int backend_pid;
    char last_error[160];
} eng_conn_stat;

typedef struct eng_stats {
    double taken_at; /* CLOCK_MONOTONIC seconds */
    /* psycopg_pool names */
    int pool_min, pool_max, pool_size, pool_available, requests_waiting;
    uint64_t requests_num, requests_queued, requests_wait_ms, requests_errors;
    uint64_t returns_bad, connections_num, connections_ms, connections_errors;
    uint64_t connections_lost, usage_ms;
    /* beyond psycopg */
    /* reconnects after an outage; failovers = those that came back on
     * another host:port (libpq's multi-host conninfo with
     * target_session_attrs); writes unavailable = from the first lost
     * connection or failed attempt to the next successful connect */
    uint64_t reconnects, failovers, writes_unavailable_ms;
    double last_unavailable_s; /* the last outage */
    double failover_at;        /* wall clock (epoch seconds) of the last failover, 0 if none */
    char server_at[128];       /* host:port of the last connect */
    char failover_from[128];   /* host:port before the last failover */
    eng_hist_summary wait;     /* time to get a connection */
    eng_hist_summary query;    /* statement time */
    eng_hist_summary checkout; /* pool bookkeeping of checkout + return, in ms (µs scale) */
    /* the last minute (50 to 60 s): what the SLO lines judge; pgdeck's own
     * monitor queries are left out of query_recent */
    eng_hist_summary wait_recent, query_recent;
    uint64_t queries_num, queries_errors;
    uint64_t prepared_hits, prepared_misses, prepared_evictions;
    uint64_t pipelines_num, pipeline_stmts;
    uint64_t copy_bytes, copy_rows;
    uint64_t load_executed; /* running load: statements done so far */
    uint64_t load_retried;  /* statements sent again after a lost connection */
    bool load_running;
    /* the server */
    bool connected;          /* at least one connection is up */
    char server_version[32]; /* "15.4" */
    char conn_display[256];  /* user@host:port/dbname, no password */
    char last_error[256];    /* last connection error, "" if none */
    int nconns;
    eng_conn_stat conns[ENG_MAX_CONNS];
} eng_stats;

void eng_stats_get(engine *e, eng_stats *out);
/* Several engines seen as one (`pgdeck run --jobs`): counts and sizes summed,
 * histograms merged, connections listed one engine after the other (their
 * ids are per engine), server and conninfo from the first. */
void eng_stats_get_merged(engine *const *es, int n, eng_stats *out);

/* Per-statement metrics, keyed by the normalized text (literals -> $n, as
 * pg_stat_statements normalizes). Copied out; free with eng_metrics_free. */
typedef struct eng_stmt_metric {
    uint64_t fingerprint;
    char *query; /* normalized text */
    uint64_t calls, errors, rows;
    double total_ms, mean_ms, p50_ms, p95_ms, p99_ms, max_ms;
} eng_stmt_metric;

size_t eng_metrics_get(engine *e, eng_stmt_metric **out);
/* The same over several engines: one entry per fingerprint, histograms merged. */
size_t eng_metrics_get_merged(engine *const *es, int n, eng_stmt_metric **out);
void eng_metrics_free(eng_stmt_metric *m, size_t n);

/* The slow log: individual executions over slow_threshold_ms, newest first. */
typedef struct eng_slow_entry {
    double at; /* wall-clock time (seconds since epoch) */
    double ms;
    char *query; /* the text as run (truncated to 4 KB) */
    int backend_pid;
    bool failed;
} eng_slow_entry;

size_t eng_slowlog_get(engine *e, eng_slow_entry **out);
void eng_slowlog_free(eng_slow_entry *s, size_t n);

#endif
