/* record_db.c — open a recording, its schema and migrations. See
 * record_db.h; the schema is documented in doc/record.md. */
#include "config.h"

#include "record/record_db.h"

#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Version 1: the tables of RECORD.md. NULL stands for an unknown number. */
static const char SCHEMA_V1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE server("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  target TEXT NOT NULL);"
    "CREATE TABLE snapshot("
    "  id INTEGER PRIMARY KEY,"
    "  server_id INTEGER NOT NULL REFERENCES server(id),"
    "  taken_at REAL NOT NULL,"
    "  interval_s REAL NOT NULL,"
    "  grain INTEGER NOT NULL DEFAULT 0,"
    "  up INTEGER NOT NULL,"
    "  error TEXT,"
    "  version_num INTEGER, standby INTEGER);"
    "CREATE INDEX snapshot_time ON snapshot(server_id, taken_at);"
    "CREATE TABLE query_text("
    "  server_id INTEGER NOT NULL, dbid INTEGER NOT NULL, userid INTEGER NOT NULL,"
    "  queryid INTEGER NOT NULL, database TEXT, role TEXT, query TEXT NOT NULL,"
    "  PRIMARY KEY(server_id, dbid, userid, queryid)) WITHOUT ROWID;"
    "CREATE TABLE stmt("
    "  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,"
    "  dbid INTEGER NOT NULL, userid INTEGER NOT NULL, queryid INTEGER NOT NULL,"
    "  toplevel INTEGER NOT NULL,"
    "  calls REAL, total_ms REAL, rows REAL, shared_blks_hit REAL, shared_blks_read REAL,"
    "  shared_blks_dirtied REAL, shared_blks_written REAL, local_blks_hit REAL,"
    "  local_blks_read REAL, local_blks_dirtied REAL, local_blks_written REAL,"
    "  temp_blks_read REAL, temp_blks_written REAL, blk_read_ms REAL, blk_write_ms REAL,"
    "  plans REAL, plan_ms REAL, wal_records REAL, wal_bytes REAL,"
    "  max_ms REAL,"
    "  PRIMARY KEY(snapshot_id, dbid, userid, queryid, toplevel)) WITHOUT ROWID;"
    "CREATE TABLE backend("
    "  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,"
    "  pid INTEGER NOT NULL, database TEXT, role TEXT, application TEXT, client TEXT,"
    "  state TEXT, wait_type TEXT, wait_event TEXT, backend_type TEXT, query TEXT,"
    "  backend_start TEXT, xact_s REAL, query_s REAL, state_s REAL,"
    "  blocked_by TEXT,"
    "  nblocking INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(snapshot_id, pid)) WITHOUT ROWID;"
    "CREATE TABLE dbstat("
    "  snapshot_id INTEGER PRIMARY KEY REFERENCES snapshot(id) ON DELETE CASCADE,"
    "  xacts REAL, blks_hit REAL, blks_read REAL, temp_files REAL, temp_bytes REAL,"
    "  tps REAL, hit_ratio REAL, temp_files_s REAL, temp_bytes_s REAL,"
    "  connections REAL, max_connections REAL);"
    "CREATE TABLE view_row("
    "  snapshot_id INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,"
    "  view TEXT NOT NULL,"
    "  ord INTEGER NOT NULL,"
    "  data TEXT NOT NULL,"
    "  PRIMARY KEY(snapshot_id, view, ord)) WITHOUT ROWID;"
    "CREATE TABLE fleet("
    "  snapshot_id INTEGER PRIMARY KEY REFERENCES snapshot(id) ON DELETE CASCADE,"
    "  version TEXT, connections REAL, max_conn REAL, tps REAL, longest_xact REAL,"
    "  blocked REAL, lag_s REAL, lag_bytes REAL, standbys REAL);";

/* The migration steps, in order: steps[i] takes a file from version i to
 * i + 1. A new schema version appends its step (ALTER TABLE ..., never a
 * change to an earlier step: files written by earlier pgdecks replay the
 * steps they lack). */
static const char *const steps[] = {
    SCHEMA_V1, /* v0 -> v1: the tables */
};
_Static_assert(sizeof steps / sizeof *steps == REC_SCHEMA_VERSION,
               "one migration step per schema version");

rec_status rec_db_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return REC_OK;
    case SQLITE_FULL:
    case SQLITE_IOERR:
        return REC_DISK_FULL;
    default:
        return REC_FAILED;
    }
}

bool rec_db_exec(sqlite3 *db, const char *sql, int *rc, char **err)
{
    char *msg = NULL;
    int r = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc)
        *rc = r;
    if (r == SQLITE_OK)
        return true;
    if (err)
        *err = xstrdup(msg ? msg : sqlite3_errstr(r));
    sqlite3_free(msg);
    return false;
}

/* -1: no meta table; -2: meta without a usable schema_version. */
static int read_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'meta'",
                           -1, &st, NULL) != SQLITE_OK)
        return -3;
    int has_meta = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (has_meta < 0)
        return -3;
    if (has_meta == 0)
        return -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                           NULL) != SQLITE_OK)
        return -2;
    int v = -2;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        char *end = NULL;
        long n = s ? strtol(s, &end, 10) : -1;
        if (s && end != s && *end == '\0' && n >= 0 && n < 1000000)
            v = (int)n;
    }
    sqlite3_finalize(st);
    return v;
}

