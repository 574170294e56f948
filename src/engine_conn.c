/* The socket-dialogue driver: a non-blocking connect with a deadline, then optionally a
 * hello and a judged reply. Each probe owns a TCP handle (one engine timer serves every
 * probe's deadline, oldest first); its memory returns
 * to a free list once libuv has closed both (the close-callback rule). */
#include "dmsconn/cluster.h"
#include "dmsconn/probe.h"
#include "engine_conn.h"
#include "engine_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void dci_conn_lists_init(struct engine *e)
{
    dci_queue_init(&e->live);
    dci_queue_init(&e->in_library);
    dci_queue_init(&e->closing);
    dci_queue_init(&e->free_list);
    dci_queue_init(&e->snmp_live);
}

static struct conn *first(struct dci_queue *head)
{
    return DCI_QUEUE_DATA(head->next, struct conn, node);
}

static struct conn *conn_alloc(struct engine *e)
{
    struct conn *c = NULL;
    if (!dci_queue_empty(&e->free_list)) {
        c = first(&e->free_list);
        dci_queue_remove(&c->node);
        uint8_t *reply = c->reply;
        size_t cap = c->reply_cap;
        memset(c, 0, offsetof(struct conn, hello));
        c->reply = reply;
        c->reply_cap = cap;
    } else {
        c = calloc(1, sizeof *c);
    }
    if (c)
        dci_queue_init(&c->node);
    return c;
}

void dci_live_unlink(struct engine *e, struct conn *c)
{
    if (!c->in_live)
        return;
    dci_queue_remove(&c->node);
    c->in_live = false;
    if (dci_queue_empty(&e->live))
        uv_timer_stop(&e->deadline_timer);
}

static void live_append(struct engine *e, struct conn *c)
{
    dci_queue_insert_tail(&e->live, &c->node);
    c->in_live = true;
}

static void on_deadlines(uv_timer_t *timer);

/* Arms the engine's timer for the oldest probe's deadline. */
static void arm_deadline(struct engine *e)
{
    if (dci_queue_empty(&e->live)) {
        uv_timer_stop(&e->deadline_timer);
        return;
    }
    uint64_t now = uv_hrtime();
    uint64_t due = first(&e->live)->deadline_ns;
    uv_timer_start(&e->deadline_timer, on_deadlines, due > now ? (due - now + 999999) / 1000000 : 0,
                   0);
}

static void close_finished(uv_check_t *check);
static void on_closed(uv_handle_t *handle);

void dci_conn_deadlines_init(struct engine *e)
{
    uv_timer_init(&e->loop, &e->deadline_timer);
    e->deadline_timer.data = e;
    uv_check_init(&e->loop, &e->closing_check);
    e->closing_check.data = e;
    uv_idle_init(&e->loop, &e->closing_idle);
}

static void no_wait(uv_idle_t *idle)
{
    (void)idle; /* being active is its job: the poll that follows does not block */
}

/* libuv's uv_close, called while the loop handles a batch of epoll events, scans that whole
 * batch (up to 1,024 events) for the closed descriptor: thousands of probes ending in one
 * batch made closing quadratic, a fifth of a 5,000-probe run's instructions. Handles are
 * closed from a check callback instead, right after the batch; an idle handle makes sure
 * that poll does not block first when the probe ended in another phase (a timer). */
static void close_later(struct engine *e, struct conn *c)
{
    dci_queue_insert_tail(&e->closing, &c->node);
    if (!uv_is_active((uv_handle_t *)&e->closing_check)) {
        uv_check_start(&e->closing_check, close_finished);
        uv_idle_start(&e->closing_idle, no_wait);
    }
}

static void close_finished(uv_check_t *check)
{
    struct engine *e = check->data;
    uv_check_stop(check);
    uv_idle_stop(&e->closing_idle);
    while (!dci_queue_empty(&e->closing)) {
        struct conn *c = first(&e->closing);
        dci_queue_remove(&c->node);
        uv_close((uv_handle_t *)&c->tcp, on_closed);
    }
}

static void on_closed(uv_handle_t *handle)
{
    struct conn *c = handle->data;
    if (--c->open_handles > 0)
        return;
    struct engine *e = c->engine;
    struct dest *dest = c->dest;
    bool handed_off = c->handed_off;
    dc_tls_free(c->tls);
    c->tls = NULL;
    dci_queue_insert_tail(&e->free_list, &c->node);
    if (!handed_off) /* else the HTTP probe holds the destination's slot until it ends */
        dci_engine_dest_idle(e, dest);
}

