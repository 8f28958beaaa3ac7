/* complete_ctx.c — the completion context at the cursor (see complete.h):
 * the one table of contexts, the word being typed, and the relations (with
 * aliases) the statement names. Tokens come from common/sqllex.h, the
 * scanner the splitter and the highlighter use, so quotes, dollar quotes and
 * comments end where PostgreSQL ends them. */
#include "ui/complete.h"

#include "common/sqllex.h"
#include "common/xalloc.h"
#include "ui/sqlhl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The contexts. The nearest keyword of this table before the cursor (at the
 * cursor's parenthesis depth) decides; `name` applies right after it, a comma
 * or an operator (a name is expected), `after` once a name was typed (then
 * the next word is usually a keyword — or, after JOIN t, its ON condition).
 * Join conditions, when the foreign keys give any and nothing is typed yet,
 * come alone (Tab puts the condition at once). */
static const struct cpl_rule {
    const char *word;
    unsigned name, after;
} rules[] = {
    /* relations */
    {"from", CPL_W_RELATIONS | CPL_W_SCHEMAS, CPL_W_KEYWORDS},
    {"join", CPL_W_RELATIONS | CPL_W_SCHEMAS, CPL_W_JOIN | CPL_W_KEYWORDS},
    {"into", CPL_W_RELATIONS | CPL_W_SCHEMAS, CPL_W_KEYWORDS},
    {"update", CPL_W_RELATIONS | CPL_W_SCHEMAS, CPL_W_KEYWORDS},
    {"table", CPL_W_RELATIONS | CPL_W_SCHEMAS, CPL_W_KEYWORDS},
    {"truncate", CPL_W_RELATIONS | CPL_W_SCHEMAS, CPL_W_KEYWORDS},
    {"schema", CPL_W_SCHEMAS, CPL_W_KEYWORDS},
    /* the join condition, then columns */
    {"on", CPL_W_COND | CPL_W_COLUMNS | CPL_W_FUNCTIONS, CPL_W_KEYWORDS},
    /* columns of the statement's relations */
    {"select", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    {"distinct", CPL_W_COLUMNS | CPL_W_FUNCTIONS, CPL_W_KEYWORDS},
    {"where", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    {"and", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    {"or", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    {"not", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    {"by", CPL_W_COLUMNS | CPL_W_FUNCTIONS, CPL_W_KEYWORDS},
    {"having", CPL_W_COLUMNS | CPL_W_FUNCTIONS, CPL_W_KEYWORDS},
    {"set", CPL_W_COLUMNS, CPL_W_KEYWORDS},
    {"returning", CPL_W_COLUMNS | CPL_W_FUNCTIONS, CPL_W_KEYWORDS},
    {"when", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    {"then", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    {"else", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    /* "(": an argument list or a subquery's start */
    {"(", CPL_W_COLUMNS | CPL_W_FUNCTIONS | CPL_W_KEYWORDS, CPL_W_KEYWORDS},
    /* naming something new: nothing to complete */
    {"as", 0, CPL_W_KEYWORDS},
};
/* No keyword of the table before the cursor (a statement's first word). */
static const struct cpl_rule rule_none = {"", CPL_W_KEYWORDS, CPL_W_KEYWORDS};

/* Words that open a list of relations, for the scope. */
static const char *const scope_words[] = {"from", "join", "update", "into", NULL};

typedef struct toks {
    sql_token *t;
    int n, cap;
} toks;

static const struct cpl_rule *find_rule(const char *text, const sql_token *t)
{
    bool paren = t->kind == SQL_TOK_OP && t->end - t->start == 1 && text[t->start] == '(';
    if (!paren && t->kind != SQL_TOK_WORD)
        return NULL;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (paren ? strcmp(rules[i].word, "(") == 0
                  : rules[i].word[0] != '(' && sql_tok_is(text, t, rules[i].word))
            return &rules[i];
    return NULL;
}

static bool is_op(const char *text, const sql_token *t, char c)
{
    return t->kind == SQL_TOK_OP && t->end - t->start == 1 && text[t->start] == c;
}

/* An identifier's name: a quoted one unquoted, an unquoted one folded to
 * lower case, as the server does. */
static char *ident_name(const char *s, size_t n)
{
    if (n >= 1 && s[0] == '"') {
        char *out = xmalloc(n + 1);
        size_t k = 0;
        for (size_t i = 1; i < n; i++) {
            if (s[i] == '"') {
                if (i + 1 < n && s[i + 1] == '"')
                    i++;
                else
                    break;
            }
            out[k++] = s[i];
        }
        out[k] = '\0';
        return out;
    }
    char *out = xstrndup(s, n);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static bool is_name(const sql_token *t)
{
    return t->kind == SQL_TOK_WORD || t->kind == SQL_TOK_QIDENT;
}

static char *tok_name(const char *text, const sql_token *t)
{
    return ident_name(text + t->start, t->end - t->start);
}

static void add_scope(cpl_ctx *ctx, char *schema, char *rel, char *alias)
{
    ctx->scope = xrealloc(ctx->scope, (size_t)(ctx->nscope + 1) * sizeof *ctx->scope);
    ctx->scope[ctx->nscope].schema = schema;
    ctx->scope[ctx->nscope].rel = rel;
    ctx->scope[ctx->nscope].alias = alias;
    ctx->nscope++;
}

/* Skips a parenthesized group starting at i ('('); returns the index after it. */
static int skip_group(const char *text, const toks *tk, int i)
{
    int depth = 0;
    for (; i < tk->n; i++) {
        if (is_op(text, &tk->t[i], '('))
            depth++;
        else if (is_op(text, &tk->t[i], ')') && --depth == 0)
            return i + 1;
    }
    return i;
}

/* The alias after a relation (AS x, or a name that is no keyword). */
static int parse_alias(const char *text, const toks *tk, int i, char **alias)
{
    *alias = NULL;
    if (i < tk->n && tk->t[i].kind == SQL_TOK_WORD && sql_tok_is(text, &tk->t[i], "as"))
        i++;
    if (i < tk->n && is_name(&tk->t[i]) &&
        !(tk->t[i].kind == SQL_TOK_WORD &&
          sqlhl_is_keyword(text + tk->t[i].start, tk->t[i].end - tk->t[i].start))) {
        *alias = tok_name(text, &tk->t[i]);
        i++;
    }
    return i;
}

/* The relations after FROM / JOIN / UPDATE / INTO at token i (the keyword);
 * returns the scope index of the first one added, -1 none. */
static int parse_relations(const char *text, const toks *tk, int i, cpl_ctx *ctx, size_t stop)
{
    bool list = sql_tok_is(text, &tk->t[i], "from");
    int first = -1;
    i++;
    for (;;) {
        while (i < tk->n && tk->t[i].kind == SQL_TOK_WORD &&
               (sql_tok_is(text, &tk->t[i], "only") || sql_tok_is(text, &tk->t[i], "lateral")))
            i++;
        if (i >= tk->n || tk->t[i].start >= stop)
            break;
        char *alias;
        if (is_op(text, &tk->t[i], '(')) { /* a subquery: only its alias */
            i = parse_alias(text, tk, skip_group(text, tk, i), &alias);
            free(alias);
        } else if (is_name(&tk->t[i]) &&
                   !(tk->t[i].kind == SQL_TOK_WORD &&
                     sqlhl_is_keyword(text + tk->t[i].start, tk->t[i].end - tk->t[i].start))) {
            char *schema = NULL, *rel = tok_name(text, &tk->t[i]);
            i++;
            if (i + 1 < tk->n && is_op(text, &tk->t[i], '.') && is_name(&tk->t[i + 1]) &&
                tk->t[i + 1].start < stop) {
                schema = rel;
                rel = tok_name(text, &tk->t[i + 1]);
                i += 2;
            }
            if (i < tk->n && is_op(text, &tk->t[i], '(')) { /* a function in FROM */
                free(schema);
                free(rel);
                i = parse_alias(text, tk, skip_group(text, tk, i), &alias);
                free(alias);
            } else {
                i = parse_alias(text, tk, i, &alias);
                if (first < 0)
                    first = ctx->nscope;
                add_scope(ctx, schema, rel, alias);
            }
        } else {
            break;
        }
        if (list && i < tk->n && is_op(text, &tk->t[i], ',')) {
            i++;
            continue;
        }
        break;
    }
    return first;
}

static void tok_push(toks *tk, const sql_token *t)
{
    if (tk->n == tk->cap) {
        tk->cap = tk->cap ? tk->cap * 2 : 64;
        tk->t = xrealloc(tk->t, (size_t)tk->cap * sizeof *tk->t);
    }
    tk->t[tk->n++] = *t;
}

static bool word_byte(unsigned char c)
{
    return sql_ident_cont(c) || c == '.';
}

/* Where the word before point starts: identifier bytes, dots and "..." parts. */
static size_t word_start(const char *text, size_t point)
{
    size_t p = point;
    while (p > 0) {
        unsigned char c = (unsigned char)text[p - 1];
        if (word_byte(c)) {
            p--;
        } else if (c == '"') {
            size_t q = p - 1; /* the opening quote of this part */
            while (q > 0 && text[q - 1] != '"')
                q--;
            if (q == 0)
                return p - 1 < point ? p - 1 : point; /* an unclosed quote: it starts there */
            p = q - 1;
        } else {
            break;
        }
    }
    return p;
}

/* Splits text[from..point) at the dots outside quotes into ctx's qualifier
 * parts and prefix. */
static void split_word(const char *text, size_t from, size_t point, cpl_ctx *ctx)
{
    size_t part = from;
    bool inq = false;
    for (size_t i = from; i < point; i++) {
        if (text[i] == '"')
            inq = !inq;
        else if (text[i] == '.' && !inq) {
            if (ctx->nqual == 2) {
                free(ctx->qual[0]);
                ctx->qual[0] = ctx->qual[1];
                ctx->nqual = 1;
            }
            ctx->qual[ctx->nqual++] = ident_name(text + part, i - part);
            part = i + 1;
        }
    }
    ctx->from = part;
    if (part < point && text[part] == '"') {
        ctx->quoted = true;
        ctx->prefix = ident_name(text + part, point - part);
    } else {
        ctx->prefix = xstrndup(text + part, point - part);
    }
}

void cpl_context(const char *text, size_t len, size_t point, cpl_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->joined = -1;
    ctx->rule = "";
    if (point > len)
        point = len;
    size_t wfrom = word_start(text, point);
    split_word(text, wfrom, point, ctx);

    /* the statement around the cursor, as tokens */
    toks tk = {0};
    sql_lexer lx;
    sql_lex_init(&lx, text, len);
    for (;;) {
        sql_token t;
        sql_lex_next(&lx, &t);
        if (t.kind == SQL_TOK_EOF)
            break;
        if (t.start < wfrom && t.end > wfrom && t.kind != SQL_TOK_WORD &&
            t.kind != SQL_TOK_QIDENT) {
            free(tk.t); /* inside a string or the like: nothing to complete */
            ctx->what = 0;
            return;
        }
        if (is_op(text, &t, ';')) {
            if (t.start >= point)
                break;
            tk.n = 0; /* a new statement starts */
            continue;
        }
        tok_push(&tk, &t);
    }
    int nbefore = 0;
    while (nbefore < tk.n && tk.t[nbefore].end <= wfrom)
        nbefore++;

    /* keywords' case: the statement's first word as typed */
    if (tk.n > 0 && tk.t[0].kind == SQL_TOK_WORD)
        ctx->lower_kw = islower((unsigned char)text[tk.t[0].start]);

    /* the relations the statement names; the JOIN the cursor follows */
    int last_join = -1;
    for (int i = 0; i < nbefore; i++)
        if (tk.t[i].kind == SQL_TOK_WORD && sql_tok_is(text, &tk.t[i], "join"))
            last_join = i;
    for (int i = 0; i < tk.n; i++) {
        if (tk.t[i].kind != SQL_TOK_WORD)
            continue;
        for (int w = 0; scope_words[w]; w++)
            if (sql_tok_is(text, &tk.t[i], scope_words[w])) {
                /* the word being typed is no relation of the scope yet */
                int first = parse_relations(text, &tk, i, ctx, i < nbefore ? wfrom : len);
                if (i == last_join)
                    ctx->joined = first;
                break;
            }
    }

    /* the context: the nearest keyword of the table at the cursor's depth */
    const struct cpl_rule *rule = &rule_none;
    int depth = 0, at = -1;
    for (int i = nbefore - 1; i >= 0; i--) {
        const sql_token *t = &tk.t[i];
        if (is_op(text, t, ')')) {
            depth++;
            continue;
        }
        if (is_op(text, t, '(') && depth > 0) {
            depth--;
            continue;
        }
        if (depth > 0)
            continue;
        const struct cpl_rule *r = find_rule(text, t);
        if (r) {
            rule = r;
            at = i;
            break;
        }
    }
    /* a name typed since (not an operator, comma or keyword): "after" */
    bool after = false;
    if (nbefore > 0 && nbefore - 1 != at) {
        const sql_token *prev = &tk.t[nbefore - 1];
        if (prev->kind == SQL_TOK_OP)
            after = is_op(text, prev, ')');
        else if (prev->kind == SQL_TOK_WORD)
            after = !sqlhl_is_keyword(text + prev->start, prev->end - prev->start);
        else
            after = true;
    }
    ctx->rule = rule->word;
    ctx->what = after ? rule->after : rule->name;
    if (ctx->nqual > 0) /* after a dot only names of what is before it */
        ctx->what &= ~(unsigned)(CPL_W_KEYWORDS | CPL_W_JOIN | CPL_W_COND);
    free(tk.t);
}

void cpl_ctx_free(cpl_ctx *ctx)
{
    for (int i = 0; i < ctx->nqual; i++)
        free(ctx->qual[i]);
    free(ctx->prefix);
    for (int i = 0; i < ctx->nscope; i++) {
        free(ctx->scope[i].schema);
        free(ctx->scope[i].rel);
        free(ctx->scope[i].alias);
    }
    free(ctx->scope);
    memset(ctx, 0, sizeof *ctx);
}
