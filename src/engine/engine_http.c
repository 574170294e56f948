/* The HTTP driver: each HTTP probe is a libcurl transfer (or a few, one per path) on the
 * engine's own loop through curl_uv. Transport failures map onto the shared taxonomy the
 * way docs/libraries.md describes libcurl's codes; an HTTP answer goes to the probe's judge. */
#include "base/curl_uv.h"
#include "dmsconn/cert.h"
#include "dmsconn/probe.h"
#include "base/os.h"
#include "base/portable.h"
#include "engine_conn.h"
#include "engine_tls.h"
#include "base/base_private.h"
#include "probes/probe.h"

#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#define BODY_DEFAULT 65536
#define BODY_FIRST 2048 /* the first allocation for an answer's body */

/* The driver's state (struct engine's http): only this file knows it. */
struct dci_http_state {
    struct dci_curl_uv *curl; /* made on first use */
};

struct http {
    struct engine *engine;
    struct dest *dest;
    uint32_t task;
    const struct dc_probe_ops *probe;
    unsigned step;
    uint64_t started_ns;
    char *body; /* grown as the answer arrives: most answers are short */
    size_t body_len;
    size_t body_alloc; /* bytes allocated for body, its terminator included */
    size_t body_cap;   /* the most kept (max_reply) */
    char server[128];
    char content_type[96];
    char www_authenticate[128];
    char date[64];              /* the answer's Date header (a clock to the second) */
    double date_seen_ms;        /* this machine's clock when it came (ms of the Unix epoch) */
    struct curl_slist *resolve; /* by_name probes: the name -> the address it resolved to */
    char url[300];
    uv_os_sock_t handed; /* the connected socket for the first request; invalid once curl has it */
    uv_os_sock_t curl_sock; /* that socket, once handed to curl */
    bool tcp_connected;     /* seen when curl closes its socket: did the handshake complete? */
    double rtt_ms;          /* the kernel's round trip for that socket, < 0 if unknown */
    double latency_ms;      /* what the result reports: that round trip, or curl's connect */
    struct dc_finding verdict;
    char *facts;       /* verdict.facts: probes with a revise step */
    CURL *easy;        /* this step's transfer */
    const char *host;  /* what the URL names: the certificate must cover it */
    const char *tls;   /* the peer's certificate (dci_cert_keep), NULL until a handshake */
    char refused[256]; /* why the certificate was refused: the transfer was ended for it */
    char error[CURL_ERROR_SIZE];
};

/* curl says "timeout" for a connect that never completed and for a server that connected
 * but never answered (and its connect time stays 0 while TLS is unfinished): the socket
 * itself tells, when curl closes it. Connections are not reused, so this runs while the
 * transfer is still ours. */
static int on_close_socket(void *ud, curl_socket_t fd)
{
    struct http *h = ud;
    if (dci_os_sock_has_peer(fd)) {
        h->tcp_connected = true;
        if (h->rtt_ms < 0)
            h->rtt_ms = dci_os_tcp_rtt_ms(fd); /* as the dialogue driver measures */
    }
    return dci_os_sock_close(fd);
}

/* The first request's socket is the one the engine connected: curl gets it instead of a new
 * one, and is told it is connected already (CURLOPT_OPENSOCKETFUNCTION, SOCKOPTFUNCTION). */
static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct http *h = ud;
    if (purpose == CURLSOCKTYPE_IPCXN && dci_os_sock_valid(h->handed)) {
        curl_socket_t sock = h->handed;
        h->handed = dci_os_sock_invalid();
        h->curl_sock = sock;
        return sock;
    }
    return dci_os_sock_open(addr->family, addr->socktype, addr->protocol);
}

static int socket_options(void *ud, curl_socket_t fd, curlsocktype purpose)
{
    struct http *h = ud;
    (void)purpose;
    return fd == h->curl_sock ? CURL_SOCKOPT_ALREADY_CONNECTED : CURL_SOCKOPT_OK;
}

/* After the TLS handshake, before the request (CURLOPT_PREREQFUNCTION): curl accepts any
 * certificate, and this reads it with the dialogue driver's reader and refuses it as that
 * driver does; nothing, not a password, is sent to a peer refused. The first request's
 * handshake is the one read. */
