/* complete.c — see complete.h. */
#include "ui/complete.h"

#include "common/xalloc.h"
#include "ui/sqlhl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One result: kind, qualifier, name. Tables and functions of every schema
 * but pg_toast; columns of non-system tables; a bound keeps it small. */
static const char catalog_sql[] =
    "SELECT 's', NULL, nspname FROM pg_catalog.pg_namespace "
    " WHERE nspname !~ '^pg_(toast|temp)' "
    "UNION ALL "
    "SELECT 't', n.nspname, c.relname FROM pg_catalog.pg_class c "
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    " WHERE c.relkind IN ('r','v','m','p','f') AND n.nspname !~ '^pg_(toast|temp)' "
    "UNION ALL "
    "SELECT 'c', c.relname, a.attname FROM pg_catalog.pg_attribute a "
    "  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
    "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','v','m','p','f') "
    "   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_' "
    "UNION ALL "
    "SELECT DISTINCT 'f', n.nspname, p.proname FROM pg_catalog.pg_proc p "
    "  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
    " WHERE n.nspname !~ '^pg_(toast|temp)' "
    "LIMIT 100000";

void cpl_init(completer *c)
{
    memset(c, 0, sizeof *c);
}

static void clear_entries(completer *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->e[i].qual);
        free(c->e[i].name);
    }
    c->n = 0;
}

void cpl_free(completer *c)
{
    clear_entries(c);
    free(c->e);
    memset(c, 0, sizeof *c);
}

void cpl_add(completer *c, char kind, const char *qual, const char *name)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->e = xrealloc(c->e, (size_t)c->cap * sizeof *c->e);
    }
    c->e[c->n].kind = kind;
    c->e[c->n].qual = qual ? xstrdup(qual) : NULL;
    c->e[c->n].name = xstrdup(name);
    c->n++;
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

bool cpl_on_event(completer *c, engine *e, const eng_event *ev)
{
    if (!ev->tag || strcmp(ev->tag, CPL_TAG) != 0)
        return false;
    if (ev->id != c->pending)
        return true; /* an older request's leftovers */
    if (ev->kind == EV_RESULT && ev->result && eng_result_status(ev->result) == ENG_RES_TUPLES) {
        clear_entries(c);
        const eng_result *r = ev->result;
        int n = eng_result_nrows(r);
        for (int i = 0; i < n; i++) {
            const char *k = eng_result_value(r, i, 0);
            const char *q = eng_result_isnull(r, i, 1) ? NULL : eng_result_value(r, i, 1);
            cpl_add(c, k[0], q, eng_result_value(r, i, 2));
        }
        c->loaded = true;
    } else if (ev->kind == EV_DONE) {
        c->pending = 0;
        if (c->stale)
            cpl_request(c, e);
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool all_lower(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isupper((unsigned char)s[i]))
            return false;
    return true;
}

static void push(char ***list, int *n, int *cap, const char *s)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *list = xrealloc(*list, (size_t)*cap * sizeof **list);
    }
    (*list)[(*n)++] = xstrdup(s);
}

static bool qual_eq(const char *q, const char *want, size_t n)
{
    return q && strlen(q) == n && strncmp(q, want, n) == 0;
}

int cpl_candidates(const completer *c, const char *word, size_t n, char ***out)
{
    char **list = NULL;
    int cnt = 0, cap = 0;
    const char *dot = NULL;
    for (size_t i = 0; i < n; i++)
        if (word[i] == '.')
            dot = word + i;
    if (dot) {
        size_t qn = (size_t)(dot - word);
        const char *pfx = dot + 1;
        size_t pn = n - qn - 1;
        for (int i = 0; i < c->n; i++) {
            const cpl_entry *e = &c->e[i];
            bool in = (e->kind == CPL_TABLE || e->kind == CPL_FUNCTION || e->kind == CPL_COLUMN) &&
                      qual_eq(e->qual, word, qn);
            if (in && strncmp(e->name, pfx, pn) == 0)
                push(&list, &cnt, &cap, e->name);
        }
    } else {
        bool lower = all_lower(word, n);
        for (int i = 0; sqlhl_keywords[i]; i++)
            if (strncasecmp(sqlhl_keywords[i], word, n) == 0) {
                char *k = xstrdup(sqlhl_keywords[i]);
                if (lower)
                    for (char *p = k; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
                push(&list, &cnt, &cap, k);
                free(k);
            }
        for (int i = 0; i < c->n; i++) {
            const cpl_entry *e = &c->e[i];
            /* bare names: schemas, and what the default search_path shows */
            bool visible =
                e->kind == CPL_SCHEMA || e->kind == CPL_COLUMN ||
                (e->qual && (strcmp(e->qual, "public") == 0 || strcmp(e->qual, "pg_catalog") == 0));
            if (visible && strncmp(e->name, word, n) == 0)
                push(&list, &cnt, &cap, e->name);
        }
    }
    if (cnt > 1)
        qsort(list, (size_t)cnt, sizeof *list, cmp_str);
    int u = 0;
    for (int i = 0; i < cnt; i++) {
        if (u > 0 && strcmp(list[u - 1], list[i]) == 0) {
            free(list[i]);
            continue;
        }
        list[u++] = list[i];
    }
    *out = list;
    return u;
}

void cpl_free_list(char **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

char *cpl_common_prefix(char **list, int n)
{
    if (n == 0)
        return xstrdup("");
    size_t len = strlen(list[0]);
    for (int i = 1; i < n; i++) {
        size_t j = 0;
        while (j < len && list[i][j] == list[0][j])
            j++;
        len = j;
    }
    /* never cut a UTF-8 sequence */
    while (len > 0 && ((unsigned char)list[0][len] & 0xC0) == 0x80)
        len--;
    return xstrndup(list[0], len);
}
