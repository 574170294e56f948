/* The demo's services: each listener answers like the service it stands for (NATS greets
 * with INFO, SLNet Remoting names itself in its Server header, Cassandra answers OPTIONS
 * with SUPPORTED, the OpenSearch transport echoes its ping, Telnet negotiates), so the
 * demo shows the protocol probes at work. One libuv loop on a thread of its own serves them
 * all; every connection is bounded by a timer, and the stop is an async wake-up. */
#include "cli_demo_services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTENERS 64
#define SESSION_MS 2000 /* a probe that neither speaks nor closes is let go after this */

struct listener {
    uv_tcp_t tcp;
    enum demo_kind kind;
    struct demo_services *ds;
};

struct demo_services {
    uv_loop_t loop;
    uv_async_t stop;
    uv_thread_t thread;
    struct listener listeners[MAX_LISTENERS];
    size_t n;
};

/* One connection: what came in so far, and whether the answer has gone out. */
struct session {
    uv_tcp_t tcp;
    uv_timer_t timer;
    enum demo_kind kind;
    char in[2048];
    size_t len;
    bool answered;
    int open_handles;
};

struct outgoing {
    uv_write_t req;
    size_t len;
    char data[];
};

static void on_session_closed(uv_handle_t *h)
{
    struct session *s = h->data;
    if (--s->open_handles == 0)
        free(s);
}

static void end_session(struct session *s)
{
    if (uv_is_closing((uv_handle_t *)&s->tcp))
        return;
    uv_close((uv_handle_t *)&s->timer, on_session_closed);
    uv_close((uv_handle_t *)&s->tcp, on_session_closed);
}

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

static void reply(struct session *s, const void *data, size_t len)
{
    struct outgoing *o = malloc(sizeof *o + len);
    if (!o)
        return;
    memcpy(o->data, data, len);
    o->len = len;
    uv_buf_t buf = uv_buf_init(o->data, (unsigned)len);
    if (uv_write(&o->req, (uv_stream_t *)&s->tcp, &buf, 1, on_written) != 0)
        free(o);
    s->answered = true;
}

/* Answers one HTTP request by its path, as the kind's service would. */
static void serve_http(struct session *s)
{
    const char *path = strchr(s->in, ' ');
    path = path ? path + 1 : "";
    const char *body = "{}";
    int status = 404;
    if (s->kind == DEMO_NAS && strncmp(path, "/jwt/v1/accounts/ ", 18) == 0) {
        status = 200;
        body = "[]";
    } else if (s->kind == DEMO_OPENSEARCH && strncmp(path, "/ ", 2) == 0) {
        status = 200;
        body = "{\"cluster_name\":\"demo-search\",\"version\":{\"distribution\":"
               "\"opensearch\",\"number\":\"2.11.1\"}}";
    } else if (s->kind == DEMO_OPENSEARCH && strncmp(path, "/_cluster/health ", 17) == 0) {
        status = 200;
        body = "{\"status\":\"green\"}";
    } else if (s->kind == DEMO_WEB) {
        body = "";
    }
    /* the NATS Account Server is Go's net/http: no Server header */
    char server[40] = "";
    if (s->kind != DEMO_NAS)
        snprintf(server, sizeof server, "Server: %s\r\n",
                 s->kind == DEMO_WEB ? "nginx/1.22.1" : "demo");
    char answer[512];
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 %d %s\r\n%sContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status, status == 200 ? "OK" : "Not Found", server, strlen(body), body);
    reply(s, answer, (size_t)n);
}

static bool http_kind(enum demo_kind kind)
{
    return kind == DEMO_WEB || kind == DEMO_NAS || kind == DEMO_OPENSEARCH;
}

/* Bytes a kind waits for before it answers (0: it speaks first, or never). */
static size_t wants(enum demo_kind kind)
{
    switch (kind) {
    case DEMO_REMOTING: return 1;
    case DEMO_CQL: return 9; /* a frame header */
    case DEMO_TRANSPORT: return 6;
    default: return 0;
    }
}

