/* test_clock.c — eng_test_clock_advance, linked only into the tests: the
 * product never moves its clock. */
#include "tests/integration/test_clock.h"

#include "engine/engine_int.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

void eng_test_clock_advance(engine *e, double secs)
{
    uint64_t step = secs_to_ns(secs);
    uint64_t target =
        atomic_fetch_add_explicit(&eng_clock_skew_ns, step, memory_order_acq_rel) + step;
    uint64_t one = 1;
    /* the loop sleeps in poll(); the wake fd makes it look at the time now */
    while (atomic_load_explicit(&e->turn_skew_ns, memory_order_acquire) < target) {
        if (write(e->wake_efd, &one, sizeof one) < 0) {
            /* the counter is full: the loop has a wake-up pending anyway */
        }
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
}

static bool attempt_on_its_way(engine *e)
{
    static eng_stats st; /* large; one test thread steps the clock */
    eng_stats_get(e, &st);
    for (int i = 0; i < st.nconns; i++)
        if (strcmp(st.conns[i].state, "connecting") == 0)
            return true;
    return false;
}

void tu_clock_run(engine *e, double total, double step)
{
    for (double done = 0; done < total; done += step) {
        eng_test_clock_advance(e, step);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 10;
        for (;;) {
            if (!attempt_on_its_way(e))
                break;
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec > until.tv_sec ||
                (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
                break;
            nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
        }
    }
}
