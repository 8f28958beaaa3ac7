/* monitor_pgss.c — pg_stat_statements: the statement list's SQL and
 * filters, its parsing, the query text cache, deltas and per-second rates,
 * sorting, reset. See monitor.h. */
#include "monitor/monitor.h"
#include "monitor/monitor_int.h"

#include "common/fingerprint.h"
#include "common/strbuf.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct col_def {
    const char *name, *candidates;
} col_def;

static const col_def counter_defs[MC_COUNT] = {
#define MON_DEF(id, name, cols) {name, cols},
    MON_COUNTERS(MON_DEF)
#undef MON_DEF
};

static const col_def gauge_defs[MG_COUNT] = {
#define MON_DEF(id, name, cols) {name, cols},
    MON_GAUGES(MON_DEF)
#undef MON_DEF
};

const char *mon_counter_name(mon_counter c)
{
    return c < MC_COUNT ? counter_defs[c].name : "?";
}

const char *mon_gauge_name(mon_gauge g)
{
    return g < MG_COUNT ? gauge_defs[g].name : "?";
}

static const char *const sort_names[MON_SORT_COUNT] = {"total", "mean", "calls",
                                                       "rows",  "read", "temp"};

const char *mon_sort_name(mon_sort s)
{
    return s < MON_SORT_COUNT ? sort_names[s] : "?";
}

bool mon_sort_parse(const char *name, mon_sort *out)
{
    for (int i = 0; i < MON_SORT_COUNT; i++)
        if (strcmp(name, sort_names[i]) == 0) {
            *out = (mon_sort)i;
            return true;
        }
    return false;
}

