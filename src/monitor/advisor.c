/* advisor.c — candidate indexes from a plan, tried through hypopg (see
 * advisor.h). Column names come from the server's own deparsed conditions
 * (EXPLAIN VERBOSE qualifies every column with its alias), so only
 * alias.column pairs whose alias is a scanned table count. Names are
 * another role's input: they reach SQL only through sql_quote_ident. */
#include "monitor/advisor.h"

#include "common/sqllex.h"
#include "common/sqlquote.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct table_ref {
    const char *alias;
    const plan_node *scan;
} table_ref;

/* A token as a name: words are folded to lower case (as the server would),
 * quoted identifiers unquoted. */
static char *token_name(const char *s, const sql_token *t)
{
    if (t->kind == SQL_TOK_WORD) {
        char *w = xstrndup(s + t->start, t->end - t->start);
        for (char *c = w; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        return w;
    }
    if (t->kind == SQL_TOK_QIDENT && t->end - t->start >= 2 && s[t->start] == '"') {
        strbuf sb;
        sb_init(&sb);
        for (size_t i = t->start + 1; i + 1 < t->end; i++) {
            sb_append_c(&sb, s[i]);
            if (s[i] == '"' && s[i + 1] == '"')
                i++;
        }
        return sb_steal(&sb);
    }
    return NULL;
}

static const plan_node *find_alias(const table_ref *refs, size_t n, const char *alias)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(refs[i].alias, alias) == 0)
            return refs[i].scan;
    return NULL;
}

typedef struct colref {
    const plan_node *scan;
    char *column;
} colref;

/* The alias.column references of one text, in order. */
static size_t column_refs(const char *text, const table_ref *refs, size_t nrefs, colref *out,
                          size_t max)
{
    sql_lexer lx;
    size_t len = strlen(text), n = 0;
    sql_lex_init(&lx, text, len);
    sql_token a = {.kind = SQL_TOK_EOF}, dot = {.kind = SQL_TOK_EOF}, t;
    for (;;) {
        sql_lex_next(&lx, &t);
        if (t.kind == SQL_TOK_EOF)
            break;
        bool is_dot = dot.kind == SQL_TOK_OP && dot.end - dot.start == 1 && text[dot.start] == '.';
        if (is_dot && (t.kind == SQL_TOK_WORD || t.kind == SQL_TOK_QIDENT) &&
            (a.kind == SQL_TOK_WORD || a.kind == SQL_TOK_QIDENT) && n < max) {
            char *alias = token_name(text, &a);
            const plan_node *scan = alias ? find_alias(refs, nrefs, alias) : NULL;
            free(alias);
            char *col = scan ? token_name(text, &t) : NULL;
            if (col) {
                out[n].scan = scan;
                out[n].column = col;
                n++;
            }
        }
        a = dot;
        dot = t;
    }
    return n;
}

static void add_candidate(advisor *out, const plan_node *scan, const char *c1, const char *c2)
{
    if (out->n >= ADVISOR_MAX_CANDIDATES || (c2 && strcmp(c1, c2) == 0))
        return;
    char *cols = c2 ? xasprintf("%s, %s", c1, c2) : xstrdup(c1);
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->c[i].relation, scan->relation) == 0 &&
            strcmp(out->c[i].columns, cols) == 0) {
            free(cols);
            return;
        }
    strbuf sql;
    sb_init(&sql);
    sb_append(&sql, "CREATE INDEX ON ");
    /* the plan's relation is "schema.table" (VERBOSE): quote each part */
    const char *dot = scan->schema_len ? scan->relation + scan->schema_len : NULL;
    if (dot) {
        char *schema = xstrndup(scan->relation, scan->schema_len);
        char *q = sql_quote_ident(schema);
        sb_append(&sql, q);
        sb_append_c(&sql, '.');
        free(q);
        free(schema);
    }
    char *q = sql_quote_ident(dot ? dot + 1 : scan->relation);
    sb_append(&sql, q);
    free(q);
    sb_append(&sql, " (");
    q = sql_quote_ident(c1);
    sb_append(&sql, q);
    free(q);
    if (c2) {
        q = sql_quote_ident(c2);
        sb_append(&sql, ", ");
        sb_append(&sql, q);
        free(q);
    }
    sb_append_c(&sql, ')');
    out->c = xrealloc(out->c, (out->n + 1) * sizeof *out->c);
    advisor_candidate *c = &out->c[out->n++];
    memset(c, 0, sizeof *c);
    c->relation = xstrdup(scan->relation);
    c->columns = cols;
    c->create_sql = sb_steal(&sql);
}

#define MAX_REFS 64

