/* tests/integration/import_engine.c — the importer (src/import/import.h)
 * through the engine API against a real throwaway cluster: exact imports of
 * awkward files, errors tied to the file's own lines with nothing imported,
 * cancel, --jobs equal to one job, a terminated backend, progress. */
#include "config.h"

#include "common/xalloc.h"
#include "engine/engine.h"
#include "import/import.h"
#include "sandbox/sandbox.h"
#include "tests/lib/tap.h"

#include <libpq-fe.h>

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sandbox *sb;
static engine *eng;
static char dir[] = "/tmp/pgdeck-import-engine.XXXXXX";

static char *q1(const char *sql)
{
    PGconn *c = PQconnectdb(sandbox_conninfo(sb));
    char *v = NULL;
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
        v = strdup(PQgetvalue(r, 0, 0));
    else if (PQresultStatus(r) != PGRES_COMMAND_OK)
        v = strdup(PQresultErrorMessage(r));
    else
        v = strdup("");
    PQclear(r);
    PQfinish(c);
    return v;
}

static bool q_is(const char *sql, const char *want, const char *name)
{
    char *got = q1(sql);
    is_str(got, want, "%s", name);
    bool ok = got && strcmp(got, want) == 0;
    free(got);
    return ok;
}

static char *write_file(const char *name, const char *data, size_t len)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

/* Pumps engine events into the importer until it is done; calls tick each
 * round (may cancel). */
typedef void (*tick_fn)(importer *im, void *ud);
static const import_result *run(importer *im, tick_fn tick, void *ud)
{
    while (!import_done(im)) {
        struct pollfd p[2] = {{eng_event_fd(eng), POLLIN, 0}, {import_done_fd(im), POLLIN, 0}};
        poll(p, 2, 50);
        eng_event *ev;
        while ((ev = eng_event_next(eng)) != NULL) {
            import_on_event(im, ev);
            eng_event_free(ev);
        }
        if (tick)
            tick(im, ud);
    }
    return import_get_result(im);
}

/* A spec for path into table, columns from the probe, created. */
static void spec_for(import_spec *s, const char *path, const char *table, bool create)
{
    import_probe p;
    char *err = NULL;
    import_spec_init(s);
    if (!import_probe_file(path, NULL, NULL, &p, &err))
        diag("probe: %s", err);
    s->path = xstrdup(path);
    s->table = xstrdup(table);
    s->create = create;
    s->d = p.d;
    s->ncols = p.ncols;
    if (create) {
        s->cols = xcalloc((size_t)p.ncols, sizeof *s->cols);
        for (int i = 0; i < p.ncols; i++) {
            s->cols[i].name = xstrdup(p.names[i]);
            s->cols[i].type = xstrdup(csv_type_name(p.types[i]));
        }
    }
    import_probe_free(&p);
}

static import_status import_file(const char *path, const char *table, bool create, int jobs,
                                 import_result *copy)
{
    import_spec s;
    spec_for(&s, path, table, create);
    s.jobs = jobs;
    importer *im = import_start(eng, &s);
    const import_result *r = run(im, NULL, NULL);
    import_status st = r->status;
    if (copy) {
        *copy = *r;
        copy->message = r->message ? xstrdup(r->message) : NULL;
        copy->record = r->record ? xstrdup(r->record) : NULL;
        copy->detail = copy->hint = copy->sqlstate = copy->note = NULL;
    }
    if (st != IMPORT_OK)
        diag("import %s: %s", path, r->message ? r->message : "?");
    import_free(im);
    import_spec_free(&s);
    return st;
}

