/* rates.c — the pool pane's rate, history and SLO arithmetic. */
#include "ui/rates.h"

#include "../lib/tap.h"

#include <math.h>

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

static pool_sample sample_at(double t, uint64_t requests, uint64_t queries, uint64_t qerr)
{
    pool_sample s;
    memset(&s, 0, sizeof s);
    s.t = t;
    s.connected = true;
    s.requests_num = requests;
    s.queries_num = queries;
    s.queries_errors = qerr;
    return s;
}

static void test_rate_per_sec(void)
{
    ok(near(rate_per_sec(100, 300, 2.0), 100.0), "200 in 2 s is 100/s");
    ok(near(rate_per_sec(5, 5, 1.0), 0.0), "no growth is 0/s");
    ok(near(rate_per_sec(1000, 10, 1.0), 0.0), "counter reset gives 0, not a negative rate");
    ok(rate_per_sec(1000, 10, 1.0) >= 0, "counter reset is never negative");
    ok(near(rate_per_sec(0, 10, 0.0), 0.0), "dt 0 gives 0");
    ok(near(rate_per_sec(0, 10, -1.0), 0.0), "negative dt gives 0");
    ok(near(rate_per_sec(0, UINT64_MAX, 1.0), (double)UINT64_MAX), "huge counters do not wrap");
}

static void test_interval_mean(void)
{
    /* 10 values of mean 2, then 10 more of mean 4: overall mean 3 over 20. */
    ok(near(interval_mean(10, 2.0, 20, 3.0), 4.0), "interval mean of the new values");
    ok(near(interval_mean(10, 2.0, 10, 2.0), 0.0), "nothing recorded: 0");
    ok(near(interval_mean(50, 2.0, 10, 9.0), 0.0), "histogram reset: 0");
    ok(interval_mean(3, 1.0000001, 4, 0.75) >= 0, "rounding never makes it negative");
}

static void test_rates_between(void)
{
    pool_sample a = sample_at(10.0, 100, 1000, 1), b = sample_at(12.0, 140, 1100, 3);
    a.connections_num = 2;
    b.connections_num = 4;
    a.requests_errors = 0;
    b.requests_errors = 2;
    a.query_count = 1000;
    a.query_mean = 1.0;
    b.query_count = 1100;
    b.query_mean = (1000 * 1.0 + 100 * 12.0) / 1100.0;
    pool_rates r;
    pool_rates_between(&a, &b, &r);
    ok(near(r.dt, 2.0), "dt");
    ok(near(r.requests_per_s, 20.0), "requests/s");
    ok(near(r.queries_per_s, 50.0), "queries/s");
    ok(near(r.errors_per_s, 2.0), "errors/s counts failed statements and checkouts");
    ok(near(r.connections_per_s, 1.0), "connections/s");
    ok(fabs(r.query_mean_ms - 12.0) < 1e-6, "interval mean query time");

    /* The engine restarted: counters start over. */
    pool_sample c = sample_at(13.0, 3, 7, 0);
    pool_rates_between(&b, &c, &r);
    ok(r.requests_per_s == 0 && r.queries_per_s == 0 && r.errors_per_s == 0 &&
           r.connections_per_s == 0,
       "after a counter reset every rate is 0");
    ok(r.query_mean_ms == 0 && r.wait_mean_ms == 0, "after a reset interval means are 0");

    pool_rates_between(&b, &b, &r);
    ok(r.dt == 0 && r.queries_per_s == 0, "same snapshot twice: no rate");
}

static void test_history(void)
{
    pool_history h;
    pool_history_init(&h, 4);
    ok(pool_history_at(&h, 0) == NULL, "empty history has no newest sample");
    ok(pool_history_window_start(&h, 60) == NULL, "empty history has no window");
    for (int i = 0; i < 6; i++) {
        pool_sample s = sample_at(i, (uint64_t)i * 10, (uint64_t)i * 100, 0);
        s.query_p95 = i;
        pool_history_push(&h, &s);
    }
    is_int(h.len, 4, "ring keeps its capacity");
    ok(pool_history_at(&h, 0)->t == 5.0, "newest is the last pushed");
    ok(pool_history_at(&h, 3)->t == 2.0, "oldest kept is the 4th from last");
    ok(pool_history_at(&h, 4) == NULL, "older than kept: NULL");
    ok(pool_history_window_start(&h, 2.0)->t == 3.0, "window of 2 s starts 2 s back");
    ok(pool_history_window_start(&h, 60.0)->t == 2.0, "window longer than history: oldest");

    double v[8];
    int n = pool_history_series(&h, SERIES_QUERY_P95, v, 8);
    is_int(n, 4, "p95 series has one value per sample");
    ok(v[0] == 2.0 && v[3] == 5.0, "series is oldest first");
    n = pool_history_series(&h, SERIES_QUERIES_PER_S, v, 8);
    is_int(n, 3, "a rate series has one value fewer");
    ok(near(v[0], 100.0) && near(v[2], 100.0), "queries/s series");
    n = pool_history_series(&h, SERIES_QUERY_P95, v, 2);
    ok(n == 2 && v[0] == 4.0 && v[1] == 5.0, "max keeps the newest values");
    ok(near(pool_history_uptime(&h, 60), 100.0), "always connected: 100 %% uptime");
    pool_history_clear(&h);
    ok(pool_history_uptime(&h, 60) < 0, "no history: uptime unknown");
    for (int i = 0; i < 4; i++) {
        pool_sample s = sample_at(i * 10.0, 0, 0, 0);
        s.connected = i != 2; /* down during the interval 10..20 s */
        pool_history_push(&h, &s);
    }
    ok(fabs(pool_history_uptime(&h, 60) - 200.0 / 3) < 1e-9,
       "one of three intervals down: 66.7 %%");
    ok(near(pool_history_uptime(&h, 10), 100.0), "a window over the last interval only: 100 %%");
    ok(near(pool_history_uptime(&h, 20), 50.0), "the last two intervals: 50 %%");
    pool_history_clear(&h);
    is_int(pool_history_series(&h, SERIES_QUERY_P95, v, 8), 0, "cleared history is empty");
    pool_history_free(&h);
}

