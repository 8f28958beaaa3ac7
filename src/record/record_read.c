/* record_read.c — the reader of a recording (record_read.h): moments
 * rebuilt into the monitors' own structs from the tables of doc/record.md. */
#include "config.h"

#include "record/record_read.h"

#include "common/fingerprint.h"
#include "common/jsonparse.h"
#include "common/xalloc.h"
#include "monitor/monitor_server_build.h"
#include "record/record_db.h"
#include "record/record_read_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    Q_SEEK_AT,
    Q_SEEK_BEFORE,
    Q_SEEK_AFTER,
    Q_RANGE,
    Q_SNAPSHOT,
    Q_STMT,
    Q_BACKEND,
    Q_DBSTAT,
    Q_VIEWS,
    Q_FLEET,
    Q_COUNT
};

/* The counters' columns in MON_COUNTERS order (their names are the columns). */
#define STMT_COL(id, name, cols) ", s." name
static const char *const queries[Q_COUNT] = {
    [Q_SEEK_AT] = "SELECT taken_at FROM snapshot WHERE server_id = ?1 AND taken_at <= ?2"
                  " ORDER BY taken_at DESC LIMIT 1",
    [Q_SEEK_BEFORE] = "SELECT taken_at FROM snapshot WHERE server_id = ?1 AND taken_at <= ?2"
                      " ORDER BY taken_at DESC LIMIT 1 OFFSET 1",
    [Q_SEEK_AFTER] = "SELECT taken_at FROM snapshot WHERE server_id = ?1 AND taken_at > ?2"
                     " ORDER BY taken_at LIMIT 1",
    [Q_RANGE] = "SELECT min(taken_at), max(taken_at) FROM snapshot WHERE server_id = ?1",
    [Q_SNAPSHOT] = "SELECT id, taken_at, interval_s, grain, up, error, version_num, standby"
                   " FROM snapshot WHERE server_id = ?1 AND taken_at <= ?2"
                   " ORDER BY taken_at DESC, id DESC LIMIT 1",
    [Q_STMT] = "SELECT s.dbid, s.userid, s.queryid, s.toplevel, s.max_ms, t.database, t.role,"
               " t.query" MON_COUNTERS(STMT_COL) " FROM stmt s LEFT JOIN query_text t"
                                                 " ON t.server_id = ?2 AND t.dbid = s.dbid AND"
                                                 " t.userid = s.userid AND t.queryid = s.queryid"
                                                 " WHERE s.snapshot_id = ?1"
                                                 " ORDER BY s.total_ms DESC, s.queryid",
    [Q_BACKEND] = "SELECT pid, database, role, application, client, state, wait_type,"
                  " wait_event, backend_type, query, backend_start, xact_s, query_s, state_s,"
                  " blocked_by, nblocking FROM backend WHERE snapshot_id = ?1"
                  " ORDER BY query_s IS NULL, query_s DESC, pid",
    [Q_DBSTAT] = "SELECT xacts, blks_hit, blks_read, temp_files, temp_bytes, tps, hit_ratio,"
                 " temp_files_s, temp_bytes_s, connections, max_connections"
                 " FROM dbstat WHERE snapshot_id = ?1",
    [Q_VIEWS] = "SELECT view, data, ord FROM view_row WHERE snapshot_id = ?1 ORDER BY view, ord",
    [Q_FLEET] = "SELECT s.taken_at, s.up, s.error, s.standby, s.version_num, f.version,"
                " f.connections, f.max_conn, f.tps, f.longest_xact, f.blocked, f.lag_s,"
                " f.lag_bytes, f.standbys, f.snapshot_id IS NOT NULL"
                " FROM snapshot s LEFT JOIN fleet f ON f.snapshot_id = s.id"
                " WHERE s.server_id = ?1 AND s.taken_at <= ?2"
                " ORDER BY s.taken_at DESC, s.id DESC LIMIT 1",
};
#undef STMT_COL

struct rec_reader {
    sqlite3 *db;
    char *path;
    size_t nservers;
    char **names;
    int64_t *ids;
    sqlite3_stmt *q[Q_COUNT];
};

/* ---- helpers shared with record_report.c ---------------------------------- */

