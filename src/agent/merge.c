/* dmsconn merge: per-node JSON reports (schema dmsconn.report/1) into one run's results
 * (merge.h). Cells are found by (from, to, check, port) in a hash table of the plan's tasks:
 * a 50-node matrix is tens of thousands of cells, looked up once each. */
#include "inputs/inputs_private.h"
#include "report/report_private.h"
#include "dmsconn/merge.h"
#include "base/portable.h"
#include "base/os.h"

#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "dmsconn/profile.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct task_index {
    uint32_t *slots; /* task + 1; 0: empty */
    size_t mask;
};

static uint64_t key_hash(uint32_t from, uint32_t to, uint32_t check, uint16_t port)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a over the four numbers */
    uint32_t parts[4] = {from, to, check, port};
    for (int i = 0; i < 4; i++) {
        h ^= parts[i];
        h *= 1099511628211u;
    }
    return h ^ (h >> 29);
}

static int index_build(const struct dc_plan *plan, struct task_index *ix)
{
    size_t cap = 16;
    while (cap < plan->ntasks * 2)
        cap <<= 1;
    ix->slots = calloc(cap, sizeof *ix->slots);
    if (!ix->slots)
        return DC_ENOMEM;
    ix->mask = cap - 1;
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        size_t s = key_hash(t->from, t->to, t->check, t->port) & ix->mask;
        while (ix->slots[s])
            s = (s + 1) & ix->mask;
        ix->slots[s] = (uint32_t)i + 1;
    }
    return 0;
}

static long index_find(const struct task_index *ix, const struct dc_plan *plan, uint32_t from,
                       uint32_t to, uint32_t check, uint16_t port)
{
    for (size_t s = key_hash(from, to, check, port) & ix->mask; ix->slots[s];
         s = (s + 1) & ix->mask) {
        const struct dc_task *t = &plan->tasks[ix->slots[s] - 1];
        if (t->from == from && t->to == to && t->check == check && t->port == port)
            return (long)ix->slots[s] - 1;
    }
    return -1;
}

static const char *text(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool flag(const cJSON *o, const char *name, bool otherwise)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : otherwise;
}

/* "2026-12-01T11:50:00.123Z" (the report's "started") as seconds since the epoch. */
static bool parse_time(const char *s, time_t *out)
{
    return dci_parse_utc(s, out);
}

static long find_node(const struct dc_cluster *cluster, const char *name)
{
    return name ? dc_cluster_find(cluster, name) : -1;
}

/* The rows a report gives: every source of its results, claimed for this file. */
static int claim_rows(const struct dc_cluster *cluster, const cJSON *results, const char *path,
                      time_t started, struct dc_merge_row *rows, struct dc_diag *diag)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, results)
    {
        long from = find_node(cluster, text(r, "from"));
        if (from < 0 || rows[from].file == path)
            continue;
        if (rows[from].file) {
            dc_diag_set(diag, "%s and %s both give the row of %s: give one report per node",
                        rows[from].file, path, cluster->nodes[from].name);
            return DC_EINVAL;
        }
        rows[from].file = path;
        rows[from].started = started;
    }
    return 0;
}

static void copy_result(const cJSON *r, struct dc_result *out, struct dc_texts *texts)
{
    enum dc_state state = DC_STATE_UNKNOWN;
    const char *name = text(r, "state");
    if (!name || dc_state_parse(name, &state) != 0)
        state = DC_STATE_UNKNOWN;
    const cJSON *latency = cJSON_GetObjectItemCaseSensitive(r, "latency_ms");
    out->state = state;
    out->measured = flag(r, "measured", state != DC_STATE_UNKNOWN);
    out->preflight = flag(r, "preflight", false);
    out->severe = flag(r, "severe", false);
    out->latency_ms =
        cJSON_IsNumber(latency) && latency->valuedouble >= 0 && latency->valuedouble < 1e9
            ? latency->valuedouble
            : -1;
    out->detail = dc_texts_add(texts, text(r, "detail"));
    out->evidence = dc_texts_add(texts, text(r, "evidence"));
    out->address = dc_texts_add(texts, text(r, "address"));
    /* a "tls" that is no certificate is left out, as an unknown state reads as unknown */
    char why[160];
    const char *tls =
        dci_cert_text_of_json(cJSON_GetObjectItemCaseSensitive(r, "tls"), texts, why, sizeof why);
    out->tls = tls ? tls : "";
}

