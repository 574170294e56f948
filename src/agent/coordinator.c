/* The coordinator: its own row on the local engine, every other row on that node's agent
 * (one HTTP request per row, all at once, through libcurl on the engine's own loop). A row
 * whose agent fails becomes `unknown` with the reason; the rest of the report stands. */
#include "dmsconn/clock.h"
#include "dmsconn/sign.h"
#include "dmsconn/coordinator.h"
#include "dmsconn/agent.h"

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/curl_uv.h"
#include "dmsconn/profile.h"
#include "agent/agent_private.h"
#include "base/portable.h"
#include "profile/profile_private.h"

#define MAX_RESPONSE (64u * 1024 * 1024)

struct row {
    struct coordinator *co;
    uint32_t source;
    size_t *index; /* plan indices of this row */
    size_t n;
    CURL *easy;
    struct curl_slist *headers;
    struct curl_slist *stop_headers; /* its POST /v1/stop, after Ctrl-C */
    char *body;
    char *response;
    size_t response_len;
    bool overflow;
    char endpoint[300];
    char nonce[33];              /* of its request: the answer's signature covers it */
    struct dci_answer_head head; /* the answer's signature and the agent's clock */
    uint64_t started_ns;         /* the first attempt */
    uint64_t deadline_ns;        /* when the whole exchange must be over */
    unsigned attempts;           /* connections refused or reset so far */
    uv_timer_t retry;            /* the next attempt, after a refused or reset connection */
    bool retry_ready;
};

struct coordinator {
    const struct dc_cluster *cluster;
    const struct dc_profile *profile;
    const struct dc_plan *plan;
    const struct dc_coordinator_opts *opts;
    double timeout_s;
    struct dc_result *results;
    struct dc_texts *texts;
    struct row *rows;
    size_t nrows;
    struct dci_curl_uv *curl;
    uv_loop_t *loop;
    uv_timer_t grace; /* after Ctrl-C: how long agents have to answer with what they have */
    bool grace_started;
    CURL **stops;          /* the POST /v1/stop of each row still waiting, after Ctrl-C */
    const bool *preflight; /* per plan task: aimed at a pre-flight listener (NULL: none) */
    /* this machine's wall clock (ms of the Unix epoch) at the monotonic uv_hrtime() anchor:
     * every exchange's times are the anchor's plus a monotonic interval, so a clock that is
     * stepped during the run does not skew the measurement */
    double anchor_wall_ms;
    uint64_t anchor_ns;
};

static void row_unknown(struct row *row, enum dc_agent_failure cause, const char *fmt,
                        const char *a, const char *b)
{
    char why[320];
    snprintf(why, sizeof why, fmt, a, b);
    const char *detail = dc_texts_add(row->co->texts, why);
    for (size_t i = 0; i < row->n; i++) {
        struct dc_result *r = &row->co->results[row->index[i]];
        dc_result_reset(r, detail);
        r->agent_failure = (uint8_t)cause;
    }
}

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    struct row *row = ud;
    size_t len = size * n;
    /* what n results can weigh (its detail and evidence are cut at 160 and 128 bytes, 2 KiB
     * even if every byte were escaped), not more: an agent's answer bounds the coordinator's
     * memory by its row */
    size_t most = row->n * 2048 + 65536;
    if (row->response_len + len > (most < MAX_RESPONSE ? most : MAX_RESPONSE)) {
        row->overflow = true;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    char *grown = realloc(row->response, row->response_len + len + 1);
    if (!grown)
        return 0;
    memcpy(grown + row->response_len, data, len);
    row->response = grown;
    row->response_len += len;
    row->response[row->response_len] = '\0';
    return len;
}

/* The reason an agent gave with a refusal ({"error": why}), printable, or a general one. */
static const char *agent_error(const struct row *row, char *buf, size_t cap)
{
    cJSON *o = row->response ? cJSON_ParseWithLength(row->response, row->response_len) : NULL;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    snprintf(buf, cap, "%s", cJSON_IsString(e) ? e->valuestring : "not this agent's token");
    for (char *p = buf; *p; p++)
        *p = (*p < 0x20 || *p == 0x7f) ? '?' : *p;
    cJSON_Delete(o);
    return buf;
}