double rec_col_num(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

char *rec_col_str(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s ? xstrdup((const char *)s) : NULL;
}

char *rec_col_str0(sqlite3_stmt *st, int col)
{
    char *s = rec_col_str(st, col);
    return s ? s : xstrdup("");
}

sqlite3 *rec_reader_db(rec_reader *r)
{
    return r->db;
}

const char *rec_reader_path(const rec_reader *r)
{
    return r->path;
}

bool rec_reader_server_id(rec_reader *r, size_t server, int64_t *id)
{
    if (server >= r->nservers)
        return false;
    *id = r->ids[server];
    return true;
}

char *rec_read_error(rec_reader *r, const char *what)
{
    return xasprintf("%s: cannot read %s: %s", r->path, what, sqlite3_errmsg(r->db));
}

/* A prepared statement, reset and with its bindings cleared. */
static sqlite3_stmt *query(rec_reader *r, int which)
{
    sqlite3_stmt *st = r->q[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* ---- open / close ---------------------------------------------------------------- */

static bool load_servers(rec_reader *r, char **err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT id, name FROM server ORDER BY id", -1, &st, NULL) !=
        SQLITE_OK) {
        *err = rec_read_error(r, "its servers");
        return false;
    }
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        r->names = xgrow(r->names, &cap, r->nservers + 1, sizeof *r->names);
        r->ids = xrealloc(r->ids, cap * sizeof *r->ids);
        r->ids[r->nservers] = sqlite3_column_int64(st, 0);
        r->names[r->nservers] = rec_col_str0(st, 1);
        r->nservers++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        *err = rec_read_error(r, "its servers");
        return false;
    }
    return true;
}

rec_reader *rec_reader_open(const char *path, char **err)
{
    char *why = NULL;
    sqlite3 *db = rec_db_open(path, false, &why);
    if (!db) {
        *err = why;
        return NULL;
    }
    rec_reader *r = xcalloc(1, sizeof *r);
    r->db = db;
    r->path = xstrdup(path);
    for (int i = 0; i < Q_COUNT; i++)
        if (sqlite3_prepare_v3(db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &r->q[i], NULL) !=
            SQLITE_OK) {
            *err = xasprintf("%s is not a pgdeck recording (%s)", path, sqlite3_errmsg(db));
            rec_reader_close(r);
            return NULL;
        }
    if (!load_servers(r, err)) {
        rec_reader_close(r);
        return NULL;
    }
    return r;
}

void rec_reader_close(rec_reader *r)
{
    if (!r)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(r->q[i]);
    sqlite3_close(r->db);
    for (size_t i = 0; i < r->nservers; i++)
        free(r->names[i]);
    free(r->names);
    free(r->ids);
    free(r->path);
    free(r);
}

size_t rec_reader_servers(rec_reader *r, const char *const **names)
{
    if (names)
        *names = (const char *const *)r->names;
    return r->nservers;
}

bool rec_reader_range(rec_reader *r, size_t server, double *first, double *last)
{
    if (server >= r->nservers)
        return false;
    sqlite3_stmt *st = query(r, Q_RANGE);
    sqlite3_bind_int64(st, 1, r->ids[server]);
    bool found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found) {
        if (first)
            *first = sqlite3_column_double(st, 0);
        if (last)
            *last = sqlite3_column_double(st, 1);
    }
    sqlite3_reset(st);
    return found;
}

bool rec_reader_seek(rec_reader *r, size_t server, double t, int dir, double *at)
{
    if (server >= r->nservers || isnan(t))
        return false;
    /* before: the second at or before t, i.e. the one before the snapshot at t */
    sqlite3_stmt *st = query(r, dir < 0 ? Q_SEEK_BEFORE : dir > 0 ? Q_SEEK_AFTER : Q_SEEK_AT);
    sqlite3_bind_int64(st, 1, r->ids[server]);
    sqlite3_bind_double(st, 2, t);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found && at)
        *at = sqlite3_column_double(st, 0);
    sqlite3_reset(st);
    return found;
}

/* ---- a moment ------------------------------------------------------------------ */

