/* monitor.h — the server monitors shared by the Slow and Activity panes and
 * `pgdeck top`: SQL builders for pg_stat_statements, pg_stat_activity and
 * pg_locks (per server / extension version), the interpretation of their
 * results, a precise diagnosis when pg_stat_statements is missing, and
 * per-second rates from two snapshots with reset detection.
 *
 * Pure code: no PGconn, no I/O, no clock. The caller runs the SQL through
 * eng_exec (ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE, tag "slow:..." or
 * "activity:...") with the parameters the builder documents, and hands the
 * eng_result back here. Text a user typed (filters) only ever travels as a
 * parameter; the only names pasted into SQL are pg_stat_statements' own
 * relation and function, quoted by the server's format('%I.%I') in the
 * probe, and column names from this file's static table.
 *
 * Every statement starts with "SELECT " MON_SQL_MARK (after the keyword:
 * pg_stat_statements drops comments before the first token) so the monitors
 * can be found, and their cost measured, in pg_stat_statements, and are left
 * out of the lists. */
#ifndef PGDECK_MONITOR_H
#define PGDECK_MONITOR_H

#include "engine/engine.h"
#include "monitor/monitor_server.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MON_SQL_MARK "/* pgdeck monitor */"
#define MON_DEFAULT_LIMIT 500 /* most pg_stat_statements rows fetched per refresh */
#define MON_PANE_LIMIT                                                                             \
    100 /* the Slow pane's top N: each row costs the server its                                    \
           numbers' text output, every refresh */

/* ---- probe: what the server offers ------------------------------------ */

typedef enum mon_pgss_state {
    MON_PGSS_UNKNOWN,       /* not probed yet */
    MON_PGSS_OK,            /* installed, loaded, readable */
    MON_PGSS_NOT_AVAILABLE, /* the contrib files are not on the server */
    MON_PGSS_NOT_PRELOADED, /* library not in shared_preload_libraries */
    MON_PGSS_NOT_INSTALLED, /* loaded, but CREATE EXTENSION not run in this database */
    MON_PGSS_NO_PRIVILEGE,  /* SELECT on the view is not granted to this role */
    MON_PGSS_ERROR,         /* the query failed for another reason */
} mon_pgss_state;

typedef struct mon_server {
    int version_num; /* server_version_num, e.g. 150004 */
    char *database, *user;
    bool superuser, read_all_stats;
    char *preload;       /* shared_preload_libraries, NULL when not readable */
    bool preload_known;  /* shared_preload_libraries was readable */
    bool preload_has;    /* ... and lists pg_stat_statements */
    bool library_loaded; /* the module is loaded (its GUCs exist) */
    char *available_version, *installed_version; /* NULL when absent */
    char *relation;       /* "public.pg_stat_statements", quoted by the server */
    char *info_relation;  /* pg_stat_statements_info (1.9+, PG 14) or NULL */
    char *reset_function; /* pg_stat_statements_reset, quoted, or NULL */
    char *function;       /* pg_stat_statements(showtext), quoted, when executable */
    bool can_select;
    char *columns; /* the view's columns, comma separated */
    mon_pgss_state state;
    char *reason;          /* one line: why the lists are empty ("" when OK) */
    char *remedy;          /* one line: what to do about it ("" when OK) */
    bool offer_create;     /* CREATE EXTENSION would fix it */
    char *visibility_note; /* "" or: other roles' texts are hidden (no pg_read_all_stats) */
} mon_server;

/* The probe: one row, no parameters. Run once per connection target (and
 * again after CREATE EXTENSION or an error). */
const char *mon_probe_sql(void);
/* Fills s from the probe's result; false with *err (malloc'd) if the result
 * is not the probe's. Frees what s held before. */
bool mon_probe_parse(const eng_result *r, mon_server *s, char **err);
/* A failed pg_stat_statements query refines the diagnosis (55000 "must be
 * loaded via shared_preload_libraries", 42501 permission, 42P01 dropped). */
void mon_server_diagnose_error(mon_server *s, const eng_error *err);
void mon_server_init(mon_server *s);
void mon_server_free(mon_server *s);
const char *mon_pgss_state_name(mon_pgss_state st); /* "ok", "not_preloaded", ... */
/* True when version has EXPLAIN (GENERIC_PLAN) (PostgreSQL 16+). */
bool mon_server_has_generic_plan(const mon_server *s);
/* True when pg_stat_statements has the toplevel column (1.9+). */
bool mon_server_has_toplevel(const mon_server *s);

