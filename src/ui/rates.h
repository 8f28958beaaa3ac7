/* rates.h — what the pool pane derives from the engine's stats snapshots:
 * per-second rates from the deltas of two snapshots, per-interval latency
 * means, a history ring of small samples (for sparklines and windowed SLOs),
 * and the seed's success metrics evaluated over a window.
 *
 * Pure arithmetic on eng_stats: no curses, no libpq, no clock (the caller
 * passes snapshots, the snapshot carries its own time). */
#ifndef PGDECK_RATES_H
#define PGDECK_RATES_H

#include "engine/engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per-second rate of a monotonically growing counter between two readings.
 * A counter that went backwards (the engine or its pool restarted: a reset)
 * gives 0 for that interval, never a negative rate; so does dt <= 0. */
double rate_per_sec(uint64_t before, uint64_t after, double dt_s);

/* Mean of the values recorded between two readings of a histogram summary
 * (count, mean): (mean_b*count_b - mean_a*count_a) / (count_b - count_a).
 * 0 when nothing was recorded in between or the histogram was reset. */
double interval_mean(uint64_t count_a, double mean_a, uint64_t count_b, double mean_b);

/* One tick's worth of the stats the pane keeps history of (an eng_stats
 * snapshot is ~14 KB; this is ~200 bytes, so minutes of it are cheap). */
typedef struct pool_sample {
    double t; /* eng_stats.taken_at (monotonic seconds) */
    bool connected;
    int pool_size, pool_available, requests_waiting, pool_max;
    uint64_t requests_num, requests_errors, requests_wait_ms;
    uint64_t queries_num, queries_errors;
    uint64_t connections_num, connections_errors, connections_lost;
    uint64_t wait_count, query_count;
    double wait_mean, query_mean; /* ms, since the engine started */
    /* the last minute (eng_stats' *_recent; monitor queries left out) */
    uint64_t query_recent_count;
    double wait_p50, wait_p95, wait_p99;
    double query_p50, query_p95, query_p99;
} pool_sample;

void pool_sample_from_stats(pool_sample *s, const eng_stats *st);

/* Rates between an older sample a and a newer sample b. */
typedef struct pool_rates {
    double dt;                /* seconds between the samples; 0 = no rates yet */
    double requests_per_s;    /* connection requests (checkouts) */
    double queries_per_s;     /* statements run */
    double errors_per_s;      /* failed statements + failed checkouts */
    double connections_per_s; /* new connections opened */
    double wait_mean_ms;      /* mean checkout wait of the interval */
    double query_mean_ms;     /* mean statement time of the interval */
} pool_rates;

void pool_rates_between(const pool_sample *a, const pool_sample *b, pool_rates *out);

/* ---- history ring ----------------------------------------------------- */
typedef struct pool_history {
    pool_sample *v;
    int cap, len, head; /* head: index of the newest sample */
} pool_history;

void pool_history_init(pool_history *h, int cap);
void pool_history_free(pool_history *h);
void pool_history_clear(pool_history *h);
void pool_history_push(pool_history *h, const pool_sample *s);
/* age 0 = newest; NULL when there is no such sample. */
const pool_sample *pool_history_at(const pool_history *h, int age);
/* The newest sample at least `seconds` older than the newest one, or the
 * oldest kept when the history is shorter; NULL with fewer than 2 samples. */
const pool_sample *pool_history_window_start(const pool_history *h, double seconds);

/* Share of the last `seconds` (in %) during which the pool had a usable
 * connection, from the samples' `connected` flags, each sample standing for
 * the interval that ends with it; -1 with fewer than 2 samples. */
double pool_history_uptime(const pool_history *h, double seconds);

/* Series for sparklines, oldest first; returns how many values were written
 * (at most max, the newest ones). Rates and interval means come from
 * consecutive samples, so they have one value fewer than the history. */
typedef enum pool_series {
    SERIES_QUERY_P95,
    SERIES_WAIT_P95,
    SERIES_QUERY_MEAN, /* interval mean */
    SERIES_WAIT_MEAN,  /* interval mean */
    SERIES_QUERIES_PER_S,
    SERIES_REQUESTS_PER_S,
    SERIES_IN_USE,
    SERIES_WAITING,
} pool_series;

int pool_history_series(const pool_history *h, pool_series which, double *out, int max);

/* ---- success metrics (the seed's targets) ---------------------------- */
/* p95 < 50 ms: statement latency p95 over the last minute (50 to 60 s, as
 *   the engine's window slides), pgdeck's own monitor queries left out;
 *   idle (and met) when none ran in it.
 * availability > 95 %: the lower of two shares over the window:
 *   - checkouts (connection requests) served, i.e. not timed out or refused
 *     (requests_errors against requests_num), when there were any;
 *   - time with a usable connection (pool_history_uptime), when known.
 *   The second makes an outage show at once, before waiting checkouts time
 *   out; with neither, whether the pool has a usable connection now.
 * error rate < 1 %: failed statements / statements run, in the window
 *   (0 % when nothing ran).
 * memory < 256 MB: pgdeck's own resident set size. */
#define SLO_P95_MS 50.0
#define SLO_AVAILABILITY_PCT 95.0
#define SLO_ERROR_RATE_PCT 1.0
#define SLO_MEMORY_MB 256.0

typedef enum slo_kind { SLO_P95, SLO_AVAILABILITY, SLO_ERROR_RATE, SLO_MEMORY, SLO_COUNT } slo_kind;

typedef struct slo_result {
    slo_kind kind;
    const char *name;   /* "p95 latency" */
    const char *target; /* "< 50 ms" */
    double value;       /* in the target's unit */
    bool met;
    bool idle;     /* no traffic in the window: value is the fallback */
    char text[48]; /* the value as shown: "12.3 ms", "99.8 %", "14 MB" */
} slo_result;

/* Evaluates the four SLOs between window start a (may be NULL: only the
 * newest sample b counts, from the engine's start) and b. uptime_pct is
 * pool_history_uptime() over the same window (< 0: unknown). rss_bytes is
 * pgdeck's RSS. out must hold SLO_COUNT entries. */
void slo_evaluate(const pool_sample *a, const pool_sample *b, double uptime_pct, uint64_t rss_bytes,
                  slo_result out[SLO_COUNT]);

/* Resident set size of this process from /proc/self/statm, in bytes; 0 when
 * unavailable. */
uint64_t self_rss_bytes(void);

#endif