static int on_prereq(void *ud, char *remote_ip, char *local_ip, int remote_port, int local_port)
{
    struct http *h = ud;
    (void)remote_ip, (void)local_ip, (void)remote_port, (void)local_port;
    struct engine *e = h->engine;
    const struct curl_tlssessioninfo *session = NULL;
    if (!h->probe->tls || h->tls)
        return CURL_PREREQFUNC_OK;
    struct dc_cert cert;
    h->tls = curl_easy_getinfo(h->easy, CURLINFO_TLS_SSL_PTR, &session) == CURLE_OK && session &&
                     session->backend == CURLSSLBACKEND_OPENSSL && session->internals
                 ? dci_cert_take(e, session->internals, h->host, &cert)
                 : NULL;
    if (!h->tls) {
        if (e->opts.tls_insecure)
            return CURL_PREREQFUNC_OK;
        snprintf(h->refused, sizeof h->refused, "no certificate could be read from the peer");
        return CURL_PREREQFUNC_ABORT;
    }
    return dci_cert_accept(&cert, e->opts.tls_insecure, h->refused, sizeof h->refused)
               ? CURL_PREREQFUNC_OK
               : CURL_PREREQFUNC_ABORT;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    struct http *h = ud;
    size_t len = size * n;
    size_t room = h->body_cap - h->body_len; /* bytes beyond max_reply are dropped */
    size_t take = len < room ? len : room;
    if (h->body_len + take + 1 > h->body_alloc) {
        size_t want = h->body_alloc * 2 > BODY_FIRST ? h->body_alloc * 2 : BODY_FIRST;
        if (want < h->body_len + take + 1)
            want = h->body_len + take + 1;
        if (want > h->body_cap + 1)
            want = h->body_cap + 1;
        char *grown = realloc(h->body, want);
        if (!grown)
            return 0; /* curl ends the transfer with a write error */
        h->body = grown;
        h->body_alloc = want;
    }
    memcpy(h->body + h->body_len, data, take);
    h->body_len += take;
    h->body[h->body_len] = '\0';
    return len;
}

/* Keeps the two headers judges want; a header line never ends in the middle here. */
static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    struct http *h = ud;
    size_t len = size * n;
    struct {
        const char *name;
        char *dst;
        size_t cap;
    } keep[] = {{"Server:", h->server, sizeof h->server},
                {"Content-Type:", h->content_type, sizeof h->content_type},
                {"WWW-Authenticate:", h->www_authenticate, sizeof h->www_authenticate},
                {"Date:", h->date, sizeof h->date}};
    for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
        size_t nl = strlen(keep[k].name);
        if (len <= nl || strncasecmp(line, keep[k].name, nl) != 0)
            continue;
        const char *v = line + nl;
        size_t vlen = len - nl;
        while (vlen > 0 && (*v == ' ' || *v == '\t'))
            v++, vlen--;
        while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
            vlen--;
        size_t out = 0;
        for (size_t i = 0; i < vlen && out + 1 < keep[k].cap; i++)
            keep[k].dst[out++] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '.';
        keep[k].dst[out] = '\0';
        if (keep[k].dst == h->date)
            h->date_seen_ms = dci_wall_ms();
    }
    return len;
}

/* A destination's clock from its Date header, where nothing better measured it (dmsconn/clock.h):
 * an agent's reading wins over this one, and the first Date seen over later ones. */
static void read_clock(const struct http *h)
{
    struct dc_clock *clocks = h->engine->opts.clocks;
    time_t server = h->date[0] ? curl_getdate(h->date, NULL) : -1;
    if (!clocks || server < 0 || clocks[h->dest->node].source != DC_CLOCK_NONE)
        return;
    dc_clock_from_date((double)server, h->date_seen_ms, h->latency_ms, &clocks[h->dest->node]);
}