/* Reports exactly once, then closes the handles; the rest happens in on_closed. */
void dci_conn_finish(struct conn *c, enum dc_state state, const char *detail)
{
    if (c->reported)
        return;
    c->reported = true;
    struct engine *e = c->engine;
    struct dc_result *r = &e->results[c->task];
    r->state = state;
    r->measured = true;
    if (!c->connected)
        r->latency_ms = -1;
    r->address = c->dest->address_text;
    if (detail)
        r->detail = dc_texts_add(e->texts, detail);
    dci_live_unlink(e, c);
    dci_engine_result_done(e, c->task);
    if (c->connected && !c->probe->judge && !c->tls)
        dci_tcp_reset_on_close(&c->tcp);
    uv_read_stop((uv_stream_t *)&c->tcp); /* nothing more is read until the handle closes */
    close_later(e, c);
}

/* Lets the probe judge; a probe that answers DONE has filled state, detail and evidence. */
static void conn_judge(struct conn *c, bool closed)
{
    struct engine *e = c->engine;
    struct dc_result *r = &e->results[c->task];
    struct dc_finding verdict = {.state = r->state, .severe = r->severe};
    snprintf(verdict.evidence, sizeof verdict.evidence, "%s", r->evidence);
    /* judges may memcmp the reply: never hand them NULL, even for zero bytes */
    static const uint8_t none[1];
    const uint8_t *reply = c->reply ? c->reply : none;
    enum dc_judgement j = c->probe->judge(reply, c->reply_len, closed, &verdict);
    if (j == DC_JUDGE_MORE && !closed)
        return;
    r->evidence = dc_texts_add(e->texts, verdict.evidence);
    r->severe = verdict.severe;
    if (verdict.state == DC_STATE_OK && c->probe->library && !e->stopping) {
        r->state = verdict.state;
        r->detail = dc_texts_add(e->texts, verdict.detail);
        dci_live_unlink(e, c);
        if (dci_library_start(c, dci_conn_finish))
            return;
    }
    dci_conn_finish(c, verdict.state, verdict.detail[0] ? verdict.detail : "no verdict from probe");
}

static void classify_connect_error(struct conn *c, int status)
{
    char detail[192];
    enum dc_state state = dci_engine_connect_state(status, detail, sizeof detail);
    dci_conn_finish(c, state, detail);
}

/* TLS reads land here first (ciphertext), then go through OpenSSL into the reply buffer.
 * One per thread: a read callback follows its alloc callback on the same thread. */
static _Thread_local uint8_t cipher_in[16384];

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = handle->data;
    (void)suggested;
    if (c->tls) {
        *buf = uv_buf_init((char *)cipher_in, sizeof cipher_in);
        return;
    }
    size_t max = c->probe->max_reply ? c->probe->max_reply : REPLY_DEFAULT;
    if (c->reply_cap < max) {
        uint8_t *grown = realloc(c->reply, max);
        if (grown) {
            c->reply = grown;
            c->reply_cap = max;
        }
    }
    size_t room = c->reply_cap > c->reply_len ? c->reply_cap - c->reply_len : 0;
    *buf = uv_buf_init((char *)c->reply + c->reply_len, (unsigned)room);
}

static void tls_step(struct conn *c);

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = stream->data;
    (void)buf;
    if (c->reported)
        return;
    if (c->tls) {
        if (nread > 0 && dc_tls_feed(c->tls, cipher_in, (size_t)nread) == 0) {
            tls_step(c);
        } else if (nread < 0 && !c->handshaken) {
            dci_conn_finish(c, DC_STATE_TLS, "the peer closed during the TLS handshake: not TLS?");
        } else if (nread < 0) {
            conn_judge(c, true);
        }
        return;
    }
    if (nread > 0) {
        c->reply_len += (size_t)nread;
        bool full = c->reply_len >= c->reply_cap;
        conn_judge(c, full); /* a full buffer is all the probe will ever see */
    } else if (nread < 0) {
        conn_judge(c, true); /* EOF, reset, or UV_ENOBUFS when the buffer could not grow */
    }
}

static void on_written(uv_write_t *req, int status)
{
    struct conn *c = req->data;
    if (status < 0 && !c->reported)
        conn_judge(c, true);
}

struct outbuf {
    uv_write_t req;
    size_t len;
    uint8_t data[];
};

static void on_cipher_written(uv_write_t *req, int status)
{
    struct outbuf *o = (struct outbuf *)req;
    struct conn *c = req->data;
    free(o);
    if (status < 0 && !c->reported)
        dci_conn_finish(c, DC_STATE_TLS, "the peer closed during the TLS exchange");
}

