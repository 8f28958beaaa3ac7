/* rates.c — rates, interval means, history and SLOs from stats snapshots. */
#include "ui/rates.h"

#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double rate_per_sec(uint64_t before, uint64_t after, double dt_s)
{
    if (dt_s <= 0 || after < before)
        return 0;
    return (double)(after - before) / dt_s;
}

double interval_mean(uint64_t count_a, double mean_a, uint64_t count_b, double mean_b)
{
    if (count_b <= count_a)
        return 0;
    double sum = mean_b * (double)count_b - mean_a * (double)count_a;
    double m = sum / (double)(count_b - count_a);
    /* Float rounding on large counts can dip just below zero. */
    return m > 0 ? m : 0;
}

void pool_sample_from_stats(pool_sample *s, const eng_stats *st)
{
    memset(s, 0, sizeof *s);
    s->t = st->taken_at;
    s->connected = st->connected;
    s->pool_size = st->pool_size;
    s->pool_available = st->pool_available;
    s->requests_waiting = st->requests_waiting;
    s->pool_max = st->pool_max;
    s->requests_num = st->requests_num;
    s->requests_errors = st->requests_errors;
    s->requests_wait_ms = st->requests_wait_ms;
    s->queries_num = st->queries_num;
    s->queries_errors = st->queries_errors;
    s->connections_num = st->connections_num;
    s->connections_errors = st->connections_errors;
    s->connections_lost = st->connections_lost;
    s->wait_count = st->wait.count;
    s->wait_mean = st->wait.mean;
    s->wait_p50 = st->wait_recent.p50;
    s->wait_p95 = st->wait_recent.p95;
    s->wait_p99 = st->wait_recent.p99;
    s->query_count = st->query.count;
    s->query_mean = st->query.mean;
    s->query_recent_count = st->query_recent.count;
    s->query_p50 = st->query_recent.p50;
    s->query_p95 = st->query_recent.p95;
    s->query_p99 = st->query_recent.p99;
}

/* A counter's growth between a and b, 0 after a reset. */
static uint64_t grew(uint64_t a, uint64_t b)
{
    return b >= a ? b - a : 0;
}

void pool_rates_between(const pool_sample *a, const pool_sample *b, pool_rates *out)
{
    memset(out, 0, sizeof *out);
    double dt = b->t - a->t;
    if (dt <= 0)
        return;
    out->dt = dt;
    out->requests_per_s = rate_per_sec(a->requests_num, b->requests_num, dt);
    out->queries_per_s = rate_per_sec(a->queries_num, b->queries_num, dt);
    out->errors_per_s = (double)(grew(a->queries_errors, b->queries_errors) +
                                 grew(a->requests_errors, b->requests_errors)) /
                        dt;
    out->connections_per_s = rate_per_sec(a->connections_num, b->connections_num, dt);
    out->wait_mean_ms = interval_mean(a->wait_count, a->wait_mean, b->wait_count, b->wait_mean);
    out->query_mean_ms =
        interval_mean(a->query_count, a->query_mean, b->query_count, b->query_mean);
}

/* ---- history ring ----------------------------------------------------- */

void pool_history_init(pool_history *h, int cap)
{
    h->cap = cap > 0 ? cap : 1;
    h->v = xcalloc((size_t)h->cap, sizeof *h->v);
    h->len = 0;
    h->head = -1;
}

void pool_history_free(pool_history *h)
{
    free(h->v);
    memset(h, 0, sizeof *h);
}

void pool_history_clear(pool_history *h)
{
    h->len = 0;
    h->head = -1;
}

void pool_history_push(pool_history *h, const pool_sample *s)
{
    h->head = (h->head + 1) % h->cap;
    h->v[h->head] = *s;
    if (h->len < h->cap)
        h->len++;
}

const pool_sample *pool_history_at(const pool_history *h, int age)
{
    if (age < 0 || age >= h->len)
        return NULL;
    return &h->v[((h->head - age) % h->cap + h->cap) % h->cap];
}

const pool_sample *pool_history_window_start(const pool_history *h, double seconds)
{
    if (h->len < 2)
        return NULL;
    const pool_sample *newest = pool_history_at(h, 0);
    for (int age = 1; age < h->len; age++) {
        const pool_sample *s = pool_history_at(h, age);
        if (newest->t - s->t >= seconds)
            return s;
    }
    return pool_history_at(h, h->len - 1);
}

double pool_history_uptime(const pool_history *h, double seconds)
{
    if (h->len < 2)
        return -1;
    const pool_sample *newest = pool_history_at(h, 0);
    double up = 0, total = 0;
    for (int age = 0; age + 1 < h->len; age++) {
        const pool_sample *s = pool_history_at(h, age), *before = pool_history_at(h, age + 1);
        if (newest->t - before->t > seconds && total > 0)
            break;
        double dt = s->t - before->t;
        if (dt <= 0)
            continue;
        total += dt;
        if (s->connected)
            up += dt;
    }
    return total > 0 ? 100.0 * up / total : -1;
}

