/* metrics.c — per-statement metrics keyed by the normalized text's
 * fingerprint (as pg_stat_statements normalizes), and the slow log: a ring
 * of executions over slow_threshold_ms. The table is bounded: when full,
 * the entry with the fewest calls makes room. Written by the engine thread,
 * copied out by readers, both under metrics_lock. */
#include "engine/engine_int.h"

#include "common/fingerprint.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define METRICS_MAX 512
#define QUERY_TEXT_MAX 4096

uint64_t metrics_fingerprint(const char *sql)
{
    uint64_t fp = sql_fingerprint(sql, NULL);
    return fp ? fp : 1; /* 0 means "compute it" */
}

void metrics_init(engine *e)
{
    e->metrics_cap = METRICS_MAX;
    e->metrics = xcalloc(e->metrics_cap, sizeof *e->metrics);
    e->metrics_index_cap = METRICS_MAX * 4;
    e->metrics_index = xcalloc(e->metrics_index_cap, sizeof *e->metrics_index);
    e->slow = xcalloc(e->cfg.slowlog_size ? e->cfg.slowlog_size : 1, sizeof *e->slow);
}

void metrics_free(engine *e)
{
    for (size_t i = 0; i < e->nmetrics; i++)
        free(e->metrics[i].query);
    free(e->metrics);
    free(e->metrics_index);
    size_t cap = e->cfg.slowlog_size ? e->cfg.slowlog_size : 1;
    for (size_t i = 0; i < cap; i++)
        free(e->slow[i].query);
    free(e->slow);
}

static void index_rebuild(engine *e)
{
    memset(e->metrics_index, 0, e->metrics_index_cap * sizeof *e->metrics_index);
    for (size_t i = 0; i < e->nmetrics; i++) {
        size_t h = (size_t)e->metrics[i].fp & (e->metrics_index_cap - 1);
        while (e->metrics_index[h])
            h = (h + 1) & (e->metrics_index_cap - 1);
        e->metrics_index[h] = i + 1;
    }
}

static metric_entry *lookup(engine *e, uint64_t fp)
{
    size_t h = (size_t)fp & (e->metrics_index_cap - 1);
    while (e->metrics_index[h]) {
        metric_entry *m = &e->metrics[e->metrics_index[h] - 1];
        if (m->fp == fp)
            return m;
        h = (h + 1) & (e->metrics_index_cap - 1);
    }
    return NULL;
}

static metric_entry *add(engine *e, uint64_t fp, const char *sql)
{
    if (e->nmetrics == e->metrics_cap) {
        size_t victim = 0;
        for (size_t i = 1; i < e->nmetrics; i++)
            if (e->metrics[i].calls < e->metrics[victim].calls)
                victim = i;
        free(e->metrics[victim].query);
        e->metrics[victim] = e->metrics[--e->nmetrics];
        index_rebuild(e);
    }
    metric_entry *m = &e->metrics[e->nmetrics++];
    memset(m, 0, sizeof *m);
    m->fp = fp;
    strbuf sb;
    sb_init(&sb);
    sql_fingerprint(sql, &sb);
    if (sb.len > QUERY_TEXT_MAX)
        sb.data[QUERY_TEXT_MAX] = '\0';
    m->query = sb_steal(&sb);
    hist_init(&m->h);
    size_t h = (size_t)fp & (e->metrics_index_cap - 1);
    while (e->metrics_index[h])
        h = (h + 1) & (e->metrics_index_cap - 1);
    e->metrics_index[h] = e->nmetrics;
    return m;
}

void metrics_record(engine *e, uint64_t fp, const char *sql, uint64_t ns, uint64_t rows,
                    bool failed, int backend_pid)
{
    if (!fp)
        fp = metrics_fingerprint(sql);
    double ms = (double)ns / 1e6;
    bool slow = ms >= e->cfg.slow_threshold_ms;
    pthread_mutex_lock(&e->metrics_lock);
    metric_entry *m = lookup(e, fp);
    if (!m)
        m = add(e, fp, sql);
    m->calls++;
    m->rows += rows;
    m->total_ns += ns;
    if (failed)
        m->errors++;
    hist_record(&m->h, ns);
    if (slow) {
        eng_slow_entry *s = &e->slow[e->slow_next];
        free(s->query);
        s->at = eng_wall_now();
        s->ms = ms;
        s->query = xstrndup(sql, strnlen(sql, QUERY_TEXT_MAX)); /* xstrndup copies n bytes */
        s->backend_pid = backend_pid;
        s->failed = failed;
        e->slow_next = (e->slow_next + 1) % e->cfg.slowlog_size;
        if (e->slow_count < e->cfg.slowlog_size)
            e->slow_count++;
    }
    pthread_mutex_unlock(&e->metrics_lock);
}

