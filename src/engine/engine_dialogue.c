/* The socket-dialogue driver: on a connection the connect stage made, an optional hello and
 * a reply the probe judges as it arrives; then, for a probe with one, its library step.
 * Bytes go through one of two layers, plain or TLS (OpenSSL on memory BIOs, engine_tls.c),
 * chosen per connection; a greeting, or a silence, may ask for TLS next (NATS): the judge
 * sees plaintext either way. */
#include "dmsconn/cert.h"
#include "dmsconn/probe.h"
#include "engine_conn.h"
#include "engine_tls.h"
#include "probes/probe.h"

#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a connection's bytes go out and come in. */
struct dci_dialogue_layer {
    /* Starts reading (and, for TLS, the handshake); false on a local failure. */
    bool (*begin)(struct conn *c);
    /* Sends the probe's hello. */
    int (*send)(struct conn *c, const uint8_t *data, size_t len);
};

static const struct dci_dialogue_layer plain_layer, tls_layer;

#define HELLO_MAX 192 /* the longest hello: Remoting's GET with an IPv6 Host header */
#define REPLY_DEFAULT 4096

/* The dialogue's own state of one connection (the connection's ctx, curl's connection
 * filter's): made when the connection is up, back on the driver's free list (its reply
 * buffer kept) once the handle has closed. */
struct talk {
    const struct dci_dialogue_layer *layer; /* plain or TLS: how bytes go and come */
    uint8_t *reply;
    size_t reply_len;
    size_t reply_cap;
    struct dci_tls *tls;          /* the probe speaks TLS over this connection */
    struct dci_library_step *lib; /* the library step under way, or NULL */
    uv_write_t write_req;         /* the plain hello's */
    bool upgraded; /* TLS after a greeting (tls_next): its verdict, the certificate added */
    enum dc_state greeting_state;
    char greeting_detail[sizeof((struct dc_finding *)0)->detail];
    bool tls_first; /* TLS before any greeting (tls_if_silent_ms), after a silence */
    struct conn *conn;
    uint64_t silent_due_ns;
    struct dci_queue silent_node;
    uint8_t hello[HELLO_MAX];
    struct dci_queue node; /* in the driver's free list */
};

/* The driver's state (struct engine's dialogue): only this file knows it. */
struct dci_dialogue_state {
    struct dci_queue in_library; /* connections whose library step runs on the thread pool */
    struct dci_queue free_talks; /* finished connections' talks, reused */
    struct dci_queue silent;     /* talks waiting for a greeting, soonest due first */
    uv_timer_t silent_timer;     /* when the first of them is due */
    bool silent_timer_ready;
};

static struct talk *talk_of(const struct conn *c)
{
    return c->ctx;
}

static bool over(const struct conn *c)
{
    return c->stage >= CONN_IN_LIBRARY;
}

/* The reply buffer, at the probe's size. */
static bool reply_ready(struct conn *c)
{
    struct talk *t = talk_of(c);
    size_t max = c->probe->proto->max_reply ? c->probe->proto->max_reply : REPLY_DEFAULT;
    if (t->reply_cap >= max)
        return true;
    uint8_t *grown = realloc(t->reply, max);
    if (!grown)
        return false;
    t->reply = grown;
    t->reply_cap = max;
    return true;
}

/* The library step has ended (or could not run): the probe settles. */
static void library_finished(struct conn *c, enum dc_state state, const char *detail)
{
    talk_of(c)->lib = NULL;
    dci_queue_remove(&c->node); /* out of in_library */
    dci_conn_finish(c, state, detail);
}

static bool starttls(struct conn *c, const struct dc_finding *greeting);
static bool to_tls(struct conn *c);
static void tls_failed(struct conn *c, const char *why);

/* Lets the probe judge what arrived; a probe that answers DONE has filled state, detail and
 * evidence. A reply the judge found ok goes on to the probe's library step, if it has one,
 * or to a TLS handshake on the same connection when the greeting asks for one. */
