/* complete.c — the catalog snapshot and the candidates (see complete.h). */
#include "ui/complete.h"

#include "common/utf8.h"
#include "common/strbuf.h"
#include "common/xalloc.h"
#include "ui/sqlhl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* kind, schema, relation, name, and for foreign keys (one row per column
 * pair) the referenced schema, relation, column and the key's oid. Each part
 * is bounded, so a huge catalog cannot push the keys out. */
static const char catalog_sql[] =
    "(SELECT 's', NULL, NULL, nspname, NULL, NULL, NULL, NULL FROM pg_catalog.pg_namespace "
    "  WHERE nspname !~ '^pg_(toast|temp)' LIMIT 10000) "
    "UNION ALL "
    "(SELECT 'p', NULL, NULL, s, NULL, NULL, NULL, NULL "
    "   FROM unnest(pg_catalog.current_schemas(true)) s) "
    "UNION ALL "
    "(SELECT 't', n.nspname, NULL, c.relname, NULL, NULL, NULL, NULL FROM pg_catalog.pg_class c "
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "  WHERE c.relkind IN ('r','v','m','p','f') AND n.nspname !~ '^pg_(toast|temp)' "
    "  LIMIT 30000) "
    "UNION ALL "
    "(SELECT 'k', n.nspname, c.relname, a.attname, rn.nspname, rc.relname, ra.attname, "
    "        con.oid::text "
    "   FROM pg_catalog.pg_constraint con "
    "   JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "   JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid "
    "   JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
    "   CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(att, ratt, ord) "
    "   JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.att "
    "   JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.ratt "
    "  WHERE con.contype = 'f' AND n.nspname !~ '^pg_' "
    "  ORDER BY con.oid, k.ord LIMIT 20000) "
    "UNION ALL "
    "(SELECT 'c', n.nspname, c.relname, a.attname, NULL, NULL, NULL, NULL "
    "   FROM pg_catalog.pg_attribute a "
    "   JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
    "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','v','m','p','f') "
    "    AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' LIMIT 100000) "
    "UNION ALL "
    "(SELECT DISTINCT 'f', n.nspname, NULL, p.proname, NULL, NULL, NULL, NULL "
    "   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
    "  WHERE n.nspname !~ '^pg_(toast|temp)' LIMIT 30000)";

void cpl_init(completer *c)
{
    memset(c, 0, sizeof *c);
}

static void clear_entries(completer *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->e[i].schema);
        free(c->e[i].rel);
        free(c->e[i].name);
    }
    c->n = 0;
    for (int i = 0; i < c->nfk; i++) {
        cpl_fk *k = &c->fk[i];
        free(k->id);
        free(k->schema);
        free(k->rel);
        free(k->ref_schema);
        free(k->ref_rel);
        for (int j = 0; j < k->ncols; j++) {
            free(k->cols[j]);
            free(k->ref_cols[j]);
        }
        free(k->cols);
        free(k->ref_cols);
    }
    c->nfk = 0;
}

void cpl_free(completer *c)
{
    clear_entries(c);
    free(c->e);
    free(c->fk);
    memset(c, 0, sizeof *c);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void cpl_add(completer *c, char kind, const char *schema, const char *rel, const char *name)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->e = xrealloc(c->e, (size_t)c->cap * sizeof *c->e);
    }
    cpl_entry *e = &c->e[c->n++];
    e->kind = kind;
    e->schema = dup_or_null(schema);
    e->rel = dup_or_null(rel);
    e->name = xstrdup(name);
}

void cpl_add_fk(completer *c, const char *id, const char *schema, const char *rel, const char *col,
                const char *ref_schema, const char *ref_rel, const char *ref_col)
{
    cpl_fk *k = NULL;
    for (int i = c->nfk - 1; i >= 0 && !k; i--)
        if (strcmp(c->fk[i].id, id) == 0)
            k = &c->fk[i];
    if (!k) {
        if (c->nfk == c->fkcap) {
            c->fkcap = c->fkcap ? c->fkcap * 2 : 32;
            c->fk = xrealloc(c->fk, (size_t)c->fkcap * sizeof *c->fk);
        }
        k = &c->fk[c->nfk++];
        memset(k, 0, sizeof *k);
        k->id = xstrdup(id);
        k->schema = xstrdup(schema);
        k->rel = xstrdup(rel);
        k->ref_schema = xstrdup(ref_schema);
        k->ref_rel = xstrdup(ref_rel);
    }
    k->cols = xrealloc(k->cols, (size_t)(k->ncols + 1) * sizeof *k->cols);
    k->ref_cols = xrealloc(k->ref_cols, (size_t)(k->ncols + 1) * sizeof *k->ref_cols);
    k->cols[k->ncols] = xstrdup(col);
    k->ref_cols[k->ncols] = xstrdup(ref_col);
    k->ncols++;
}

