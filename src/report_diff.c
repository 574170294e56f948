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

static bool same_cell(const cJSON *a, const cJSON *b)
{
    return port_of(a) == port_of(b) && strcmp(text(a, "from"), text(b, "from")) == 0 &&
           strcmp(text(a, "to"), text(b, "to")) == 0 &&
           strcmp(text(a, "check"), text(b, "check")) == 0;
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

int dc_diff_reports(const char *old_json, size_t old_len, const char *old_name,
                    const char *new_json, size_t new_len, const char *new_name,
                    struct dc_diff **out, struct dc_diag *diag)
{
    cJSON *old_doc = NULL, *new_doc = NULL;
    int rc = DC_EPARSE;
    struct dc_diff *d = calloc(1, sizeof *d);
    const cJSON *olds = results_of(old_json, old_len, old_name, &old_doc, diag);
    const cJSON *news = olds ? results_of(new_json, new_len, new_name, &new_doc, diag) : NULL;
    if (!d || !news)
        goto out;
    rc = 0;
    const cJSON *now, *old;
    /* quadratic in cells, but a report has thousands of them, and the common order makes
     * the match usually the same index: try that first */
    int i = 0;
    cJSON_ArrayForEach(now, news)
    {
        const cJSON *match = cJSON_GetArrayItem(olds, i++);
        if (!match || !same_cell(match, now)) {
            match = NULL;
            cJSON_ArrayForEach(old, olds)
            {
                if (same_cell(old, now)) {
                    match = old;
                    break;
                }
            }
        }
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
        if (rc)
            goto out;
    }
    cJSON_ArrayForEach(old, olds)
    {
        bool present = false;
        cJSON_ArrayForEach(now, news)
        {
            if (same_cell(old, now)) {
                present = true;
                break;
            }
        }
        if (!present && (rc = add(d, DC_CHANGE_REMOVED, old, old, NULL)))
            goto out;
    }
    *out = d;
    d = NULL;
out:
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
