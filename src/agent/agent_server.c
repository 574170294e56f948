/* The agent's HTTP API on libmicrohttpd (a thread per connection; each batch runs its own
 * engine loop in that thread):
 *   GET  /v1/health -> 200 {"status":"ok","version":...}   (no token: it says nothing else)
 *   POST /v1/run    -> 200 results | 400 bad request | 401 token | 404 | 405 | 413 too big
 *                      | 503 busy
 *   POST /v1/stop   -> 200 {"stopped":N}: the batches running end now and answer with what
 *                      they measured (the coordinator's Ctrl-C)
 * Requests are signed with the shared token (agent_sign.c): the signature of the head is
 * checked before the body is read, the body's hash after; nothing runs without both. */
#include "agent/agent_body.h"
#include "base/os.h"
#include "base/portable.h"
#include "agent/agent_guard.h"
#include "agent/agent_respond.h"
#include "dmsconn/sign.h"
#include "dmsconn/agent.h"
#include "dmsconn/cluster.h"
#include "dmsconn/plan.h"
#include "dmsconn/preflight.h"
#include "dmsconn/profile.h"
#include "agent/agent_private.h"
#include "engine/engine_stopper.h"
#include "profile/profile_private.h"

#include <uv.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pre-flight listeners of this agent and the thread that closes them at their deadline,
 * so they go away on every path, even when the coordinator never says so. */
struct holder {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct dc_preflight pf;
    bool active;
    bool stopping;
    struct timespec deadline; /* CLOCK_MONOTONIC */
    pthread_t thread;
};

/* The batches running now, so a stop request can end them (at most max_runs of them). */
#define MAX_BATCHES 64
struct batches {
    pthread_mutex_t mu;
    struct dc_stopper *running[MAX_BATCHES];
};

#define AGENT_REQUEST_DEADLINE_S 10.0 /* headers and body, from the connection's start */
#define BODY_POOL 4                   /* bodies of the largest size being received at once */
#define BIG_BODY (1u << 20)           /* a body past which memory is given back after it */

struct dc_agent {
    struct dc_agent_opts opts;
    struct MHD_Daemon *daemon;
    atomic_uint running;
    atomic_size_t bodies; /* bytes reserved by the bodies being received (agent_body.c) */
    struct holder holder;
    struct batches batches;
    struct dc_nonce_cache *nonces; /* signed requests seen within the window */
    time_t started;                /* a request dated before it is refused (agent_sign.c) */
    struct dci_agent_guard *guard; /* whole-request deadline, slots kept for nodes */
};

static void batches_put(struct batches *b, struct dc_stopper *s, bool add)
{
    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < MAX_BATCHES; i++) {
        if (add ? b->running[i] == NULL : b->running[i] == s) {
            b->running[i] = add ? s : NULL;
            break;
        }
    }
    pthread_mutex_unlock(&b->mu);
}

static unsigned batches_stop(struct batches *b)
{
    unsigned n = 0;
    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < MAX_BATCHES; i++) {
        if (b->running[i]) {
            dci_stopper_fire(b->running[i]);
            n++;
        }
    }
    pthread_mutex_unlock(&b->mu);
    return n;
}

struct request {
    double received_ms; /* this machine's clock when its head came in (dmsconn/clock.h) */
    struct dci_body body;
    char content[65]; /* the body's SHA-256 the signature covers */
    char nonce[33];   /* the request's, which the answer's signature covers */
    bool started;
    bool preflight;
};

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* The head of a signed request (agent_sign.c): 0 when it passes, else the answer was queued
 * (401 with the reason; nothing runs). `content` keeps the signed body hash for the end,
 * `nonce` the nonce the answer is signed for. */
