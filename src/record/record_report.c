/* record_report.c — a window of a recording summed up (record_report.h). */
#include "config.h"

#include "record/record_report.h"

#include "common/xalloc.h"
#include "record/record_read_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The snapshots of the window: ?1 server id, ?2 from, ?3 to. */
#define WINDOW "n.server_id = ?1 AND n.taken_at BETWEEN ?2 AND ?3"

static const char SQL_COUNTS[] =
    "SELECT count(*), coalesce(sum(n.grain > 0), 0), min(n.taken_at), max(n.taken_at),"
    " coalesce(sum(n.interval_s), 0) FROM snapshot n WHERE " WINDOW;

/* Nested statements (toplevel 0) are inside their callers' time: the share
 * is of the top-level total (all rows when the server has no toplevel). */
static const char SQL_TOTALS[] =
    "SELECT sum(CASE WHEN s.toplevel THEN s.total_ms END), sum(s.total_ms),"
    " sum(CASE WHEN s.toplevel THEN s.calls END), sum(s.calls)"
    " FROM snapshot n JOIN stmt s ON s.snapshot_id = n.id WHERE " WINDOW;

static const char SQL_TOP[] =
    "SELECT g.dbid, g.userid, g.queryid, g.toplevel, g.calls, g.total_ms, g.rows, g.max_ms,"
    " t.database, t.role, t.query FROM ("
    "  SELECT s.dbid, s.userid, s.queryid, s.toplevel, sum(s.calls) AS calls,"
    "   sum(s.total_ms) AS total_ms, sum(s.rows) AS rows, max(s.max_ms) AS max_ms"
    "  FROM snapshot n JOIN stmt s ON s.snapshot_id = n.id WHERE " WINDOW
    "  GROUP BY s.dbid, s.userid, s.queryid, s.toplevel"
    "  ORDER BY total_ms DESC, calls DESC, s.queryid LIMIT ?4) g"
    " LEFT JOIN query_text t ON t.server_id = ?1 AND t.dbid = g.dbid AND t.userid = g.userid"
    "  AND t.queryid = g.queryid"
    " ORDER BY g.total_ms DESC, g.calls DESC, g.queryid";

/* Who blocked whom: each waiter's blocked_by ('{12,34}', pg_blocking_pids)
 * as a JSON array; per blocker and snapshot the waiters, then per blocker
 * the span, the snapshots, the most at once and the longest wait. */
static const char SQL_BLOCKERS[] =
    "WITH w AS ("
    "  SELECT n.id AS sid, n.taken_at AS t, CAST(j.value AS INTEGER) AS bpid, b.pid AS wpid,"
    "   b.query_s AS wq"
    "  FROM snapshot n JOIN backend b ON b.snapshot_id = n.id,"
    "   json_each(CASE WHEN json_valid('[' || substr(b.blocked_by, 2,"
    "      length(b.blocked_by) - 2) || ']')"
    "    THEN '[' || substr(b.blocked_by, 2, length(b.blocked_by) - 2) || ']' ELSE '[]' END) j"
    "  WHERE " WINDOW " AND b.blocked_by IS NOT NULL),"
    " per AS (SELECT bpid, sid, t, count(DISTINCT wpid) AS c, max(wq) AS wq FROM w"
    "  GROUP BY bpid, sid)"
    " SELECT bpid, min(t), max(t), count(*), max(c), max(wq),"
    "  (SELECT count(DISTINCT wpid) FROM w WHERE w.bpid = per.bpid)"
    " FROM per GROUP BY bpid"
    " ORDER BY max(max(t) - min(t), coalesce(max(wq), 0)) DESC, count(*) DESC, bpid LIMIT ?4";

/* The blocker's own row at its last sighting while blocking (?4 pid, ?5 time). */
static const char SQL_BLOCKER_ROW[] =
    "SELECT b.role, b.database, b.application, b.state, b.query FROM snapshot n"
    " JOIN backend b ON b.snapshot_id = n.id"
    " WHERE n.server_id = ?1 AND n.taken_at BETWEEN ?2 AND ?3 AND b.pid = ?4"
    " ORDER BY n.taken_at <= ?5 DESC, abs(n.taken_at - ?5) LIMIT 1";

/* Connections and tps from dbstat, or the Fleet line when dbstat lacks them. */
static const char SQL_PEAK[] =
    "SELECT coalesce(d.connections, f.connections) AS c,"
    " coalesce(d.max_connections, f.max_conn), n.taken_at"
    " FROM snapshot n LEFT JOIN dbstat d ON d.snapshot_id = n.id"
    " LEFT JOIN fleet f ON f.snapshot_id = n.id"
    " WHERE " WINDOW " AND coalesce(d.connections, f.connections) IS NOT NULL"
    " ORDER BY c DESC, n.taken_at LIMIT 1";

static const char SQL_TPS[] = "SELECT min(x), max(x), sum(x * i) / sum(i) FROM ("
                              " SELECT coalesce(d.tps, f.tps) AS x, n.interval_s AS i"
                              " FROM snapshot n LEFT JOIN dbstat d ON d.snapshot_id = n.id"
                              " LEFT JOIN fleet f ON f.snapshot_id = n.id"
                              " WHERE " WINDOW " AND n.interval_s > 0) WHERE x IS NOT NULL";

