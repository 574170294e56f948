/* The coordinator-agent protocol (wire.h): JSON with cJSON, checked field by field. */
#include "dmsconn/wire.h"
#include "base/portable.h"

#include "dmsconn/cluster.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmsconn/error.h"
#include "base/json_write.h"
#include "agent/agent_private.h"
#include "dmsconn/cert.h"
#include "report/report_private.h"

/* Tasks towards the same node travel together, each check as "name:port": a cJSON tree of
 * 1.5 items a task instead of 5 (an agent parsing 10,000 tasks held 3.8 MB of tree). */
/* A target's pre-flight ports, as "preflight":[port,...] after its checks (an agent of an
 * older version ignores the field). */
static void preflight_ports(struct json_buf *b, const struct dc_plan *plan, const size_t *index,
                            size_t from, size_t end, const bool *preflight)
{
    bool first = true;
    for (size_t k = from; preflight && k < end; k++) {
        if (!preflight[index[k]])
            continue;
        if (first)
            dci_json_raw(b, "],\"preflight\":[", 15);
        else
            dci_json_raw(b, ",", 1);
        dci_json_uint(b, plan->tasks[index[k]].port);
        first = false;
    }
}

char *dci_wire_request(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_plan *plan, const size_t *index, size_t n, double timeout_s,
                       double budget_s, const bool *preflight)
{
    if (n == 0)
        return NULL;
    struct json_buf b = {0};
    dci_json_raw(&b, "{", 1);
    dci_json_field_string(&b, true, "schema", "dmsconn.tasks/2");
    dci_json_field_string(&b, false, "source", cluster->nodes[plan->tasks[index[0]].from].name);
    dci_json_field_millis(&b, false, "timeout_s", timeout_s);
    if (budget_s > 0)
        dci_json_field_millis(&b, false, "budget_s", budget_s);
    dci_json_key(&b, false, "targets");
    dci_json_raw(&b, "[", 1);
    size_t group = 0; /* where the current target's tasks start */
    for (size_t i = 0; i < n; i++) {
        const struct dc_task *t = &plan->tasks[index[i]];
        bool same = i > 0 && plan->tasks[index[i - 1]].to == t->to;
        if (!same) {
            const struct dc_node *to = &cluster->nodes[t->to];
            if (i)
                preflight_ports(&b, plan, index, group, i, preflight);
            group = i;
            dci_json_raw(&b, i ? "]},{" : "{", i ? 4 : 1);
            dci_json_field_string(&b, true, "to", to->name);
            dci_json_field_string(&b, false, "address", to->naddresses ? to->addresses[0] : "");
            dci_json_key(&b, false, "checks");
            dci_json_raw(&b, "[", 1);
        } else {
            dci_json_raw(&b, ",", 1);
        }
        char check[300];
        snprintf(check, sizeof check, "%s:%u", profile->checks[t->check].name, t->port);
        dci_json_string(&b, check);
    }
    preflight_ports(&b, plan, index, group, n, preflight);
    dci_json_raw(&b, "]}]}", 4);
    return dci_json_buf_take(&b); /* held until the agent answers: no doubling slack */
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

/* tasks/2: one target, its checks as "name:port" (the port after the last colon). */
static int parse_target(const cJSON *o, struct dc_wire_batch *b, size_t max, char *why, size_t cap)
{
    const char *to = string_field(o, "to");
    const char *address = string_field(o, "address");
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(o, "checks");
    const cJSON *preflight = cJSON_GetObjectItemCaseSensitive(o, "preflight");
    if (!cJSON_IsObject(o) || !to || strlen(to) > 255 || (address && strlen(address) > 255) ||
        !cJSON_IsArray(checks) || (preflight && !cJSON_IsArray(preflight))) {
        snprintf(why, cap, "target %zu: expected an object with to, address and checks", b->ntasks);
        return DC_EPARSE;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, checks)
    {
        if (b->ntasks >= max) {
            snprintf(why, cap, "expected at most %d tasks", DC_WIRE_MAX_TASKS);
            return DC_EPARSE;
        }
        const char *text = cJSON_IsString(c) ? c->valuestring : NULL;
        const char *colon = text ? strrchr(text, ':') : NULL;
        uint16_t port = 0;
        /* "check:0": a check without a port (ICMP echo); the agent's own profile decides */
        bool portless = colon && strcmp(colon + 1, "0") == 0;
        if (!colon || colon == text || colon - text > 255 ||
            (!portless && !dc_port_parse(colon + 1, DC_TO_NUL, &port))) {
            snprintf(why, cap, "task %zu: expected \"check:port\" with a port 1-65535, or 0",
                     b->ntasks);
            return DC_EPARSE;
        }
        struct dc_wire_task *t = &b->tasks[b->ntasks++];
        t->to = strdup(to);
        t->address = strdup(address ? address : "");
        t->check = dci_strndup(text, (size_t)(colon - text));
        t->port = (uint16_t)port;
        const cJSON *p;
        cJSON_ArrayForEach(p, preflight)
        {
            t->preflight |= cJSON_IsNumber(p) && p->valuedouble == (double)port;
        }
        if (!t->to || !t->address || !t->check)
            return DC_ENOMEM;
    }
    return 0;
}

static size_t count_tasks(const cJSON *targets)
{
    size_t n = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, targets)
    {
        n += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "checks"));
    }
    return n;
}