static void received(struct conn *c, bool closed)
{
    struct engine *e = c->engine;
    struct talk *t = talk_of(c);
    struct dc_finding verdict = {.state = DC_STATE_UNKNOWN, .severe = c->severe};
    snprintf(verdict.evidence, sizeof verdict.evidence, "%s", c->evidence ? c->evidence : "");
    /* judges may memcmp the reply: never hand them NULL, even for zero bytes */
    static const uint8_t none[1];
    const uint8_t *reply = t->reply ? t->reply : none;
    if (t->tls_first && t->reply_len == 0 && closed && c->stage == CONN_TALKING) {
        /* a completed handshake, then nothing: a server that wants a client certificate */
        dci_conn_finish(c, DC_STATE_OK,
                        "a TLS server that speaks only after the handshake (a NATS route with "
                        "TLS): it asks for a client certificate, so its greeting is not read");
        return;
    }
    enum dci_judgement j = c->probe->proto->dialogue.judge(reply, t->reply_len, closed, &verdict);
    if (j == DCI_JUDGE_MORE && !closed)
        return;
    c->evidence = dc_texts_add(e->texts, verdict.evidence);
    c->severe = verdict.severe;
    bool (*tls_next)(const uint8_t *, size_t) = c->probe->proto->dialogue.tls_next;
    if (verdict.state == DC_STATE_OK && tls_next && t->layer != &tls_layer && !e->stopping &&
        tls_next(reply, t->reply_len) && starttls(c, &verdict))
        return;
    if (verdict.state == DC_STATE_OK && c->probe->proto->dialogue.library && !e->stopping) {
        dci_conn_unlink(c);
        c->stage = CONN_IN_LIBRARY;
        t->lib = dci_library_start(c, &verdict, library_finished);
        if (t->lib) {
            /* out of the deadline list: the step keeps to what is left of the deadline */
            dci_queue_insert_tail(&e->dialogue->in_library, &c->node);
            return;
        }
    }
    dci_conn_finish(c, verdict.state, verdict.detail[0] ? verdict.detail : "no verdict from probe");
}

/* The probe's first words: its destination, port and secret. */
static void say_hello(struct conn *c)
{
    if (!c->probe->proto->dialogue.hello)
        return;
    const struct dc_secret *secret = dc_engine_secret(&c->engine->opts, c->probe->proto->secret);
    const struct dci_probe_ctx ctx = {.host = c->dest->address,
                                      .port = c->engine->plan->tasks[c->task].port,
                                      .secret = secret ? secret->text : NULL};
    struct talk *t = talk_of(c);
    size_t n = c->probe->proto->dialogue.hello(&ctx, t->hello, sizeof t->hello);
    int rc = n > 0 ? t->layer->send(c, t->hello, n) : 0;
    if (rc < 0) {
        char detail[128];
        snprintf(detail, sizeof detail, "local failure after connect: %s", uv_strerror(rc));
        dci_conn_finish(c, DC_STATE_ERROR, detail);
    }
}

/* ---- a peer that waits for the client's TLS first (tls_if_silent_ms) ---- */
static void silent_off(struct engine *e, struct talk *t)
{
    if (dci_queue_empty(&t->silent_node))
        return;
    dci_queue_remove(&t->silent_node);
    dci_queue_init(&t->silent_node);
    if (dci_queue_empty(&e->dialogue->silent)) /* the timer keeps the loop for nothing else */
        uv_timer_stop(&e->dialogue->silent_timer);
}

/* Still silent when due: the TLS handshake on the same connection (tls_step reads the
 * certificate, then judges what comes through TLS; no TLS either is judged as the silence). */
static void on_silent(uv_timer_t *timer)
{
    struct engine *e = timer->data;
    struct dci_queue *q = &e->dialogue->silent;
    uint64_t now = uv_hrtime();
    while (!dci_queue_empty(q)) {
        struct talk *t = DCI_QUEUE_DATA(q->next, struct talk, silent_node);
        if (t->silent_due_ns > now) { /* the soonest due first */
            uv_timer_start(timer, on_silent, (t->silent_due_ns - now) / 1000000 + 1, 0);
            return;
        }
        silent_off(e, t);
        struct conn *c = t->conn;
        if (!over(c) && c->stage == CONN_TALKING && t->reply_len == 0) {
            t->tls_first = true;
            if (!to_tls(c))
                received(c, true);
        }
    }
}

/* A connection of a protocol whose peer may wait for TLS: due after its silence, which
 * counts two round trips more (a greeting on a slow link is not a silence). */
static void silent_on(struct conn *c, unsigned ms)
{
    struct engine *e = c->engine;
    struct dci_dialogue_state *d = e->dialogue;
    if (!d->silent_timer_ready) {
        uv_timer_init(&e->loop, &d->silent_timer);
        d->silent_timer.data = e;
        d->silent_timer_ready = true;
    }
    ms += c->latency_ms > 0 ? (unsigned)(2 * c->latency_ms) : 0;
    struct talk *t = talk_of(c);
    t->silent_due_ns = uv_hrtime() + (uint64_t)ms * 1000000u;
    struct dci_queue *after = d->silent.prev; /* in due order */
    while (after != &d->silent &&
           DCI_QUEUE_DATA(after, struct talk, silent_node)->silent_due_ns > t->silent_due_ns)
        after = after->prev;
    dci_queue_insert_tail(after->next, &t->silent_node);
    if (d->silent.next == &t->silent_node) /* the first due: the timer is for it */
        uv_timer_start(&d->silent_timer, on_silent, ms, 0);
}

