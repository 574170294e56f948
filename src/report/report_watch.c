/* Continuous mode's counts (dmsconn/report.h): per cell, how often its state changed from
 * one round to the next and when it last did. Each round's cells are kept by their key
 * (from, to, check, port) in one block, sorted, for the next round to find its own in:
 * memory follows the cells of the last round, not the number of rounds. */
#include "dmsconn/report.h"

#include <stdlib.h>
#include <string.h>

struct cell {
    const char *key; /* in the round's block */
    size_t index;    /* the result's */
    unsigned long changes;
    time_t last;
};

struct round {
    char *keys; /* "from\x1fto\x1fcheck\x1fport\0" each */
    struct cell *cells;
    size_t n;
};

struct dc_watch_counts {
    time_t started;
    unsigned long rounds;
    struct round last;
    unsigned long *changes; /* this round's, per result */
    time_t *last_change;
    struct dc_report_watch view;
};

struct dc_watch_counts *dc_watch_counts_new(time_t started)
{
    struct dc_watch_counts *c = calloc(1, sizeof *c);
    if (c)
        c->started = started;
    return c;
}

static void round_free(struct round *r)
{
    free(r->keys);
    free(r->cells);
    *r = (struct round){0};
}

void dc_watch_counts_free(struct dc_watch_counts *c)
{
    if (!c)
        return;
    round_free(&c->last);
    free(c->changes);
    free(c->last_change);
    free(c);
}

/* The key's length with its terminator; written into out when it is not NULL. */
static size_t key_of(const char *from, const char *to, const char *check, unsigned port, char *out)
{
    char tail[16];
    int tl = snprintf(tail, sizeof tail, "\x1f%u", port);
    size_t a = strlen(from), b = strlen(to), k = strlen(check);
    if (out) {
        memcpy(out, from, a);
        out[a] = '\x1f';
        memcpy(out + a + 1, to, b);
        out[a + 1 + b] = '\x1f';
        memcpy(out + a + b + 2, check, k);
        memcpy(out + a + b + k + 2, tail, (size_t)tl + 1);
    }
    return a + b + k + 2 + (size_t)tl + 1;
}

static int by_key(const void *x, const void *y)
{
    return strcmp(((const struct cell *)x)->key, ((const struct cell *)y)->key);
}

static struct cell *find(const struct round *r, const char *key)
{
    struct cell probe = {.key = key};
    return r->n ? bsearch(&probe, r->cells, r->n, sizeof probe, by_key) : NULL;
}

/* This round's cells, keyed and sorted. */
static int round_of(const struct dc_report *rep, struct round *r)
{
    size_t n = rep->plan->ntasks, size = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        size += key_of(rep->cluster->nodes[t->from].name, rep->cluster->nodes[t->to].name,
                       rep->profile->checks[t->check].name, t->port, NULL);
    }
    r->n = n;
    r->keys = malloc(size ? size : 1);
    r->cells = calloc(n ? n : 1, sizeof *r->cells);
    if (!r->keys || !r->cells) {
        round_free(r);
        return DC_ENOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        r->cells[i] = (struct cell){.key = r->keys + at, .index = i};
        at += key_of(rep->cluster->nodes[t->from].name, rep->cluster->nodes[t->to].name,
                     rep->profile->checks[t->check].name, t->port, r->keys + at);
    }
    qsort(r->cells, n, sizeof *r->cells, by_key);
    return 0;
}

int dc_watch_counts_round(struct dc_watch_counts *c, struct dc_report *rep,
                          const struct dc_diff *diff, time_t now)
{
    rep->watch = NULL;
    c->rounds++;
    struct round r = {0};
    size_t n = rep->plan->ntasks;
    unsigned long *changes = calloc(n ? n : 1, sizeof *changes);
    time_t *last = calloc(n ? n : 1, sizeof *last);
    if (!changes || !last || round_of(rep, &r) != 0) {
        free(changes);
        free(last);
        return DC_ENOMEM;
    }
    for (size_t k = 0; k < r.n; k++) { /* what the previous round counted for the cell */
        const struct cell *before = find(&c->last, r.cells[k].key);
        if (before) {
            r.cells[k].changes = before->changes;
            r.cells[k].last = before->last;
        }
    }
    for (size_t e = 0; diff && e < diff->n; e++) {
        const struct dc_diff_entry *d = &diff->entries[e];
        /* a cell the previous round had, in another state now (not one an edit added) */
        if (d->change == DC_CHANGE_ADDED || d->change == DC_CHANGE_REMOVED || !d->old_state[0])
            continue;
        char key[512];
        if (key_of(d->from, d->to, d->check, d->port, NULL) > sizeof key)
            continue;
        key_of(d->from, d->to, d->check, d->port, key);
        struct cell *cell = find(&r, key);
        if (cell) {
            cell->changes++;
            cell->last = now;
        }
    }
    for (size_t k = 0; k < r.n; k++) {
        changes[r.cells[k].index] = r.cells[k].changes;
        last[r.cells[k].index] = r.cells[k].last;
    }
    round_free(&c->last);
    c->last = r;
    free(c->changes);
    free(c->last_change);
    c->changes = changes;
    c->last_change = last;
    c->view = (struct dc_report_watch){.rounds = c->rounds,
                                       .started = c->started,
                                       .changes = c->changes,
                                       .last_change = c->last_change};
    rep->watch = &c->view;
    return 0;
}