/* Sends whatever ciphertext OpenSSL has queued; each write owns its buffer. */
static void tls_flush(struct conn *c)
{
    for (;;) {
        struct outbuf *o = malloc(sizeof *o + 16384);
        if (!o)
            return;
        o->len = dc_tls_take(c->tls, o->data, 16384);
        if (o->len == 0) {
            free(o);
            return;
        }
        o->req.data = c;
        uv_buf_t buf = uv_buf_init((char *)o->data, (unsigned)o->len);
        if (uv_write(&o->req, (uv_stream_t *)&c->tcp, &buf, 1, on_cipher_written) != 0) {
            free(o);
            return;
        }
    }
}

/* Drives a TLS dialogue: the handshake, then the hello, then the plaintext reply. */
/* The probe's first words, into c->hello: its destination, port and secret. */
static size_t say_hello(struct conn *c)
{
    const struct dc_secret *secret = dc_engine_secret(&c->engine->opts, c->probe->secret);
    const struct dc_probe_ctx ctx = {.host = c->dest->address,
                                     .port = c->engine->plan->tasks[c->task].port,
                                     .secret = secret ? secret->text : NULL};
    return c->probe->hello(&ctx, c->hello, sizeof c->hello);
}

static void tls_step(struct conn *c)
{
    if (!c->handshaken) {
        char err[160];
        int rc = dc_tls_handshake(c->tls, err, sizeof err);
        tls_flush(c);
        if (rc < 0) {
            dci_conn_finish(c, DC_STATE_TLS, err);
            return;
        }
        if (rc == 0)
            return;
        c->handshaken = true;
        char evidence[sizeof((struct dc_finding *)0)->evidence];
        dc_tls_describe(c->tls, evidence, sizeof evidence);
        c->engine->results[c->task].evidence = dc_texts_add(c->engine->texts, evidence);
        if (!c->probe->judge) {
            dci_conn_finish(c, DC_STATE_OK, "TLS handshake completed");
            return;
        }
        size_t n = 0;
        if (c->probe->hello) {
            n = say_hello(c);
        }
        if (n > 0 && dc_tls_write(c->tls, c->hello, n) == 0)
            tls_flush(c);
    }
    ssize_t got;
    while (!c->reported && c->reply_len < c->reply_cap &&
           (got = dc_tls_read(c->tls, c->reply + c->reply_len, c->reply_cap - c->reply_len)) != 0) {
        if (got < 0) {
            conn_judge(c, true);
            return;
        }
        c->reply_len += (size_t)got;
        conn_judge(c, c->reply_len >= c->reply_cap);
    }
}

/* The reply buffer TLS plaintext goes into (the plain path grows it in on_alloc). */
static bool reply_ready(struct conn *c)
{
    size_t max = c->probe->max_reply ? c->probe->max_reply : REPLY_DEFAULT;
    if (c->reply_cap >= max)
        return true;
    uint8_t *grown = realloc(c->reply, max);
    if (!grown)
        return false;
    c->reply = grown;
    c->reply_cap = max;
    return true;
}

static void start_tls(struct conn *c)
{
    struct engine *e = c->engine;
    if (!e->ssl_ctx)
        e->ssl_ctx = dc_tls_ctx_new(e->opts.tls_insecure, e->opts.ca_file);
    if (!e->ssl_ctx || !reply_ready(c) ||
        dc_tls_new(e->ssl_ctx, c->dest->address, c->probe->alpn, &c->tls) ||
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
        dci_conn_finish(c, DC_STATE_ERROR, "local failure: cannot start TLS");
        return;
    }
    tls_step(c); /* sends the ClientHello */
}

/* HTTP probes connect here like every other probe, so a refused or dropped port costs a
 * socket and no libcurl transfer; curl then speaks HTTP on a copy of the connected socket
 * (this handle closes, the copy stays open). */
static void hand_to_http(struct conn *c)
{
    struct engine *e = c->engine;
    uv_os_fd_t fd;
    int copy =
        uv_fileno((const uv_handle_t *)&c->tcp, &fd) == 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
    if (copy < 0) {
        dci_conn_finish(c, DC_STATE_ERROR, "local failure: cannot hand the connection to HTTP");
        return;
    }
    c->reported = true;
    c->handed_off = true;
    dci_live_unlink(e, c);
    uv_close((uv_handle_t *)&c->tcp, on_closed);
    dci_http_start_connected(e, c->dest, c->task, copy, c->started_ns);
}

