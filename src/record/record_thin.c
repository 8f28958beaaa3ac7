/* record_thin.c — thinning a recording (RECORD.md, doc/record.md):
 *
 *   - grain-0 snapshots older than keep_detail are folded per server per
 *     minute into one grain-60 snapshot: the minute's last snapshot that
 *     answered is kept, with taken_at the minute's last, interval_s the sum
 *     and up when any answered; its stmt rows become the sums of the
 *     minute's deltas per (dbid, userid, queryid, toplevel) (max_ms the
 *     max); its backend rows those of the minute's snapshot with the most
 *     blocked backends (ties: the most active, then the latest); its
 *     view_row, dbstat and fleet rows stay, with tps, the dbstat rates and
 *     the views' "<key>_per_s" rates (per row identity: the view's key
 *     columns) averaged over the minute. The other snapshots of the minute go.
 *     Only whole minutes are folded, so a minute never has two aggregates.
 *   - snapshots older than keep are deleted;
 *   - query texts no stmt row refers to any more are deleted (only after a
 *     deletion: folding keeps every key).
 * All of that in one transaction. Then, with a size limit, the oldest
 * snapshots go, a slice per transaction, until the used pages fit. */
#include "config.h"

#include "record/record_db.h"

#include "common/strbuf.h"
#include "common/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The minute's snapshots: ?1 server, ?2 start, ?3 end (epoch seconds). */
#define IN_MINUTE                                                                                  \
    "(SELECT id FROM snapshot WHERE server_id = ?1 AND grain = 0 AND taken_at >= ?2 AND "          \
    "taken_at < ?3)"

static const char SQL_MINUTES[] =
    "SELECT server_id, CAST(taken_at / 60 AS INTEGER) AS m, count(*) FROM snapshot "
    "WHERE grain = 0 AND taken_at < ?1 AND (CAST(taken_at / 60 AS INTEGER) + 1) * 60 <= ?1 "
    "GROUP BY server_id, m ORDER BY server_id, m";

static const char SQL_KEEP[] =
    "SELECT id, (SELECT max(taken_at) FROM snapshot WHERE id IN " IN_MINUTE "), "
    "(SELECT sum(interval_s) FROM snapshot WHERE id IN " IN_MINUTE "), "
    "(SELECT max(up) FROM snapshot WHERE id IN " IN_MINUTE ") "
    "FROM snapshot WHERE id IN " IN_MINUTE " ORDER BY up DESC, taken_at DESC, id DESC LIMIT 1";

/* ?4 = the kept snapshot */
static const char SQL_STMT[] =
    "INSERT OR REPLACE INTO stmt SELECT ?4, dbid, userid, queryid, toplevel, sum(calls), "
    "sum(total_ms), sum(rows), sum(shared_blks_hit), sum(shared_blks_read), "
    "sum(shared_blks_dirtied), sum(shared_blks_written), sum(local_blks_hit), "
    "sum(local_blks_read), sum(local_blks_dirtied), sum(local_blks_written), "
    "sum(temp_blks_read), sum(temp_blks_written), sum(blk_read_ms), sum(blk_write_ms), "
    "sum(plans), sum(plan_ms), sum(wal_records), sum(wal_bytes), max(max_ms) FROM stmt "
    "WHERE snapshot_id IN " IN_MINUTE " GROUP BY dbid, userid, queryid, toplevel";

static const char SQL_BACKEND_PICK[] =
    "SELECT s.id FROM snapshot s WHERE s.id IN " IN_MINUTE " ORDER BY "
    "(SELECT count(*) FROM backend b WHERE b.snapshot_id = s.id AND b.blocked_by IS NOT NULL) "
    "DESC, (SELECT count(*) FROM backend b WHERE b.snapshot_id = s.id AND b.state = 'active') "
    "DESC, s.taken_at DESC LIMIT 1";

static const char SQL_AVERAGES[] =
    "UPDATE dbstat SET tps = (SELECT avg(tps) FROM dbstat WHERE snapshot_id IN " IN_MINUTE "), "
    "hit_ratio = (SELECT avg(hit_ratio) FROM dbstat WHERE snapshot_id IN " IN_MINUTE "), "
    "temp_files_s = (SELECT avg(temp_files_s) FROM dbstat WHERE snapshot_id IN " IN_MINUTE "), "
    "temp_bytes_s = (SELECT avg(temp_bytes_s) FROM dbstat WHERE snapshot_id IN " IN_MINUTE ") "
    "WHERE snapshot_id = ?4";