/* ---- pg_stat_statements -------------------------------------------------- */

/* Cumulative counters: deltas and per-second rates are computed for these. */
#define MON_COUNTERS(X)                                                                            \
    X(MC_CALLS, "calls", "calls")                                                                  \
    X(MC_TOTAL_MS, "total_ms", "total_exec_time,total_time")                                       \
    X(MC_ROWS, "rows", "rows")                                                                     \
    X(MC_SHARED_HIT, "shared_blks_hit", "shared_blks_hit")                                         \
    X(MC_SHARED_READ, "shared_blks_read", "shared_blks_read")                                      \
    X(MC_SHARED_DIRTIED, "shared_blks_dirtied", "shared_blks_dirtied")                             \
    X(MC_SHARED_WRITTEN, "shared_blks_written", "shared_blks_written")                             \
    X(MC_LOCAL_HIT, "local_blks_hit", "local_blks_hit")                                            \
    X(MC_LOCAL_READ, "local_blks_read", "local_blks_read")                                         \
    X(MC_LOCAL_DIRTIED, "local_blks_dirtied", "local_blks_dirtied")                                \
    X(MC_LOCAL_WRITTEN, "local_blks_written", "local_blks_written")                                \
    X(MC_TEMP_READ, "temp_blks_read", "temp_blks_read")                                            \
    X(MC_TEMP_WRITTEN, "temp_blks_written", "temp_blks_written")                                   \
    X(MC_BLK_READ_MS, "blk_read_ms", "shared_blk_read_time,blk_read_time")                         \
    X(MC_BLK_WRITE_MS, "blk_write_ms", "shared_blk_write_time,blk_write_time")                     \
    X(MC_PLANS, "plans", "plans")                                                                  \
    X(MC_PLAN_MS, "plan_ms", "total_plan_time")                                                    \
    X(MC_WAL_RECORDS, "wal_records", "wal_records")                                                \
    X(MC_WAL_BYTES, "wal_bytes", "wal_bytes")

/* Per-statement figures that are not counters (no rates). */
#define MON_GAUGES(X)                                                                              \
    X(MG_MEAN_MS, "mean_ms", "mean_exec_time,mean_time")                                           \
    X(MG_MIN_MS, "min_ms", "min_exec_time,min_time")                                               \
    X(MG_MAX_MS, "max_ms", "max_exec_time,max_time")                                               \
    X(MG_STDDEV_MS, "stddev_ms", "stddev_exec_time,stddev_time")

typedef enum mon_counter {
#define MON_ENUM(id, name, cols) id,
    MON_COUNTERS(MON_ENUM)
#undef MON_ENUM
        MC_COUNT
} mon_counter;

typedef enum mon_gauge {
#define MON_ENUM(id, name, cols) id,
    MON_GAUGES(MON_ENUM)
#undef MON_ENUM
        MG_COUNT
} mon_gauge;

const char *mon_counter_name(mon_counter c); /* JSON key: "total_ms" */
const char *mon_gauge_name(mon_gauge g);     /* JSON key: "mean_ms" */

typedef enum mon_sort {
    MON_SORT_TOTAL,
    MON_SORT_MEAN,
    MON_SORT_CALLS,
    MON_SORT_ROWS,
    MON_SORT_READ, /* shared blocks read */
    MON_SORT_TEMP, /* temp blocks written */
    MON_SORT_COUNT
} mon_sort;

const char *mon_sort_name(mon_sort s); /* "total", "mean", "calls", "rows", "read", "temp" */
bool mon_sort_parse(const char *name, mon_sort *out);

/* Filters, all optional (NULL or ""): exact database and role names, and a
 * case-insensitive substring of the text. Bound as $1, $2, $3. */
typedef struct mon_filter {
    char *database, *user, *text;
} mon_filter;

/* Parses "db:NAME user:NAME words..." (what the pane's `/` prompt takes)
 * into f (freed first). Empty input clears the filter. */
void mon_filter_parse(mon_filter *f, const char *input);
void mon_filter_free(mon_filter *f);
/* The filter as typed back ("db:x user:y text"), malloc'd; "" when empty. */
char *mon_filter_format(const mon_filter *f);

