/* engine_int.h — the engine's internal structures, shared by the files of
 * src/engine/ that implement engine.h. Only the engine thread touches the
 * fields marked "engine thread"; the others are guarded by the named lock.
 *
 * Vocabulary:
 *   conn      one PGconn and its state (conn.c moves it between state lists)
 *   borrower  anything that waits for a pooled connection: a request, a
 *             session, a virtual load client (pool.c grants in FIFO order)
 *   op        what a borrowed connection is doing (exec, pipeline, copy,
 *             load statement, check, reset); its io() is called when the
 *             socket is ready, its lost() when the connection dies
 *   request   one eng_* call from a caller, with its id and events */
#ifndef PGDECK_ENGINE_INT_H
#define PGDECK_ENGINE_INT_H

#include "engine/engine.h"

#include "common/bindecode.h"
#include "common/clock.h"
#include "common/hist.h"
#include "common/msgq.h"
#include "common/strbuf.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* ------------------------------------------------------------------------
 * Time. The engine reads common/clock.h's clock plus a skew that only tests
 * move (tests/integration/test_clock.c), so back-off, lifetime and idle
 * rules can be stepped exactly instead of slept through. */
extern atomic_uint_fast64_t eng_clock_skew_ns; /* atomic; 0 outside tests */
static inline uint64_t mono_ns(void)
{
    return clock_mono_ns() + atomic_load_explicit(&eng_clock_skew_ns, memory_order_acquire);
}
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
static inline uint64_t secs_to_ns(double s)
{
    return s <= 0 ? 0 : (uint64_t)(s * 1e9);
}
double eng_wall_now(void);
/* A uniform random number in [0, 1) from the engine thread's generator. */
double eng_random(engine *e);

/* ------------------------------------------------------------------------
 * Conninfo (conninfo.c). */
struct eng_conninfo {
    int n, cap;
    char **keys, **values;
    char *parse_error; /* an unparsable dbname string, reported by check */
};

/* ------------------------------------------------------------------------
 * Results (result.c). */
/* Owned by whoever holds it: it moves between threads with its event. */
struct eng_result {
    PGresult *pg; /* NULL for a client-made error */
    eng_res_status status;
    eng_error *error; /* ENG_RES_ERROR */
    int nrows, ncols;
    eng_col_kind *kinds;
    bool copy_out; /* rows of a COPY TO STDOUT */
};
eng_result *result_wrap(PGresult *pg, eng_res_status status);
/* Appends the one row of a single-row result to *acc (or makes it *acc), taking row. */
void result_append_row(PGresult **acc, PGresult *row);
eng_error *error_from_result(const PGresult *pg);
eng_error *error_from_conn(PGconn *pg, const char *fallback);
eng_col_kind colkind_of_oid(uint32_t oid);
/* Copies libpq's possibly multi-line message as one line (blanks collapsed). */
void one_line_msg(char *dst, size_t n, const char *src);

typedef struct flow_gate flow_gate;

/* ------------------------------------------------------------------------
 * Events (event.c). */
eng_event *event_new(eng_ev_kind kind, eng_id id, const char *tag);
void event_push(engine *e, eng_event *ev);
/* The gate an event counts against (flow.c); NULL when none. */
flow_gate **event_gate_slot(eng_event *ev);
/* The caller took ev out of the queue (flow.c): the gate learns it. */
void flow_delivered(flow_gate **slot);
void flow_forget(flow_gate **slot); /* freed without being popped */

/* ------------------------------------------------------------------------
 * Prepared statement cache (prepcache.c), per connection. */
typedef struct prep_entry {
    uint64_t hash;
    char *sql;
    int count;                              /* executions of this text on the connection */
    int prepared;                           /* statement number (pgdeck_N), 0 = not prepared */
    struct prep_entry *hnext;               /* hash chain */
    struct prep_entry *lru_prev, *lru_next; /* most recent at head */
} prep_entry;

typedef struct prepcache { /* per conn: engine thread only */
    prep_entry **buckets;
    size_t nbuckets;
    prep_entry *lru_head, *lru_tail;
    int nentries, nprepared;
    char pending_dealloc[64]; /* a statement to DEALLOCATE before the next exec */
} prepcache;

void prepcache_init(prepcache *pc);
void prepcache_free(prepcache *pc);
/* Looks up (or adds) the text and moves it to the head of the LRU. */
prep_entry *prepcache_touch(engine *e, prepcache *pc, const char *sql);
/* Marks entry as prepared under a new name; may evict the least recently
 * used prepared statement (its name goes to pc->pending_dealloc). */
