/* monitor_server.h — the server health views (the Server pane and `pgdeck
 * top --view`): database, tables, indexes, replication, progress and WAL /
 * checkpointer / bgwriter figures, as pgcenter shows them.
 *
 * Each view is a const table of columns (srv_view): a JSON key that is also
 * the result column's name, a title, a kind (how it is formatted), whether it
 * is a cumulative counter (then a per-second rate "<key>_per_s" comes from
 * two snapshots), and the SQL expression(s) that produce it. A column names
 * the catalog column it needs ("pg_stat_wal.wal_records"); the probe
 * (srv_probe_sql) reads the columns of the statistics views from
 * pg_attribute once per connection, and a column the server lacks is
 * selected as NULL and shown as "not on PostgreSQL N", never an error.
 *
 * Pure code as the rest of monitor.h: no PGconn, no I/O, no clock. The
 * caller runs srv_view_sql() through eng_exec (ENG_EXEC_NOMETRICS |
 * ENG_EXEC_NOPREPARE, no parameters) and hands the result to srv_parse().
 * The view SQL is cheap on a database with 10 000 tables: the per-table and
 * per-index statistics functions are evaluated for the rows shown only,
 * never through the grouped pg_stat_*_tables views, and the rows of tables
 * and indexes are chosen by a pass over the catalog in slices. */
#ifndef PGDECK_MONITOR_SERVER_H
#define PGDECK_MONITOR_SERVER_H

#include "engine/engine.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum srv_view_id {
    SRV_DATABASE,
    SRV_TABLES,
    SRV_INDEXES,
    SRV_REPLICATION,
    SRV_PROGRESS,
    SRV_WAL,
    SRV_VIEW_COUNT
} srv_view_id;

typedef enum srv_kind {
    SRV_TEXT,    /* shown as it came (through the escaping function) */
    SRV_NUM,     /* a count: "12.3k" */
    SRV_INT,     /* an identifier (pid): every digit */
    SRV_BYTES,   /* "12.3 MB" */
    SRV_PCT,     /* percent, one decimal */
    SRV_SECONDS, /* a duration in seconds: "4m05s" */
    SRV_MS,      /* milliseconds */
    SRV_EPOCH,   /* a timestamp as Unix epoch seconds: shown as an age ("12m ago") */
    SRV_BOOL,    /* "yes" / "no" */
} srv_kind;

enum {
    SRV_F_COUNTER = 1 << 0,   /* cumulative: a per-second rate is computed */
    SRV_F_SHOW_RATE = 1 << 1, /* the list shows the rate, not the total */
    SRV_F_KEY = 1 << 2,       /* part of the row's identity across snapshots */
    SRV_F_HIDE = 1 << 3,      /* in JSON and the detail only, not in the list */
};

typedef struct srv_alt {
    const char *needs; /* "view.column" the expression needs, NULL: always there */
    const char *expr;
} srv_alt;

typedef struct srv_col {
    const char *key;   /* JSON key and result column name */
    const char *title; /* list header */
    srv_kind kind;
    int flags;
    int width; /* list width (0: flexible, the last text column) */
    int drop;  /* narrow screens drop the highest first; 0 never */
    srv_alt alt[2];
    const char *order; /* inner ORDER BY expression when the list may sort on it in SQL */
} srv_col;

typedef struct srv_catalog srv_catalog;

typedef struct srv_view {
    srv_view_id id;
    const char *name;  /* "database" — --view and JSON */
    const char *title; /* "Database" */
    char key;          /* the Server pane's key for it */
    const srv_col *cols;
    int ncols;
    bool single;      /* one row (WAL): shown as a list of figures */
    int default_sort; /* column index */
    /* seconds between refreshes at least: the statement reads the whole
     * catalog (every table or index), so the pane runs it less often */
    double min_interval;
} srv_view;

const srv_view *srv_view_get(srv_view_id id);
/* By name ("tables"); NULL if unknown. */
const srv_view *srv_view_by_name(const char *name);

/* ---- probe ---------------------------------------------------------------- */

/* One row: server_version_num and the statistics views' columns. */
const char *srv_probe_sql(void);
srv_catalog *srv_catalog_parse(const eng_result *r, char **err);
/* A catalog from its parts ("view.col,view.col"): what an older server
 * would answer (the tests run the SQL of 13 on a newer server). */
srv_catalog *srv_catalog_new(int version, const char *columns);
void srv_catalog_free(srv_catalog *c);
/* The columns, "view.col,view.col" (for srv_catalog_new). */
const char *srv_catalog_columns(const srv_catalog *c);
int srv_catalog_version(const srv_catalog *c);
/* "pg_stat_wal" or "pg_stat_wal.wal_records": the server has it. */
bool srv_catalog_has(const srv_catalog *c, const char *what);
/* The server lacks every alternative of this column. */
bool srv_col_absent(const srv_catalog *c, const srv_col *col);

/* ---- the view's SQL --------------------------------------------------------- */

/* The view's statement, at most limit rows, sorted (descending) on column
 * sort_col when that column has an `order` (otherwise the default order).
 * No parameters. malloc'd. For tables and indexes it reads the whole
 * catalog in one statement: the driver chooses their rows by a pass in
 * slices instead (below), and the tests compare the two. */
char *srv_view_sql(const srv_view *v, const srv_catalog *c, int sort_col, int limit);

/* ---- which rows tables and indexes show: the rolling catalog pass ----------- */