static const char SQL_FLEET_AVG[] =
    "UPDATE fleet SET tps = (SELECT avg(tps) FROM fleet WHERE snapshot_id IN " IN_MINUTE ") "
    "WHERE snapshot_id = ?4";

static const char SQL_DROP_OTHERS[] =
    "DELETE FROM snapshot WHERE server_id = ?1 AND grain = 0 AND taken_at >= ?2 AND "
    "taken_at < ?3 AND id <> ?4";

static const char SQL_MARK[] =
    "UPDATE snapshot SET grain = 60, taken_at = ?2, interval_s = ?3, up = ?4 WHERE id = ?1";

static const char SQL_ORPHAN_TEXTS[] =
    "DELETE FROM query_text WHERE (server_id, dbid, userid, queryid) NOT IN "
    "(SELECT DISTINCT s.server_id, st.dbid, st.userid, st.queryid FROM stmt st "
    "JOIN snapshot s ON s.id = st.snapshot_id)";

/* The statement that averages a view's rates ("<key>_per_s") in the kept
 * snapshot's rows over the rows of the minute with the same identity (the
 * view's SRV_F_KEY columns); NULL for a view without counters. malloc'd. */
static char *view_average_sql(const srv_view *v)
{
    strbuf ident_o, ident_r, sets;
    sb_init(&ident_o);
    sb_init(&ident_r);
    sb_init(&sets);
    sb_append(&ident_o, "''");
    sb_append(&ident_r, "''");
    for (int i = 0; i < v->ncols; i++)
        if (v->cols[i].flags & SRV_F_KEY) {
            sb_printf(&ident_o, " || '|' || coalesce(json_extract(o.data, '$.%s'), '')",
                      v->cols[i].key);
            sb_printf(&ident_r, " || '|' || coalesce(json_extract(view_row.data, '$.%s'), '')",
                      v->cols[i].key);
        }
    int n = 0;
    for (int i = 0; i < v->ncols; i++) {
        if (!(v->cols[i].flags & SRV_F_COUNTER))
            continue;
        sb_printf(&sets,
                  ", '$.%s_per_s', (SELECT avg(json_extract(o.data, '$.%s_per_s')) FROM view_row o "
                  "WHERE o.snapshot_id IN " IN_MINUTE
                  " AND o.view = ?5 AND o.ord >= 0 AND %s = %s)",
                  v->cols[i].key, v->cols[i].key, ident_o.data, ident_r.data);
        n++;
    }
    char *sql = n ? xasprintf("UPDATE view_row SET data = json_set(data%s) WHERE snapshot_id = ?4 "
                              "AND view = ?5 AND ord >= 0",
                              sets.data)
                  : NULL;
    sb_free(&ident_o);
    sb_free(&ident_r);
    sb_free(&sets);
    return sql;
}

typedef struct thin_ctx {
    sqlite3 *db;
    int rc;
    const char *what;
} thin_ctx;

static sqlite3_stmt *prep(thin_ctx *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (c->rc != SQLITE_OK)
        return NULL;
    c->rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    if (c->rc != SQLITE_OK)
        c->what = sql;
    return st;
}

/* Binds the minute (?1 server, ?2, ?3) and ?4 keep when the statement has them. */
static void bind_minute(sqlite3_stmt *st, int64_t server, int64_t minute, int64_t keep)
{
    int n = sqlite3_bind_parameter_count(st);
    if (n >= 1)
        sqlite3_bind_int64(st, 1, server);
    if (n >= 2)
        sqlite3_bind_double(st, 2, (double)minute * 60);
    if (n >= 3)
        sqlite3_bind_double(st, 3, (double)(minute + 1) * 60);
    if (n >= 4)
        sqlite3_bind_int64(st, 4, keep);
}

static void step_done(thin_ctx *c, sqlite3_stmt *st)
{
    if (c->rc != SQLITE_OK || !st)
        return;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        c->rc = rc;
    sqlite3_reset(st);
}

static void exec_sql(thin_ctx *c, const char *sql)
{
    if (c->rc != SQLITE_OK)
        return;
    c->rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
}