/* A connection refused or reset before an answer (an agent restarting, its slots taken for
 * a moment) is tried again, signed anew, after 0.25, 0.5, 1 s, as long as the next attempt
 * starts within one probe timeout of the first: a node with no agent at all costs the run no
 * more time than its own probes take. */
#define RETRY_MAX 3

static bool retryable(CURLcode result)
{
    return result == CURLE_COULDNT_CONNECT || result == CURLE_GOT_NOTHING ||
           result == CURLE_RECV_ERROR || result == CURLE_SEND_ERROR;
}

static void on_done(CURL *easy, CURLcode result, void *ud);

static void on_retry(uv_timer_t *timer)
{
    struct row *row = timer->data;
    struct coordinator *co = row->co;
    const struct dc_node *node = &co->cluster->nodes[row->source];
    uint64_t now = uv_hrtime();
    long left_ms = now < row->deadline_ns ? (long)((row->deadline_ns - now) / 1000000u) : 1;
    curl_slist_free_all(row->headers);
    row->headers = dci_curl_header(NULL, "Content-Type: application/json");
    if (row->headers) /* a new nonce: the agent may have seen the last one */
        row->headers =
            dci_curl_signed_headers(row->headers, co->opts->token, "POST", "/v1/run", node->name,
                                    row->body, strlen(row->body), row->nonce);
    bool ok = row->headers && !co->grace_started;
    ok = ok && curl_easy_setopt(row->easy, CURLOPT_HTTPHEADER, row->headers) == CURLE_OK;
    ok = ok && curl_easy_setopt(row->easy, CURLOPT_TIMEOUT_MS, left_ms) == CURLE_OK;
    if (!ok || dci_curl_uv_add(co->curl, row->easy, on_done, row) != 0)
        on_done(row->easy, co->grace_started ? CURLE_ABORTED_BY_CALLBACK : CURLE_FAILED_INIT, row);
}

static bool retry_later(struct row *row, CURLcode result)
{
    struct coordinator *co = row->co;
    uint64_t delay_ms = 250u << row->attempts;
    uint64_t next_ns = uv_hrtime() + delay_ms * 1000000u;
    if (!retryable(result) || row->attempts >= RETRY_MAX || co->grace_started ||
        next_ns - row->started_ns >= (uint64_t)(co->timeout_s * 1e9) || next_ns >= row->deadline_ns)
        return false;
    if (!row->retry_ready) {
        if (uv_timer_init(co->loop, &row->retry) != 0)
            return false;
        row->retry.data = row;
        row->retry_ready = true;
    }
    free(row->response);
    row->response = NULL;
    row->response_len = 0;
    row->overflow = false;
    row->head = (struct dci_answer_head){.easy = row->head.easy, .checked = row->head.checked};
    row->attempts++;
    uv_timer_start(&row->retry, on_retry, delay_ms, 0);
    return true;
}

/* The agent's clock against this one's (dmsconn/clock.h): the request left when curl was
 * about to send it (t0) and the answer's first line came at t3, both taken as they happened on
 * the monotonic clock and carried from the run's anchor; t1, t2 are the agent's. A busy loop
 * that sees the answer late widens the uncertainty, never the error beyond it. */
static struct dc_clock measure_clock(struct row *row, double t1, double t2,
                                     enum dc_clock_source source)
{
    struct coordinator *co = row->co;
    struct dc_clock clock = {.source = DC_CLOCK_NONE};
    const struct dci_answer_head *h = &row->head;
    if (h->sent_ns < co->anchor_ns || h->answered_ns < h->sent_ns)
        return clock;
    struct dc_clock_exchange x = {
        .t0 = co->anchor_wall_ms + (double)(h->sent_ns - co->anchor_ns) / 1e6,
        .t1 = t1,
        .t2 = t2,
        .t3 = co->anchor_wall_ms + (double)(h->answered_ns - co->anchor_ns) / 1e6};
    dc_clock_measure(&x, source, &clock);
    if (co->opts->clocks)
        co->opts->clocks[row->source] = clock;
    return clock;
}