void cpl_request(completer *c, engine *e)
{
    if (c->pending) {
        c->stale = true;
        return;
    }
    eng_exec_args a = {0};
    a.sql = catalog_sql;
    a.flags = ENG_EXEC_NOMETRICS | ENG_EXEC_NOPREPARE;
    a.tag = CPL_TAG;
    c->pending = eng_exec(e, &a);
    c->stale = false;
}

static const char *val(const eng_result *r, int row, int col)
{
    return eng_result_isnull(r, row, col) ? NULL : eng_result_value(r, row, col);
}

bool cpl_on_event(completer *c, engine *e, const eng_event *ev)
{
    if (!ev->tag || strcmp(ev->tag, CPL_TAG) != 0)
        return false;
    if (ev->id != c->pending)
        return true; /* an older request's leftovers */
    if (ev->kind == EV_RESULT && ev->result && eng_result_status(ev->result) == ENG_RES_TUPLES &&
        eng_result_ncols(ev->result) == 8) {
        clear_entries(c);
        const eng_result *r = ev->result;
        int n = eng_result_nrows(r);
        for (int i = 0; i < n; i++) {
            const char *k = val(r, i, 0), *name = val(r, i, 3);
            if (!k || !name)
                continue;
            if (k[0] == 'k') {
                const char *s = val(r, i, 1), *t = val(r, i, 2), *rs = val(r, i, 4),
                           *rt = val(r, i, 5), *rc = val(r, i, 6), *id = val(r, i, 7);
                if (s && t && rs && rt && rc && id)
                    cpl_add_fk(c, id, s, t, name, rs, rt, rc);
            } else {
                cpl_add(c, k[0], val(r, i, 1), val(r, i, 2), name);
            }
        }
        c->loaded = true;
    } else if (ev->kind == EV_DONE) {
        c->pending = 0;
        if (c->stale)
            cpl_request(c, e);
    }
    return true;
}

/* ---- candidates ----------------------------------------------------------- */

static void push(cpl_list *l, char kind, char *text)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->items = xrealloc(l->items, (size_t)l->cap * sizeof *l->items);
    }
    l->items[l->n].text = text;
    l->items[l->n].kind = kind;
    l->n++;
}

/* A name as SQL text: double-quoted unless it is a plain lower-case word. */
static char *sql_ident(const char *name)
{
    bool plain = (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_';
    for (const char *p = name; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$';
    if (plain && !sqlhl_is_keyword(name, strlen(name)))
        return xstrdup(name);
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "\"");
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sb_append(&sb, "\"\""); /* doubled inside quotes */
        else
            sb_append_n(&sb, p, 1);
    }
    sb_append(&sb, "\"");
    return sb_steal(&sb);
}

static bool matches(const cpl_ctx *ctx, const char *name)
{
    size_t n = strlen(ctx->prefix);
    return ctx->quoted ? strncmp(name, ctx->prefix, n) == 0
                       : strncasecmp(name, ctx->prefix, n) == 0;
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The search path: CPL_PATH entries, else public and pg_catalog. */
static bool on_path(const completer *c, const char *schema)
{
    bool any = false;
    for (int i = 0; i < c->n; i++)
        if (c->e[i].kind == CPL_PATH) {
            any = true;
            if (eq(c->e[i].name, schema))
                return true;
        }
    return !any && (eq(schema, "public") || eq(schema, "pg_catalog"));
}

static bool has_schema(const completer *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (c->e[i].kind == CPL_SCHEMA && eq(c->e[i].name, name))
            return true;
    return false;
}

/* The relation `schema.rel` (schema NULL: the first on the search path):
 * its schema, or NULL when the catalog has no such relation. */
static const char *find_rel(const completer *c, const char *schema, const char *rel)
{
    const char *found = NULL;
    const char *path[64];
    int np = 0;
    for (int i = 0; i < c->n && np < 64; i++)
        if (c->e[i].kind == CPL_PATH)
            path[np++] = c->e[i].name;
    if (np == 0) {
        path[np++] = "pg_catalog";
        path[np++] = "public";
    }
    int best = np;
    for (int i = 0; i < c->n; i++) {
        const cpl_entry *e = &c->e[i];
        if (e->kind != CPL_RELATION || !eq(e->name, rel))
            continue;
        if (schema) {
            if (eq(e->schema, schema))
                return e->schema;
            continue;
        }
        for (int k = 0; k < best; k++)
            if (eq(path[k], e->schema)) {
                best = k;
                found = e->schema;
            }
    }
    return found;
}

/* The relation a qualifier names: an alias or a relation of the statement,
 * else a relation of the catalog. */
static bool resolve(const completer *c, const cpl_ctx *ctx, const char **schema, const char **rel)
{
    if (ctx->nqual == 2) {
        *schema = find_rel(c, ctx->qual[0], ctx->qual[1]);
        *rel = ctx->qual[1];
        return *schema != NULL;
    }
    const char *q = ctx->qual[0];
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < ctx->nscope; i++) {
            const cpl_scope *s = &ctx->scope[i];
            if (pass == 0 ? eq(s->alias, q) : (!s->alias && eq(s->rel, q))) {
                *rel = s->rel;
                *schema = find_rel(c, s->schema, s->rel);
                return *schema != NULL;
            }
        }
    *rel = q;
    *schema = find_rel(c, NULL, q);
    return *schema != NULL;
}