/* Folds one minute of one server. */
static void fold_minute(thin_ctx *c, sqlite3_stmt *const *st, sqlite3_stmt *const *views,
                        int64_t server, int64_t minute, rec_thin_result *out)
{
    sqlite3_stmt *keep_st = st[0];
    bind_minute(keep_st, server, minute, 0);
    int rc = sqlite3_step(keep_st);
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE)
            c->rc = rc;
        sqlite3_reset(keep_st);
        return;
    }
    int64_t keep = sqlite3_column_int64(keep_st, 0);
    double last = sqlite3_column_double(keep_st, 1);
    double interval = sqlite3_column_double(keep_st, 2);
    int up = sqlite3_column_int(keep_st, 3);
    sqlite3_reset(keep_st);

    for (int i = 1; i <= 3; i++) { /* stmt sums, dbstat and fleet averages */
        bind_minute(st[i], server, minute, keep);
        step_done(c, st[i]);
    }
    for (int v = 0; v < SRV_VIEW_COUNT; v++) { /* the views' rates averaged */
        if (!views[v])
            continue;
        bind_minute(views[v], server, minute, keep);
        sqlite3_bind_text(views[v], 5, srv_view_get((srv_view_id)v)->name, -1, SQLITE_STATIC);
        step_done(c, views[v]);
    }
    sqlite3_stmt *pick = st[4];
    bind_minute(pick, server, minute, 0);
    int64_t chosen = keep;
    if (c->rc == SQLITE_OK && sqlite3_step(pick) == SQLITE_ROW)
        chosen = sqlite3_column_int64(pick, 0);
    sqlite3_reset(pick);
    if (chosen != keep && c->rc == SQLITE_OK) {
        char *sql = xasprintf("DELETE FROM backend WHERE snapshot_id = %lld;"
                              "UPDATE backend SET snapshot_id = %lld WHERE snapshot_id = %lld",
                              (long long)keep, (long long)keep, (long long)chosen);
        exec_sql(c, sql);
        free(sql);
    }
    sqlite3_stmt *mark = st[5];
    if (c->rc == SQLITE_OK) {
        sqlite3_bind_int64(mark, 1, keep);
        sqlite3_bind_double(mark, 2, last);
        sqlite3_bind_double(mark, 3, interval);
        sqlite3_bind_int(mark, 4, up);
        step_done(c, mark);
    }
    bind_minute(st[6], server, minute, keep);
    step_done(c, st[6]);
    if (c->rc == SQLITE_OK) {
        out->folded += sqlite3_changes(c->db) + 1;
        out->minutes++;
    }
}

static void fold(thin_ctx *c, double cutoff, rec_thin_result *out)
{
    sqlite3_stmt *minutes = prep(c, SQL_MINUTES);
    sqlite3_stmt *st[7] = {prep(c, SQL_KEEP),         prep(c, SQL_STMT),
                           prep(c, SQL_AVERAGES),     prep(c, SQL_FLEET_AVG),
                           prep(c, SQL_BACKEND_PICK), prep(c, SQL_MARK),
                           prep(c, SQL_DROP_OTHERS)};
    sqlite3_stmt *views[SRV_VIEW_COUNT] = {0};
    for (int v = 0; v < SRV_VIEW_COUNT; v++) {
        char *sql = view_average_sql(srv_view_get((srv_view_id)v));
        if (sql)
            views[v] = prep(c, sql);
        free(sql);
    }
    if (c->rc == SQLITE_OK) {
        /* the list first: folding changes the table the query reads */
        size_t n = 0, cap = 0;
        int64_t(*todo)[2] = NULL;
        sqlite3_bind_double(minutes, 1, cutoff);
        while ((c->rc = sqlite3_step(minutes)) == SQLITE_ROW) {
            todo = xgrow(todo, &cap, n + 1, sizeof *todo);
            todo[n][0] = sqlite3_column_int64(minutes, 0);
            todo[n][1] = sqlite3_column_int64(minutes, 1);
            n++;
        }
        if (c->rc == SQLITE_DONE)
            c->rc = SQLITE_OK;
        for (size_t i = 0; i < n && c->rc == SQLITE_OK; i++)
            fold_minute(c, st, views, todo[i][0], todo[i][1], out);
        free(todo);
    }
    sqlite3_finalize(minutes);
    for (int i = 0; i < 7; i++)
        sqlite3_finalize(st[i]);
    for (int v = 0; v < SRV_VIEW_COUNT; v++)
        sqlite3_finalize(views[v]);
}

