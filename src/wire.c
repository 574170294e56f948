/* The coordinator-agent protocol (wire.h): JSON with cJSON, checked field by field. */
#include "dmsconn/wire.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmsconn/error.h"
#include "json_write.h"

char *dc_wire_request(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct dc_plan *plan, const size_t *index, size_t n, double timeout_s,
                      double budget_s)
{
    if (n == 0)
        return NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "dmsconn.tasks/1");
    cJSON_AddStringToObject(root, "source", cluster->nodes[plan->tasks[index[0]].from].name);
    cJSON_AddNumberToObject(root, "timeout_s", timeout_s);
    if (budget_s > 0)
        cJSON_AddNumberToObject(root, "budget_s", budget_s);
    cJSON *tasks = cJSON_AddArrayToObject(root, "tasks");
    for (size_t i = 0; i < n; i++) {
        const struct dc_task *t = &plan->tasks[index[i]];
        const struct dc_node *to = &cluster->nodes[t->to];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "to", to->name);
        cJSON_AddStringToObject(o, "address", to->naddresses ? to->addresses[0] : "");
        cJSON_AddStringToObject(o, "check", profile->checks[t->check].name);
        cJSON_AddNumberToObject(o, "port", t->port);
        cJSON_AddItemToArray(tasks, o);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static const char *string_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_field(const cJSON *o, const char *name, size_t max)
{
    const char *s = string_field(o, name);
    return s && strlen(s) <= max ? strdup(s) : NULL;
}

void dc_wire_batch_free(struct dc_wire_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->ntasks; i++) {
        free(b->tasks[i].to);
        free(b->tasks[i].address);
        free(b->tasks[i].check);
    }
    free(b->tasks);
    free(b->source);
    free(b);
}

static int parse_task(const cJSON *o, struct dc_wire_task *t, size_t i, char *why, size_t cap)
{
    const cJSON *port = cJSON_GetObjectItemCaseSensitive(o, "port");
    t->to = dup_field(o, "to", 255);
    t->check = dup_field(o, "check", 255);
    t->address = string_field(o, "address") ? dup_field(o, "address", 255) : strdup("");
    if (!cJSON_IsObject(o) || !t->to || !t->check || !t->address) {
        snprintf(why, cap, "task %zu: expected an object with strings to, check, address", i);
        return DC_EPARSE;
    }
    if (!cJSON_IsNumber(port) || port->valuedouble < 1 || port->valuedouble > 65535 ||
        port->valuedouble != floor(port->valuedouble)) {
        snprintf(why, cap, "task %zu: expected port 1-65535", i);
        return DC_EPARSE;
    }
    t->port = (uint16_t)port->valuedouble;
    return 0;
}

int dc_wire_parse_request(const char *body, size_t len, struct dc_wire_batch **out, char *why,
                          size_t cap)
{
    int rc = DC_EPARSE;
    struct dc_wire_batch *b = calloc(1, sizeof *b);
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!b) {
        rc = DC_ENOMEM;
        goto out;
    }
    if (!root) {
        snprintf(why, cap, "malformed JSON near byte %zu",
                 (size_t)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - body : 0));
        goto out;
    }
    const char *schema = string_field(root, "schema");
    if (!schema || strcmp(schema, "dmsconn.tasks/1") != 0) {
        snprintf(why, cap, "expected schema \"dmsconn.tasks/1\"");
        goto out;
    }
    const cJSON *timeout = cJSON_GetObjectItemCaseSensitive(root, "timeout_s");
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, "tasks");
    b->source = dup_field(root, "source", 255);
    if (!b->source || !cJSON_IsNumber(timeout) || !cJSON_IsArray(tasks)) {
        snprintf(why, cap, "expected source (string), timeout_s (number) and tasks (array)");
        goto out;
    }
    b->timeout_s = timeout->valuedouble;
    const cJSON *budget = cJSON_GetObjectItemCaseSensitive(root, "budget_s");
    if (budget && !cJSON_IsNumber(budget)) {
        snprintf(why, cap, "expected budget_s to be a number of seconds");
        goto out;
    }
    b->budget_s = budget ? budget->valuedouble : 0;
    int n = cJSON_GetArraySize(tasks);
    if (n < 1 || n > DC_WIRE_MAX_TASKS) {
        snprintf(why, cap, "expected 1 to %d tasks, found %d", DC_WIRE_MAX_TASKS, n);
        goto out;
    }
    b->tasks = calloc((size_t)n, sizeof *b->tasks);
    if (!b->tasks) {
        rc = DC_ENOMEM;
        goto out;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, tasks)
    {
        if (parse_task(o, &b->tasks[b->ntasks], b->ntasks, why, cap)) {
            b->ntasks++; /* so its partial strings are freed */
            goto out;
        }
        b->ntasks++;
    }
    *out = b;
    b = NULL;
    rc = 0;