static void finish(struct http *h, enum dc_state state, const char *detail)
{
    struct engine *e = h->engine;
    if (dci_os_sock_valid(h->handed))
        dci_os_sock_close(h->handed); /* curl never took it */
    dci_engine_keep_facts(e, h->task, h->facts);
    free(h->facts);
    read_clock(h);
    struct dci_outcome o = {.state = state,
                            .address = h->dest->address_text,
                            .detail = detail,
                            .evidence = h->verdict.evidence,
                            .tls = h->tls,
                            .latency_ms = h->latency_ms,
                            .severe = h->verdict.severe};
    dci_engine_settle(e, h->task, &o);
    struct dest *dest = h->dest;
    curl_slist_free_all(h->resolve);
    free(h->body);
    free(h);
    dci_engine_dest_idle(e, dest);
}

static int start_step(struct http *h);

/* What a failed transfer means for the path (docs/libraries.md, "libcurl"). */
static void classify(struct http *h, CURL *easy, CURLcode rc)
{
    long os_errno = 0;
    curl_off_t connect_us = 0;
    curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
    curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
    char detail[256]; /* a refused certificate says the names it carries */
    enum dc_state state;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        /* the same reading as the dialogue driver's (CURLINFO_OS_ERRNO: docs/libraries.md) */
        state = dci_engine_connect_state(-(int)os_errno, detail, sizeof detail);
        break;
    case CURLE_OPERATION_TIMEDOUT: {
        bool connected = h->tcp_connected || connect_us > 0;
        curl_off_t tls_us = 0;
        curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &tls_us);
        /* an HTTPS probe that connected but never finished its handshake: the TLS dialogue's
         * reading of the same silence */
        bool no_handshake = connected && h->probe->tls && tls_us == 0;
        state = no_handshake ? DC_STATE_TLS
                : connected  ? DC_STATE_WRONG_SERVICE
                             : DC_STATE_FILTERED;
        dci_engine_silence(h->engine,
                           no_handshake ? DCI_SILENT_TLS
                           : connected  ? DCI_SILENT_HTTP
                                        : DCI_SILENT_PATH,
                           detail, sizeof detail);
        break;
    }
    case CURLE_SSL_CONNECT_ERROR:
        state = DC_STATE_TLS;
        if (dci_tls_too_old_text(h->error))
            snprintf(detail, sizeof detail, "%s", DCI_TLS_TOO_OLD);
        else
            snprintf(detail, sizeof detail,
                     "TLS handshake failed (%s): not a TLS port, or no protocol or cipher in "
                     "common",
                     curl_easy_strerror(rc));
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        state = DC_STATE_TLS;
        snprintf(detail, sizeof detail, "TLS: %s%s", curl_easy_strerror(rc),
                 h->engine->opts.tls_insecure ? ""
                                              : " (give --ca; a lab's self-signed certificate: "
                                                "--tls-insecure)");
        break;
    /* every code a peer can cause is the peer's: something answered, not the service */
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RANGE_ERROR:
    case CURLE_TOO_MANY_REDIRECTS:
        state = DC_STATE_WRONG_SERVICE;
        snprintf(detail, sizeof detail, "no HTTP answer: %s", curl_easy_strerror(rc));
        break;
    case CURLE_COULDNT_RESOLVE_HOST: state = DC_STATE_DNS; goto generic;
    case CURLE_ABORTED_BY_CALLBACK:
        /* on_prereq refused the certificate, or the run was stopped */
        state = h->refused[0] ? DC_STATE_TLS : DC_STATE_UNKNOWN;
        snprintf(detail, sizeof detail, "%s",
                 h->refused[0] ? h->refused : "interrupted before an answer");
        break;
    default:
        state = DC_STATE_ERROR;
    generic:
        snprintf(detail, sizeof detail, "%s", curl_easy_strerror(rc));
        break;
    }
    finish(h, state, detail);
}