static void test_exact(void)
{
    static const char f[] =
        "id,note,extra\r\n1,\"a\nb\",x\r\n2,\"c\r\nd\",\"q\"\"q\"\r\n3,,\"\"\r\n";
    char *p = write_file("exact.csv", f, sizeof f - 1);
    is_int(import_file(p, "exact", true, 1, NULL), IMPORT_OK, "quoted LF/CRLF, escapes: imported");
    q_is("select string_agg(coalesce(note, 'NULL') || '/' || extra, '|' order by id) from exact",
         "a\nb/x|c\r\nd/q\"q|NULL/", "values exact, NULL vs empty");
    free(p);

    /* FORCE_NOT_NULL / FORCE_NULL for every column */
    static const char nn[] = "a,b\n,\"\"\n";
    p = write_file("nn.csv", nn, sizeof nn - 1);
    for (int mode = IMPORT_NULL_ALL_EMPTY; mode <= IMPORT_NULL_NEVER; mode++) {
        import_spec s;
        spec_for(&s, p, mode == IMPORT_NULL_NEVER ? "nn_never" : "nn_all", true);
        s.null_mode = (import_null_mode)mode;
        importer *im = import_start(eng, &s);
        is_int(run(im, NULL, NULL)->status, IMPORT_OK, "null mode %d: imported", mode);
        import_free(im);
        import_spec_free(&s);
    }
    q_is("select coalesce(a, 'NULL') || '/' || coalesce(b, 'NULL') from nn_all", "NULL/NULL",
         "FORCE_NULL: quoted empty is NULL too");
    q_is("select coalesce(a, 'NULL') || '/' || coalesce(b, 'NULL') from nn_never", "/",
         "FORCE_NOT_NULL: unquoted empty is the empty string");
    free(p);

    static const char bom[] = "\xEF\xBB\xBFk,v\n1,x\r2,y\r\n";
    p = write_file("bom.csv", bom, sizeof bom - 1);
    is_int(import_file(p, "bom", true, 1, NULL), IMPORT_OK, "BOM and mixed endings: imported");
    q_is("select string_agg(k || v, ',' order by k) from bom", "1x,2y",
         "BOM stripped, all records");
    free(p);
}

static void test_errors(void)
{
    import_result r;
    static const char f[] = "id,note\n1,\"x\ny\"\n2,ok\n3,\"z\"\nbad,w\n";
    char *p = write_file("bad.csv", f, sizeof f - 1);
    free(q1("create table bad (id int, note text)"));
    is_int(import_file(p, "bad", false, 1, &r), IMPORT_DATA_ERROR, "server-side bad record: error");
    is_int(r.line, 6, "the file's own line (header and quoted newline counted)");
    is_str(r.record, "bad,w", "the offending record");
    ok(r.nothing_imported, "nothing imported");
    q_is("select count(*) from bad", "0", "no row committed");
    free(r.message);
    free(r.record);
    free(p);

    static const char g[] = "a,b\n1,2\n3\n";
    p = write_file("few.csv", g, sizeof g - 1);
    is_int(import_file(p, "few", true, 1, &r), IMPORT_DATA_ERROR, "too few fields: error");
    is_int(r.line, 3, "too few fields: line 3");
    ok(r.message && strstr(r.message, "1 field, expected 2"), "too few fields: says so");
    q_is("select to_regclass('few') is null", "t", "too few fields: table not created");
    free(r.message);
    free(r.record);
    free(p);

    p = write_file("empty.csv", "", 0);
    is_int(import_file(p, "empty", true, 1, &r), IMPORT_DATA_ERROR, "empty file: error");
    ok(r.message && strstr(r.message, "empty"), "empty file: says empty");
    free(r.message);
    free(r.record);
    free(p);

    /* the session went back healthy: the pool serves the next import */
    static const char h[] = "a\n1\n";
    p = write_file("after.csv", h, sizeof h - 1);
    is_int(import_file(p, "after", true, 1, NULL), IMPORT_OK,
           "the connection is reusable after errors");
    free(p);
}

static char *big_file(const char *name, int rows)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fprintf(f, "id,name,note\n");
    for (int i = 1; i <= rows; i++)
        fprintf(f, "%d,\"Name %d, x\",\"%s%d\"\n", i, i, i % 5 ? "n " : "two\nlines ", i);
    fclose(f);
    return path;
}

static void test_jobs(void)
{
    char *p = big_file("rows.csv", 50000);
    is_int(import_file(p, "j1", true, 1, NULL), IMPORT_OK, "jobs 1: imported");
    import_result r;
    is_int(import_file(p, "j3", true, 3, &r), IMPORT_OK, "jobs 3: imported");
    is_int(r.jobs, 3, "jobs 3: three parts");
    is_int(r.rows, 50000, "jobs 3: all rows");
    free(r.message);
    free(r.record);
    char *a = q1("select md5(string_agg(t::text, '|' order by id)) from j1 t");
    char *b = q1("select md5(string_agg(t::text, '|' order by id)) from j3 t");
    is_str(b, a, "jobs 3 equals jobs 1 row for row");
    free(a);
    free(b);
    free(p);
}

typedef struct cancel_ctx {
    int rounds;
    bool canceled;
    uint64_t seen_rows;
} cancel_ctx;

static void cancel_tick(importer *im, void *ud)
{
    cancel_ctx *c = ud;
    import_progress pr;
    import_get_progress(im, &pr);
    if (pr.rows_sent > c->seen_rows)
        c->seen_rows = pr.rows_sent;
    if (!c->canceled && pr.rows_sent > 100 && ++c->rounds > 3) {
        import_cancel(im);
        c->canceled = true;
    }
}