static const char SQL_UPDOWN[] =
    "SELECT n.taken_at, n.up, n.error FROM snapshot n WHERE " WINDOW " ORDER BY n.taken_at, n.id";

static const char SQL_ERRORS[] =
    "SELECT n.error, count(*), min(n.taken_at), max(n.taken_at) FROM snapshot n"
    " WHERE " WINDOW " AND n.up AND n.error IS NOT NULL"
    " GROUP BY n.error ORDER BY count(*) DESC, min(n.taken_at) LIMIT ?4";

typedef struct ctx {
    rec_reader *r;
    sqlite3 *db;
    int64_t server_id;
    double from, to;
    int top;
    char **err;
} ctx;

/* Prepared and bound to the window (and ?4 = top when the SQL has it). */
static sqlite3_stmt *prepare(ctx *c, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        *c->err = rec_read_error(c->r, what);
        sqlite3_finalize(st);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, c->server_id);
    sqlite3_bind_double(st, 2, c->from);
    sqlite3_bind_double(st, 3, c->to);
    if (sqlite3_bind_parameter_count(st) >= 4)
        sqlite3_bind_int(st, 4, c->top);
    return st;
}

/* Steps to the end; false (with *err) when the step failed. */
static bool finish(ctx *c, sqlite3_stmt *st, int rc, const char *what)
{
    bool good = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (!good)
        *c->err = rec_read_error(c->r, what);
    sqlite3_finalize(st);
    return good;
}

static bool load_counts(ctx *c, rec_summary *s)
{
    sqlite3_stmt *st = prepare(c, SQL_COUNTS, "the snapshots");
    if (!st)
        return false;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->snapshots = (size_t)sqlite3_column_int64(st, 0);
        s->minute_snapshots = (size_t)sqlite3_column_int64(st, 1);
        s->first = rec_col_num(st, 2);
        s->last = rec_col_num(st, 3);
        s->covered_s = sqlite3_column_double(st, 4);
    }
    return finish(c, st, rc, "the snapshots");
}

static bool load_statements(ctx *c, rec_summary *s)
{
    sqlite3_stmt *st = prepare(c, SQL_TOTALS, "the statements");
    if (!st)
        return false;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        double top_ms = rec_col_num(st, 0), all_ms = rec_col_num(st, 1);
        double top_calls = rec_col_num(st, 2), all_calls = rec_col_num(st, 3);
        bool have_top = top_ms > 0;
        s->total_ms = have_top ? top_ms : all_ms;
        s->calls = have_top ? top_calls : all_calls;
    }
    if (!finish(c, st, rc, "the statements"))
        return false;

    st = prepare(c, SQL_TOP, "the statements");
    if (!st)
        return false;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s->stmt = xgrow(s->stmt, &cap, s->nstmt + 1, sizeof *s->stmt);
        rec_stmt_total *t = &s->stmt[s->nstmt++];
        memset(t, 0, sizeof *t);
        t->dbid = (uint32_t)sqlite3_column_int64(st, 0);
        t->userid = (uint32_t)sqlite3_column_int64(st, 1);
        t->queryid = sqlite3_column_int64(st, 2);
        t->toplevel = sqlite3_column_int(st, 3) != 0;
        t->calls = rec_col_num(st, 4);
        t->total_ms = rec_col_num(st, 5);
        t->rows = rec_col_num(st, 6);
        t->max_ms = rec_col_num(st, 7);
        t->database = rec_col_str0(st, 8);
        t->role = rec_col_str0(st, 9);
        t->query = rec_col_str(st, 10);
        if (!t->query)
            t->query = xstrdup("<text not available>");
        t->mean_ms = t->calls > 0 ? t->total_ms / t->calls : NAN;
        t->share = s->total_ms > 0 ? t->total_ms / s->total_ms : NAN;
    }
    return finish(c, st, rc, "the statements");
}

static bool load_blocker_row(ctx *c, rec_blocker *b)
{
    sqlite3_stmt *st = prepare(c, SQL_BLOCKER_ROW, "the blockers");
    if (!st)
        return false;
    sqlite3_bind_int(st, 4, b->pid);
    sqlite3_bind_double(st, 5, b->last_seen);
    int rc = sqlite3_step(st);
    bool row = rc == SQLITE_ROW;
    b->role = row ? rec_col_str0(st, 0) : xstrdup("");
    b->database = row ? rec_col_str0(st, 1) : xstrdup("");
    b->application = row ? rec_col_str0(st, 2) : xstrdup("");
    b->state = row ? rec_col_str0(st, 3) : xstrdup("");
    b->query = row ? rec_col_str0(st, 4) : xstrdup("");
    return finish(c, st, rc, "the blockers");
}

