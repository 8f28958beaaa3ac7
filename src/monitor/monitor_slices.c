/* monitor_slices.c — the rolling read of the catalog that chooses the rows
 * of the tables and indexes views (monitor_server.h, "the rolling catalog
 * pass"): one slice of tables by oid per statement, a running top for the
 * sort kept here, the chosen rows handed to srv_view_sql_rows. */
#include "monitor/monitor_server.h"

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "monitor/monitor.h"
#include "monitor/monitor_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NKEYS 4 /* indexes: invalid, duplicate, unused, the sort key */

typedef struct pass_row {
    unsigned long oid;
    double k[NKEYS]; /* compared in order, descending, NULL (NAN) last */
    char *dup;       /* indexes: the older index this one duplicates, or NULL */
} pass_row;

struct srv_pass {
    const srv_view *v;
    int key_col;
    size_t limit, slice;
    unsigned long last_oid, max_oid;
    bool done;
    size_t slices;
    pass_row *top;
    size_t n, cap;
};

int srv_pass_key_col(const srv_view *v, int sort_col)
{
    if (sort_col >= 0 && sort_col < v->ncols && v->cols[sort_col].order)
        return sort_col;
    return v->default_sort;
}

srv_pass *srv_pass_new(const srv_view *v, int sort_col, int limit, int slice)
{
    srv_pass *p = xcalloc(1, sizeof *p);
    p->v = v;
    p->key_col = srv_pass_key_col(v, sort_col);
    p->limit = limit > 0 ? (size_t)limit : 100;
    /* a table costs the indexes slice a pg_index lookup and a window sort
     * too: half as many a slice keep the statement as cheap */
    p->slice = slice > 0              ? (size_t)slice
               : v->id == SRV_INDEXES ? SRV_SLICE_ROWS / 2
                                      : SRV_SLICE_ROWS;
    p->last_oid = SRV_FIRST_USER_OID;
    return p;
}

void srv_pass_free(srv_pass *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->top[i].dup);
    free(p->top);
    free(p);
}

int srv_pass_sort(const srv_pass *p)
{
    return p->key_col;
}

bool srv_pass_done(const srv_pass *p)
{
    return p->done;
}

size_t srv_pass_slices(const srv_pass *p)
{
    return p->slices;
}

double srv_pass_pct(const srv_pass *p)
{
    if (p->done)
        return 100;
    if (p->max_oid <= SRV_FIRST_USER_OID || p->last_oid <= SRV_FIRST_USER_OID)
        return 0;
    double pct = 100.0 * (double)(p->last_oid - SRV_FIRST_USER_OID) /
                 (double)(p->max_oid - SRV_FIRST_USER_OID);
    return pct > 99 ? 99 : pct; /* relations created meanwhile may follow */
}

/* The user's tables (and materialized views; for indexes partitioned tables
 * too) after last_oid, by the oid index: the slice costs its own rows only. */
static void slice_tables(strbuf *sb, const srv_pass *p, const char *relkinds)
{
    sb_printf(sb,
              " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
              " WHERE c.oid > '%lu'::oid AND c.relkind IN (%s)"
              " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
              " AND n.nspname !~ '^pg_toast' ORDER BY c.oid LIMIT %zu",
              p->last_oid, relkinds, p->slice);
}

char *srv_pass_slice_sql(const srv_pass *p, const srv_catalog *c)
{
    (void)c; /* the slice reads pg_class and pg_index columns older than 13 */
    if (p->done)
        return NULL;
    const char *order = p->v->cols[p->key_col].order;
    strbuf sb;
    sb_init(&sb);
    if (p->v->id == SRV_TABLES) {
        sb_printf(&sb,
                  "SELECT " MON_SQL_MARK " c.oid AS table_oid, c.oid, %s AS k0, NULL::bool AS k1,"
                  " NULL::bool AS k2, NULL::float8 AS k3, NULL::text AS duplicate_of,"
                  " (SELECT max(m.oid) FROM pg_catalog.pg_class m) AS max_oid",
                  order ? order : "pg_stat_get_dead_tuples(c.oid)");
        slice_tables(&sb, p, "'r', 'm'");
        return sb_steal(&sb);
    }
    /* indexes: a slice of tables, each with all its indexes, so that the
     * duplicates (same table, key, expressions, predicate) are found in it */
    sb_printf(&sb,
              "SELECT " MON_SQL_MARK " t.oid AS table_oid, x.indexrelid AS oid,"
              " NOT x.indisvalid AS k0, x.first_oid <> x.indexrelid AS k1,"
              " x.scans = 0 AND NOT x.indisunique AND NOT x.indisprimary"
              " AND NOT x.indisexclusion AS k2, %s AS k3,"
              " CASE WHEN x.first_oid <> x.indexrelid THEN x.first_oid::regclass::text END"
              " AS duplicate_of, (SELECT max(m.oid) FROM pg_catalog.pg_class m) AS max_oid"
              " FROM (SELECT c.oid",
              order ? order : "x.relpages");
    slice_tables(&sb, p, "'r', 'm', 'p'");
    sb_append(&sb, ") t LEFT JOIN LATERAL (SELECT i.indexrelid, i.indisvalid, i.indisunique,"
                   " i.indisprimary, i.indisexclusion, ci.relpages,"
                   " pg_stat_get_numscans(i.indexrelid) AS scans,"
                   " min(i.indexrelid::int8) OVER (PARTITION BY i.indkey::text,"
                   " coalesce(i.indexprs::text, ''), coalesce(i.indpred::text, ''))::oid"
                   " AS first_oid FROM pg_catalog.pg_index i"
                   " JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid"
                   " WHERE i.indrelid = t.oid) x ON true ORDER BY t.oid, x.indexrelid");
    return sb_steal(&sb);
}

