/* The agent's HTTP API on libmicrohttpd (a thread per connection; each batch runs its own
 * engine loop in that thread):
 *   GET  /v1/health -> 200 {"status":"ok","version":...}   (no token: it says nothing else)
 *   POST /v1/run    -> 200 results | 400 bad request | 401 token | 404 | 405 | 413 too big
 *                      | 503 busy
 * The token is checked before the body is read; nothing runs without it. */
#include "dmsconn/agent.h"
#include "dmsconn/cluster.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION_TEXT "0.1.0"

struct dc_agent {
    struct dc_agent_opts opts;
    struct MHD_Daemon *daemon;
    atomic_uint running;
};

struct request {
    char *body;
    size_t len;
    size_t cap;
    bool too_big;
    bool started;
};

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, char *json)
{
    if (!json)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(json);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* {"error": why} */
static enum MHD_Result respond_error(struct MHD_Connection *conn, unsigned status, const char *why)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", why);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return respond(conn, status, json);
}

static bool authorized(const struct dc_agent *agent, struct MHD_Connection *conn)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!auth || strncmp(auth, "Bearer ", 7) != 0)
        return false;
    return dc_token_equal(agent->opts.token, auth + 7);
}

static bool append(struct request *req, const char *data, size_t n, size_t max)
{
    if (req->too_big || req->len + n > max) {
        req->too_big = true;
        return false;
    }
    if (req->len + n + 1 > req->cap) {
        size_t cap = req->cap ? req->cap : 4096;
        while (cap < req->len + n + 1)
            cap *= 2;
        char *grown = realloc(req->body, cap);
        if (!grown) {
            req->too_big = true;
            return false;
        }
        req->body = grown;
        req->cap = cap;
    }
    memcpy(req->body + req->len, data, n);
    req->len += n;
    req->body[req->len] = '\0';
    return true;
}

/* Runs one authorised batch and answers with its results. */
static enum MHD_Result run_batch(struct dc_agent *agent, struct MHD_Connection *conn,
                                 struct request *req)
{
    char why[256] = "";
    struct dc_wire_batch *batch = NULL;
    const struct dc_node *self = &agent->opts.cluster->nodes[agent->opts.self];
    int rc = dc_wire_parse_request(req->body ? req->body : "", req->len, &batch, why, sizeof why);
    if (rc)
        return respond_error(
            conn, rc == DC_ENOMEM ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_BAD_REQUEST,
            why[0] ? why : "malformed request");
    enum MHD_Result result;
    if (strcmp(batch->source, self->name) != 0 &&
        dc_cluster_find(agent->opts.cluster, batch->source) != (long)agent->opts.self) {
        snprintf(why, sizeof why, "this agent runs the row of %s, not of %s", self->name,
                 batch->source);
        result = respond_error(conn, MHD_HTTP_BAD_REQUEST, why);
        goto out;
    }
    if (atomic_fetch_add(&agent->running, 1) >= agent->opts.max_runs) {
        atomic_fetch_sub(&agent->running, 1);
        result = respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "busy: too many batches");
        goto out;
    }
    struct dc_result *results = calloc(batch->ntasks, sizeof *results);
    struct dc_result *run_results = calloc(batch->ntasks, sizeof *run_results);
    struct dc_plan *plan = NULL;
    size_t *map = NULL;
    rc = results && run_results ? dc_agent_authorize(agent->opts.cluster, agent->opts.profile,
                                                     agent->opts.self, batch, &plan, &map, results)
                                : DC_ENOMEM;
    if (!rc && plan->ntasks > 0) {
        struct dc_engine_opts eopts = agent->opts.engine;
        struct dc_diag diag = {{0}};
        if (batch->timeout_s > 0 && batch->timeout_s < eopts.timeout_s)
            eopts.timeout_s = batch->timeout_s;
        eopts.handle_signals = false;
        rc = dc_engine_run(agent->opts.cluster, agent->opts.profile, plan, &eopts, run_results,
                           NULL, &diag);
        for (size_t k = 0; !rc && k < plan->ntasks; k++)
            results[map[k]] = run_results[k];
    }
    atomic_fetch_sub(&agent->running, 1);
    if (rc)
        result = respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, dc_strerror(rc));
    else
        result = respond(conn, MHD_HTTP_OK, dc_wire_results(self->name, results, batch->ntasks));
    dc_plan_free(plan);
    free(map);
    free(results);
    free(run_results);
