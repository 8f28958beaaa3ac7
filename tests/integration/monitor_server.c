/* monitor_server.c — the server views' SQL and parsers against a real
 * cluster, each figure provoked: dead tuples (autovacuum off on the table),
 * an unused and a duplicate index, an invalid one (CREATE INDEX
 * CONCURRENTLY failing on a unique violation), a CREATE INDEX CONCURRENTLY
 * waiting for a writer in Progress, a slot's retained WAL, WAL bytes/s after
 * a write burst, no negative rate after pg_stat_reset(), and the SQL of a
 * server without pg_stat_wal / copy progress / session figures (13) still
 * running, those figures "not on PostgreSQL 13"; the rolling pass over the
 * catalog in slices of 2 tables choosing the same rows, in the same order,
 * as one statement over the whole catalog, for each sort, a table created
 * last (in the last slice) with the most dead tuples at the top, and the
 * sizes read for the rows flagged only. The standby is in
 * tests/cli/top_views.sh (pg_basebackup from the shell). */
#include "config.h"

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/monitor_server.h"
#include "tests/integration/monitor_util.h"

#include <math.h>
#include <unistd.h>

#define is_num(got, want, ...)                                                                     \
    do {                                                                                           \
        double g_ = (got), w_ = (want);                                                            \
        if (!ok(g_ == w_, __VA_ARGS__))                                                            \
            diag("  got %g, want %g (%s:%d)", g_, w_, __FILE__, __LINE__);                         \
    } while (0)

static srv_catalog *probe(engine *e)
{
    eng_result *r = mu_run(e, srv_probe_sql(), 0, NULL, NULL, NULL, NULL);
    srv_catalog *c = r ? srv_catalog_parse(r, NULL) : NULL;
    eng_result_free(r);
    return c;
}

static srv_snap *snap_of(engine *e, const srv_catalog *c, srv_view_id id, char **errp)
{
    const srv_view *v = srv_view_get(id);
    char *sql = srv_view_sql(v, c, v->default_sort, 100);
    char *err = NULL;
    eng_result *r = mu_run(e, sql, 0, NULL, NULL, &err, NULL);
    free(sql);
    srv_snap *s = r ? srv_parse(v, c, r, tu_now(), err ? NULL : &err) : NULL;
    eng_result_free(r);
    if (errp)
        *errp = err;
    else
        free(err);
    return s;
}

static int col_of(const srv_view *v, const char *key)
{
    for (int i = 0; i < v->ncols; i++)
        if (strcmp(v->cols[i].key, key) == 0)
            return i;
    printf("Bail out! no column %s in %s\n", key, v->name);
    exit(1);
}

/* The row whose column `key` is `value` (text), or -1. */
static long find_row(const srv_snap *s, const char *key, const char *value)
{
    if (!s)
        return -1;
    int c = col_of(s->view, key);
    for (size_t j = 0; j < s->n; j++)
        if (strcmp(s->rows[j].text[c], value) == 0)
            return (long)j;
    return -1;
}

static double num(const srv_snap *s, long row, const char *key)
{
    return row < 0 ? NAN : s->rows[row].num[col_of(s->view, key)];
}

static const char *text(const srv_snap *s, long row, const char *key)
{
    return row < 0 ? "(no row)" : s->rows[row].text[col_of(s->view, key)];
}

static void test_every_view(engine *e, const srv_catalog *c)
{
    for (int i = 0; i < SRV_VIEW_COUNT; i++) {
        char *err = NULL;
        srv_snap *s = snap_of(e, c, (srv_view_id)i, &err);
        ok(s != NULL, "%s: the SQL runs and parses", srv_view_get((srv_view_id)i)->name);
        if (!s)
            diag("%s", err ? err : "?");
        free(err);
        srv_snap_free(s);
    }
}

static bool dead_counted(engine *e, const srv_catalog *c)
{
    srv_snap *s = snap_of(e, c, SRV_TABLES, NULL);
    bool hit = s && num(s, find_row(s, "table", "sv_dead"), "n_dead_tup") == 4000;
    srv_snap_free(s);
    return hit;
}

