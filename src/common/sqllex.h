/* sqllex.h — a token scanner for SQL text that follows PostgreSQL's own
 * lexer (scan.l / psqlscan.l) closely enough to find statement boundaries
 * and constants: quotes, E'' escapes, dollar quoting, nested comments,
 * operators. Internal to src/common (used by sqlsplit.c, fingerprint.c). */
#ifndef PGDECK_SQLLEX_H
#define PGDECK_SQLLEX_H

#include <stdbool.h>
#include <stddef.h>

typedef enum sql_tok_kind {
    SQL_TOK_EOF,
    SQL_TOK_WORD,   /* unquoted identifier or keyword */
    SQL_TOK_QIDENT, /* "..." or U&"..." */
    SQL_TOK_STRING, /* '...', E'...', B'...', X'...', U&'...', $tag$...$tag$ */
    SQL_TOK_NUMBER, /* 42, 4.2, .5, 1e-3 */
    SQL_TOK_PARAM,  /* $1 */
    SQL_TOK_OP,     /* an operator or one punctuation character: ( ) [ ] , ; : :: . */
} sql_tok_kind;

typedef struct sql_token {
    sql_tok_kind kind;
    size_t start, end; /* the token's bytes; for EOF both are the text length */
    size_t gap_start;  /* where the blanks and comments before it began */
    size_t lead;       /* the first / * comment in that gap, else start */
    bool gap;          /* blanks or comments precede it */
    bool unterminated; /* a quote or comment ran to the end of the text */
} sql_token;

typedef struct sql_lexer {
    const char *s;
    size_t len, pos;
    /* standard_conforming_strings: with it off, '...' knows backslash
     * escapes as E'...' does. `std_strings` holds for strings opening before
     * byte `std_from`, `std_strings_from` for those at or after it (psql
     * reads the server's setting anew at each line). Default: on. */
    bool std_strings, std_strings_from;
    size_t std_from;
    /* Bytes [skip_at, skip_to) are not SQL (a COPY's inline data): blanks
     * reaching skip_at jump to skip_to. skip_at == skip_to: none. */
    size_t skip_at, skip_to;
} sql_lexer;

void sql_lex_init(sql_lexer *lx, const char *text, size_t len);
/* Skips a nested block comment starting at p (at its slash-star); returns
 * the position after it, or len with *unterminated set. */
size_t sql_skip_block_comment(const char *s, size_t len, size_t p, bool *unterminated);
/* Scans the next token, skipping blanks and comments. */
void sql_lex_next(sql_lexer *lx, sql_token *tok);

/* Character classes of PostgreSQL's scanner. */
static inline bool sql_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static inline bool sql_ident_cont(unsigned char c)
{
    return sql_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* Case-insensitive comparison of a token's bytes with a lower-case word. */
bool sql_tok_is(const char *text, const sql_token *tok, const char *word);

#endif