static int check_signature(struct dc_agent *agent, struct MHD_Connection *conn, const char *method,
                           const char *url, char content[65], char nonce[33],
                           enum MHD_Result *answered)
{
    struct dc_sign_head head = {.node = header(conn, "X-Dmsconn-Node"),
                                .authorization = header(conn, "Authorization"),
                                .date = header(conn, "X-Dmsconn-Date"),
                                .nonce = header(conn, "X-Dmsconn-Nonce"),
                                .content = header(conn, "X-Dmsconn-Content-SHA256")};
    char why[256];
    enum dc_sign_check c = dc_sign_admit(agent->opts.token, agent->nonces, method, url,
                                         agent->opts.cluster->nodes[agent->opts.self].name,
                                         agent->started, &head, time(NULL), why, sizeof why);
    if (c == DC_SIGN_OK) {
        snprintf(content, 65, "%s", head.content);
        snprintf(nonce, 33, "%s", head.nonce);
        return 0;
    }
    *answered = dci_agent_respond_error(
        conn, c == DC_SIGN_BUSY ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_UNAUTHORIZED, why);
    return -1;
}

/* Runs one authorised batch and answers with its results. */
static enum MHD_Result run_batch(struct dc_agent *agent, struct MHD_Connection *conn,
                                 struct request *req)
{
    char why[256] = "";
    struct dc_wire_batch *batch = NULL;
    const struct dc_node *self = &agent->opts.cluster->nodes[agent->opts.self];
    int rc = dc_wire_parse_request(req->body.data ? req->body.data : "", req->body.len, &batch, why,
                                   sizeof why);
    size_t size = req->body.len;
    dci_body_end(&req->body); /* parsed: its megabytes are not held through the run */
    if (size > BIG_BODY)
        dci_os_release_memory(); /* what the parse took goes back to the system */
    if (rc)
        return dci_agent_respond_error(
            conn, rc == DC_ENOMEM ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_BAD_REQUEST,
            why[0] ? why : "malformed request");
    enum MHD_Result result;
    if (strcmp(batch->source, self->name) != 0 &&
        dc_cluster_find(agent->opts.cluster, batch->source) != (long)agent->opts.self) {
        snprintf(why, sizeof why, "this agent runs the row of %s, not of %s", self->name,
                 batch->source);
        result = dci_agent_respond_error(conn, MHD_HTTP_BAD_REQUEST, why);
        goto out;
    }
    if (atomic_fetch_add(&agent->running, 1) >= agent->opts.max_runs) {
        atomic_fetch_sub(&agent->running, 1);
        result =
            dci_agent_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "busy: too many batches");
        goto out;
    }
    struct dc_result *results = calloc(batch->ntasks, sizeof *results);
    struct dc_result *run_results = calloc(batch->ntasks, sizeof *run_results);
    struct dc_texts *texts = dc_texts_new();
    struct dc_plan *plan = NULL;
    size_t *map = NULL;
    for (size_t i = 0; results && i < batch->ntasks; i++)
        dc_result_reset(&results[i], NULL);
    rc = results && run_results && texts
             ? dci_agent_authorize(agent->opts.cluster, agent->opts.profile, agent->opts.self,
                                   batch, &plan, &map, results, texts)
             : DC_ENOMEM;
    if (!rc && plan->ntasks > 0) {
        struct dc_engine_opts eopts = agent->opts.engine;
        struct dc_diag diag = {{0}};
        if (batch->timeout_s > 0 && batch->timeout_s < eopts.timeout_s)
            eopts.timeout_s = batch->timeout_s;
        if (batch->budget_s > 0)
            eopts.budget_s = batch->budget_s;
        eopts.handle_signals = false;
        struct dc_stopper *stopper = NULL;
        if (dci_stopper_new(&stopper) == 0) {
            eopts.stopper = stopper;
            batches_put(&agent->batches, stopper, true);
        }
        /* towards a pre-flight listener (the coordinator says which): a TCP connect only */
        struct dc_profile *twins = NULL;
        for (size_t k = 0; !rc && k < plan->ntasks; k++) {
            if (!batch->tasks[map[k]].preflight)
                continue;
            if (!twins)
                rc = dci_profile_with_connect_twins(agent->opts.profile, &twins);
            dci_task_use_twin(&plan->tasks[k], agent->opts.profile);
        }
        if (!rc)
            rc = dc_engine_run(agent->opts.cluster, twins ? twins : agent->opts.profile, plan,
                               &eopts, run_results, texts, NULL, &diag);
        dc_profile_free(twins);
        if (stopper) {
            batches_put(&agent->batches, stopper, false);
            dci_stopper_free(stopper);
        }
        for (size_t k = 0; !rc && k < plan->ntasks; k++)
            results[map[k]] = run_results[k];
    }
    atomic_fetch_sub(&agent->running, 1);
    if (rc)
        result = dci_agent_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, dc_strerror(rc));
    else {
        const struct dc_generation *g = &agent->opts.cluster->gen;
        struct dc_wire_settings settings = {.remoting_disabled =
                                                g->remoting_from ? g->remoting_disabled : -1,
                                            .received_ms = req->received_ms,
                                            .answered_ms = dci_wall_ms()};
        result = dci_agent_respond_signed(
            agent->opts.token, conn, req->nonce,
            dci_wire_results(self->name, &settings, results, batch->ntasks));
    }
    dc_plan_free(plan);
    free(map);
    free(results);
    free(run_results);
    dc_texts_free(texts);