/* The first candidate column the server's view has, into buf; false if none. */
static bool resolve_column(const mon_server *s, const char *candidates, char *buf, size_t n)
{
    const char *p = candidates;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (s->columns && list_has(s->columns, p, l) && l < n) {
            memcpy(buf, p, l);
            buf[l] = '\0';
            return true;
        }
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* The inner query's column, raw: no cast per entry. */
static void append_column(strbuf *sql, const mon_server *s, const col_def *d)
{
    char col[64];
    if (resolve_column(s, d->candidates, col, sizeof col))
        sb_printf(sql, ", s.%s AS %s", col, d->name);
    else
        sb_printf(sql, ", NULL::float8 AS %s", d->name);
}

char *mon_pgss_sql(const mon_server *s, mon_sort sort, int limit, const mon_filter *f)
{
    if (s->state != MON_PGSS_OK || !s->relation)
        return NULL;
    /* without a text filter, counters only: the texts are fetched apart */
    bool texts = (f && f->text && f->text[0]) || !s->function;
    if (limit <= 0)
        limit = MON_DEFAULT_LIMIT;
    const col_def *key;
    switch (sort) {
    case MON_SORT_MEAN:
        key = &gauge_defs[MG_MEAN_MS];
        break;
    case MON_SORT_CALLS:
        key = &counter_defs[MC_CALLS];
        break;
    case MON_SORT_ROWS:
        key = &counter_defs[MC_ROWS];
        break;
    case MON_SORT_READ:
        key = &counter_defs[MC_SHARED_READ];
        break;
    case MON_SORT_TEMP:
        key = &counter_defs[MC_TEMP_WRITTEN];
        break;
    default:
        key = &counter_defs[MC_TOTAL_MS];
        break;
    }
    char col[64];
    if (!resolve_column(s, key->candidates, col, sizeof col))
        strcpy(col, "calls");

    /* The inner query sorts and cuts the entries; names are joined to the
     * rows kept only. No count(*) OVER (): a window over every entry cost
     * more than the rest together; one row beyond the limit says "more". */
    strbuf sql;
    sb_init(&sql);
    sb_append(&sql, "SELECT " MON_SQL_MARK " s.userid, s.dbid, s.queryid, s.toplevel, s.query,"
                    " d.datname, r.rolname");
    /* as the server sends them (text): strtod() reads int8, float8 and numeric
     * alike, and a numeric -> float8 cast per row is not free */
    for (int i = 0; i < MC_COUNT; i++)
        sb_printf(&sql, ", s.%s", counter_defs[i].name);
    for (int i = 0; i < MG_COUNT; i++)
        sb_printf(&sql, ", s.%s", gauge_defs[i].name);
    if (s->info_relation)
        sb_append(&sql, ", extract(epoch FROM i.stats_reset) AS stats_reset, i.dealloc");
    else
        sb_append(&sql, ", NULL::float8 AS stats_reset, NULL::bigint AS dealloc,"
                        " current_setting('pg_stat_statements.max', true)::float8 AS entries_max");
    sb_printf(&sql, ", %d AS fetch_limit FROM (SELECT s.userid, s.dbid, s.queryid", limit);
    sb_append(&sql, list_has(s->columns, "toplevel", 8) ? ", s.toplevel" : ", true AS toplevel");
    for (int i = 0; i < MC_COUNT; i++)
        append_column(&sql, s, &counter_defs[i]);
    for (int i = 0; i < MG_COUNT; i++)
        append_column(&sql, s, &gauge_defs[i]);
    if (texts)
        sb_printf(&sql,
                  ", s.query FROM %s s WHERE s.query NOT LIKE 'SELECT " MON_SQL_MARK
                  "%%' AND ($3::text IS NULL OR strpos(lower(s.query), lower($3)) > 0)",
                  s->relation);
    else
        sb_printf(&sql, ", NULL::text AS query FROM %s(false) s WHERE $3::text IS NULL",
                  s->function);
    sb_printf(&sql,
              " AND ($1::text IS NULL OR s.dbid = (SELECT oid FROM pg_database WHERE datname = $1))"
              " AND ($2::text IS NULL OR s.userid = (SELECT oid FROM pg_roles WHERE rolname = $2))"
              " ORDER BY s.%s DESC NULLS LAST, s.queryid LIMIT %d) s",
              col, limit + 1);
    if (s->info_relation)
        sb_printf(&sql, " CROSS JOIN %s i", s->info_relation);
    sb_printf(&sql,
              " LEFT JOIN pg_database d ON d.oid = s.dbid LEFT JOIN pg_roles r ON r.oid = s.userid"
              " ORDER BY s.%s DESC NULLS LAST, s.queryid",
              key->name);
    return sb_steal(&sql);
}

void mon_pgss_params(const mon_filter *f, const char *params[3])
{
    params[0] = f && f->database && f->database[0] ? f->database : NULL;
    params[1] = f && f->user && f->user[0] ? f->user : NULL;
    params[2] = f && f->text && f->text[0] ? f->text : NULL;
}

void mon_filter_free(mon_filter *f)
{
    free(f->database);
    free(f->user);
    free(f->text);
    f->database = f->user = f->text = NULL;
}

void mon_filter_parse(mon_filter *f, const char *input)
{
    mon_filter_free(f);
    if (!input)
        return;
    strbuf text;
    sb_init(&text);
    const char *p = input;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        size_t len = (size_t)(p - start);
        if (len > 3 && strncmp(start, "db:", 3) == 0)
            set_str(&f->database, xstrndup(start + 3, len - 3));
        else if (len > 9 && strncmp(start, "database:", 9) == 0)
            set_str(&f->database, xstrndup(start + 9, len - 9));
        else if (len > 5 && strncmp(start, "user:", 5) == 0)
            set_str(&f->user, xstrndup(start + 5, len - 5));
        else {
            if (text.len)
                sb_append_c(&text, ' ');
            sb_append_n(&text, start, len);
        }
    }
    if (text.len)
        f->text = sb_steal(&text);
    sb_free(&text);
}

char *mon_filter_format(const mon_filter *f)
{
    strbuf sb;
    sb_init(&sb);
    if (f->database)
        sb_printf(&sb, "db:%s", f->database);
    if (f->user)
        sb_printf(&sb, "%suser:%s", sb.len ? " " : "", f->user);
    if (f->text)
        sb_printf(&sb, "%s%s", sb.len ? " " : "", f->text);
    return sb_steal(&sb);
}

