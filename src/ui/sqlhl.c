/* sqlhl.c — see sqlhl.h. */
#include "ui/sqlhl.h"

#include "common/sqllex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The commonly typed part of PostgreSQL's keyword list (sorted). */
const char *const sqlhl_keywords[] = {
    "ABORT",
    "ALL",
    "ALTER",
    "ANALYZE",
    "AND",
    "ANY",
    "ARRAY",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BIGINT",
    "BOOLEAN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLUMN",
    "COMMENT",
    "COMMIT",
    "CONCURRENTLY",
    "CONFLICT",
    "CONSTRAINT",
    "COPY",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "EXPLAIN",
    "EXTENSION",
    "FALSE",
    "FETCH",
    "FILTER",
    "FIRST",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "FUNCTION",
    "GRANT",
    "GROUP",
    "HAVING",
    "IF",
    "ILIKE",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTEGER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "LANGUAGE",
    "LAST",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOCK",
    "MATERIALIZED",
    "NOT",
    "NOTHING",
    "NULL",
    "NULLS",
    "NUMERIC",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "PRIMARY",
    "PROCEDURE",
    "REFERENCES",
    "REFRESH",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RETURNING",
    "RETURNS",
    "REVOKE",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "SAVEPOINT",
    "SCHEMA",
    "SELECT",
    "SEQUENCE",
    "SET",
    "SHOW",
    "SOME",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "TEXT",
    "THEN",
    "TIMESTAMP",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "TRUE",
    "TRUNCATE",
    "TYPE",
    "UNION",
    "UNIQUE",
    "UNLOGGED",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VARCHAR",
    "VIEW",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    NULL,
};

static int cmp_kw(const void *key, const void *elem)
{
    return strcasecmp((const char *)key, *(const char *const *)elem);
}

bool sqlhl_is_keyword(const char *word, size_t n)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, word, n);
    buf[n] = '\0';
    size_t count = sizeof sqlhl_keywords / sizeof sqlhl_keywords[0] - 1;
    return bsearch(buf, sqlhl_keywords, count, sizeof sqlhl_keywords[0], cmp_kw) != NULL;
}

/* Marks the comments in a gap (blanks and comments only) as sqllex left it. */
static void mark_comments(const char *s, size_t from, size_t to, unsigned char *cls)
{
    size_t i = from;
    while (i < to) {
        if (s[i] == '-' && i + 1 < to && s[i + 1] == '-') {
            while (i < to && s[i] != '\n')
                cls[i++] = HL_COMMENT;
        } else if (s[i] == '/' && i + 1 < to && s[i + 1] == '*') {
            int depth = 0;
            while (i < to) {
                if (s[i] == '/' && i + 1 < to && s[i + 1] == '*') {
                    depth++;
                    cls[i++] = HL_COMMENT;
                } else if (s[i] == '*' && i + 1 < to && s[i + 1] == '/') {
                    depth--;
                    cls[i++] = HL_COMMENT;
                    if (depth == 0) {
                        cls[i++] = HL_COMMENT;
                        break;
                    }
                }
                cls[i++] = HL_COMMENT;
            }
        } else {
            i++;
        }
    }
}

void sqlhl_classify(const char *text, size_t len, unsigned char *cls)
{
    memset(cls, HL_PLAIN, len);
    sql_lexer lx;
    sql_lex_init(&lx, text, len);
    for (;;) {
        sql_token t;
        sql_lex_next(&lx, &t);
        /* the gap before a token: blanks and comments */
        mark_comments(text, t.gap_start, t.start < len ? t.start : len, cls);
        if (t.kind == SQL_TOK_EOF || t.end <= t.start) {
            if (t.kind == SQL_TOK_EOF)
                break;
            if (lx.pos <= t.start) /* no progress: never loop forever */
                break;
            continue;
        }
        unsigned char c = HL_PLAIN;
        switch (t.kind) {
        case SQL_TOK_WORD:
            if (sqlhl_is_keyword(text + t.start, t.end - t.start))
                c = HL_KEYWORD;
            break;
        case SQL_TOK_STRING:
            c = HL_STRING;
            break;
        case SQL_TOK_NUMBER:
            c = HL_NUMBER;
            break;
        default:
            break;
        }
        if (c != HL_PLAIN)
            memset(cls + t.start, c, (t.end > len ? len : t.end) - t.start);
    }
}