/* As the whole-catalog statement orders: each key descending, NULLs last,
 * then the oid. */
static int row_cmp(const void *pa, const void *pb)
{
    const pass_row *a = pa, *b = pb;
    for (int i = 0; i < NKEYS; i++) {
        double x = a->k[i], y = b->k[i];
        if (isnan(x) || isnan(y)) {
            if (isnan(x) != isnan(y))
                return isnan(x) ? 1 : -1;
            continue;
        }
        if (x != y)
            return x < y ? 1 : -1;
    }
    return a->oid < b->oid ? -1 : a->oid > b->oid;
}

static double key_value(const eng_result *r, int row, int col)
{
    if (col < 0 || eng_result_isnull(r, row, col))
        return NAN;
    const char *t = eng_result_value(r, row, col);
    if (t[0] == 't' || t[0] == 'f')
        return t[0] == 't';
    return strtod(t, NULL);
}

bool srv_pass_add(srv_pass *p, const eng_result *r, char **err)
{
    int ct = r ? col_index(r, "table_oid") : -1, co = r ? col_index(r, "oid") : -1;
    int cd = r ? col_index(r, "duplicate_of") : -1, cm = r ? col_index(r, "max_oid") : -1;
    int ck[NKEYS];
    for (int i = 0; i < NKEYS; i++) {
        char name[8];
        snprintf(name, sizeof name, "k%d", i);
        ck[i] = r ? col_index(r, name) : -1;
    }
    if (!r || eng_result_status(r) != ENG_RES_TUPLES || ct < 0 || co < 0 || cd < 0 || cm < 0 ||
        ck[NKEYS - 1] < 0) {
        if (err)
            *err = xasprintf("not a slice of the %s view's catalog", p->v->name);
        return false;
    }
    int nrows = eng_result_nrows(r);
    size_t tables = 0;
    for (int j = 0; j < nrows; j++) {
        unsigned long t = strtoul(eng_result_value(r, j, ct), NULL, 10);
        if (t != p->last_oid) { /* rows come by table oid, a table's indexes together */
            tables++;
            p->last_oid = t;
        }
        unsigned long m = strtoul(eng_result_value(r, j, cm), NULL, 10);
        if (m > p->max_oid)
            p->max_oid = m;
        if (eng_result_isnull(r, j, co))
            continue; /* a table without indexes */
        if (p->n == p->cap) {
            p->cap = p->cap ? 2 * p->cap : p->limit + p->slice;
            p->top = xrealloc(p->top, p->cap * sizeof *p->top);
        }
        pass_row *row = &p->top[p->n++];
        row->oid = strtoul(eng_result_value(r, j, co), NULL, 10);
        for (int i = 0; i < NKEYS; i++)
            row->k[i] = key_value(r, j, ck[i]);
        row->dup = get_str(r, j, cd);
    }
    p->slices++;
    if (tables < p->slice)
        p->done = true; /* the last slice came short: every table was read */
    if (p->n > 1) /* qsort wants a real array, even for no rows */
        qsort(p->top, p->n, sizeof *p->top, row_cmp);
    for (; p->n > p->limit; p->n--)
        free(p->top[p->n - 1].dup);
    return true;
}

static int col_of(const srv_view *v, const char *key)
{
    for (int i = 0; i < v->ncols; i++)
        if (strcmp(v->cols[i].key, key) == 0)
            return i;
    return -1;
}

srv_snap *srv_pass_rows(const srv_pass *p, const srv_snap *prev)
{
    const srv_view *v = p->v;
    /* what the rows' refresh carries until it reads it again */
    static const char *const carried[] = {"table_bytes", "toast_bytes", "index_bytes",
                                          "total_bytes", "definition"};
    int coid = col_of(v, "oid"), cdup = col_of(v, "duplicate_of");
    srv_snap *s = xcalloc(1, sizeof *s);
    s->view = v;
    s->absent = xcalloc((size_t)v->ncols, sizeof *s->absent);
    s->note = xstrdup("");
    s->n = p->n;
    s->rows = xcalloc(s->n ? s->n : 1, sizeof *s->rows);
    for (size_t j = 0; j < s->n; j++) {
        srv_row *row = &s->rows[j];
        row->text = xcalloc((size_t)v->ncols, sizeof *row->text);
        row->num = xcalloc((size_t)v->ncols, sizeof *row->num);
        row->rate = xcalloc((size_t)v->ncols, sizeof *row->rate);
        for (int i = 0; i < v->ncols; i++)
            row->num[i] = row->rate[i] = NAN;
        char oid[24];
        snprintf(oid, sizeof oid, "%lu", p->top[j].oid);
        row->text[coid] = xstrdup(oid);
        if (cdup >= 0)
            row->text[cdup] = xstrdup(p->top[j].dup ? p->top[j].dup : "");
        /* a row shown before keeps its sizes until they are read again */
        const srv_row *old = NULL;
        for (size_t k = 0; prev && prev->view == v && k < prev->n && !old; k++)
            if (strcmp(prev->rows[k].text[coid], oid) == 0)
                old = &prev->rows[k];
        for (size_t z = 0; z < sizeof carried / sizeof carried[0]; z++) {
            int c = col_of(v, carried[z]);
            if (c >= 0)
                row->text[c] = xstrdup(old ? old->text[c] : "");
        }
        for (int i = 0; i < v->ncols; i++)
            if (!row->text[i])
                row->text[i] = xstrdup("");
    }
    return s;
}