mon_pgss_snap *mon_pgss_parse(const eng_result *r, double taken_at, char **err)
{
    int c_query = col_index(r, "query"), c_user = col_index(r, "userid");
    if (eng_result_status(r) != ENG_RES_TUPLES || c_query < 0 || c_user < 0) {
        if (err)
            *err = xstrdup("unexpected pg_stat_statements result");
        return NULL;
    }
    int c_db = col_index(r, "dbid"), c_qid = col_index(r, "queryid");
    int c_top = col_index(r, "toplevel"), c_datname = col_index(r, "datname");
    int c_rolname = col_index(r, "rolname"), c_reset = col_index(r, "stats_reset");
    int c_dealloc = col_index(r, "dealloc"), c_limit = col_index(r, "fetch_limit");
    int c_max = col_index(r, "entries_max");
    int cc[MC_COUNT], cg[MG_COUNT];
    for (int i = 0; i < MC_COUNT; i++)
        cc[i] = col_index(r, counter_defs[i].name);
    for (int i = 0; i < MG_COUNT; i++)
        cg[i] = col_index(r, gauge_defs[i].name);

    mon_pgss_snap *snap = xcalloc(1, sizeof *snap);
    snap->taken_at = taken_at;
    snap->stats_reset = NAN;
    snap->dealloc = NAN;
    snap->entries_max = NAN;
    int n = eng_result_nrows(r);
    snap->n = (size_t)n;
    snap->rows = n ? xcalloc((size_t)n, sizeof *snap->rows) : NULL;
    for (int i = 0; i < n; i++) {
        mon_stmt *m = &snap->rows[i];
        m->userid = (uint32_t)strtoul(eng_result_value(r, i, c_user), NULL, 10);
        m->dbid = c_db >= 0 ? (uint32_t)strtoul(eng_result_value(r, i, c_db), NULL, 10) : 0;
        m->has_queryid = c_qid >= 0 && !eng_result_isnull(r, i, c_qid);
        m->queryid = m->has_queryid ? strtoll(eng_result_value(r, i, c_qid), NULL, 10) : 0;
        m->toplevel = c_top < 0 || get_bool(r, i, c_top);
        m->database = get_str(r, i, c_datname);
        if (!m->database)
            m->database = xasprintf("%u", m->dbid);
        m->user = get_str(r, i, c_rolname);
        if (!m->user)
            m->user = xasprintf("%u", m->userid);
        m->query = get_str(r, i, c_query);
        if (!m->has_queryid) {
            /* another role's statement: pg_stat_statements hides id and text */
            free(m->query);
            m->query = xstrdup(HIDDEN_TEXT);
        }
        m->has_text = m->query != NULL;
        if (!m->query)
            m->query = xstrdup("");
        m->hidden_text = strcmp(m->query, HIDDEN_TEXT) == 0 || !m->has_queryid;
        m->fingerprint = m->hidden_text || !m->has_text ? 0 : sql_fingerprint(m->query, NULL);
        for (int k = 0; k < MC_COUNT; k++)
            m->c[k] = get_num(r, i, cc[k]);
        for (int k = 0; k < MG_COUNT; k++)
            m->g[k] = get_num(r, i, cg[k]);
        m->interval_mean_ms = NAN;
        if (i == 0) {
            snap->stats_reset = get_num(r, 0, c_reset);
            snap->dealloc = get_num(r, 0, c_dealloc);
            snap->entries_max = c_max >= 0 ? get_num(r, 0, c_max) : NAN;
        }
    }
    /* one row beyond the limit was asked for: its presence says "more" */
    long limit = n ? (long)get_num(r, 0, c_limit) : 0;
    if (limit > 0 && n > limit) {
        mon_stmt *extra = &snap->rows[n - 1];
        free(extra->database);
        free(extra->user);
        free(extra->query);
        snap->n = (size_t)limit;
        snap->truncated = true;
    }
    snap->total_entries = (long)snap->n;
    return snap;
}

