/* The JSON report: the contract other tools read (schema dmsconn.report/1, README). Fields
 * may be added; none is renamed or removed. */
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "dmsconn/cert.h"
#include "dmsconn/report.h"
#include "base/json_write.h"
#include "base/os.h"
#include "base/base_private.h"
#include "report/report_private.h"
#include "probes/probe.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void iso8601(struct timespec ts, char *buf, size_t cap)
{
    struct tm tm;
    dci_os_gmtime(ts.tv_sec, &tm);
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

/* One result object, appended to b as it is made (json_write.h says why not with cJSON). */
static void write_result(struct json_buf *b, const struct dc_report *rep, size_t i)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    const struct dc_result *r = &rep->results[i];
    const struct dc_check *c = &rep->profile->checks[t->check];
    dci_json_raw(b, i ? ",{" : "{", i ? 2 : 1);
    dci_json_field_string(b, true, "from", rep->cluster->nodes[t->from].name);
    dci_json_field_string(b, false, "to", rep->cluster->nodes[t->to].name);
    dci_json_field_string(b, false, "check", c->name);
    dci_json_field_uint(b, false, "port", t->port);
    dci_json_field_string(b, false, "transport", dc_transport_name(c->transport));
    dci_json_field_string(b, false, "state", dc_state_name(r->state));
    dci_json_field_string(b, false, "expect", dc_expect_name(c->expect));
    dci_json_field_string(b, false, "verdict", dc_verdict_name(r->verdict));
    if (r->latency_ms >= 0)
        dci_json_field_millis(b, false, "latency_ms", r->latency_ms);
    else
        dci_json_field_null(b, false, "latency_ms");
    dci_json_field_string(b, false, "detail", r->detail);
    const char *remedy = rep->results[i].remedy;
    dci_json_field_string(b, false, "remedy", remedy[0] ? remedy : NULL);
    dci_json_field_string(b, false, "address", r->address);
    dci_json_field_string(b, false, "probe", c->probe->name);
    dci_json_field_string(b, false, "service", c->service);
    if (r->evidence[0])
        dci_json_field_string(b, false, "evidence", r->evidence);
    if (!r->measured)
        dci_json_field_bool(b, false, "measured", false);
    if (r->preflight)
        dci_json_field_bool(b, false, "preflight", true);
    if (r->severe)
        dci_json_field_bool(b, false, "severe", true);
    struct dci_icmp_stats icmp;
    if (c->transport == DC_TRANSPORT_ICMP && dci_icmp_stats_parse(r->evidence, &icmp)) {
        /* what the echoes measured: "icmp": {sent, received, loss_pct, rtt_*_ms} */
        dci_json_key(b, false, "icmp");
        dci_json_raw(b, "{", 1);
        dci_json_field_uint(b, true, "sent", icmp.sent);
        dci_json_field_uint(b, false, "received", icmp.received);
        dci_json_field_millis(b, false, "loss_pct",
                              icmp.sent ? 100.0 * (icmp.sent - icmp.received) / icmp.sent : 0);
        if (icmp.received) {
            dci_json_field_millis(b, false, "rtt_min_ms", icmp.rtt_min_ms);
            dci_json_field_millis(b, false, "rtt_avg_ms", icmp.rtt_avg_ms);
            dci_json_field_millis(b, false, "rtt_max_ms", icmp.rtt_max_ms);
        } else {
            dci_json_field_null(b, false, "rtt_min_ms");
            dci_json_field_null(b, false, "rtt_avg_ms");
            dci_json_field_null(b, false, "rtt_max_ms");
        }
        dci_json_raw(b, "}", 1);
    }
    struct dc_cert cert;
    if (r->tls && dc_cert_parse(r->tls, &cert) == 0)
        dci_cert_json_write(b, &cert, dci_verdict_now(rep->verdict_opts));
    if (rep->diagnosis && rep->diagnosis->cause_of[i] != DC_NO_CAUSE)
        dci_json_field_uint(b, false, "finding", rep->diagnosis->cause_of[i]);
    dci_json_raw(b, "}", 1);
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
        cJSON_AddNumberToObject(counts, dci_change_name((enum dc_change)k), (double)d->counts[k]);
    cJSON *list = cJSON_AddArrayToObject(o, "changes");
    for (size_t i = 0; i < d->n; i++) {
        const struct dc_diff_entry *e = &d->entries[i];
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "change", dci_change_name(e->change));
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

static void field_node(struct json_buf *b, const char *key, const struct dc_report *rep,
                       uint32_t node)
{
    if (node == DC_NO_NODE)
        dci_json_field_null(b, false, key);
    else
        dci_json_field_string(b, false, key, rep->cluster->nodes[node].name);
}

static void field_group(struct json_buf *b, const char *key, const struct dc_report *rep,
                        const uint32_t *nodes, size_t n, const char *net)
{
    dci_json_key(b, false, key);
    dci_json_raw(b, "{", 1);
    dci_json_key(b, true, "nodes");
    dci_json_raw(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            dci_json_raw(b, ",", 1);
        dci_json_string(b, rep->cluster->nodes[nodes[i]].name);
    }
    dci_json_raw(b, "]", 1);
    if (net)
        dci_json_field_string(b, false, "subnet", net);
    else
        dci_json_field_null(b, false, "subnet");
    dci_json_raw(b, "}", 1);
}

/* One finding: {kind, from, to, [from_group, to_group,] ports, cells, failed, warned,
 * [one_direction,] alternatives, summary, evidence, remedy}. Streamed like the results: one
 * cause may hold every cell of a large matrix. */
static int write_finding(struct json_buf *b, const struct dc_report *rep, size_t c, FILE *f)
{
    const struct dc_cause *s = &rep->diagnosis->causes[c];
    dci_json_raw(b, c ? ",{" : "{", c ? 2 : 1);
    dci_json_field_string(b, true, "kind", dc_cause_kind_name(s->kind));
    field_node(b, "from", rep, s->from);
    field_node(b, "to", rep, s->to);
    if (s->kind == DC_CAUSE_SEGMENT_BLOCKED) {
        field_group(b, "from_group", rep, s->from_group, s->nfrom_group, s->from_net);
        field_group(b, "to_group", rep, s->to_group, s->nto_group, s->to_net);
    }
    dci_json_key(b, false, "ports");
    dci_json_raw(b, "[", 1);
    for (size_t p = 0; p < s->nports; p++) {
        dci_json_raw(b, p ? ",{" : "{", p ? 2 : 1);
        dci_json_field_uint(b, true, "port", s->ports[p].port);
        dci_json_field_string(b, false, "transport", dc_transport_name(s->ports[p].transport));
        dci_json_field_string(b, false, "checks", s->ports[p].checks);
        dci_json_raw(b, "}", 1);
    }
    dci_json_raw(b, "]", 1);
    dci_json_key(b, false, "cells");
    dci_json_raw(b, "[", 1);
    int rc = 0;
    for (size_t m = 0; m < s->ncells && rc == 0; m++) {
        const struct dc_task *t = &rep->plan->tasks[s->cells[m]];
        dci_json_raw(b, m ? ",{" : "{", m ? 2 : 1);
        dci_json_field_string(b, true, "from", rep->cluster->nodes[t->from].name);
        dci_json_field_string(b, false, "to", rep->cluster->nodes[t->to].name);
        dci_json_field_string(b, false, "check", rep->profile->checks[t->check].name);
        dci_json_field_uint(b, false, "port", t->port);
        dci_json_raw(b, "}", 1);
        if (b->len >= 65536 || b->failed)
            rc = dci_json_buf_flush(b, f);
    }
    dci_json_raw(b, "]", 1);
    dci_json_field_uint(b, false, "failed", s->nfail);
    dci_json_field_uint(b, false, "warned", s->ncells - s->nfail);
    if (s->kind == DC_CAUSE_PATH_BLOCKED)
        dci_json_field_bool(b, false, "one_direction", s->one_direction);
    dci_json_key(b, false, "alternatives");
    dci_json_raw(b, "[", 1);
    for (int k = 0, n = 0; k < DC_CAUSE_KINDS; k++) {
        if (s->alternatives & (1u << k)) {
            if (n++)
                dci_json_raw(b, ",", 1);
            dci_json_string(b, dc_cause_kind_name((enum dc_cause_kind)k));
        }
    }
    dci_json_raw(b, "]", 1);
    dci_json_field_string(b, false, "summary", s->summary);
    dci_json_field_string(b, false, "evidence", s->evidence);
    dci_json_field_string(b, false, "remedy", s->remedy);
    dci_json_raw(b, "}", 1);
    return rc;
}

/* dmsconn merge: where each row came from, with its own time ("rows": [{from, report,
 * started, stale}]; report and started null for a row no report gave). */
static cJSON *rows_json(const struct dc_report *rep)
{
    cJSON *list = cJSON_CreateArray();
    bool *has_row = calloc(rep->cluster->nnodes ? rep->cluster->nnodes : 1, sizeof *has_row);
    if (!list || !has_row) {
        free(has_row);
        return list;
    }
    for (size_t i = 0; i < rep->plan->ntasks; i++)
        has_row[rep->plan->tasks[i].from] = true;
    for (size_t n = 0; n < rep->cluster->nnodes; n++) {
        if (!has_row[n])
            continue;
        const struct dc_merge_row *row = &rep->rows[n];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "from", rep->cluster->nodes[n].name);
        if (row->file) {
            char started[40];
            iso8601((struct timespec){.tv_sec = row->started}, started, sizeof started);
            cJSON_AddStringToObject(o, "report", row->file);
            cJSON_AddStringToObject(o, "started", started);
        } else {
            cJSON_AddNullToObject(o, "report");
            cJSON_AddNullToObject(o, "started");
        }
        cJSON_AddBoolToObject(o, "stale", row->stale);
        cJSON_AddItemToArray(list, o);
    }
    free(has_row);
    return list;
}

