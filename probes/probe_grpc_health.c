/* probes/probe_grpc_health.c — the standard gRPC health-checking service
 * (grpc.health.v1.Health/Check, grpc/grpc doc/health-checking.md): a unary call with an
 * empty HealthCheckRequest (service "": the server as a whole). The answer is a
 * length-prefixed message (PROTOCOL-HTTP2.md: 1 byte compressed flag, 4 bytes length) holding
 * HealthCheckResponse { ServingStatus status = 1; } — 1 SERVING, 2 NOT_SERVING,
 * 3 SERVICE_UNKNOWN; grpc-status 12 (UNIMPLEMENTED) means no health service.
 *
 * HTTP/2 is spoken with nghttp2 on the dialogue driver's socket, not through libcurl: the
 * whole request (preface, SETTINGS, HEADERS, DATA with END_STREAM) leaves in one write, so a
 * server that answers before it has read the request (a trailers-only UNIMPLEMENTED, then
 * RST_STREAM(NO_ERROR): RFC 9113 section 8.1) cannot lose the answer; libcurl 7.88 dropped it
 * in about half the runs. The judge replays the exchange into a fresh nghttp2 session each
 * time it is called: HPACK's dynamic table needs every header block from the first. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* an uncompressed, empty message: flag 0, length 0 */
static const uint8_t empty_request[5] = {0, 0, 0, 0, 0};

/* What the call's stream carried. */
struct call {
    long status;
    char content_type[64];
    char grpc_status[8];
    char grpc_message[96];
    char body[64];
    size_t body_len;
    bool closed;         /* the stream ended (END_STREAM or RST_STREAM) */
    uint32_t reset_code; /* the RST_STREAM error code, when it was reset */
    bool headers;        /* a response HEADERS arrived */
};

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
    (void)s, (void)flags;
    struct call *call = ud;
    if (frame->hd.stream_id != 1)
        return 0;
    char v[128];
    dci_printable(value, valuelen, sizeof v - 1, v, sizeof v);
    call->headers = true;
    if (namelen == 7 && memcmp(name, ":status", 7) == 0)
        call->status = strtol(v, NULL, 10);
    else if (namelen == 12 && memcmp(name, "content-type", 12) == 0)
        snprintf(call->content_type, sizeof call->content_type, "%s", v);
    else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0)
        snprintf(call->grpc_status, sizeof call->grpc_status, "%s", v);
    else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0)
        snprintf(call->grpc_message, sizeof call->grpc_message, "%s", v);
    return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream, const uint8_t *data,
                   size_t len, void *ud)
{
    (void)s, (void)flags;
    struct call *call = ud;
    size_t room = sizeof call->body - call->body_len;
    if (stream == 1 && room) {
        memcpy(call->body + call->body_len, data, len < room ? len : room);
        call->body_len += len < room ? len : room;
    }
    return 0;
}

static int on_close(nghttp2_session *s, int32_t stream, uint32_t error, void *ud)
{
    (void)s;
    struct call *call = ud;
    if (stream == 1) {
        call->closed = true;
        call->reset_code = error;
    }
    return 0;
}

static ssize_t read_request(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t len,
                            uint32_t *flags, nghttp2_data_source *src, void *ud)
{
    (void)s, (void)stream, (void)src, (void)ud;
    size_t n = sizeof empty_request < len ? sizeof empty_request : len;
    memcpy(buf, empty_request, n);
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

#define HEADER(n, v)                                                                               \
    {                                                                                              \
        (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE             \
    }

/* A client session with the call submitted (stream 1); its output is the request's bytes. */
static nghttp2_session *call_session(const char *authority, bool tls, struct call *call)
{
    nghttp2_session_callbacks *cb;
    if (nghttp2_session_callbacks_new(&cb) != 0)
        return NULL;
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
    nghttp2_session *s = NULL;
    int rc = nghttp2_session_client_new(&s, cb, call);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0)
        return NULL;
    nghttp2_settings_entry no_push = {NGHTTP2_SETTINGS_ENABLE_PUSH, 0};
    const nghttp2_nv nva[] = {
        HEADER(":method", "POST"),
        HEADER(":scheme", tls ? "https" : "http"),
        HEADER(":path", "/grpc.health.v1.Health/Check"),
        HEADER(":authority", authority),
        HEADER("content-type", "application/grpc"),
        HEADER("te", "trailers"),
        HEADER("user-agent", "dmsconn"),
    };
    nghttp2_data_provider body = {.read_callback = read_request};
    if (nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, &no_push, 1) != 0 ||
        nghttp2_submit_request(s, NULL, nva, sizeof nva / sizeof nva[0], &body, NULL) != 1) {
        nghttp2_session_del(s);
        return NULL;
    }
    return s;
}