static void test_tables(engine *e, sandbox *sb, const srv_catalog *c)
{
    PGconn *side = tu_side(sb);
    ok(tu_side_ok(side, "CREATE TABLE sv_dead (id int PRIMARY KEY, v text)"
                        " WITH (autovacuum_enabled = off);"
                        " INSERT INTO sv_dead SELECT g, repeat('x', 100)"
                        " FROM generate_series(1, 10000) g;"
                        " DELETE FROM sv_dead WHERE id <= 4000"),
       "tables: 4000 of 10000 rows deleted, autovacuum off");
    PQfinish(side); /* its statistics are flushed when it ends */
    double until = tu_now() + 30;
    bool seen = false;
    while (!seen && tu_now() < until)
        if (!(seen = dead_counted(e, c)))
            usleep(100000);
    ok(seen, "tables: n_dead_tup is 4000");
    srv_snap *s = snap_of(e, c, SRV_TABLES, NULL);
    long r = find_row(s, "table", "sv_dead");
    is_num(num(s, r, "n_live_tup"), 6000, "tables: n_live_tup 6000");
    is_num(num(s, r, "dead_pct"), 40, "tables: dead ratio 40 %%");
    ok(num(s, r, "bloat_bytes") > 0 && num(s, r, "bloat_bytes") < num(s, r, "table_bytes"),
       "tables: estimated bloat between 0 and the heap (%.0f of %.0f)", num(s, r, "bloat_bytes"),
       num(s, r, "table_bytes"));
    ok(num(s, r, "total_bytes") >= num(s, r, "table_bytes") + num(s, r, "index_bytes"),
       "tables: total size holds heap and indexes");
    ok(num(s, r, "n_mod_since_analyze") >= 14000, "tables: n_mod_since_analyze counts inserts "
                                                  "and deletes");
    ok(isnan(num(s, r, "last_autovacuum")), "tables: never autovacuumed");
    srv_snap_free(s);
}

static void test_indexes(engine *e, sandbox *sb, const srv_catalog *c)
{
    PGconn *side = tu_side(sb);
    ok(tu_side_ok(side, "CREATE INDEX sv_dead_v ON sv_dead (v);"
                        " CREATE INDEX sv_dead_v_again ON sv_dead (v);"
                        " CREATE INDEX sv_dead_lower ON sv_dead (lower(v));"
                        " CREATE INDEX sv_dead_v_partial ON sv_dead (v) WHERE id > 9000;"
                        " CREATE TABLE sv_twice (a int); INSERT INTO sv_twice VALUES (1), (1)"),
       "indexes: created");
    ok(!tu_side_ok(side, "CREATE UNIQUE INDEX CONCURRENTLY sv_twice_a ON sv_twice (a)"),
       "indexes: CREATE UNIQUE INDEX CONCURRENTLY fails on the duplicate key");
    PQfinish(side);
    srv_snap *s = snap_of(e, c, SRV_INDEXES, NULL);
    long inv = find_row(s, "index", "sv_twice_a"), dup = find_row(s, "index", "sv_dead_v_again");
    long orig = find_row(s, "index", "sv_dead_v"), part = find_row(s, "index", "sv_dead_v_partial");
    long pk = find_row(s, "index", "sv_dead_pkey"), expr = find_row(s, "index", "sv_dead_lower");
    is_num(num(s, inv, "invalid"), 1, "indexes: the failed build is invalid");
    is_int(inv, 0, "indexes: the invalid one comes first");
    is_str(text(s, dup, "duplicate_of"), "sv_dead_v", "indexes: the second (v) names the first");
    is_str(text(s, orig, "duplicate_of"), "", "indexes: the first is not a duplicate");
    is_str(text(s, part, "duplicate_of"), "", "indexes: a partial one is not a duplicate");
    is_str(text(s, expr, "duplicate_of"), "", "indexes: an expression is not a duplicate");
    is_num(num(s, orig, "unused"), 1, "indexes: never scanned: unused");
    is_num(num(s, pk, "unused"), 0, "indexes: a primary key is never 'unused'");
    ok(num(s, orig, "index_bytes") > 0, "indexes: size");
    /* the cheap refresh: the same rows by oid, sizes and duplicates carried */
    char *sql = srv_view_sql_rows(s->view, c, s, NULL);
    eng_result *r = sql ? mu_run(e, sql, 0, NULL, NULL, NULL, NULL) : NULL;
    srv_snap *t = r ? srv_parse(s->view, c, r, tu_now(), NULL) : NULL;
    ok(t != NULL, "indexes: the rows' refresh runs");
    if (t) {
        is_int((long)t->n, (long)s->n, "indexes: the rows' refresh keeps every row");
        long d2 = find_row(t, "index", "sv_dead_v_again");
        is_str(text(t, d2, "duplicate_of"), "sv_dead_v", "indexes: duplicate_of carried over");
        is_num(num(t, d2, "index_bytes"), num(s, dup, "index_bytes"), "indexes: size carried over");
        ok(strncmp(text(t, d2, "definition"), "CREATE INDEX sv_dead_v_again ON", 31) == 0,
           "indexes: the definition carried over");
    }
    srv_snap_free(t);
    eng_result_free(r);
    free(sql);
    srv_snap_free(s);
}

