/* probes/probe_http.c — DataMiner's web endpoints: the DMA web server (80), CloudGateway's
 * internal endpoint (5100), DataMiner's own gRPC test point, APIGateway's version on
 * https://IP/APIGateway/api/version (version JSON on every Agent; 404: APIGateway not
 * running, or IIS bound only to another IP or hostname; over plain HTTP when a Redirect says
 * http://IP/APIGateway), and BrokerGateway's API under https://IP/BrokerGateway/api/. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static void note_server(const struct dci_http_reply *reply, struct dc_finding *out)
{
    if (reply->server[0])
        snprintf(out->evidence, sizeof out->evidence, "Server: %s", reply->server);
}

/* Any HTTP answer proves a web server; the status is worth knowing, not a failure. */
static enum dci_judgement web_judge(unsigned step, const struct dci_http_reply *reply,
                                    struct dc_finding *out)
{
    (void)step;
    out->state = DC_STATE_OK;
    snprintf(out->detail, sizeof out->detail, "HTTP %ld", reply->status);
    note_server(reply, out);
    return DCI_JUDGE_DONE;
}

/* APIGateway and BrokerGateway run in an Agent's IIS (http.sys below it; Kestrel when
 * hosted out of process), which names itself unless the header was removed: a status from
 * a server that names itself otherwise (nginx, Apache) says nothing of DataMiner's. */
static bool from_iis(const struct dci_http_reply *reply)
{
    return !reply->server[0] || strncmp(reply->server, "Microsoft-IIS", 13) == 0 ||
           strncmp(reply->server, "Microsoft-HTTPAPI", 17) == 0 ||
           strncmp(reply->server, "Kestrel", 7) == 0;
}

static enum dci_judgement not_iis(const struct dci_http_reply *reply, struct dc_finding *out)
{
    out->state = DC_STATE_WRONG_SERVICE;
    snprintf(out->detail, sizeof out->detail,
             "HTTP %ld from %s: another web server holds the port, not the Agent's IIS",
             reply->status, reply->server);
    return DCI_JUDGE_DONE;
}

static enum dci_judgement apigateway_judge(unsigned step, const struct dci_http_reply *reply,
                                           struct dc_finding *out)
{
    (void)step;
    note_server(reply, out);
    if (reply->status != 200 && !from_iis(reply))
        return not_iis(reply, out);
    if (reply->status == 404) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail,
                 "HTTP 404 on /APIGateway/api/version: APIGateway not running, or IIS bound "
                 "only to another IP/hostname");
        return DCI_JUDGE_DONE;
    }
    if (reply->status != 200) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail, "HTTP %ld on /APIGateway/api/version",
                 reply->status);
        return DCI_JUDGE_DONE;
    }
    /* the body is the Agent's version JSON; any JSON value counts, its text is evidence */
    cJSON *json = cJSON_ParseWithLength(reply->body, reply->body_len);
    out->state = json ? DC_STATE_OK : DC_STATE_WRONG_SERVICE;
    if (json) {
        char text[120];
        char *flat = cJSON_PrintUnformatted(json);
        dci_printable((const uint8_t *)(flat ? flat : ""), flat ? strlen(flat) : 0, 110, text,
                      sizeof text);
        snprintf(out->detail, sizeof out->detail, "APIGateway answers (gRPC test point)");
        snprintf(out->evidence, sizeof out->evidence, "version %s", text);
        cJSON_free(flat);
        cJSON_Delete(json);
    } else {
        snprintf(out->detail, sizeof out->detail,
                 "HTTP 200 on /APIGateway/api/version, but not the version JSON");
    }
    return DCI_JUDGE_DONE;
}

/* BrokerGateway's API (DataMiner docs, "BrokerGateway migration": the NATS connection details
 * at /BrokerGateway/api/natsconnection/getnatsconnectiondetails) wants its API key in the
 * BrokerGateway-Api-Key header. dmsconn sends none: a refusal (401/403) proves BrokerGateway
 * answers there, a 404 that IIS has no BrokerGateway application. The key is never needed. */
static enum dci_judgement brokergateway_judge(unsigned step, const struct dci_http_reply *reply,
                                              struct dc_finding *out)
{
    (void)step;
    note_server(reply, out);
    if (!from_iis(reply))
        return not_iis(reply, out);
    if (reply->status == 404) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail,
                 "HTTP 404 under /BrokerGateway/api/: BrokerGateway not installed or not running "
                 "in IIS");
    } else if (reply->status >= 500) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail,
                 "HTTP %ld under /BrokerGateway/api/: BrokerGateway answers, but fails",
                 reply->status);
    } else {
        /* 401/403 without its key is the expected answer; any other status still comes from
         * the BrokerGateway application (IIS itself says 404 for an application it lacks) */
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail,
                 "BrokerGateway's API answers (HTTP %ld without an API key)", reply->status);
    }
    return DCI_JUDGE_DONE;
}