static mon_pgss_snap *load_pgss(rec_reader *r, int64_t snap_id, int64_t server_id, double taken_at,
                                double interval_s)
{
    sqlite3_stmt *st = query(r, Q_STMT);
    sqlite3_bind_int64(st, 1, snap_id);
    sqlite3_bind_int64(st, 2, server_id);
    mon_pgss_snap *snap = NULL;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (!snap) {
            snap = xcalloc(1, sizeof *snap);
            snap->taken_at = taken_at;
            snap->stats_reset = NAN;
            snap->dealloc = NAN;
            snap->interval_s = interval_s;
        }
        snap->rows = xgrow(snap->rows, &cap, snap->n + 1, sizeof *snap->rows);
        mon_stmt *m = &snap->rows[snap->n++];
        memset(m, 0, sizeof *m);
        m->dbid = (uint32_t)sqlite3_column_int64(st, 0);
        m->userid = (uint32_t)sqlite3_column_int64(st, 1);
        m->queryid = sqlite3_column_int64(st, 2);
        m->has_queryid = true;
        m->toplevel = sqlite3_column_int(st, 3) != 0;
        for (int g = 0; g < MG_COUNT; g++)
            m->g[g] = NAN;
        m->g[MG_MAX_MS] = rec_col_num(st, 4);
        m->database = rec_col_str0(st, 5);
        m->user = rec_col_str0(st, 6);
        m->query = rec_col_str(st, 7);
        if (!m->query)
            m->query = xstrdup("<text not available>");
        m->has_text = true;
        m->hidden_text = strcmp(m->query, "<insufficient privilege>") == 0;
        m->fingerprint = m->hidden_text ? 0 : sql_fingerprint(m->query, NULL);
        m->has_rate = interval_s > 0;
        for (int c = 0; c < MC_COUNT; c++) {
            m->d[c] = rec_col_num(st, 8 + c);
            m->c[c] = m->d[c];
            m->r[c] = interval_s > 0 ? m->d[c] / interval_s : NAN;
        }
        double calls = m->d[MC_CALLS];
        m->interval_mean_ms = calls > 0 ? m->d[MC_TOTAL_MS] / calls : NAN;
        m->g[MG_MEAN_MS] = m->interval_mean_ms;
    }
    sqlite3_reset(st);
    if (snap)
        snap->total_entries = (long)snap->n;
    return snap;
}

/* "2026-12-04 03:12:05.123456" (UTC, monitor_activity's fixed form) as epoch. */
static double utc_epoch(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    double frac = 0;
    int n = 0;
    if (!s || sscanf(s, "%d-%d-%d %d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec, &n) != 6)
        return NAN;
    if (s[n] == '.')
        frac = strtod(s + n, NULL);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm) + frac;
}

static mon_activity *load_activity(rec_reader *r, int64_t snap_id)
{
    sqlite3_stmt *st = query(r, Q_BACKEND);
    sqlite3_bind_int64(st, 1, snap_id);
    mon_activity *a = NULL;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (!a)
            a = xcalloc(1, sizeof *a);
        a->rows = xgrow(a->rows, &cap, a->n + 1, sizeof *a->rows);
        mon_backend *b = &a->rows[a->n++];
        memset(b, 0, sizeof *b);
        b->pid = sqlite3_column_int(st, 0);
        b->database = rec_col_str0(st, 1);
        b->user = rec_col_str0(st, 2);
        b->application = rec_col_str0(st, 3);
        b->client = rec_col_str0(st, 4);
        b->state = rec_col_str0(st, 5);
        b->wait_type = rec_col_str0(st, 6);
        b->wait_event = rec_col_str0(st, 7);
        b->backend_type = rec_col_str0(st, 8);
        b->query = rec_col_str0(st, 9);
        b->backend_start = rec_col_str0(st, 10);
        b->start_epoch = utc_epoch(b->backend_start);
        b->xact_s = rec_col_num(st, 11);
        b->query_s = rec_col_num(st, 12);
        b->state_s = rec_col_num(st, 13);
        const char *blk = (const char *)sqlite3_column_text(st, 14);
        if (blk)
            b->blocked_by = mon_parse_int_array(blk, &b->nblocked_by);
        b->nblocking = sqlite3_column_int(st, 15);
    }
    sqlite3_reset(st);
    return a;
}

static bool load_dbstat(rec_reader *r, int64_t snap_id, rec_moment *m)
{
    sqlite3_stmt *st = query(r, Q_DBSTAT);
    sqlite3_bind_int64(st, 1, snap_id);
    bool have = sqlite3_step(st) == SQLITE_ROW;
    m->connections = m->max_connections = NAN;
    if (have) {
        m->db.now_s = m->taken_at;
        m->db.xacts = rec_col_num(st, 0);
        m->db.blks_hit = rec_col_num(st, 1);
        m->db.blks_read = rec_col_num(st, 2);
        m->db.temp_files = rec_col_num(st, 3);
        m->db.temp_bytes = rec_col_num(st, 4);
        m->rates.tps = rec_col_num(st, 5);
        m->rates.hit_ratio = rec_col_num(st, 6);
        m->rates.temp_files_s = rec_col_num(st, 7);
        m->rates.temp_bytes_s = rec_col_num(st, 8);
        m->connections = rec_col_num(st, 9);
        m->max_connections = rec_col_num(st, 10);
    }
    sqlite3_reset(st);
    return have;
}

