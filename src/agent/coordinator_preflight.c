/* The coordinator's side of pre-flight: ask each destination's agent to listen on the free
 * ports the plan will probe there (or listen here for the coordinator's own node), and
 * release them afterwards. Short blocking requests in parallel (curl multi), before and
 * after the run, each bounded by its own timeout. */
#include "dmsconn/sign.h"
#include "dmsconn/coordinator.h"
#include "dmsconn/agent.h"
#include "dmsconn/preflight.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/curl_uv.h"
#include "agent/agent_private.h"

struct node_pf {
    uint32_t node;
    uint16_t ports[DC_PREFLIGHT_MAX_PORTS];
    size_t nports;
    CURL *easy;
    char *body;
    char *response;
    size_t response_len;
    struct curl_slist *headers;
    uint16_t opened[DC_PREFLIGHT_MAX_PORTS];
    size_t nopened;
    char nonce[33];     /* of the request: its answer's signature covers it */
    char signature[65]; /* the answer's X-Dmsconn-Signature */
};

struct dc_preflight_run {
    const struct dc_cluster *cluster;
    const struct dc_coordinator_opts *opts;
    long local;
    struct dc_preflight local_pf;
    struct node_pf *nodes;
    size_t nnodes;
};

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    struct node_pf *np = ud;
    size_t len = size * n;
    if (np->response_len + len > 65536)
        return 0;
    char *grown = realloc(np->response, np->response_len + len + 1);
    if (!grown)
        return 0;
    memcpy(grown + np->response_len, data, len);
    np->response = grown;
    np->response_len += len;
    grown[np->response_len] = '\0';
    return len;
}

static CURL *request(struct dc_preflight_run *run, struct node_pf *np, const char *method,
                     double timeout_s)
{
    const struct dc_node *node = &run->cluster->nodes[np->node];
    const char *addr = node->naddresses ? node->addresses[0] : "";
    char url[400];
    if (node->agent)
        snprintf(url, sizeof url, "%s://%s/v1/preflight", dci_agent_scheme(run->opts, node),
                 node->agent);
    else
        snprintf(url, sizeof url,
                 strchr(addr, ':') ? "%s://[%s]:%u/v1/preflight" : "%s://%s:%u/v1/preflight",
                 dci_agent_scheme(run->opts, node), addr, run->opts->agent_port);
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_slist_free_all(np->headers);
    np->headers = dci_curl_header(NULL, "Content-Type: application/json");
    if (np->headers)
        np->headers = dci_curl_signed_headers(np->headers, run->opts->token, method,
                                              "/v1/preflight", node->name, np->body ? np->body : "",
                                              np->body ? strlen(np->body) : 0, np->nonce);
    bool ok = np->headers != NULL;
    ok = ok && curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
    if (np->body)
        ok = ok && curl_easy_setopt(e, CURLOPT_POSTFIELDS, np->body) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_HTTPHEADER, np->headers) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_WRITEDATA, np) == CURLE_OK;
    np->signature[0] = '\0';
    ok = ok && curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, dci_curl_signature_header) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_HEADERDATA, np->signature) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000)) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_NOPROXY, "*") == CURLE_OK;
    ok = ok && dci_agent_tls_setopts(e, run->opts, node);
    if (!ok) {
        curl_easy_cleanup(e);
        return NULL;
    }
    return e;
}

/* Runs every node's request at once and waits for all (each has its own timeout). */
static void perform_all(struct dc_preflight_run *run)
{
    CURLM *multi = curl_multi_init();
    for (size_t i = 0; i < run->nnodes; i++) {
        if (run->nodes[i].easy)
            curl_multi_add_handle(multi, run->nodes[i].easy);
    }
    int running = 1;
    while (running > 0) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 200, NULL);
    }
    for (size_t i = 0; i < run->nnodes; i++) {
        if (run->nodes[i].easy)
            curl_multi_remove_handle(multi, run->nodes[i].easy);
    }
    curl_multi_cleanup(multi);
}

/* The ports an agent opened, from an answer signed for this request (anything else: none,
 * so no cell claims a pre-flight listener an impostor made up). */