void prepcache_mark_prepared(engine *e, prepcache *pc, prep_entry *pe, int number);
void prepcache_forget(prepcache *pc, prep_entry *pe); /* prepare failed */
static inline void prep_name(char *buf, size_t n, int number)
{
    /* snprintf would be fine; this avoids the format machinery on the hot path */
    char tmp[24];
    int k = 0;
    unsigned v = (unsigned)number;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < 20);
    size_t i = 0;
    const char *p = "pgdeck_";
    while (*p && i + 1 < n)
        buf[i++] = *p++;
    while (k > 0 && i + 1 < n)
        buf[i++] = tmp[--k];
    buf[i] = '\0';
}

/* ------------------------------------------------------------------------
 * Connections (conn.c). One function moves a connection between states;
 * each state is a list. */
typedef enum conn_state {
    CONN_CONNECTING, /* PQconnectPoll in progress */
    CONN_IDLE,       /* in the pool, socket watched for death */
    CONN_CHECKING,   /* empty query before a checkout or on eng_pool_check */
    CONN_BUSY,       /* borrowed (by a request, session or load client) */
    CONN_RESETTING,  /* returned: ROLLBACK / settling in flight */
    CONN_CANCELLING, /* returned while a cancel of its last checkout runs */
    CONN_CLOSED,     /* closed; freed at the end of the loop iteration */
    CONN_NSTATES
} conn_state;

typedef struct conn conn;
typedef struct borrower borrower;
typedef struct cancel_job cancel_job;
typedef struct resolve_job resolve_job;
typedef struct resolve_plan resolve_plan;

typedef struct conn_op {
    const char *name;
    /* Input was consumed or the socket is writable: make progress. */
    void (*io)(engine *e, conn *c, int revents);
    /* The connection died (msg: libpq's message); the op must end its owner. */
    void (*lost)(engine *e, conn *c, const eng_error *err);
} conn_op;

struct conn { /* engine thread only */
    int id;
    PGconn *pg;
    conn_state state;
    conn *prev, *next; /* in e->lists[state] */
    uint64_t created_ns, expire_ns, idle_since_ns, connect_deadline_ns, borrowed_ns;
    uint64_t uses;
    uint64_t bookkeeping_ns; /* checkout overhead of the current borrow */
    int backend_pid;
    bool want_write;           /* output pending: poll for POLLOUT */
    bool lost;                 /* died: closed on return without counting returns_bad */
    bool expired;              /* replace at the next return (recycle / lifetime) */
    bool abandoned;            /* its borrower gave it up mid-operation: discard on return */
    bool read_paused;          /* a streamed result waits for its reader (flow.c) */
    bool read_soon;            /* its answer may be here already: read before poll() */
    flow_gate *flow;           /* the gate of the streamed request running on it */
    bool checked_out_by_check; /* CHECKING for a borrower (else a background check) */
    const conn_op *op;         /* what it does while busy/checking/resetting */
    void *op_ctx;
    borrower *owner; /* who borrowed it (CONN_BUSY) */
    /* NOTICE routing: the request whose statement runs now */
    eng_id notice_id;
    const char *notice_tag;
    engine *notice_sink;
    cancel_job *cancel; /* a cancel for the current checkout in flight */
    uint64_t cancel_deadline_ns;
    /* after a delivered cancel: the op it targeted must end by then, else
     * the backend is frozen (SIGSTOP, K5) and the connection is closed */
    void *cancel_target;
    uint64_t cancel_settle_ns;
    int reset_step;         /* CONN_RESETTING: 0 rollback/settle sent */
    resolve_job *resolving; /* CONN_CONNECTING without a PGconn yet: host names being looked up */
    char *resolve_note;     /* names that did not resolve, told if the connect fails */
    prepcache pc;
    char last_error[160];
};

void conn_set_state(engine *e, conn *c, conn_state st);
/* Whether conn_set_state may move a connection from one state to another
 * (asserted under --enable-debug). */
bool conn_move_allowed(conn_state from, conn_state to);
conn *conn_start(engine *e); /* begins a connection attempt */
/* PQconnectStartParams with these parameters (after a lookup, or at once). */
void conn_begin(engine *e, conn *c, const char *const *kw, const char *const *val);
/* gss_skip.c: kw/val plus gssencmode=disable (freshly allocated arrays, the
 * strings shared) when libpq's GSSAPI probe could only fail; else false. */