/* ---- plain: the reply is read straight into its buffer ---- */

static void plain_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = handle->data;
    struct talk *t = talk_of(c);
    (void)suggested;
    reply_ready(c); /* without memory the buffer stays as it is: a full one ends the reply */
    size_t room = t->reply_cap > t->reply_len ? t->reply_cap - t->reply_len : 0;
    *buf = uv_buf_init((char *)t->reply + t->reply_len, (unsigned)room);
}

static void plain_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = stream->data;
    (void)buf;
    if (over(c))
        return;
    if (nread > 0) {
        struct talk *t = talk_of(c);
        silent_off(c->engine, t);
        t->reply_len += (size_t)nread;
        received(c, t->reply_len >= t->reply_cap); /* a full buffer is all it will ever see */
    } else if (nread < 0) {
        received(c, true); /* EOF, reset, or UV_ENOBUFS when the buffer could not grow */
    }
}

static void plain_written(uv_write_t *req, int status)
{
    struct conn *c = req->data;
    if (status < 0 && !over(c))
        received(c, true);
}

static bool plain_begin(struct conn *c)
{
    return uv_read_start((uv_stream_t *)&c->tcp, plain_alloc, plain_read) == 0;
}

static int plain_send(struct conn *c, const uint8_t *data, size_t len)
{
    struct talk *t = talk_of(c);
    uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
    t->write_req.data = c;
    return uv_write(&t->write_req, (uv_stream_t *)&c->tcp, &buf, 1, plain_written);
}

static const struct dci_dialogue_layer plain_layer = {.begin = plain_begin, .send = plain_send};

/* ---- TLS: ciphertext through OpenSSL, plaintext into the reply buffer ---- */

/* TLS reads land here first. One per thread: a read callback follows its alloc callback on
 * the same thread. */
static _Thread_local uint8_t cipher_in[16384];

struct outbuf {
    uv_write_t req;
    size_t len;
    uint8_t data[];
};

static void cipher_written(uv_write_t *req, int status)
{
    struct outbuf *o = (struct outbuf *)req;
    struct conn *c = req->data;
    free(o);
    if (status < 0 && !over(c))
        tls_failed(c, "the peer closed during the TLS exchange");
}

/* Sends whatever ciphertext OpenSSL has queued; each write owns its buffer. */
static void tls_flush(struct conn *c)
{
    for (;;) {
        struct outbuf *o = malloc(sizeof *o + 16384);
        if (!o)
            return;
        o->len = dci_tls_take(talk_of(c)->tls, o->data, 16384);
        if (o->len == 0) {
            free(o);
            return;
        }
        o->req.data = c;
        uv_buf_t buf = uv_buf_init((char *)o->data, (unsigned)o->len);
        if (uv_write(&o->req, (uv_stream_t *)&c->tcp, &buf, 1, cipher_written) != 0) {
            free(o);
            return;
        }
    }
}

/* The peer's certificate, kept for the result; false when the probe's client would refuse it
 * (then the probe has finished: nothing is sent over the connection). */
static bool certificate_accepted(struct conn *c)
{
    struct engine *e = c->engine;
    struct dc_cert cert;
    char why[256];
    c->tls = dci_cert_take(e, dci_tls_ssl(talk_of(c)->tls), c->dest->address, &cert);
    if (!c->tls) {
        if (e->opts.tls_insecure)
            return true;
        dci_conn_finish(c, DC_STATE_TLS, "the peer sent no certificate");
        return false;
    }
    if (dci_cert_accept(&cert, e->opts.tls_insecure, why, sizeof why))
        return true;
    dci_conn_finish(c, DC_STATE_TLS, why);
    return false;
}

/* The handshake after a greeting has ended: the greeting's verdict, with the certificate;
 * its trust not judged (the peer's clients trust what they were given: BrokerGateway's NATS
 * its own CA), its dates judged with the result. */