/* A JSON value as srv_parse would have kept the server's text. */
static void set_cell(srv_snap *s, size_t row, int col, const json_value *v, const json_value *rate)
{
    const srv_col *c = &s->view->cols[col];
    double per_s = rate && rate->kind == JSON_NUMBER ? rate->number : NAN;
    char buf[64];
    switch (v->kind) {
    case JSON_STRING:
        srv_snap_set(s, row, col, v->string, c->kind == SRV_TEXT ? NAN : strtod(v->string, NULL),
                     per_s);
        break;
    case JSON_NUMBER:
        snprintf(buf, sizeof buf, "%.15g", v->number);
        srv_snap_set(s, row, col, buf, c->kind == SRV_TEXT ? NAN : v->number, per_s);
        break;
    case JSON_BOOL:
        srv_snap_set(s, row, col, v->boolean ? "t" : "f", v->boolean ? 1 : 0, per_s);
        break;
    default: /* null, or something no writer makes */
        srv_snap_set(s, row, col, "", NAN, per_s);
    }
}

/* True when the header's "absent" array names key. */
static bool header_lists(const json_value *header, const char *key)
{
    const json_value *a = header ? json_get(header, "absent") : NULL;
    for (size_t i = 0; a && a->kind == JSON_ARRAY && i < a->n; i++)
        if (a->items[i].kind == JSON_STRING && strcmp(a->items[i].string, key) == 0)
            return true;
    return false;
}

/* The rows of one view (objects), parsed, and its header (ord -1: the
 * columns the server lacked, the note; NULL in a file without one); fills
 * snap. */
static srv_snap *build_view(const srv_view *v, const json_value *header, json_value **rows,
                            size_t n, const rec_moment *m, int version)
{
    srv_snap *s = srv_snap_new(v, n, version, m->taken_at);
    s->now_s = m->taken_at;
    s->interval_s = m->interval_s;
    const char *note = header ? json_get_string(header, "note") : NULL;
    if (note && *note) {
        free(s->note);
        s->note = xstrdup(note);
    }
    for (int i = 0; i < v->ncols; i++) {
        char key[96];
        snprintf(key, sizeof key, "%s_per_s", v->cols[i].key);
        /* without a header, a column no row carries was absent (n/a) */
        bool seen = n == 0;
        for (size_t j = 0; j < n; j++) {
            const json_value *cell = json_get(rows[j], v->cols[i].key);
            if (!cell)
                continue;
            seen = true;
            set_cell(s, j, i, cell, json_get(rows[j], key));
        }
        s->absent[i] = header ? header_lists(header, v->cols[i].key) : !seen;
    }
    return s;
}

static void load_views(rec_reader *r, int64_t snap_id, rec_moment *m, int version)
{
    sqlite3_stmt *st = query(r, Q_VIEWS);
    sqlite3_bind_int64(st, 1, snap_id);
    const srv_view *cur = NULL;
    json_value **rows = NULL, *header = NULL;
    size_t n = 0, cap = 0;
    bool more = true;
    while (more) {
        more = sqlite3_step(st) == SQLITE_ROW;
        const char *name = more ? (const char *)sqlite3_column_text(st, 0) : NULL;
        const srv_view *v = name ? srv_view_by_name(name) : NULL;
        if (cur && (!more || v != cur)) {
            if (!m->views[cur->id])
                m->views[cur->id] = build_view(cur, header, rows, n, m, version);
            for (size_t j = 0; j < n; j++)
                json_free(rows[j]);
            json_free(header);
            header = NULL;
            n = 0;
        }
        cur = v;
        if (!v) /* a view this pgdeck does not know: skipped */
            continue;
        const char *data = (const char *)sqlite3_column_text(st, 1);
        json_value *obj = data ? json_parse(data, strlen(data), NULL) : NULL;
        if (!obj || obj->kind != JSON_OBJECT) {
            json_free(obj);
            continue;
        }
        if (sqlite3_column_int64(st, 2) < 0) { /* the view's header */
            json_free(header);
            header = obj;
            continue;
        }
        rows = xgrow(rows, &cap, n + 1, sizeof *rows);
        rows[n++] = obj;
    }
    free(rows);
    sqlite3_reset(st);
}