out:
    dc_wire_batch_free(batch);
    return result;
}

static void *hold_preflight(void *arg)
{
    struct holder *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stopping) {
        int rc = h->active ? pthread_cond_timedwait(&h->cv, &h->mu, &h->deadline)
                           : pthread_cond_wait(&h->cv, &h->mu);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        bool due = now.tv_sec > h->deadline.tv_sec ||
                   (now.tv_sec == h->deadline.tv_sec && now.tv_nsec >= h->deadline.tv_nsec);
        if (h->active && (rc != 0 || due)) {
            dci_preflight_close(&h->pf);
            h->active = false;
        }
    }
    dci_preflight_close(&h->pf);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Ports some check of the profile probes on this node: the only ones it may open. */
static bool profile_port(const struct dc_agent *agent, uint16_t port)
{
    const struct dc_node *self = &agent->opts.cluster->nodes[agent->opts.self];
    for (size_t c = 0; c < agent->opts.profile->nchecks; c++) {
        const struct dc_check *check = &agent->opts.profile->checks[c];
        /* a must-be-closed port (Telnet) is never opened, not even for a moment, nor one
         * the cluster no longer uses (Remoting where it is disabled) */
        if (dc_expect_may_listen(check->expect) &&
            dci_plan_port(agent->opts.cluster, check, NULL, self) == port)
            return true;
    }
    return false;
}

static void add_ports(cJSON *o, const char *name, const uint16_t *ports, size_t n)
{
    cJSON *list = cJSON_AddArrayToObject(o, name);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(list, cJSON_CreateNumber(ports[i]));
}

/* POST /v1/preflight {"schema":"dmsconn.preflight/1","ports":[...],"hold_s":S}
 * -> {"opened":[...],"in_use":[...],"refused":[...]}; DELETE /v1/preflight closes them. */