bool gss_skip_params(const char *const *kw, const char *const *val, const char ***kw_out,
                     const char ***val_out);
/* session_opts.c: puts the settings into e->kw/e->val (k entries so far,
 * room for two more); a connect error naming a parameter is for good. */
void session_apply(engine *e, int *k, int n, const char *const *names, const char *const *values);
bool session_setting_failure(const char *msg);
/* REQ_SET_SESSION in the engine thread: the new list, idle connections recycled. */
void session_change(engine *e, int n, const char *const *names, const char *const *values);
void conn_close(engine *e, conn *c);                 /* PQfinish, to CLOSED */
void conn_io(engine *e, conn *c, int revents);       /* socket ready */
void conn_lost(engine *e, conn *c, const char *why); /* died: owner told, replaced */
/* Sends output; returns false if the connection broke (already handled). */
bool conn_flush(engine *e, conn *c);
/* Consumes input; false when the connection broke (already handled). */
bool conn_consume(engine *e, conn *c);
void conn_free_closed(engine *e);
const char *conn_state_name(conn_state st);

/* ------------------------------------------------------------------------
 * Cancel (cancel.c). */
void cancel_start(engine *e, conn *c);
void cancel_poll(engine *e); /* the cancel wake fd fired */
void cancel_timers(engine *e, uint64_t now);
void cancel_detach(engine *e, conn *c);          /* the conn closes: forget its job */
bool cancel_wait_all(engine *e, int timeout_ms); /* at shutdown */

/* ------------------------------------------------------------------------
 * Host name resolution off the engine thread (resolve.c). */
/* NULL when no host of the effective conninfo needs a DNS lookup. */
resolve_plan *resolve_plan_new(const char *const *kw, const char *const *val);
void resolve_plan_free(resolve_plan *p);
bool resolve_start(engine *e, conn *c); /* a worker looks up; false if none could start */
void resolve_poll(engine *e);           /* the wake fd fired: connect who got answers */
void resolve_detach(conn *c);           /* the attempt ends: forget its job */
const char *resolve_pending_name(const conn *c);
void resolve_abandon_all(engine *e); /* at shutdown: workers own themselves */

/* ------------------------------------------------------------------------
 * Stream flow control (flow.c). A streamed request's partial batches are
 * counted while they wait in the event queue; above FLOW_MAX_BATCHES the
 * engine stops reading that connection's socket until the caller catches
 * up, so a slow reader bounds memory instead of letting rows pile up. */
#define FLOW_MAX_BATCHES 4
flow_gate *flow_gate_new(engine *e);
void flow_gate_release(flow_gate *g); /* the request's reference */
/* Attaches a batch event to the gate (counted until the caller pops it). */
void flow_track(flow_gate *g, eng_event *ev);
void flow_attach(conn *c, flow_gate *g); /* the stream runs on c */
void flow_end(conn *c, flow_gate *g);    /* it ended: releases the request's reference */
/* After a batch: true when c must stop reading (c->read_paused is set). */
bool flow_should_pause(engine *e, conn *c, flow_gate *g);
/* The request no longer wants gating (canceled): read on, now. */
void flow_detach(engine *e, conn *c);
void flow_poll(engine *e); /* the wake fd fired: resume who caught up */

/* ------------------------------------------------------------------------
 * Pool (pool.c). */
struct borrower { /* engine thread only */
    void (*granted)(engine *e, borrower *b, conn *c);
    void (*failed)(engine *e, borrower *b, eng_done_status st, const eng_error *err);
    uint64_t wait_start_ns, deadline_ns;
    uint64_t bookkeeping_ns; /* checkout + return overhead of this cycle */
    borrower *prev, *next;
    bool waiting;
};

/* Asks for a connection: b->granted runs now or later, or b->failed. */
void pool_checkout(engine *e, borrower *b, double timeout_s);
void pool_cancel_wait(engine *e, borrower *b); /* removes a waiter, no callback */
/* Gives a borrowed connection back; it is reset, kept or discarded. */
void pool_return(engine *e, conn *c);
void pool_conn_ready(engine *e, conn *c);                   /* a connect succeeded */
void pool_conn_failed(engine *e, conn *c, const char *msg); /* a connect failed */
void pool_conn_gone(engine *e, conn *c);                    /* closed: refill */
void pool_conn_idle(engine *e, conn *c);                    /* ready for a borrower */
void pool_cancel_settled(engine *e, conn *c);               /* its cancel job ended */
void pool_timers(engine *e, uint64_t now);
void pool_fill(engine *e);
void pool_resize(engine *e, int min_size, int max_size);
void pool_check_all(engine *e);
void pool_recycle_all(engine *e);
void pool_fail_waiters(engine *e, eng_done_status st, const eng_error *err);
int pool_size(const engine *e);

