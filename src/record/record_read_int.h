/* record_read_int.h — the reader's SQLite side, for the other readers of a
 * recording in src/record (record_report.c). Includes sqlite3.h: never
 * outside src/record. */
#ifndef PGDECK_RECORD_READ_INT_H
#define PGDECK_RECORD_READ_INT_H

#include "record/record_read.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

sqlite3 *rec_reader_db(rec_reader *r);
const char *rec_reader_path(const rec_reader *r);
/* server index -> server.id; false when out of range */
bool rec_reader_server_id(rec_reader *r, size_t server, int64_t *id);
/* "FILE: cannot read WHAT: sqlite's message", malloc'd */
char *rec_read_error(rec_reader *r, const char *what);

/* A column as a number (NAN for NULL), a malloc'd string (NULL for NULL),
 * or a malloc'd string ("" for NULL). */
double rec_col_num(sqlite3_stmt *st, int col);
char *rec_col_str(sqlite3_stmt *st, int col);
char *rec_col_str0(sqlite3_stmt *st, int col);

#endif