static void add_columns_of(const completer *c, const cpl_ctx *ctx, const char *schema,
                           const char *rel, cpl_list *l)
{
    for (int i = 0; i < c->n; i++) {
        const cpl_entry *e = &c->e[i];
        if (e->kind == CPL_COLUMN && eq(e->schema, schema) && eq(e->rel, rel) &&
            matches(ctx, e->name))
            push(l, CPL_COLUMN, sql_ident(e->name));
    }
}

/* How the statement calls a relation of its scope: alias, else its name. */
static char *scope_ref(const cpl_scope *s)
{
    if (s->alias)
        return sql_ident(s->alias);
    if (s->schema) {
        char *a = sql_ident(s->schema), *b = sql_ident(s->rel);
        char *r = xasprintf("%s.%s", a, b);
        free(a);
        free(b);
        return r;
    }
    return sql_ident(s->rel);
}

/* "j.x = e.y [AND ...]" for a key from (fs, fr) to (ts, tr). */
static char *join_cond(const cpl_fk *k, const char *jref, const char *eref, bool j_is_child)
{
    strbuf sb;
    sb_init(&sb);
    for (int i = 0; i < k->ncols; i++) {
        char *jc = sql_ident(j_is_child ? k->cols[i] : k->ref_cols[i]);
        char *ec = sql_ident(j_is_child ? k->ref_cols[i] : k->cols[i]);
        sb_printf(&sb, "%s%s.%s = %s.%s", i ? " AND " : "", jref, jc, eref, ec);
        free(jc);
        free(ec);
    }
    return sb_steal(&sb);
}

static void add_joins(const completer *c, const cpl_ctx *ctx, bool with_on, cpl_list *l)
{
    if (ctx->joined < 0 || ctx->joined >= ctx->nscope)
        return;
    const cpl_scope *j = &ctx->scope[ctx->joined];
    const char *js = find_rel(c, j->schema, j->rel);
    if (!js)
        return;
    char *jref = scope_ref(j);
    for (int i = ctx->joined - 1; i >= 0; i--) { /* the nearest relation first */
        const cpl_scope *o = &ctx->scope[i];
        const char *os = find_rel(c, o->schema, o->rel);
        if (!os)
            continue;
        char *oref = scope_ref(o);
        for (int k = 0; k < c->nfk; k++) {
            const cpl_fk *f = &c->fk[k];
            bool jchild = eq(f->schema, js) && eq(f->rel, j->rel) && eq(f->ref_schema, os) &&
                          eq(f->ref_rel, o->rel);
            bool ochild = eq(f->schema, os) && eq(f->rel, o->rel) && eq(f->ref_schema, js) &&
                          eq(f->ref_rel, j->rel);
            if (!jchild && !ochild)
                continue;
            char *cond = join_cond(f, jref, oref, jchild);
            char *text = with_on ? xasprintf("%s %s", ctx->lower_kw ? "on" : "ON", cond) : cond;
            if (with_on)
                free(cond);
            if (matches(ctx, text))
                push(l, CPL_JOIN, text);
            else
                free(text);
        }
        free(oref);
    }
    free(jref);
}

static void add_keywords(const cpl_ctx *ctx, cpl_list *l)
{
    bool lower = ctx->prefix[0] ? !isupper((unsigned char)ctx->prefix[0]) : ctx->lower_kw;
    for (int i = 0; sqlhl_keywords[i]; i++)
        if (strncasecmp(sqlhl_keywords[i], ctx->prefix, strlen(ctx->prefix)) == 0) {
            char *k = xstrdup(sqlhl_keywords[i]);
            if (lower)
                for (char *p = k; *p; p++)
                    *p = (char)tolower((unsigned char)*p);
            push(l, CPL_KEYWORD, k);
        }
}

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const cpl_item *)a)->text, ((const cpl_item *)b)->text);
}