static long delete_before(thin_ctx *c, double t)
{
    sqlite3_stmt *st = prep(c, "DELETE FROM snapshot WHERE taken_at < ?1");
    if (!st)
        return 0;
    sqlite3_bind_double(st, 1, t);
    step_done(c, st);
    long n = c->rc == SQLITE_OK ? sqlite3_changes(c->db) : 0;
    sqlite3_finalize(st);
    return n;
}

static long drop_orphan_texts(thin_ctx *c)
{
    exec_sql(c, SQL_ORPHAN_TEXTS);
    return c->rc == SQLITE_OK ? sqlite3_changes(c->db) : 0;
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int64_t rec_db_used_bytes(sqlite3 *db, const char *path)
{
    int64_t pages = scalar(db, "PRAGMA page_count"),
            free_pages = scalar(db, "PRAGMA freelist_count");
    int64_t size = scalar(db, "PRAGMA page_size");
    int64_t used = pages >= 0 && free_pages >= 0 && size > 0 ? (pages - free_pages) * size : 0;
    char *wal = xasprintf("%s-wal", path);
    FILE *f = fopen(wal, "rb");
    if (f) {
        if (fseek(f, 0, SEEK_END) == 0)
            used += ftell(f);
        fclose(f);
    }
    free(wal);
    return used;
}

/* The oldest snapshots go, a tenth of them per transaction, until the used
 * pages fit (the newest snapshot of each server always stays). */
static void shrink(thin_ctx *c, const char *path, int64_t limit, rec_thin_result *out)
{
    for (int round = 0; round < 64 && c->rc == SQLITE_OK; round++) {
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        if (rec_db_used_bytes(c->db, path) <= limit)
            return;
        int64_t n = scalar(c->db, "SELECT count(*) FROM snapshot");
        int64_t servers = scalar(c->db, "SELECT count(*) FROM server");
        if (n <= servers || n <= 1)
            return;
        int64_t batch = n / 10 > 0 ? n / 10 : 1;
        if (batch > n - (servers > 0 ? servers : 1))
            batch = n - (servers > 0 ? servers : 1);
        char *sql = xasprintf("BEGIN IMMEDIATE; DELETE FROM snapshot WHERE id IN (SELECT id FROM "
                              "snapshot ORDER BY taken_at, id LIMIT %lld);",
                              (long long)batch);
        exec_sql(c, sql);
        free(sql);
        long deleted = c->rc == SQLITE_OK ? sqlite3_changes(c->db) : 0;
        long texts = drop_orphan_texts(c);
        exec_sql(c, "COMMIT");
        if (c->rc != SQLITE_OK) {
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            return;
        }
        out->deleted += deleted;
        out->texts += texts;
    }
}

rec_status rec_writer_thin(rec_writer *w, const rec_thin_opts *o, rec_thin_result *out, char **err)
{
    rec_thin_result dummy;
    if (!out)
        out = &dummy;
    memset(out, 0, sizeof *out);
    thin_ctx c = {.db = rec_writer_db(w), .rc = SQLITE_OK, .what = "thinning"};
    exec_sql(&c, "BEGIN IMMEDIATE");
    if (c.rc == SQLITE_OK) {
        if (o->keep_detail_s > 0)
            fold(&c, o->now - o->keep_detail_s, out);
        if (o->keep_s > 0)
            out->deleted += delete_before(&c, o->now - o->keep_s);
        if (out->deleted > 0)
            out->texts += drop_orphan_texts(&c);
        if (c.rc == SQLITE_OK)
            exec_sql(&c, "COMMIT");
        if (c.rc != SQLITE_OK && !sqlite3_get_autocommit(c.db))
            sqlite3_exec(c.db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (c.rc == SQLITE_OK && o->size_limit > 0)
        shrink(&c, rec_writer_path(w), o->size_limit, out);
    if (c.rc != SQLITE_OK) {
        rec_status st = rec_db_status(c.rc);
        if (err)
            *err = xasprintf("%s: thinning: %s", rec_writer_path(w), sqlite3_errmsg(c.db));
        return st == REC_OK ? REC_FAILED : st;
    }
    return REC_OK;
}