/* The statement list, sorted server-side by `sort`, at most `limit` rows.
 * Needs s->state == MON_PGSS_OK (NULL otherwise). Three parameters: fill them
 * with mon_pgss_params(f). malloc'd.
 *
 * Cost: reading every query text is what makes pg_stat_statements expensive
 * (its file is read and each text copied, for every entry), so when f has no
 * text filter the counters come from pg_stat_statements(false) and the texts
 * separately (mon_pgss_text_sql), only for rows whose text is not cached
 * yet (mon_text_cache). With a text filter the view is read with its texts. */
char *mon_pgss_sql(const mon_server *s, mon_sort sort, int limit, const mon_filter *f);
/* params[3] point into f (NULL for an empty filter). */
void mon_pgss_params(const mon_filter *f, const char *params[3]);

typedef struct mon_stmt {
    /* identity across snapshots: (userid, dbid, queryid, toplevel) */
    uint32_t userid, dbid;
    int64_t queryid;
    bool has_queryid; /* NULL for rows the role may not see */
    bool toplevel;
    char *database, *user, *query;
    bool hidden_text;     /* query is "<insufficient privilege>" */
    bool has_text;        /* query holds the text (else "" until mon_pgss_apply_texts) */
    uint64_t fingerprint; /* sql_fingerprint(query), 0 when hidden */
    double c[MC_COUNT];   /* cumulative; NAN when the server lacks the column */
    double g[MG_COUNT];
    /* from mon_pgss_rates: */
    bool has_rate;           /* false: first sample, reset, or new row of unknown origin */
    double d[MC_COUNT];      /* deltas since the previous snapshot (>= 0) */
    double r[MC_COUNT];      /* per second */
    double interval_mean_ms; /* delta total / delta calls, NAN without calls */
} mon_stmt;

typedef struct mon_pgss_snap {
    double taken_at;    /* caller's monotonic clock, seconds */
    double stats_reset; /* epoch of pg_stat_statements_info.stats_reset, NAN if unknown */
    double dealloc;     /* pg_stat_statements_info.dealloc, NAN if unknown */
    double entries_max; /* pg_stat_statements.max without _info (13), else NAN */
    long total_entries; /* rows kept (after dropping the monitor's own) */
    bool truncated;     /* more entries match than the limit let through */
    size_t n;
    mon_stmt *rows;
    /* from mon_pgss_rates: */
    double interval_s; /* seconds since the previous snapshot; 0 = no rates */
    bool reset_seen;   /* a reset was detected: rates restart from this snapshot */
} mon_pgss_snap;

/* Parses the result of mon_pgss_sql(); NULL with *err on a foreign result. */
mon_pgss_snap *mon_pgss_parse(const eng_result *r, double taken_at, char **err);
void mon_pgss_snap_free(mon_pgss_snap *snap);

/* Query texts by (userid, dbid, queryid), kept across refreshes. */
typedef struct mon_text_cache mon_text_cache;
mon_text_cache *mon_text_cache_new(void);
void mon_text_cache_free(mon_text_cache *c);
/* Texts for the queryids in $1 (an int8 array literal): userid, dbid,
 * queryid, query. malloc'd; NULL when pg_stat_statements is not usable. */
char *mon_pgss_text_sql(const mon_server *s);
/* Adds the rows of a mon_pgss_text_sql() result to the cache. */
void mon_text_cache_add_result(mon_text_cache *c, const eng_result *r);
/* Gives snap's rows their texts: rows that came with one feed the cache,
 * the others take it from the cache; the monitor's own statements are
 * dropped. Returns how many of the first `upto` rows still lack a text and,
 * when some do, *param (malloc'd) = their queryids for mon_pgss_text_sql.
 * With give_up, rows still without a text get "<text not available>". */
size_t mon_pgss_apply_texts(mon_pgss_snap *snap, mon_text_cache *c, size_t upto, bool give_up,
                            char **param);

/* Per-second rates of cur against prev (may be NULL). A reset between them
 * (stats_reset changed, or a row's calls/total went backwards) restarts that
 * baseline: no rate for those rows this time, never a negative one. A row new
 * since prev gets rates from zero only when prev held every entry and nothing
 * was deallocated in between (so the row truly started in the interval). */
void mon_pgss_rates(const mon_pgss_snap *prev, mon_pgss_snap *cur);

/* Sorts the rows by a key (descending); by_rate uses per-second figures
 * (rows without a rate last). */
void mon_pgss_sort(mon_pgss_snap *snap, mon_sort sort, bool by_rate);

