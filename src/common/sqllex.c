/* sqllex.c — SQL token scanner modelled on PostgreSQL's scan.l (PG 15):
 * with standard_conforming_strings on (the default) only E'' strings know
 * backslashes; the caller may say it is off (sqllex.h). */
#include "common/sqllex.h"

#include <string.h>

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Characters that may form an operator (scan.l's op_chars). */
static bool is_op_char(unsigned char c)
{
    return c && strchr("~!@#^&|`?+-*/%<>=", c) != NULL;
}

void sql_lex_init(sql_lexer *lx, const char *text, size_t len)
{
    lx->s = text;
    lx->len = len;
    lx->pos = 0;
    lx->std_strings = lx->std_strings_from = true;
    lx->std_from = (size_t)-1;
    lx->skip_at = lx->skip_to = 0;
}

bool sql_tok_is(const char *text, const sql_token *tok, const char *word)
{
    size_t n = tok->end - tok->start;
    if (tok->kind != SQL_TOK_WORD || strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[tok->start + i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)word[i])
            return false;
    }
    return true;
}

size_t sql_skip_block_comment(const char *s, size_t len, size_t p, bool *unterminated)
{
    int depth = 0;
    while (p < len) {
        if (s[p] == '/' && p + 1 < len && s[p + 1] == '*') {
            depth++;
            p += 2;
        } else if (s[p] == '*' && p + 1 < len && s[p + 1] == '/') {
            p += 2;
            if (--depth == 0)
                return p;
        } else {
            p++;
        }
    }
    *unterminated = true;
    return len;
}

static size_t skip_line_comment(const char *s, size_t len, size_t p)
{
    while (p < len && s[p] != '\n' && s[p] != '\r')
        p++;
    return p;
}

/* After a closing quote at p: PostgreSQL joins 'a'<newline>'b' into one
 * string when only blanks and -- comments, including a newline, separate
 * them. Returns the position of the next opening quote, or 0. */
static size_t string_continues(const char *s, size_t len, size_t p)
{
    bool newline = false;
    while (p < len) {
        if (s[p] == '\n' || s[p] == '\r') {
            newline = true;
            p++;
        } else if (is_space((unsigned char)s[p])) {
            p++;
        } else if (s[p] == '-' && p + 1 < len && s[p + 1] == '-') {
            p = skip_line_comment(s, len, p);
        } else {
            break;
        }
    }
    return (newline && p < len && s[p] == '\'') ? p : 0;
}

/* Scans a quoted body whose opening quote is at p; backslash escapes count
 * when `backslash`. Returns the position after the closing quote. */
static size_t scan_quoted(const char *s, size_t len, size_t p, char quote, bool backslash,
                          bool *unterminated)
{
    for (;;) {
        p++; /* past the opening quote */
        while (p < len) {
            if (backslash && s[p] == '\\') {
                p += 2;
                continue;
            }
            if (s[p] == quote) {
                if (p + 1 < len && s[p + 1] == quote) {
                    p += 2; /* doubled quote */
                    continue;
                }
                break;
            }
            p++;
        }
        if (p >= len) {
            *unterminated = true;
            return len;
        }
        p++; /* past the closing quote */
        if (quote != '\'')
            return p;
        size_t next = string_continues(s, len, p);
        if (!next)
            return p;
        p = next;
    }
}

/* A dollar-quote delimiter ($$ or $tag$) at p: its length, or 0. */
static size_t dollar_delim(const char *s, size_t len, size_t p)
{
    size_t q = p + 1;
    if (q < len && s[q] != '$') {
        if (!sql_ident_start((unsigned char)s[q]))
            return 0;
        while (q < len && sql_ident_cont((unsigned char)s[q]) && s[q] != '$')
            q++;
    }
    if (q >= len || s[q] != '$')
        return 0;
    return q + 1 - p;
}

static size_t scan_dollar_body(const char *s, size_t len, size_t p, size_t dlen, bool *unterminated)
{
    const char *tag = s + p;
    size_t q = p + dlen;
    while (q < len) {
        const char *d = memchr(s + q, '$', len - q);
        if (!d)
            break;
        q = (size_t)(d - s);
        if (len - q >= dlen && memcmp(s + q, tag, dlen) == 0)
            return q + dlen;
        q++;
    }
    *unterminated = true;
    return len;
}

static size_t scan_number(const char *s, size_t len, size_t p)
{
    while (p < len && is_digit((unsigned char)s[p]))
        p++;
    /* "1..2" is an integer followed by "..", as in scan.l */
    if (p < len && s[p] == '.' && !(p + 1 < len && s[p + 1] == '.')) {
        p++;
        while (p < len && is_digit((unsigned char)s[p]))
            p++;
    }
    if (p < len && (s[p] == 'e' || s[p] == 'E')) {
        size_t q = p + 1;
        if (q < len && (s[q] == '+' || s[q] == '-'))
            q++;
        if (q < len && is_digit((unsigned char)s[q])) {
            while (q < len && is_digit((unsigned char)s[q]))
                q++;
            p = q;
        }
    }
    return p;
}

