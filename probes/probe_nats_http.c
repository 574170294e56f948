/* probes/probe_nats_http.c — NATS over HTTP: the monitoring port (8222: /varz for the
 * server, /routez for its routes — counting distinct remote_id, since newer servers pool
 * several connections per route) and the NATS Account Server (9090: GET /jwt/v1/accounts/
 * answers 200, its "server test point", from Go's net/http: no Server header); anything
 * else on 9090 is the known port clash.
 *
 * A route in /routez names its peer by server id (remote_id) and by the address the
 * connection comes from (ip), which is not the node list's where a host has several
 * addresses, sits behind NAT or shares loopback: the judge first matches by address, and
 * the revise step then matches what is still missing by the peer's own server_id (from its
 * /varz, in the same run). */
#include "dmsconn/cluster.h"
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static void copy_text(const cJSON *o, const char *name, char *buf, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    const char *s = cJSON_IsString(v) ? v->valuestring : "?";
    dci_printable((const uint8_t *)s, strlen(s), cap - 1, buf, cap);
}

/* One "key=value" line of facts for the revise step (nothing when the driver gave no room). */
static void keep_fact(struct dc_finding *out, const char *key, const char *value)
{
    if (!out->facts || !out->facts_cap)
        return;
    size_t n = strlen(out->facts);
    snprintf(out->facts + n, out->facts_cap - n, "%s=%s\n", key, value);
}

/* The cluster's NATS servers: every DMA and NATS node (a node list's, not --all-targets'
 * "here"); each should have a route to every other. */
static bool is_nats_server(const struct dc_node *node)
{
    return !node->pseudo && node->naddresses && (node->roles & (DC_ROLE_DMA | DC_ROLE_NATS));
}

static enum dci_judgement monitor_judge(unsigned step, const struct dci_http_reply *reply,
                                        struct dc_finding *out)
{
    cJSON *json = reply->status == 200 ? cJSON_ParseWithLength(reply->body, reply->body_len) : NULL;
    if (step == 0) {
        if (!cJSON_IsObject(json) || !cJSON_GetObjectItemCaseSensitive(json, "server_id")) {
            out->state = DC_STATE_WRONG_SERVICE;
            snprintf(out->detail, sizeof out->detail, "HTTP %ld on /varz, not NATS monitoring%s%s",
                     reply->status, reply->server[0] ? ": Server " : "", reply->server);
            cJSON_Delete(json);
            return DCI_JUDGE_DONE;
        }
        char version[32], name[64], id[64];
        copy_text(json, "version", version, sizeof version);
        copy_text(json, "server_name", name, sizeof name);
        copy_text(json, "server_id", id, sizeof id);
        keep_fact(out, "id", id);
        keep_fact(out, "version", version);
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "NATS monitoring, server %s", version);
        snprintf(out->evidence, sizeof out->evidence, "server %s", name);
        cJSON_Delete(json);
        return DCI_JUDGE_MORE;
    }
    /* /routez: how many distinct peers this server routes to (remote_id: newer servers pool
     * several connections per route), and which of the cluster's servers it has no route
     * to. NATS delivers over one hop, so every server needs a route to every other, even
     * where DataMiner's configuration lists only four: the rest come by gossip. */
    const cJSON *routes = cJSON_GetObjectItemCaseSensitive(json, "routes");
    const cJSON *r;
    char seen[64][64];
    size_t peers = 0;
    cJSON_ArrayForEach(r, routes)
    {
        char id[64];
        copy_text(r, "remote_id", id, sizeof id);
        bool dup = false;
        for (size_t i = 0; i < peers && !dup; i++)
            dup = strcmp(seen[i], id) == 0;
        if (!dup && peers < 64) {
            snprintf(seen[peers++], sizeof seen[0], "%s", id);
            keep_fact(out, "route", id);
        }
    }
    size_t n = strlen(out->evidence);
    snprintf(out->evidence + n, sizeof out->evidence - n, ", routes to %zu peer%s", peers,
             peers == 1 ? "" : "s");
    char missing[160] = "";
    size_t nmissing = 0;
    const struct dc_cluster *cluster = reply->cluster;
    for (size_t p = 0; cluster && p < cluster->nnodes; p++) {
        const struct dc_node *peer = &cluster->nodes[p];
        if (!is_nats_server(peer) || strcmp(peer->addresses[0], reply->address) == 0)
            continue;
        bool routed = false;
        cJSON_ArrayForEach(r, routes)
        {
            const cJSON *ip = cJSON_GetObjectItemCaseSensitive(r, "ip");
            routed =
                routed || (cJSON_IsString(ip) && strcmp(ip->valuestring, peer->addresses[0]) == 0);
        }
        if (!routed) {
            size_t m = strlen(missing);
            snprintf(missing + m, sizeof missing - m, "%s%s", nmissing ? ", " : "", peer->name);
            nmissing++;
            keep_fact(out, "missing", peer->name);
        }
    }
    if (nmissing) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail, "NATS has no route to %s (of the node list)",
                 missing);
    }
    cJSON_Delete(json);
    return DCI_JUDGE_DONE;
}

