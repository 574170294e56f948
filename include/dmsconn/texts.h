/* A run's texts: every result's address, detail and evidence is one pointer into a pool that
 * keeps each distinct string once. A 300,000-task matrix repeats a few hundred texts
 * ("connection refused (RST): nothing listens"), so results stay 48 bytes each instead of
 * carrying fixed-size buffers. Not thread-safe: one pool per run, used by its loop thread. */
#ifndef DMSCONN_TEXTS_H
#define DMSCONN_TEXTS_H

#include <stddef.h>

struct dc_texts;

struct dc_texts *dc_texts_new(void);
void dc_texts_free(struct dc_texts *texts);

/* A stable copy of s that lives as long as the pool; equal strings share one copy. NULL and
 * "" give "". Never NULL: when memory runs out it returns a fixed text saying so. */
const char *dc_texts_add(struct dc_texts *texts, const char *s);
/* How many distinct strings the pool holds (those of dc_texts_add). */
size_t dc_texts_count(const struct dc_texts *texts);

#endif
