/* hist.c — the latency histogram against exact percentiles of sorted arrays. */
#include "common/hist.h"
#include "tests/lib/tap.h"

#include <stdint.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    /* xorshift64*: reproducible across runs and platforms */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of a sorted array. */
static uint64_t exact_percentile(const uint64_t *v, size_t n, double p)
{
    double want = p / 100.0 * (double)n;
    size_t rank = (size_t)want;
    if ((double)rank < want || rank == 0)
        rank++;
    return v[rank - 1];
}

static double rel_err(uint64_t got, uint64_t want)
{
    if (want == 0)
        return got == 0 ? 0.0 : 1.0;
    double d = (double)got - (double)want;
    return (d < 0 ? -d : d) / (double)want;
}

static void check_distribution(const char *name, uint64_t *v, size_t n)
{
    hist h;
    hist_init(&h);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        hist_record(&h, v[i]);
        sum += v[i];
    }
    qsort(v, n, sizeof *v, cmp_u64);
    static const double ps[] = {1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};
    double worst = 0;
    double worst_p = 0;
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
        double e = rel_err(hist_percentile(&h, ps[k]), exact_percentile(v, n, ps[k]));
        if (e > worst) {
            worst = e;
            worst_p = ps[k];
        }
    }
    ok(worst <= 0.03, "%s: percentiles within 3%% (worst %.4f at p%g)", name, worst, worst_p);
    is_int(h.count, n, "%s: count", name);
    is_int(h.max_ns, v[n - 1], "%s: max", name);
    is_int(hist_percentile(&h, 100), v[n - 1], "%s: p100 is the max", name);
    ok(hist_mean_ns(&h) == (double)sum / (double)n, "%s: mean", name);
}

int main(void)
{
    plan_no_plan();
    enum { N = 200000 };
    uint64_t *v = malloc(N * sizeof *v);

    hist h;
    hist_init(&h);
    is_int(hist_percentile(&h, 50), 0, "empty histogram: p50 is 0");
    ok(hist_mean_ns(&h) == 0.0, "empty histogram: mean is 0");

    /* Small values are exact. */
    for (uint64_t i = 0; i < 32; i++)
        hist_record(&h, i);
    is_int(hist_percentile(&h, 50), 15, "values below 32 are exact (p50)");
    is_int(hist_percentile(&h, 100), 31, "values below 32 are exact (p100)");
    is_int(hist_percentile(&h, 0.1), 0, "lowest percentile is the minimum");

    /* Uniform over a narrow range (typical of a steady latency). */
    for (size_t i = 0; i < N; i++)
        v[i] = 800000 + rng() % 400000;
    check_distribution("uniform 0.8-1.2 ms", v, N);

    /* Log-uniform from 1 ns to ~10^12 ns: every bucket range gets used. */
    for (size_t i = 0; i < N; i++)
        v[i] = (uint64_t)1 << (rng() % 40) | (rng() & 0xFF);
    check_distribution("log-uniform 1 ns .. 1e12 ns", v, N);

    /* A long tail: most fast, a few very slow. */
    for (size_t i = 0; i < N; i++)
        v[i] = (rng() % 100 == 0) ? 50000000 + rng() % 950000000 : 100000 + rng() % 900000;
    check_distribution("long tail", v, N);

    /* Extremes of the range: 10^18 ns and UINT64_MAX must not overflow. */
    hist_init(&h);
    hist_record(&h, 1000000000000000000ull);
    hist_record(&h, UINT64_MAX);
    ok(rel_err(hist_percentile(&h, 50), 1000000000000000000ull) <= 0.03, "10^18 ns is recorded");
    is_int(hist_percentile(&h, 100) == UINT64_MAX, 1, "UINT64_MAX is the max");

    /* Merge equals recording everything into one. */
    hist a, b, all;
    hist_init(&a);
    hist_init(&b);
    hist_init(&all);
    for (size_t i = 0; i < 10000; i++) {
        uint64_t x = rng() % 10000000;
        hist_record(i % 2 ? &a : &b, x);
        hist_record(&all, x);
    }
    hist_merge(&a, &b);
    ok(memcmp(&a, &all, sizeof a) == 0, "merge equals recording into one histogram");

    /* The window: 10 s slots, six of them. */
    hist_window *w = calloc(1, sizeof *w);
    hist sum;
    const uint64_t S = 10000000000ull; /* 10 s */
    uint64_t t0 = 1000 * S + 3;        /* a monotonic clock well past 0 */
    hist_window_init(w, S);
    for (int i = 0; i < 100; i++)
        hist_window_record(w, t0, 1000000); /* 1 ms */
    hist_init(&sum);
    hist_window_sum(w, t0 + S / 2, &sum);
    is_int((long long)sum.count, 100, "window: what was just recorded counts");
    hist_window_record(w, t0 + 2 * S, 90000000); /* 90 ms, two slots later */
    hist_init(&sum);
    hist_window_sum(w, t0 + 2 * S, &sum);
    is_int((long long)sum.count, 101, "window: both slots within the minute");
    is_int((long long)sum.max_ns, 90000000, "window: its max is the window's");
    hist_init(&sum);
    hist_window_sum(w, t0 + 6 * S, &sum);
    is_int((long long)sum.count, 1, "window: after 60 s the first slot is gone");
    ok(rel_err(hist_percentile(&sum, 95), 90000000) <= 0.03, "window: p95 is the recent 90 ms");
    hist_init(&sum);
    hist_window_sum(w, t0 + 100 * S, &sum);
    is_int((long long)sum.count, 0, "window: after a long quiet spell it is empty");
    hist_window_record(w, t0 + 100 * S, 5);
    hist_init(&sum);
    hist_window_sum(w, t0 + 100 * S, &sum);
    is_int((long long)sum.count, 1, "window: and records again");
    free(w);

    free(v);
    return done_testing();
}