void mon_pgss_snap_free(mon_pgss_snap *snap)
{
    if (!snap)
        return;
    for (size_t i = 0; i < snap->n; i++) {
        free(snap->rows[i].database);
        free(snap->rows[i].user);
        free(snap->rows[i].query);
    }
    free(snap->rows);
    free(snap);
}

/* ---- query texts ---------------------------------------------------------- */

typedef struct text_entry {
    uint32_t userid, dbid;
    int64_t queryid;
    char *query;
    unsigned gen; /* last apply that used it */
} text_entry;

struct mon_text_cache {
    text_entry *v;
    size_t n, cap;
    bool sorted;
    unsigned gen;
};

mon_text_cache *mon_text_cache_new(void)
{
    mon_text_cache *c = xcalloc(1, sizeof *c);
    c->sorted = true;
    return c;
}

void mon_text_cache_free(mon_text_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].query);
    free(c->v);
    free(c);
}

static int text_key_cmp(const void *pa, const void *pb)
{
    const text_entry *a = pa, *b = pb;
    if (a->userid != b->userid)
        return a->userid < b->userid ? -1 : 1;
    if (a->dbid != b->dbid)
        return a->dbid < b->dbid ? -1 : 1;
    if (a->queryid != b->queryid)
        return a->queryid < b->queryid ? -1 : 1;
    return 0;
}

static text_entry *text_find(mon_text_cache *c, uint32_t userid, uint32_t dbid, int64_t queryid)
{
    if (!c->sorted) {
        qsort(c->v, c->n, sizeof *c->v, text_key_cmp);
        /* a key added twice keeps one entry (the first after sorting) */
        size_t w = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (w && text_key_cmp(&c->v[w - 1], &c->v[i]) == 0) {
                free(c->v[i].query);
                continue;
            }
            c->v[w++] = c->v[i];
        }
        c->n = w;
        c->sorted = true;
    }
    text_entry key = {.userid = userid, .dbid = dbid, .queryid = queryid};
    return c->n ? bsearch(&key, c->v, c->n, sizeof *c->v, text_key_cmp) : NULL;
}

static void text_add(mon_text_cache *c, uint32_t userid, uint32_t dbid, int64_t queryid,
                     const char *query)
{
    text_entry *e = text_find(c, userid, dbid, queryid);
    if (e) {
        e->gen = c->gen;
        return;
    }
    c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n++] = (text_entry){userid, dbid, queryid, xstrdup(query), c->gen};
    c->sorted = false;
}

char *mon_pgss_text_sql(const mon_server *s)
{
    if (s->state != MON_PGSS_OK || !s->relation)
        return NULL;
    return xasprintf("SELECT " MON_SQL_MARK " s.userid, s.dbid, s.queryid, s.query FROM %s s"
                     " WHERE s.queryid = ANY ($1::int8[])",
                     s->function ? s->function : s->relation);
}

void mon_text_cache_add_result(mon_text_cache *c, const eng_result *r)
{
    int cu = col_index(r, "userid"), cd = col_index(r, "dbid");
    int cq = col_index(r, "queryid"), ct = col_index(r, "query");
    if (eng_result_status(r) != ENG_RES_TUPLES || cu < 0 || cd < 0 || cq < 0 || ct < 0)
        return;
    for (int i = 0; i < eng_result_nrows(r); i++) {
        if (eng_result_isnull(r, i, cq) || eng_result_isnull(r, i, ct))
            continue;
        text_add(c, (uint32_t)strtoul(eng_result_value(r, i, cu), NULL, 10),
                 (uint32_t)strtoul(eng_result_value(r, i, cd), NULL, 10),
                 strtoll(eng_result_value(r, i, cq), NULL, 10), eng_result_value(r, i, ct));
    }
}

static bool is_monitor_text(const char *q)
{
    return strncmp(q, "SELECT " MON_SQL_MARK, strlen("SELECT " MON_SQL_MARK)) == 0;
}

