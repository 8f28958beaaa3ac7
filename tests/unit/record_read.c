/* record_read.c — the reader against a recording made from SQL
 * (tests/data/record/moments.sql) in record_db.c's schema: moments rebuilt
 * into the monitors' structs, seeking -1/0/+1 across per-minute aggregates,
 * the fleet lines, reading while a writer holds its transaction (WAL), and
 * the files it must refuse. */
#include "config.h"

#include "common/xalloc.h"
#include "monitor/monitor_server.h"
#include "record/record_db.h"
#include "record/record_read.h"
#include "tests/lib/tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pgdeck-record-read-XXXXXX";

static char *path_of(const char *name)
{
    static char buf[4][256];
    static int i;
    char *b = buf[i++ % 4];
    snprintf(b, 256, "%s/%s", dir, name);
    return b;
}

static char *slurp(const char *p)
{
    FILE *f = fopen(p, "r");
    if (!f)
        return NULL;
    char *s = xcalloc(1, 1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* A recording with the real schema (record_db.c) and the fixture's rows. */
static bool make_recording(const char *p)
{
    char *err = NULL;
    sqlite3 *db = rec_db_open(p, true, &err);
    if (!db) {
        diag("rec_db_open: %s", err);
        free(err);
        return false;
    }
    char *sql = slurp(PGDECK_SRCDIR "/tests/data/record/moments.sql");
    char *msg = NULL;
    bool good = sql && sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK;
    if (!good)
        diag("fixture: %s", msg ? msg : "unreadable");
    sqlite3_free(msg);
    free(sql);
    sqlite3_close(db);
    return good;
}

static void raw_sql(const char *p, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_open(p, &db);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

static bool contains(const char *s, const char *part)
{
    return s && strstr(s, part);
}

static int col_of(const srv_view *v, const char *key)
{
    for (int i = 0; i < v->ncols; i++)
        if (strcmp(v->cols[i].key, key) == 0)
            return i;
    return -1;
}

static void seeks(rec_reader *r)
{
    double at = -1;
    ok(rec_reader_seek(r, 0, 1012, 0, &at) && at == 1010, "seek 0 from between: the one before");
    ok(rec_reader_seek(r, 0, 1010, 0, &at) && at == 1010, "seek 0 at a snapshot: that one");
    ok(rec_reader_seek(r, 0, 1010, -1, &at) && at == 1005, "seek -1: the previous");
    ok(rec_reader_seek(r, 0, 1012, -1, &at) && at == 1005,
       "seek -1 from between: the one before the snapshot at t");
    ok(rec_reader_seek(r, 0, 1010, 1, &at) && at == 1015, "seek +1: the next");
    ok(rec_reader_seek(r, 0, 1005, -1, &at) && at == 1000, "seek -1 into the per-minute part");
    ok(rec_reader_seek(r, 0, 900, 1, &at) && at == 940, "seek +1 before the first: the first");
    at = -1;
    ok(!rec_reader_seek(r, 0, 940, -1, &at) && at == -1, "seek -1 from the first: none");
    ok(!rec_reader_seek(r, 0, 1015, 1, &at), "seek +1 from the last: none");
    ok(!rec_reader_seek(r, 0, 939, 0, &at), "seek 0 before the first: none");
    ok(!rec_reader_seek(r, 7, 1000, 0, &at), "seek on an unknown server: none");
    /* stepping visits every snapshot once, in order */
    int n = 0;
    double t = 0, prev = 0;
    bool ordered = true;
    for (bool more = rec_reader_seek(r, 0, 0, 1, &t); more;
         more = rec_reader_seek(r, 0, t, 1, &t)) {
        ordered = ordered && t > prev;
        prev = t;
        n++;
    }
    ok(n == 5 && ordered, "stepping +1 visits the 5 snapshots in order (%d)", n);
    ok(rec_reader_seek(r, 1, 1010, 0, &at) && at == 1007, "the replica's own times");
}

static void moment_detail(rec_reader *r)
{
    char *err = NULL;
    rec_moment *m = rec_moment_load(r, 0, 1010, &err);
    if (!ok(m != NULL, "moment at 1010")) {
        diag("%s", err);
        return;
    }
    ok(m->taken_at == 1010 && m->interval_s == 5 && m->grain == 0 && m->up && !m->error,
       "the snapshot's own fields");

    mon_pgss_snap *p = m->pgss;
    if (ok(p && p->n == 3, "three statements")) {
        const mon_stmt *s = &p->rows[0];
        ok(s->queryid == 111 && s->d[MC_CALLS] == 10 && s->d[MC_TOTAL_MS] == 500,
           "the heaviest by total time first, its deltas");
        ok(s->has_rate && s->r[MC_CALLS] == 2 && s->r[MC_TOTAL_MS] == 100,
           "rates = deltas / interval_s");
        ok(s->interval_mean_ms == 50 && s->g[MG_MAX_MS] == 90, "mean over the interval, max_ms");
        is_str(s->query, "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
               "text from query_text (this server's, not the replica's)");
        is_str(s->database, "app", "database");
        is_str(s->user, "alice", "role");
        ok(isnan(s->d[MC_WAL_BYTES]) && isnan(s->r[MC_WAL_BYTES]), "NULL is NAN");
        ok(p->rows[1].queryid == 222 && p->rows[1].d[MC_CALLS] == 40, "then the next");
        is_str(p->rows[2].query, "<text not available>", "a statement without a kept text");
        ok(p->interval_s == 5 && p->taken_at == 1010, "the snapshot's interval");
    }

    mon_activity *a = m->activity;
    if (ok(a && a->n == 3, "three backends")) {
        const mon_backend *blocker = mon_activity_find(a, 100);
        const mon_backend *waiter = mon_activity_find(a, 101);
        ok(a->rows[0].pid == 100, "longest running first");
        ok(blocker && blocker->nblocking == 1 && blocker->nblocked_by == 0, "the blocker");
        ok(waiter && waiter->nblocked_by == 1 && waiter->blocked_by[0] == 100,
           "the waiter, blocked_by parsed");
        is_str(waiter ? waiter->wait_event : NULL, "transactionid", "its wait");
        ok(blocker && fabs(blocker->start_epoch - 1796353200.5) < 1e-3,
           "backend_start (UTC) as epoch");
        const mon_backend *idle = mon_activity_find(a, 102);
        ok(idle && strcmp(idle->client, "") == 0 && isnan(idle->xact_s),
           "NULL text is \"\", NULL number NAN");
    }

    ok(m->have_db && m->rates.tps == 12.5 && m->db.xacts == 5000 && m->connections == 7 &&
           m->max_connections == 100,
       "dbstat: figures, rates, connections");

    srv_snap *d = m->views[SRV_DATABASE];
    if (ok(d && d->n == 2, "the database view, two rows")) {
        const srv_view *v = d->view;
        int c_db = col_of(v, "database"), c_commits = col_of(v, "commits");
        int c_sessions = col_of(v, "sessions"), c_hit = col_of(v, "blks_hit");
        is_str(d->rows[0].text[c_db], "app", "a text cell");
        ok(d->rows[0].num[c_commits] == 4000 && d->rows[0].rate[c_commits] == 12.5,
           "a counter: the value and <key>_per_s");
        ok(d->rows[1].rate[c_commits] == 0.2 && isnan(d->rows[1].num[c_hit]),
           "a key a row lacks: NAN");
        ok(d->absent[c_sessions] && !d->absent[c_commits], "a key no row has: absent (n/a)");
        is_str(d->rows[1].text[c_db], "postgres\033[2J",
               "server bytes kept raw (escaped on output)");
        ok(d->interval_s == 5 && d->version == 160002, "interval and version");
        char buf[64];
        is_str(srv_format(d, 0, c_sessions, true, buf, sizeof buf), "n/a", "drawn as n/a");
    }
    ok(m->views[SRV_TABLES] == NULL && m->views[SRV_WAL] == NULL, "views not recorded: NULL");
    ok(m->views[SRV_REPLICATION] && m->views[SRV_REPLICATION]->n == 0,
       "a view read with no rows (its header only): empty, not unrecorded");
    srv_snap *pr = m->views[SRV_PROGRESS];
    if (ok(pr && pr->n == 1, "the progress view, one row and its header")) {
        int c_phase = col_of(pr->view, "phase"), c_cmd = col_of(pr->view, "command");
        ok(c_phase >= 0 && pr->absent[c_phase] && !pr->absent[c_cmd],
           "the header's absent columns, not the rows' keys, say n/a");
        is_str(pr->note, "copy progress: not on PostgreSQL 13", "the header's note");
    }

    if (ok(m->nfleet == 2, "a fleet line per server")) {
        const rec_fleet_line *f0 = &m->fleet[0], *f1 = &m->fleet[1];
        ok(strcmp(f0->name, "default") == 0 && f0->up && f0->tps == 12.5 &&
               f0->s.connections == 7 && strcmp(f0->s.version, "16.2") == 0,
           "this server's line");
        ok(strcmp(f1->name, "replica") == 0 && f1->taken_at == 1007 && f1->standby &&
               f1->s.lag_bytes == 1024 && isnan(f1->tps),
           "the replica's latest at or before the moment");
    }
    rec_moment_free(m);

    /* the replica's moment sees the primary's at or before it */
    m = rec_moment_load(r, 1, 1012, &err);
    if (ok(m && m->nfleet == 2, "the replica's moment")) {
        ok(m->fleet[0].taken_at == 1010 && m->fleet[1].tps == 3.5, "fleet at 1012");
        is_str(m->pgss ? m->pgss->rows[0].query : NULL, NULL, "no statements recorded there");
    }
    rec_moment_free(m);
}

static void moment_kinds(rec_reader *r)
{
    char *err = NULL;
    rec_moment *m = rec_moment_load(r, 0, 1000, &err);
    if (ok(m && m->grain == 60 && m->interval_s == 60, "a per-minute aggregate")) {
        ok(m->pgss && m->pgss->n == 1 && m->pgss->rows[0].d[MC_CALLS] == 120 &&
               m->pgss->rows[0].r[MC_CALLS] == 2,
           "its deltas over 60 s");
        ok(!m->activity && !m->have_db, "nothing else recorded in it");
    }
    rec_moment_free(m);

    m = rec_moment_load(r, 0, 1015, &err);
    ok(m && !m->up && contains(m->error, "connection refused") && !m->pgss,
       "a snapshot while down: up false, the error");
    if (m)
        ok(m->fleet[0].up == false && contains(m->fleet[0].error, "refused"),
           "the fleet line says down too");
    rec_moment_free(m);

    m = rec_moment_load(r, 0, 1003, &err);
    ok(m && m->taken_at == 1000, "a time between: the snapshot before it");
    rec_moment_free(m);

    m = rec_moment_load(r, 0, 900, &err);
    ok(!m && contains(err, "no snapshot"), "before the first: none, said so");
    free(err);
    err = NULL;

    m = rec_moment_load(r, 0, 940, &err);
    ok(m && m->fleet[1].taken_at != m->fleet[1].taken_at && !m->fleet[1].up &&
           contains(m->fleet[1].error, "not recorded yet"),
       "a server before its first snapshot: not recorded yet");
    rec_moment_free(m);
}

/* A recorder's transaction in flight: the reader sees the last commit. */
static void concurrent(const char *p)
{
    char *err = NULL;
    sqlite3 *w = rec_db_open(p, true, &err);
    if (!ok(w != NULL, "a writer on the file")) {
        diag("%s", err);
        return;
    }
    sqlite3_exec(w,
                 "BEGIN IMMEDIATE; INSERT INTO snapshot(id, server_id, taken_at, interval_s, up)"
                 " VALUES (99, 1, 1020, 5, 1)",
                 NULL, NULL, NULL);
    rec_reader *r = rec_reader_open(p, &err);
    double at = 0;
    ok(r && rec_reader_range(r, 0, NULL, &at) && at == 1015,
       "read-only open while a write is in flight: the committed snapshots");
    sqlite3_exec(w, "COMMIT", NULL, NULL, NULL);
    ok(r && rec_reader_seek(r, 0, 1015, 1, &at) && at == 1020, "after the commit: the new one");
    rec_moment *m = r ? rec_moment_load(r, 0, 1020, &err) : NULL;
    ok(m && m->up && !m->pgss && !m->activity, "a bare snapshot loads");
    rec_moment_free(m);
    rec_reader_close(r);
    sqlite3_close(w);
}

static void refusals(void)
{
    char *err = NULL;
    const char *p = path_of("newer.db");
    make_recording(p);
    raw_sql(p, "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    rec_reader *r = rec_reader_open(p, &err);
    char want[512];
    snprintf(want, sizeof want,
             "%s was written by a newer pgdeck (schema 2; this pgdeck reads up to 1)", p);
    ok(!r, "a newer schema is refused");
    is_str(err, want, "with RECORD.md's message");
    free(err);
    err = NULL;

    p = path_of("notes.txt");
    FILE *f = fopen(p, "w");
    fputs("03:12 the server was slow\n", f);
    fclose(f);
    r = rec_reader_open(p, &err);
    ok(!r && contains(err, "not a pgdeck recording") && contains(err, p), "a text file: %s",
       err ? err : "");
    free(err);
    err = NULL;

    p = path_of("other.db");
    raw_sql(p, "CREATE TABLE t(x)");
    r = rec_reader_open(p, &err);
    ok(!r && contains(err, "not a pgdeck recording"), "another SQLite file: %s", err ? err : "");
    free(err);
    err = NULL;

    p = path_of("missing.db");
    r = rec_reader_open(p, &err);
    ok(!r && contains(err, "No such file") && access(p, F_OK) != 0,
       "a missing file: said so, not created");
    free(err);
}

int main(void)
{
    plan_no_plan();
    if (!mkdtemp(dir))
        return 1;
    const char *p = path_of("moments.db");
    if (!ok(make_recording(p), "the fixture recording"))
        return done_testing();
    char *err = NULL;
    rec_reader *r = rec_reader_open(p, &err);
    if (!ok(r != NULL, "rec_reader_open")) {
        diag("%s", err);
        return done_testing();
    }
    const char *const *names = NULL;
    ok(rec_reader_servers(r, &names) == 2 && strcmp(names[0], "default") == 0 &&
           strcmp(names[1], "replica") == 0,
       "two servers, in the order recorded");
    double first = 0, last = 0;
    ok(rec_reader_range(r, 0, &first, &last) && first == 940 && last == 1015, "range");
    ok(!rec_reader_range(r, 2, &first, &last), "range of an unknown server: none");
    seeks(r);
    moment_detail(r);
    moment_kinds(r);
    rec_reader_close(r);
    concurrent(p);
    refusals();

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    return done_testing();
}