static bool create_index_listed(engine *e, const srv_catalog *c, char *phase, size_t n)
{
    srv_snap *s = snap_of(e, c, SRV_PROGRESS, NULL);
    long r = find_row(s, "relation", "sv_prog");
    if (r >= 0)
        snprintf(phase, n, "%s | %s", text(s, r, "command"), text(s, r, "phase"));
    srv_snap_free(s);
    /* "initializing" first, then it waits for the writer */
    return r >= 0 && strstr(phase, "waiting for");
}

static void test_progress(engine *e, sandbox *sb, const srv_catalog *c)
{
    PGconn *writer = tu_side(sb), *builder = tu_side(sb);
    /* BEGIN in the same string would take the CREATE TABLE into the block */
    ok(tu_side_ok(writer, "CREATE TABLE sv_prog (a int)") &&
           tu_side_ok(writer, "BEGIN; INSERT INTO sv_prog VALUES (1)"),
       "progress: a writer holds its transaction open");
    ok(PQsendQuery(builder, "CREATE INDEX CONCURRENTLY sv_prog_a ON sv_prog (a)") == 1,
       "progress: CREATE INDEX CONCURRENTLY sent (it waits for the writer)");
    char phase[256] = "";
    double until = tu_now() + 30;
    bool seen = false;
    while (!seen && tu_now() < until)
        if (!(seen = create_index_listed(e, c, phase, sizeof phase)))
            usleep(100000);
    ok(seen, "progress: the waiting CREATE INDEX is listed, waiting (%s)", phase);
    ok(strncmp(phase, "create index concurrently | waiting for", 39) == 0,
       "progress: command and phase (%s)", phase);
    ok(tu_side_ok(writer, "COMMIT"), "progress: the writer commits");
    PGresult *res;
    bool built = true;
    while ((res = PQgetResult(builder))) {
        built = built && PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
    }
    ok(built, "progress: the index is built");
    PQfinish(writer);
    PQfinish(builder);
}

static void test_replication_slot(engine *e, sandbox *sb, const srv_catalog *c)
{
    PGconn *side = tu_side(sb);
    ok(tu_side_ok(side, "SELECT pg_create_physical_replication_slot('sv_slot', true)"),
       "replication: a physical slot reserving WAL");
    srv_snap *s = snap_of(e, c, SRV_REPLICATION, NULL);
    long r = find_row(s, "name", "sv_slot");
    is_str(text(s, r, "kind"), "slot", "replication: listed as a slot");
    is_num(num(s, r, "active"), 0, "replication: not active");
    ok(num(s, r, "retained_bytes") >= 0, "replication: retained WAL in bytes");
    srv_snap_free(s);
    tu_side_ok(side, "SELECT pg_drop_replication_slot('sv_slot')");
    PQfinish(side);
}

static void test_wal_rate(engine *e, sandbox *sb, const srv_catalog *c)
{
    srv_snap *before = snap_of(e, c, SRV_WAL, NULL);
    PGconn *side = tu_side(sb);
    ok(tu_side_ok(side, "CREATE TABLE sv_burst AS SELECT g, repeat('y', 200) AS t"
                        " FROM generate_series(1, 20000) g"),
       "wal: a write burst");
    PQfinish(side);
    srv_snap *after = snap_of(e, c, SRV_WAL, NULL);
    srv_rates(before, after);
    double rate = after->n ? after->rows[0].rate[col_of(after->view, "wal_lsn_bytes")] : NAN;
    double bytes = after->n ? after->rows[0].num[col_of(after->view, "wal_lsn_bytes")] -
                                  before->rows[0].num[col_of(before->view, "wal_lsn_bytes")]
                            : 0;
    ok(after->interval_s > 0 && rate > 0, "wal: WAL bytes/s after the burst (%.0f)", rate);
    ok(bytes > 4e6, "wal: the burst wrote over 4 MB of WAL (%.0f)", bytes);
    is_num(num(after, 0, "in_recovery"), 0, "wal: a primary");
    srv_snap_free(before);
    srv_snap_free(after);
}