static void upgrade_done(struct conn *c, const char *failed)
{
    struct engine *e = c->engine;
    struct talk *t = talk_of(c);
    char evidence[320];
    if (failed) {
        snprintf(evidence, sizeof evidence, "%s; its TLS handshake failed, no certificate read: %s",
                 c->evidence ? c->evidence : "", failed);
    } else {
        struct dc_cert cert;
        c->tls = dci_cert_take(e, dci_tls_ssl(t->tls), c->dest->address, &cert);
        char tls[sizeof((struct dc_finding *)0)->evidence];
        dci_tls_describe(t->tls, tls, sizeof tls);
        snprintf(evidence, sizeof evidence, "%s; %s", c->evidence ? c->evidence : "", tls);
    }
    c->evidence = dc_texts_add(e->texts, evidence);
    dci_conn_finish(c, t->greeting_state, t->greeting_detail);
}

/* The TLS exchange failed: the probe's result, or, after a greeting, the greeting's. */
static void tls_failed(struct conn *c, const char *why)
{
    if (talk_of(c)->upgraded)
        upgrade_done(c, why);
    else if (talk_of(c)->tls_first) /* no TLS either: judged as the silence it was */
        received(c, true);
    else
        dci_conn_finish(c, DC_STATE_TLS, why);
}

/* The handshake; once done, the hello; then the plaintext reply as it comes. */
static void tls_step(struct conn *c)
{
    struct talk *t = talk_of(c);
    if (c->stage == CONN_HANDSHAKING) {
        char err[160];
        int rc = dci_tls_handshake(t->tls, err, sizeof err);
        tls_flush(c);
        if (rc < 0) {
            tls_failed(c, err);
            return;
        }
        if (rc == 0)
            return;
        c->stage = CONN_TALKING;
        if (t->upgraded) {
            upgrade_done(c, NULL);
            return;
        }
        char evidence[sizeof((struct dc_finding *)0)->evidence];
        dci_tls_describe(t->tls, evidence, sizeof evidence);
        c->evidence = dc_texts_add(c->engine->texts, evidence);
        struct dc_cert cert; /* TLS first: its trust shown, not judged (no client of ours) */
        if (t->tls_first)
            c->tls = dci_cert_take(c->engine, dci_tls_ssl(t->tls), c->dest->address, &cert);
        else if (!certificate_accepted(c))
            return;
        if (!c->probe->proto->dialogue.judge) {
            dci_conn_finish(c, DC_STATE_OK, "TLS handshake completed");
            return;
        }
        say_hello(c);
    }
    ssize_t got;
    while (c->stage == CONN_TALKING && t->reply_len < t->reply_cap &&
           (got = dci_tls_read(t->tls, t->reply + t->reply_len, t->reply_cap - t->reply_len)) !=
               0) {
        if (got < 0) {
            received(c, true);
            return;
        }
        t->reply_len += (size_t)got;
        received(c, t->reply_len >= t->reply_cap);
    }
}

static void tls_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    (void)suggested;
    *buf = uv_buf_init((char *)cipher_in, sizeof cipher_in);
}

static void tls_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = stream->data;
    (void)buf;
    if (over(c))
        return;
    if (nread > 0 && dci_tls_feed(talk_of(c)->tls, cipher_in, (size_t)nread) == 0)
        tls_step(c);
    else if (nread < 0 && c->stage == CONN_HANDSHAKING)
        tls_failed(c, "the peer closed during the TLS handshake: not TLS?");
    else if (nread < 0)
        received(c, true);
}

static bool tls_begin(struct conn *c)
{
    struct engine *e = c->engine;
    SSL_CTX *ctx = dci_engine_tls_ctx(e);
    if (!ctx || !reply_ready(c) ||
        dci_tls_new(ctx, c->dest->address, c->probe->alpn, &talk_of(c)->tls) ||
        uv_read_start((uv_stream_t *)&c->tcp, tls_alloc, tls_read) != 0)
        return false;
    c->stage = CONN_HANDSHAKING;
    tls_step(c); /* sends the ClientHello */
    return true;
}

/* The greeting asked for TLS next; false when it cannot be (the greeting's verdict stands). */
static bool starttls(struct conn *c, const struct dc_finding *greeting)
{
    struct talk *t = talk_of(c);
    t->upgraded = true;
    t->greeting_state = greeting->state;
    snprintf(t->greeting_detail, sizeof t->greeting_detail, "%s", greeting->detail);
    t->reply_len = 0;
    if (to_tls(c))
        return true;
    t->upgraded = false; /* the caller settles with the greeting */
    return false;
}

/* The connection goes on through the TLS layer from now on. */
static bool to_tls(struct conn *c)
{
    uv_read_stop((uv_stream_t *)&c->tcp);
    talk_of(c)->layer = &tls_layer;
    return tls_begin(c);
}

static int tls_send(struct conn *c, const uint8_t *data, size_t len)
{
    if (dci_tls_write(talk_of(c)->tls, data, len) == 0)
        tls_flush(c);
    return 0; /* a write OpenSSL refused shows as the peer's silence */
}