/* The statement reset: "SELECT schema.pg_stat_statements_reset()"; NULL when
 * the function is unknown. malloc'd. */
char *mon_reset_sql(const mon_server *s);
/* CREATE EXTENSION IF NOT EXISTS pg_stat_statements. */
const char *mon_create_sql(void);

/* EXPLAIN of a pg_stat_statements text. With analyze: (ANALYZE, BUFFERS).
 * generic: EXPLAIN (GENERIC_PLAN) for texts with $n when no values are
 * given (16+). The values, if any, are bound as parameters $1..$n by the
 * caller. malloc'd. */
char *mon_explain_sql(const char *query, bool analyze, bool generic);

/* ---- EXPLAIN of another role's statement (monitor_explain.c) -------------
 * The statement runs with its author's rights only (doc/security.md): on an
 * engine session that is discarded afterwards (eng_session_discard), the
 * steps are
 *   1. mon_explain_author_sql() on any connection: who wrote it, may the DBA
 *      act as them, their search_path, the non-builtin functions it names;
 *   2. the DBA confirms (ANALYZE always; plain EXPLAIN when it names
 *      non-builtin functions or the author is not the DBA);
 *   3. mon_explain_setup_sql(): BEGIN, statement_timeout, a temporary
 *      SECURITY DEFINER function owned by the author (inside it SET ROLE,
 *      RESET ROLE and SET SESSION AUTHORIZATION are refused by the server);
 *   4. mon_explain_run_sql() with $1 = the EXPLAIN text (values inlined by
 *      mon_explain_inline_params), $2 = mon_explain_author.search_path;
 *   5. ROLLBACK, whatever happened. */
#define MON_EXPLAIN_TIMEOUT_MS 60000 /* statement_timeout of the sandboxed run */

/* $1 = the author's role oid (pg_stat_statements.userid, text) or NULL,
 * $2 = the author's role name when the oid is unknown (pg_stat_activity),
 * NULL for the current user; $3, $4 = text[] literals of
 * mon_explain_candidates(). No row when the role no longer exists. */
const char *mon_explain_author_sql(void);

typedef struct mon_explain_author {
    char *role;        /* the author's role name; NULL: no longer exists */
    bool role_super;   /* the author is a superuser */
    char *dba;         /* current_user of the console's connection */
    bool may_become;   /* the DBA is superuser or a member of the role */
    char *search_path; /* pinned: "pg_catalog, <the author's>, pg_temp" */
    char *functions;   /* non-builtin functions the text names, "" if none */
} mon_explain_author;

bool mon_explain_author_parse(const eng_result *r, mon_explain_author *a, char **err);
void mon_explain_author_free(mon_explain_author *a);

/* Names the text calls (word before "(") and operators it uses, as text[]
 * literals for the author lookup's $3 and $4. Both malloc'd. */
void mon_explain_candidates(const char *query, char **functions, char **operators);

/* The text with $1..$n replaced by quoted literals (NULL for NULL values):
 * EXECUTE inside the sandbox takes no parameters. malloc'd. */
char *mon_explain_inline_params(const char *query, int nvalues, const char *const *values);

/* Step 3, for the simple query protocol (several statements); role quoted
 * with sql_quote_ident. readonly: the transaction becomes read only after
 * the function is created. malloc'd. */
char *mon_explain_setup_sql(const char *role, bool readonly, int timeout_ms);
/* Step 4: one row per plan line. */
const char *mon_explain_run_sql(void);
/* mon_explain_sql with FORMAT JSON (plan.h reads it): one row. malloc'd. */
char *mon_explain_json_sql(const char *query, bool analyze, bool generic);

/* ---- pg_stat_activity ---------------------------------------------------- */

/* Client backends (and autovacuum workers). No parameters. The monitors'
 * own backends (this one, and every backend whose statement is a monitor's:
 * it starts with "SELECT " MON_SQL_MARK) are listed with `own` set. */
const char *mon_activity_sql(void);
/* Active statements running longer than $1 milliseconds (text, e.g. "50"),
 * except the one running it. */
const char *mon_now_sql(void);