static double series_value(const pool_sample *prev, const pool_sample *s, pool_series which)
{
    pool_rates r;
    switch (which) {
    case SERIES_QUERY_P95:
        return s->query_p95;
    case SERIES_WAIT_P95:
        return s->wait_p95;
    case SERIES_IN_USE:
        return s->pool_size - s->pool_available;
    case SERIES_WAITING:
        return s->requests_waiting;
    case SERIES_QUERY_MEAN:
    case SERIES_WAIT_MEAN:
    case SERIES_QUERIES_PER_S:
    case SERIES_REQUESTS_PER_S:
        break;
    }
    pool_rates_between(prev, s, &r);
    switch (which) {
    case SERIES_QUERY_MEAN:
        return r.query_mean_ms;
    case SERIES_WAIT_MEAN:
        return r.wait_mean_ms;
    case SERIES_QUERIES_PER_S:
        return r.queries_per_s;
    case SERIES_REQUESTS_PER_S:
        return r.requests_per_s;
    default:
        return 0;
    }
}

static bool series_needs_pair(pool_series which)
{
    return which == SERIES_QUERY_MEAN || which == SERIES_WAIT_MEAN ||
           which == SERIES_QUERIES_PER_S || which == SERIES_REQUESTS_PER_S;
}

int pool_history_series(const pool_history *h, pool_series which, double *out, int max)
{
    bool pair = series_needs_pair(which);
    int avail = pair ? h->len - 1 : h->len;
    if (avail <= 0 || max <= 0)
        return 0;
    int n = avail < max ? avail : max;
    /* out[0] is the oldest of the n newest values: age n-1 ... 0. */
    for (int i = 0; i < n; i++) {
        int age = n - 1 - i;
        const pool_sample *s = pool_history_at(h, age);
        const pool_sample *prev = pair ? pool_history_at(h, age + 1) : s;
        out[i] = series_value(prev, s, which);
    }
    return n;
}

/* ---- success metrics ------------------------------------------------- */

void slo_evaluate(const pool_sample *a, const pool_sample *b, double uptime_pct, uint64_t rss_bytes,
                  slo_result out[SLO_COUNT])
{
    static const pool_sample zero;
    if (!a)
        a = &zero;
    memset(out, 0, sizeof(slo_result) * SLO_COUNT);

    slo_result *p95 = &out[SLO_P95];
    p95->kind = SLO_P95;
    p95->name = "p95 latency";
    p95->target = "< 50 ms";
    p95->value = b->query_p95;
    p95->idle = b->query_recent_count == 0;
    p95->met = p95->value < SLO_P95_MS;
    snprintf(p95->text, sizeof p95->text, "%.1f ms", p95->value);

    slo_result *av = &out[SLO_AVAILABILITY];
    av->kind = SLO_AVAILABILITY;
    av->name = "availability";
    av->target = "> 95 %";
    uint64_t req = grew(a->requests_num, b->requests_num);
    uint64_t failed = grew(a->requests_errors, b->requests_errors);
    if (failed > req) /* errors counted before their request landed in the window */
        failed = req;
    if (req > 0) {
        av->value = 100.0 * (double)(req - failed) / (double)req;
        if (uptime_pct >= 0 && uptime_pct < av->value)
            av->value = uptime_pct;
    } else {
        av->idle = true;
        av->value = uptime_pct >= 0 ? uptime_pct : b->connected ? 100.0 : 0.0;
    }
    av->met = av->value > SLO_AVAILABILITY_PCT;
    snprintf(av->text, sizeof av->text, "%.1f %%", av->value);

    slo_result *er = &out[SLO_ERROR_RATE];
    er->kind = SLO_ERROR_RATE;
    er->name = "error rate";
    er->target = "< 1 %";
    uint64_t ran = grew(a->queries_num, b->queries_num);
    uint64_t bad = grew(a->queries_errors, b->queries_errors);
    if (bad > ran)
        bad = ran;
    er->idle = ran == 0;
    er->value = ran ? 100.0 * (double)bad / (double)ran : 0.0;
    er->met = er->value < SLO_ERROR_RATE_PCT;
    snprintf(er->text, sizeof er->text, "%.2f %%", er->value);

    slo_result *mem = &out[SLO_MEMORY];
    mem->kind = SLO_MEMORY;
    mem->name = "memory (RSS)";
    mem->target = "< 256 MB";
    mem->value = (double)rss_bytes / (1024.0 * 1024.0);
    mem->met = mem->value < SLO_MEMORY_MB;
    snprintf(mem->text, sizeof mem->text, "%.1f MB", mem->value);
}

uint64_t self_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    if (n != 2)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    return (uint64_t)resident * (uint64_t)(page > 0 ? page : 4096);
}
