/* probes/probe_opensearch_http.c — OpenSearch/Elasticsearch REST (9200): GET / names the
 * cluster and version; GET /_cluster/health gives the colour: yellow is degraded, red is
 * degraded badly enough to fail. 401/403: the service is there but wants credentials. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "base/portable.h"
#include "probes/probe.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* A refusal is OpenSearch's only when OpenSearch says it: its security plugin challenges
 * with realm "OpenSearch Security" (HTTPBasicAuthenticator: 401, body "Unauthorized") or
 * answers a security_exception (403, and Elasticsearch's security for both, with realm
 * "security"). Any other web server's 401/403 (nginx auth_basic, apache) is not the search
 * node asking for credentials: another service holds the port. */
static bool search_refusal(const struct dci_http_reply *reply)
{
    const char *challenge = reply->www_authenticate ? reply->www_authenticate : "";
    return dci_strcasestr(challenge, "OpenSearch Security") ||
           dci_strcasestr(challenge, "realm=\"security\"") ||
           (reply->body && strstr(reply->body, "security_exception"));
}

static bool auth_refused(const struct dci_http_reply *reply, struct dc_finding *out)
{
    if (reply->status != 401 && reply->status != 403)
        return false;
    if (!search_refusal(reply)) {
        out->state = DC_STATE_WRONG_SERVICE;
        snprintf(out->detail, sizeof out->detail,
                 "HTTP %ld from a web server that is not OpenSearch/Elasticsearch%s%s",
                 reply->status, reply->server[0] ? ": Server " : "", reply->server);
        return true;
    }
    out->state = DC_STATE_AUTH;
    snprintf(out->detail, sizeof out->detail,
             "HTTP %ld: OpenSearch refused the request (--opensearch-credentials?)", reply->status);
    return true;
}

static enum dci_judgement opensearch_judge(unsigned step, const struct dci_http_reply *reply,
                                           struct dc_finding *out)
{
    if (auth_refused(reply, out))
        return DCI_JUDGE_DONE;
    cJSON *json = reply->status == 200 ? cJSON_ParseWithLength(reply->body, reply->body_len) : NULL;
    if (step == 0) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(json, "cluster_name");
        const cJSON *version = cJSON_GetObjectItemCaseSensitive(json, "version");
        const cJSON *number = cJSON_GetObjectItemCaseSensitive(version, "number");
        const cJSON *dist = cJSON_GetObjectItemCaseSensitive(version, "distribution");
        if (!cJSON_IsString(name) || !cJSON_IsString(number)) {
            out->state = DC_STATE_WRONG_SERVICE;
            snprintf(out->detail, sizeof out->detail,
                     "HTTP %ld on /, not OpenSearch/Elasticsearch%s%s", reply->status,
                     reply->server[0] ? ": Server " : "", reply->server);
            cJSON_Delete(json);
            return DCI_JUDGE_DONE;
        }
        char cluster[64], ver[32];
        dci_printable((const uint8_t *)name->valuestring, strlen(name->valuestring), 60, cluster,
                      sizeof cluster);
        dci_printable((const uint8_t *)number->valuestring, strlen(number->valuestring), 30, ver,
                      sizeof ver);
        snprintf(out->evidence, sizeof out->evidence, "%s %s, cluster %s",
                 cJSON_IsString(dist) ? "OpenSearch" : "Elasticsearch", ver, cluster);
        cJSON_Delete(json);
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "REST API answers");
        return DCI_JUDGE_MORE;
    }
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(json, "status");
    const char *colour = cJSON_IsString(status) ? status->valuestring : "";
    if (strcmp(colour, "green") == 0) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "cluster health green");
    } else if (strcmp(colour, "yellow") == 0) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail,
                 "cluster health yellow: replicas unassigned (a node missing?)");
    } else if (strcmp(colour, "red") == 0) {
        out->state = DC_STATE_DEGRADED;
        out->severe = true;
        snprintf(out->detail, sizeof out->detail,
                 "cluster health red: primary shards unassigned, data unavailable");
    } else {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail, "HTTP %ld on /_cluster/health: no status",
                 reply->status);
    }
    cJSON_Delete(json);
    return DCI_JUDGE_DONE;
}

/* GET / then /_cluster/health: green, yellow, red; the security plugin's 401 challenge;
 * nginx's auth_basic 401, which is not OpenSearch asking. */
static const char *search_selftest(void)
{
    static const char root[] = "{\"cluster_name\":\"dms\",\"version\":{\"distribution\":"
                               "\"opensearch\",\"number\":\"2.11.1\"}}";
    const struct dci_selftest_http cases[] = {
        {200, "", "", root, "{\"status\":\"green\"}", DC_STATE_OK, "green"},
        {200, "", "", root, "{\"status\":\"yellow\"}", DC_STATE_DEGRADED, "yellow"},
        {200, "", "", root, "{\"status\":\"red\"}", DC_STATE_DEGRADED, "red"},
        {401, "", "Basic realm=\"OpenSearch Security\"", "Unauthorized", NULL, DC_STATE_AUTH, NULL},
        {401, "nginx/1.22.1", "Basic realm=\"Restricted\"", "<html>401</html>", NULL,
         DC_STATE_WRONG_SERVICE, "nginx"},
    };
    return dci_selftest_http(&dci_probe_opensearch_http, cases, DCI_SELFTEST_N(cases));
}

/* --secret opensearch=FILE: USER:PASSWORD for the security plugin's basic auth */
static const char *credentials_check(const char *text)
{
    const char *colon = strchr(text, ':');
    return colon && colon != text && colon[1] ? NULL : "USER:PASSWORD on one line";
}

static const char *const paths[] = {"/", "/_cluster/health", NULL};

static const struct dci_protocol opensearch_http_protocol = {
    .driver = DCI_DRIVER_HTTP,
    .http = {.paths = paths, .basic_auth = true, .judge = opensearch_judge},
    .secret = "opensearch",
    .secret_form = "USER:PASSWORD",
    .secret_check = credentials_check,
    .selftest = search_selftest,
    .max_reply = 65536,
};

const struct dc_probe_ops dci_probe_opensearch_http = {
    .family = DC_FAMILY_OPENSEARCH,
    .name = "opensearch-http",
    .summary = "OpenSearch/Elasticsearch REST: cluster name, version, health colour",
    .transport = DC_TRANSPORT_TCP,
    .proto = &opensearch_http_protocol,
};

/* The same over HTTPS: DB.xml's DBServer https://host:9200 (OpenSearch's security plugin). */
const struct dc_probe_ops dci_probe_opensearch_https = {
    .family = DC_FAMILY_OPENSEARCH,
    .name = "opensearch-https",
    .summary = "OpenSearch/Elasticsearch REST over HTTPS: cluster name, version, health colour",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .proto = &opensearch_http_protocol,
};