/* The session's pending output, appended to buf (or dropped when buf is NULL); the length
 * written, or 0 when it does not fit. */
static size_t drain(nghttp2_session *s, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    const uint8_t *data;
    ssize_t len;
    while ((len = nghttp2_session_mem_send(s, &data)) > 0) {
        if (buf && n + (size_t)len > cap)
            return 0;
        if (buf)
            memcpy(buf + n, data, (size_t)len);
        n += (size_t)len;
    }
    return len < 0 ? 0 : n;
}

static void authority_of(const struct dci_probe_ctx *ctx, char *buf, size_t cap)
{
    bool v6 = strchr(ctx->host, ':') != NULL;
    snprintf(buf, cap, "%s%s%s:%u", v6 ? "[" : "", ctx->host, v6 ? "]" : "", ctx->port);
}

static size_t hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap, bool tls)
{
    char authority[80];
    authority_of(ctx, authority, sizeof authority);
    struct call call = {0};
    nghttp2_session *s = call_session(authority, tls, &call);
    if (!s)
        return 0;
    size_t n = drain(s, buf, cap);
    nghttp2_session_del(s);
    return n;
}

static size_t clear_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    return hello(ctx, buf, cap, false);
}

static size_t tls_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    return hello(ctx, buf, cap, true);
}

static const char *status_name(unsigned long s)
{
    static const char *const names[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    return s < 4 ? names[s] : "?";
}

/* The finished call: its status, framing and message. */
static void judge_call(const struct call *call, struct dc_finding *out)
{
    if (!call->grpc_status[0] || strncmp(call->content_type, "application/grpc", 16) != 0) {
        out->state = DC_STATE_WRONG_SERVICE;
        if (call->headers)
            snprintf(out->detail, sizeof out->detail,
                     "HTTP/2 %ld without gRPC framing (content-type \"%s\"): not gRPC",
                     call->status, call->content_type);
        else
            snprintf(out->detail, sizeof out->detail,
                     "an HTTP/2 server reset the call (error code %u) without answering it: "
                     "not gRPC",
                     call->reset_code);
        return;
    }
    long grpc_status = strtol(call->grpc_status, NULL, 10);
    if (grpc_status == 12) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail,
                 "gRPC answers; it has no health service (UNIMPLEMENTED)");
        return;
    }
    const uint8_t *b = (const uint8_t *)call->body;
    /* prefix, then field 1 (tag 0x08) as a one-byte varint */
    if (grpc_status != 0 || call->body_len < 7 || b[0] != 0 ||
        dci_be32(b + 1) + 5 > call->body_len || b[5] != 0x08 || b[6] > 0x7f) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail, "health check failed: grpc-status %ld%s%s",
                 grpc_status, call->grpc_message[0] ? ": " : "", call->grpc_message);
        return;
    }
    unsigned long s = b[6];
    out->state = s == 1 ? DC_STATE_OK : DC_STATE_DEGRADED;
    snprintf(out->detail, sizeof out->detail, "gRPC health: %s", status_name(s));
}

/* The server's bytes so far, replayed into a session that sent the call (the authority
 * does not matter for reading). */