size_t mon_pgss_apply_texts(mon_pgss_snap *snap, mon_text_cache *c, size_t upto, bool give_up,
                            char **param)
{
    if (param)
        *param = NULL;
    c->gen++;
    strbuf ids;
    sb_init(&ids);
    size_t missing = 0, w = 0, dropped = 0;
    for (size_t i = 0; i < snap->n; i++) {
        mon_stmt *m = &snap->rows[i];
        if (m->has_queryid && m->has_text && !m->hidden_text)
            text_add(c, m->userid, m->dbid, m->queryid, m->query);
        if (m->has_queryid && !m->has_text) {
            text_entry *e = text_find(c, m->userid, m->dbid, m->queryid);
            if (e) {
                e->gen = c->gen;
                free(m->query);
                m->query = xstrdup(e->query);
                m->has_text = true;
                m->hidden_text = strcmp(m->query, HIDDEN_TEXT) == 0;
                m->fingerprint = m->hidden_text ? 0 : sql_fingerprint(m->query, NULL);
            } else if (give_up) {
                free(m->query);
                m->query = xstrdup("<text not available>");
                m->has_text = true;
            } else if (w < upto) {
                sb_printf(&ids, "%s%lld", missing ? "," : "{", (long long)m->queryid);
                missing++;
            }
        }
        if (m->has_text && is_monitor_text(m->query)) {
            free(m->database);
            free(m->user);
            free(m->query);
            dropped++;
            continue;
        }
        snap->rows[w++] = *m;
    }
    snap->n = w;
    /* truncated: the count is a lower bound on the server's entries, kept */
    if (dropped && !snap->truncated && snap->total_entries >= (long)dropped)
        snap->total_entries -= (long)dropped;
    if (missing && param) {
        sb_append_c(&ids, '}');
        *param = sb_steal(&ids);
    }
    sb_free(&ids);
    /* forget texts unused for a while, so the cache follows the server */
    if (c->n > 4096 && c->n > 4 * snap->n) {
        size_t k = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (c->gen - c->v[i].gen > 60) {
                free(c->v[i].query);
                continue;
            }
            c->v[k++] = c->v[i];
        }
        c->n = k;
    }
    return missing;
}

static int key_cmp(const mon_stmt *a, const mon_stmt *b)
{
    if (a->userid != b->userid)
        return a->userid < b->userid ? -1 : 1;
    if (a->dbid != b->dbid)
        return a->dbid < b->dbid ? -1 : 1;
    if (a->queryid != b->queryid)
        return a->queryid < b->queryid ? -1 : 1;
    if (a->toplevel != b->toplevel)
        return a->toplevel ? 1 : -1;
    return 0;
}

static int key_cmp_ptr(const void *a, const void *b)
{
    return key_cmp(*(const mon_stmt *const *)a, *(const mon_stmt *const *)b);
}

