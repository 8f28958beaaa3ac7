/* msgq.c — mutex-protected ring of pointers plus an eventfd for wake-ups.
 *
 * The eventfd is written when the queue goes from empty to non-empty and
 * drained when a pop empties it, so the fd never holds a stale wake-up and
 * bursts cost one syscall, not one per item. */
#include "common/msgq.h"

#include "common/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct msgq {
    pthread_mutex_t lock; /* guards ring, cap, head and len */
    void **ring;
    size_t cap, head, len;
    int fd; /* fixed for the queue's life; written and drained under lock
             * so that it is readable exactly when len > 0 */
};

msgq *msgq_new(void)
{
    msgq *q = xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    q->cap = 64;
    q->ring = xcalloc(q->cap, sizeof *q->ring);
    q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->fd < 0)
        abort(); /* only fails when out of fds at start-up */
    return q;
}

void msgq_free(msgq *q, void (*free_item)(void *))
{
    if (!q)
        return;
    void *item;
    while ((item = msgq_pop(q)) != NULL)
        if (free_item)
            free_item(item);
    close(q->fd);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}

static void wake(int fd)
{
    uint64_t one = 1;
    while (write(fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

static void drain(int fd)
{
    uint64_t n;
    while (read(fd, &n, sizeof n) < 0 && errno == EINTR)
        ;
}

void msgq_push(msgq *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    if (q->len == q->cap) {
        size_t ncap = q->cap * 2;
        void **ring = xcalloc(ncap, sizeof *ring);
        for (size_t i = 0; i < q->len; i++)
            ring[i] = q->ring[(q->head + i) % q->cap];
        free(q->ring);
        q->ring = ring;
        q->cap = ncap;
        q->head = 0;
    }
    q->ring[(q->head + q->len) % q->cap] = item;
    q->len++;
    bool was_empty = q->len == 1;
    if (was_empty)
        wake(q->fd);
    pthread_mutex_unlock(&q->lock);
}

void *msgq_pop(msgq *q)
{
    void *item = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->len > 0) {
        item = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
        if (q->len == 0)
            drain(q->fd);
    }
    pthread_mutex_unlock(&q->lock);
    return item;
}

void *msgq_wait(msgq *q, int timeout_ms)
{
    for (;;) {
        void *item = msgq_pop(q);
        if (item)
            return item;
        struct pollfd p = {.fd = q->fd, .events = POLLIN};
        int rc = poll(&p, 1, timeout_ms);
        if (rc == 0)
            return NULL;
        if (rc < 0 && errno != EINTR)
            return NULL;
    }
}

size_t msgq_len(msgq *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

int msgq_fd(const msgq *q)
{
    return q->fd;
}
