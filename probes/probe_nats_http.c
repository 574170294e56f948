/* probes/probe_nats_http.c — NATS over HTTP: the monitoring port (8222: /varz for the
 * server, /routez for its routes — counting distinct remote_id, since newer servers pool
 * several connections per route) and the NATS Account Server (9090: GET /jwt/v1/accounts/
 * answers 200, its "server test point"); anything else on 9090 is the known port clash. */
#include "dmsconn/probe.h"
#include "probe_util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static void copy_text(const cJSON *o, const char *name, char *buf, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    const char *s = cJSON_IsString(v) ? v->valuestring : "?";
    dc_printable((const uint8_t *)s, strlen(s), cap - 1, buf, cap);
}

static enum dc_judgement monitor_judge(unsigned step, const struct dc_http_reply *reply,
                                       struct dc_finding *out)
{
    cJSON *json = reply->status == 200 ? cJSON_ParseWithLength(reply->body, reply->body_len) : NULL;
    if (step == 0) {
        if (!cJSON_IsObject(json) || !cJSON_GetObjectItemCaseSensitive(json, "server_id")) {
            out->state = DC_STATE_WRONG_SERVICE;
            snprintf(out->detail, sizeof out->detail, "HTTP %ld on /varz, not NATS monitoring%s%s",
                     reply->status, reply->server[0] ? ": Server " : "", reply->server);
            cJSON_Delete(json);
            return DC_JUDGE_DONE;
        }
        char version[32], name[64];
        copy_text(json, "version", version, sizeof version);
        copy_text(json, "server_name", name, sizeof name);
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "NATS monitoring, server %s", version);
        snprintf(out->evidence, sizeof out->evidence, "server %s", name);
        cJSON_Delete(json);
        return DC_JUDGE_MORE;
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
        if (!dup && peers < 64)
            snprintf(seen[peers++], sizeof seen[0], "%s", id);
    }
    size_t n = strlen(out->evidence);
    snprintf(out->evidence + n, sizeof out->evidence - n, ", routes to %zu peer%s", peers,
             peers == 1 ? "" : "s");
    char missing[160] = "";
    size_t nmissing = 0;
    for (size_t p = 0; p < reply->npeers; p++) {
        if (strcmp(reply->peer_addresses[p], reply->self_address) == 0)
            continue;
        bool routed = false;
        cJSON_ArrayForEach(r, routes)
        {
            const cJSON *ip = cJSON_GetObjectItemCaseSensitive(r, "ip");
            routed = routed ||
                     (cJSON_IsString(ip) && strcmp(ip->valuestring, reply->peer_addresses[p]) == 0);
        }
        if (!routed) {
            size_t m = strlen(missing);
            snprintf(missing + m, sizeof missing - m, "%s%s", nmissing ? ", " : "",
                     reply->peer_names[p]);
            nmissing++;
        }
    }
    if (nmissing) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail, "NATS has no route to %s (of the node list)",
                 missing);
    }
    cJSON_Delete(json);
    return DC_JUDGE_DONE;
}

static enum dc_judgement account_judge(unsigned step, const struct dc_http_reply *reply,
                                       struct dc_finding *out)
{
    (void)step;
    if (reply->status == 200) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "NATS Account Server (/jwt/v1/accounts/)");
        if (reply->server[0])
            snprintf(out->evidence, sizeof out->evidence, "Server: %s", reply->server);
        return DC_JUDGE_DONE;
    }
    out->state = DC_STATE_WRONG_SERVICE;
    snprintf(out->detail, sizeof out->detail,
             "HTTP %ld on /jwt/v1/accounts/: another program holds port 9090 (%s), a known "
             "clash with the NATS Account Server",
             reply->status, reply->server[0] ? reply->server : "no Server header");
    return DC_JUDGE_DONE;
}

static const char *const monitor_paths[] = {"/varz", "/routez", NULL};
static const char *const account_paths[] = {"/jwt/v1/accounts/", NULL};
static const uint16_t monitor_ports[] = {8222, 0};
static const uint16_t account_ports[] = {9090, 0};

const struct dc_probe_ops dc_probe_nats_monitor = {
    .name = "nats-monitor",
    .summary = "NATS monitoring: /varz (version) and /routez (distinct route peers)",
    .default_ports = monitor_ports,
    .transport = DC_TRANSPORT_TCP,
    .driver = DC_DRIVER_HTTP,
    .paths = monitor_paths,
    .judge_http = monitor_judge,
    .max_reply = 262144,
};

const struct dc_probe_ops dc_probe_nats_account = {
    .name = "nats-account",
    .summary = "NATS Account Server: GET /jwt/v1/accounts/ answers 200",
    .default_ports = account_ports,
    .transport = DC_TRANSPORT_TCP,
    .driver = DC_DRIVER_HTTP,
    .paths = account_paths,
    .judge_http = account_judge,
    .max_reply = 4096,
};