static void on_done(CURL *easy, CURLcode result, void *ud)
{
    struct row *row = ud;
    if (retry_later(row, result))
        return;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (row->head.cert[0] && row->co->opts->agent_certs) /* whatever the answer says */
        row->co->opts->agent_certs[row->source] = dc_texts_add(row->co->texts, row->head.cert);
    char code[32];
    snprintf(code, sizeof code, "%ld", status);
    if (result == CURLE_ABORTED_BY_CALLBACK) {
        row_unknown(row, DC_AGENT_INTERRUPTED, "interrupted before the agent at %s answered%s",
                    row->endpoint, "");
    } else if (result == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
        row_unknown(row, DC_AGENT_CERT,
                    "agent certificate changed: the agent at %s presents another key than the "
                    "inventory's fingerprint %s",
                    row->endpoint, row->co->cluster->nodes[row->source].agent_pin);
    } else if (result != CURLE_OK) {
        row_unknown(row, DC_AGENT_UNREACHABLE, "agent at %s did not answer: %s", row->endpoint,
                    row->overflow ? "its answer is too large" : curl_easy_strerror(result));
    } else if (status == 401) {
        char why[200];
        /* refused, maybe for its clock: measured all the same, and said so when it was that */
        struct dc_clock clock = {.source = DC_CLOCK_NONE};
        if (row->head.clock_ms > 0)
            clock =
                measure_clock(row, row->head.clock_ms, row->head.clock_ms, DC_CLOCK_AGENT_REFUSED);
        /* outside the window, or ahead of the request since it started: over a second off
         * beyond doubt is a clock to set right, whatever else may be wrong */
        bool skewed =
            clock.source != DC_CLOCK_NONE && fabs(clock.offset_ms) - clock.uncertainty_ms > 1e3;
        row_unknown(row, skewed ? DC_AGENT_CLOCK : DC_AGENT_TOKEN,
                    "agent at %s refused the request (HTTP 401): %s", row->endpoint,
                    agent_error(row, why, sizeof why));
    } else if (status != 200) {
        row_unknown(row, DC_AGENT_BAD_ANSWER, "agent at %s answered HTTP %s", row->endpoint, code);
    } else if (!dc_sign_response_ok(row->co->opts->token, row->nonce, row->response,
                                    row->response_len, row->head.signature)) {
        row_unknown(row, DC_AGENT_BAD_ANSWER,
                    "the answer from %s is not signed with this token for this request%s: "
                    "something else answers there, or an agent older than this coordinator",
                    row->endpoint, "");
    } else {
        struct dc_result *tmp = calloc(row->n, sizeof *tmp);
        char why[160] = "";
        struct dc_wire_settings settings;
        if (!tmp || dc_wire_parse_results(row->response, row->response_len, tmp, row->n,
                                          row->co->texts, &settings, why, sizeof why)) {
            row_unknown(row, DC_AGENT_BAD_ANSWER, "agent at %s answered garbage: %s", row->endpoint,
                        tmp ? why : "out of memory");
        } else {
            for (size_t i = 0; i < row->n; i++)
                row->co->results[row->index[i]] = tmp[i];
            if (settings.received_ms > 0) /* signed: the agent's own word */
                measure_clock(row, settings.received_ms, settings.answered_ms, DC_CLOCK_AGENT);
            const struct dc_coordinator_opts *o = row->co->opts;
            if (o->on_settings)
                o->on_settings(o->settings_ud, row->source, &settings);
        }
        free(tmp);
    }
    curl_easy_cleanup(easy);
    row->easy = NULL;
    /* the row's request and answer are done with: at 200 agents they weigh 60 MiB */
    free(row->body);
    free(row->response);
    row->body = row->response = NULL;
    row->response_len = 0;
}

/* "ADDR:PORT" of a node's agent: its inventory `agent`, else its address and the default. */
static void endpoint_of(const struct dc_node *node, uint16_t port, char *buf, size_t cap)
{
    const char *addr = node->naddresses ? node->addresses[0] : "";
    if (node->agent)
        snprintf(buf, cap, "%s", node->agent);
    else if (strchr(addr, ':'))
        snprintf(buf, cap, "[%s]:%u", addr, port);
    else
        snprintf(buf, cap, "%s:%u", addr, port);
}