static void on_done(CURL *easy, CURLcode rc, void *ud)
{
    struct http *h = ud;
    if (rc != CURLE_OK) {
        classify(h, easy, rc);
        curl_easy_cleanup(easy);
        return;
    }
    if (h->step == 0) {
        curl_off_t connect_us = 0;
        curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
        h->latency_ms = h->rtt_ms >= 0 ? h->rtt_ms : (double)connect_us / 1000.0;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    struct engine *e = h->engine;
    struct dci_http_reply reply = {
        .status = status,
        .server = h->server,
        .content_type = h->content_type,
        .www_authenticate = h->www_authenticate,
        .body = h->body ? h->body : "",
        .body_len = h->body_len,
        .cluster = e->cluster,
        .address = h->dest->address,
    };
    enum dci_judgement j = h->probe->proto->http.judge(h->step, &reply, &h->verdict);
    if (j == DCI_JUDGE_MORE && h->probe->proto->http.paths[h->step + 1] && !h->engine->stopping) {
        h->step++;
        if (start_step(h) == 0)
            return;
        finish(h, DC_STATE_ERROR, "local failure: cannot start the next HTTP request");
        return;
    }
    finish(h, h->verdict.state, h->verdict.detail[0] ? h->verdict.detail : "no verdict");
}

static int start_step(struct http *h)
{
    struct engine *e = h->engine;
    const struct dc_task *t = &e->plan->tasks[h->task];
    bool v6 = strchr(h->dest->address, ':') != NULL;
    /* by name: curl then sends it as SNI and checks the certificate against it; the address
     * it resolved to here is handed to curl, which resolves nothing itself */
    bool by_name = h->probe->by_name && h->dest->name;
    const char *host = by_name ? h->dest->name : h->dest->address;
    h->host = host;
    snprintf(h->url, sizeof h->url, "%s://%s%s%s:%u%s", h->probe->tls ? "https" : "http",
             v6 && !by_name ? "[" : "", host, v6 && !by_name ? "]" : "", t->port,
             h->probe->proto->http.paths[h->step]);
    h->body_len = 0;
    if (h->body)
        h->body[0] = '\0';
    h->server[0] = h->content_type[0] = h->www_authenticate[0] = h->date[0] = '\0';
    uint64_t spent_ms = (uv_hrtime() - h->started_ns) / 1000000u;
    long left_ms = spent_ms < e->timeout_ms ? (long)(e->timeout_ms - spent_ms) : 1;
    CURL *c = curl_easy_init();
    if (!c)
        return DC_ENOMEM;
    /* every option must take: one that does not would send another request than the probe's */
    bool ok = true;
    ok = ok && curl_easy_setopt(c, CURLOPT_URL, h->url) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, left_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_NOPROXY, "*") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_USERAGENT, "dmsconn") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, h) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_HEADERDATA, h) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK;
    /* curl's receive buffer (16 KiB by default) is allocated for every transfer in flight:
     * a thousand probes at once would hold 16 MiB for answers of a few hundred bytes */
    ok = ok && curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 4096L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, h) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->error) == CURLE_OK;
    if (h->probe->tls) {
        /* curl accepts any certificate: on_prereq reads and judges it */
        ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
        /* TLS 1.2 at least, as the dialogue driver and DataMiner (10.5.12) */
        ok = ok &&
             curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_PREREQDATA, h) == CURLE_OK;
    }
    const struct dc_secret *secret = dc_engine_secret(&e->opts, h->probe->proto->secret);
    if (h->probe->proto->http.basic_auth && secret) {
        ok = ok && curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_USERPWD, secret->text) == CURLE_OK;
    }
    if (dci_os_sock_valid(h->handed)) {
        ok = ok && curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, h) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, socket_options) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_SOCKOPTDATA, h) == CURLE_OK;
    }
    char bind[80];
    /* the handed socket is bound already (a second bind would fail); later requests of a
     * probe connect on their own */
    if (!dci_os_sock_valid(h->handed) && e->sources && e->sources[t->from].ss_family) {
        char ip[64];
        uv_ip_name((const struct sockaddr *)&e->sources[t->from], ip, sizeof ip);
        snprintf(bind, sizeof bind, "host!%s", ip);
        ok = ok && curl_easy_setopt(c, CURLOPT_INTERFACE, bind) == CURLE_OK;
    }
    if (by_name) {
        char entry[400];
        snprintf(entry, sizeof entry, v6 ? "%s:%u:[%s]" : "%s:%u:%s", host, t->port,
                 h->dest->address);
        curl_slist_free_all(h->resolve);
        h->resolve = dci_curl_header(NULL, entry);
        ok = ok && h->resolve && curl_easy_setopt(c, CURLOPT_RESOLVE, h->resolve) == CURLE_OK;
    }
    h->easy = c;
    h->error[0] = '\0';
    int rc = ok ? dci_curl_uv_add(e->http->curl, c, on_done, h) : DC_EIO;
    if (rc)
        curl_easy_cleanup(c);
    return rc;
}

