/* hist.h — a log-bucketed latency histogram (HDR-style): recording is O(1)
 * and allocation-free, percentiles are within ~3 % of the true value, range
 * 1 ns to ~10^18 ns. Not thread-safe: one owner, copied to publish. */
#ifndef PGDECK_HIST_H
#define PGDECK_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5 /* 32 sub-buckets per power of two */
#define HIST_BUCKETS (64 << HIST_SUB_BITS)

typedef struct hist {
    uint64_t count;
    uint64_t sum_ns;
    uint64_t max_ns;
    uint32_t buckets[HIST_BUCKETS];
} hist;

void hist_init(hist *h);
void hist_record(hist *h, uint64_t ns);
/* Value at percentile p (0 < p <= 100), in ns; 0 for an empty histogram. */
uint64_t hist_percentile(const hist *h, double p);
double hist_mean_ns(const hist *h);
void hist_merge(hist *dst, const hist *src);

/* The recent past: HIST_WINDOW_SLOTS histograms of slot_ns each, the oldest
 * cleared as time moves on, so a sum covers between (SLOTS-1) and SLOTS
 * slots back from now (50 to 60 s with 10 s slots). Times are monotonic ns
 * given by the caller; not thread-safe either. */
#define HIST_WINDOW_SLOTS 6

typedef struct hist_window {
    hist slot[HIST_WINDOW_SLOTS];
    uint64_t slot_ns;
    uint64_t cur; /* the current slot's number: now / slot_ns */
} hist_window;

/* w is zeroed memory (calloc) or a window used before: slots that never
 * held anything are not touched, so an unused window costs no memory. */
void hist_window_init(hist_window *w, uint64_t slot_ns);
void hist_window_record(hist_window *w, uint64_t now_ns, uint64_t ns);
/* Adds every slot still in the window at now_ns into out. */
void hist_window_sum(hist_window *w, uint64_t now_ns, hist *out);

#endif