/* An upper bound of the values a JSON text holds (one more than its commas, brackets and
 * braces outside strings), counted before cJSON builds a tree of them: a tree costs about 80
 * bytes a value, and a 16 MiB body of "[0,0,...]" holds 8 million. Not a parser: cJSON still
 * judges the text; this only refuses one whose tree could not be worth building. */
static size_t values_at_most(const char *text, size_t len, size_t stop_at)
{
    size_t n = 1;
    bool in_string = false;
    for (size_t i = 0; i < len && n <= stop_at; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == ',' || c == '[' || c == '{') {
            n++;
        }
    }
    return n;
}

/* A task as tasks/1 writes it takes 7 values (an object of 6 fields), one of tasks/2 fewer. */
#define REQUEST_VALUES_MAX ((size_t)DC_WIRE_MAX_TASKS * 8 + 1024)
/* A result takes 9 values at most (an object of 8 fields), its certificate 13 and one per name
 * (320 bytes of names hold 27 at most): 48 leaves room for a field to come. */
#define RESULT_VALUES 48

int dc_wire_parse_request(const char *body, size_t len, struct dc_wire_batch **out, char *why,
                          size_t cap)
{
    int rc = DC_EPARSE;
    struct dc_wire_batch *b = NULL;
    cJSON *root = NULL;
    if (values_at_most(body, len, REQUEST_VALUES_MAX) > REQUEST_VALUES_MAX) {
        snprintf(why, cap, "expected at most %zu JSON values (%d tasks); refused before parsing",
                 REQUEST_VALUES_MAX, DC_WIRE_MAX_TASKS);
        goto out;
    }
    b = calloc(1, sizeof *b);
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(body, len, &end, false);
    /* one document: what follows it may only be white space */
    while (root && end && end < body + len && strchr(" \t\r\n", *end) && *end)
        end++;
    if (root && end != body + len) {
        snprintf(why, cap, "expected one JSON document; bytes follow it at byte %zu",
                 (size_t)(end - body));
        goto out;
    }
    if (!b) {
        rc = DC_ENOMEM;
        goto out;
    }
    if (!root) {
        snprintf(why, cap, "malformed JSON near byte %zu",
                 (size_t)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - body : 0));
        goto out;
    }
    /* tasks/2 groups the tasks by target; tasks/1 (one object a task) is still read */
    const char *schema = string_field(root, "schema");
    bool grouped = schema && strcmp(schema, "dmsconn.tasks/2") == 0;
    if (!schema || (!grouped && strcmp(schema, "dmsconn.tasks/1") != 0)) {
        snprintf(why, cap, "expected schema \"dmsconn.tasks/2\" (or /1)");
        goto out;
    }
    const cJSON *timeout = cJSON_GetObjectItemCaseSensitive(root, "timeout_s");
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(root, grouped ? "targets" : "tasks");
    b->source = dup_field(root, "source", 255);
    if (!b->source || !cJSON_IsNumber(timeout) || !cJSON_IsArray(tasks)) {
        snprintf(why, cap, "expected source (string), timeout_s (number) and %s (array)",
                 grouped ? "targets" : "tasks");
        goto out;
    }
    b->timeout_s = timeout->valuedouble;
    const cJSON *budget = cJSON_GetObjectItemCaseSensitive(root, "budget_s");
    /* every number a request carries is bounded: 1e300 seconds was an undefined conversion */
    if ((budget && (!cJSON_IsNumber(budget) || !(budget->valuedouble >= 0) ||
                    budget->valuedouble > DC_WIRE_MAX_SECONDS)) ||
        !(b->timeout_s > 0) || b->timeout_s > DC_WIRE_MAX_SECONDS) {
        snprintf(why, cap, "expected timeout_s and budget_s between 0 and %d seconds",
                 DC_WIRE_MAX_SECONDS);
        goto out;
    }
    b->budget_s = budget ? budget->valuedouble : 0;
    size_t n = grouped ? count_tasks(tasks) : (size_t)cJSON_GetArraySize(tasks);
    if (n < 1 || n > DC_WIRE_MAX_TASKS) {
        snprintf(why, cap, "expected 1 to %d tasks, found %zu", DC_WIRE_MAX_TASKS, n);
        goto out;
    }
    b->tasks = calloc(n, sizeof *b->tasks);
    if (!b->tasks) {
        rc = DC_ENOMEM;
        goto out;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, tasks)
    {
        if (grouped) {
            rc = parse_target(o, b, n, why, cap);
            if (rc)
                goto out;
            rc = DC_EPARSE;
            continue;
        }
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
char *dci_wire_results(const char *node, const struct dc_wire_settings *settings,
                       const struct dc_result *results, size_t n)
{
    struct json_buf b = {0};
    dci_json_raw(&b, "{", 1);
    dci_json_field_string(&b, true, "schema", "dmsconn.results/1");
    dci_json_field_string(&b, false, "node", node);
    if (settings && settings->remoting_disabled >= 0)
        dci_json_field_string(&b, false, "remoting",
                              settings->remoting_disabled ? "disabled" : "enabled");
    if (settings && settings->received_ms > 0) {
        dci_json_key(&b, false, "clock");
        dci_json_raw(&b, "{", 1);
        dci_json_field_millis(&b, true, "received_ms", settings->received_ms);
        dci_json_field_millis(&b, false, "answered_ms", settings->answered_ms);
        dci_json_raw(&b, "}", 1);
    }
    dci_json_raw(&b, ",\"results\":[", 12);
    for (size_t i = 0; i < n; i++) {
        const struct dc_result *r = &results[i];
        dci_json_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        dci_json_field_string(&b, true, "state", dc_state_name(r->state));
        dci_json_field_bool(&b, false, "measured", r->measured);
        if (r->latency_ms >= 0)
            dci_json_field_millis(&b, false, "latency_ms", r->latency_ms);
        else
            dci_json_field_null(&b, false, "latency_ms");
        dci_json_field_string(&b, false, "address", r->address);
        dci_json_field_string(&b, false, "detail", r->detail);
        dci_json_field_string(&b, false, "evidence", r->evidence);
        if (r->severe)
            dci_json_field_bool(&b, false, "severe", true);
        struct dc_cert cert;
        if (r->tls && dc_cert_parse(r->tls, &cert) == 0)
            dci_cert_json_write(&b, &cert, 0);
        dci_json_raw(&b, "}", 1);
    }
    dci_json_raw(&b, "]}", 2);
    return dci_json_buf_take(&b);
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
    char bad[160];
    r->tls =
        dci_cert_text_of_json(cJSON_GetObjectItemCaseSensitive(o, "tls"), texts, bad, sizeof bad);
    if (!r->tls) {
        snprintf(why, cap, "result %zu: %s", i, bad);
        return DC_EPARSE;
    }
    return 0;
}

int dc_wire_parse_results(const char *body, size_t len, struct dc_result *results, size_t n,
                          struct dc_texts *texts, struct dc_wire_settings *settings, char *why,
                          size_t cap)
{
    int rc = DC_EPARSE;
    size_t most = n * RESULT_VALUES + 1024;
    cJSON *root = values_at_most(body, len, most) > most ? NULL : cJSON_ParseWithLength(body, len);
    if (settings) {
        const char *remoting = root ? string_field(root, "remoting") : NULL;
        settings->remoting_disabled = !remoting                           ? -1
                                      : strcmp(remoting, "disabled") == 0 ? 1
                                      : strcmp(remoting, "enabled") == 0  ? 0
                                                                          : -1;
        const cJSON *clock = root ? cJSON_GetObjectItemCaseSensitive(root, "clock") : NULL;
        const cJSON *t1 = cJSON_GetObjectItemCaseSensitive(clock, "received_ms");
        const cJSON *t2 = cJSON_GetObjectItemCaseSensitive(clock, "answered_ms");
        bool both = cJSON_IsNumber(t1) && cJSON_IsNumber(t2) && t1->valuedouble > 0 &&
                    t2->valuedouble >= t1->valuedouble;
        settings->received_ms = both ? t1->valuedouble : 0;
        settings->answered_ms = both ? t2->valuedouble : 0;
    }
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
