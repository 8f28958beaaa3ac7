/* record_db.h — the recording file's SQLite side, shared by the writer
 * (record branch) and the reader (record_read.c): opening with the pragmas,
 * the schema and its migration, the refusal of newer and foreign files.
 * Only src/record includes this (and so sqlite3.h). */
#ifndef PGDECK_RECORD_DB_H
#define PGDECK_RECORD_DB_H

#include "record/record.h"

#include <sqlite3.h>
#include <stdbool.h>

/* Opens path. writable: creates the file if needed, sets WAL, synchronous
 * NORMAL and foreign keys, and runs the missing migration steps in one
 * transaction. Read-only: the file must exist at REC_SCHEMA_VERSION (an
 * older file is upgraded by opening it for writing). NULL with *err
 * (malloc'd, names the file) when it is not SQLite, is SQLite without
 * pgdeck's meta table, or was written by a newer pgdeck. */
sqlite3 *rec_db_open(const char *path, bool writable, char **err);
/* The schema version the file holds (0: none yet), -1 if unreadable. */
int rec_db_schema_version(sqlite3 *db);

/* A SQLite result code as a rec_status: SQLITE_FULL and the I/O errors of
 * a write are REC_DISK_FULL (ENOSPC shows as SQLITE_FULL or SQLITE_IOERR_WRITE,
 * a file size limit as SQLITE_IOERR_*). */
rec_status rec_db_status(int rc);
/* Runs sql (no result rows); false with *err = "what: sqlite's message". */
bool rec_db_exec(sqlite3 *db, const char *sql, int *rc, char **err);

/* The writer's connection (thinning, tests). */
sqlite3 *rec_writer_db(rec_writer *w);

/* Bytes the recording uses: its pages in use (not the free list that
 * deleted rows leave for reuse) and the WAL file. */
int64_t rec_db_used_bytes(sqlite3 *db, const char *path);

#endif