static bool same_num(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

void mon_pgss_rates(const mon_pgss_snap *prev, mon_pgss_snap *cur)
{
    cur->interval_s = 0;
    cur->reset_seen = false;
    for (size_t i = 0; i < cur->n; i++) {
        cur->rows[i].has_rate = false;
        cur->rows[i].interval_mean_ms = NAN;
        for (int k = 0; k < MC_COUNT; k++)
            cur->rows[i].d[k] = cur->rows[i].r[k] = NAN;
    }
    if (!prev)
        return;
    double dt = cur->taken_at - prev->taken_at;
    if (!(dt > 0))
        return;
    if (!isnan(prev->stats_reset) && !isnan(cur->stats_reset) &&
        prev->stats_reset != cur->stats_reset) {
        cur->reset_seen = true; /* pg_stat_statements_reset(): a new baseline */
        return;
    }
    cur->interval_s = dt;
    /* A row absent before started in the interval only if prev listed every
     * entry and nothing was evicted (dealloc) or reset in between. Without
     * pg_stat_statements_info (13) evictions are not counted, but they only
     * happen at pg_stat_statements.max entries and leave 95 % of them, and
     * only a reset lowers the count (after which every row is new): with the
     * count well below max, nothing was evicted since prev. */
    bool nothing_evicted = !isnan(prev->dealloc) || !isnan(cur->dealloc)
                               ? same_num(prev->dealloc, cur->dealloc) &&
                                     !isnan(prev->stats_reset) && !isnan(cur->stats_reset)
                               : !cur->truncated && cur->entries_max > 0 &&
                                     (double)cur->total_entries < 0.9 * cur->entries_max;
    bool prev_complete = !prev->truncated && nothing_evicted;
    const mon_stmt **idx = prev->n ? xmalloc(prev->n * sizeof *idx) : NULL;
    size_t nidx = 0;
    for (size_t i = 0; i < prev->n; i++)
        if (prev->rows[i].has_queryid)
            idx[nidx++] = &prev->rows[i];
    if (nidx)
        qsort(idx, nidx, sizeof *idx, key_cmp_ptr);
    for (size_t i = 0; i < cur->n; i++) {
        mon_stmt *m = &cur->rows[i];
        if (!m->has_queryid)
            continue;
        const mon_stmt *key = m;
        const mon_stmt **hit = nidx ? bsearch(&key, idx, nidx, sizeof *idx, key_cmp_ptr) : NULL;
        const mon_stmt *old = hit ? *hit : NULL;
        if (!old && !prev_complete)
            continue;
        bool backwards = false;
        for (int k = 0; k < MC_COUNT && old; k++)
            if (!isnan(m->c[k]) && !isnan(old->c[k]) && m->c[k] < old->c[k])
                backwards = true;
        if (backwards) {
            cur->reset_seen = true; /* this entry was reset or evicted and re-created */
            continue;
        }
        m->has_rate = true;
        for (int k = 0; k < MC_COUNT; k++) {
            if (isnan(m->c[k]))
                continue;
            double before = old && !isnan(old->c[k]) ? old->c[k] : 0;
            m->d[k] = m->c[k] - before;
            m->r[k] = m->d[k] / dt;
        }
        if (m->d[MC_CALLS] > 0)
            m->interval_mean_ms = m->d[MC_TOTAL_MS] / m->d[MC_CALLS];
    }
    free(idx);
}

static double sort_value(const mon_stmt *m, mon_sort sort, bool by_rate)
{
    const double *v = by_rate ? m->r : m->c;
    if (by_rate && !m->has_rate)
        return NAN;
    switch (sort) {
    case MON_SORT_MEAN:
        return by_rate ? m->interval_mean_ms : m->g[MG_MEAN_MS];
    case MON_SORT_CALLS:
        return v[MC_CALLS];
    case MON_SORT_ROWS:
        return v[MC_ROWS];
    case MON_SORT_READ:
        return v[MC_SHARED_READ];
    case MON_SORT_TEMP:
        return v[MC_TEMP_WRITTEN];
    default:
        return v[MC_TOTAL_MS];
    }
}

static mon_sort g_sort_key; /* qsort has no context argument; set just before sorting */
static bool g_sort_rate;

static int stmt_cmp(const void *pa, const void *pb)
{
    const mon_stmt *a = pa, *b = pb;
    double x = sort_value(a, g_sort_key, g_sort_rate), y = sort_value(b, g_sort_key, g_sort_rate);
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return x > y ? -1 : 1;
    return key_cmp(a, b);
}

void mon_pgss_sort(mon_pgss_snap *snap, mon_sort sort, bool by_rate)
{
    if (!snap || snap->n < 2)
        return;
    /* qsort_r is a GNU extension with a BSD twin of another signature; the
     * file-scope key is only touched here, on the caller's thread. */
    g_sort_key = sort;
    g_sort_rate = by_rate;
    qsort(snap->rows, snap->n, sizeof *snap->rows, stmt_cmp);
}

char *mon_reset_sql(const mon_server *s)
{
    if (!s->reset_function)
        return NULL;
    return xasprintf("SELECT " MON_SQL_MARK " %s()", s->reset_function);
}

const char *mon_create_sql(void)
{
    return "CREATE EXTENSION IF NOT EXISTS pg_stat_statements";
}

char *mon_explain_sql(const char *query, bool analyze, bool generic)
{
    const char *opts = analyze ? "(ANALYZE, BUFFERS) " : generic ? "(GENERIC_PLAN) " : "";
    return xasprintf("EXPLAIN %s%s", opts, query);
}