/* Carries on with the connected socket; the probe's deadline still counts from
 * started_ns. */
static void http_begin(struct engine *e, struct dest *dest, uint32_t task, uv_os_sock_t sock,
                       uint64_t started_ns, double rtt_ms)
{
    struct http *h = calloc(1, sizeof *h);
    const struct dc_probe_ops *probe = dci_task_probe(e, task);
    size_t cap = probe->proto->max_reply ? probe->proto->max_reply : BODY_DEFAULT;
    if (!h || (!e->http->curl && dci_curl_uv_new(&e->loop, &e->http->curl) != 0)) {
        dci_os_sock_close(sock);
        free(h);
        dci_engine_local_failure(e, dest, task, "local failure: cannot start an HTTP probe");
        return;
    }
    *h = (struct http){.engine = e,
                       .dest = dest,
                       .task = task,
                       .probe = probe,
                       .body_cap = cap,
                       .started_ns = started_ns,
                       .handed = sock,
                       .curl_sock = dci_os_sock_invalid(),
                       .tcp_connected = true,
                       /* the handshake's round trip, as the connect measured it */
                       .rtt_ms = rtt_ms,
                       .latency_ms = rtt_ms};
    if (probe->proto->revise && probe->proto->facts_max) {
        /* without it the judge keeps nothing and its result stands as judged */
        h->facts = calloc(1, probe->proto->facts_max);
        h->verdict.facts = h->facts;
        h->verdict.facts_cap = h->facts ? probe->proto->facts_max : 0;
    }
    if (start_step(h) != 0) {
        curl_slist_free_all(h->resolve);
        free(h->facts);
        if (dci_os_sock_valid(h->handed))
            dci_os_sock_close(h->handed);
        free(h->body);
        free(h);
        dci_engine_local_failure(e, dest, task, "local failure: cannot start an HTTP probe");
    }
}

/* HTTP probes connect like every other probe (the connect stage), so a refused or dropped
 * port costs a socket and no libcurl transfer; curl then speaks HTTP on a copy of the
 * connected socket (the stage's handle closes, the copy stays open). */
static void on_connected(struct conn *c)
{
    struct engine *e = c->engine;
    struct dest *dest = c->dest;
    uint32_t task = c->task;
    uint64_t started_ns = c->started_ns;
    double rtt_ms = c->latency_ms;
    uv_os_sock_t sock = dci_conn_hand_over(c);
    if (!dci_os_sock_valid(sock)) {
        dci_conn_finish(c, DC_STATE_ERROR, "local failure: cannot hand the connection to HTTP");
        return;
    }
    http_begin(e, dest, task, sock, started_ns, rtt_ms);
}

static const struct dci_socket_user http_user = {.connected = on_connected};

static int http_init(struct engine *e)
{
    e->http = calloc(1, sizeof *e->http);
    return e->http ? 0 : DC_ENOMEM;
}

static void http_start(struct engine *e, struct dest *dest, uint32_t task)
{
    dci_connect_start(e, dest, task, &http_user);
}

static void http_abort_all(struct engine *e)
{
    dci_connect_abort_all(e, &http_user); /* still connecting */
    if (e->http->curl)
        dci_curl_uv_abort(e->http->curl);
}

static void http_close(struct engine *e)
{
    dci_curl_uv_close(e->http->curl);
    e->http->curl = NULL;
}

static void http_release(struct engine *e)
{
    free(e->http);
    e->http = NULL;
}

const struct dci_driver dci_driver_http = {.init = http_init,
                                           .start = http_start,
                                           .abort_all = http_abort_all,
                                           .close = http_close,
                                           .release = http_release};
