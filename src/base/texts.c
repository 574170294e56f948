/* The text pool: strings packed in chunks (never moved, so pointers stay valid), found again
 * through an open-addressing hash index of their offsets. */
#include "dmsconn/texts.h"
#include "base/base_private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES 16384
#define INDEX_FIRST 256 /* slots; a power of two */

static const char lost[] = "(text lost: out of memory)";

struct chunk {
    struct chunk *next;
    size_t used;
    size_t cap;
    char data[];
};

struct slot {
    uint32_t hash; /* 0: empty (a string hashing to 0 is stored as 1) */
    const char *text;
};

struct dc_texts {
    struct chunk *chunks; /* newest first; strings are appended to the newest */
    struct slot *index;
    size_t index_cap;
    size_t count;
};

struct dc_texts *dc_texts_new(void)
{
    struct dc_texts *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->index = calloc(INDEX_FIRST, sizeof *t->index);
    if (!t->index) {
        free(t);
        return NULL;
    }
    t->index_cap = INDEX_FIRST;
    return t;
}

void dc_texts_free(struct dc_texts *t)
{
    if (!t)
        return;
    while (t->chunks) {
        struct chunk *c = t->chunks;
        t->chunks = c->next;
        free(c);
    }
    free(t->index);
    free(t);
}

/* FNV-1a, 32 bits: short strings, no adversary that gains from collisions (a peer's banner
 * can only make its own lookups slower, never wrong: equal strings are compared). */
static uint32_t hash_of(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

static int grow_index(struct dc_texts *t)
{
    size_t cap = t->index_cap * 2;
    struct slot *index = calloc(cap, sizeof *index);
    if (!index)
        return -1;
    for (size_t i = 0; i < t->index_cap; i++) {
        if (!t->index[i].hash)
            continue;
        size_t k = t->index[i].hash & (cap - 1);
        while (index[k].hash)
            k = (k + 1) & (cap - 1);
        index[k] = t->index[i];
    }
    free(t->index);
    t->index = index;
    t->index_cap = cap;
    return 0;
}

static char *store(struct dc_texts *t, const char *s, size_t len)
{
    struct chunk *c = t->chunks;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > CHUNK_BYTES ? len + 1 : CHUNK_BYTES;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = t->chunks;
        t->chunks = c;
    }
    char *copy = c->data + c->used;
    memcpy(copy, s, len);
    copy[len] = '\0';
    c->used += len + 1;
    return copy;
}

const char *dc_texts_add(struct dc_texts *t, const char *s)
{
    if (!s || !*s)
        return "";
    if (!t)
        return lost;
    size_t len = strlen(s);
    uint32_t h = hash_of(s, len);
    size_t k = h & (t->index_cap - 1);
    for (; t->index[k].hash; k = (k + 1) & (t->index_cap - 1)) {
        if (t->index[k].hash == h && strcmp(t->index[k].text, s) == 0)
            return t->index[k].text;
    }
    /* at most 3/4 full, so probes stay short and an empty slot always exists */
    if ((t->count + 1) * 4 > t->index_cap * 3) {
        if (grow_index(t) != 0)
            return lost;
        k = h & (t->index_cap - 1);
        while (t->index[k].hash)
            k = (k + 1) & (t->index_cap - 1);
    }
    char *copy = store(t, s, len);
    if (!copy)
        return lost;
    t->index[k] = (struct slot){h, copy};
    t->count++;
    return copy;
}

size_t dc_texts_count(const struct dc_texts *t)
{
    return t ? t->count : 0;
}

const char *dci_texts_keep(struct dc_texts *t, const char *s)
{
    if (!s || !*s)
        return "";
    if (!t)
        return lost;
    char *copy = store(t, s, strlen(s));
    return copy ? copy : lost;
}
