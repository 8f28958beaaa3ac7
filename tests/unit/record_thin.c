/* record_thin.c — thinning a recording (no server): snapshots written two
 * days ago through the writer, with statements, backends, dbstat and the
 * fleet line of known values, fold per minute into one grain-60 snapshot
 * each (deltas summed, max_ms the max, backends of the most blocked
 * snapshot, tps averaged, texts kept); recent snapshots stay as they are;
 * --keep deletes the old ones and their now unused texts; --size-limit
 * drops the oldest first. */
#include "config.h"

#include "record/record_db.h"

#include "common/xalloc.h"
#include "tests/lib/tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char dir[] = "/tmp/pgdeck-record-thin-XXXXXX";

/* the monitor structs hold char *: writable copies of the texts */
static char app[] = "app", alice[] = "alice", active[] = "active", lock_wait[] = "Lock",
            relation[] = "relation", q_orders[] = "SELECT * FROM orders WHERE id = $1",
            q_stock[] = "UPDATE stock SET n = n - $1", q_lock[] = "LOCK TABLE stock",
            q_update[] = "UPDATE stock SET n = n - 1";

static double scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    double v = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    else if (sqlite3_errcode(db) != SQLITE_OK && sqlite3_errcode(db) != SQLITE_ROW &&
             sqlite3_errcode(db) != SQLITE_DONE)
        diag("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

static char *text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

/* Two statements; the second only in odd snapshots. calls = k + 1. */
static mon_pgss_snap *pgss_of(int k)
{
    mon_pgss_snap *p = xcalloc(1, sizeof *p);
    p->interval_s = 5;
    p->n = 2;
    p->rows = xcalloc(2, sizeof *p->rows);
    for (int i = 0; i < 2; i++) {
        mon_stmt *s = &p->rows[i];
        s->dbid = 5;
        s->userid = 10;
        s->queryid = i == 0 ? 1111 : -2222;
        s->has_queryid = s->has_rate = s->has_text = true;
        s->toplevel = true;
        s->database = app;
        s->user = alice;
        s->query = i == 0 ? q_orders : q_stock;
        for (int c = 0; c < MC_COUNT; c++)
            s->d[c] = NAN;
        s->d[MC_CALLS] = i == 0 ? k + 1 : (k % 2 ? 1 : 0);
        s->d[MC_TOTAL_MS] = 2.5 * (k + 1);
        s->d[MC_ROWS] = 10;
        s->g[MG_MAX_MS] = 100 + k;
    }
    return p;
}

static void pgss_free(mon_pgss_snap *p)
{
    free(p->rows);
    free(p);
}

/* Backends: snapshot k of the minute has k % 4 blocked backends. */
static mon_activity *activity_of(int k, int (*blockers)[1])
{
    mon_activity *a = xcalloc(1, sizeof *a);
    a->n = 1 + (size_t)(k % 4);
    a->rows = xcalloc(a->n, sizeof *a->rows);
    a->rows[0] = (mon_backend){.pid = 100,
                               .state = active,
                               .query = q_lock,
                               .xact_s = k,
                               .query_s = k,
                               .state_s = k,
                               .nblocking = k % 4};
    for (size_t i = 1; i < a->n; i++) {
        blockers[i][0] = 100;
        a->rows[i] = (mon_backend){.pid = 200 + (int)i + 10 * k,
                                   .state = active,
                                   .wait_type = lock_wait,
                                   .wait_event = relation,
                                   .query = q_update,
                                   .xact_s = 1,
                                   .query_s = 1,
                                   .state_s = 1,
                                   .blocked_by = blockers[i],
                                   .nblocked_by = 1};
    }
    return a;
}

static void write_at(rec_writer *w, int64_t server, double t, int k, bool up)
{
    mon_pgss_snap *p = pgss_of(k);
    int blockers[4][1];
    mon_activity *a = activity_of(k, blockers);
    mon_dbstat db = {.now_s = t, .xacts = 1000 + k, .blks_hit = 1, .blks_read = 1};
    mon_dbrates rates = {
        .tps = 10 * (k + 1), .hit_ratio = 99, .temp_files_s = 0, .temp_bytes_s = 0};
    mon_fleet_member f;
    mon_fleet_member_init(&f, "s", NULL, NULL);
    f.have = f.up = true;
    f.cur.connections = 3;
    f.cur.max_conn = 100;
    snprintf(f.cur.version, sizeof f.cur.version, "16.2");
    f.tps = 10 * (k + 1);
    rec_snapshot s = {.server_id = server,
                      .taken_at = t,
                      .interval_s = 5,
                      .up = up,
                      .error = up ? NULL : "connection refused",
                      .version_num = 160002,
                      .standby = 0,
                      .pgss = up ? p : NULL,
                      .activity = up ? a : NULL,
                      .db = up ? &db : NULL,
                      .rates = &rates,
                      .fleet = up ? &f : NULL};
    char *err = NULL;
    if (rec_writer_write(w, &s, NULL, &err) != REC_OK) {
        diag("write: %s", err);
        free(err);
    }
    mon_fleet_member_free(&f);
    pgss_free(p);
    free(a->rows);
    free(a);
}

int main(void)
{
    plan_no_plan();
    if (!mkdtemp(dir))
        skip_all("mkdtemp");
    char *path = xasprintf("%s/thin.pgrec", dir);
    char *err = NULL;
    rec_writer *w = rec_writer_open(path, &err);
    ok(w != NULL, "open %s", err ? err : "");
    if (!w)
        return done_testing();
    sqlite3 *db = rec_writer_db(w);
    int64_t s1 = rec_writer_server(w, "one", "host=a", NULL, &err);
    int64_t s2 = rec_writer_server(w, "two", "host=b", NULL, &err);
    ok(s1 > 0 && s2 > 0 && s1 != s2, "two servers");

    /* two days ago, three whole minutes of 12 snapshots each (every 5 s)
     * for server one; server two one minute, its last snapshot down */
    double now = (double)time(NULL);
    double base = floor((now - 2 * 86400) / 60) * 60;
    for (int m = 0; m < 3; m++)
        for (int k = 0; k < 12; k++)
            write_at(w, s1, base + m * 60 + k * 5, k, true);
    for (int k = 0; k < 12; k++)
        write_at(w, s2, base + k * 5, k, k < 11);
    /* recent: 6 snapshots in the last minute */
    for (int k = 0; k < 6; k++)
        write_at(w, s1, now - 30 + k * 5, k, true);
    is_int(scalar(db, "SELECT count(*) FROM snapshot"), 3 * 12 + 12 + 6, "48 snapshots written");
    is_int(scalar(db, "SELECT count(*) FROM query_text"), 4, "texts once per server and key");
    is_int(scalar(db, "SELECT count(*) FROM stmt WHERE queryid = -2222"), 3 * 6 + 5 + 3,
           "the second statement only where it ran (calls > 0)");

    rec_thin_opts o = {.now = now, .keep_detail_s = 86400, .keep_s = 7 * 86400};
    rec_thin_result r;
    ok(rec_writer_thin(w, &o, &r, &err) == REC_OK, "thin %s", err ? err : "");
    is_int(r.minutes, 4, "four minutes folded");
    is_int(r.folded, 3 * 12 + 12, "from 48 snapshots");
    is_int(r.deleted, 0, "none deleted");
    is_int(scalar(db, "SELECT count(*) FROM snapshot WHERE grain = 60"), 4, "4 grain-60 snapshots");
    is_int(scalar(db, "SELECT count(*) FROM snapshot WHERE grain = 0"), 6,
           "the recent ones stay as they were");
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT taken_at - %.0f FROM snapshot WHERE grain = 60 AND server_id = %lld ORDER BY "
             "taken_at LIMIT 1",
             base, (long long)s1);
    is_int(scalar(db, sql), 55, "taken_at: the minute's last");
    is_int(scalar(db, "SELECT min(interval_s) FROM snapshot WHERE grain = 60"), 60,
           "interval_s: the sum (12 x 5 s)");
    /* calls of statement 1: sum over k of k + 1 = 78 per minute */
    snprintf(sql, sizeof sql,
             "SELECT group_concat(c) FROM (SELECT st.calls AS c FROM stmt st JOIN snapshot s ON "
             "s.id = st.snapshot_id WHERE s.grain = 60 AND s.server_id = %lld AND st.queryid = "
             "1111 ORDER BY s.taken_at)",
             (long long)s1);
    char *calls = text(db, sql);
    is_str(calls, "78.0,78.0,78.0", "calls summed per minute");
    free(calls);
    snprintf(sql, sizeof sql,
             "SELECT st.total_ms || '|' || st.rows || '|' || st.max_ms FROM stmt st JOIN "
             "snapshot s ON s.id = st.snapshot_id WHERE s.grain = 60 AND s.server_id = %lld AND "
             "st.queryid = 1111 LIMIT 1",
             (long long)s1);
    char *sums = text(db, sql);
    is_str(sums, "195.0|120.0|111.0", "total_ms and rows summed, max_ms the max");
    free(sums);
    snprintf(sql, sizeof sql,
             "SELECT st.calls FROM stmt st JOIN snapshot s ON s.id = st.snapshot_id WHERE "
             "s.grain = 60 AND s.server_id = %lld AND st.queryid = -2222 LIMIT 1",
             (long long)s1);
    is_int(scalar(db, sql), 6, "the statement that ran in 6 snapshots: 6 calls");
    snprintf(sql, sizeof sql,
             "SELECT st.blk_read_ms IS NULL FROM stmt st JOIN snapshot s ON s.id = st.snapshot_id "
             "WHERE s.grain = 60 AND s.server_id = %lld LIMIT 1",
             (long long)s1);
    is_int(scalar(db, sql), 1, "an unknown figure stays unknown (NULL)");
    is_int(scalar(db, "SELECT count(*) FROM query_text"), 4, "texts kept");
    /* backends: the most blocked snapshot of the minute has 3 waiting
     * (k = 3, 7, 11: ties broken by the most active, then the latest) */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM backend b JOIN snapshot s ON s.id = b.snapshot_id WHERE "
             "s.grain = 60 AND s.server_id = %lld AND s.taken_at = %.0f + 55 AND b.blocked_by = "
             "'{100}'",
             (long long)s1, base);
    is_int(scalar(db, sql), 3, "backends of the most blocked snapshot");
    snprintf(sql, sizeof sql,
             "SELECT max(b.pid) FROM backend b JOIN snapshot s ON s.id = b.snapshot_id WHERE "
             "s.grain = 60 AND s.server_id = %lld AND s.taken_at = %.0f + 55",
             (long long)s1, base);
    is_int(scalar(db, sql), 200 + 3 + 110, "the latest of the tied ones (k = 11)");
    snprintf(sql, sizeof sql,
             "SELECT d.tps FROM dbstat d JOIN snapshot s ON s.id = d.snapshot_id WHERE s.grain = "
             "60 AND s.server_id = %lld LIMIT 1",
             (long long)s1);
    is_int(scalar(db, sql), 65, "dbstat tps averaged (10..120)");
    snprintf(sql, sizeof sql,
             "SELECT d.xacts FROM dbstat d JOIN snapshot s ON s.id = d.snapshot_id WHERE s.grain = "
             "60 AND s.server_id = %lld LIMIT 1",
             (long long)s1);
    is_int(scalar(db, sql), 1011, "dbstat counters: the minute's last");
    snprintf(sql, sizeof sql,
             "SELECT f.tps FROM fleet f JOIN snapshot s ON s.id = f.snapshot_id WHERE s.grain = "
             "60 AND s.server_id = %lld LIMIT 1",
             (long long)s1);
    is_int(scalar(db, sql), 65, "fleet tps averaged");
    /* server two: its last snapshot was down; the kept one is the last up */
    snprintf(sql, sizeof sql,
             "SELECT up || '|' || (taken_at - %.0f) || '|' || (SELECT count(*) FROM dbstat WHERE "
             "snapshot_id = s.id) FROM snapshot s WHERE grain = 60 AND server_id = %lld",
             base, (long long)s2);
    char *two = text(db, sql);
    is_str(two, "1|55.0|1",
           "a minute with a down snapshot: up, the last time, the last up's figures");
    free(two);
    is_int(scalar(db, "SELECT count(*) FROM stmt WHERE snapshot_id NOT IN (SELECT id FROM "
                      "snapshot)"),
           0, "no stmt row of a deleted snapshot");
    is_int(scalar(db, "SELECT count(*) FROM backend WHERE snapshot_id NOT IN (SELECT id FROM "
                      "snapshot)"),
           0, "no backend row of a deleted snapshot");

    ok(rec_writer_thin(w, &o, &r, &err) == REC_OK && r.minutes == 0 && r.folded == 0,
       "a second pass finds nothing to fold");

    /* --keep 1d: the folded minutes go, and their texts of server two */
    o.keep_s = 86400;
    ok(rec_writer_thin(w, &o, &r, &err) == REC_OK, "thin with keep 1d");
    is_int(r.deleted, 4, "the 4 old minutes deleted");
    is_int(scalar(db, "SELECT count(*) FROM snapshot"), 6, "the recent 6 stay");
    is_int(scalar(db, "SELECT count(*) FROM query_text"), 2,
           "server two's texts, no longer used, deleted");

    /* --size-limit: grow the file, then shrink it; the newest stay */
    for (int k = 0; k < 400; k++)
        write_at(w, s1, now - 20 + k * 0.01, k % 12, true);
    /* the WAL emptied, so the limit is met by deleting rows */
    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    int64_t big = rec_writer_bytes(w);
    double newest = scalar(db, "SELECT max(taken_at) FROM snapshot");
    o = (rec_thin_opts){.now = now, .size_limit = big / 2};
    ok(rec_writer_thin(w, &o, &r, &err) == REC_OK, "thin with a size limit");
    int64_t small = rec_writer_bytes(w);
    ok(small <= big / 2, "the used bytes fit the limit (%lld -> %lld, limit %lld)", (long long)big,
       (long long)small, (long long)(big / 2));
    ok(r.deleted > 0, "by deleting %ld snapshots", r.deleted);
    ok(scalar(db, "SELECT max(taken_at) FROM snapshot") == newest, "the newest stays");
    is_str(text(db, "PRAGMA integrity_check"), "ok", "integrity_check");

    rec_writer_close(w);
    char *cmd = xasprintf("rm -rf %s", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    free(cmd);
    free(path);
    free(err);
    return done_testing();
}