static void load_fleet(rec_reader *r, double at, rec_moment *m)
{
    m->nfleet = r->nservers;
    m->fleet = xcalloc(r->nservers ? r->nservers : 1, sizeof *m->fleet);
    for (size_t i = 0; i < r->nservers; i++) {
        rec_fleet_line *f = &m->fleet[i];
        f->name = xstrdup(r->names[i]);
        mon_fleet_sample *s = &f->s;
        s->connections = s->max_conn = s->xacts = s->now_s = s->longest_xact = NAN;
        s->blocked = s->lag_s = s->lag_bytes = s->standbys = NAN;
        f->tps = NAN;
        f->taken_at = NAN;
        sqlite3_stmt *st = query(r, Q_FLEET);
        sqlite3_bind_int64(st, 1, r->ids[i]);
        sqlite3_bind_double(st, 2, at);
        if (sqlite3_step(st) != SQLITE_ROW) {
            f->error = xstrdup("not recorded yet");
            sqlite3_reset(st);
            continue;
        }
        f->taken_at = sqlite3_column_double(st, 0);
        f->up = sqlite3_column_int(st, 1) != 0;
        f->error = rec_col_str(st, 2);
        f->standby = sqlite3_column_int(st, 3) == 1;
        f->version_num = sqlite3_column_int(st, 4);
        s->version_num = f->version_num;
        s->standby = f->standby;
        s->now_s = f->taken_at;
        const char *version = (const char *)sqlite3_column_text(st, 5);
        snprintf(s->version, sizeof s->version, "%s", version ? version : "");
        s->connections = rec_col_num(st, 6);
        s->max_conn = rec_col_num(st, 7);
        f->tps = rec_col_num(st, 8);
        s->longest_xact = rec_col_num(st, 9);
        s->blocked = rec_col_num(st, 10);
        s->lag_s = rec_col_num(st, 11);
        s->lag_bytes = rec_col_num(st, 12);
        s->standbys = rec_col_num(st, 13);
        sqlite3_reset(st);
    }
}

rec_moment *rec_moment_load(rec_reader *r, size_t server, double at, char **err)
{
    if (server >= r->nservers) {
        *err = xasprintf("%s: no server %zu in the recording", r->path, server);
        return NULL;
    }
    /* one read transaction: the recorder's commits in between are not seen */
    if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        *err = rec_read_error(r, "a snapshot");
        return NULL;
    }
    sqlite3_stmt *st = query(r, Q_SNAPSHOT);
    sqlite3_bind_int64(st, 1, r->ids[server]);
    sqlite3_bind_double(st, 2, at);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE)
            *err = xasprintf("%s: no snapshot of %s at or before that time", r->path,
                             r->names[server]);
        else
            *err = rec_read_error(r, "a snapshot");
        sqlite3_reset(st);
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
        return NULL;
    }
    rec_moment *m = xcalloc(1, sizeof *m);
    int64_t id = sqlite3_column_int64(st, 0);
    m->taken_at = sqlite3_column_double(st, 1);
    m->interval_s = sqlite3_column_double(st, 2);
    m->grain = sqlite3_column_int(st, 3);
    m->up = sqlite3_column_int(st, 4) != 0;
    m->error = rec_col_str(st, 5);
    int version = sqlite3_column_int(st, 6);
    sqlite3_reset(st);

    m->pgss = load_pgss(r, id, r->ids[server], m->taken_at, m->interval_s);
    m->activity = load_activity(r, id);
    m->have_db = load_dbstat(r, id, m);
    load_views(r, id, m, version);
    load_fleet(r, m->taken_at, m);
    sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    return m;
}

void rec_moment_free(rec_moment *m)
{
    if (!m)
        return;
    free(m->error);
    mon_pgss_snap_free(m->pgss);
    mon_activity_free(m->activity);
    for (int i = 0; i < SRV_VIEW_COUNT; i++)
        srv_snap_free(m->views[i]);
    for (size_t i = 0; i < m->nfleet; i++) {
        free(m->fleet[i].name);
        free(m->fleet[i].error);
    }
    free(m->fleet);
    free(m);
}
