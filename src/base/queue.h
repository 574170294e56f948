/* The one intrusive doubly linked list of the engine, in the style of libuv's queue.h: a
 * node embedded in each element, a circular list around a head node, so adding and
 * removing are O(1) with no allocation and no special case at either end. */
#ifndef DMSCONN_QUEUE_H
#define DMSCONN_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct dci_queue {
    struct dci_queue *next;
    struct dci_queue *prev;
};

/* A head, or a node that is in no list (removing it again is harmless). */
static inline void dci_queue_init(struct dci_queue *q)
{
    q->next = q->prev = q;
}

static inline bool dci_queue_empty(const struct dci_queue *head)
{
    return head->next == head;
}

static inline void dci_queue_insert_tail(struct dci_queue *head, struct dci_queue *q)
{
    q->next = head;
    q->prev = head->prev;
    head->prev->next = q;
    head->prev = q;
}

static inline void dci_queue_remove(struct dci_queue *q)
{
    q->prev->next = q->next;
    q->next->prev = q->prev;
    dci_queue_init(q);
}

/* The element whose `field` is the node q. */
#define DCI_QUEUE_DATA(q, type, field) ((type *)((char *)(q)-offsetof(type, field)))

#endif