/* An operator as scan.l cuts it: stops before a comment start, and drops a
 * trailing + or - unless the operator holds one of ~!@#^&|`?% (so that
 * "a<-1" is "<" then "-1"). */
static size_t scan_operator(const char *s, size_t len, size_t p)
{
    size_t q = p;
    while (q < len && is_op_char((unsigned char)s[q])) {
        if (q > p && ((s[q] == '*' && s[q - 1] == '/') || (s[q] == '-' && s[q - 1] == '-'))) {
            q--;
            break;
        }
        q++;
    }
    size_t n = q - p;
    if (n > 1 && (s[q - 1] == '+' || s[q - 1] == '-')) {
        bool special = false;
        for (size_t i = p; i < q; i++)
            if (strchr("~!@#^&|`?%", s[i]))
                special = true;
        if (!special) {
            while (n > 1 && (s[p + n - 1] == '+' || s[p + n - 1] == '-'))
                n--;
        }
    }
    return p + n;
}

void sql_lex_next(sql_lexer *lx, sql_token *tok)
{
    const char *s = lx->s;
    size_t len = lx->len;
    size_t p = lx->pos;

    memset(tok, 0, sizeof *tok);
    tok->gap_start = p;
    tok->lead = (size_t)-1;
    /* Blanks and comments. */
    while (p < len) {
        if (p == lx->skip_at && lx->skip_to > p) {
            p = lx->skip_to;
            continue;
        }
        unsigned char c = (unsigned char)s[p];
        if (is_space(c)) {
            p++;
        } else if (c == '-' && p + 1 < len && s[p + 1] == '-') {
            p = skip_line_comment(s, len, p);
        } else if (c == '/' && p + 1 < len && s[p + 1] == '*') {
            if (tok->lead == (size_t)-1)
                tok->lead = p;
            p = sql_skip_block_comment(s, len, p, &tok->unterminated);
        } else {
            break;
        }
    }
    tok->gap = p > tok->gap_start;
    tok->start = p;
    if (tok->lead == (size_t)-1)
        tok->lead = p;
    if (p >= len) {
        tok->kind = SQL_TOK_EOF;
        tok->start = tok->end = lx->pos = len;
        return;
    }

    unsigned char c = (unsigned char)s[p];
    unsigned char c1 = p + 1 < len ? (unsigned char)s[p + 1] : 0;
    unsigned char c2 = p + 2 < len ? (unsigned char)s[p + 2] : 0;
    size_t q;
    if (c == '\'') {
        bool std = p >= lx->std_from ? lx->std_strings_from : lx->std_strings;
        tok->kind = SQL_TOK_STRING;
        q = scan_quoted(s, len, p, '\'', !std, &tok->unterminated);
    } else if ((c == 'e' || c == 'E') && c1 == '\'') {
        tok->kind = SQL_TOK_STRING;
        q = scan_quoted(s, len, p + 1, '\'', true, &tok->unterminated);
    } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && c1 == '\'') {
        tok->kind = SQL_TOK_STRING;
        q = scan_quoted(s, len, p + 1, '\'', false, &tok->unterminated);
    } else if ((c == 'u' || c == 'U') && c1 == '&' && (c2 == '\'' || c2 == '"')) {
        tok->kind = c2 == '\'' ? SQL_TOK_STRING : SQL_TOK_QIDENT;
        q = scan_quoted(s, len, p + 2, (char)c2, false, &tok->unterminated);
    } else if (c == '"') {
        tok->kind = SQL_TOK_QIDENT;
        q = scan_quoted(s, len, p, '"', false, &tok->unterminated);
    } else if (sql_ident_start(c)) {
        tok->kind = SQL_TOK_WORD;
        q = p + 1;
        while (q < len && sql_ident_cont((unsigned char)s[q]))
            q++;
    } else if (is_digit(c) || (c == '.' && is_digit(c1))) {
        tok->kind = SQL_TOK_NUMBER;
        q = scan_number(s, len, p);
    } else if (c == '$') {
        if (is_digit(c1)) {
            tok->kind = SQL_TOK_PARAM;
            q = p + 1;
            while (q < len && is_digit((unsigned char)s[q]))
                q++;
        } else {
            size_t dlen = dollar_delim(s, len, p);
            if (dlen) {
                tok->kind = SQL_TOK_STRING;
                q = scan_dollar_body(s, len, p, dlen, &tok->unterminated);
            } else {
                tok->kind = SQL_TOK_OP;
                q = p + 1;
            }
        }
    } else if (c == ':' && c1 == ':') {
        tok->kind = SQL_TOK_OP;
        q = p + 2;
    } else if (is_op_char(c)) {
        tok->kind = SQL_TOK_OP;
        q = scan_operator(s, len, p);
    } else {
        tok->kind = SQL_TOK_OP; /* ( ) [ ] , ; : . and stray bytes */
        q = p + 1;
    }
    tok->end = q;
    lx->pos = q;
}
