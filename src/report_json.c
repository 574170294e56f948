/* The JSON report: the contract other tools read (schema dmsconn.report/1, README). Fields
 * may be added; none is renamed or removed. */
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "dmsconn/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void iso8601(struct timespec ts, char *buf, size_t cap)
{
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

static void add_role(const char *name, void *ud)
{
    cJSON_AddItemToArray(ud, cJSON_CreateString(name));
}

static cJSON *node_json(const struct dc_node *node)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", node->name);
    cJSON *addrs = cJSON_AddArrayToObject(o, "addresses");
    for (size_t i = 0; i < node->naddresses; i++)
        cJSON_AddItemToArray(addrs, cJSON_CreateString(node->addresses[i]));
    cJSON *roles = cJSON_AddArrayToObject(o, "roles");
    dc_roles_each(node->roles, add_role, roles);
    if (node->pseudo)
        cJSON_AddBoolToObject(o, "source_only", true);
    return o;
}

static cJSON *result_json(const struct dc_report *rep, size_t i)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    const struct dc_result *r = &rep->results[i];
    const struct dc_check *c = &rep->profile->checks[t->check];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "from", rep->cluster->nodes[t->from].name);
    cJSON_AddStringToObject(o, "to", rep->cluster->nodes[t->to].name);
    cJSON_AddStringToObject(o, "check", c->name);
    cJSON_AddNumberToObject(o, "port", t->port);
    cJSON_AddStringToObject(o, "transport", dc_transport_name(c->transport));
    cJSON_AddStringToObject(o, "state", dc_state_name(r->state));
    cJSON_AddStringToObject(o, "expect", dc_expect_name(c->expect));
    cJSON_AddStringToObject(o, "verdict", dc_verdict_name(r->verdict));
    if (r->latency_ms >= 0)
        cJSON_AddNumberToObject(o, "latency_ms", round3(r->latency_ms));
    else
        cJSON_AddNullToObject(o, "latency_ms");
    cJSON_AddStringToObject(o, "detail", r->detail);
    char remedy[512];
    dc_report_remedy(rep, i, remedy, sizeof remedy);
    if (remedy[0])
        cJSON_AddStringToObject(o, "remedy", remedy);
    else
        cJSON_AddNullToObject(o, "remedy");
    cJSON_AddStringToObject(o, "address", r->address);
    cJSON_AddStringToObject(o, "probe", c->probe->name);
    cJSON_AddStringToObject(o, "service", c->service);
    if (r->evidence[0])
        cJSON_AddStringToObject(o, "evidence", r->evidence);
    if (!r->measured)
        cJSON_AddBoolToObject(o, "measured", false);
    if (r->preflight)
        cJSON_AddBoolToObject(o, "preflight", true);
    if (r->severe)
        cJSON_AddBoolToObject(o, "severe", true);
    return o;
}

/* "diff": {"baseline": FILE, "counts": {...}, "changes": [{change, from, to, check, port,
 * old_state, new_state, detail}]} */
static cJSON *diff_json(const struct dc_report *rep)
{
    const struct dc_diff *d = rep->diff;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "baseline", rep->baseline ? rep->baseline : "");
    cJSON *counts = cJSON_AddObjectToObject(o, "counts");
    for (int k = 0; k < DC_CHANGE_COUNT; k++)
        cJSON_AddNumberToObject(counts, dc_change_name((enum dc_change)k), (double)d->counts[k]);
    cJSON *list = cJSON_AddArrayToObject(o, "changes");
    for (size_t i = 0; i < d->n; i++) {
        const struct dc_diff_entry *e = &d->entries[i];
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "change", dc_change_name(e->change));
        cJSON_AddStringToObject(c, "from", e->from);
        cJSON_AddStringToObject(c, "to", e->to);
        cJSON_AddStringToObject(c, "check", e->check);
        cJSON_AddNumberToObject(c, "port", e->port);
        cJSON_AddStringToObject(c, "old_state", e->old_state);
        cJSON_AddStringToObject(c, "new_state", e->new_state);
        cJSON_AddStringToObject(c, "detail", e->detail);
        cJSON_AddItemToArray(list, c);
    }
    return o;
}

/* Everything but the results: small, built as one cJSON tree. */
static cJSON *head_json(const struct dc_report *rep)
{
    char started[40];
    iso8601(rep->started, started, sizeof started);
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "schema", "dmsconn.report/1");
    if (rep->cluster->name)
        cJSON_AddStringToObject(root, "cluster", rep->cluster->name);
    else
        cJSON_AddNullToObject(root, "cluster");
    cJSON_AddStringToObject(root, "profile", rep->profile->name);
    cJSON_AddStringToObject(root, "started", started);
    cJSON_AddNumberToObject(root, "duration_ms", round3(rep->duration_ms));
    cJSON_AddStringToObject(root, "verdict", dc_run_verdict_name(rep->verdict));
    cJSON_AddBoolToObject(root, "interrupted", rep->interrupted);
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < rep->plan->ntasks; i++)
        counts[rep->results[i].verdict]++;
    cJSON *summary = cJSON_AddObjectToObject(root, "counts");
    cJSON_AddNumberToObject(summary, "pass", (double)counts[DC_VERDICT_PASS]);
    cJSON_AddNumberToObject(summary, "warn", (double)counts[DC_VERDICT_WARN]);
    cJSON_AddNumberToObject(summary, "fail", (double)counts[DC_VERDICT_FAIL]);
    cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
    for (size_t i = 0; i < rep->cluster->nnodes; i++)
        cJSON_AddItemToArray(nodes, node_json(&rep->cluster->nodes[i]));
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");
    for (size_t i = 0; i < rep->cluster->nnotes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(rep->cluster->notes[i]));
    if (rep->diff)
        cJSON_AddItemToObject(root, "diff", diff_json(rep));
    return root;
}

/* The document, streamed: the head as one small tree, then one result at a time, so a
 * report of 300,000 results never holds 300,000 trees (cJSON has no streaming writer, so
 * the head's closing brace is where the results array is spliced in). */
int dc_report_json_stream(const struct dc_report *rep, FILE *f)
{
    cJSON *head = head_json(rep);
    char *text = head ? cJSON_PrintUnformatted(head) : NULL;
    cJSON_Delete(head);
    if (!text)
        return -ENOMEM;
    size_t len = strlen(text);
    fwrite(text, 1, len - 1, f); /* without the closing brace */
    cJSON_free(text);
    fputs(",\"results\":[", f);
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        cJSON *o = result_json(rep, i);
        char *item = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        if (!item)
            return -ENOMEM;
        if (i)
            fputc(',', f);
        fputs(item, f);
        cJSON_free(item);
    }
    fputs("]}\n", f);
    return ferror(f) ? -EIO : 0;
}

char *dc_report_json(const struct dc_report *rep)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    if (!f)
        return NULL;
    int rc = dc_report_json_stream(rep, f);
    if (fclose(f) != 0 || rc) {
        free(data);
        return NULL;
    }
    return data;
}

static int stream_json(FILE *f, void *ud)
{
    return dc_report_json_stream(ud, f);
}

int dc_report_json_write(const struct dc_report *rep, const char *path)
{
    return dc_output_stream(path, stream_json, (void *)rep);
}