/* One report's text: its identity checked, its rows claimed, its cells copied. */
static int merge_doc(struct dc_cluster *cluster, const struct dc_profile *profile,
                     const struct dc_plan *plan, const struct task_index *ix, const cJSON *doc,
                     const char *path, struct dc_result *results, struct dc_texts *texts,
                     struct dc_merge_row *rows, struct dc_diag *diag)
{
    int rc = 0;
    const char *schema = text(doc, "schema");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "results");
    time_t started = 0;
    const char *cluster_name = text(doc, "cluster");
    const char *profile_name = text(doc, "profile");
    if (!doc || !schema || strcmp(schema, "dmsconn.report/1") != 0 || !cJSON_IsArray(list)) {
        dc_diag_set(diag,
                    "%s: not a dmsconn JSON report (expected schema dmsconn.report/1, "
                    "from 'dmsconn check --from-here --json FILE')",
                    path);
        rc = DC_EPARSE;
    } else if (!parse_time(text(doc, "started"), &started)) {
        dc_diag_set(diag, "%s: its \"started\" is no time (expected 2026-12-01T02:00:00.000Z)",
                    path);
        rc = DC_EPARSE;
    } else if (cluster->name && cluster_name && strcmp(cluster->name, cluster_name) != 0) {
        dc_diag_set(diag, "%s is a report of cluster '%s'; these nodes are cluster '%s'", path,
                    cluster_name, cluster->name);
        rc = DC_EINVAL;
    } else if (!profile_name || strcmp(profile_name, profile->name) != 0) {
        dc_diag_set(diag, "%s was made with profile '%s'; this merge uses profile '%s'", path,
                    profile_name ? profile_name : "(none)", profile->name);
        rc = DC_EINVAL;
    } else {
        rc = claim_rows(cluster, list, path, started, rows, diag);
    }
    size_t unmatched = 0;
    const cJSON *r;
    const cJSON *cells = rc ? NULL : list;
    cJSON_ArrayForEach(r, cells)
    {
        long from = find_node(cluster, text(r, "from"));
        long to = find_node(cluster, text(r, "to"));
        const char *check_name = text(r, "check");
        long check = check_name ? dc_profile_find(profile, check_name) : -1;
        const cJSON *port = cJSON_GetObjectItemCaseSensitive(r, "port");
        long task = -1;
        /* port 0: a check without one (ICMP) */
        if (from >= 0 && to >= 0 && check >= 0 && cJSON_IsNumber(port) && port->valuedouble >= 0 &&
            port->valuedouble <= 65535)
            task = index_find(ix, plan, (uint32_t)from, (uint32_t)to, (uint32_t)check,
                              (uint16_t)port->valuedouble);
        if (task < 0)
            unmatched++;
        else
            copy_result(r, &results[task], texts);
    }
    if (!rc && unmatched)
        rc = dc_cluster_add_note(cluster,
                                 "%s: %zu result%s match no cell of this plan (made with "
                                 "another node list or profile version?)",
                                 path, unmatched, unmatched == 1 ? "" : "s");
    return rc;
}

int dc_merge_text(struct dc_cluster *cluster, const struct dc_profile *profile,
                  const struct dc_plan *plan, const char *data, size_t len, const char *origin,
                  struct dc_result *results, struct dc_texts *texts, struct dc_merge_row *rows,
                  struct dc_diag *diag)
{
    struct task_index ix = {0};
    cJSON *doc = cJSON_ParseWithLength(data, len);
    int rc = index_build(plan, &ix);
    if (!rc)
        rc = merge_doc(cluster, profile, plan, &ix, doc, origin, results, texts, rows, diag);
    free(ix.slots);
    cJSON_Delete(doc);
    return rc;
}

