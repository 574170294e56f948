/* probes/probe_remoting.c — DataMiner's SLNet .NET Remoting (object URI SLNetService),
 * recognised by the protocol, not by one vendor's header. Remoting deserialises what it
 * receives (an attack surface), so no message content is ever sent: only an empty one.
 *
 * remoting (SLNet's HTTP channel): GET /SLNetService. Microsoft's channel answers with
 * "Server: MS .NET Remoting, MS .NET CLR ..." whatever the status; Mono's with its own
 * Server header and the serialized exception as an MS-NRBF stream, which starts with the
 * SerializationHeaderRecord (MS-NRBF 2.6.1: record type 0, root id, header id, major version
 * 1, minor version 0). A binary TCP channel answers the GET with a message frame of its own
 * (".NET" preamble, MS-NRTP 2.2.3.3).
 * remoting-tcp (a binary TCP channel): a request message frame with an empty content
 * (MS-NRTP 2.2.3.3.1: preamble ".NET", version 1.0, OperationType Request, ContentLength 0,
 * the RequestUri and ContentType headers, EndHeaders); the server answers with a reply frame
 * (OperationType Reply) carrying the exception the empty stream raised. Mono's TcpChannel
 * closes without a word on anything else, an HTTP GET included. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t remoting_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    bool v6 = strchr(ctx->host, ':') != NULL;
    int n = snprintf((char *)buf, cap,
                     "GET /SLNetService HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: dmsconn\r\n"
                     "Connection: close\r\n\r\n",
                     v6 ? "[" : "", ctx->host, v6 ? "]" : "", ctx->port);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* MS-NRTP 2.2.3.2.x CountedString: StringEncoding (1: UTF-8), Int32 length, the bytes. */
static size_t put_counted(uint8_t *p, const char *text)
{
    size_t n = strlen(text);
    p[0] = 1;
    p[1] = (uint8_t)n;
    p[2] = (uint8_t)(n >> 8);
    p[3] = p[4] = 0;
    memcpy(p + 5, text, n);
    return 5 + n;
}

static size_t put_u16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return 2;
}

static size_t nrtp_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    char uri[96];
    bool v6 = strchr(ctx->host, ':') != NULL;
    snprintf(uri, sizeof uri, "tcp://%s%s%s:%u/SLNetService", v6 ? "[" : "", ctx->host,
             v6 ? "]" : "", ctx->port);
    static const char content_type[] = "application/octet-stream";
    if (cap < 4 + 2 + 2 + 2 + 4 + 3 + 5 + strlen(uri) + 3 + 5 + strlen(content_type) + 2)
        return 0;
    size_t n = 0;
    memcpy(buf, ".NET\x01\x00", 6); /* ProtocolId, MajorVersion 1, MinorVersion 0 */
    n += 6;
    n += put_u16(buf + n, 0); /* OperationType: Request (2.2.3.1.1) */
    n += put_u16(buf + n, 0); /* ContentDistribution: NotChunked (2.2.3.1.2) */
    memset(buf + n, 0, 4);    /* ContentLength: 0, no content follows */
    n += 4;
    n += put_u16(buf + n, 4); /* RequestUriHeader (2.2.3.3.3.5) */
    buf[n++] = 1;             /* DataType: CountedString */
    n += put_counted(buf + n, uri);
    n += put_u16(buf + n, 6); /* ContentTypeHeader (2.2.3.3.3.7) */
    buf[n++] = 1;
    n += put_counted(buf + n, content_type);
    n += put_u16(buf + n, 0); /* EndHeaders */
    return n;
}

/* The value of a header ("Server:") in the head of an HTTP response, or NULL. */
static const char *header_value(const char *head, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, name, nlen) != 0)
            continue;
        const char *v = line + 2 + nlen;
        while (*v == ' ' || *v == '\t')
            v++;
        const char *end = strstr(v, "\r\n");
        *vlen = end ? (size_t)(end - v) : strlen(v);
        return v;
    }
    return NULL;
}

