/* list.h — intrusive doubly linked lists, NULL-terminated at both ends, for
 * structs that carry their own prev/next pointers (the engine's connection
 * state lists, active requests, pool waiters, the prepared-statement LRU).
 * The field names are arguments, so one struct can sit in several lists.
 * Iterate with a plain loop: for (x = head; x; x = x->next).
 *
 *   LIST_*   a list known by its head only
 *   QUEUE_*  a list known by its head and tail (FIFO, LRU)
 *
 * Arguments are evaluated more than once: pass plain lvalues. */
#ifndef PGDECK_LIST_H
#define PGDECK_LIST_H

#include <stddef.h>

#define LIST_PUSH_HEAD(head, node, prev, next)                                                     \
    do {                                                                                           \
        (node)->prev = NULL;                                                                       \
        (node)->next = (head);                                                                     \
        if ((head))                                                                                \
            (head)->prev = (node);                                                                 \
        (head) = (node);                                                                           \
    } while (0)

#define LIST_UNLINK(head, node, prev, next)                                                        \
    do {                                                                                           \
        if ((node)->prev)                                                                          \
            (node)->prev->next = (node)->next;                                                     \
        else                                                                                       \
            (head) = (node)->next;                                                                 \
        if ((node)->next)                                                                          \
            (node)->next->prev = (node)->prev;                                                     \
        (node)->prev = (node)->next = NULL;                                                        \
    } while (0)

#define QUEUE_PUSH_HEAD(head, tail, node, prev, next)                                              \
    do {                                                                                           \
        if (!(head))                                                                               \
            (tail) = (node);                                                                       \
        LIST_PUSH_HEAD(head, node, prev, next);                                                    \
    } while (0)

#define QUEUE_PUSH_TAIL(head, tail, node, prev, next)                                              \
    do {                                                                                           \
        (node)->next = NULL;                                                                       \
        (node)->prev = (tail);                                                                     \
        if ((tail))                                                                                \
            (tail)->next = (node);                                                                 \
        else                                                                                       \
            (head) = (node);                                                                       \
        (tail) = (node);                                                                           \
    } while (0)

#define QUEUE_UNLINK(head, tail, node, prev, next)                                                 \
    do {                                                                                           \
        if (!(node)->next)                                                                         \
            (tail) = (node)->prev;                                                                 \
        LIST_UNLINK(head, node, prev, next);                                                       \
    } while (0)

#endif
