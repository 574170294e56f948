/* A request body, bounded twice: one body holds at most its announced length (at most the
 * agent's --max-body-like limit, 16 MiB) and is allocated once at that size, and all bodies
 * being received at once share a pool (4 such bodies): a signed 16 MiB body cost the agent
 * 670 MiB, eight at once 4.6 GiB, before this and the parser's bound (wire.c). A Content-Length
 * over the limit is refused before a byte of the body is read. */
#include "agent/agent_body.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum dci_body_start dci_body_begin(struct dci_body *b, atomic_size_t *pool, size_t pool_max,
                                   size_t max, const char *content_length)
{
    memset(b, 0, sizeof *b);
    size_t want = max;
    if (content_length) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(content_length, &end, 10);
        if (errno || end == content_length || *end || n > max)
            return DCI_BODY_TOO_BIG;
        want = (size_t)n;
        b->announced = true;
    }
    size_t before = atomic_fetch_add(pool, want);
    if (before + want > pool_max) {
        atomic_fetch_sub(pool, want);
        return DCI_BODY_BUSY;
    }
    b->pool = pool;
    b->reserved = want;
    return DCI_BODY_OK;
}

void dci_body_append(struct dci_body *b, const char *data, size_t n)
{
    if (b->too_big || n > b->reserved - b->len) {
        b->too_big = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        /* an announced length is allocated once; a body without one grows by doubling, never
         * past its reservation */
        size_t cap = b->announced ? b->reserved + 1 : (b->cap ? b->cap * 2 : 4096);
        if (cap < b->len + n + 1)
            cap = b->len + n + 1;
        if (cap > b->reserved + 1)
            cap = b->reserved + 1;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->too_big = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void dci_body_end(struct dci_body *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    if (b->pool)
        atomic_fetch_sub(b->pool, b->reserved);
    b->pool = NULL;
    b->reserved = 0;
}