/* ------------------------------------------------------------------------
 * Requests. */
typedef enum req_kind {
    REQ_EXEC,
    REQ_PIPELINE,
    REQ_COPY,
    REQ_COPY_DATA,
    REQ_COPY_END,
    REQ_LOAD,
    REQ_CANCEL,
    REQ_SESSION_OPEN,
    REQ_SESSION_CLOSE,
    REQ_POOL_RESIZE,
    REQ_POOL_CHECK,
    REQ_POOL_RECYCLE,
    REQ_SET_SESSION, /* names in sqls[nstmts], values in params[nparams] */
    REQ_STOP,
} req_kind;

typedef struct session session;
typedef struct copy_state copy_state;
typedef struct load_state load_state;

typedef struct request { /* engine thread only, once popped from reqq */
    req_kind kind;
    eng_id id;
    char *tag;
    eng_session session;
    struct request *next, *prev; /* in e->active or a session's queue */
    borrower b;                  /* waiting for a pooled connection */
    conn *conn;                  /* while it runs */
    bool canceled;
    bool in_active;
    uint64_t start_ns;
    /* REQ_EXEC / REQ_PIPELINE */
    char *sql;
    int nparams;
    char **params;
    unsigned flags;
    int stream_batch;
    uint64_t row_limit;
    /* REQ_PIPELINE */
    int nstmts;
    char **sqls;
    int *pnparams;
    char ***pparams;
    eng_pipe_sync sync;
    /* REQ_CANCEL / REQ_COPY_DATA / REQ_COPY_END target */
    eng_id target;
    char *buf;
    size_t len;
    char *errmsg; /* REQ_COPY_END abort message, NULL = finish */
    /* REQ_POOL_RESIZE */
    int min_size, max_size;
    /* REQ_LOAD */
    int clients;
    long repeat;
    double seconds;
    int retry_lost;
    /* op state, owned by the op's file */
    void *op;
} request;

request *request_new(req_kind kind);
void request_free(request *r);
/* Emits EV_DONE (taking err) and frees r; returns or releases its conn. */
void request_done(engine *e, request *r, eng_done_status st, eng_error *err, eng_event *done);
/* Starts r on c (a connection it holds). */
void request_run(engine *e, request *r, conn *c);
request *request_find(engine *e, eng_id id);
void request_cancel(engine *e, eng_id id);

/* ------------------------------------------------------------------------
 * Sessions (session.c). */
struct session { /* engine thread only */
    eng_session id;
    conn *conn;
    bool broken; /* its connection died while idle: tell the next request */
    bool closing;
    bool discard; /* close its connection instead of returning it (eng_session_discard) */
    request *queue_head, *queue_tail;
    request *current;
    borrower b;
    session *next;
};
void session_open(engine *e, eng_session id);
void session_close(engine *e, eng_session id);
void session_discard_on_close(engine *e, eng_session id);
void session_submit(engine *e, request *r);
/* The current request of the session ended; its conn stays pinned. */
void session_request_done(engine *e, session *s);
session *session_find(engine *e, eng_session id);
bool session_cancel_queued(engine *e, eng_id id);
/* The session's connection died while nothing ran on it. */
void session_conn_lost(engine *e, session *s);
void session_close_all(engine *e);
/* A cancel job on c ended: a session waiting on it may go on. */
void session_cancel_done(engine *e, conn *c);

/* ------------------------------------------------------------------------
 * Ops. */
void exec_start(engine *e, request *r, conn *c);
void pipeline_start(engine *e, request *r, conn *c);
/* Checks the statements; NULL when acceptable, else the refusal message
 * and the offending index. */
