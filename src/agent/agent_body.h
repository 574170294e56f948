/* A request body as the agent receives it (agent_body.c): bounded in size and, across every
 * connection at once, in memory. Internal to the agent. */
#ifndef DMSCONN_AGENT_BODY_H
#define DMSCONN_AGENT_BODY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct dci_body {
    char *data; /* NUL-terminated once anything arrived; NULL before */
    size_t len;
    size_t cap;
    size_t reserved; /* bytes of the agent's pool this body holds */
    bool too_big;
    bool announced; /* by a Content-Length */
    atomic_size_t *pool;
};

enum dci_body_start { DCI_BODY_OK, DCI_BODY_TOO_BIG, DCI_BODY_BUSY };

/* Before the first byte: a Content-Length over `max` is too big at once (nothing is read);
 * the body then reserves its length (`max` when none is announced) from the agent's pool of
 * `pool_max` bytes in use at once, and is busy when the pool cannot give it. */
enum dci_body_start dci_body_begin(struct dci_body *b, atomic_size_t *pool, size_t pool_max,
                                   size_t max, const char *content_length);
/* Appends what arrived; past the reservation the body is too big (and keeps nothing more). */
void dci_body_append(struct dci_body *b, const char *data, size_t n);
/* Frees the bytes and gives the reservation back; safe twice. */
void dci_body_end(struct dci_body *b);

#endif
