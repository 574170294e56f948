/* probes/probe_es_transport.c — OpenSearch/Elasticsearch transport (9300): the keep-alive
 * ping is the 6-byte header "ES" + a message length of -1; a server channel answers a
 * ping with a ping (the transport's TcpHeader and TransportKeepAlive). A TLS-only transport
 * (the security plugin) answers clear text with a TLS record: recognised, not a failure. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

static const uint8_t ping[6] = {'E', 'S', 0xFF, 0xFF, 0xFF, 0xFF};

static size_t transport_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    if (cap < sizeof ping)
        return 0;
    memcpy(buf, ping, sizeof ping);
    return sizeof ping;
}

static enum dci_judgement transport_judge(const uint8_t *reply, size_t len, bool closed,
                                          struct dc_finding *out)
{
    /* a TLS alert record (content type 21, version 3.x, length 2) is how a TLS-only
     * transport answers clear text; anything else TLS-looking is reported as such */
    if (len >= 5 && reply[0] == 0x15 && reply[1] == 0x03 && reply[3] == 0 && reply[4] == 2) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "TLS transport (security plugin)");
        return DCI_JUDGE_DONE;
    }
    if (len > 0 && len < 5 && reply[0] == 0x15 && !closed)
        return DCI_JUDGE_MORE;
    if (len < sizeof ping && !closed && (len < 2 || memcmp(reply, "ES", 2) == 0))
        return DCI_JUDGE_MORE;
    if (len >= sizeof ping && memcmp(reply, ping, sizeof ping) == 0) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "transport ping answered");
        return DCI_JUDGE_DONE;
    }
    if (len >= 2 && memcmp(reply, "ES", 2) == 0) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "transport protocol (answered with a message)");
        return DCI_JUDGE_DONE;
    }
    dci_judge_wrong(reply, len, "the OpenSearch/Elasticsearch transport protocol", out);
    return DCI_JUDGE_DONE;
}

/* The transport's ping ("ES", length -1) answered by a ping; a TLS-only transport's alert;
 * an HTTP server. */
static const char *transport_selftest(void)
{
    static const uint8_t pong[] = {'E', 'S', 0xff, 0xff, 0xff, 0xff};
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46};
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    const struct dci_selftest_case cases[] = {
        {pong, sizeof pong, DC_STATE_OK, "ping answered"},
        {alert, sizeof alert, DC_STATE_OK, "security plugin"},
        {http, sizeof http - 1, DC_STATE_WRONG_SERVICE, NULL},
    };
    return dci_selftest_dialogue(&dci_probe_opensearch_transport, cases, DCI_SELFTEST_N(cases));
}

static const struct dci_protocol opensearch_transport_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = transport_hello, .judge = transport_judge},
    .selftest = transport_selftest,
    .max_reply = 256,
};

const struct dc_probe_ops dci_probe_opensearch_transport = {
    .family = DC_FAMILY_OPENSEARCH,
    .name = "opensearch-transport",
    .summary = "OpenSearch/Elasticsearch transport: the keep-alive ping is echoed",
    .transport = DC_TRANSPORT_TCP,
    .proto = &opensearch_transport_protocol,
};