static void test_reset(engine *e, sandbox *sb, const srv_catalog *c)
{
    PGconn *side = tu_side(sb);
    tu_side_ok(side, "SELECT count(*) FROM generate_series(1, 100)");
    srv_snap *before = snap_of(e, c, SRV_DATABASE, NULL);
    const char *reset_at = "SELECT coalesce(stats_reset::text, '') FROM pg_stat_database WHERE "
                           "datname = current_database()";
    char *was = tu_side_value(side, reset_at);
    ok(tu_side_ok(side, "SELECT pg_stat_reset()"), "reset: pg_stat_reset()");
    /* before 15 the statistics collector applies the reset when it gets to
     * its message: wait until this database's stats_reset shows it */
    for (int i = 0; i < 100; i++) {
        tu_side_ok(side, "SELECT pg_stat_clear_snapshot()");
        char *now = tu_side_value(side, reset_at);
        bool moved = now && was && strcmp(now, was) != 0;
        free(now);
        if (moved)
            break;
        usleep(50000);
    }
    free(was);
    PQfinish(side);
    srv_snap *after = snap_of(e, c, SRV_DATABASE, NULL);
    srv_rates(before, after);
    long r = find_row(after, "database", "postgres");
    int k = col_of(after->view, "commits");
    ok(r >= 0 && isnan(after->rows[r].rate[k]), "reset: no commit rate across the reset");
    ok(after->reset_seen, "reset: seen");
    bool negative = false;
    for (size_t j = 0; j < after->n; j++)
        for (int i = 0; i < after->view->ncols; i++)
            negative = negative || after->rows[j].rate[i] < 0;
    ok(!negative, "reset: no rate is negative");
    srv_snap_free(before);
    srv_snap_free(after);
}

/* A catalog as PostgreSQL 13 answers it: no pg_stat_wal, no copy progress,
 * no session figures; the SQL must still run on this server. */
static void test_older_server(engine *e, const srv_catalog *real)
{
    char *cols = strdup(srv_catalog_columns(real));
    strbuf sb;
    sb_init(&sb);
    for (char *tok = strtok(cols, ","); tok; tok = strtok(NULL, ",")) {
        if (strncmp(tok, "pg_stat_wal.", 12) == 0 ||
            strncmp(tok, "pg_stat_progress_copy.", 22) == 0 ||
            strncmp(tok, "pg_stat_database.session", 24) == 0 ||
            strncmp(tok, "pg_stat_checkpointer.", 21) == 0)
            continue;
        sb_printf(&sb, "%s%s", sb.len ? "," : "", tok);
    }
    free(cols);
    srv_catalog *old = srv_catalog_new(130000, sb.data);
    sb_free(&sb);
    char *err = NULL;
    srv_snap *w = snap_of(e, old, SRV_WAL, &err);
    ok(w != NULL, "13: the WAL view runs without pg_stat_wal%s%s", err ? ": " : "", err ? err : "");
    free(err);
    char buf[64];
    if (w) {
        int k = col_of(w->view, "wal_records");
        is_str(srv_absent_text(w, k, buf, sizeof buf), "not on PostgreSQL 13",
               "13: wal_records is not on PostgreSQL 13");
        is_str(srv_format(w, 0, k, true, buf, sizeof buf), "n/a", "13: listed as n/a");
        ok(w->rows[0].num[col_of(w->view, "wal_lsn_bytes")] > 0, "13: WAL bytes from the LSN");
        /* 17 moved them to pg_stat_checkpointer: 13's SQL cannot find them there */
        if (srv_catalog_version(real) < 170000)
            ok(!isnan(w->rows[0].num[col_of(w->view, "checkpoints_timed")]),
               "13: checkpoints from pg_stat_bgwriter");
        else
            ok(isnan(w->rows[0].num[col_of(w->view, "checkpoints_timed")]),
               "13's SQL on %d: no checkpoints in pg_stat_bgwriter (n/a, not an error)",
               srv_catalog_version(real) / 10000);
    }
    srv_snap *d = snap_of(e, old, SRV_DATABASE, NULL);
    ok(d && d->absent[col_of(d->view, "sessions")], "13: sessions absent in the database view");
    srv_snap *p = snap_of(e, old, SRV_PROGRESS, NULL);
    ok(p != NULL, "13: the progress view runs without copy progress");
    if (p)
        is_str(p->note, "copy progress: not on PostgreSQL 13", "13: the note says so");
    srv_snap_free(w);
    srv_snap_free(d);
    srv_snap_free(p);
    srv_catalog_free(old);
}