out:
    cJSON_Delete(root);
    dc_wire_batch_free(b);
    return rc;
}

/* Written as it goes (json_write.h), straight into the answer's text. */
char *dc_wire_results(const char *node, const struct dc_result *results, size_t n)
{
    struct json_buf b = {0};
    json_raw(&b, "{", 1);
    json_field_string(&b, true, "schema", "dmsconn.results/1");
    json_field_string(&b, false, "node", node);
    json_raw(&b, ",\"results\":[", 12);
    for (size_t i = 0; i < n; i++) {
        const struct dc_result *r = &results[i];
        json_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        json_field_string(&b, true, "state", dc_state_name(r->state));
        json_field_bool(&b, false, "measured", r->measured);
        if (r->latency_ms >= 0)
            json_field_millis(&b, false, "latency_ms", r->latency_ms);
        else
            json_field_null(&b, false, "latency_ms");
        json_field_string(&b, false, "address", r->address);
        json_field_string(&b, false, "detail", r->detail);
        json_field_string(&b, false, "evidence", r->evidence);
        if (r->severe)
            json_field_bool(&b, false, "severe", true);
        json_raw(&b, "}", 1);
    }
    json_raw(&b, "]}", 3); /* with the terminator */
    if (b.failed) {
        json_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static int parse_result(const cJSON *o, struct dc_result *r, struct dc_texts *texts, size_t i,
                        char *why, size_t cap)
{
    const char *state = string_field(o, "state");
    const cJSON *measured = cJSON_GetObjectItemCaseSensitive(o, "measured");
    const cJSON *latency = cJSON_GetObjectItemCaseSensitive(o, "latency_ms");
    const char *detail = string_field(o, "detail");
    if (!state || dc_state_parse(state, &r->state) || !cJSON_IsBool(measured) || !detail ||
        !(cJSON_IsNull(latency) || cJSON_IsNumber(latency))) {
        snprintf(why, cap, "result %zu: expected state, measured, latency_ms and detail", i);
        return DC_EPARSE;
    }
    r->measured = cJSON_IsTrue(measured);
    r->severe = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "severe"));
    r->latency_ms = cJSON_IsNumber(latency) ? latency->valuedouble : -1;
    const char *address = string_field(o, "address");
    const char *evidence = string_field(o, "evidence");
    r->address = dc_texts_add(texts, address);
    r->detail = dc_texts_add(texts, detail);
    r->evidence = dc_texts_add(texts, evidence);
    return 0;
}

int dc_wire_parse_results(const char *body, size_t len, struct dc_result *results, size_t n,
                          struct dc_texts *texts, char *why, size_t cap)
{
    int rc = DC_EPARSE;
    cJSON *root = cJSON_ParseWithLength(body, len);
    const char *schema = root ? string_field(root, "schema") : NULL;
    const cJSON *list = root ? cJSON_GetObjectItemCaseSensitive(root, "results") : NULL;
    if (!schema || strcmp(schema, "dmsconn.results/1") != 0 || !cJSON_IsArray(list)) {
        snprintf(why, cap, "the agent's answer is not a dmsconn.results/1 document");
        goto out;
    }
    if ((size_t)cJSON_GetArraySize(list) != n) {
        snprintf(why, cap, "the agent returned %d results for %zu tasks", cJSON_GetArraySize(list),
                 n);
        goto out;
    }
    size_t i = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, list)
    {
        if (parse_result(o, &results[i], texts, i, why, cap))
            goto out;
        i++;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}