static void terminate_tick(importer *im, void *ud)
{
    cancel_ctx *c = ud;
    import_progress pr;
    import_get_progress(im, &pr);
    if (!c->canceled && pr.rows_sent > 100 && pr.backend_pid && ++c->rounds > 3) {
        char *sql = xasprintf("select pg_terminate_backend(%d)", pr.backend_pid);
        free(q1(sql));
        free(sql);
        c->canceled = true;
    }
}

static void test_cancel_and_loss(void)
{
    free(q1("create table slow (id int, name text, note text)"));
    free(q1("create function slow_row() returns trigger language plpgsql as "
            "'begin perform pg_sleep(0.001); return new; end'"));
    free(q1("create trigger slow before insert on slow for each row execute function slow_row()"));
    char *p = big_file("slow.csv", 20000);

    import_spec s;
    spec_for(&s, p, "slow", false);
    cancel_ctx c = {0};
    importer *im = import_start(eng, &s);
    const import_result *r = run(im, cancel_tick, &c);
    ok(c.canceled, "cancel requested mid-import");
    ok(c.seen_rows > 0, "progress counted rows before the cancel");
    is_int(r->status, IMPORT_CANCELED, "cancel: status canceled");
    ok(r->nothing_imported, "cancel: nothing imported");
    import_free(im);
    q_is("select count(*) from slow", "0", "cancel: no row committed");

    memset(&c, 0, sizeof c);
    im = import_start(eng, &s);
    r = run(im, terminate_tick, &c);
    ok(c.canceled, "backend terminated mid-COPY");
    is_int(r->status, IMPORT_CONN_LOST, "terminated: connection lost");
    ok(r->nothing_imported, "terminated: nothing imported");
    import_free(im);
    q_is("select count(*) from slow", "0", "terminated: no row committed");
    import_spec_free(&s);
    free(p);
}

static void test_sql(void)
{
    import_spec s;
    import_spec_init(&s);
    s.table = xstrdup("t\"x");
    s.schema = xstrdup("my schema");
    s.ncols = 2;
    s.cols = xcalloc(2, sizeof *s.cols);
    s.cols[0].name = xstrdup("a\"; drop table x; --");
    s.cols[0].type = xstrdup("int4");
    s.cols[1].name = xstrdup("b");
    s.cols[1].type = xstrdup("text); drop table x; --");
    char *sql = import_create_sql(&s);
    ok(sql == NULL, "an unknown type is refused, never pasted");
    free(sql);
    free(s.cols[1].type);
    s.cols[1].type = xstrdup("bigint");
    sql = import_create_sql(&s);
    is_str(sql,
           "CREATE TABLE \"my schema\".\"t\"\"x\" (\"a\"\"; drop table x; --\" int4, \"b\" int8)",
           "CREATE TABLE quotes every name");
    free(sql);
    s.null_str = xstrdup("it's \\N");
    const char *targets[] = {"a"};
    sql = import_copy_sql(&s, targets, 1);
    ok(sql && strstr(sql, "NULL  E'it''s \\\\N'"), "NULL string quoted as a literal: %s", sql);
    free(sql);
    import_spec_free(&s);
    char *qi = import_quote_ident("bad\xff");
    ok(qi == NULL, "invalid UTF-8 name refused");
}

int main(void)
{
    plan_no_plan();
    sandbox_opts o;
    sandbox_opts_defaults(&o);
    char *err = NULL;
    if (!sandbox_find_bindir())
        skip_all("no PostgreSQL server programs");
    sb = sandbox_start(&o, &err);
    if (!sb) {
        printf("Bail out! %s\n", err ? err : "sandbox");
        return 1;
    }
    if (!mkdtemp(dir)) {
        sandbox_stop(sb);
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    eng_conninfo *ci = eng_conninfo_new();
    eng_conninfo_set(ci, "dbname", sandbox_conninfo(sb));
    eng_pool_config cfg;
    eng_pool_config_defaults(&cfg);
    cfg.max_size = 5;
    eng = engine_start(ci, &cfg, &err);
    ok(eng && engine_wait_ready(eng, 10000, &err), "engine ready");

    test_sql();
    test_exact();
    test_errors();
    test_jobs();
    test_cancel_and_loss();

    engine_stop(eng);
    eng_conninfo_free(ci);
    sandbox_stop(sb);
    char *rm = xasprintf("rm -rf '%s'", dir);
    if (system(rm) != 0)
        diag("cannot remove %s", dir);
    free(rm);
    return done_testing();
}
