/* tests/unit/msgq.c — the queue between threads: order, wake-up fd, growth. */
#include "common/msgq.h"
#include "tests/lib/tap.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>

static void *producer(void *arg)
{
    msgq *q = arg;
    for (uintptr_t i = 1; i <= 10000; i++)
        msgq_push(q, (void *)i);
    return NULL;
}

int main(void)
{
    plan_no_plan();
    msgq *q = msgq_new();
    struct pollfd p = {.fd = msgq_fd(q), .events = POLLIN};
    is_int(poll(&p, 1, 0), 0, "empty queue: fd not readable");
    msgq_push(q, (void *)1);
    msgq_push(q, (void *)2);
    is_int(poll(&p, 1, 0), 1, "non-empty queue: fd readable");
    is_int((intptr_t)msgq_pop(q), 1, "first in, first out");
    is_int((intptr_t)msgq_pop(q), 2, "second");
    ok(msgq_pop(q) == NULL, "then empty");
    is_int(poll(&p, 1, 0), 0, "drained queue: fd not readable");

    pthread_t t;
    pthread_create(&t, NULL, producer, q);
    uintptr_t want = 1, bad = 0;
    while (want <= 10000) {
        void *item = msgq_wait(q, 5000);
        if (!item)
            break;
        if ((uintptr_t)item != want)
            bad++;
        want++;
    }
    pthread_join(t, NULL);
    is_int(want, 10001, "10000 items across threads all arrive");
    is_int(bad, 0, "in order");
    ok(msgq_wait(q, 10) == NULL, "wait times out on an empty queue");
    msgq_free(q, NULL);
    return done_testing();
}