static void on_connect(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    if (c->reported)
        return; /* UV_ECANCELED after the deadline closed the handle */
    if (status < 0) {
        classify_connect_error(c, status);
        return;
    }
    if (dci_tcp_met_itself(&c->tcp, c->engine->plan->tasks[c->task].port)) {
        dci_conn_finish(c, DC_STATE_REFUSED,
                        "nothing listens (the connection met itself: same source and destination "
                        "port on this machine)");
        return;
    }
    c->connected = true;
    struct dc_result *r = &c->engine->results[c->task];
    r->latency_ms = dci_tcp_rtt_ms(&c->tcp, c->started_ns);
    if (c->probe->driver == DC_DRIVER_HTTP) {
        hand_to_http(c);
        return;
    }
    if (c->probe->tls) {
        start_tls(c);
        return;
    }
    if (!c->probe->judge) {
        dci_conn_finish(c, DC_STATE_OK, "connected");
        return;
    }
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    size_t n = 0;
    if (rc == 0 && c->probe->hello) {
        n = say_hello(c);
    }
    if (rc == 0 && n > 0) {
        uv_buf_t buf = uv_buf_init((char *)c->hello, (unsigned)n);
        c->write_req.data = c;
        rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_written);
    }
    if (rc < 0) {
        char detail[128];
        snprintf(detail, sizeof detail, "local failure after connect: %s", uv_strerror(rc));
        dci_conn_finish(c, DC_STATE_ERROR, detail);
    }
}

static void expire(struct conn *c);

/* Every probe whose deadline has come, oldest first; then the timer waits for the next. */
static void on_deadlines(uv_timer_t *timer)
{
    struct engine *e = timer->data;
    uint64_t now = uv_hrtime() + 1000000; /* the timer fires at millisecond grain */
    while (!dci_queue_empty(&e->live) && first(&e->live)->deadline_ns <= now) {
        struct conn *c = first(&e->live);
        expire(c);
        dci_live_unlink(e, c); /* expire always reports or hands over; this only makes sure */
    }
    arm_deadline(e);
}

static void expire(struct conn *c)
{
    if (c->tls && !c->handshaken) {
        char detail[160];
        snprintf(detail, sizeof detail, "no TLS handshake within %.1f s: not a TLS port?",
                 c->engine->opts.timeout_s);
        dci_conn_finish(c, DC_STATE_TLS, detail);
        return;
    }
    if (c->connected && c->probe->judge) {
        conn_judge(c, true);
        return;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "no answer within %.1f s: packets dropped on the way",
             c->engine->opts.timeout_s);
    dci_conn_finish(c, DC_STATE_FILTERED, detail);
}

void dci_conn_start(struct engine *e, struct dest *dest, uint32_t task)
{
    const struct dc_task *t = &e->plan->tasks[task];
    struct conn *c = conn_alloc(e);
    if (!c) {
        dci_engine_local_failure(e, dest, task, "local failure: out of memory");
        return;
    }
    c->engine = e;
    c->dest = dest;
    c->task = task;
    c->probe = e->profile->checks[t->check].probe;

    struct sockaddr_storage addr = dest->addr;
    if (addr.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&addr)->sin6_port = htons(t->port);
    else
        ((struct sockaddr_in *)&addr)->sin_port = htons(t->port);

    uv_tcp_init(&e->loop, &c->tcp); /* cannot fail: the socket is made by bind or connect */
    c->tcp.data = c->connect_req.data = c;
    c->open_handles = 1;
    c->started_ns = uv_hrtime();
    c->deadline_ns = c->started_ns + e->timeout_ms * 1000000u;
    live_append(e, c);
    if (!uv_is_active((uv_handle_t *)&e->deadline_timer))
        arm_deadline(e);
    int rc = 0;
    if (e->sources && e->sources[t->from].ss_family == addr.ss_family)
        rc = uv_tcp_bind(&c->tcp, (const struct sockaddr *)&e->sources[t->from], 0);
    if (rc == 0)
        rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&addr, on_connect);
    if (rc < 0)
        classify_connect_error(c, rc); /* e.g. no route: connect() fails at once */
}

void dci_conn_abort_all(struct engine *e)
{
    for (struct dci_queue *q = e->in_library.next; q != &e->in_library; q = q->next)
        dci_library_cancel(DCI_QUEUE_DATA(q, struct conn, node)); /* if not started yet */
    while (!dci_queue_empty(&e->live)) {
        struct conn *c = first(&e->live);
        struct dc_result *r = &e->results[c->task];
        dci_conn_finish(c, DC_STATE_UNKNOWN, "interrupted before an answer");
        r->measured = false;
    }
}

void dci_conn_pool_free(struct engine *e)
{
    while (!dci_queue_empty(&e->free_list)) {
        struct conn *c = first(&e->free_list);
        dci_queue_remove(&c->node);
        free(c->reply);
        free(c);
    }
}
