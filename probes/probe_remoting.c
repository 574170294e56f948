/* probes/probe_remoting.c — DataMiner's SLNet .NET Remoting on its HTTP channel (object
 * URI SLNetService): a plain GET, with no body — Remoting deserialises what it receives,
 * so nothing more is sent — is answered with "Server: MS .NET Remoting, MS .NET CLR ..."
 * whatever the status. The binary TCP channel starts its frames with the ".NET" preamble
 * (MS-NRTP 2.2.3.3, the preamble of a message frame), recognised too. */
#include "dmsconn/probe.h"
#include "probe_util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static size_t remoting_hello(const struct dc_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    bool v6 = strchr(ctx->host, ':') != NULL;
    int n = snprintf((char *)buf, cap,
                     "GET /SLNetService HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: dmsconn\r\n"
                     "Connection: close\r\n\r\n",
                     v6 ? "[" : "", ctx->host, v6 ? "]" : "", ctx->port);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* The value of the Server header in the head of an HTTP response, or NULL. */
static const char *server_header(const char *head, size_t *vlen)
{
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "Server:", 7) != 0)
            continue;
        const char *v = line + 9;
        while (*v == ' ' || *v == '\t')
            v++;
        const char *end = strstr(v, "\r\n");
        *vlen = end ? (size_t)(end - v) : strlen(v);
        return v;
    }
    return NULL;
}

static enum dc_judgement remoting_judge(const uint8_t *reply, size_t len, bool closed,
                                        struct dc_finding *out)
{
    if (len >= 4 && memcmp(reply, ".NET", 4) == 0) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, ".NET Remoting (binary TCP channel)");
        return DC_JUDGE_DONE;
    }
    size_t cmp = len < 5 ? len : 5;
    if (memcmp(reply, "HTTP/", cmp) != 0 || (len < 5 && closed)) {
        if (len < 4 && !closed && memcmp(reply, ".NET", len) == 0)
            return DC_JUDGE_MORE;
        dc_judge_wrong(reply, len, ".NET Remoting", out);
        return DC_JUDGE_DONE;
    }
    char head[1024];
    size_t n = len < sizeof head - 1 ? len : sizeof head - 1;
    memcpy(head, reply, n);
    head[n] = '\0';
    if (!strstr(head, "\r\n\r\n") && !closed && n < sizeof head - 1)
        return DC_JUDGE_MORE;
    size_t vlen = 0;
    const char *server = server_header(head, &vlen);
    char value[96] = "";
    if (server)
        dc_printable((const uint8_t *)server, vlen, 90, value, sizeof value);
    char status[16];
    dc_printable(reply + 9, len > 12 ? 3 : 0, 3, status, sizeof status);
    if (server && strstr(value, "MS .NET Remoting")) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, ".NET Remoting (HTTP channel, status %s)",
                 status);
        snprintf(out->evidence, sizeof out->evidence, "Server: %s", value);
        return DC_JUDGE_DONE;
    }
    out->state = DC_STATE_WRONG_SERVICE;
    snprintf(out->detail, sizeof out->detail, "an HTTP server that is not .NET Remoting (%s)",
             server ? value : "no Server header");
    return DC_JUDGE_DONE;
}

static const uint16_t remoting_ports[] = {8004, 0};

const struct dc_probe_ops dc_probe_remoting = {
    .name = "remoting",
    .summary = "SLNet .NET Remoting: the HTTP channel's Server header, or the TCP preamble",
    .default_ports = remoting_ports,
    .transport = DC_TRANSPORT_TCP,
    .driver = DC_DRIVER_DIALOGUE,
    .hello = remoting_hello,
    .judge = remoting_judge,
    .max_reply = 4096,
};