/* MS-NRBF 2.6.1: does the body start with a SerializationHeaderRecord of version 1.0? */
static bool nrbf_stream(const uint8_t *body, size_t len)
{
    static const uint8_t version[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    return len >= 17 && body[0] == 0 && memcmp(body + 9, version, sizeof version) == 0;
}

/* A message frame (MS-NRTP 2.2.3.3): ".NET", the version, the operation type. */
static enum dci_judgement frame_judge(const uint8_t *reply, size_t len, bool closed,
                                      struct dc_finding *out)
{
    if (len < 8 && !closed)
        return DCI_JUDGE_MORE;
    out->state = DC_STATE_OK;
    if (len < 8) {
        snprintf(out->detail, sizeof out->detail, ".NET Remoting (binary TCP channel)");
        return DCI_JUDGE_DONE;
    }
    unsigned op = reply[6] | (unsigned)reply[7] << 8;
    snprintf(out->detail, sizeof out->detail, ".NET Remoting (binary TCP channel%s)",
             op == 2 ? ", a reply frame" : "");
    snprintf(out->evidence, sizeof out->evidence, "MS-NRTP %u.%u, operation type %u", reply[4],
             reply[5], op);
    return DCI_JUDGE_DONE;
}

static enum dci_judgement remoting_judge(const uint8_t *reply, size_t len, bool closed,
                                         struct dc_finding *out)
{
    if (len >= 4 && memcmp(reply, ".NET", 4) == 0)
        return frame_judge(reply, len, closed, out);
    size_t cmp = len < 5 ? len : 5;
    if (memcmp(reply, "HTTP/", cmp) != 0 || (len < 5 && closed)) {
        if (len < 4 && !closed && memcmp(reply, ".NET", len) == 0)
            return DCI_JUDGE_MORE;
        dci_judge_wrong(reply, len, ".NET Remoting", out);
        return DCI_JUDGE_DONE;
    }
    char head[1024];
    size_t n = len < sizeof head - 1 ? len : sizeof head - 1;
    memcpy(head, reply, n);
    head[n] = '\0';
    const char *end = strstr(head, "\r\n\r\n");
    if (!end && !closed && n < sizeof head - 1)
        return DCI_JUDGE_MORE;
    size_t vlen = 0;
    const char *server = header_value(head, "Server:", &vlen);
    char value[96] = "";
    if (server)
        dci_printable((const uint8_t *)server, vlen, 90, value, sizeof value);
    bool microsoft = server && strstr(value, "MS .NET Remoting");
    /* otherwise the body's first bytes tell an MS-NRBF stream: wait for them, unless the
     * head says the body is shorter (the peer may keep the connection) */
    size_t body_at = end ? (size_t)(end - head) + 4 : len;
    size_t want = 17;
    const char *cl = end ? header_value(head, "Content-Length:", &vlen) : NULL;
    if (cl && strtoul(cl, NULL, 10) < want)
        want = strtoul(cl, NULL, 10);
    if (end && !microsoft && len - body_at < want && !closed)
        return DCI_JUDGE_MORE;
    char status[16];
    dci_printable(reply + 9, len > 12 ? 3 : 0, 3, status, sizeof status);
    bool nrbf = nrbf_stream(reply + body_at, len - body_at);
    if (microsoft || nrbf) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, ".NET Remoting (HTTP channel, status %s%s)",
                 status, nrbf ? ", an MS-NRBF answer" : "");
        snprintf(out->evidence, sizeof out->evidence, "Server: %s", server ? value : "none");
        return DCI_JUDGE_DONE;
    }
    out->state = DC_STATE_WRONG_SERVICE;
    snprintf(out->detail, sizeof out->detail, "an HTTP server that is not .NET Remoting (%s)",
             server ? value : "no Server header");
    return DCI_JUDGE_DONE;
}