char *pipeline_refusal(const request *r, int *bad_index);
void copy_start(engine *e, request *r, conn *c);
void copy_data(engine *e, request *copy, request *data); /* takes data->buf */
void copy_end(engine *e, request *copy, const char *errmsg);
void copy_prepare(engine *e, request *r); /* state for a COPY request on arrival */
void copy_cancel(engine *e, request *r);
void copy_release(engine *e, request *r); /* frees its state, unregisters */
void copy_register(engine *e, eng_id id);
void copy_unregister(engine *e, eng_id id);
void copy_pending_add(engine *e, eng_id id, long delta);
void load_start(engine *e, request *r);
void load_cancel(engine *e, request *r);

/* Shared by exec and load: how a text is sent on a connection, following
 * the prepare cache's rule. Steps run one after the other, each waiting for
 * its results: DEALLOCATE of an evicted statement, Parse, then execution. */
enum { STEP_DEALLOC, STEP_PREPARE, STEP_DESCRIBE, STEP_EXEC };
typedef struct send_plan {
    int step;
    bool describe;     /* ENG_EXEC_BINARY: a Describe picks the result format */
    bool unnamed;      /* the Parse is of the unnamed statement (binary, not cached) */
    int result_format; /* 1: every column decodes from binary (bindecode.c) */
    bindecode_ctx decode;
    bool prepared;     /* the execution uses a prepared statement */
    bool step_failed;  /* the current step's result was an error */
    bool need_prepare; /* a Parse comes before the execution */
    int prepare_count; /* executions of this text on the connection */
    int number;        /* pgdeck_N */
    prep_entry *entry;
} send_plan;
void exec_plan(engine *e, conn *c, const char *sql, unsigned flags, send_plan *p);
/* Sends the current step; false when the connection broke (handled: the
 * op's lost() already ran). */
bool exec_send_step(engine *e, conn *c, const char *sql, int nparams, const char *const *params,
                    unsigned flags, send_plan *p);
/* The current step's results ended: true when it was the execution. */
bool exec_step_done(conn *c, send_plan *p);
/* ENG_EXEC_BINARY: the format for a described statement (sets p->result_format). */
void exec_pick_format(conn *c, const PGresult *desc, send_plan *p);
/* Binary rows to the text rows the server would have sent (result.c). */
PGresult *result_text_shell(const PGresult *bin);
bool result_add_decoded(PGresult *dst, int dst_row, const PGresult *bin, int src_row,
                        const bindecode_ctx *ctx);
PGresult *result_decode_all(PGresult *bin, const bindecode_ctx *ctx);

/* ------------------------------------------------------------------------
 * Metrics (metrics.c). */
typedef struct metric_entry { /* in e->metrics: under metrics_lock */
    uint64_t fp;
    char *query;
    uint64_t calls, errors, rows, total_ns;
    hist h;
} metric_entry;

void metrics_init(engine *e);
void metrics_free(engine *e);
/* Records one execution; fp 0 = compute from sql. */
void metrics_record(engine *e, uint64_t fp, const char *sql, uint64_t ns, uint64_t rows,
                    bool failed, int backend_pid);
uint64_t metrics_fingerprint(const char *sql);

/* ------------------------------------------------------------------------
 * Stats (stats.c). Counters live in e->st (engine thread) and are copied
 * to e->pub under stats_lock. The recent windows have six 10 s slots, so
 * "the last minute" is 50 to 60 s. */
#define RECENT_SLOT_NS (10 * NS_PER_S)

typedef struct eng_counters { /* e->st: engine thread only */
    uint64_t requests_num, requests_queued, requests_wait_ns, requests_errors;
    uint64_t returns_bad, connections_num, connections_ns, connections_errors;
    uint64_t connections_lost, usage_ns;
    uint64_t reconnects, failovers, unavailable_ns; /* see pool_conn_ready */
    uint64_t queries_num, queries_errors;
    uint64_t prepared_hits, prepared_misses, prepared_evictions;
    uint64_t pipelines_num, pipeline_stmts, copy_bytes, copy_rows;
    uint64_t load_executed;
    uint64_t load_retried; /* see retry_lost in load.c */
    bool load_running;
    hist wait, query, checkout;
    hist_window wait_recent, query_recent; /* the last minute, for the SLO lines */
} eng_counters;

void stats_touch(engine *e); /* something changed: publish soon */
/* A statement's time (recent: it counts in the last-minute window, which
 * leaves out pgdeck's own monitor queries) and a checkout's wait. */