static const char *next_line(const char *line)
{
    const char *nl = strchr(line, '\n');
    return nl ? nl + 1 : NULL;
}

/* The value of the first line "key=value" of facts, copied into buf ("" if none). */
static const char *fact(const char *facts, const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    buf[0] = '\0';
    for (const char *line = facts; line && *line; line = next_line(line)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
            const char *v = line + klen + 1;
            size_t len = strcspn(v, "\n");
            snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), v);
            return buf;
        }
    }
    return buf;
}

/* Does facts hold the line "key=value"? */
static bool has_fact(const char *facts, const char *key, const char *value)
{
    char want[128];
    snprintf(want, sizeof want, "%s=%s\n", key, value);
    size_t wlen = strlen(want);
    for (const char *line = facts; line && *line; line = next_line(line)) {
        if (strncmp(line, want, wlen) == 0)
            return true;
    }
    return false;
}

static const struct dci_revision *row_of(const struct dci_revision *rows, size_t n,
                                         const char *node)
{
    for (size_t i = 0; i < n; i++) {
        char id[64];
        if (strcmp(rows[i].dst_name, node) == 0 && fact(rows[i].facts, "id", id, sizeof id)[0])
            return &rows[i];
    }
    return NULL;
}

/* A peer the address did not find is routed when either server lists the other's id (one
 * route is one connection, seen from both ends). */
static bool routed_by_id(const struct dci_revision *self, const struct dci_revision *peer)
{
    char self_id[64], peer_id[64];
    fact(self->facts, "id", self_id, sizeof self_id);
    fact(peer->facts, "id", peer_id, sizeof peer_id);
    return has_fact(self->facts, "route", peer_id) || has_fact(peer->facts, "route", self_id);
}

static void monitor_revise(struct dci_revision *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct dci_revision *row = &rows[i];
        if (row->finding.state != DC_STATE_DEGRADED || !strstr(row->facts, "missing="))
            continue;
        char missing[160] = "";
        size_t nmissing = 0, matched = 0;
        for (const char *line = row->facts; line && *line; line = next_line(line)) {
            if (strncmp(line, "missing=", 8) != 0)
                continue;
            char name[128];
            size_t len = strcspn(line + 8, "\n");
            snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1),
                     line + 8);
            const struct dci_revision *peer = row_of(rows, n, name);
            if (peer && routed_by_id(row, peer)) {
                matched++;
                continue;
            }
            size_t m = strlen(missing);
            snprintf(missing + m, sizeof missing - m, "%s%s", nmissing++ ? ", " : "", name);
        }
        if (!matched)
            continue;
        row->changed = true;
        if (nmissing) {
            snprintf(row->finding.detail, sizeof row->finding.detail,
                     "NATS has no route to %s (of the node list)", missing);
            continue;
        }
        char version[32];
        row->finding.state = DC_STATE_OK;
        snprintf(row->finding.detail, sizeof row->finding.detail,
                 "NATS monitoring, server %s (routes matched by server id)",
                 fact(row->facts, "version", version, sizeof version));
    }
}

