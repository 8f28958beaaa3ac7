/* list.c — the intrusive list macros: order, both ends, unlinking anywhere. */
#include "common/list.h"
#include "tests/lib/tap.h"

#include <string.h>

typedef struct node {
    char name;
    struct node *prev, *next;     /* a LIST */
    struct node *q_prev, *q_next; /* and a QUEUE at the same time */
} node;

static void forward(const node *head, int queue, char *out)
{
    for (const node *n = head; n; n = queue ? n->q_next : n->next)
        *out++ = n->name;
    *out = '\0';
}

static void backward(const node *tail, char *out)
{
    for (const node *n = tail; n; n = n->q_prev)
        *out++ = n->name;
    *out = '\0';
}

int main(void)
{
    plan_no_plan();
    node a = {.name = 'a'}, b = {.name = 'b'}, c = {.name = 'c'};
    char s[8];

    node *head = NULL;
    LIST_PUSH_HEAD(head, &a, prev, next);
    LIST_PUSH_HEAD(head, &b, prev, next);
    LIST_PUSH_HEAD(head, &c, prev, next);
    forward(head, 0, s);
    is_str(s, "cba", "LIST_PUSH_HEAD puts the newest first");
    LIST_UNLINK(head, &b, prev, next);
    forward(head, 0, s);
    is_str(s, "ca", "LIST_UNLINK from the middle");
    ok(b.prev == NULL && b.next == NULL, "an unlinked node points nowhere");
    LIST_UNLINK(head, &c, prev, next);
    LIST_UNLINK(head, &a, prev, next);
    ok(head == NULL, "unlinking the head, then the last: empty");

    node *qh = NULL, *qt = NULL;
    QUEUE_PUSH_TAIL(qh, qt, &a, q_prev, q_next);
    QUEUE_PUSH_TAIL(qh, qt, &b, q_prev, q_next);
    QUEUE_PUSH_HEAD(qh, qt, &c, q_prev, q_next);
    forward(qh, 1, s);
    is_str(s, "cab", "QUEUE_PUSH_TAIL and QUEUE_PUSH_HEAD");
    backward(qt, s);
    is_str(s, "bac", "the prev links agree, from the tail");
    QUEUE_UNLINK(qh, qt, &b, q_prev, q_next);
    ok(qt == &a, "unlinking the tail moves the tail");
    QUEUE_UNLINK(qh, qt, &c, q_prev, q_next);
    ok(qh == &a && qt == &a, "one left: head and tail");
    QUEUE_UNLINK(qh, qt, &a, q_prev, q_next);
    ok(qh == NULL && qt == NULL, "empty: both NULL");
    return done_testing();
}
