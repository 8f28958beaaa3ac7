/* record_write.c — the writer: one transaction per snapshot of one server.
 * See record.h; the tables are those of record_db.c (doc/record.md).
 *
 * Statements are prepared once per writer. A number the server did not give
 * (NAN) is stored as NULL. pg_stat_statements rows are written only when
 * they ran in the interval (a calls delta > 0): an idle server's snapshot
 * costs a few rows, not its whole statement list. */
#include "config.h"

#include "record/record_db.h"

#include "common/json.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SNAPSHOT,
    ST_TEXT,
    ST_STMT,
    ST_BACKEND,
    ST_DBSTAT,
    ST_VIEW_ROW,
    ST_FLEET,
    ST_COUNT
};

static const char *const sql_of[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SNAPSHOT] = "INSERT INTO snapshot(server_id, taken_at, interval_s, grain, up, error, "
                    "version_num, standby) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
    [ST_TEXT] = "INSERT OR IGNORE INTO query_text(server_id, dbid, userid, queryid, database, "
                "role, query) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_STMT] = "INSERT OR REPLACE INTO stmt(snapshot_id, dbid, userid, queryid, toplevel, calls, "
                "total_ms, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, "
                "shared_blks_written, local_blks_hit, local_blks_read, local_blks_dirtied, "
                "local_blks_written, temp_blks_read, temp_blks_written, blk_read_ms, "
                "blk_write_ms, plans, plan_ms, wal_records, wal_bytes, max_ms) VALUES (?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_BACKEND] = "INSERT OR REPLACE INTO backend(snapshot_id, pid, database, role, application, "
                   "client, state, wait_type, wait_event, backend_type, query, backend_start, "
                   "xact_s, query_s, state_s, blocked_by, nblocking) VALUES (?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_DBSTAT] = "INSERT INTO dbstat(snapshot_id, xacts, blks_hit, blks_read, temp_files, "
                  "temp_bytes, tps, hit_ratio, temp_files_s, temp_bytes_s, connections, "
                  "max_connections) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_VIEW_ROW] = "INSERT INTO view_row(snapshot_id, view, ord, data) VALUES (?, ?, ?, ?)",
    [ST_FLEET] = "INSERT INTO fleet(snapshot_id, version, connections, max_conn, tps, "
                 "longest_xact, blocked, lag_s, lag_bytes, standbys) VALUES (?, ?, ?, ?, ?, ?, "
                 "?, ?, ?, ?)",
};

struct rec_writer {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[ST_COUNT];
    rec_write_counts last;
    strbuf json;
    /* test hook (tests/cli/record.sh): PGDECK_RECORD_TEST_HOLD_MS keeps
     * every snapshot's transaction open that long before COMMIT, so a test
     * can kill -9 the recorder in the middle of a write */
    long hold_ms;
};

sqlite3 *rec_writer_db(rec_writer *w)
{
    return w->db;
}

rec_writer *rec_writer_open(const char *path, char **err)
{
    sqlite3 *db = rec_db_open(path, true, err);
    if (!db)
        return NULL;
    rec_writer *w = xcalloc(1, sizeof *w);
    w->db = db;
    w->path = xstrdup(path);
    sb_init(&w->json);
    const char *hold = getenv("PGDECK_RECORD_TEST_HOLD_MS");
    w->hold_ms = hold ? strtol(hold, NULL, 10) : 0;
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(db, sql_of[i], -1, SQLITE_PREPARE_PERSISTENT, &w->st[i], NULL) !=
            SQLITE_OK) {
            *err = xasprintf("%s: %s", path, sqlite3_errmsg(db));
            rec_writer_close(w);
            return NULL;
        }
    return w;
}

void rec_writer_close(rec_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(w->st[i]);
    sqlite3_close(w->db);
    sb_free(&w->json);
    free(w->path);
    free(w);
}

const char *rec_writer_path(const rec_writer *w)
{
    return w->path;
}

const rec_write_counts *rec_writer_last(const rec_writer *w)
{
    return &w->last;
}

int64_t rec_writer_bytes(rec_writer *w)
{
    return rec_db_used_bytes(w->db, w->path);
}

/* ---- binding ---------------------------------------------------------- */

static void bind_num(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v) || isinf(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Steps a bound statement and resets it; the SQLite code. */
static int run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* ---- the parts of a snapshot ---------------------------------------------- */

static int write_stmts(rec_writer *w, int64_t server, int64_t snap, const mon_pgss_snap *p)
{
    if (!p || p->interval_s <= 0)
        return SQLITE_OK;
    for (size_t i = 0; i < p->n; i++) {
        const mon_stmt *s = &p->rows[i];
        if (!s->has_queryid || !s->has_rate || !(s->d[MC_CALLS] > 0))
            continue;
        /* the text once per (server, dbid, userid, queryid): a hidden or
         * missing text is not stored, so a later readable one can be */
        if (s->has_text && !s->hidden_text && s->query && s->query[0]) {
            sqlite3_stmt *t = w->st[ST_TEXT];
            sqlite3_bind_int64(t, 1, server);
            sqlite3_bind_int64(t, 2, s->dbid);
            sqlite3_bind_int64(t, 3, s->userid);
            sqlite3_bind_int64(t, 4, s->queryid);
            bind_text(t, 5, s->database);
            bind_text(t, 6, s->user);
            bind_text(t, 7, s->query);
            int rc = run(t);
            if (rc != SQLITE_OK)
                return rc;
            w->last.texts += sqlite3_changes(w->db);
        }
        sqlite3_stmt *st = w->st[ST_STMT];
        sqlite3_bind_int64(st, 1, snap);
        sqlite3_bind_int64(st, 2, s->dbid);
        sqlite3_bind_int64(st, 3, s->userid);
        sqlite3_bind_int64(st, 4, s->queryid);
        sqlite3_bind_int(st, 5, s->toplevel);
        for (int c = 0; c < MC_COUNT; c++)
            bind_num(st, 6 + c, s->d[c]);
        bind_num(st, 6 + MC_COUNT, s->g[MG_MAX_MS]);
        int rc = run(st);
        if (rc != SQLITE_OK)
            return rc;
        w->last.stmts++;
    }
    return SQLITE_OK;
}

static int write_backends(rec_writer *w, int64_t snap, const mon_activity *a)
{
    if (!a)
        return SQLITE_OK;
    strbuf pids;
    sb_init(&pids);
    int rc = SQLITE_OK;
    for (size_t i = 0; i < a->n && rc == SQLITE_OK; i++) {
        const mon_backend *b = &a->rows[i];
        if (b->own)
            continue;
        sqlite3_stmt *st = w->st[ST_BACKEND];
        sqlite3_bind_int64(st, 1, snap);
        sqlite3_bind_int(st, 2, b->pid);
        bind_text(st, 3, b->database);
        bind_text(st, 4, b->user);
        bind_text(st, 5, b->application);
        bind_text(st, 6, b->client);
        bind_text(st, 7, b->state);
        bind_text(st, 8, b->wait_type);
        bind_text(st, 9, b->wait_event);
        bind_text(st, 10, b->backend_type);
        bind_text(st, 11, b->query);
        bind_text(st, 12, b->backend_start);
        bind_num(st, 13, b->xact_s);
        bind_num(st, 14, b->query_s);
        bind_num(st, 15, b->state_s);
        sb_reset(&pids);
        if (b->nblocked_by > 0) {
            sb_append_c(&pids, '{');
            for (int k = 0; k < b->nblocked_by; k++)
                sb_printf(&pids, k ? ",%d" : "%d", b->blocked_by[k]);
            sb_append_c(&pids, '}');
            bind_text(st, 16, pids.data);
        } else {
            sqlite3_bind_null(st, 16);
        }
        sqlite3_bind_int(st, 17, b->nblocking);
        rc = run(st);
        if (rc == SQLITE_OK)
            w->last.backends++;
    }
    sb_free(&pids);
    return rc;
}

static int write_dbstat(rec_writer *w, int64_t snap, const rec_snapshot *s)
{
    if (!s->db)
        return SQLITE_OK;
    const mon_dbstat *d = s->db;
    const mon_dbrates none = {NAN, NAN, NAN, NAN};
    const mon_dbrates *r = s->rates ? s->rates : &none;
    const mon_fleet_member *f = s->fleet && s->fleet->have ? s->fleet : NULL;
    sqlite3_stmt *st = w->st[ST_DBSTAT];
    sqlite3_bind_int64(st, 1, snap);
    bind_num(st, 2, d->xacts);
    bind_num(st, 3, d->blks_hit);
    bind_num(st, 4, d->blks_read);
    bind_num(st, 5, d->temp_files);
    bind_num(st, 6, d->temp_bytes);
    bind_num(st, 7, r->tps);
    bind_num(st, 8, r->hit_ratio);
    bind_num(st, 9, r->temp_files_s);
    bind_num(st, 10, r->temp_bytes_s);
    bind_num(st, 11, f ? f->cur.connections : NAN);
    bind_num(st, 12, f ? f->cur.max_conn : NAN);
    return run(st);
}

static void json_key(strbuf *sb, const char *k)
{
    json_append_string(sb, k, strlen(k));
    sb_append_c(sb, ':');
}

/* A row as `pgdeck top --view V --json` prints it (top_views.c). */
static void row_json(strbuf *sb, const srv_snap *s, const srv_row *r)
{
    const srv_view *v = s->view;
    sb_reset(sb);
    sb_append_c(sb, '{');
    for (int i = 0; i < v->ncols; i++) {
        const srv_col *c = &v->cols[i];
        if (s->absent[i]) /* the header lists it */
            continue;
        if (sb->len > 1)
            sb_append_c(sb, ',');
        json_key(sb, c->key);
        if ((c->kind != SRV_TEXT && isnan(r->num[i])) ||
            (c->kind == SRV_TEXT && r->text[i][0] == '\0'))
            sb_append(sb, "null");
        else if (c->kind == SRV_TEXT)
            json_append_string(sb, r->text[i], strlen(r->text[i]));
        else if (c->kind == SRV_BOOL)
            sb_append(sb, r->num[i] ? "true" : "false");
        else
            json_append_number(sb, r->num[i]);
        if (c->flags & SRV_F_COUNTER) {
            char k[96];
            snprintf(k, sizeof k, "%s_per_s", c->key);
            sb_append_c(sb, ',');
            json_key(sb, k);
            json_append_number(sb, r->rate[i]);
        }
    }
    sb_append_c(sb, '}');
}

/* The view's header (ord -1): the columns the server lacked and the view's
 * note. It also says the view was read, so a view that answered no rows
 * (no standby, nothing in progress) replays as empty, not as unrecorded. */
static void header_json(strbuf *sb, const srv_snap *s)
{
    sb_reset(sb);
    sb_append(sb, "{\"absent\":[");
    bool first = true;
    for (int i = 0; i < s->view->ncols; i++)
        if (s->absent[i]) {
            if (!first)
                sb_append_c(sb, ',');
            first = false;
            json_append_string(sb, s->view->cols[i].key, strlen(s->view->cols[i].key));
        }
    sb_append(sb, "],\"note\":");
    json_append_string(sb, s->note ? s->note : "", s->note ? strlen(s->note) : 0);
    sb_append_c(sb, '}');
}

static int write_view_row(rec_writer *w, int64_t snap, const srv_snap *vs, int64_t ord)
{
    sqlite3_stmt *st = w->st[ST_VIEW_ROW];
    sqlite3_bind_int64(st, 1, snap);
    bind_text(st, 2, vs->view->name);
    sqlite3_bind_int64(st, 3, ord);
    sqlite3_bind_text(st, 4, w->json.data, (int)w->json.len, SQLITE_STATIC);
    return run(st);
}

static int write_views(rec_writer *w, int64_t snap, const rec_snapshot *s)
{
    for (int v = 0; v < SRV_VIEW_COUNT; v++) {
        const srv_snap *vs = s->views[v];
        if (!vs)
            continue;
        header_json(&w->json, vs);
        int rc = write_view_row(w, snap, vs, -1);
        for (size_t j = 0; rc == SQLITE_OK && j < vs->n; j++) {
            row_json(&w->json, vs, &vs->rows[j]);
            rc = write_view_row(w, snap, vs, (int64_t)j);
            w->last.view_rows++;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static int write_fleet(rec_writer *w, int64_t snap, const mon_fleet_member *m)
{
    if (!m || !m->have || !m->up)
        return SQLITE_OK;
    const mon_fleet_sample *f = &m->cur;
    sqlite3_stmt *st = w->st[ST_FLEET];
    sqlite3_bind_int64(st, 1, snap);
    bind_text(st, 2, f->version[0] ? f->version : NULL);
    bind_num(st, 3, f->connections);
    bind_num(st, 4, f->max_conn);
    bind_num(st, 5, m->tps);
    bind_num(st, 6, f->longest_xact);
    bind_num(st, 7, f->blocked);
    bind_num(st, 8, f->lag_s);
    bind_num(st, 9, f->lag_bytes);
    bind_num(st, 10, f->standbys);
    return run(st);
}

static int write_all(rec_writer *w, const rec_snapshot *s, int64_t *id)
{
    sqlite3_stmt *st = w->st[ST_SNAPSHOT];
    sqlite3_bind_int64(st, 1, s->server_id);
    sqlite3_bind_double(st, 2, s->taken_at);
    sqlite3_bind_double(st, 3, s->interval_s > 0 ? s->interval_s : 0);
    sqlite3_bind_int(st, 4, s->up);
    bind_text(st, 5, s->error);
    if (s->version_num > 0)
        sqlite3_bind_int(st, 6, s->version_num);
    if (s->standby >= 0)
        sqlite3_bind_int(st, 7, s->standby);
    int rc = run(st);
    if (rc != SQLITE_OK)
        return rc;
    int64_t snap = sqlite3_last_insert_rowid(w->db);
    *id = snap;
    if ((rc = write_stmts(w, s->server_id, snap, s->pgss)) != SQLITE_OK ||
        (rc = write_backends(w, snap, s->activity)) != SQLITE_OK ||
        (rc = write_dbstat(w, snap, s)) != SQLITE_OK ||
        (rc = write_views(w, snap, s)) != SQLITE_OK ||
        (rc = write_fleet(w, snap, s->fleet)) != SQLITE_OK)
        return rc;
    return SQLITE_OK;
}

/* The failure's message; the transaction is rolled back (SQLite may have
 * done it already after a full disk: the error of ROLLBACK is ignored). */
static rec_status failed(rec_writer *w, int rc, const char *what, char **err)
{
    rec_status status = rec_db_status(rc);
    if (err)
        *err = xasprintf("%s: %s: %s", w->path, what, sqlite3_errmsg(w->db));
    if (!sqlite3_get_autocommit(w->db))
        run(w->st[ST_ROLLBACK]);
    return status == REC_OK ? REC_FAILED : status;
}

rec_status rec_writer_write(rec_writer *w, const rec_snapshot *s, int64_t *id, char **err)
{
    memset(&w->last, 0, sizeof w->last);
    int64_t snap = 0;
    int rc = run(w->st[ST_BEGIN]);
    if (rc != SQLITE_OK)
        return failed(w, rc, "cannot begin", err);
    rc = write_all(w, s, &snap);
    if (rc != SQLITE_OK)
        return failed(w, rc, "cannot write the snapshot", err);
    if (w->hold_ms > 0)
        nanosleep(&(struct timespec){.tv_sec = w->hold_ms / 1000,
                                     .tv_nsec = (w->hold_ms % 1000) * 1000000L},
                  NULL);
    rc = run(w->st[ST_COMMIT]);
    if (rc != SQLITE_OK)
        return failed(w, rc, "cannot commit the snapshot", err);
    if (id)
        *id = snap;
    return REC_OK;
}

int64_t rec_writer_server(rec_writer *w, const char *name, const char *target, rec_status *status,
                          char **err)
{
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(w->db,
                           "INSERT INTO server(name, target) VALUES (?1, ?2) ON CONFLICT(name) "
                           "DO UPDATE SET target = excluded.target",
                           -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_text(st, 1, name);
        bind_text(st, 2, target ? target : "");
        rc = run(st);
    }
    sqlite3_finalize(st);
    int64_t id = -1;
    if (rc == SQLITE_OK && sqlite3_prepare_v2(w->db, "SELECT id FROM server WHERE name = ?", -1,
                                              &st, NULL) == SQLITE_OK) {
        bind_text(st, 1, name);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (id < 0) {
        rec_status s = rec_db_status(rc);
        if (status)
            *status = s == REC_OK ? REC_FAILED : s;
        if (err)
            *err = xasprintf("%s: cannot record the server %s: %s", w->path, name,
                             sqlite3_errmsg(w->db));
        return -1;
    }
    if (status)
        *status = REC_OK;
    return id;
}