typedef struct mon_backend {
    int pid;
    char *database, *user, *application, *client, *state, *wait_type, *wait_event;
    char *backend_type, *query;
    /* identity with pid: backend_start as the server wrote it (fixed form,
     * for mon_signal_backend_sql), and as seconds since the epoch */
    char *backend_start;
    double start_epoch;
    bool own;                        /* a pgdeck monitor's backend */
    double xact_s, query_s, state_s; /* NAN when NULL */
    int *blocked_by;                 /* pg_blocking_pids (only for lock waits) */
    int nblocked_by;
    int nblocking; /* backends this one blocks (computed) */
} mon_backend;

typedef struct mon_activity {
    size_t n;
    mon_backend *rows;
} mon_activity;

/* Parses mon_activity_sql() or mon_now_sql() results. */
mon_activity *mon_activity_parse(const eng_result *r, char **err);
void mon_activity_free(mon_activity *a);
const mon_backend *mon_activity_find(const mon_activity *a, int pid);

typedef enum mon_view {
    MON_VIEW_ALL,      /* everything not idle (or everything with idle shown) */
    MON_VIEW_RUNNING,  /* state active */
    MON_VIEW_WAITING,  /* waiting for a lock */
    MON_VIEW_BLOCKING, /* blocks someone */
} mon_view;
const char *mon_view_name(mon_view v);
bool mon_backend_in_view(const mon_backend *b, mon_view v, bool show_idle);
bool mon_backend_idle_in_xact(const mon_backend *b);

/* Locks held and awaited by the backend $1 (pid as text). */
const char *mon_locks_sql(void);

typedef struct mon_lock {
    bool granted;
    char *mode, *locktype, *object;
    int *holders; /* for an awaited lock: pg_blocking_pids */
    int nholders;
} mon_lock;

typedef struct mon_locks {
    size_t n;
    mon_lock *rows;
} mon_locks;

mon_locks *mon_locks_parse(const eng_result *r, char **err);
void mon_locks_free(mon_locks *l);

/* pg_cancel_backend($1::int) / pg_terminate_backend($1::int): one row, a
 * boolean. */
const char *mon_signal_sql(bool terminate);

/* The same for the backend that has pid $1 (int as text) AND backend_start
 * $2 (mon_backend.backend_start): no row when that backend is gone, so a
 * new session that got a finished one's pid is never signalled. */
const char *mon_signal_backend_sql(bool terminate);

/* ---- server-wide figures (the Activity header) ---------------------------- */

/* One row from pg_stat_database (all databases) and the server's clock. */
const char *mon_dbstat_sql(void);

typedef struct mon_dbstat {
    double now_s;                                              /* server clock, epoch seconds */
    double xacts, blks_hit, blks_read, temp_files, temp_bytes; /* cumulative; NAN if NULL */
    bool local_conn; /* connected over a unix socket or loopback */
} mon_dbstat;

typedef struct mon_dbrates {
    double tps;          /* commits + rollbacks per second */
    double hit_ratio;    /* percent, over the interval when it read blocks */
    double temp_files_s; /* temp files created per second */
    double temp_bytes_s;
} mon_dbrates;

bool mon_dbstat_parse(const eng_result *r, mon_dbstat *out, char **err);
/* Rates of cur against prev (NULL: none yet). Reset counters give NAN, never
 * a negative rate. */
void mon_dbstat_rates(const mon_dbstat *prev, const mon_dbstat *cur, mon_dbrates *out);

/* ---- the monitor driver (monitor_driver.c) --------------------------------
 * The one sequence every monitor view runs: probe the server (again while
 * pg_stat_statements is unusable), read the statements, fetch the texts the
 * cache lacks, compute the rates and sort; and beside it the lists and
 * figures that need no probe (statements running now, pg_stat_activity,
 * pg_stat_database). It submits through eng_exec (ENG_EXEC_NOMETRICS |
 * ENG_EXEC_NOPREPARE, tags "<tag>:probe", ":pgss", ":texts", ":now",
 * ":list", ":db") and keeps one statement per step in flight; it never
 * blocks, except in mon_driver_wait, and owns what it has read. UI thread
 * (or the CLI's only thread); not shared between threads.
 *
 * A pane:
 *
 *     mon_driver_init(&p->mon, e, "slow", MON_PART_PGSS | MON_PART_NOW);
 *     p->mon.limit = MON_PANE_LIMIT;
 *     ...on_tick:   mon_driver_refresh(&p->mon);
 *     ...on_event:  unsigned got = mon_driver_on_event(&p->mon, ev);
 *                   if (got & MON_GOT_PGSS)  show p->mon.cur (rates vs p->mon.prev)
 *                   if (got & MON_GOT_ERROR) report p->mon.fail[p->mon.last_failed]
 *                   if (got & MON_EV_MINE)   return PANE_REDRAW;
 *     ...destroy:   mon_driver_free(&p->mon);
 *
 * A command-line tool runs the same steps to completion:
 *
 *     mon_driver_refresh(&d);
 *     mon_driver_wait(&d);   // feeds eng_event_wait's events to on_event
 *     if (d.fail[MON_STEP_PROBE].failed || d.srv.state != MON_PGSS_OK) ...
 *
 * A new view adds its step here (a part bit, a step, its SQL and parser in
 * its own monitor_*.c) and so gets the same tags, flags and error reports. */