static void metric_out(eng_stmt_metric *o, const metric_entry *src)
{
    o->fingerprint = src->fp;
    o->query = xstrdup(src->query);
    o->calls = src->calls;
    o->errors = src->errors;
    o->rows = src->rows;
    o->total_ms = (double)src->total_ns / 1e6;
    o->mean_ms = src->calls ? o->total_ms / (double)src->calls : 0;
    o->p50_ms = (double)hist_percentile(&src->h, 50) / 1e6;
    o->p95_ms = (double)hist_percentile(&src->h, 95) / 1e6;
    o->p99_ms = (double)hist_percentile(&src->h, 99) / 1e6;
    o->max_ms = (double)src->h.max_ns / 1e6;
}

size_t eng_metrics_get(engine *e, eng_stmt_metric **out)
{
    pthread_mutex_lock(&e->metrics_lock);
    size_t n = e->nmetrics;
    eng_stmt_metric *m = n ? xcalloc(n, sizeof *m) : NULL;
    for (size_t i = 0; i < n; i++)
        metric_out(&m[i], &e->metrics[i]);
    pthread_mutex_unlock(&e->metrics_lock);
    *out = m;
    return n;
}

/* Adds src into the table all[0..*n) (a new entry for a new fingerprint). */
static void merge_entry(metric_entry *all, size_t *n, const metric_entry *src)
{
    for (size_t i = 0; i < *n; i++) {
        if (all[i].fp == src->fp) {
            all[i].calls += src->calls;
            all[i].errors += src->errors;
            all[i].rows += src->rows;
            all[i].total_ns += src->total_ns;
            hist_merge(&all[i].h, &src->h);
            return;
        }
    }
    all[*n] = *src;
    all[*n].query = src->query; /* borrowed until the copy-out */
    (*n)++;
}

size_t eng_metrics_get_merged(engine *const *es, int n, eng_stmt_metric **out)
{
    if (n == 1)
        return eng_metrics_get(es[0], out);
    /* the engines' locks are held together: the borrowed texts stay valid */
    size_t cap = 0, nall = 0;
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&es[i]->metrics_lock);
        cap += es[i]->nmetrics;
    }
    metric_entry *all = cap ? xcalloc(cap, sizeof *all) : NULL;
    for (int i = 0; i < n; i++)
        for (size_t k = 0; k < es[i]->nmetrics; k++)
            merge_entry(all, &nall, &es[i]->metrics[k]);
    eng_stmt_metric *m = nall ? xcalloc(nall, sizeof *m) : NULL;
    for (size_t i = 0; i < nall; i++)
        metric_out(&m[i], &all[i]);
    for (int i = n - 1; i >= 0; i--)
        pthread_mutex_unlock(&es[i]->metrics_lock);
    free(all);
    *out = m;
    return nall;
}

void eng_metrics_free(eng_stmt_metric *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].query);
    free(m);
}

size_t eng_slowlog_get(engine *e, eng_slow_entry **out)
{
    pthread_mutex_lock(&e->metrics_lock);
    size_t n = e->slow_count, cap = e->cfg.slowlog_size;
    eng_slow_entry *s = n ? xcalloc(n, sizeof *s) : NULL;
    for (size_t i = 0; i < n; i++) {
        /* newest first */
        size_t k = (e->slow_next + cap - 1 - i) % cap;
        s[i] = e->slow[k];
        s[i].query = xstrdup(e->slow[k].query ? e->slow[k].query : "");
    }
    pthread_mutex_unlock(&e->metrics_lock);
    *out = s;
    return n;
}

void eng_slowlog_free(eng_slow_entry *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i].query);
    free(s);
}
