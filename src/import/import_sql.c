/* import_sql.c — the statements the importer sends: CREATE TABLE and COPY
 * text, with every name quoted as PQescapeIdentifier would and every string
 * as PQescapeLiteral would (the importer's threads may not touch a PGconn,
 * so they cannot call libpq's own; see import.h). Nothing from input is
 * pasted into SQL unquoted except a type name import_type_ok accepted. */
#include "import/import_int.h"

#include "common/sqlquote.h"
#include "common/strbuf.h"

#include <stdlib.h>
#include <string.h>

char *import_quote_ident(const char *name)
{
    /* PQescapeIdentifier refuses an invalid encoding: so do we */
    if (!name || csv_utf8_check(name, strlen(name)) != (size_t)-1)
        return NULL;
    return sql_quote_ident(name);
}

char *import_qualified_name(const char *schema, const char *table)
{
    char *t = import_quote_ident(table);
    if (!t || !schema || !*schema)
        return t;
    char *s = import_quote_ident(schema);
    if (!s) {
        free(t);
        return NULL;
    }
    char *r = xasprintf("%s.%s", s, t);
    free(s);
    free(t);
    return r;
}

bool import_type_ok(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '"') { /* a quoted identifier, as format_type writes one */
            for (i++; i < n; i++)
                if (t[i] == '"') {
                    if (t[i + 1] != '"')
                        break;
                    i++;
                }
            if (i >= n)
                return false;
        } else if (c == '(') { /* a type modifier: numbers only */
            for (i++; i < n && t[i] != ')'; i++)
                if (!(t[i] >= '0' && t[i] <= '9') && t[i] != ',' && t[i] != ' ')
                    return false;
            if (i >= n)
                return false;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == ' ' || c == '.' || c == '[' || c == ']' || c >= 0x80)) {
            return false;
        }
    }
    return csv_utf8_check(t, n) == (size_t)-1;
}

char *import_create_sql(const import_spec *s)
{
    char *q = import_qualified_name(s->schema, s->table);
    if (!q || !s->cols)
        return free(q), NULL;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "CREATE TABLE %s (", q);
    free(q);
    int n = 0;
    for (int i = 0; i < s->ncols; i++) {
        if (s->cols[i].skip)
            continue;
        csv_type t = CSV_T_TEXT;
        const char *type = csv_type_name(t);
        if (s->cols[i].type && csv_type_parse(s->cols[i].type, &t))
            type = csv_type_name(t);
        else if (s->cols[i].type && import_type_ok(s->cols[i].type))
            type = s->cols[i].type; /* a type name as the server spells it */
        else if (s->cols[i].type)
            goto bad; /* nothing else is pasted from input */
        char *c = import_quote_ident(s->cols[i].name);
        if (!c)
            goto bad;
        sb_printf(&sb, "%s%s %s", n++ ? ", " : "", c, type);
        free(c);
    }
    sb_append_c(&sb, ')');
    return sb_steal(&sb);
bad:
    sb_free(&sb);
    return NULL;
}

static void append_col_list(strbuf *sb, const char *const *targets, int n)
{
    for (int i = 0; i < n; i++) {
        char *c = import_quote_ident(targets[i]);
        sb_printf(sb, "%s%s", i ? ", " : "", c);
        free(c);
    }
}

char *import_copy_sql(const import_spec *s, const char *const *targets, int ntargets)
{
    char *q = import_qualified_name(s->schema, s->table);
    if (!q)
        return NULL;
    for (int i = 0; i < ntargets; i++)
        if (csv_utf8_check(targets[i], strlen(targets[i])) != (size_t)-1)
            return free(q), NULL;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "COPY %s (", q);
    free(q);
    append_col_list(&sb, targets, ntargets);
    char delim[2] = {s->d.delim, 0}, quote[2] = {s->d.quote, 0};
    char *dl = sql_quote_literal(delim), *ql = sql_quote_literal(quote);
    sb_printf(&sb, ") FROM STDIN (FORMAT csv, DELIMITER %s, QUOTE %s, ESCAPE %s", dl, ql, ql);
    free(dl);
    free(ql);
    if (s->null_str) {
        char *nl = sql_quote_literal(s->null_str);
        sb_printf(&sb, ", NULL %s", nl);
        free(nl);
    }
    sb_printf(&sb, ", ENCODING '%s'", csv_encoding_name(s->d.encoding));
    if (s->null_mode != IMPORT_NULL_CSV && ntargets > 0) {
        sb_append(&sb,
                  s->null_mode == IMPORT_NULL_ALL_EMPTY ? ", FORCE_NULL (" : ", FORCE_NOT_NULL (");
        append_col_list(&sb, targets, ntargets);
        sb_append_c(&sb, ')');
    }
    sb_append_c(&sb, ')');
    return sb_steal(&sb);
}

char *import_copy_sql_freeze(const char *copy_sql)
{
    size_t n = strlen(copy_sql);
    /* import_copy_sql's text ends with the option list's ')' */
    return xasprintf("%.*s, FREEZE)", (int)(n - 1), copy_sql);
}

char *import_copy_sql_binary(const import_spec *s, const char *const *targets, int ntargets)
{
    char *q = import_qualified_name(s->schema, s->table);
    if (!q)
        return NULL;
    for (int i = 0; i < ntargets; i++)
        if (csv_utf8_check(targets[i], strlen(targets[i])) != (size_t)-1)
            return free(q), NULL;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "COPY %s (", q);
    free(q);
    append_col_list(&sb, targets, ntargets);
    sb_append(&sb, ") FROM STDIN (FORMAT binary)");
    return sb_steal(&sb);
}