static const struct dci_dialogue_layer tls_layer = {.begin = tls_begin, .send = tls_send};

/* ---- the driver ---- */

/* A talk for c, from the free list (its reply buffer kept) or new; NULL without memory. */
static struct talk *talk_new(struct engine *e)
{
    struct dci_dialogue_state *d = e->dialogue;
    struct talk *t;
    if (!dci_queue_empty(&d->free_talks)) {
        t = DCI_QUEUE_DATA(d->free_talks.next, struct talk, node);
        dci_queue_remove(&t->node);
        uint8_t *reply = t->reply;
        size_t cap = t->reply_cap;
        *t = (struct talk){.reply = reply, .reply_cap = cap};
    } else {
        t = calloc(1, sizeof *t);
    }
    if (t) {
        dci_queue_init(&t->node);
        dci_queue_init(&t->silent_node);
    }
    return t;
}

static void on_connected(struct conn *c)
{
    if (!c->probe->tls && !c->probe->proto->dialogue.judge) {
        dci_tcp_reset_on_close(&c->tcp);
        dci_conn_finish(c, DC_STATE_OK, "connected");
        return;
    }
    struct talk *t = talk_new(c->engine);
    if (!t) {
        dci_conn_finish(c, DC_STATE_ERROR, "local failure after connect: out of memory");
        return;
    }
    c->ctx = t;
    t->layer = c->probe->tls ? &tls_layer : &plain_layer;
    if (!t->layer->begin(c)) {
        dci_conn_finish(c, DC_STATE_ERROR,
                        c->probe->tls ? "local failure: cannot start TLS"
                                      : "local failure after connect: cannot read");
        return;
    }
    t->conn = c;
    if (t->layer == &plain_layer)
        say_hello(c); /* TLS says it once the handshake is done */
    unsigned silent_ms = c->probe->proto->dialogue.tls_if_silent_ms;
    if (t->layer == &plain_layer && silent_ms && !over(c))
        silent_on(c, silent_ms);
}

static void on_expired(struct conn *c)
{
    char detail[160];
    if (c->stage == CONN_HANDSHAKING) {
        dci_engine_silence(c->engine, DCI_SILENT_TLS, detail, sizeof detail);
        tls_failed(c, detail);
        return;
    }
    received(c, true);
}

static void on_released(struct conn *c)
{
    struct talk *t = talk_of(c);
    if (!t)
        return;
    silent_off(c->engine, t);
    dci_tls_free(t->tls);
    t->tls = NULL;
    c->ctx = NULL;
    dci_queue_insert_tail(&c->engine->dialogue->free_talks, &t->node);
}

static const struct dci_socket_user dialogue_user = {
    .connected = on_connected, .expired = on_expired, .released = on_released};

static int dialogue_init(struct engine *e)
{
    struct dci_dialogue_state *d = calloc(1, sizeof *d);
    if (!d)
        return DC_ENOMEM;
    dci_queue_init(&d->in_library);
    dci_queue_init(&d->free_talks);
    dci_queue_init(&d->silent);
    e->dialogue = d;
    return 0;
}

static void dialogue_start(struct engine *e, struct dest *dest, uint32_t task)
{
    dci_connect_start(e, dest, task, &dialogue_user);
}

static void dialogue_abort_all(struct engine *e)
{
    struct dci_queue *head = &e->dialogue->in_library;
    for (struct dci_queue *q = head->next; q != head; q = q->next) {
        struct conn *c = DCI_QUEUE_DATA(q, struct conn, node);
        dci_library_cancel(talk_of(c)->lib); /* if not started yet */
    }
    dci_connect_abort_all(e, &dialogue_user);
}

static void dialogue_release(struct engine *e)
{
    struct dci_dialogue_state *d = e->dialogue;
    if (!d)
        return;
    while (!dci_queue_empty(&d->free_talks)) {
        struct talk *t = DCI_QUEUE_DATA(d->free_talks.next, struct talk, node);
        dci_queue_remove(&t->node);
        free(t->reply);
        free(t);
    }
    free(d);
    e->dialogue = NULL;
}

static void dialogue_close(struct engine *e)
{
    if (e->dialogue->silent_timer_ready)
        uv_close((uv_handle_t *)&e->dialogue->silent_timer, NULL);
}

const struct dci_driver dci_driver_dialogue = {.init = dialogue_init,
                                               .start = dialogue_start,
                                               .abort_all = dialogue_abort_all,
                                               .close = dialogue_close,
                                               .release = dialogue_release};