/* A whole pass, slice after slice; NULL if a slice failed. */
#define PASS_LIMIT 3 /* fewer than the tables: the pass must cut its top as the statement does */

static srv_pass *run_pass(engine *e, const srv_catalog *c, srv_view_id id, int sort, int slice)
{
    srv_pass *p = srv_pass_new(srv_view_get(id), sort, PASS_LIMIT, slice);
    char *sql;
    while ((sql = srv_pass_slice_sql(p, c))) {
        eng_result *r = mu_run(e, sql, 0, NULL, NULL, NULL, NULL);
        bool added = r && srv_pass_add(p, r, NULL);
        eng_result_free(r);
        free(sql);
        if (!added || srv_pass_slices(p) > 10000) {
            srv_pass_free(p);
            return NULL;
        }
    }
    return p;
}

static int oid_cmp(const void *a, const void *b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
    return x < y ? -1 : x > y;
}

/* The oids of a snapshot's rows, ascending, "1,2,3" (the whole-catalog
 * statement of tables groups after its LIMIT: its order is not the sort's). */
static char *oids_of(const srv_snap *s)
{
    strbuf sb;
    sb_init(&sb);
    int c = s ? col_of(s->view, "oid") : 0;
    size_t n = s ? s->n : 0;
    unsigned long *o = xcalloc(n + 1, sizeof *o);
    for (size_t j = 0; j < n; j++)
        o[j] = strtoul(s->rows[j].text[c], NULL, 10);
    qsort(o, n, sizeof *o, oid_cmp);
    for (size_t j = 0; j < n; j++)
        sb_printf(&sb, "%s%lu", j ? "," : "", o[j]);
    free(o);
    return sb_steal(&sb);
}

/* The pass's rows read by srv_view_sql_rows (sizes for all rows when
 * all_sizes, else none). */
static srv_snap *pass_snap(engine *e, const srv_catalog *c, const srv_pass *p, bool all_sizes)
{
    srv_snap *seed = srv_pass_rows(p, NULL);
    bool *flags = xcalloc(seed->n + 1, sizeof *flags);
    for (size_t j = 0; j < seed->n; j++)
        flags[j] = all_sizes;
    char *sql = srv_view_sql_rows(seed->view, c, seed, flags);
    eng_result *r = mu_run(e, sql, 0, NULL, NULL, NULL, NULL);
    srv_snap *s = r ? srv_parse(seed->view, c, r, tu_now(), NULL) : NULL;
    eng_result_free(r);
    free(sql);
    free(flags);
    srv_snap_free(seed);
    return s;
}

static bool late_counted(engine *e, const srv_catalog *c)
{
    srv_snap *s = snap_of(e, c, SRV_TABLES, NULL);
    bool hit = s && num(s, find_row(s, "table", "sv_late"), "n_dead_tup") == 5000;
    srv_snap_free(s);
    return hit;
}

