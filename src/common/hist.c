/* hist.c — log-bucketed latency histogram.
 *
 * Values below 2^HIST_SUB_BITS get one exact bucket each. Above that, each
 * power of two [2^e, 2^(e+1)) is cut into 2^HIST_SUB_BITS equal sub-buckets,
 * so a bucket is at most 1/32 of its value wide (~3 %); reporting its
 * midpoint keeps the error within ~1.6 %. The bucket index comes from the
 * position of the highest set bit, so recording is a handful of
 * instructions with no loop and no allocation. */
#include "common/hist.h"

#include <string.h>

#define SUB_COUNT (1u << HIST_SUB_BITS)

static unsigned bucket_of(uint64_t v)
{
    if (v < SUB_COUNT)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= HIST_SUB_BITS */
    unsigned shift = e - HIST_SUB_BITS;
    unsigned sub = (unsigned)(v >> shift) & (SUB_COUNT - 1);
    return (shift + 1) * SUB_COUNT + sub;
}

/* Smallest value that falls into bucket i, and the bucket's width. */
static void bucket_range(unsigned i, uint64_t *low, uint64_t *width)
{
    if (i < SUB_COUNT) {
        *low = i;
        *width = 1;
        return;
    }
    unsigned shift = i / SUB_COUNT - 1;
    uint64_t sub = i % SUB_COUNT;
    *low = (SUB_COUNT + sub) << shift;
    *width = (uint64_t)1 << shift;
}

void hist_init(hist *h)
{
    memset(h, 0, sizeof *h);
}

void hist_record(hist *h, uint64_t ns)
{
    h->buckets[bucket_of(ns)]++;
    h->count++;
    h->sum_ns += ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

uint64_t hist_percentile(const hist *h, double p)
{
    if (h->count == 0)
        return 0;
    if (p >= 100.0)
        return h->max_ns;
    if (!(p > 0.0)) /* also NaN */
        p = 0.0;
    /* The rank of the wanted sample, 1-based, as "nearest rank" defines it. */
    double want = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want || rank == 0)
        rank++;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t low, width;
            bucket_range(i, &low, &width);
            uint64_t v = low + (width - 1) / 2;
            return v > h->max_ns ? h->max_ns : v;
        }
    }
    return h->max_ns;
}

double hist_mean_ns(const hist *h)
{
    return h->count ? (double)h->sum_ns / (double)h->count : 0.0;
}

void hist_merge(hist *dst, const hist *src)
{
    for (unsigned i = 0; i < HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum_ns += src->sum_ns;
    if (src->max_ns > dst->max_ns)
        dst->max_ns = src->max_ns;
}

/* Empties a slot; one that never held anything is left untouched (its
 * zeroed pages are not made resident). */
static void slot_clear(hist *h)
{
    if (h->count)
        hist_init(h);
}

void hist_window_init(hist_window *w, uint64_t slot_ns)
{
    for (int i = 0; i < HIST_WINDOW_SLOTS; i++)
        slot_clear(&w->slot[i]);
    w->slot_ns = slot_ns ? slot_ns : 1;
    w->cur = 0;
}

/* Moves to the slot of now, clearing the slots it reuses. */
static hist *window_advance(hist_window *w, uint64_t now_ns)
{
    uint64_t n = now_ns / w->slot_ns;
    if (n > w->cur) {
        uint64_t from = n - w->cur > HIST_WINDOW_SLOTS ? n - HIST_WINDOW_SLOTS + 1 : w->cur + 1;
        for (uint64_t k = from; k <= n; k++)
            slot_clear(&w->slot[k % HIST_WINDOW_SLOTS]);
        w->cur = n;
    }
    return &w->slot[w->cur % HIST_WINDOW_SLOTS];
}

void hist_window_record(hist_window *w, uint64_t now_ns, uint64_t ns)
{
    hist_record(window_advance(w, now_ns), ns);
}

void hist_window_sum(hist_window *w, uint64_t now_ns, hist *out)
{
    window_advance(w, now_ns);
    for (int i = 0; i < HIST_WINDOW_SLOTS; i++)
        if (w->slot[i].count)
            hist_merge(out, &w->slot[i]);
}