/* Any HTTP answer is a web server. */
static const char *web_selftest(void)
{
    const struct dci_selftest_http cases[] = {
        {404, "nginx/1.22.1", "", "", NULL, DC_STATE_OK, "HTTP 404"},
    };
    return dci_selftest_http(&dci_probe_http, cases, DCI_SELFTEST_N(cases));
}

/* APIGateway's version JSON from the Agent's IIS; IIS's 404 (APIGateway not running);
 * another web server's 404; a 200 that is no JSON. */
static const char *apigateway_selftest(void)
{
    const struct dci_selftest_http cases[] = {
        {200, "Microsoft-IIS/10.0", "", "{\"Version\":\"10.6.1.0-15912\"}", NULL, DC_STATE_OK,
         "10.6.1.0-15912"},
        {404, "Microsoft-IIS/10.0", "", "", NULL, DC_STATE_DEGRADED, "APIGateway not running"},
        {404, "nginx/1.22.1", "", "", NULL, DC_STATE_WRONG_SERVICE, "not the Agent's IIS"},
        {200, "Microsoft-IIS/10.0", "", "<html>", NULL, DC_STATE_WRONG_SERVICE, NULL},
    };
    return dci_selftest_http(&dci_probe_apigateway, cases, DCI_SELFTEST_N(cases));
}

/* BrokerGateway refusing a request without its key proves it runs; IIS's 404 says it is
 * not installed; the same refusal from another web server is not BrokerGateway's. */
static const char *brokergateway_selftest(void)
{
    const struct dci_selftest_http cases[] = {
        {401, "Microsoft-IIS/10.0", "", "{}", NULL, DC_STATE_OK, "without an API key"},
        {404, "Microsoft-IIS/10.0", "", "", NULL, DC_STATE_DEGRADED, "not installed"},
        {401, "nginx/1.22.1", "", "", NULL, DC_STATE_WRONG_SERVICE, "not the Agent's IIS"},
    };
    return dci_selftest_http(&dci_probe_brokergateway, cases, DCI_SELFTEST_N(cases));
}

static const char *const root[] = {"/", NULL};
static const char *const broker[] = {"/BrokerGateway/api/natsconnection/getnatsconnectiondetails",
                                     NULL};
static const char *const version[] = {"/APIGateway/api/version", NULL};

static const struct dci_protocol http_protocol = {
    .driver = DCI_DRIVER_HTTP,
    .http = {.paths = root, .judge = web_judge},
    .selftest = web_selftest,
    .max_reply = 1024,
};

static const struct dci_protocol apigateway_protocol = {
    .driver = DCI_DRIVER_HTTP,
    .http = {.paths = version, .judge = apigateway_judge},
    .selftest = apigateway_selftest,
    .max_reply = 8192,
};

static const struct dci_protocol brokergateway_protocol = {
    .driver = DCI_DRIVER_HTTP,
    .http = {.paths = broker, .judge = brokergateway_judge},
    .selftest = brokergateway_selftest,
    .max_reply = 4096,
};

const struct dc_probe_ops dci_probe_http = {
    .name = "http",
    .summary = "HTTP: a web server answers GET / (status and Server header)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &http_protocol,
};

const struct dc_probe_ops dci_probe_https = {
    .name = "https",
    .summary = "HTTPS: a web server answers GET / over TLS",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .proto = &http_protocol,
};

const struct dc_probe_ops dci_probe_cloudgateway = {
    .name = "cloudgateway",
    .summary = "CloudGateway: its internal HTTP endpoint answers",
    .transport = DC_TRANSPORT_TCP,
    .proto = &http_protocol,
};

const struct dc_probe_ops dci_probe_apigateway = {
    .family = DC_FAMILY_SLNET,
    .name = "apigateway",
    .summary = "gRPC via APIGateway: https://IP/APIGateway/api/version answers version JSON",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .proto = &apigateway_protocol,
};

const struct dc_probe_ops dci_probe_apigateway_http = {
    .family = DC_FAMILY_SLNET,
    .name = "apigateway-http",
    .summary = "gRPC via APIGateway over plain HTTP (a Redirect via http://IP/APIGateway)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &apigateway_protocol,
};

const struct dc_probe_ops dci_probe_brokergateway = {
    .family = DC_FAMILY_NATS,
    .name = "brokergateway",
    .summary = "BrokerGateway: its API under https://IP/BrokerGateway/api/ answers",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .proto = &brokergateway_protocol,
};

/* DataMiner's HTTPS name (MaintenanceSettings.xml <HTTPS name>), probed as its own
 * destination: the engine resolves the name from the source (and fails the check when it
 * leads elsewhere than its DMA), the URL carries the name, so the TLS handshake sends it as
 * SNI and the certificate must carry it; any HTTP answer then proves IIS. */
const struct dc_probe_ops dci_probe_https_name = {
    .name = "https-name",
    .summary = "HTTPS name: resolves to its DMA, and the certificate on 443 carries it",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .by_name = true,
    .proto = &http_protocol,
};