static void test_pass(engine *e, sandbox *sb, const srv_catalog *c)
{
    PGconn *side = tu_side(sb);
    ok(tu_side_ok(side,
                  "CREATE TABLE sv_late (id int PRIMARY KEY, v text)"
                  " WITH (autovacuum_enabled = off);"
                  " INSERT INTO sv_late SELECT g, 'y' FROM generate_series(1, 6000) g;"
                  " DELETE FROM sv_late WHERE id <= 5000;"
                  " CREATE INDEX sv_late_v ON sv_late (v); CREATE INDEX sv_late_v2 ON sv_late (v)"),
       "pass: sv_late created last, 5000 dead tuples");
    PQfinish(side);
    double until = tu_now() + 30;
    bool seen = false;
    while (!seen && tu_now() < until)
        if (!(seen = late_counted(e, c)))
            usleep(100000);
    ok(seen, "pass: the server counts sv_late's dead tuples");
    for (int id = SRV_TABLES; id <= SRV_INDEXES; id++) {
        const srv_view *v = srv_view_get((srv_view_id)id);
        for (int sort = 0; sort < v->ncols; sort++) {
            if (sort != v->default_sort && !v->cols[sort].order)
                continue;
            char *sql = srv_view_sql(v, c, sort, PASS_LIMIT);
            eng_result *r = mu_run(e, sql, 0, NULL, NULL, NULL, NULL);
            srv_snap *whole = r ? srv_parse(v, c, r, tu_now(), NULL) : NULL;
            eng_result_free(r);
            free(sql);
            srv_pass *p = run_pass(e, c, (srv_view_id)id, sort, 2);
            ok(p && srv_pass_done(p) && srv_pass_slices(p) > 2,
               "pass %s by %s: done in %zu slices of 2 tables", v->name, v->cols[sort].key,
               p ? srv_pass_slices(p) : 0);
            srv_snap *sliced = p ? pass_snap(e, c, p, true) : NULL;
            char *a = oids_of(whole), *b = oids_of(sliced);
            ok(whole && whole->n == PASS_LIMIT && strcmp(a, b) == 0,
               "pass %s by %s: the same top %zu rows as one statement", v->name, v->cols[sort].key,
               whole ? whole->n : 0);
            if (strcmp(a, b) != 0)
                diag("  whole:  %s\n  sliced: %s", a, b);
            if (id == SRV_TABLES && sort == v->default_sort) {
                is_str(text(sliced, 0, "table"), "sv_late",
                       "pass: sv_late, in the last slice, on top");
                is_num(srv_pass_pct(p), 100, "pass: 100 %% done");
                long w = find_row(whole, "table", "sv_late");
                long s2 = find_row(sliced, "table", "sv_late");
                is_num(num(sliced, s2, "total_bytes"), num(whole, w, "total_bytes"),
                       "pass: sizes read for the rows flagged");
                srv_snap *nosize = pass_snap(e, c, p, false);
                ok(nosize && isnan(num(nosize, 0, "total_bytes")),
                   "pass: no size read for the rows not flagged");
                srv_snap_free(nosize);
            }
            if (id == SRV_INDEXES && sort == v->default_sort)
                is_str(text(sliced, find_row(sliced, "index", "sv_late_v2"), "duplicate_of"),
                       "sv_late_v", "pass: a duplicate found within its table's slice");
            if (id == SRV_INDEXES && sort == v->default_sort)
                ok(strncmp(text(sliced, find_row(sliced, "index", "sv_late_v2"), "definition"),
                           "CREATE INDEX sv_late_v2 ON", 26) == 0,
                   "pass: the definition read with the sizes");
            free(a);
            free(b);
            srv_snap_free(whole);
            srv_snap_free(sliced);
            srv_pass_free(p);
        }
    }
    srv_pass *p = srv_pass_new(srv_view_get(SRV_TABLES), 5, 100, 2);
    char *sql = srv_pass_slice_sql(p, c);
    eng_result *r = mu_run(e, sql, 0, NULL, NULL, NULL, NULL);
    ok(r && srv_pass_add(p, r, NULL) && !srv_pass_done(p), "pass: one slice, not done");
    double pct = srv_pass_pct(p);
    ok(pct > 0 && pct < 100, "pass: part done (%.1f %%)", pct);
    eng_result_free(r);
    free(sql);
    srv_pass_free(p);
}

int main(void)
{
    plan_no_plan();
    sandbox *sb = tu_sandbox();
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.min_size = 1;
    cfg.max_size = 2;
    engine *e = tu_engine(sb, &cfg);
    srv_catalog *c = probe(e);
    ok(c != NULL, "probe");
    if (!c) {
        printf("Bail out! no probe\n");
        return 1;
    }
    ok(srv_catalog_version(c) >= 130000, "probe: server_version_num %d", srv_catalog_version(c));
    ok(srv_catalog_has(c, "pg_stat_database.xact_commit"), "probe: pg_stat_database's columns");
    test_every_view(e, c);
    test_tables(e, sb, c);
    test_indexes(e, sb, c);
    test_progress(e, sb, c);
    test_replication_slot(e, sb, c);
    test_wal_rate(e, sb, c);
    test_reset(e, sb, c);
    test_older_server(e, c);
    test_pass(e, sb, c);
    srv_catalog_free(c);
    tu_stop(e);
    sandbox_stop(sb);
    return done_testing();
}
