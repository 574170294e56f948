/* Diff of two JSON reports, or of a report and the run at hand (diff.h, report.h). */
#include "dmsconn/diff.h"
#include "dmsconn/report.h"

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

/* A cell of either side: its key, and what a change is judged on. The strings belong to
 * the parsed report or to the run, both alive while the diff is made. */
struct cell {
    const char *from;
    const char *to;
    const char *check;
    unsigned port;
    const char *state;
    const char *verdict;
    const char *detail;
    bool matched;
};

static int add(struct dc_diff *d, enum dc_change change, const struct cell *old,
               const struct cell *now)
{
    const struct cell *key = now ? now : old;
    struct dc_diff_entry *e = realloc(d->entries, (d->n + 1) * sizeof *e);
    if (!e)
        return DC_ENOMEM;
    d->entries = e;
    e = &e[d->n++];
    memset(e, 0, sizeof *e);
    e->change = change;
    snprintf(e->from, sizeof e->from, "%s", key->from);
    snprintf(e->to, sizeof e->to, "%s", key->to);
    snprintf(e->check, sizeof e->check, "%s", key->check);
    e->port = key->port;
    snprintf(e->old_state, sizeof e->old_state, "%s", old ? old->state : "");
    snprintf(e->new_state, sizeof e->new_state, "%s", now ? now->state : "");
    snprintf(e->detail, sizeof e->detail, "%s", key->detail);
    d->counts[change]++;
    return 0;
}

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

static struct cell *cells_of_json(const cJSON *results, size_t *n)
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
            (struct cell){text(x, "from"),  text(x, "to"),      text(x, "check"),  port_of(x),
                          text(x, "state"), text(x, "verdict"), text(x, "detail"), false};
    }
    return cells;
}

/* Cells are matched through a sorted copy of the old side: O(n log n), so comparing
 * reports of a few hundred thousand cells stays quick. `news` keeps its order. */
static int diff_cells(struct cell *olds, size_t nold, const struct cell *news, size_t nnew,
                      struct dc_diff *d)
{
    qsort(olds, nold, sizeof *olds, cell_cmp);
    int rc = 0;
    for (size_t i = 0; i < nnew && !rc; i++) {
        const struct cell *now = &news[i];
        struct cell *match = bsearch(now, olds, nold, sizeof *olds, cell_cmp);
        if (match)
            match->matched = true;
        bool fails = strcmp(now->verdict, "fail") == 0;
        bool failed = match && strcmp(match->verdict, "fail") == 0;
        if (!match)
            rc = add(d, fails ? DC_CHANGE_BROKE : DC_CHANGE_ADDED, NULL, now);
        else if (fails && !failed)
            rc = add(d, DC_CHANGE_BROKE, match, now);
        else if (failed && !fails)
            rc = add(d, DC_CHANGE_HEALED, match, now);
        else if (strcmp(now->state, match->state) != 0)
            rc = add(d, DC_CHANGE_CHANGED, match, now);
    }
    for (size_t i = 0; i < nold && !rc; i++) {
        if (!olds[i].matched)
            rc = add(d, DC_CHANGE_REMOVED, &olds[i], NULL);
    }
    return rc;
}

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
    olds = cells_of_json(old_list, &nold);
    news = cells_of_json(new_list, &nnew);
    rc = olds && news ? diff_cells(olds, nold, news, nnew, d) : DC_ENOMEM;
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

/* The run's side straight from its results: no JSON of the run is made just to compare. */
int dc_diff_run(const char *old_json, size_t old_len, const char *old_name,
                const struct dc_report *rep, struct dc_diff **out, struct dc_diag *diag)
{
    cJSON *old_doc = NULL;
    struct cell *olds = NULL, *news = NULL;
    size_t nold = 0, nnew = rep->plan->ntasks;
    int rc = DC_EPARSE;
    struct dc_diff *d = calloc(1, sizeof *d);
    const cJSON *old_list = results_of(old_json, old_len, old_name, &old_doc, diag);
    if (!d || !old_list)
        goto out;
    olds = cells_of_json(old_list, &nold);
    news = calloc(nnew ? nnew : 1, sizeof *news);
    rc = DC_ENOMEM;
    if (!olds || !news)
        goto out;
    for (size_t i = 0; i < nnew; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_result *r = &rep->results[i];
        news[i] = (struct cell){rep->cluster->nodes[t->from].name,
                                rep->cluster->nodes[t->to].name,
                                rep->profile->checks[t->check].name,
                                t->port,
                                dc_state_name(r->state),
                                dc_verdict_name(r->verdict),
                                r->detail,
                                false};
    }
    rc = diff_cells(olds, nold, news, nnew, d);
    if (rc)
        goto out;
    *out = d;
    d = NULL;
out:
    free(olds);
    free(news);
    cJSON_Delete(old_doc);
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