void stats_record_query(engine *e, uint64_t ns, bool recent);
void stats_record_wait(engine *e, uint64_t ns);
/* Once a second: the last-minute window slid, so publish again. */
void stats_tick(engine *e, uint64_t now);
void stats_publish(engine *e, uint64_t now);
void stats_pool_event(engine *e);                            /* connectivity changed: EV_POOL */
void stats_set_ready(engine *e, int state, const char *err); /* for engine_wait_ready */

/* ------------------------------------------------------------------------
 * The engine. */
struct engine {
    /* set by engine_start before the thread starts; then the engine
     * thread's only (pool_resize changes cfg there) */
    eng_conninfo *ci;
    eng_pool_config cfg;
    const char **kw, **val; /* connect parameters for libpq */
    char *session_options;  /* owned: val's "options" with the [session] settings */
    char *session_appname;  /* owned: session.application_name, or NULL */
    int kw_base;            /* kw/val entries before the session settings */
    /* the caller's thread: engine_start and engine_stop */
    pthread_t thread;
    bool thread_started;
    /* each queue has its own lock (msgq.c): any thread pushes, reqq is
     * popped by the engine thread, evq by the one reader of events */
    msgq *reqq, *evq;
    atomic_uint_fast64_t next_id; /* atomic: ids handed out by any caller */
    atomic_uint next_session;     /* atomic: likewise */

    /* engine thread */
    uint64_t now;
    bool stopping;
    conn *lists[CONN_NSTATES];
    int counts[CONN_NSTATES];
    int next_conn_id;
    borrower *wait_head, *wait_tail;
    int nwaiting;
    request *active; /* requests that hold or wait for a connection */
    session *sessions;
    int prepared_seq;
    uint64_t next_timer_ns;
    uint64_t rng;
    bool filling;
    /* reconnecting */
    uint64_t retry_at_ns, first_failure_ns;
    double retry_delay_s;
    bool gave_up;
    bool demand_retry; /* the attempt a request triggered after giving up */
    bool ever_connected;
    char last_error[256];
    /* failover: writes are unavailable from the first lost connection or
     * failed attempt to the next connect; server_at is where that went */
    uint64_t outage_start_ns, last_unavailable_ns;
    double failover_wall; /* seconds since the epoch */
    char server_at[128], failover_from[128];
    /* workers (cancel, resolve) and event readers wake the loop here: the
     * fd is fixed from start to stop (writes and reads are syscalls); the
     * job lists are the engine thread's */
    int wake_efd;
    /* the clock skew the loop's last whole turn ran at (atomic: written by
     * the engine thread, read by a test stepping the clock) */
    atomic_uint_fast64_t turn_skew_ns;
    cancel_job *cancel_jobs;
    resolve_plan *resolve; /* how connection attempts look host names up */
    resolve_job *resolve_jobs;

    /* stats: the counters and their bookkeeping are the engine thread's */
    eng_counters st;
    bool stats_dirty;
    uint64_t last_publish_ns;
    bool was_connected;
    /* stats_lock guards everything below it up to metrics: the published
     * snapshot and engine_wait_ready's state (ready_cond waits on it) */
    pthread_mutex_t stats_lock;
    pthread_cond_t ready_cond;
    eng_stats pub;
    hist pub_hist[5];         /* pub's wait, query, checkout, wait_recent and query_recent
                               * histograms, for merging */
    uint64_t pub_recent_slot; /* the window's slot at the last publication */
    bool pub_recent_any;      /* the window held something then */
    int ready_state;          /* 0 pending, 1 ready, -1 failed */
    char *ready_err;

    /* metrics_lock guards the metrics table and the slow log: the engine
     * thread writes, eng_metrics_get / eng_slowlog_get copy out */
    pthread_mutex_t metrics_lock;
    metric_entry *metrics;
    size_t nmetrics, metrics_cap;
    size_t *metrics_index; /* open addressing: index+1, 0 = empty */
    size_t metrics_index_cap;
    eng_slow_entry *slow;
    size_t slow_next, slow_count;

    /* copy_lock guards the back-pressure registry: callers add bytes as
     * they queue COPY data, the engine thread subtracts as it sends */
    pthread_mutex_t copy_lock;
    struct copy_pending *copies;
};

/* Wakes the loop when a timer comes earlier than planned. */
static inline void engine_timer(engine *e, uint64_t at_ns)
{
    if (at_ns && (e->next_timer_ns == 0 || at_ns < e->next_timer_ns))
        e->next_timer_ns = at_ns;
}

void *engine_loop(void *arg);
void engine_handle_request(engine *e, request *r);

#endif
