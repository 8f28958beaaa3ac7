/* test_clock.h — steps the engine's clock in tests (test_clock.c), so the
 * pool's time rules are checked exactly and without sleeping. */
#ifndef PGDECK_TEST_CLOCK_H
#define PGDECK_TEST_CLOCK_H

#include "engine/engine.h"

/* Moves every engine's clock forward by secs, then returns once e's loop has
 * run a whole turn (its timers included) at the new time. */
void eng_test_clock_advance(engine *e, double secs);

/* Moves e's clock forward by total in steps of step seconds; after each step
 * waits (up to 10 s of real time) until no connection attempt of e is still
 * on its way, so every attempt a step starts has ended before the next. */
void tu_clock_run(engine *e, double total, double step);

#endif
