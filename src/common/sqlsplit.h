/* sqlsplit.h — splits SQL scripts into statements at the same boundaries as
 * psql: a ';' ends a statement unless it is inside '...', E'...' (backslash
 * escapes), "...", $tag$...$tag$, a -- comment, a nested / * * / comment,
 * parentheses of a rule body (psql counts parentheses too), or the BEGIN ...
 * END body of a CREATE FUNCTION/PROCEDURE (BEGIN ATOMIC, as psql 15 does).
 * psql's backslash meta-commands are not SQL and not split: sql_meta_command
 * finds them, so that callers can refuse them. */
#ifndef PGDECK_SQLSPLIT_H
#define PGDECK_SQLSPLIT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sql_stmt {
    size_t start; /* byte offset of the statement's first non-blank character
                   * (leading -- comments skipped, a leading block comment
                   * kept, as psql sends it: optimizer hints live there) */
    size_t end;   /* one past its last character, the ';' and trailing blanks
                   * excluded */
    int line;     /* 1-based line of `start` in the script */
} sql_stmt;

/* Splits text[0..len). Statements holding only blanks and comments are
 * dropped. When the text ends inside a quote or comment, the tail is still
 * returned as a statement and *unterminated (may be NULL) is set. Returns the
 * count; *out is malloc'd (NULL when 0). */
size_t sql_split(const char *text, size_t len, sql_stmt **out, bool *unterminated);

/* The statement containing byte offset `pos` (the editor's "statement under
 * the cursor"): its index in stmts, or -1 before the first one. A cursor just
 * after a ';', or on blank lines after it, belongs to the statement before. */
int sql_stmt_at(const sql_stmt *stmts, size_t n, size_t pos);

/* Where psql would see a backslash meta-command (\set, \i, \copy, \gexec...):
 * the offset of the first backslash outside quotes and comments, or -1. */
long sql_meta_command(const char *text, size_t len);

/* 1-based line number of byte offset `pos` in text. */
int sql_line_of(const char *text, size_t pos);

/* True when the statement text starts with one of the given keywords
 * (case-insensitive, comments and blanks skipped), e.g. "COPY". */
bool sql_starts_with(const char *text, size_t len, const char *keyword);

/* Number of $n parameters referenced (the highest n), 0 if none; quotes,
 * comments and dollar-quoted bodies are skipped. */
int sql_param_count(const char *text, size_t len);

#endif