/* "upgrade": [{file, line, finding}], what VerifyGRPCConnection refuses in the files read
 * ([] when a DataMiner folder was read and nothing, null when nothing is known). */
static cJSON *upgrade_json(const struct dc_cluster *cl)
{
    if (!cl->upgrade_known && cl->nupgrade == 0)
        return cJSON_CreateNull();
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < cl->nupgrade; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "file", cl->upgrade[i].file);
        cJSON_AddNumberToObject(o, "line", (double)cl->upgrade[i].line);
        cJSON_AddStringToObject(o, "finding", cl->upgrade[i].finding);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* "clocks": [{node, offset_ms, uncertainty_ms, verdict, source}], each node whose clock was
 * measured (the coordinator's own is the reference: 0). */
static cJSON *clocks_json(const struct dc_report *rep)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t n = 0; rep->clocks && n < rep->cluster->nnodes; n++) {
        const struct dc_clock *c = &rep->clocks[n];
        if (c->source == DC_CLOCK_NONE)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "node", rep->cluster->nodes[n].name);
        cJSON_AddNumberToObject(o, "offset_ms", round3(c->offset_ms));
        cJSON_AddNumberToObject(o, "uncertainty_ms", round3(c->uncertainty_ms));
        cJSON_AddStringToObject(o, "verdict", dc_verdict_name(c->verdict));
        cJSON_AddStringToObject(o, "source", dc_clock_source_name(c->source));
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* "agents": [{node, pinned, verdict, tls}], the certificate each agent's HTTPS showed (only
 * when some agent was spoken to over HTTPS). */
