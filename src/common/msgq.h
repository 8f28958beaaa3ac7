/* msgq.h — a thread-safe FIFO of pointers with a wake-up file descriptor.
 *
 * The producer pushes; the consumer poll()s msgq_fd() for POLLIN, then pops
 * until msgq_pop() returns NULL. The fd is readable exactly while the queue
 * may hold items, so a consumer never sleeps on a non-empty queue. */
#ifndef PGDECK_MSGQ_H
#define PGDECK_MSGQ_H

#include <stdbool.h>
#include <stddef.h>

typedef struct msgq msgq;

msgq *msgq_new(void);
/* Frees the queue; items still inside are passed to free_item (may be NULL). */
void msgq_free(msgq *q, void (*free_item)(void *));
void msgq_push(msgq *q, void *item);
/* Next item or NULL when empty; never blocks. */
void *msgq_pop(msgq *q);
/* Waits up to timeout_ms (-1 = forever) for an item; NULL on timeout. */
void *msgq_wait(msgq *q, int timeout_ms);
size_t msgq_len(msgq *q);
int msgq_fd(const msgq *q);

#endif