/* The file has no table at all: a new recording (version 0). */
static int table_count(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

int rec_db_schema_version(sqlite3 *db)
{
    int v = read_version(db);
    if (v >= 0)
        return v;
    return v == -1 && table_count(db) == 0 ? 0 : -1;
}

/* A full disk or an I/O error said as such (NULL for any other error):
 * the file may be new, so it is no verdict on what the file is. */
static char *io_error(const char *path, sqlite3 *db)
{
    int sys = sqlite3_system_errno(db);
    switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_IOERR:
        if (sys == 0) /* SQLite kept no errno for it */
            return xasprintf("cannot use %s: %s", path, sqlite3_errmsg(db));
        if (sys != ENOSPC && sys != EFBIG && sys != EDQUOT)
            return xasprintf("cannot use %s: %s (%s)", path, sqlite3_errmsg(db), strerror(sys));
        /* fall through */
    case SQLITE_FULL:
        return xasprintf("cannot write %s: disk full", path);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return xasprintf("cannot use %s: %s", path, sqlite3_errmsg(db));
    default:
        return NULL;
    }
}

/* Only SQLite's own "not a database" means a foreign file. */
static char *not_sqlite(const char *path, sqlite3 *db)
{
    char *io = io_error(path, db);
    return io ? io
              : xasprintf("%s is not a pgdeck recording (not an SQLite database: %s)", path,
                          sqlite3_errmsg(db));
}

/* Checks the version; at an older one (writable, migrate) runs the missing
 * steps in one IMMEDIATE transaction, reading the version again inside it
 * so two recorders creating the same file do not both run them. Without
 * migrate it only refuses (before anything is changed in the file). */
static bool check_and_migrate(sqlite3 *db, const char *path, bool writable, bool migrate,
                              char **err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int v = read_version(db);
        if (v == -3) {
            *err = not_sqlite(path, db);
            return false;
        }
        if (v == -1 && table_count(db) != 0) {
            *err = xasprintf("%s is not a pgdeck recording (an SQLite database without "
                             "pgdeck's meta table)",
                             path);
            return false;
        }
        if (v == -2) {
            *err = xasprintf("%s is not a pgdeck recording (its meta table has no "
                             "schema_version)",
                             path);
            return false;
        }
        if (v == -1)
            v = 0;
        if (v > REC_SCHEMA_VERSION) {
            *err = xasprintf("%s was written by a newer pgdeck (schema %d; this pgdeck reads "
                             "up to %d)",
                             path, v, REC_SCHEMA_VERSION);
            return false;
        }
        if (v == REC_SCHEMA_VERSION)
            return true;
        if (!writable) {
            *err = v == 0 ? xasprintf("%s is not a pgdeck recording (empty)", path)
                          : xasprintf("%s has schema %d: open it with pgdeck record once to "
                                      "upgrade it to %d",
                                      path, v, REC_SCHEMA_VERSION);
            return false;
        }
        if (!migrate)
            return true;
        if (attempt == 1)
            break;
        char *why = NULL;
        int rc = 0;
        if (!rec_db_exec(db, "BEGIN IMMEDIATE", &rc, &why)) {
            *err = xasprintf("%s: %s", path, why);
            free(why);
            return false;
        }
        int now_v = rec_db_schema_version(db);
        bool ok = now_v >= 0;
        for (int s = now_v; ok && s < REC_SCHEMA_VERSION; s++)
            ok = rec_db_exec(db, steps[s], &rc, &why);
        if (ok && now_v >= 0 && now_v < REC_SCHEMA_VERSION) {
            char *sql = xasprintf(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '%d');"
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('created_by', 'pgdeck %s');"
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('created_at', '%lld');",
                REC_SCHEMA_VERSION, PACKAGE_VERSION, (long long)time(NULL));
            ok = rec_db_exec(db, sql, &rc, &why);
            free(sql);
        }
        if (!ok || !rec_db_exec(db, "COMMIT", &rc, &why)) {
            *err = io_error(path, db);
            if (!*err)
                *err = xasprintf("%s: cannot create the recording's tables: %s", path,
                                 why ? why : "unreadable");
            free(why);
            rec_db_exec(db, "ROLLBACK", NULL, NULL);
            return false;
        }
    }
    return read_version(db) == REC_SCHEMA_VERSION;
}

sqlite3 *rec_db_open(const char *path, bool writable, char **err)
{
    *err = NULL;
    struct stat sb;
    if (!writable && stat(path, &sb) != 0) {
        *err = xasprintf("%s: %s", path, strerror(errno));
        return NULL;
    }
    sqlite3 *db = NULL;
    int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        *err = xasprintf("%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_extended_result_codes(db, 1);
    /* the recorder and a reader (report, --replay) share the file */
    sqlite3_busy_timeout(db, 5000);
    /* a file that is not SQLite fails its first read, whatever it is */
    if (table_count(db) < 0) {
        *err = not_sqlite(path, db);
        sqlite3_close(db);
        return NULL;
    }
    /* refuse a foreign or newer file before a pragma changes it */
    if (!check_and_migrate(db, path, writable, false, err)) {
        sqlite3_close(db);
        return NULL;
    }
    if (writable) {
        sqlite3_stmt *st = NULL;
        bool wal = false;
        if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            const char *m = (const char *)sqlite3_column_text(st, 0);
            wal = m && strcmp(m, "wal") == 0;
        }
        sqlite3_finalize(st);
        char *why = NULL;
        if (!wal) {
            *err = io_error(path, db);
            if (!*err)
                *err =
                    xasprintf("%s: cannot use write-ahead logging: %s", path, sqlite3_errmsg(db));
            sqlite3_close(db);
            return NULL;
        }
        if (!rec_db_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", NULL, &why)) {
            *err = xasprintf("%s: %s", path, why);
            free(why);
            sqlite3_close(db);
            return NULL;
        }
    }
    if (writable && !check_and_migrate(db, path, writable, true, err)) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}