static cJSON *agents_json(const struct dc_report *rep)
{
    cJSON *list = cJSON_CreateArray();
    size_t n = 0;
    struct dci_cert_entry *certs = dci_cert_list(rep, &n);
    double now = dci_verdict_now(rep->verdict_opts);
    for (size_t k = 0; list && k < n; k++) {
        const struct dci_cert_entry *e = &certs[k];
        if (e->agent < 0)
            continue;
        struct json_buf b = {0};
        dci_json_raw(&b, "{\"_\":0", 6); /* the writer puts a comma before its key */
        dci_cert_json_write(&b, &e->cert, now);
        dci_json_raw(&b, "}", 1);
        cJSON *parsed = b.failed ? NULL : cJSON_ParseWithLength(b.data, b.len);
        dci_json_buf_free(&b);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "node", rep->cluster->nodes[e->agent].name);
        cJSON_AddBoolToObject(o, "pinned", rep->cluster->nodes[e->agent].agent_pin != NULL);
        cJSON_AddStringToObject(o, "verdict", dc_verdict_name(e->verdict));
        if (parsed)
            cJSON_AddItemToObject(o, "tls", cJSON_DetachItemFromObject(parsed, "tls"));
        cJSON_Delete(parsed);
        cJSON_AddItemToArray(list, o);
    }
    free(certs);
    return list;
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
    size_t counts[3] = {0, 0, 0}, unmeasured = 0;
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        unmeasured += rep->results[i].agent_failure != DC_AGENT_OK;
        counts[rep->results[i].verdict]++;
    }
    cJSON *summary = cJSON_AddObjectToObject(root, "counts");
    cJSON_AddNumberToObject(summary, "pass", (double)counts[DC_VERDICT_PASS]);
    cJSON_AddNumberToObject(summary, "warn", (double)counts[DC_VERDICT_WARN]);
    cJSON_AddNumberToObject(summary, "fail", (double)counts[DC_VERDICT_FAIL]);
    /* of the warnings: rows whose agent gave nothing (counted apart, said once a row) */
    cJSON_AddNumberToObject(summary, "unmeasured", (double)unmeasured);
    cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
    for (size_t i = 0; i < rep->cluster->nnodes; i++)
        cJSON_AddItemToArray(nodes, node_json(&rep->cluster->nodes[i]));
    if (rep->rows)
        cJSON_AddItemToObject(root, "rows", rows_json(rep));
    cJSON *notes = cJSON_AddArrayToObject(root, "notes");
    for (size_t i = 0; i < rep->cluster->nnotes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(rep->cluster->notes[i]));
    if (rep->diff)
        cJSON_AddItemToObject(root, "diff", diff_json(rep));
    cJSON_AddItemToObject(root, "upgrade", upgrade_json(rep->cluster));
    cJSON_AddItemToObject(root, "clocks", clocks_json(rep));
    if (rep->agent_certs)
        cJSON_AddItemToObject(root, "agents", agents_json(rep));
    return root;
}