static int start_row(struct coordinator *co, struct row *row)
{
    const struct dc_coordinator_opts *o = co->opts;
    endpoint_of(&co->cluster->nodes[row->source], o->agent_port, row->endpoint,
                sizeof row->endpoint);
    char url[400];
    const struct dc_node *node = &co->cluster->nodes[row->source];
    snprintf(url, sizeof url, "%s://%s/v1/run", dci_agent_scheme(o, node), row->endpoint);
    /* The agent needs the probe timeout, plus time to read, plan and answer its row: a fixed
     * margin and a little per task (a loaded machine simulating 100 agents missed a flat
     * 2 s; bench/agents.sh), at most 30 s more. The agent is given all but half the margin
     * as its budget: when its machine cannot finish in time, it still answers with what it
     * measured, and only the rest of its row is unknown. */
    double per_task = 0.001 * (double)row->n;
    double total_s = co->timeout_s + o->margin_s + (per_task < 30 ? per_task : 30);
    row->started_ns = uv_hrtime();
    row->deadline_ns = row->started_ns + (uint64_t)(total_s * 1e9);
    row->body = dci_wire_request(co->cluster, co->profile, co->plan, row->index, row->n,
                                 co->timeout_s, total_s - o->margin_s / 2, co->preflight);
    row->easy = curl_easy_init();
    row->headers = dci_curl_header(NULL, "Content-Type: application/json");
    /* signed with the token, which itself never crosses the network (agent_sign.c) */
    if (row->headers && row->body)
        row->headers =
            dci_curl_signed_headers(row->headers, o->token, "POST", "/v1/run", node->name,
                                    row->body, strlen(row->body), row->nonce);
    if (!row->body || !row->easy || !row->headers)
        return DC_ENOMEM;
    CURL *e = row->easy;
    long total_ms = (long)(total_s * 1000.0);
    bool ok = true;
    ok = ok && curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_POSTFIELDS, row->body) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_HTTPHEADER, row->headers) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_WRITEDATA, row) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, dci_curl_answer_header) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_HEADERDATA, &row->head) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, dci_curl_answer_prereq) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_PREREQDATA, &row->head) == CURLE_OK;
    row->head.easy = e;
    row->head.checked = node->naddresses ? node->addresses[0] : "";
    ok = ok && curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total_ms) == CURLE_OK;
    ok = ok &&
         curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(co->timeout_s * 1000.0)) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_NOPROXY, "*") ==
                   CURLE_OK; /* agents are on the cluster's own network */
    ok = ok && curl_easy_setopt(e, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L) == CURLE_OK;
    ok = ok && dci_agent_tls_setopts(e, o, node);
    return ok ? dci_curl_uv_add(co->curl, e, on_done, row) : DC_EIO;
}

static void attach(uv_loop_t *loop, void *ud)
{
    struct coordinator *co = ud;
    co->loop = loop;
    if (co->nrows == 0)
        return;
    if (dci_curl_uv_new(loop, &co->curl)) {
        for (size_t r = 0; r < co->nrows; r++)
            row_unknown(&co->rows[r], DC_AGENT_NOT_ASKED, "cannot start HTTP requests%s%s", "", "");
        return;
    }
    for (size_t r = 0; r < co->nrows; r++) {
        struct row *row = &co->rows[r];
        if (start_row(co, row)) {
            row_unknown(row, DC_AGENT_NOT_ASKED, "cannot send the row to the agent at %s%s",
                        row->endpoint, "");
            if (row->easy)
                curl_easy_cleanup(row->easy);
            row->easy = NULL;
        }
    }
}

/* How long, after Ctrl-C, agents have to answer with what they measured. */
#define STOP_GRACE_MS 2500

static void on_stop_done(CURL *easy, CURLcode result, void *ud)
{
    struct coordinator *co = ud;
    (void)result;
    for (size_t r = 0; r < co->nrows; r++) {
        if (co->stops[r] == easy)
            co->stops[r] = NULL;
    }
    curl_easy_cleanup(easy);
}

static void on_grace_over(uv_timer_t *timer)
{
    struct coordinator *co = timer->data;
    dci_curl_uv_abort(co->curl); /* the rows still waiting: interrupted */
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
    (void)data;
    (void)ud;
    return size * n;
}