static void answer(struct session *s)
{
    static const char remoting[] = "HTTP/1.1 400 Bad Request\r\n"
                                   "Server: MS .NET Remoting, MS .NET CLR 4.0.30319.42000\r\n"
                                   "Content-Length: 0\r\n\r\n";
    /* SUPPORTED: {CQL_VERSION: [3.4.5]} (native_protocol_v4.spec 4.2.4) */
    static const unsigned char supported[] = {
        0x84, 0,   0,   0,   0x06, 0,   0,   0, 0x18, 0, 1, 0,   11,  'C', 'Q', 'L', '_',
        'V',  'E', 'R', 'S', 'I',  'O', 'N', 0, 1,    0, 5, '3', '.', '4', '.', '5'};
    static const unsigned char ping[] = {'E', 'S', 0xff, 0xff, 0xff, 0xff};
    switch (s->kind) {
    case DEMO_REMOTING: reply(s, remoting, sizeof remoting - 1); break;
    case DEMO_CQL: reply(s, supported, sizeof supported); break;
    case DEMO_TRANSPORT: reply(s, ping, sizeof ping); break;
    default: serve_http(s); break;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct session *s = h->data;
    (void)suggested;
    size_t room = sizeof s->in - 1 - s->len;
    static char discard[1024]; /* once full (or answered), the rest is read and dropped */
    *buf = room && !s->answered ? uv_buf_init(s->in + s->len, (unsigned)room)
                                : uv_buf_init(discard, sizeof discard);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct session *s = stream->data;
    if (nread < 0) {
        end_session(s); /* the probe closed (or reset): until then the service stays */
        return;
    }
    if (s->answered || buf->base != s->in + s->len)
        return;
    s->len += (size_t)nread;
    s->in[s->len] = '\0';
    bool ready = http_kind(s->kind) ? strstr(s->in, "\r\n\r\n") != NULL
                                    : wants(s->kind) && s->len >= wants(s->kind);
    if (ready)
        answer(s);
}

static void on_timeout(uv_timer_t *t)
{
    end_session(t->data);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct listener *l = server->data;
    if (status < 0)
        return;
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return;
    s->kind = l->kind;
    uv_tcp_init(server->loop, &s->tcp);
    uv_timer_init(server->loop, &s->timer);
    s->tcp.data = s->timer.data = s;
    s->open_handles = 2;
    if (uv_accept(server, (uv_stream_t *)&s->tcp) != 0 ||
        uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read) != 0) {
        end_session(s);
        return;
    }
    uv_timer_start(&s->timer, on_timeout, SESSION_MS, 0);
    static const char info[] = "INFO {\"server_id\":\"DEMO\",\"server_name\":\"demo\","
                               "\"version\":\"2.10.0\",\"cluster\":\"demo\"}\r\n";
    static const unsigned char iac[] = {0xff, 0xfd, 0x18, 0xff, 0xfb, 0x01};
    if (s->kind == DEMO_NATS)
        reply(s, info, sizeof info - 1);
    else if (s->kind == DEMO_TELNET)
        reply(s, iac, sizeof iac);
}

/* Closes everything on the loop: the listeners and the async as they are, each session
 * (its socket or its timer, whichever the walk meets first) through end_session. */
static void close_any(uv_handle_t *h, void *arg)
{
    struct demo_services *ds = arg;
    if (uv_is_closing(h))
        return;
    bool listener = h->data >= (void *)ds->listeners && h->data < (void *)(ds->listeners + ds->n);
    if (h == (uv_handle_t *)&ds->stop || listener)
        uv_close(h, NULL);
    else
        end_session(h->data);
}

static void on_stop(uv_async_t *a)
{
    uv_walk(a->loop, close_any, a->data);
}

static void run_loop(void *arg)
{
    struct demo_services *ds = arg;
    uv_run(&ds->loop, UV_RUN_DEFAULT);
}

int demo_services_start(const uv_os_sock_t *socks, const enum demo_kind *kinds, size_t n,
                        struct demo_services **out)
{
    struct demo_services *ds = calloc(1, sizeof *ds);
    if (!ds || n > MAX_LISTENERS || uv_loop_init(&ds->loop) != 0) {
        free(ds);
        return -1;
    }
    bool ok = uv_async_init(&ds->loop, &ds->stop, on_stop) == 0;
    ds->stop.data = ds;
    for (size_t i = 0; ok && i < n; i++) {
        struct listener *l = &ds->listeners[ds->n];
        l->kind = kinds[i];
        l->ds = ds;
        uv_tcp_init(&ds->loop, &l->tcp);
        l->tcp.data = l;
        ds->n++;
        ok = uv_tcp_open(&l->tcp, socks[i]) == 0 &&
             uv_listen((uv_stream_t *)&l->tcp, 64, on_connection) == 0;
    }
    if (!ok || uv_thread_create(&ds->thread, run_loop, ds) != 0) {
        uv_walk(&ds->loop, close_any, ds);
        uv_run(&ds->loop, UV_RUN_DEFAULT);
        uv_loop_close(&ds->loop);
        free(ds);
        return -1;
    }
    *out = ds;
    return 0;
}

void demo_services_stop(struct demo_services *ds)
{
    if (!ds)
        return;
    uv_async_send(&ds->stop);
    uv_thread_join(&ds->thread);
    uv_loop_close(&ds->loop);
    free(ds);
}