static enum dci_judgement account_judge(unsigned step, const struct dci_http_reply *reply,
                                        struct dc_finding *out)
{
    (void)step;
    /* the Account Server is Go's net/http, which sends no Server header: a 200 from a server
     * that names itself is another web server's */
    if (reply->status == 200 && !reply->server[0]) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "NATS Account Server (/jwt/v1/accounts/)");
        return DCI_JUDGE_DONE;
    }
    out->state = DC_STATE_WRONG_SERVICE;
    snprintf(out->detail, sizeof out->detail,
             "HTTP %ld on /jwt/v1/accounts/: another program holds port 9090 (%s), a known "
             "clash with the NATS Account Server",
             reply->status, reply->server[0] ? reply->server : "no Server header");
    return DCI_JUDGE_DONE;
}

/* /varz then /routez: a route to the other server of the node list (n2, 10.0.0.2) or none;
 * a web server without server_id. */
static const char *monitor_selftest(void)
{
    static const char varz[] =
        "{\"server_id\":\"N1\",\"version\":\"2.9.10\",\"server_name\":\"n1\"}";
    const struct dci_selftest_http cases[] = {
        {200, "", "", varz, "{\"routes\":[{\"remote_id\":\"N2\",\"ip\":\"10.0.0.2\"}]}",
         DC_STATE_OK, "routes to 1 peer"},
        {200, "", "", varz, "{\"routes\":[]}", DC_STATE_DEGRADED, "no route to n2"},
        {404, "nginx", "", "<html>", NULL, DC_STATE_WRONG_SERVICE, "not NATS monitoring"},
    };
    return dci_selftest_http(&dci_probe_nats_monitor, cases, DCI_SELFTEST_N(cases));
}

/* The Account Server's test point: 200 from Go's net/http (no Server header); a named web
 * server's 200 or a 404 is the 9090 clash. */
static const char *account_selftest(void)
{
    const struct dci_selftest_http cases[] = {
        {200, "", "", "", NULL, DC_STATE_OK, "Account Server"},
        {200, "nginx/1.22.1", "", "", NULL, DC_STATE_WRONG_SERVICE, "known clash"},
        {404, "", "", "", NULL, DC_STATE_WRONG_SERVICE, "known clash"},
    };
    return dci_selftest_http(&dci_probe_nats_account, cases, DCI_SELFTEST_N(cases));
}

static const char *const monitor_paths[] = {"/varz", "/routez", NULL};
static const char *const account_paths[] = {"/jwt/v1/accounts/", NULL};

static const struct dci_protocol nats_monitor_protocol = {
    .driver = DCI_DRIVER_HTTP,
    .http = {.paths = monitor_paths, .judge = monitor_judge},
    .selftest = monitor_selftest,
    .revise = monitor_revise,
    .facts_max = 8192,
    .max_reply = 262144,
};

static const struct dci_protocol nats_account_protocol = {
    .driver = DCI_DRIVER_HTTP,
    .http = {.paths = account_paths, .judge = account_judge},
    .selftest = account_selftest,
    .max_reply = 4096,
};

const struct dc_probe_ops dci_probe_nats_monitor = {
    .family = DC_FAMILY_NATS,
    .name = "nats-monitor",
    .summary = "NATS monitoring: /varz (version) and /routez (distinct route peers)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &nats_monitor_protocol,
};

const struct dc_probe_ops dci_probe_nats_account = {
    .family = DC_FAMILY_NATS,
    .name = "nats-account",
    .summary = "NATS Account Server: GET /jwt/v1/accounts/ answers 200",
    .transport = DC_TRANSPORT_TCP,
    .proto = &nats_account_protocol,
};