/* Asks the agent of a row still waiting to stop and answer now (POST /v1/stop). */
static void ask_to_stop(struct coordinator *co, size_t r)
{
    const struct dc_coordinator_opts *o = co->opts;
    char url[400];
    const struct dc_node *node = &co->cluster->nodes[co->rows[r].source];
    snprintf(url, sizeof url, "%s://%s/v1/stop", dci_agent_scheme(o, node), co->rows[r].endpoint);
    CURL *e = curl_easy_init();
    if (!e)
        return;
    bool ok = true;
    ok = ok && curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_POSTFIELDS, "") == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard) == CURLE_OK;
    struct row *row = &co->rows[r];
    curl_slist_free_all(row->stop_headers);
    row->stop_headers =
        dci_curl_signed_headers(dci_curl_header(NULL, "Content-Type: text/plain"), o->token, "POST",
                                "/v1/stop", node->name, "", 0, NULL);
    ok = ok && row->stop_headers;
    ok = ok && curl_easy_setopt(e, CURLOPT_HTTPHEADER, row->stop_headers) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)STOP_GRACE_MS) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(e, CURLOPT_NOPROXY, "*") == CURLE_OK;
    ok = ok && dci_agent_tls_setopts(e, o, node);
    if (!ok || dci_curl_uv_add(co->curl, e, on_stop_done, co) != 0) {
        curl_easy_cleanup(e);
        return;
    }
    co->stops[r] = e;
}

/* Ctrl-C: the agents still working are asked to stop and answer with what they measured;
 * they have STOP_GRACE_MS, then every request still open is abandoned (nothing measured is
 * lost that an agent could still hand over). */
static void interrupt(void *ud)
{
    struct coordinator *co = ud;
    if (!co->curl || co->grace_started)
        return;
    co->stops = calloc(co->nrows ? co->nrows : 1, sizeof *co->stops);
    if (co->stops) {
        for (size_t r = 0; r < co->nrows; r++) {
            if (co->rows[r].easy)
                ask_to_stop(co, r);
        }
    }
    if (uv_timer_init(co->loop, &co->grace) != 0) {
        dci_curl_uv_abort(co->curl);
        return;
    }
    co->grace_started = true;
    co->grace.data = co;
    uv_timer_start(&co->grace, on_grace_over, STOP_GRACE_MS, 0);
    uv_unref((uv_handle_t *)&co->grace); /* the requests keep the loop alive, not the timer */
}

static void detach(void *ud)
{
    struct coordinator *co = ud;
    if (co->grace_started)
        uv_close((uv_handle_t *)&co->grace, NULL);
    for (size_t r = 0; r < co->nrows; r++) {
        if (co->rows[r].retry_ready)
            uv_close((uv_handle_t *)&co->rows[r].retry, NULL);
    }
    dci_curl_uv_close(co->curl);
    co->curl = NULL;
}

/* Groups the plan's remote tasks by source node; the plan is ordered by source already. */
static int split_rows(struct coordinator *co, long local, struct dc_plan *local_plan,
                      size_t **local_index)
{
    const struct dc_plan *plan = co->plan;
    co->rows = calloc(co->cluster->nnodes ? co->cluster->nnodes : 1, sizeof *co->rows);
    size_t nlocal = 0;
    for (size_t i = 0; i < plan->ntasks; i++)
        nlocal += (long)plan->tasks[i].from == local;
    *local_index = calloc(nlocal ? nlocal : 1, sizeof **local_index);
    if (!co->rows || !*local_index)
        return DC_ENOMEM;
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        if ((long)t->from == local) {
            (*local_index)[local_plan->ntasks] = i;
            int rc = dci_plan_push(local_plan, t->from, t->to, t->check, t->port);
            if (rc)
                return rc;
            continue;
        }
        struct row *row = co->nrows ? &co->rows[co->nrows - 1] : NULL;
        if (!row || row->source != t->from) {
            row = &co->rows[co->nrows++];
            row->co = co;
            row->source = t->from;
            /* the row's tasks are the run of this source: sized to it (one plan-sized array
             * per row was 500 MB of address space at 200 nodes) */
            size_t end = i;
            while (end < plan->ntasks && plan->tasks[end].from == t->from)
                end++;
            row->index = malloc((end - i) * sizeof *row->index);
            if (!row->index)
                return DC_ENOMEM;
        }
        row->index[row->n++] = i;
    }
    /* Until an agent answers, its row is unknown: a result is never "ok" by default. */
    for (size_t r = 0; r < co->nrows; r++)
        row_unknown(&co->rows[r], DC_AGENT_NOT_ASKED, "not run: the agent of %s was not asked%s",
                    co->cluster->nodes[co->rows[r].source].name, "");
    return 0;
}