/* Which rows tables and indexes show (the top of the sort over the whole
 * catalog), their sizes and the duplicate indexes are catalog facts. One
 * statement over the whole pg_class (srv_view_sql) costs tens of ms at
 * 10 000 tables, so the driver reads the catalog in slices instead: each
 * statement (srv_pass_slice_sql) reads the next SRV_SLICE_ROWS tables by
 * oid (for indexes: those tables' indexes) with the sort's cheap key only,
 * and srv_pass_add keeps a running top; when the last slice came, the top
 * (srv_pass_rows) becomes the view's rows. srv_view_sql remains the
 * reference the passes are tested against. Every refresh reads the rows'
 * statistics by oid (srv_view_sql_rows), carrying their sizes and
 * duplicate_of over, and reads the sizes of the rows flagged in sizes_now
 * (the driver flags SRV_SIZES_PER_REFRESH rows a time). A pass starts at
 * most every SRV_CATALOG_INTERVAL seconds, on a sort change or on R. */
#define SRV_CATALOG_INTERVAL 60.0
#define SRV_SLICE_ROWS 300 /* tables a slice reads (indexes: half); PGDECK_SLICE_ROWS in tests */
#define SRV_SIZES_PER_REFRESH                                                                      \
    5 /* rows whose sizes a refresh reads: ~0.2 ms each at 10 000 tables */
/* FirstNormalObjectId - 1: initdb's relations lie below, a user's never
 * (after an oid wraparound new oids start again above it) */
#define SRV_FIRST_USER_OID 16383UL
bool srv_view_cached(const srv_view *v);
struct srv_snap;
/* The rows of prev (oids, carried sizes and duplicate_of), their statistics
 * now; sizes read again for the rows j with sizes_now[j] (may be NULL).
 * NULL when v has no such refresh. */
char *srv_view_sql_rows(const srv_view *v, const srv_catalog *c, const struct srv_snap *prev,
                        const bool *sizes_now);

typedef struct srv_pass srv_pass;
/* The column whose key a pass for sort_col sorts on: sort_col when the
 * statement can sort on it (it has an `order`), else the default sort. */
int srv_pass_key_col(const srv_view *v, int sort_col);
/* A pass over v's catalog for the top `limit` rows of sort_col, `slice`
 * tables a statement (<= 0: SRV_SLICE_ROWS, half for indexes). */
srv_pass *srv_pass_new(const srv_view *v, int sort_col, int limit, int slice);
void srv_pass_free(srv_pass *p);
/* The next slice's statement (no parameters, malloc'd); NULL when done. */
char *srv_pass_slice_sql(const srv_pass *p, const srv_catalog *c);
/* A slice's result into the running top; false (err set) if it is not one. */
bool srv_pass_add(srv_pass *p, const eng_result *r, char **err);
bool srv_pass_done(const srv_pass *p);
int srv_pass_sort(const srv_pass *p); /* srv_pass_key_col of the pass */
size_t srv_pass_slices(const srv_pass *p);
/* How far through the catalog (by oid), 0..100 (100 only when done). */
double srv_pass_pct(const srv_pass *p);
/* The rows chosen, in the sort's order, as the input of srv_view_sql_rows:
 * oid and duplicate_of from the pass, sizes carried from prev for the rows
 * it has (else NULL: to be read). Caller frees (srv_snap_free). */
struct srv_snap *srv_pass_rows(const srv_pass *p, const struct srv_snap *prev);

/* ---- snapshots and rates ---------------------------------------------------- */

typedef struct srv_row {
    char **text;  /* per column, "" for NULL */
    double *num;  /* per column: the number, NAN for NULL or text */
    double *rate; /* per column: per second for counters, NAN without one */
} srv_row;

typedef struct srv_snap {
    const srv_view *view;
    double taken_at; /* caller's monotonic clock, seconds */
    double now_s;    /* the server's clock, epoch seconds */
    int version;     /* server_version_num */
    bool *absent;    /* per column: the server lacks it */
    char *note;      /* "" or e.g. "copy progress: not on PostgreSQL 13" */
    size_t n;
    srv_row *rows;
    double interval_s; /* seconds since the previous snapshot, 0: no rates */
    bool reset_seen;   /* some counter went backwards: no rate for it this time */
} srv_snap;

srv_snap *srv_parse(const srv_view *v, const srv_catalog *c, const eng_result *r, double taken_at,
                    char **err);
void srv_snap_free(srv_snap *s);
/* Per-second rates of cur's counters against prev (same view; may be NULL).
 * A counter that went backwards (a reset) has no rate, never a negative one. */
void srv_rates(const srv_snap *prev, srv_snap *cur);

/* Sorts the rows on a column, descending (text ascending); by the rate for
 * SRV_F_SHOW_RATE columns when there are rates. */
void srv_sort(srv_snap *s, int col);

/* A cell as the list shows it (the rate for SRV_F_SHOW_RATE columns when
 * show_rate and there are rates; the total before), into buf. "n/a" when the server lacks the
 * column. */
const char *srv_format(const srv_snap *s, size_t row, int col, bool show_rate, char *buf, size_t n);
/* The column's title: "commit/s" with rates, "commit" (the total) before. */
const char *srv_title(const srv_snap *s, int col, char *buf, size_t n);
/* "not on PostgreSQL 13" for an absent column, else NULL. buf holds it. */
const char *srv_absent_text(const srv_snap *s, int col, char *buf, size_t n);

#endif
