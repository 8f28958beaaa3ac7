/* sqlsplit.h — splits SQL scripts into statements at the same boundaries as
 * psql: a ';' ends a statement unless it is inside '...', E'...' (backslash
 * escapes), "...", $tag$...$tag$, a -- comment, a nested / * * / comment,
 * parentheses of a rule body (psql counts parentheses too), or the BEGIN ...
 * END body of a CREATE FUNCTION/PROCEDURE (BEGIN ATOMIC, as psql 15 does).
 * psql's backslash meta-commands are not SQL and not split: sql_meta_command
 * finds them, so that callers can refuse them. */
#ifndef PGDECK_SQLSPLIT_H
#define PGDECK_SQLSPLIT_H

#include "common/sqllex.h"

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

/* ------------------------------------------------------------------------
 * A script read as `psql -f` reads it (mainloop.c, psqlscan.l, PG 15), one
 * statement at a time, so that the server's standard_conforming_strings can
 * change how the rest is read. The text of each statement is psql's query
 * buffer, byte for byte: the ';' kept, leading blanks and -- comments
 * dropped (a leading block comment kept), empty lines outside quotes and
 * comments dropped, `\;` sent as ';' (psql's "send these together": the
 * parts go as one query). A text holding only block comments, or a lone ';',
 * is a statement too (psql sends it: the server answers "empty query"). */
typedef struct sql_script {
    const char *text;
    size_t len;
    sql_lexer lx;
    size_t line_pos; /* lines counted incrementally: line `line` holds line_pos */
    int line;
    bool std_next; /* the setting to apply at the next line start */
} sql_script;

typedef enum sql_script_kind {
    SQL_SCRIPT_STMT, /* *out holds the next statement */
    SQL_SCRIPT_META, /* a backslash meta-command at out->meta_at (out->end_line) */
    SQL_SCRIPT_END,  /* nothing left */
} sql_script_kind;

typedef struct sql_script_stmt {
    char *sql; /* the text psql sends, NUL-terminated (malloc'd) */
    size_t len;
    int *lines; /* lines[k]: the script's line of line k+1 of sql (malloc'd) */
    int nlines;
    int end_line;   /* where psql sends it: the line of the ';', else the last line;
                     * psql's "psql:FILE:N:" prefix */
    size_t meta_at; /* SQL_SCRIPT_META: the backslash */
    size_t end;     /* offset just past the statement in the script */
} sql_script_stmt;

void sql_script_init(sql_script *sc, const char *text, size_t len);
/* The server's standard_conforming_strings, read after each statement: it
 * holds from the next line on, as psql reads it at each new line. */
void sql_script_set_std_strings(sql_script *sc, bool on);
sql_script_kind sql_script_next(sql_script *sc, sql_script_stmt *out);
void sql_script_stmt_free(sql_script_stmt *st);
/* After statement st (a COPY ... FROM STDIN): the inline data psql reads,
 * the lines after the statement's line up to a line "\." (not part of the
 * data) or the end. The reader then goes on after it (the rest of the
 * statement's own line is read first, as psql does). *end_line: the line of
 * the "\." (or the last line). */
void sql_script_copy_data(sql_script *sc, const sql_script_stmt *st, size_t *start, size_t *len,
                          int *end_line);

/* COPY ... FROM STDIN (at the top level: not a word inside a query). */
bool sql_is_copy_from_stdin(const char *text, size_t len);

/* 1-based line number of byte offset `pos` in text. */
int sql_line_of(const char *text, size_t pos);

/* True when the statement text starts with one of the given keywords
 * (case-insensitive, comments and blanks skipped), e.g. "COPY". */
bool sql_starts_with(const char *text, size_t len, const char *keyword);

/* Number of $n parameters referenced (the highest n), 0 if none; quotes,
 * comments and dollar-quoted bodies are skipped. */
int sql_param_count(const char *text, size_t len);

#endif
