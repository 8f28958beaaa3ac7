/* sqlclass.c — statement classes from the leading keywords, on top of
 * sqllex so that comments, quoted names and strings never look like
 * keywords. */
#include "common/sqlclass.h"

#include "common/sqllex.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

enum { MAX_WORDS = 16 };

/* The statement's first tokens: words lower-cased, a quoted name or any
 * other token kept as "" so that positions still count. */
typedef struct lead {
    int n;
    char w[MAX_WORDS][24];
} lead;

static void read_lead(const char *sql, size_t len, lead *l)
{
    sql_lexer lx;
    sql_token t;
    sql_lex_init(&lx, sql, len);
    l->n = 0;
    bool started = false;
    for (sql_lex_next(&lx, &t); t.kind != SQL_TOK_EOF && l->n < MAX_WORDS; sql_lex_next(&lx, &t)) {
        size_t n = t.end - t.start;
        bool open_paren = t.kind == SQL_TOK_OP && n == 1 && sql[t.start] == '(';
        bool semicolon = t.kind == SQL_TOK_OP && n == 1 && sql[t.start] == ';';
        if (!started && (open_paren || semicolon))
            continue; /* "(select …)", or an empty statement before */
        if (semicolon)
            break; /* the statement ends */
        started = true;
        char *w = l->w[l->n++];
        w[0] = '\0';
        if (t.kind == SQL_TOK_WORD) {
            size_t k = 0;
            for (; k < n && k < sizeof l->w[0] - 1; k++) {
                char c = sql[t.start + k];
                w[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
            }
            w[k] = '\0';
        } else if (open_paren) {
            w[0] = '(', w[1] = '\0';
        } else if (t.kind == SQL_TOK_OP && n == 1 && sql[t.start] == ')') {
            w[0] = ')', w[1] = '\0';
        }
    }
}

static bool at(const lead *l, int i, const char *word)
{
    return i < l->n && strcmp(l->w[i], word) == 0;
}

static bool has(const lead *l, int from, const char *word)
{
    for (int i = from; i < l->n; i++)
        if (strcmp(l->w[i], word) == 0)
            return true;
    return false;
}

/* Index after a parenthesised option list at i ("(verbose, concurrently)"),
 * or i when there is none. */
static int skip_options(const lead *l, int i)
{
    if (!at(l, i, "("))
        return i;
    for (int k = i + 1; k < l->n; k++)
        if (at(l, k, ")"))
            return k + 1;
    return l->n;
}

static bool options_have(const lead *l, int i, const char *word)
{
    int end = skip_options(l, i);
    for (int k = i + 1; k < end; k++)
        if (at(l, k, word))
            return true;
    return false;
}

static const char *reindex(const lead *l)
{
    int k = skip_options(l, 1);
    if (at(l, k, "schema"))
        return "REINDEX SCHEMA";
    if (at(l, k, "database"))
        return "REINDEX DATABASE";
    if (at(l, k, "system"))
        return "REINDEX SYSTEM";
    if (options_have(l, 1, "concurrently") || at(l, k + 1, "concurrently"))
        return "REINDEX CONCURRENTLY";
    return NULL; /* TABLE/INDEX: refused only for a partitioned table */
}

static const char *create(const lead *l)
{
    if (at(l, 1, "database"))
        return "CREATE DATABASE";
    if (at(l, 1, "tablespace"))
        return "CREATE TABLESPACE";
    if (at(l, 1, "subscription"))
        return "CREATE SUBSCRIPTION ... WITH (create_slot = true)";
    int k = at(l, 1, "unique") ? 2 : 1;
    if (at(l, k, "index") && at(l, k + 1, "concurrently"))
        return "CREATE INDEX CONCURRENTLY";
    return NULL;
}

static const char *drop(const lead *l)
{
    if (at(l, 1, "database"))
        return "DROP DATABASE";
    if (at(l, 1, "tablespace"))
        return "DROP TABLESPACE";
    if (at(l, 1, "subscription"))
        return "DROP SUBSCRIPTION";
    if (at(l, 1, "index") && at(l, 2, "concurrently"))
        return "DROP INDEX CONCURRENTLY";
    return NULL;
}

static const char *alter(const lead *l)
{
    if (at(l, 1, "system"))
        return "ALTER SYSTEM";
    /* ALTER DATABASE name SET TABLESPACE t (not SET parameter TO …) */
    if (at(l, 1, "database") && at(l, 3, "set") && at(l, 4, "tablespace"))
        return "ALTER DATABASE SET TABLESPACE";
    if (at(l, 1, "subscription") && (has(l, 3, "refresh") || has(l, 3, "publication")))
        return "ALTER SUBSCRIPTION ... REFRESH";
    if (at(l, 1, "table") && has(l, 2, "detach") && has(l, 2, "concurrently"))
        return "ALTER TABLE ... DETACH CONCURRENTLY";
    return NULL;
}

const char *sql_no_txn_block(const char *sql, size_t len)
{
    lead l;
    read_lead(sql, len, &l);
    if (at(&l, 0, "vacuum"))
        return "VACUUM";
    if (at(&l, 0, "create"))
        return create(&l);
    if (at(&l, 0, "drop"))
        return drop(&l);
    if (at(&l, 0, "alter"))
        return alter(&l);
    if (at(&l, 0, "reindex"))
        return reindex(&l);
    /* CLUSTER [VERBOSE] / CLUSTER (options): every clustered table in turn */
    if (at(&l, 0, "cluster")) {
        int k = skip_options(&l, 1);
        if (at(&l, k, "verbose"))
            k++;
        return k >= l.n ? "CLUSTER" : NULL;
    }
    if (at(&l, 0, "discard") && at(&l, 1, "all"))
        return "DISCARD ALL";
    if (at(&l, 0, "commit") && at(&l, 1, "prepared"))
        return "COMMIT PREPARED";
    if (at(&l, 0, "rollback") && at(&l, 1, "prepared"))
        return "ROLLBACK PREPARED";
    return NULL;
}

sql_txn_kind sql_txn_control(const char *sql, size_t len)
{
    lead l;
    read_lead(sql, len, &l);
    if (at(&l, 0, "begin") || (at(&l, 0, "start") && at(&l, 1, "transaction")))
        return SQL_TXN_BEGIN;
    if (at(&l, 0, "commit") || at(&l, 0, "end"))
        return at(&l, 1, "prepared") ? SQL_TXN_OTHER : SQL_TXN_COMMIT;
    if (at(&l, 0, "rollback") || at(&l, 0, "abort")) {
        /* ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] s; ROLLBACK PREPARED 'x' */
        int k = (at(&l, 1, "work") || at(&l, 1, "transaction")) ? 2 : 1;
        return at(&l, k, "to") || at(&l, 1, "prepared") ? SQL_TXN_OTHER : SQL_TXN_ROLLBACK;
    }
    if (at(&l, 0, "savepoint") || at(&l, 0, "release") ||
        (at(&l, 0, "prepare") && at(&l, 1, "transaction")))
        return SQL_TXN_OTHER;
    return SQL_TXN_NONE;
}

static bool mentions(const char *text, const sql_token *t, const char *what)
{
    size_t n = t->end - t->start, w = strlen(what);
    for (size_t i = 0; i + w <= n; i++)
        if (strncasecmp(text + t->start + i, what, w) == 0)
            return true;
    return false;
}

bool sql_leaves_read_only(const char *sql)
{
    sql_lexer lx;
    sql_token t;
    sql_lex_init(&lx, sql, strlen(sql));
    bool after_read = false, after_session = false, after_reset = false;
    bool setting = false, set_config = false, names_guc = false, first = true;
    for (sql_lex_next(&lx, &t); t.kind != SQL_TOK_EOF; sql_lex_next(&lx, &t)) {
        bool word = t.kind == SQL_TOK_WORD;
        if (word && ((after_read && sql_tok_is(sql, &t, "write")) ||
                     (after_session && sql_tok_is(sql, &t, "authorization")) ||
                     (after_reset && sql_tok_is(sql, &t, "all"))))
            return true;
        if (first)
            setting = word && (sql_tok_is(sql, &t, "set") || sql_tok_is(sql, &t, "reset"));
        first = false;
        set_config |= word && sql_tok_is(sql, &t, "set_config");
        names_guc |= (word || t.kind == SQL_TOK_QIDENT || t.kind == SQL_TOK_STRING) &&
                     (mentions(sql, &t, "transaction_read_only") ||
                      mentions(sql, &t, "session_authorization"));
        after_read = word && sql_tok_is(sql, &t, "read");
        after_session = word && sql_tok_is(sql, &t, "session");
        after_reset = word && sql_tok_is(sql, &t, "reset");
    }
    /* SHOW and current_setting() only read the setting */
    return names_guc && (setting || set_config);
}
