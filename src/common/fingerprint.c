/* fingerprint.c — pg_stat_statements-style normalization and a hash that is
 * stable across everything normalization erases.
 *
 * The text follows what PostgreSQL 15's pg_stat_statements shows (checked
 * against a PG 15 server):
 *   - numbers, all string forms and TRUE/FALSE/NULL used as values become
 *     $n; IS [NOT] NULL/TRUE/FALSE and NOT NULL stay words;
 *   - a unary minus joins its number: "select -1" -> "select $1", while the
 *     binary "a -1" -> "a -$1"; "-1::int" -> "-$1::int" (the cast binds
 *     first, so the server keeps the minus as an operator);
 *   - positional ORDER BY / GROUP BY integers stay ("order by 1"), since
 *     they are not constants in the parse tree;
 *   - IN lists are not squashed: one $n per element;
 *   - 'a'<newline>'b' continuation is one constant;
 *   - typed literals keep their type: DATE '2020-01-01' -> DATE $1, and
 *     type modifiers stay: '1'::numeric(10,2) -> $1::numeric(10,2);
 *   - the grammar's hidden constants show too: LIMIT ALL -> LIMIT $1,
 *     extract(epoch from x) -> extract($1 from x).
 * Unlike pg_stat_statements (which keeps the text as typed), comments are
 * dropped, blanks collapse to one space and a final ';' goes.
 *
 * The hash is over tokens, not text: unquoted words are case-folded (as the
 * server folds them), "quoted" identifiers keep their case, every constant
 * and every $n hash alike, and a unary minus before a constant or $n is
 * ignored. So a pg_stat_statements row's text hashes like the statements it
 * came from even where its placeholders are numbered differently, and even
 * for utility statements the server leaves unnormalized. */
#include "common/fingerprint.h"

#include "common/sqllex.h"
#include "common/sqlsplit.h"

#include <stdio.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static inline uint64_t hash_byte(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n, bool fold)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (fold && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h = hash_byte(h, c);
    }
    return h;
}

static bool tok_is_char(const char *s, const sql_token *t, char c)
{
    return t->kind == SQL_TOK_OP && t->end - t->start == 1 && s[t->start] == c;
}

static bool tok_is_op(const char *s, const sql_token *t, const char *op)
{
    size_t n = strlen(op);
    return t->kind == SQL_TOK_OP && t->end - t->start == n && memcmp(s + t->start, op, n) == 0;
}

/* Words after which a '-' is a sign, not a subtraction. */
static bool word_expects_operand(const char *s, const sql_token *t)
{
    static const char *const words[] = {
        "select",    "where",  "and",       "or",      "not",      "when",    "then",
        "else",      "case",   "having",    "limit",   "offset",   "on",      "by",
        "returning", "like",   "ilike",     "between", "distinct", "all",     "any",
        "some",      "from",   "return",    "default", "escape",   "similar", "to",
        "zone",      "in",     "is",        "values",  "set",      "array",   "exists",
        "fetch",     "first",  "next",      "as",      "using",    "do",      "with",
        "union",     "except", "intersect", "row",     "over",     "filter",  "within"};
    size_t n = t->end - t->start;
    if (n > 9)
        return false;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (sql_tok_is(s, t, words[i]))
            return true;
    return false;
}

/* Does a token before a '-' make that '-' a sign? (none: start of text) */
static bool unary_after(const char *s, const sql_token *prev)
{
    if (!prev)
        return true;
    switch (prev->kind) {
    case SQL_TOK_WORD:
        return word_expects_operand(s, prev);
    case SQL_TOK_OP:
        return !tok_is_char(s, prev, ')') && !tok_is_char(s, prev, ']');
    default:
        return false; /* an identifier, constant or parameter: subtraction */
    }
}

static bool is_value_word(const char *s, const sql_token *t)
{
    size_t n = t->end - t->start;
    if (n != 4 && n != 5)
        return false;
    return sql_tok_is(s, t, "true") || sql_tok_is(s, t, "false") || sql_tok_is(s, t, "null");
}

