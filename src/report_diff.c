/* Diff of two JSON reports (diff.h). */
#include "dmsconn/diff.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

const char *dc_change_name(enum dc_change change)
{
    static const char *const names[] = {"broke", "healed", "changed", "added", "removed"};
    return (unsigned)change < DC_CHANGE_COUNT ? names[change] : "changed";
}

static const char *text(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* A port from a file anyone could have edited: out of range is no port (converting a
 * double like 1e96 to an integer is undefined behaviour; the fuzzer found it). */
static unsigned port_of(const cJSON *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "port");
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 65535))
        return 0;
    return (unsigned)v->valuedouble;
}

static const cJSON *results_of(const char *json, size_t len, const char *name, cJSON **doc,
                               struct dc_diag *diag)
{
    *doc = cJSON_ParseWithLength(json, len);
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(*doc, "results");
    if (!*doc || strcmp(text(*doc, "schema"), "dmsconn.report/1") != 0 || !cJSON_IsArray(results)) {
        dc_diag_set(diag, "%s: expected a dmsconn JSON report (schema dmsconn.report/1)", name);
        return NULL;
    }
    return results;
}

static int add(struct dc_diff *d, enum dc_change change, const cJSON *cell, const cJSON *old,
               const cJSON *now)
{
    struct dc_diff_entry *e = realloc(d->entries, (d->n + 1) * sizeof *e);
    if (!e)
        return DC_ENOMEM;
    d->entries = e;
    e = &e[d->n++];
    memset(e, 0, sizeof *e);
    e->change = change;
    snprintf(e->from, sizeof e->from, "%s", text(cell, "from"));
    snprintf(e->to, sizeof e->to, "%s", text(cell, "to"));
    snprintf(e->check, sizeof e->check, "%s", text(cell, "check"));
    e->port = port_of(cell);
    snprintf(e->old_state, sizeof e->old_state, "%s", old ? text(old, "state") : "");
    snprintf(e->new_state, sizeof e->new_state, "%s", now ? text(now, "state") : "");
    snprintf(e->detail, sizeof e->detail, "%s", text(now ? now : old, "detail"));
    d->counts[change]++;
    return 0;
}

/* A cell's key, for sorting and looking up. */
struct cell {
    const char *from;
    const char *to;
    const char *check;
    unsigned port;
    const cJSON *item;
    bool matched;
};

static int cell_cmp(const void *a, const void *b)
{
    const struct cell *x = a, *y = b;
    int c = strcmp(x->from, y->from);
    if (!c)
        c = strcmp(x->to, y->to);
    if (!c)
        c = strcmp(x->check, y->check);
    if (!c)
        c = (x->port > y->port) - (x->port < y->port);
    return c;
}

static struct cell *cells_of(const cJSON *results, size_t *n)
{
    *n = (size_t)cJSON_GetArraySize(results);
    struct cell *cells = calloc(*n ? *n : 1, sizeof *cells);
    if (!cells)
        return NULL;
    size_t i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, results)
    {
        cells[i++] =
            (struct cell){text(x, "from"), text(x, "to"), text(x, "check"), port_of(x), x, false};
    }
    return cells;
}

/* Cells are matched through a sorted copy of the old report: O(n log n), so comparing two
 * reports of a few hundred thousand cells stays quick. */
int dc_diff_reports(const char *old_json, size_t old_len, const char *old_name,
                    const char *new_json, size_t new_len, const char *new_name,
                    struct dc_diff **out, struct dc_diag *diag)
{
    cJSON *old_doc = NULL, *new_doc = NULL;
    struct cell *olds = NULL, *news = NULL;
    size_t nold = 0, nnew = 0;
    int rc = DC_EPARSE;
    struct dc_diff *d = calloc(1, sizeof *d);
    const cJSON *old_list = results_of(old_json, old_len, old_name, &old_doc, diag);
    const cJSON *new_list =
        old_list ? results_of(new_json, new_len, new_name, &new_doc, diag) : NULL;
    if (!d || !new_list)
        goto out;
    olds = cells_of(old_list, &nold);
    news = cells_of(new_list, &nnew);
    rc = DC_ENOMEM;
    if (!olds || !news)
        goto out;
    rc = 0;
    qsort(olds, nold, sizeof *olds, cell_cmp);
    for (size_t i = 0; i < nnew && !rc; i++) {
        const cJSON *now = news[i].item;
        struct cell *hit = bsearch(&news[i], olds, nold, sizeof *olds, cell_cmp);
        const cJSON *match = hit ? hit->item : NULL;
        if (hit)
            hit->matched = true;
        bool fails = strcmp(text(now, "verdict"), "fail") == 0;
        bool failed = match && strcmp(text(match, "verdict"), "fail") == 0;
        if (!match)
            rc = add(d, fails ? DC_CHANGE_BROKE : DC_CHANGE_ADDED, now, NULL, now);
        else if (fails && !failed)
            rc = add(d, DC_CHANGE_BROKE, now, match, now);
        else if (failed && !fails)
            rc = add(d, DC_CHANGE_HEALED, now, match, now);
        else if (strcmp(text(now, "state"), text(match, "state")) != 0)
            rc = add(d, DC_CHANGE_CHANGED, now, match, now);
    }
    for (size_t i = 0; i < nold && !rc; i++) {
        if (!olds[i].matched)
            rc = add(d, DC_CHANGE_REMOVED, olds[i].item, olds[i].item, NULL);
    }
    if (rc)
        goto out;
    *out = d;
    d = NULL;
out:
    free(olds);
    free(news);
    cJSON_Delete(old_doc);
    cJSON_Delete(new_doc);
    dc_diff_free(d);
    return rc;
}

void dc_diff_free(struct dc_diff *diff)
{
    if (!diff)
        return;
    free(diff->entries);
    free(diff);
}

void dc_diff_print(const struct dc_diff *d, const char *baseline, bool color, FILE *out)
{
    static const char *const colors[] = {"\033[31m", "\033[32m", "\033[33m", "", ""};
    fprintf(out, "\nSince %s: %zu broke, %zu healed, %zu changed, %zu added, %zu removed\n",
            baseline, d->counts[DC_CHANGE_BROKE], d->counts[DC_CHANGE_HEALED],
            d->counts[DC_CHANGE_CHANGED], d->counts[DC_CHANGE_ADDED], d->counts[DC_CHANGE_REMOVED]);
    for (int kind = 0; kind < DC_CHANGE_COUNT; kind++) {
        for (size_t i = 0; i < d->n; i++) {
            const struct dc_diff_entry *e = &d->entries[i];
            if ((int)e->change != kind)
                continue;
            fprintf(out, "  %s%-7s%s %s -> %s %s/%u: %s%s%s (%s)\n", color ? colors[kind] : "",
                    dc_change_name(e->change), color ? "\033[0m" : "", e->from, e->to, e->check,
                    e->port, e->old_state[0] ? e->old_state : "", e->old_state[0] ? " -> " : "",
                    e->new_state[0] ? e->new_state : "gone", e->detail);
        }
    }
}
