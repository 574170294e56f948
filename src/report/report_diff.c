/* Diff of two JSON reports, or of a report and the run at hand (diff.h, report.h). */
#include "dmsconn/diff.h"
#include "dmsconn/report.h"

#include "dmsconn/texts.h"
#include "report/report_private.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *dci_change_name(enum dc_change change)
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

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* One JSON value at p, parsed by cJSON, which says where it ended (*next). */
static cJSON *value_at(const char *p, const char *end, const char **next)
{
    const char *stop = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, false);
    *next = v ? stop : end;
    return v;
}

struct cells {
    struct cell *items;
    size_t n;
    size_t cap;
};

static int cells_push(struct cells *cs, struct dc_texts *texts, const cJSON *x)
{
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 1024;
        struct cell *grown = realloc(cs->items, cap * sizeof *grown);
        if (!grown)
            return DC_ENOMEM;
        cs->items = grown;
        cs->cap = cap;
    }
    cs->items[cs->n++] = (struct cell){
        dc_texts_add(texts, text(x, "from")),   dc_texts_add(texts, text(x, "to")),
        dc_texts_add(texts, text(x, "check")),  port_of(x),
        dc_texts_add(texts, text(x, "state")),  dc_texts_add(texts, text(x, "verdict")),
        dc_texts_add(texts, text(x, "detail")), false};
    return 0;
}

/* The cells of a dmsconn.report/1 document, without its whole tree: a report of 300,000
 * results is 120 MB of JSON and a cJSON tree several times that. The top-level object is
 * walked a member at a time and the results one element at a time, every value parsed by
 * cJSON (cJSON_ParseWithLengthOpts says where a value ends); the cells' strings go into
 * `texts`, where a few hundred distinct ones serve them all. */
static int cells_of_report(const char *json, size_t len, const char *name, struct dc_texts *texts,
                           struct cells *cs, struct dc_diag *diag)
{
    const char *p = json, *end = json + len;
    bool schema_ok = false, have_results = false;
    int rc = DC_EPARSE;
    p = skip_space(p, end);
    if (p == end || *p++ != '{')
        goto bad;
    for (;;) {
        p = skip_space(p, end);
        if (p < end && *p == '}' && !have_results && !schema_ok)
            goto bad; /* an empty object */
        cJSON *key = value_at(p, end, &p);
        bool is_results = cJSON_IsString(key) && strcmp(key->valuestring, "results") == 0;
        bool is_schema = cJSON_IsString(key) && strcmp(key->valuestring, "schema") == 0;
        bool keyed = cJSON_IsString(key);
        cJSON_Delete(key);
        p = skip_space(p, end);
        if (!keyed || p == end || *p++ != ':')
            goto bad;
        p = skip_space(p, end);
        if (is_results) {
            if (p == end || *p++ != '[')
                goto bad;
            have_results = true;
            p = skip_space(p, end);
            if (p < end && *p == ']')
                p++;
            else {
                for (;;) {
                    cJSON *x = value_at(p, end, &p);
                    rc = cJSON_IsObject(x) ? cells_push(cs, texts, x) : DC_EPARSE;
                    cJSON_Delete(x);
                    if (rc)
                        goto bad;
                    rc = DC_EPARSE;
                    p = skip_space(p, end);
                    if (p < end && *p == ',') {
                        p = skip_space(p + 1, end);
                        continue;
                    }
                    if (p == end || *p++ != ']')
                        goto bad;
                    break;
                }
            }
        } else {
            cJSON *v = value_at(p, end, &p);
            bool parsed = v != NULL;
            if (is_schema)
                schema_ok = cJSON_IsString(v) && strcmp(v->valuestring, "dmsconn.report/1") == 0;
            cJSON_Delete(v);
            if (!parsed)
                goto bad;
        }
        p = skip_space(p, end);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p == end || *p != '}')
            goto bad;
        break;
    }
    if (schema_ok && have_results)
        return 0;
bad:
    if (rc == DC_ENOMEM) {
        dc_diag_set(diag, "%s: out of memory", name);
        return rc;
    }
    dc_diag_set(diag, "%s: expected a dmsconn JSON report (schema dmsconn.report/1)", name);
    return DC_EPARSE;
}

/* Cells are matched through a sorted copy of the old side: O(n log n), so comparing
 * reports of a few hundred thousand cells stays quick. `news` keeps its order. */
static int diff_cells(struct cell *olds, size_t nold, const struct cell *news, size_t nnew,
                      struct dc_diff *d)
{
    if (nold) /* olds may be NULL then, and qsort and bsearch want an array */
        qsort(olds, nold, sizeof *olds, cell_cmp);
    int rc = 0;
    for (size_t i = 0; i < nnew && !rc; i++) {
        const struct cell *now = &news[i];
        struct cell *match = nold ? bsearch(now, olds, nold, sizeof *olds, cell_cmp) : NULL;
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
    struct cells olds = {0}, news = {0};
    struct dc_texts *texts = dc_texts_new();
    struct dc_diff *d = calloc(1, sizeof *d);
    int rc = d && texts ? 0 : DC_ENOMEM;
    if (!rc)
        rc = cells_of_report(old_json, old_len, old_name, texts, &olds, diag);
    if (!rc)
        rc = cells_of_report(new_json, new_len, new_name, texts, &news, diag);
    if (!rc)
        rc = diff_cells(olds.items, olds.n, news.items, news.n, d);
    if (!rc) {
        *out = d;
        d = NULL;
    }
    free(olds.items);
    free(news.items);
    dc_texts_free(texts);
    dc_diff_free(d);
    return rc;
}

/* The run's side straight from its results: no JSON of the run is made just to compare. */
int dc_diff_run(const char *old_json, size_t old_len, const char *old_name,
                const struct dc_report *rep, struct dc_diff **out, struct dc_diag *diag)
{
    struct cells olds = {0};
    size_t nnew = rep->plan->ntasks;
    struct dc_texts *texts = dc_texts_new();
    struct dc_diff *d = calloc(1, sizeof *d);
    struct cell *news = calloc(nnew ? nnew : 1, sizeof *news);
    int rc = d && texts && news ? 0 : DC_ENOMEM;
    if (!rc)
        rc = cells_of_report(old_json, old_len, old_name, texts, &olds, diag);
    for (size_t i = 0; !rc && i < nnew; i++) {
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
    if (!rc)
        rc = diff_cells(olds.items, olds.n, news, nnew, d);
    if (!rc) {
        *out = d;
        d = NULL;
    }
    free(olds.items);
    free(news);
    dc_texts_free(texts);
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
                    dci_change_name(e->change), color ? "\033[0m" : "", e->from, e->to, e->check,
                    e->port, e->old_state[0] ? e->old_state : "", e->old_state[0] ? " -> " : "",
                    e->new_state[0] ? e->new_state : "gone", e->detail);
        }
    }
}
