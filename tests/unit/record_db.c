/* record_db.c — opening a recording (no server): a new file gets schema 1
 * in WAL mode, a second open keeps it, and the files a user may hand the
 * recorder by mistake are refused with a message that says what they are. */
#include "config.h"

#include "record/record_db.h"
#include "common/xalloc.h"
#include "tests/lib/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pgdeck-record-db-XXXXXX";

static char *path_of(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static char *scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
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

int main(void)
{
    plan_no_plan();
    if (!mkdtemp(dir))
        skip_all("mkdtemp");

    char *err = NULL;
    char *p = xstrdup(path_of("new.pgrec"));
    sqlite3 *db = rec_db_open(p, true, &err);
    ok(db != NULL, "a new file opens for writing");
    is_int(rec_db_schema_version(db), REC_SCHEMA_VERSION, "it gets schema version 1");
    char *v = scalar(db, "PRAGMA journal_mode");
    is_str(v, "wal", "in WAL mode");
    free(v);
    v = scalar(db, "PRAGMA foreign_keys");
    is_str(v, "1", "with foreign keys");
    free(v);
    v = scalar(db, "PRAGMA synchronous");
    is_str(v, "1", "synchronous NORMAL");
    free(v);
    v = scalar(db, "SELECT value FROM meta WHERE key = 'created_by'");
    ok(v && strncmp(v, "pgdeck ", 7) == 0, "created_by names pgdeck (%s)", v ? v : "null");
    free(v);
    v = scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    is_str(v, "9", "the nine tables of the schema");
    free(v);
    sqlite3_close(db);

    db = rec_db_open(p, true, &err);
    ok(db != NULL, "the same file opens again for writing");
    v = db ? scalar(db, "SELECT count(*) FROM meta WHERE key = 'schema_version'") : NULL;
    is_str(v, "1", "no second schema_version row");
    free(v);
    sqlite3_close(db);
    db = rec_db_open(p, false, &err);
    ok(db != NULL, "and read only");
    sqlite3_close(db);

    /* a file from a newer pgdeck */
    raw_sql(p, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    db = rec_db_open(p, true, &err);
    ok(db == NULL, "schema 99 is refused for writing");
    char *want =
        xasprintf("%s was written by a newer pgdeck (schema 99; this pgdeck reads up to 1)", p);
    is_str(err, want, "with the message of the contract");
    free(err);
    db = rec_db_open(p, false, &err);
    ok(db == NULL && contains(err, "newer pgdeck (schema 99"), "and for reading");
    free(err);
    free(want);

    /* not SQLite at all */
    char *q = xstrdup(path_of("notes.txt"));
    write_file(q, "these are my notes, not a recording, and they are long enough to be a page "
                  "header of something else entirely................................\n");
    db = rec_db_open(q, true, &err);
    ok(db == NULL, "a text file is refused");
    ok(contains(err, "is not a pgdeck recording (not an SQLite database"), "saying so: %s",
       err ? err : "null");
    free(err);
    FILE *f = fopen(q, "r");
    char head[16] = {0};
    ok(f && fread(head, 1, 15, f) == 15 && strncmp(head, "these are my no", 15) == 0,
       "and left as it was");
    if (f)
        fclose(f);

    /* SQLite, but someone else's */
    char *o = xstrdup(path_of("other.db"));
    raw_sql(o, "CREATE TABLE customers(id int)");
    db = rec_db_open(o, true, &err);
    ok(db == NULL && contains(err, "without pgdeck's meta table"), "another SQLite file: %s",
       err ? err : "null");
    free(err);
    raw_sql(o, "CREATE TABLE meta(key TEXT, value TEXT)");
    db = rec_db_open(o, false, &err);
    ok(db == NULL && contains(err, "no schema_version"), "a meta table without the version: %s",
       err ? err : "null");
    free(err);

    db = rec_db_open(path_of("missing.pgrec"), false, &err);
    ok(db == NULL && contains(err, "No such file"), "reading a missing file: %s",
       err ? err : "null");
    free(err);

    char *cmd = xasprintf("rm -rf %s", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    free(cmd);
    free(p);
    free(q);
    free(o);
    return done_testing();
}