static bool is_integer(const char *s, const sql_token *t)
{
    if (t->kind != SQL_TOK_NUMBER)
        return false;
    for (size_t i = t->start; i < t->end; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* A word hashed in pieces: "name$1" is how pg_stat_statements shows a
 * constant glued to a word (N'abc' -> n$1, date'2020-01-01' -> date$1), and
 * the server scans it as one identifier. Each $digits inside the word hashes
 * as a placeholder, the rest as words, so it matches the raw statement. */
static uint64_t hash_word(uint64_t h, const char *s, size_t start, size_t end)
{
    size_t seg = start;
    for (size_t i = start + 1; i + 1 < end; i++) {
        if (s[i] != '$' || s[i + 1] < '0' || s[i + 1] > '9')
            continue;
        if (i > seg) {
            h = hash_byte(h, 'W');
            h = hash_bytes(h, s + seg, i - seg, true);
            h = hash_byte(h, 0xFF);
        }
        h = hash_byte(hash_byte(h, 'P'), 0xFF);
        i++;
        while (i < end && s[i] >= '0' && s[i] <= '9')
            i++;
        seg = i;
        i--; /* the loop's i++ looks at s[seg] next */
    }
    if (end > seg) {
        h = hash_byte(h, 'W');
        h = hash_bytes(h, s + seg, end - seg, true);
        h = hash_byte(h, 0xFF);
    }
    return h;
}

/* A '-' operator, as hash_token would hash it. */
static uint64_t hash_minus(uint64_t h)
{
    return hash_byte(hash_byte(hash_byte(h, 'O'), '-'), 0xFF);
}

typedef enum tok_role { PLAIN, CONSTANT, KEEP_CONSTANT, PARAM, SIGN } tok_role;

/* One token into the hash: a kind byte, the (folded) bytes, a separator. */
static uint64_t hash_token(uint64_t h, const char *sql, const sql_token *t, tok_role r)
{
    if (r != PLAIN) {
        h = hash_byte(h, 'P');
    } else if (t->kind == SQL_TOK_WORD) {
        return hash_word(h, sql, t->start, t->end);
    } else if (t->kind == SQL_TOK_QIDENT && sql[t->start] == '"') {
        /* "foo" names what foo names: hash the identifier itself */
        h = hash_byte(h, 'W');
        for (size_t i = t->start + 1; i + 1 < t->end; i++) {
            h = hash_byte(h, (unsigned char)sql[i]);
            if (sql[i] == '"')
                i++;
        }
    } else if (tok_is_op(sql, t, "!=")) {
        h = hash_byte(h, 'O');
        h = hash_bytes(h, "<>", 2, false);
    } else {
        h = hash_byte(h, t->kind == SQL_TOK_OP ? 'O' : 'Q');
        h = hash_bytes(h, sql + t->start, t->end - t->start, false);
    }
    return hash_byte(h, 0xFF);
}

/* Types whose "(n)" is a type modifier, not an argument: varchar(20). */
static bool is_typmod_type(const char *s, const sql_token *t)
{
    static const char *const types[] = {
        "numeric", "decimal", "dec",       "varchar",     "char", "character", "varying",  "nchar",
        "bit",     "varbit",  "timestamp", "timestamptz", "time", "timetz",    "interval", "float"};
    size_t n = t->end - t->start;
    if (n < 3 || n > 11)
        return false;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (sql_tok_is(s, t, types[i]))
            return true;
    return false;
}

/* True when only ';'s and blanks follow `pos`; else *next_text is where
 * the next other token starts (so each ';' run is scanned once). */
static bool only_semicolons_follow(const char *s, size_t len, size_t pos, size_t *next_text)
{
    sql_lexer lx;
    sql_lex_init(&lx, s, len);
    lx.pos = pos;
    for (;;) {
        sql_token t;
        sql_lex_next(&lx, &t);
        if (t.kind == SQL_TOK_EOF)
            return true;
        if (!tok_is_char(s, &t, ';')) {
            *next_text = t.start;
            return false;
        }
    }
}

/* A one-pass scanner with two tokens of look-ahead. */
typedef struct scan {
    sql_lexer lx;
    sql_token buf[3];
    int head; /* buf[head] is the current token */
} scan;

static void scan_init(scan *sc, const char *s, size_t len)
{
    sql_lex_init(&sc->lx, s, len);
    for (int i = 0; i < 3; i++)
        sql_lex_next(&sc->lx, &sc->buf[i]);
    sc->head = 0;
}

static const sql_token *scan_peek(const scan *sc, int ahead)
{
    return &sc->buf[(sc->head + ahead) % 3];
}

static void scan_advance(scan *sc)
{
    sql_token *old = &sc->buf[sc->head];
    const sql_token *last = &sc->buf[(sc->head + 2) % 3];
    if (last->kind == SQL_TOK_EOF)
        *old = *last;
    else
        sql_lex_next(&sc->lx, old);
    sc->head = (sc->head + 1) % 3;
}

uint64_t sql_fingerprint(const char *sql, strbuf *out)
{
    size_t len = strlen(sql);
    uint64_t h = FNV_OFFSET;
    int next_param = out ? sql_param_count(sql, len) + 1 : 1;
    size_t out_start = out ? out->len : 0;

    scan sc;
    scan_init(&sc, sql, len);
    sql_token prev = {0}, prev2 = {0};
    bool have_prev = false, have_prev2 = false;
    int depth = 0;
    int by_depth = -1;     /* >= 0: inside ORDER BY / GROUP BY at that depth */
    int typmod_depth = -1; /* >= 0: inside the (10,2) of ::numeric(10,2) */
    int pending_signs = 0;
    size_t not_trailing_before = 0; /* a ';' before this offset has text after it */
    bool after_placeholder = false, after_dollar = false;

    for (;;) {
        const sql_token *t = scan_peek(&sc, 0);
        if (t->kind == SQL_TOK_EOF)
            break;
        const sql_token *n1 = scan_peek(&sc, 1);
        const sql_token *n2 = scan_peek(&sc, 2);
        /* Final ';'s are not part of the statement. */
        if (tok_is_char(sql, t, ';') && t->start >= not_trailing_before) {
            if (only_semicolons_follow(sql, len, t->end, &not_trailing_before))
                break;
        }

        sql_token cur = *t;
        tok_role role = PLAIN;
        int consumed = 1;
        switch (t->kind) {
        case SQL_TOK_NUMBER:
            role = CONSTANT;
            if (typmod_depth == depth && is_integer(sql, t) &&
                (tok_is_char(sql, n1, ',') || tok_is_char(sql, n1, ')')))
                role = KEEP_CONSTANT; /* a type modifier, not a value */
            /* ORDER BY 1, GROUP BY 2: positions, not constants */
            if (by_depth == depth && have_prev &&
                (sql_tok_is(sql, &prev, "by") || tok_is_char(sql, &prev, ',')) &&
                is_integer(sql, t) &&
                (n1->kind == SQL_TOK_EOF || (n1->kind == SQL_TOK_WORD && !is_value_word(sql, n1)) ||
                 tok_is_char(sql, n1, ',') || tok_is_char(sql, n1, ')') ||
                 tok_is_char(sql, n1, ';')))
                role = KEEP_CONSTANT;
            break;
        case SQL_TOK_STRING:
            role = CONSTANT;
            break;
        case SQL_TOK_PARAM:
            role = PARAM;
            break;
        case SQL_TOK_WORD:
            if (is_value_word(sql, t)) {
                bool after_is = have_prev && sql_tok_is(sql, &prev, "is");
                bool after_not = have_prev && sql_tok_is(sql, &prev, "not");
                bool after_is_not = after_not && have_prev2 && sql_tok_is(sql, &prev2, "is");
                bool is_null = sql_tok_is(sql, t, "null");
                /* IS [NOT] DISTINCT FROM NULL becomes an IS [NOT] NULL test */
                bool after_distinct = have_prev2 && sql_tok_is(sql, &prev, "from") &&
                                      sql_tok_is(sql, &prev2, "distinct");
                if (!(after_is || after_is_not || (is_null && (after_not || after_distinct))))
                    role = CONSTANT;
            } else if (have_prev && sql_tok_is(sql, t, "all") && sql_tok_is(sql, &prev, "limit")) {
                role = CONSTANT; /* LIMIT ALL is a NULL constant to the server */
            } else if (have_prev2 && tok_is_char(sql, &prev, '(') &&
                       sql_tok_is(sql, &prev2, "extract")) {
                role = CONSTANT; /* extract(epoch from x): the field is a string */
            }
            break;
        case SQL_TOK_OP:
            if (tok_is_char(sql, t, '-') && unary_after(sql, have_prev ? &prev : NULL)) {
                if (n1->kind == SQL_TOK_NUMBER && !tok_is_op(sql, n2, "::") &&
                    !tok_is_char(sql, n2, '[')) {
                    role = CONSTANT; /* the sign belongs to the number */
                    cur.end = n1->end;
                    consumed = 2;
                } else {
                    role = SIGN;
                }
            }
            break;
        default:
            break;
        }

        /* Text. A space is added where gluing would rescan differently:
         * "$$1" opens a dollar quote, "$1$2x" after "$" or a $n, and a $n
         * followed by a letter or digit. (A word glued before a $n stays
         * glued, as pg_stat_statements prints it; the hash splits it.) */
        if (out) {
            bool glue_risk = false;
            if (!cur.gap && out->len > out_start) {
                char last = out->data[out->len - 1];
                char first = role == CONSTANT ? '$' : sql[cur.start];
                if (role == CONSTANT && last == '$')
                    glue_risk = true;
                else if ((after_placeholder || after_dollar) &&
                         sql_ident_cont((unsigned char)first))
                    glue_risk = true;
            }
            if ((cur.gap || glue_risk) && out->len > out_start)
                sb_append_c(out, ' ');
            if (role == CONSTANT) {
                char num[16];
                int k = snprintf(num, sizeof num, "$%d", next_param++);
                sb_append_n(out, num, (size_t)k);
            } else {
                sb_append_n(out, sql + cur.start, cur.end - cur.start);
            }
            after_placeholder = role == CONSTANT;
            after_dollar = tok_is_char(sql, &cur, '$');
        }

        /* Hash. Signs wait: a sign run before a constant or $n is dropped,
         * as the server folds it into the constant ("- -1", "-$1"). */
        if (role == SIGN) {
            pending_signs++;
        } else {
            if (role == PLAIN)
                for (; pending_signs > 0; pending_signs--)
                    h = hash_minus(h);
            pending_signs = 0;
            h = hash_token(h, sql, &cur, role);
        }

        /* Context for the tokens that follow. */
        if (tok_is_char(sql, &cur, '(')) {
            depth++;
            if (have_prev && prev.kind == SQL_TOK_WORD &&
                ((have_prev2 && (tok_is_op(sql, &prev2, "::") || sql_tok_is(sql, &prev2, "as"))) ||
                 is_typmod_type(sql, &prev)))
                typmod_depth = depth;
        } else if (tok_is_char(sql, &cur, ')')) {
            if (depth > 0)
                depth--;
            if (by_depth > depth)
                by_depth = -1;
            if (typmod_depth > depth)
                typmod_depth = -1;
        } else if (tok_is_char(sql, &cur, ';')) {
            depth = 0;
            by_depth = -1;
        } else if (cur.kind == SQL_TOK_WORD) {
            if (sql_tok_is(sql, &cur, "by") && have_prev &&
                (sql_tok_is(sql, &prev, "order") || sql_tok_is(sql, &prev, "group")))
                by_depth = depth;
            else if (by_depth == depth &&
                     (sql_tok_is(sql, &cur, "limit") || sql_tok_is(sql, &cur, "offset") ||
                      sql_tok_is(sql, &cur, "having") || sql_tok_is(sql, &cur, "fetch") ||
                      sql_tok_is(sql, &cur, "for") || sql_tok_is(sql, &cur, "window") ||
                      sql_tok_is(sql, &cur, "union") || sql_tok_is(sql, &cur, "intersect") ||
                      sql_tok_is(sql, &cur, "except") || sql_tok_is(sql, &cur, "returning")))
                by_depth = -1;
        }
        prev2 = prev;
        have_prev2 = have_prev;
        prev = cur;
        if (role == CONSTANT && consumed == 2)
            prev.kind = SQL_TOK_NUMBER; /* "-1" as a whole is an operand */
        have_prev = true;
        for (int i = 0; i < consumed; i++)
            scan_advance(&sc);
    }

    for (; pending_signs > 0; pending_signs--)
        h = hash_minus(h);
    /* Avalanche so that nearby inputs spread over all 64 bits. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}
