/* sqlerror.h — a server error or notice printed the way psql prints it,
 * on stderr, with every secret masked (redact.h):
 *
 *   pgdeck run: script.sql:7: ERROR:  42P01: relation "nosuch" does not exist
 *   LINE 7:        nosuch;
 *                  ^
 *   DETAIL:  ...   HINT:  ...   CONTEXT:  ...
 *
 * The LINE excerpt and caret follow libpq's reportErrorPosition (60-column
 * window, "..." where cut, wide characters counted by display width); its
 * line number is the statement's own line in its file, not in the
 * statement. stdout is flushed first so both streams stay in order. */
#ifndef PGDECK_SQLERROR_H
#define PGDECK_SQLERROR_H

#include "engine/engine.h"

/* Where a statement came from. */
typedef struct sql_origin {
    const char *sql;    /* the text as sent to the server */
    const char *source; /* file name, "<stdin>", or NULL for -c text */
    int line;           /* 1-based line of the statement's start in source */
    const int *lines;   /* may be NULL: lines[k] is the source line of line k+1 of sql
                         * (psql drops empty lines, so they need not follow on) */
    int nlines;
    int end_line; /* > 0: the "FILE:N:" line, psql's: where the statement ends */
} sql_origin;

/* printf to stderr: stdout flushed first, secrets masked. */
void cli_eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The source line holding the error position (the first line without one). */
int sqlerror_line(const sql_origin *o, const eng_error *err);
/* "PROG: [FILE:LINE: ]SEVERITY:  SQLSTATE: message", LINE and caret, DETAIL,
 * HINT, CONTEXT. o may be NULL (an error of no particular statement). */
void sqlerror_print(const char *prog, const sql_origin *o, const eng_error *err);
/* "NOTICE:  message" (or WARNING...), DETAIL, HINT. NULL is fine. */
void sqlerror_print_notice(const eng_error *n);
/* A notice of statement o, as psql -f prints it: "PROG: FILE:N: " first
 * (o->source set), and LINE and caret when it has a position. */
void sqlerror_print_notice_at(const char *prog, const sql_origin *o, const eng_error *n);

#endif