static bool load_blockers(ctx *c, rec_summary *s)
{
    sqlite3_stmt *st = prepare(c, SQL_BLOCKERS, "the blockers");
    if (!st)
        return false;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s->blockers = xgrow(s->blockers, &cap, s->nblockers + 1, sizeof *s->blockers);
        rec_blocker *b = &s->blockers[s->nblockers++];
        memset(b, 0, sizeof *b);
        b->pid = sqlite3_column_int(st, 0);
        b->first_seen = sqlite3_column_double(st, 1);
        b->last_seen = sqlite3_column_double(st, 2);
        b->snapshots = (size_t)sqlite3_column_int64(st, 3);
        b->most_at_once = (size_t)sqlite3_column_int64(st, 4);
        double wait = rec_col_num(st, 5);
        b->waiters = (size_t)sqlite3_column_int64(st, 6);
        double span = b->last_seen - b->first_seen;
        b->blocked_s = !isnan(wait) && wait > span ? wait : span;
    }
    if (!finish(c, st, rc, "the blockers"))
        return false;
    for (size_t i = 0; i < s->nblockers; i++)
        if (!load_blocker_row(c, &s->blockers[i]))
            return false;
    return true;
}

static bool load_figures(ctx *c, rec_summary *s)
{
    s->peak_conn = s->peak_conn_at = s->max_conn = NAN;
    s->tps_min = s->tps_avg = s->tps_max = NAN;
    sqlite3_stmt *st = prepare(c, SQL_PEAK, "the connections");
    if (!st)
        return false;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->peak_conn = rec_col_num(st, 0);
        s->max_conn = rec_col_num(st, 1);
        s->peak_conn_at = rec_col_num(st, 2);
    }
    if (!finish(c, st, rc, "the connections"))
        return false;
    st = prepare(c, SQL_TPS, "the throughput");
    if (!st)
        return false;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->tps_min = rec_col_num(st, 0);
        s->tps_max = rec_col_num(st, 1);
        s->tps_avg = rec_col_num(st, 2);
    }
    return finish(c, st, rc, "the throughput");
}

/* Down periods: runs of snapshots with up = 0, ended by the next that is up. */
static bool load_down(ctx *c, rec_summary *s)
{
    sqlite3_stmt *st = prepare(c, SQL_UPDOWN, "the snapshots");
    if (!st)
        return false;
    size_t cap = 0;
    rec_down *open = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double t = sqlite3_column_double(st, 0);
        bool up = sqlite3_column_int(st, 1) != 0;
        if (up) {
            if (open)
                open->up_again = t;
            open = NULL;
            continue;
        }
        if (!open) {
            s->down = xgrow(s->down, &cap, s->ndown + 1, sizeof *s->down);
            open = &s->down[s->ndown++];
            open->from = t;
            open->up_again = NAN;
            open->snapshots = 0;
            open->error = rec_col_str0(st, 2);
        }
        open->to = t;
        open->snapshots++;
    }
    if (!finish(c, st, rc, "the snapshots"))
        return false;

    st = prepare(c, SQL_ERRORS, "the errors");
    if (!st)
        return false;
    cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s->errors = xgrow(s->errors, &cap, s->nerrors + 1, sizeof *s->errors);
        rec_error_count *e = &s->errors[s->nerrors++];
        e->error = rec_col_str0(st, 0);
        e->count = (size_t)sqlite3_column_int64(st, 1);
        e->first = sqlite3_column_double(st, 2);
        e->last = sqlite3_column_double(st, 3);
    }
    return finish(c, st, rc, "the errors");
}

rec_summary *rec_summary_load(rec_reader *r, size_t server, double from, double to, int top,
                              char **err)
{
    const char *const *names = NULL;
    size_t nservers = rec_reader_servers(r, &names);
    ctx c = {r, rec_reader_db(r), 0, from, to, top > 0 ? top : 10, err};
    if (server >= nservers || !rec_reader_server_id(r, server, &c.server_id)) {
        *err = xasprintf("%s: no server %zu in the recording", rec_reader_path(r), server);
        return NULL;
    }
    rec_summary *s = xcalloc(1, sizeof *s);
    s->server = xstrdup(names[server]);
    s->from = from;
    s->to = to;
    s->first = s->last = NAN;
    /* one read transaction: a recorder writing meanwhile does not skew the sums */
    sqlite3_exec(c.db, "BEGIN", NULL, NULL, NULL);
    bool good = load_counts(&c, s) && load_statements(&c, s) && load_blockers(&c, s) &&
                load_figures(&c, s) && load_down(&c, s);
    sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
    if (!good) {
        rec_summary_free(s);
        return NULL;
    }
    return s;
}

void rec_summary_free(rec_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nstmt; i++) {
        free(s->stmt[i].database);
        free(s->stmt[i].role);
        free(s->stmt[i].query);
    }
    free(s->stmt);
    for (size_t i = 0; i < s->nblockers; i++) {
        rec_blocker *b = &s->blockers[i];
        free(b->role);
        free(b->database);
        free(b->application);
        free(b->state);
        free(b->query);
    }
    free(s->blockers);
    for (size_t i = 0; i < s->ndown; i++)
        free(s->down[i].error);
    free(s->down);
    for (size_t i = 0; i < s->nerrors; i++)
        free(s->errors[i].error);
    free(s->errors);
    free(s->server);
    free(s);
}