typedef enum mon_part {
    MON_PART_PGSS = 1u << 0,     /* probe -> pg_stat_statements -> texts -> rates */
    MON_PART_NOW = 1u << 1,      /* statements running longer than threshold_ms */
    MON_PART_ACTIVITY = 1u << 2, /* pg_stat_activity, every backend */
    MON_PART_DBSTAT = 1u << 3,   /* pg_stat_database figures and their rates */
    MON_PART_SERVER = 1u << 4,   /* catalog probe -> the server view `view` -> rates */
} mon_part;

typedef enum mon_step {
    MON_STEP_PROBE,
    MON_STEP_PGSS,
    MON_STEP_TEXTS,
    MON_STEP_NOW,
    MON_STEP_ACTIVITY,
    MON_STEP_DBSTAT,
    MON_STEP_SRV_PROBE,
    MON_STEP_SRV_VIEW,
    MON_STEP_SRV_SLICE, /* tables, indexes: one slice of the catalog pass */
    MON_STEP_COUNT
} mon_step;

/* What mon_driver_on_event saw (bits). */
enum {
    MON_EV_MINE = 1u << 0,       /* the event was the driver's */
    MON_GOT_PROBE = 1u << 1,     /* srv was probed (it may still not be OK) */
    MON_GOT_PGSS = 1u << 2,      /* cur is a new snapshot, with rates against prev */
    MON_GOT_NOW = 1u << 3,       /* now is new */
    MON_GOT_ACTIVITY = 1u << 4,  /* activity is new (mon_driver_take_activity) */
    MON_GOT_DBSTAT = 1u << 5,    /* db_cur and rates are new */
    MON_GOT_ERROR = 1u << 6,     /* fail[last_failed] says what failed */
    MON_GOT_CATALOG = 1u << 7,   /* cat is new (the server views' probe) */
    MON_GOT_VIEW = 1u << 8,      /* view_snap is new, with rates against the one before */
    MON_GOT_VIEW_PASS = 1u << 9, /* a slice of the catalog pass came (freshness changed) */
};

typedef struct mon_failure {
    bool failed;
    eng_done_status status; /* ENG_DONE_OK with a result the parser refused */
    char *message;          /* the server's message or the parser's, malloc'd */
} mon_failure;