static void read_opened(const char *token, struct node_pf *np)
{
    long status = 0;
    curl_easy_getinfo(np->easy, CURLINFO_RESPONSE_CODE, &status);
    bool signed_ok =
        status == 200 && np->response &&
        dc_sign_response_ok(token, np->nonce, np->response, np->response_len, np->signature);
    cJSON *root = signed_ok ? cJSON_ParseWithLength(np->response, np->response_len) : NULL;
    const cJSON *opened = cJSON_GetObjectItemCaseSensitive(root, "opened");
    const cJSON *p;
    cJSON_ArrayForEach(p, opened)
    {
        if (cJSON_IsNumber(p) && p->valuedouble >= 1 && p->valuedouble <= 65535 &&
            np->nopened < DC_PREFLIGHT_MAX_PORTS)
            np->opened[np->nopened++] = (uint16_t)p->valuedouble;
    }
    cJSON_Delete(root);
}

static bool has_port(const uint16_t *ports, size_t n, uint16_t port)
{
    for (size_t i = 0; i < n; i++) {
        if (ports[i] == port)
            return true;
    }
    return false;
}

int dci_preflight_begin(const struct dc_cluster *cluster, const struct dc_profile *profile,
                        const struct dc_plan *plan, long local,
                        const struct dc_coordinator_opts *opts, double hold_s, bool *opened,
                        struct dc_preflight_run **out)
{
    struct dc_preflight_run *run = calloc(1, sizeof *run);
    if (!run)
        return DC_ENOMEM;
    run->cluster = cluster;
    run->opts = opts;
    run->local = local;
    run->nodes = calloc(cluster->nnodes ? cluster->nnodes : 1, sizeof *run->nodes);
    if (!run->nodes) {
        free(run);
        return DC_ENOMEM;
    }
    for (uint32_t n = 0; n < cluster->nnodes; n++)
        run->nodes[n].node = n;
    run->nnodes = cluster->nnodes;
    /* the distinct ports probed on each destination, except those that must stay closed */
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        struct node_pf *np = &run->nodes[t->to];
        if (!dc_expect_may_listen(profile->checks[t->check].expect) ||
            has_port(np->ports, np->nports, t->port) || np->nports == DC_PREFLIGHT_MAX_PORTS)
            continue;
        np->ports[np->nports++] = t->port;
    }
    for (size_t n = 0; n < run->nnodes; n++) {
        struct node_pf *np = &run->nodes[n];
        if (np->nports == 0 || (long)n == local || !opts->token)
            continue;
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "schema", "dmsconn.preflight/1");
        cJSON *ports = cJSON_AddArrayToObject(body, "ports");
        for (size_t k = 0; k < np->nports; k++)
            cJSON_AddItemToArray(ports, cJSON_CreateNumber(np->ports[k]));
        cJSON_AddNumberToObject(body, "hold_s", hold_s);
        np->body = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);
        np->easy = request(run, np, "POST", 5.0);
    }
    if (local >= 0 && run->nodes[local].nports > 0) {
        const struct dc_node *self = &cluster->nodes[local];
        struct node_pf *np = &run->nodes[local];
        if (self->naddresses &&
            dci_preflight_open(self->addresses[0], np->ports, np->nports, &run->local_pf) == 0) {
            memcpy(np->opened, run->local_pf.opened, run->local_pf.nopened * sizeof *np->opened);
            np->nopened = run->local_pf.nopened;
        }
    }
    perform_all(run);
    for (size_t n = 0; n < run->nnodes; n++) {
        if (run->nodes[n].easy)
            read_opened(run->opts->token, &run->nodes[n]);
    }
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct node_pf *np = &run->nodes[plan->tasks[i].to];
        opened[i] = dc_expect_may_listen(profile->checks[plan->tasks[i].check].expect) &&
                    has_port(np->opened, np->nopened, plan->tasks[i].port);
    }
    *out = run;
    return 0;
}

void dci_preflight_end(struct dc_preflight_run *run)
{
    if (!run)
        return;
    dci_preflight_close(&run->local_pf);
    for (size_t n = 0; n < run->nnodes; n++) {
        struct node_pf *np = &run->nodes[n];
        if (np->easy)
            curl_easy_cleanup(np->easy);
        np->easy = NULL;
        free(np->body);
        np->body = NULL;
        if (np->nopened > 0 && (long)n != run->local)
            np->easy = request(run, np, "DELETE", 5.0);
    }
    perform_all(run);
    for (size_t n = 0; n < run->nnodes; n++) {
        struct node_pf *np = &run->nodes[n];
        if (np->easy)
            curl_easy_cleanup(np->easy);
        curl_slist_free_all(np->headers);
        free(np->response);
    }
    free(run->nodes);
    free(run);
}