static void iso(time_t t, char *buf, size_t cap)
{
    struct tm tm;
    dci_os_gmtime(t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Rows without a report, or with a stale one: every cell unknown, and why. */
static int mark_missing(struct dc_cluster *cluster, const struct dc_plan *plan, double max_age_h,
                        time_t now, struct dc_result *results, struct dc_texts *texts,
                        struct dc_merge_row *rows)
{
    int rc = 0;
    char detail[256];
    for (size_t n = 0; n < cluster->nnodes && !rc; n++) {
        const char *name = cluster->nodes[n].name;
        double age_h = (double)(now - rows[n].started) / 3600.0;
        rows[n].stale = rows[n].file && age_h > max_age_h;
        if (rows[n].stale) {
            char made[32];
            iso(rows[n].started, made, sizeof made);
            rc = dc_cluster_add_note(cluster,
                                     "the report of %s (%s) is %.1f h old, made %s: more than "
                                     "--max-age %.0f h, its cells are unknown",
                                     name, rows[n].file, age_h, made, max_age_h);
        }
        for (size_t i = 0; i < plan->ntasks && !rc; i++) {
            struct dc_result *r = &results[i];
            if (plan->tasks[i].from != n || (rows[n].file && !rows[n].stale))
                continue;
            if (rows[n].stale) {
                /* what it measured then stays in the evidence */
                char said[200];
                snprintf(said, sizeof said, "it said then: %s%s%s", dc_state_name(r->state),
                         r->detail[0] ? ", " : "", r->detail);
                snprintf(detail, sizeof detail, "the report of %s is %.1f h old", name, age_h);
                r->agent_failure = DC_AGENT_STALE;
                r->evidence = dc_texts_add(texts, said);
            } else {
                snprintf(detail, sizeof detail, "no report from %s", name);
                r->agent_failure = DC_AGENT_NO_REPORT;
            }
            r->state = DC_STATE_UNKNOWN;
            r->measured = false;
            r->latency_ms = -1;
            r->detail = dc_texts_add(texts, detail);
            r->address = "";
            r->tls = "";
            if (!rows[n].stale)
                r->evidence = "";
        }
    }
    return rc;
}

/* A DMA's --from-here run with its own DataMiner folder also checks its own HTTPS name (a
 * destination NAME/https, role https-name), which no node list given here may have: take
 * it from the report's nodes, so that its cell is planned and kept. */
static int adopt_https_names(struct dc_cluster *cluster, const cJSON *doc, const char *path,
                             struct dc_diag *diag)
{
    const cJSON *node;
    cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(doc, "nodes"))
    {
        const char *name = text(node, "name");
        const cJSON *roles = cJSON_GetObjectItemCaseSensitive(node, "roles");
        const cJSON *addresses = cJSON_GetObjectItemCaseSensitive(node, "addresses");
        const cJSON *first = cJSON_GetArrayItem(addresses, 0);
        bool https = false;
        const cJSON *role;
        cJSON_ArrayForEach(role, roles) https =
            https || (cJSON_IsString(role) && strcmp(role->valuestring, "https-name") == 0);
        if (!https || !cJSON_IsString(first) || dc_cluster_find(cluster, name) >= 0)
            continue;
        long dma = dci_https_name_owner(cluster, name);
        if (dma < 0)
            continue; /* its results will be counted as matching no cell */
        int rc = dc_node_set_https_name(cluster, (uint32_t)dma, first->valuestring, path, diag);
        if (rc)
            return rc;
    }
    return 0;
}

static const char no_cell[] = "no report gives this cell";

/* The cells towards an adopted HTTPS name that no report gave: only its owner's own run
 * checks it, so the other rows never will; they leave the plan rather than stand unknown. */
static void drop_ungiven(struct dc_merge_out *out, size_t first_adopted)
{
    size_t kept = 0;
    for (size_t i = 0; i < out->plan->ntasks; i++) {
        bool ungiven = out->results[i].detail == no_cell;
        if (out->plan->tasks[i].to >= first_adopted && ungiven)
            continue;
        out->plan->tasks[kept] = out->plan->tasks[i];
        out->results[kept++] = out->results[i];
    }
    out->plan->ntasks = kept;
}

int dc_merge_run(struct dc_cluster *cluster, const struct dc_profile *profile,
                 const char *const *paths, size_t npaths, const struct dc_merge_opts *opts,
                 struct dc_merge_out *out, struct dc_texts *texts, struct dc_diag *diag)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    size_t first_adopted = cluster->nnodes; /* nodes added from the reports come after */
    /* Two passes, one report in memory at a time: its nodes before the plan is made, its
     * cells after (holding every parsed report at once took 117 MiB for 50 nodes, against
     * 17 MiB so; the second read comes from the page cache). */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        struct task_index ix = {0};
        if (pass == 1) {
            struct dc_plan_filter all = {0};
            if (dc_plan_build(cluster, profile, &all, &out->plan))
                return DC_ENOMEM;
            size_t n = out->plan->ntasks ? out->plan->ntasks : 1;
            out->results = calloc(n, sizeof *out->results);
            out->rows = calloc(cluster->nnodes ? cluster->nnodes : 1, sizeof *out->rows);
            rc = out->results && out->rows ? index_build(out->plan, &ix) : DC_ENOMEM;
            for (size_t i = 0; !rc && i < out->plan->ntasks; i++)
                dc_result_reset(&out->results[i], no_cell);
        }
        for (size_t p = 0; p < npaths && !rc; p++) {
            char *data = NULL;
            size_t len = 0;
            rc = dc_read_file_max(paths[p], DC_REPORT_MAX_BYTES, &data, &len, diag);
            cJSON *doc = rc ? NULL : cJSON_ParseWithLength(data, len);
            free(data);
            if (!rc && pass == 0)
                rc = adopt_https_names(cluster, doc, paths[p], diag);
            else if (!rc)
                rc = merge_doc(cluster, profile, out->plan, &ix, doc, paths[p], out->results, texts,
                               out->rows, diag);
            cJSON_Delete(doc);
        }
        free(ix.slots);
    }
    if (rc)
        return rc;
    drop_ungiven(out, first_adopted);
    double max_age_h = opts && opts->max_age_h > 0 ? opts->max_age_h : 26.0;
    time_t now = opts && opts->now ? opts->now : time(NULL);
    return mark_missing(cluster, out->plan, max_age_h, now, out->results, texts, out->rows);
}

void dc_merge_out_free(struct dc_merge_out *out)
{
    dc_plan_free(out->plan);
    free(out->results);
    free(out->rows);
    memset(out, 0, sizeof *out);
}