static void test_slo(void)
{
    slo_result r[SLO_COUNT];
    pool_sample a = sample_at(0, 100, 1000, 0), b = sample_at(60, 300, 2000, 5);
    b.query_p95 = 12.5;
    b.query_count = 2000;
    b.query_recent_count = 300;
    b.requests_errors = 2; /* 2 of 200 checkouts failed: 99 % */
    slo_evaluate(&a, &b, -1, 40u << 20, r);
    ok(r[SLO_P95].met && strcmp(r[SLO_P95].text, "12.5 ms") == 0, "p95 12.5 ms meets < 50 ms");
    ok(!r[SLO_P95].idle, "statements in the last minute: p95 is judged");
    ok(r[SLO_AVAILABILITY].met && near(r[SLO_AVAILABILITY].value, 99.0), "availability 99 %%");
    ok(r[SLO_ERROR_RATE].met == (r[SLO_ERROR_RATE].value < 1.0), "error rate met iff < 1 %%");
    ok(near(r[SLO_ERROR_RATE].value, 0.5), "5 errors in 1000 statements: error rate 0.5 %%");
    ok(r[SLO_MEMORY].met && strcmp(r[SLO_MEMORY].text, "40.0 MB") == 0, "40 MB meets < 256 MB");

    b.query_recent_count = 0;
    slo_evaluate(&a, &b, -1, 40u << 20, r);
    ok(r[SLO_P95].idle && r[SLO_P95].met, "none in the last minute: p95 idle, not missed");
    b.query_recent_count = 300;
    b.query_p95 = 75;
    b.requests_errors = 100 + 20; /* 20 of 200 in the window */
    a.requests_errors = 100;
    b.queries_errors = 50; /* 50 of 1000 */
    slo_evaluate(&a, &b, -1, 300u << 20, r);
    ok(!r[SLO_P95].met, "p95 75 ms misses");
    ok(!r[SLO_AVAILABILITY].met && near(r[SLO_AVAILABILITY].value, 90.0),
       "availability 90 %% misses");
    ok(!r[SLO_ERROR_RATE].met && near(r[SLO_ERROR_RATE].value, 5.0), "error rate 5 %% misses");
    ok(!r[SLO_MEMORY].met, "300 MB misses");

    /* No traffic in the window: availability falls back to connectivity. */
    pool_sample idle = b;
    idle.t = b.t + 60;
    slo_evaluate(&b, &idle, -1, 1, r);
    ok(r[SLO_AVAILABILITY].idle && r[SLO_AVAILABILITY].met, "idle and connected: available");
    ok(r[SLO_ERROR_RATE].idle && r[SLO_ERROR_RATE].met, "idle: no errors");
    idle.connected = false;
    slo_evaluate(&b, &idle, -1, 1, r);
    ok(!r[SLO_AVAILABILITY].met, "idle and disconnected: not available");

    /* Reset between window start and now: never negative, never > 100 %. */
    pool_sample reset = sample_at(200, 3, 3, 0);
    slo_evaluate(&b, &reset, -1, 1, r);
    ok(r[SLO_AVAILABILITY].value >= 0 && r[SLO_AVAILABILITY].value <= 100,
       "availability stays within 0..100 after a reset");
    ok(r[SLO_ERROR_RATE].value >= 0, "error rate not negative after a reset");

    /* Uptime: an outage lowers availability before waiting checkouts fail. */
    slo_evaluate(&a, &b, 50.0, 1, r);
    ok(!r[SLO_AVAILABILITY].met && near(r[SLO_AVAILABILITY].value, 50.0),
       "half the window without a connection: 50 %% even though checkouts were served");
    slo_evaluate(&a, &b, 100.0, 1, r);
    ok(near(r[SLO_AVAILABILITY].value, 90.0), "full uptime: the checkout share decides (90 %%)");
    slo_evaluate(&b, &idle, 97.0, 1, r);
    ok(r[SLO_AVAILABILITY].idle && near(r[SLO_AVAILABILITY].value, 97.0) && r[SLO_AVAILABILITY].met,
       "no checkouts: uptime decides");

    slo_evaluate(NULL, &b, -1, 1, r);
    ok(r[SLO_AVAILABILITY].value < 100, "no window start: counts since the engine started");
    ok(self_rss_bytes() > 0, "own RSS is readable");
}

int main(void)
{
    plan_no_plan();
    test_rate_per_sec();
    test_interval_mean();
    test_rates_between();
    test_history();
    test_slo();
    return done_testing();
}