/* The document, streamed: the head as one small cJSON tree, then one result at a time,
 * written directly, so a report of 300,000 results never holds them all (the head's closing
 * brace is where the results array is spliced in). */
int dci_report_json_stream(const struct dc_report *rep, FILE *f)
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
    struct json_buf b = {0};
    int rc = 0;
    for (size_t i = 0; i < rep->plan->ntasks && rc == 0; i++) {
        write_result(&b, rep, i);
        if (b.len >= 65536 || b.failed) /* stdio sees a few large writes */
            rc = dci_json_buf_flush(&b, f);
    }
    /* "findings": after the results, so a reader of the head alone needs none of it */
    static const char findings[] = "],\"findings\":[";
    dci_json_raw(&b, findings, sizeof findings - 1);
    for (size_t c = 0; rep->diagnosis && c < rep->diagnosis->n && rc == 0; c++)
        rc = write_finding(&b, rep, c, f);
    if (rc == 0)
        rc = dci_json_buf_flush(&b, f);
    bool failed = b.failed;
    dci_json_buf_free(&b);
    if (failed)
        return -ENOMEM;
    fputs("]}\n", f);
    return rc || ferror(f) ? -EIO : 0;
}

char *dc_report_json(const struct dc_report *rep)
{
    struct dci_memstream m;
    FILE *f = dci_memstream_open(&m);
    if (!f)
        return NULL;
    int rc = dci_report_json_stream(rep, f);
    char *data = dci_memstream_close(&m, NULL);
    if (rc) {
        free(data);
        return NULL;
    }
    return data;
}

static int stream_json(FILE *f, void *ud)
{
    return dci_report_json_stream(ud, f);
}

int dc_report_json_write(const struct dc_report *rep, const char *path)
{
    return dci_output_stream(path, stream_json, (void *)rep);
}