/* A channel closes without a word on what the other channel speaks (Mono's do): say so. */
static enum dci_judgement silent_or(const uint8_t *reply, size_t len, bool closed,
                                    struct dc_finding *out, const char *other)
{
    if (len == 0 && closed) {
        out->state = DC_STATE_WRONG_SERVICE;
        snprintf(out->detail, sizeof out->detail,
                 "connected, but no answer: not .NET Remoting, or a Remoting channel of the "
                 "other kind (check it with the probe %s)",
                 other);
        return DCI_JUDGE_DONE;
    }
    return remoting_judge(reply, len, closed, out);
}

static enum dci_judgement http_channel_judge(const uint8_t *reply, size_t len, bool closed,
                                             struct dc_finding *out)
{
    return silent_or(reply, len, closed, out, "remoting-tcp");
}

static enum dci_judgement tcp_channel_judge(const uint8_t *reply, size_t len, bool closed,
                                            struct dc_finding *out)
{
    return silent_or(reply, len, closed, out, "remoting");
}

/* Microsoft's HTTP channel (its Server header); Mono's (an MS-NRBF body, MS-NRBF 2.6.1); a
 * TCP channel's reply frame (MS-NRTP 2.2.3.3); nginx; silence. */
static const char *remoting_selftest(void)
{
    static const char microsoft[] = "HTTP/1.1 400 Bad Request\r\nServer: MS .NET Remoting, MS "
                                    ".NET CLR 4.0.30319.42000\r\nContent-Length: 0\r\n\r\n";
    static const char mono[] = "HTTP/1.1 200 OK\r\nServer: Mono-HTTPAPI/1.0\r\n\r\n"
                               "\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00"
                               "\x00\x00\x16";
    static const uint8_t frame[] = {'.', 'N', 'E', 'T', 1, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    static const char nginx[] = "HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\n\r\n";
    const struct dci_selftest_case cases[] = {
        {microsoft, sizeof microsoft - 1, DC_STATE_OK, "MS .NET Remoting"},
        {mono, sizeof mono - 1, DC_STATE_OK, "an MS-NRBF answer"},
        {frame, sizeof frame, DC_STATE_OK, "binary TCP channel"},
        {nginx, sizeof nginx - 1, DC_STATE_WRONG_SERVICE, "nginx"},
        {"", 0, DC_STATE_WRONG_SERVICE, "remoting-tcp"},
    };
    const char *why = dci_selftest_dialogue(&dci_probe_remoting, cases, DCI_SELFTEST_N(cases));
    const struct dci_selftest_case tcp_cases[] = {
        {frame, sizeof frame, DC_STATE_OK, "a reply frame"},
        {"", 0, DC_STATE_WRONG_SERVICE, "probe remoting"},
    };
    return why ? why
               : dci_selftest_dialogue(&dci_probe_remoting_tcp, tcp_cases,
                                       DCI_SELFTEST_N(tcp_cases));
}

static const struct dci_protocol remoting_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = remoting_hello, .judge = http_channel_judge},
    .selftest = remoting_selftest,
    .max_reply = 4096,
};

static const struct dci_protocol remoting_tcp_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = nrtp_hello, .judge = tcp_channel_judge},
    .selftest = remoting_selftest,
    .max_reply = 4096,
};

const struct dc_probe_ops dci_probe_remoting = {
    .family = DC_FAMILY_SLNET,
    .name = "remoting",
    .summary = "SLNet .NET Remoting, HTTP channel: GET /SLNetService answered by Remoting "
               "(its Server header, an MS-NRBF body, or a TCP channel's frame)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &remoting_protocol,
};

/* The same judge: a frame, or an HTTP channel's answer, is Remoting's either way. */
const struct dc_probe_ops dci_probe_remoting_tcp = {
    .family = DC_FAMILY_SLNET,
    .name = "remoting-tcp",
    .summary = "a .NET Remoting binary TCP channel: an MS-NRTP request frame with an empty "
               "content, answered by a reply frame",
    .transport = DC_TRANSPORT_TCP,
    .proto = &remoting_tcp_protocol,
};
