/* sqlquote.c — quoting for SQL text. See sqlquote.h. */
#include "common/sqlquote.h"

#include <string.h>

void sql_append_quoted(strbuf *sb, const char *s, char quote)
{
    sb_append_c(sb, quote);
    for (const char *c = s; *c; c++) {
        if (*c == quote)
            sb_append_c(sb, quote);
        sb_append_c(sb, *c);
    }
    sb_append_c(sb, quote);
}

char *sql_quote_ident(const char *name)
{
    strbuf sb;
    sb_init(&sb);
    sql_append_quoted(&sb, name, '"');
    return sb_steal(&sb);
}

char *sql_quote_literal(const char *value)
{
    strbuf sb;
    sb_init(&sb);
    if (strchr(value, '\\'))
        sb_append(&sb, " E");
    sb_append_c(&sb, '\'');
    for (const char *c = value; *c; c++) {
        if (*c == '\'' || *c == '\\')
            sb_append_c(&sb, *c);
        sb_append_c(&sb, *c);
    }
    sb_append_c(&sb, '\'');
    return sb_steal(&sb);
}