/* Sorts l->items[from..) and drops repeats. */
static void sort_group(cpl_list *l, int from)
{
    if (l->n - from > 1)
        qsort(l->items + from, (size_t)(l->n - from), sizeof *l->items, cmp_item);
    int u = from;
    for (int i = from; i < l->n; i++) {
        if (u > from && strcmp(l->items[u - 1].text, l->items[i].text) == 0) {
            free(l->items[i].text);
            continue;
        }
        l->items[u++] = l->items[i];
    }
    l->n = u;
}

void cpl_candidates(const completer *c, const cpl_ctx *ctx, cpl_list *l)
{
    memset(l, 0, sizeof *l);
    l->from = ctx->from;
    l->rule = ctx->rule;
    bool typed = ctx->prefix[0] != '\0';
    const char *qs = NULL, *qr = NULL;
    bool qrel = ctx->nqual > 0 && resolve(c, ctx, &qs, &qr);
    /* a qualifier that is no relation: a schema */
    const char *qschema =
        ctx->nqual == 1 && !qrel && has_schema(c, ctx->qual[0]) ? ctx->qual[0] : NULL;
    unsigned what = ctx->what;
    if (ctx->nqual > 0 && !qrel && qschema) /* schema.: its relations and functions */
        what = (what & CPL_W_COLUMNS ? CPL_W_RELATIONS | CPL_W_FUNCTIONS : 0) |
               (what & (CPL_W_RELATIONS | CPL_W_FUNCTIONS));
    for (unsigned bit = 1; bit <= CPL_W_KEYWORDS; bit <<= 1) {
        if (!(what & bit))
            continue;
        int start = l->n;
        switch (bit) {
        case CPL_W_JOIN:
        case CPL_W_COND:
            add_joins(c, ctx, bit == CPL_W_JOIN, l);
            break;
        case CPL_W_COLUMNS:
            if (ctx->nqual > 0) {
                if (qrel)
                    add_columns_of(c, ctx, qs, qr, l);
            } else if (ctx->nscope > 0) {
                for (int i = 0; i < ctx->nscope; i++) {
                    const char *s = find_rel(c, ctx->scope[i].schema, ctx->scope[i].rel);
                    if (s)
                        add_columns_of(c, ctx, s, ctx->scope[i].rel, l);
                }
            } else if (typed) {
                for (int i = 0; i < c->n; i++)
                    if (c->e[i].kind == CPL_COLUMN && matches(ctx, c->e[i].name))
                        push(l, CPL_COLUMN, sql_ident(c->e[i].name));
            }
            break;
        case CPL_W_RELATIONS:
        case CPL_W_FUNCTIONS: {
            char kind = bit == CPL_W_RELATIONS ? CPL_RELATION : CPL_FUNCTION;
            if (ctx->nqual > 0 && !qschema)
                break;
            if (kind == CPL_FUNCTION && !typed)
                break; /* thousands of them: a letter first */
            for (int i = 0; i < c->n; i++) {
                const cpl_entry *e = &c->e[i];
                if (e->kind != kind || !matches(ctx, e->name))
                    continue;
                if (qschema ? eq(e->schema, qschema) : on_path(c, e->schema))
                    push(l, kind, sql_ident(e->name));
            }
            break;
        }
        case CPL_W_SCHEMAS:
            if (ctx->nqual == 0)
                for (int i = 0; i < c->n; i++)
                    if (c->e[i].kind == CPL_SCHEMA && matches(ctx, c->e[i].name))
                        push(l, CPL_SCHEMA, sql_ident(c->e[i].name));
            break;
        case CPL_W_KEYWORDS:
            if (typed && ctx->nqual == 0 && !ctx->quoted)
                add_keywords(ctx, l);
            break;
        }
        sort_group(l, start);
        /* ON with nothing typed: the join conditions when there are any */
        if ((bit == CPL_W_COND || bit == CPL_W_JOIN) && l->n > 0 && !typed)
            break;
    }
}

void cpl_complete(const completer *c, const char *text, size_t len, size_t point, cpl_list *out)
{
    cpl_ctx ctx;
    cpl_context(text, len, point, &ctx);
    cpl_candidates(c, &ctx, out);
    /* the rule's word is static: it outlives ctx */
    cpl_ctx_free(&ctx);
}

void cpl_list_free(cpl_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->items[i].text);
    free(l->items);
    memset(l, 0, sizeof *l);
}

char *cpl_common_prefix(const cpl_list *l)
{
    if (l->n == 0)
        return xstrdup("");
    const char *first = l->items[0].text;
    size_t len = strlen(first);
    for (int i = 1; i < l->n; i++) {
        size_t j = 0;
        while (j < len && l->items[i].text[j] == first[j])
            j++;
        len = j;
    }
    /* never cut a UTF-8 sequence */
    len = utf8_char_start(first, len);
    return xstrndup(first, len);
}