void advisor_candidates(const plan *p, advisor *out)
{
    memset(out, 0, sizeof *out);
    table_ref *refs = xcalloc(p->nnodes ? p->nnodes : 1, sizeof *refs);
    size_t nrefs = 0;
    for (size_t i = 0; i < p->nnodes; i++) {
        const plan_node *n = p->nodes[i];
        if (n->relation && n->alias && n->is_table)
            refs[nrefs++] = (table_ref){n->alias, n};
    }
    /* two passes, one node at a time (bounded memory whatever the plan's
     * size): single columns first, then pairs used in one node */
    for (int pass = 0; pass < 2 && out->n < ADVISOR_MAX_CANDIDATES; pass++) {
        for (size_t i = 0; i < p->nnodes && out->n < ADVISOR_MAX_CANDIDATES; i++) {
            const plan_node *n = p->nodes[i];
            strbuf text;
            sb_init(&text);
            sb_append(&text, n->conds);
            if (n->sort_key) {
                sb_append_c(&text, '\n');
                sb_append(&text, n->sort_key);
            }
            colref refs_here[MAX_REFS];
            size_t count = column_refs(text.data, refs, nrefs, refs_here, MAX_REFS);
            sb_free(&text);
            for (size_t k = 0; k < count; k++) {
                if (pass == 0)
                    add_candidate(out, refs_here[k].scan, refs_here[k].column, NULL);
                else
                    for (size_t m = k + 1; m < count; m++)
                        if (refs_here[k].scan == refs_here[m].scan)
                            add_candidate(out, refs_here[k].scan, refs_here[k].column,
                                          refs_here[m].column);
            }
            for (size_t k = 0; k < count; k++)
                free(refs_here[k].column);
        }
    }
    free(refs);
}

void advisor_free(advisor *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->c[i].relation);
        free(a->c[i].columns);
        free(a->c[i].create_sql);
    }
    free(a->c);
    memset(a, 0, sizeof *a);
}

bool advisor_keep(double before, double after)
{
    return before > 0 && after <= before * (1.0 - ADVISOR_MIN_GAIN);
}

const char *advisor_probe_sql(void)
{
    return "SELECT " MON_SQL_MARK
           " EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS installed,"
           " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS available,"
           " current_setting('server_version_num')::int / 10000 AS major,"
           " (SELECT quote_ident(n.nspname) FROM pg_extension e"
           "   JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'hypopg') AS schema";
}

char *advisor_missing_message(const eng_result *r)
{
    if (!r || eng_result_ncols(r) != 4 || eng_result_nrows(r) != 1)
        return xstrdup("the index advisor could not tell whether hypopg is installed");
    if (strcmp(eng_result_value(r, 0, 0), "t") == 0)
        return NULL;
    if (strcmp(eng_result_value(r, 0, 1), "t") == 0)
        return xstrdup("the index advisor needs the hypopg extension, which is available on the "
                       "server but not installed in this database.\n"
                       "  Run: CREATE EXTENSION hypopg;  (as a role allowed to create it)");
    return xasprintf("the index advisor needs the hypopg extension, which is not available on "
                     "the server.\n"
                     "  Install it on the database server (Debian/Ubuntu: apt-get install "
                     "postgresql-%s-hypopg; elsewhere: https://github.com/HypoPG/hypopg),\n"
                     "  then run: CREATE EXTENSION hypopg;  in this database",
                     eng_result_value(r, 0, 2));
}

char *advisor_schema(const eng_result *r)
{
    if (!r || eng_result_ncols(r) != 4 || eng_result_nrows(r) != 1 || eng_result_isnull(r, 0, 3))
        return NULL;
    return xstrdup(eng_result_value(r, 0, 3));
}

char *advisor_hypo_sql(const char *schema, const char *create_sql)
{
    /* the text as a literal (EXECUTE in the sandbox takes no parameters):
     * built from quoted identifiers only, so a dollar quote with a tag it
     * does not contain holds it whatever standard_conforming_strings is */
    if (strstr(create_sql, "$pgdeck_ix$"))
        return NULL;
    return xasprintf("SELECT " MON_SQL_MARK " indexrelid::pg_catalog.text FROM "
                     "%s.hypopg_create_index($pgdeck_ix$%s$pgdeck_ix$)",
                     schema, create_sql);
}

char *advisor_reset_sql(const char *schema)
{
    return xasprintf("SELECT " MON_SQL_MARK " %s.hypopg_reset()::pg_catalog.text", schema);
}

char *advisor_explain_sql(const char *statement)
{
    return xasprintf("EXPLAIN (VERBOSE, FORMAT JSON) %s", statement);
}
