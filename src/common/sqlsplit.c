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

/* ------------------------------------------------------------------------
 * The script reader: psql's query buffer, statement by statement. */

#include "common/strbuf.h"

#include <stdlib.h>

void sql_script_init(sql_script *sc, const char *text, size_t len)
{
    memset(sc, 0, sizeof *sc);
    sc->text = text;
    sc->len = len;
    sql_lex_init(&sc->lx, text, len);
    sc->line = 1;
    sc->std_next = true;
}

/* The 1-based line of byte pos, counted from where the last call stopped. */
static int script_line_at(sql_script *sc, size_t pos)
{
    if (pos > sc->len)
        pos = sc->len;
    for (; sc->line_pos < pos; sc->line_pos++)
        if (sc->text[sc->line_pos] == '\n')
            sc->line++;
    for (; sc->line_pos > pos; sc->line_pos--)
        if (sc->text[sc->line_pos - 1] == '\n')
            sc->line--;
    return sc->line;
}

/* The position just after the '\n' ending the line that holds pos. */
static size_t next_line_start(const sql_script *sc, size_t pos)
{
    const char *nl = pos < sc->len ? memchr(sc->text + pos, '\n', sc->len - pos) : NULL;
    return nl ? (size_t)(nl - sc->text) + 1 : sc->len;
}

void sql_script_set_std_strings(sql_script *sc, bool on)
{
    sql_lexer *lx = &sc->lx;
    if (lx->pos >= lx->std_from)
        lx->std_strings = lx->std_strings_from;
    lx->std_from = next_line_start(sc, lx->pos);
    lx->std_strings_from = on;
}

typedef struct script_buf {
    strbuf sb;
    int *lines;
    size_t nlines, cap;
} script_buf;

/* Copies text[p..p+n) into the statement, noting the script line of each of
 * its new lines. */
static void script_emit(sql_script *sc, script_buf *b, size_t p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b->sb.len == 0 || b->sb.data[b->sb.len - 1] == '\n') {
            b->lines = xgrow(b->lines, &b->cap, b->nlines + 1, sizeof *b->lines);
            b->lines[b->nlines++] = script_line_at(sc, p + i);
        }
        sb_append_c(&b->sb, sc->text[p + i]);
    }
}

/* Blanks and comments between tokens, as psql keeps them: comments and
 * blanks as they are, but a newline before an empty line (or before the end
 * of the text) goes: psql skips empty lines outside quotes and comments and
 * joins the lines it keeps with '\n'. */
static void script_emit_gap(sql_script *sc, script_buf *b, size_t p, size_t end)
{
    const char *s = sc->text;
    size_t len = sc->len;
    while (p < end) {
        if (p == sc->lx.skip_at && sc->lx.skip_to > p) {
            p = sc->lx.skip_to;
            continue;
        }
        size_t q;
        if (s[p] == '/' && p + 1 < len && s[p + 1] == '*') {
            bool unterminated = false;
            q = sql_skip_block_comment(s, len, p, &unterminated);
        } else if (s[p] == '-' && p + 1 < len && s[p + 1] == '-') {
            q = p;
            while (q < len && s[q] != '\n')
                q++;
        } else if (s[p] == '\n') {
            if (p + 1 < len && s[p + 1] != '\n')
                script_emit(sc, b, p, 1);
            p++;
            continue;
        } else {
            q = p + 1;
        }
        if (q > end)
            q = end;
        script_emit(sc, b, p, q - p);
        p = q;
    }
}

static void script_finish(script_buf *b, sql_script_stmt *out)
{
    out->len = b->sb.len;
    out->sql = sb_steal(&b->sb);
    out->lines = b->lines;
    out->nlines = (int)b->nlines;
}

