/* sqlsplit.c — statement boundaries as psql draws them (psqlscan.l, PG 15):
 * a ';' ends a statement only outside parentheses and outside the
 * BEGIN ... END body of a CREATE [OR REPLACE] FUNCTION|PROCEDURE (SQL-standard
 * bodies, BEGIN ATOMIC). psql spots those with a heuristic on the first
 * words of the statement and counts BEGIN/CASE/END at parenthesis depth 0;
 * this file repeats that heuristic word for word so both agree. */
#include "common/sqlsplit.h"

#include "common/sqllex.h"
#include "common/xalloc.h"

#include <string.h>

/* psql's tracking of "CREATE [OR REPLACE] FUNCTION|PROCEDURE" bodies. */
typedef struct body_tracker {
    int nwords;       /* words seen in this statement */
    char initials[4]; /* first letter of create/or/replace/function/procedure among the first 4 */
    int begin_depth;
} body_tracker;

static void body_word(body_tracker *bt, const char *text, const sql_token *tok, int paren_depth)
{
    if (bt->nwords == 0)
        memset(bt->initials, 0, sizeof bt->initials);
    if (sql_tok_is(text, tok, "create") || sql_tok_is(text, tok, "function") ||
        sql_tok_is(text, tok, "procedure") || sql_tok_is(text, tok, "or") ||
        sql_tok_is(text, tok, "replace")) {
        if (bt->nwords < (int)sizeof bt->initials) {
            char c = text[tok->start];
            bt->initials[bt->nwords] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    }
    bt->nwords++;
    const char *w = bt->initials;
    bool is_routine = w[0] == 'c' && (w[1] == 'f' || w[1] == 'p' ||
                                      (w[1] == 'o' && w[2] == 'r' && (w[3] == 'f' || w[3] == 'p')));
    if (!is_routine || paren_depth != 0)
        return;
    if (sql_tok_is(text, tok, "begin")) {
        bt->begin_depth++;
    } else if (sql_tok_is(text, tok, "case")) {
        if (bt->begin_depth >= 1) /* CASE ends with END too */
            bt->begin_depth++;
    } else if (sql_tok_is(text, tok, "end")) {
        if (bt->begin_depth > 0)
            bt->begin_depth--;
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t sql_split(const char *text, size_t len, sql_stmt **out, bool *unterminated)
{
    sql_stmt *stmts = NULL;
    size_t n = 0, cap = 0;
    bool open = false;   /* a statement has begun (a token was seen) */
    size_t start = 0;    /* of the current statement */
    size_t last_end = 0; /* end of its last token */
    int paren_depth = 0;
    body_tracker bt = {0};
    size_t line_pos = 0; /* lines are counted incrementally from here */
    int line = 1;
    bool unterm = false;

    sql_lexer lx;
    sql_lex_init(&lx, text, len);
    for (;;) {
        sql_token tok;
        sql_lex_next(&lx, &tok);
        if (tok.unterminated) {
            unterm = true;
            if (tok.kind == SQL_TOK_EOF && !open) {
                /* the tail is an open comment: still the user's text */
                open = true;
                start = tok.lead;
                last_end = len;
            }
        }
        bool semi = tok.kind == SQL_TOK_OP && tok.end - tok.start == 1 && text[tok.start] == ';';
        bool ends = tok.kind == SQL_TOK_EOF || (semi && paren_depth == 0 && bt.begin_depth == 0);
        if (!ends) {
            if (!open) {
                open = true;
                /* psql drops leading blanks and -- comments but keeps a leading
                 * block comment (optimizer hints live there). */
                start = tok.lead;
            }
            last_end = tok.end;
            if (tok.kind == SQL_TOK_OP && tok.end - tok.start == 1) {
                if (text[tok.start] == '(')
                    paren_depth++;
                else if (text[tok.start] == ')' && paren_depth > 0)
                    paren_depth--;
            } else if (tok.kind == SQL_TOK_WORD) {
                body_word(&bt, text, &tok, paren_depth);
            }
            continue;
        }
        if (open) {
            size_t end = tok.kind == SQL_TOK_EOF ? len : tok.start;
            /* The text up to the ';' without trailing blanks; a trailing
             * comment stays (it cannot hurt the server). */
            if (end < last_end)
                end = last_end;
            while (end > last_end && is_blank(text[end - 1]))
                end--;
            for (; line_pos < start; line_pos++)
                if (text[line_pos] == '\n')
                    line++;
            stmts = xgrow(stmts, &cap, n + 1, sizeof *stmts);
            stmts[n].start = start;
            stmts[n].end = end;
            stmts[n].line = line;
            n++;
        }
        open = false;
        bt.nwords = 0;
        if (tok.kind == SQL_TOK_EOF)
            break;
    }
    if (unterminated)
        *unterminated = unterm;
    *out = stmts;
    return n;
}

int sql_stmt_at(const sql_stmt *stmts, size_t n, size_t pos)
{
    /* The last statement starting at or before pos: blanks after a ';'
     * belong to the statement the ';' ended. Binary search: starts grow. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (stmts[mid].start <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? -1 : (int)(lo - 1);
}

int sql_line_of(const char *text, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

bool sql_starts_with(const char *text, size_t len, const char *keyword)
{
    /* A keyword may be several words ("BEGIN ATOMIC"); each must match a
     * whole word, with any blanks or comments between them. */
    sql_lexer lx;
    sql_lex_init(&lx, text, len);
    const char *k = keyword;
    while (*k == ' ')
        k++;
    if (!*k)
        return false;
    while (*k) {
        size_t wlen = strcspn(k, " ");
        sql_token tok;
        sql_lex_next(&lx, &tok);
        if (tok.kind != SQL_TOK_WORD || tok.end - tok.start != wlen)
            return false;
        for (size_t i = 0; i < wlen; i++) {
            char a = text[tok.start + i], b = k[i];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                return false;
        }
        k += wlen;
        while (*k == ' ')
            k++;
    }
    return true;
}

int sql_param_count(const char *text, size_t len)
{
    int highest = 0;
    sql_lexer lx;
    sql_lex_init(&lx, text, len);
    for (;;) {
        sql_token tok;
        sql_lex_next(&lx, &tok);
        if (tok.kind == SQL_TOK_EOF)
            break;
        if (tok.kind != SQL_TOK_PARAM)
            continue;
        long v = 0;
        for (size_t i = tok.start + 1; i < tok.end; i++) {
            v = v * 10 + (text[i] - '0');
            if (v > 65535) /* the protocol's limit; beyond it the server refuses */
                v = 65536;
        }
        if (v > highest)
            highest = (int)v;
    }
    return highest;
}

long sql_meta_command(const char *text, size_t len)
{
    sql_lexer lx;
    sql_lex_init(&lx, text, len);
    for (;;) {
        sql_token tok;
        sql_lex_next(&lx, &tok);
        if (tok.kind == SQL_TOK_EOF)
            return -1;
        if (tok.kind == SQL_TOK_OP && text[tok.start] == '\\')
            return (long)tok.start;
    }
}