int dc_coordinator_run(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_plan *plan, long local, const struct dc_engine_opts *engine,
                       const struct dc_coordinator_opts *opts, struct dc_result *results,
                       struct dc_texts *texts, bool *interrupted, struct dc_diag *diag)
{
    struct coordinator co = {.cluster = cluster,
                             .profile = profile,
                             .plan = plan,
                             .opts = opts,
                             .timeout_s = engine->timeout_s,
                             .results = results,
                             .texts = texts};
    struct dc_plan local_plan = {0};
    size_t *local_index = NULL;
    struct dc_result *local_results = NULL;
    co.anchor_wall_ms = dci_wall_ms();
    co.anchor_ns = uv_hrtime();
    for (size_t n = 0; opts->clocks && n < cluster->nnodes; n++)
        opts->clocks[n] =
            (struct dc_clock){.source = (long)n == local ? DC_CLOCK_REFERENCE : DC_CLOCK_NONE};
    /* a run that fails before any row is handed out still reports every task, as not run */
    for (size_t i = 0; i < plan->ntasks; i++)
        dc_result_reset(&results[i], "not run");
    int rc = split_rows(&co, local, &local_plan, &local_index);
    if (!rc && co.nrows > 0 && !opts->token) {
        dc_diag_set(diag, "%zu rows run on agents: expected --token-file", co.nrows);
        rc = DC_EINVAL;
    }
    local_results = calloc(local_plan.ntasks ? local_plan.ntasks : 1, sizeof *local_results);
    if (!rc && !local_results)
        rc = DC_ENOMEM;
    bool *opened = NULL;
    struct dc_preflight_run *pf = NULL;
    if (!rc && opts->preflight) {
        opened = calloc(plan->ntasks ? plan->ntasks : 1, sizeof *opened);
        /* held a little past the run's own bound, then the agents close them anyway */
        rc = opened ? dci_preflight_begin(cluster, profile, plan, local, opts,
                                          engine->timeout_s + opts->margin_s + 5.0, opened, &pf)
                    : DC_ENOMEM;
    }
    /* a task towards dmsconn's own pre-flight listener is a TCP connect: the path is proven,
     * and no protocol is judged on a listener that speaks none */
    struct dc_profile *twins = NULL;
    if (!rc && opened) {
        co.preflight = opened;
        rc = dci_profile_with_connect_twins(profile, &twins);
        for (size_t k = 0; !rc && k < local_plan.ntasks; k++) {
            if (opened[local_index[k]])
                dci_task_use_twin(&local_plan.tasks[k], profile);
        }
    }
    if (!rc) {
        struct dc_engine_opts eopts = *engine;
        eopts.attach = attach;
        eopts.interrupt = interrupt;
        eopts.detach = detach;
        eopts.attach_ud = &co;
        rc = dc_engine_run(cluster, twins ? twins : profile, &local_plan, &eopts, local_results,
                           texts, interrupted, diag);
        for (size_t k = 0; k < local_plan.ntasks; k++)
            results[local_index[k]] = local_results[k];
    }
    dci_preflight_end(pf);
    dc_profile_free(twins);
    for (size_t i = 0; opened && i < plan->ntasks; i++) {
        if (!opened[i])
            continue;
        results[i].preflight = true;
        if (results[i].state == DC_STATE_OK)
            results[i].detail =
                "path open up to a pre-flight listener (the service is not there yet)";
    }
    free(opened);
    for (size_t r = 0; r < co.nrows; r++) {
        free(co.rows[r].index);
        free(co.rows[r].body);
        free(co.rows[r].response);
        curl_slist_free_all(co.rows[r].headers);
        curl_slist_free_all(co.rows[r].stop_headers);
    }
    free(co.stops);
    free(co.rows);
    free(local_plan.tasks);
    free(local_index);
    free(local_results);
    return rc;
}