static enum MHD_Result run_preflight(struct dc_agent *agent, struct MHD_Connection *conn,
                                     struct request *req)
{
    cJSON *root = cJSON_ParseWithLength(req->body.data ? req->body.data : "", req->body.len);
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    const cJSON *ports = cJSON_GetObjectItemCaseSensitive(root, "ports");
    const cJSON *hold = cJSON_GetObjectItemCaseSensitive(root, "hold_s");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "dmsconn.preflight/1") != 0 ||
        !cJSON_IsArray(ports) || cJSON_GetArraySize(ports) > DC_PREFLIGHT_MAX_PORTS ||
        !cJSON_IsNumber(hold) || hold->valuedouble <= 0) {
        cJSON_Delete(root);
        return dci_agent_respond_error(
            conn, MHD_HTTP_BAD_REQUEST,
            "expected schema dmsconn.preflight/1, ports (at most 64) and hold_s");
    }
    uint16_t wanted[DC_PREFLIGHT_MAX_PORTS], refused[DC_PREFLIGHT_MAX_PORTS];
    size_t nwanted = 0, nrefused = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, ports)
    {
        double v = cJSON_IsNumber(p) ? p->valuedouble : 0;
        if (v >= 1 && v <= 65535 && profile_port(agent, (uint16_t)v))
            wanted[nwanted++] = (uint16_t)v;
        else
            refused[nrefused++] = (uint16_t)(v >= 0 && v <= 65535 ? v : 0);
    }
    double hold_s =
        hold->valuedouble < DC_PREFLIGHT_MAX_HOLD_S ? hold->valuedouble : DC_PREFLIGHT_MAX_HOLD_S;
    cJSON_Delete(root);
    const struct dc_node *self = &agent->opts.cluster->nodes[agent->opts.self];
    struct holder *h = &agent->holder;
    pthread_mutex_lock(&h->mu);
    dci_preflight_close(&h->pf);
    int rc = dci_preflight_open(agent->opts.listen_address, wanted, nwanted, &h->pf);
    h->active = rc == 0 && h->pf.nopened > 0;
    clock_gettime(CLOCK_MONOTONIC, &h->deadline);
    h->deadline.tv_sec += (time_t)hold_s;
    h->deadline.tv_nsec += (long)((hold_s - (double)(time_t)hold_s) * 1e9);
    if (h->deadline.tv_nsec >= 1000000000L) {
        h->deadline.tv_sec++;
        h->deadline.tv_nsec -= 1000000000L;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "node", self->name);
    add_ports(out, "opened", h->pf.opened, h->pf.nopened);
    add_ports(out, "in_use", h->pf.in_use, h->pf.nin_use);
    add_ports(out, "refused", refused, nrefused);
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    char *json = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    if (rc) {
        free(json);
        return dci_agent_respond_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, dc_strerror(rc));
    }
    return dci_agent_respond_signed(agent->opts.token, conn, req->nonce, json);
}

static enum MHD_Result end_preflight(struct dc_agent *agent, struct MHD_Connection *conn,
                                     const char *nonce)
{
    struct holder *h = &agent->holder;
    pthread_mutex_lock(&h->mu);
    dci_preflight_close(&h->pf);
    h->active = false;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return dci_agent_respond_signed(agent->opts.token, conn, nonce, strdup("{\"opened\":[]}"));
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
                return dci_agent_respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "expected GET");
            return dci_agent_respond(
                conn, MHD_HTTP_OK,
                strdup("{\"status\":\"ok\",\"version\":\"" DMSCONN_VERSION "\"}"));
        }
        bool run = strcmp(url, "/v1/run") == 0, preflight = strcmp(url, "/v1/preflight") == 0;
        bool stop = strcmp(url, "/v1/stop") == 0;
        if (!run && !preflight && !stop)
            return dci_agent_respond_error(
                conn, MHD_HTTP_NOT_FOUND,
                "expected /v1/run, /v1/stop, /v1/preflight or /v1/health");
        bool end = preflight && strcmp(method, "DELETE") == 0;
        if (strcmp(method, "POST") != 0 && !end)
            return dci_agent_respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "expected POST");
        char content[65], nonce[33];
        enum MHD_Result answered = MHD_NO;
        if (check_signature(agent, conn, method, url, content, nonce, &answered) != 0)
            return answered;
        /* stop and end take no body: the empty one is what was signed */
        const char *length = header(conn, "Content-Length");
        if ((end || stop) &&
            ((length && strcmp(length, "0") != 0) || header(conn, "Transfer-Encoding")))
            return dci_agent_respond_error(conn, MHD_HTTP_BAD_REQUEST, "expected no body");
        if (end)
            return end_preflight(agent, conn, nonce);
        if (stop) {
            char body[48];
            snprintf(body, sizeof body, "{\"stopped\":%u}", batches_stop(&agent->batches));
            return dci_agent_respond_signed(agent->opts.token, conn, nonce, strdup(body));
        }
        req = calloc(1, sizeof *req);
        if (req)
            req->received_ms = dci_wall_ms();
        if (!req)
            return MHD_NO;
        enum dci_body_start body =
            dci_body_begin(&req->body, &agent->bodies, BODY_POOL * agent->opts.max_body,
                           agent->opts.max_body, header(conn, "Content-Length"));
        if (body != DCI_BODY_OK) {
            free(req);
            return body == DCI_BODY_BUSY
                       ? dci_agent_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                                 "busy: too many large requests at once")
                       : dci_agent_respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                                                 "expected a body of at most the agent's limit");
        }
        req->preflight = preflight;
        snprintf(req->content, sizeof req->content, "%s", content);
        snprintf(req->nonce, sizeof req->nonce, "%s", nonce);
        *req_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        dci_body_append(&req->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->started)
        return MHD_YES;
    req->started = true;
    dci_agent_guard_received(conn);
    if (req->body.too_big) {
        char why[96];
        snprintf(why, sizeof why, "request larger than %zu bytes", agent->opts.max_body);
        return dci_agent_respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, why);
    }
    struct dc_sign_head head = {.content = req->content};
    if (!dc_sign_body_matches(&head, req->body.data, req->body.len))
        return dci_agent_respond_error(
            conn, MHD_HTTP_UNAUTHORIZED,
            "the body is not the one that was signed (changed on the way)");
    return req->preflight ? run_preflight(agent, conn, req) : run_batch(agent, conn, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode code)
{
    struct request *req = *req_cls;
    (void)cls;
    (void)code;
    dci_agent_guard_next_request(conn);
    if (req) {
        dci_body_end(&req->body);
        free(req);
        *req_cls = NULL;
    }
}