typedef struct mon_driver {
    /* settings: set after mon_driver_init, may change between refreshes */
    engine *e;
    unsigned parts;      /* mon_part bits that mon_driver_refresh submits */
    mon_sort sort;       /* server-side order and the order after the rates */
    bool by_rate;        /* ... by per-second figures */
    int limit;           /* pg_stat_statements rows read (MON_DEFAULT_LIMIT) */
    size_t text_rows;    /* texts fetched for the first N rows; 0: all rows */
    double threshold_ms; /* MON_PART_NOW: "running longer than" (50) */
    /* what the driver read (owned by it; read only for the caller) */
    mon_server srv;
    bool probed;               /* srv holds a probe; false: probe again */
    mon_filter filter;         /* mon_driver_set_filter */
    mon_pgss_snap *prev, *cur; /* the last two snapshots, cur with rates */
    mon_activity *now;
    mon_activity *activity;
    mon_dbstat db_prev, db_cur;
    bool have_db_prev, have_db_cur;
    mon_dbrates rates;
    /* server views (MON_PART_SERVER; monitor_server.h). Tables and indexes
     * choose their rows by a pass over the catalog in slices (one slice a
     * refresh; back to back while there are no rows to show, or with
     * view_complete), started at most every SRV_CATALOG_INTERVAL s, after a
     * sort change or on demand; every refresh reads the shown rows'
     * statistics, and the sizes of SRV_SIZES_PER_REFRESH of them. */
    srv_view_id view;    /* mon_driver_set_view */
    int view_sort;       /* the column the statement sorts on (mon_driver_set_view_sort) */
    int view_limit;      /* rows per refresh */
    bool view_paced;     /* no more often than the view's min_interval (the pane) */
    int view_slice;      /* tables per slice: 0 the view's own, PGDECK_SLICE_ROWS in tests */
    bool view_complete;  /* every pass back to back, every size read (top --once) */
    srv_catalog *cat;    /* the server's statistics columns; NULL until probed */
    srv_snap *view_snap; /* the latest snapshot of `view`, rates against the one before */
    /* how fresh the choice of rows is (tables, indexes) */
    double view_rows_chosen_at;       /* clock_mono_s when a pass chose them; 0: not yet */
    int view_rows_sort;               /* the column they were chosen for (srv_pass_key_col) */
    srv_pass *view_pass;              /* the pass in progress, NULL between passes */
    mon_failure fail[MON_STEP_COUNT]; /* each step's last outcome */
    mon_step last_failed;
    /* in flight (private) */
    char *tag;
    eng_id id[MON_STEP_COUNT];
    bool pgss_stale; /* the filter changed while a snapshot was on its way */
    mon_text_cache *texts;
    mon_pgss_snap *incoming;
    mon_activity *now_incoming, *activity_incoming;
    mon_dbstat db_incoming;
    bool have_db_incoming;
    srv_snap *view_incoming;
    srv_view_id view_of_query; /* the view the statement in flight is for */
    double view_last_run, view_pass_started;
    bool view_want_catalog;
    unsigned view_pass_gen, slice_gen; /* the slice in flight is for pass slice_gen */
    srv_snap *view_seed;               /* the rows a pass chose, until they are read */
    char **size_due;                   /* oids whose sizes are to be read */
    size_t nsize_due;
} mon_driver;

/* tag: the prefix of the statements' tags (the pane class's, without ':'). */
void mon_driver_init(mon_driver *d, engine *e, const char *tag, unsigned parts);
void mon_driver_free(mon_driver *d);
/* Submits every step of d->parts that is not already in flight. */
void mon_driver_refresh(mon_driver *d);
/* The same for some parts only (e.g. MON_PART_PGSS after :sort). */
void mon_driver_submit(mon_driver *d, unsigned parts);
/* Feeds one engine event; returns MON_* bits, 0 when it is not the driver's. */
unsigned mon_driver_on_event(mon_driver *d, const eng_event *ev);
/* True while a statement of the driver is in flight. */
bool mon_driver_busy(const mon_driver *d);
/* Blocks until nothing is in flight (the CLI's loop); the OR of the bits. */
unsigned mon_driver_wait(mon_driver *d);
/* A new filter ("db:x user:y text"): the baseline is dropped and the list
 * read again (what is on its way answers the old filter and is discarded). */
void mon_driver_set_filter(mon_driver *d, const char *input);
/* Forgets prev and cur: rates restart (after a reset, a new filter). */
void mon_driver_drop_baseline(mon_driver *d);
/* Probe again at the next refresh (after CREATE EXTENSION). */
void mon_driver_reprobe(mon_driver *d);
/* Shows another server view, sorted on sort_col: its rates restart (nothing
 * is compared across views); a statement in flight for the old view is
 * discarded. */
void mon_driver_set_view(mon_driver *d, srv_view_id view, int sort_col);
/* The view's sort column; a column the statement sorts on (tables, indexes)
 * makes the next refresh read the catalog, so the limit keeps its top rows. */
void mon_driver_set_view_sort(mon_driver *d, int col);
/* Start a new pass over the catalog now (R). */
void mon_driver_reread_catalog(mon_driver *d);
/* How fresh the rows of tables and indexes are, for a person ("rows chosen
 * 40s ago by n_dead_tup · next pass 60% done"; "sorting by seq_scan: 30% of
 * the catalog read · ..." while a pass for a new sort runs); NULL for the
 * other views. buf holds it. */
const char *mon_driver_view_freshness(const mon_driver *d, char *buf, size_t n);
/* Hands the last pg_stat_activity list to the caller (NULL if none). */
mon_activity *mon_driver_take_activity(mon_driver *d);

/* ---- small shared helpers ------------------------------------------------ */

/* Parses a PostgreSQL int array literal "{1,2}" into a malloc'd array. */
int *mon_parse_int_array(const char *s, int *n);

#endif