static enum dci_judgement judge(const uint8_t *reply, size_t len, bool closed, bool tls,
                                struct dc_finding *out)
{
    /* RFC 9113 section 3.4: the server's first frame is a SETTINGS frame (type 4, not an
     * ACK, its length a multiple of 6). Anything else is no HTTP/2 server; nghttp2 would
     * skip an unknown frame type ("HTTP/1.1 400" reads as one of 4.7 MB) and wait. */
    if (len >= 5 && (reply[3] != 0x04 || (reply[4] & 0x01) ||
                     ((unsigned)reply[0] << 16 | (unsigned)reply[1] << 8 | reply[2]) % 6)) {
        dci_judge_wrong(reply, len, "gRPC (HTTP/2)", out);
        return DCI_JUDGE_DONE;
    }
    struct call call = {0};
    nghttp2_session *s = call_session("dmsconn", tls, &call);
    if (!s || !drain(s, NULL, 0)) {
        nghttp2_session_del(s);
        out->state = DC_STATE_ERROR;
        snprintf(out->detail, sizeof out->detail, "local failure: cannot make an HTTP/2 session");
        return DCI_JUDGE_DONE;
    }
    ssize_t used = len ? nghttp2_session_mem_recv(s, reply, len) : 0;
    /* a connection error (a broken header block, a frame where none may be): the session
     * queues its GOAWAY and, once that is out, wants to read nothing more */
    drain(s, NULL, 0);
    bool broken = used >= 0 && len && !nghttp2_session_want_read(s);
    nghttp2_session_del(s);
    if (used < 0) { /* not HTTP/2 from the first byte, or a broken frame */
        if (call.headers && call.closed) {
            judge_call(&call, out);
            return DCI_JUDGE_DONE;
        }
        dci_judge_wrong(reply, len, "gRPC (HTTP/2)", out);
        return DCI_JUDGE_DONE;
    }
    if (call.closed) {
        judge_call(&call, out);
        return DCI_JUDGE_DONE;
    }
    if (broken) {
        out->state = DC_STATE_WRONG_SERVICE;
        snprintf(out->detail, sizeof out->detail,
                 "the peer broke the HTTP/2 connection (a protocol error): not a gRPC server");
        return DCI_JUDGE_DONE;
    }
    if (!closed)
        return DCI_JUDGE_MORE;
    if (len == 0) {
        out->state = DC_STATE_WRONG_SERVICE;
        snprintf(out->detail, sizeof out->detail, "connected, but no HTTP/2 answer");
    } else {
        out->state = DC_STATE_WRONG_SERVICE;
        snprintf(out->detail, sizeof out->detail,
                 "HTTP/2 answers, but the gRPC call never completed%s",
                 call.headers ? " (headers without the end of the stream)" : "");
    }
    return DCI_JUDGE_DONE;
}

static enum dci_judgement clear_judge(const uint8_t *reply, size_t len, bool closed,
                                      struct dc_finding *out)
{
    return judge(reply, len, closed, false, out);
}

static enum dci_judgement tls_judge(const uint8_t *reply, size_t len, bool closed,
                                    struct dc_finding *out)
{
    return judge(reply, len, closed, true, out);
}

/* RFC 9113 frames a gRPC server without the health service sends: its SETTINGS, then a
 * trailers-only HEADERS (END_STREAM | END_HEADERS, stream 1; HPACK, RFC 7541: ":status 200"
 * indexed (8), content-type literal with indexed name (31), grpc-status literal, new name).
 * An HTTP/1.1 server's answer is not HTTP/2. */
static const char *health_selftest(void)
{
    static const uint8_t trailers_only[] = {
        0,    0,    0,   0x04, 0,    0,   0,   0,   0, /* SETTINGS, empty */
        0,    0,    36,  0x01, 0x05, 0,   0,   0,   1, /* HEADERS, 36 bytes */
        0x88,                                          /* :status 200 */
        0x0f, 0x10, 16,  'a',  'p',  'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 'g',
        'r',  'p',  'c', /* content-type */
        0x00, 11,   'g', 'r',  'p',  'c', '-', 's', 't', 'a', 't', 'u', 's', 2,   '1', '2'};
    static const char http1[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    const struct dci_selftest_case cases[] = {
        {trailers_only, sizeof trailers_only, DC_STATE_OK, "no health service"},
        {http1, sizeof http1 - 1, DC_STATE_WRONG_SERVICE, "HTTP/1.1 400"},
    };
    return dci_selftest_dialogue(&dci_probe_grpc_health, cases, DCI_SELFTEST_N(cases));
}

static const struct dci_protocol grpc_health_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = clear_hello, .judge = clear_judge},
    .selftest = health_selftest,
    .max_reply = 16384,
};

static const struct dci_protocol grpc_health_tls_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = tls_hello, .judge = tls_judge},
    .selftest = health_selftest,
    .max_reply = 16384,
};

const struct dc_probe_ops dci_probe_grpc_health = {
    .family = DC_FAMILY_SLNET,
    .name = "grpc-health",
    .summary = "gRPC health service (grpc.health.v1.Health/Check) over h2c",
    .transport = DC_TRANSPORT_TCP,
    .proto = &grpc_health_protocol,
};

const struct dc_probe_ops dci_probe_grpc_health_tls = {
    .family = DC_FAMILY_SLNET,
    .name = "grpc-health-tls",
    .summary = "gRPC health service over TLS (HTTP/2 by ALPN)",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .alpn = "h2",
    .proto = &grpc_health_tls_protocol,
};