static void stop_holder(struct holder *h)
{
    pthread_mutex_lock(&h->mu);
    h->stopping = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
}

int dc_agent_start(const struct dc_agent_opts *opts, struct dc_agent **out, struct dc_diag *diag)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *sa4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
    /* poll, not select: a batch in flight holds thousands of probe sockets, so a request's
     * connection can be numbered past FD_SETSIZE, which select-based MHD turns away */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (uv_inet_pton(AF_INET, opts->listen_address, &sa4->sin_addr) == 0) {
        sa4->sin_family = AF_INET;
        sa4->sin_port = htons(opts->port);
    } else if (uv_inet_pton(AF_INET6, opts->listen_address, &sa6->sin6_addr) == 0) {
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
    agent->started = time(NULL);
    if (dc_nonce_cache_new(DC_SIGN_WINDOW_S, &agent->nonces) != 0) {
        free(agent);
        return DC_ENOMEM;
    }
    pthread_mutex_init(&agent->batches.mu, NULL);
    pthread_mutex_init(&agent->holder.mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&agent->holder.cv, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&agent->holder.thread, NULL, hold_preflight, &agent->holder) != 0) {
        pthread_cond_destroy(&agent->holder.cv);
        pthread_mutex_destroy(&agent->holder.mu);
        pthread_mutex_destroy(&agent->batches.mu);
        dc_nonce_cache_free(agent->nonces);
        free(agent);
        return DC_ENOMEM;
    }
    if (tls)
        flags |= MHD_USE_TLS;
    /* Connection limits keep a flood or a slow client from exhausting threads; the guard keeps
     * a slow one from holding a slot (agent_guard.c): 10 s for a whole request, at most 8
     * connections from addresses outside the node list */
    if (dci_agent_guard_start(opts->cluster, AGENT_REQUEST_DEADLINE_S, 8, &agent->guard) == 0)
        agent->daemon = MHD_start_daemon(
            flags, opts->port, dci_agent_guard_accept, agent->guard, on_request, agent,
            MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)30, MHD_OPTION_NOTIFY_COMPLETED, on_completed, agent,
            MHD_OPTION_NOTIFY_CONNECTION, dci_agent_guard_notify, agent->guard,
            tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, opts->tls_cert_pem,
            MHD_OPTION_HTTPS_MEM_KEY, opts->tls_key_pem, MHD_OPTION_END);
    if (!agent->daemon) {
        dci_agent_guard_stop(agent->guard);
        dc_diag_set(diag,
                    "cannot listen on %s port %u (in use, not a local address, or a bad "
                    "certificate)",
                    opts->listen_address, opts->port);
        /* the holder thread waits on the agent's condition variable: end it first */
        stop_holder(&agent->holder);
        pthread_mutex_destroy(&agent->batches.mu);
        dc_nonce_cache_free(agent->nonces);
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
    dci_agent_guard_stop(agent->guard);
    stop_holder(&agent->holder);
    pthread_mutex_destroy(&agent->batches.mu);
    dc_nonce_cache_free(agent->nonces);
    free(agent);
}