sql_script_kind sql_script_next(sql_script *sc, sql_script_stmt *out)
{
    memset(out, 0, sizeof *out);
    const char *text = sc->text;
    script_buf b = {0};
    sb_init(&b.sb);
    int paren_depth = 0;
    body_tracker bt = {0};
    for (;;) {
        sql_token tok;
        sql_lex_next(&sc->lx, &tok);
        size_t from = b.sb.len ? tok.gap_start : tok.lead;
        if (from < tok.start)
            script_emit_gap(sc, &b, from, tok.start);
        if (tok.kind == SQL_TOK_EOF) {
            if (b.sb.len == 0) {
                sb_free(&b.sb);
                free(b.lines);
                return SQL_SCRIPT_END;
            }
            out->end_line = script_line_at(sc, sc->len ? sc->len - 1 : 0);
            out->end = sc->len;
            script_finish(&b, out);
            return SQL_SCRIPT_STMT;
        }
        char c = text[tok.start];
        bool one = tok.kind == SQL_TOK_OP && tok.end - tok.start == 1;
        if (one && c == '\\') {
            char next = tok.start + 1 < sc->len ? text[tok.start + 1] : '\0';
            if (next == ';' || next == ':') {
                /* psql's \; and \: put the character itself in the query */
                script_emit(sc, &b, tok.start + 1, 1);
                sc->lx.pos = tok.start + 2;
                continue;
            }
            out->meta_at = tok.start;
            out->end_line = script_line_at(sc, tok.start);
            sb_free(&b.sb);
            free(b.lines);
            return SQL_SCRIPT_META;
        }
        script_emit(sc, &b, tok.start, tok.end - tok.start);
        if (one && c == ';' && paren_depth == 0 && bt.begin_depth == 0) {
            out->end_line = script_line_at(sc, tok.start);
            out->end = tok.end;
            script_finish(&b, out);
            return SQL_SCRIPT_STMT;
        }
        if (one && c == '(')
            paren_depth++;
        else if (one && c == ')' && paren_depth > 0)
            paren_depth--;
        else if (tok.kind == SQL_TOK_WORD)
            body_word(&bt, text, &tok, paren_depth);
    }
}

void sql_script_stmt_free(sql_script_stmt *st)
{
    free(st->sql);
    free(st->lines);
    memset(st, 0, sizeof *st);
}

void sql_script_copy_data(sql_script *sc, const sql_script_stmt *st, size_t *start, size_t *len,
                          int *end_line)
{
    const char *s = sc->text;
    size_t begin = next_line_start(sc, st->end);
    size_t ls = begin, resume = sc->len, data_end = sc->len;
    int last = script_line_at(sc, sc->len ? sc->len - 1 : 0);
    while (ls < sc->len) {
        size_t le = next_line_start(sc, ls); /* past this line's '\n' */
        size_t n = le - ls;
        /* psql's end marker: a line "\." ended by a newline */
        if (s[ls] == '\\' && n >= 3 && s[ls + 1] == '.' && s[le - 1] == '\n' &&
            (n == 3 || (n == 4 && s[ls + 2] == '\r'))) {
            data_end = ls;
            resume = le;
            last = script_line_at(sc, ls);
            break;
        }
        ls = le;
    }
    *start = begin;
    *len = data_end - begin;
    *end_line = begin < sc->len ? last : st->end_line;
    if (resume > begin) {
        sc->lx.skip_at = begin;
        sc->lx.skip_to = resume;
    }
}

bool sql_is_copy_from_stdin(const char *text, size_t len)
{
    sql_lexer lx;
    sql_lex_init(&lx, text, len);
    sql_token tok;
    sql_lex_next(&lx, &tok);
    if (!sql_tok_is(text, &tok, "copy"))
        return false;
    int depth = 0;
    bool after_from = false;
    for (;;) {
        sql_lex_next(&lx, &tok);
        if (tok.kind == SQL_TOK_EOF)
            return false;
        bool one = tok.kind == SQL_TOK_OP && tok.end - tok.start == 1;
        if (one && text[tok.start] == '(')
            depth++;
        else if (one && text[tok.start] == ')' && depth > 0)
            depth--;
        if (depth == 0 && after_from && sql_tok_is(text, &tok, "stdin"))
            return true;
        after_from = depth == 0 && sql_tok_is(text, &tok, "from");
    }
}