out:
    dc_wire_batch_free(batch);
    return result;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct dc_agent *agent = cls;
    struct request *req = *req_cls;
    (void)version;
    if (!req) {
        /* First call: headers only. Anything refused is answered before reading a body. */
        if (strcmp(url, "/v1/health") == 0) {
            if (strcmp(method, "GET") != 0)
                return respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "expected GET");
            return respond(conn, MHD_HTTP_OK,
                           strdup("{\"status\":\"ok\",\"version\":\"" VERSION_TEXT "\"}"));
        }
        if (strcmp(url, "/v1/run") != 0)
            return respond_error(conn, MHD_HTTP_NOT_FOUND, "expected /v1/run or /v1/health");
        if (strcmp(method, "POST") != 0)
            return respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "expected POST");
        if (!authorized(agent, conn))
            return respond_error(conn, MHD_HTTP_UNAUTHORIZED,
                                 "expected Authorization: Bearer TOKEN with this agent's token");
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        *req_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        append(req, upload_data, *upload_data_size, agent->opts.max_body);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->started)
        return MHD_YES;
    req->started = true;
    if (req->too_big) {
        char why[96];
        snprintf(why, sizeof why, "request larger than %zu bytes", agent->opts.max_body);
        return respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, why);
    }
    return run_batch(agent, conn, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode code)
{
    struct request *req = *req_cls;
    (void)cls;
    (void)conn;
    (void)code;
    if (req) {
        free(req->body);
        free(req);
        *req_cls = NULL;
    }
}

int dc_agent_start(const struct dc_agent_opts *opts, struct dc_agent **out, struct dc_diag *diag)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *sa4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
    if (inet_pton(AF_INET, opts->listen_address, &sa4->sin_addr) == 1) {
        sa4->sin_family = AF_INET;
        sa4->sin_port = htons(opts->port);
    } else if (inet_pton(AF_INET6, opts->listen_address, &sa6->sin6_addr) == 1) {
        sa6->sin6_family = AF_INET6;
        sa6->sin6_port = htons(opts->port);
        flags |= MHD_USE_IPv6;
    } else {
        dc_diag_set(diag, "--listen %s: expected a numeric IPv4 or IPv6 address",
                    opts->listen_address);
        return DC_EINVAL;
    }
    bool tls = opts->tls_cert_pem && opts->tls_key_pem;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        dc_diag_set(diag, "this libmicrohttpd has no TLS support");
        return DC_EINVAL;
    }
    struct dc_agent *agent = calloc(1, sizeof *agent);
    if (!agent)
        return DC_ENOMEM;
    agent->opts = *opts;
    if (tls)
        flags |= MHD_USE_TLS;
    /* Connection limits keep a flood or a slow client from exhausting threads. */
    agent->daemon = MHD_start_daemon(
        flags, opts->port, NULL, NULL, on_request, agent, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        agent, tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, opts->tls_cert_pem,
        MHD_OPTION_HTTPS_MEM_KEY, opts->tls_key_pem, MHD_OPTION_END);
    if (!agent->daemon) {
        dc_diag_set(diag,
                    "cannot listen on %s port %u (in use, not a local address, or a bad "
                    "certificate)",
                    opts->listen_address, opts->port);
        free(agent);
        return DC_EIO;
    }
    *out = agent;
    return 0;
}

void dc_agent_stop(struct dc_agent *agent)
{
    if (!agent)
        return;
    MHD_stop_daemon(agent->daemon);
    free(agent);
}
