/* probes/probe_jmx.c — Cassandra's JMX port (7199) is Java RMI: the client's transport
 * header "JRMI" + version + StreamProtocol (0x4b) is acknowledged by ProtocolAck (0x4e)
 * and the endpoint the server sees (Java RMI specification, 10.2 RMI Transport Protocol:
 * Header, ProtocolAck, EndpointIdentifier = [UTF host][int port]). */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

enum { STREAM_PROTOCOL = 0x4b, PROTOCOL_ACK = 0x4e, PROTOCOL_NOT_SUPPORTED = 0x4f };

static size_t jmx_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    static const uint8_t header[] = {'J', 'R', 'M', 'I', 0x00, 0x02, STREAM_PROTOCOL};
    if (cap < sizeof header)
        return 0;
    memcpy(buf, header, sizeof header);
    return sizeof header;
}

static enum dci_judgement jmx_judge(const uint8_t *reply, size_t len, bool closed,
                                    struct dc_finding *out)
{
    if (len == 0 && !closed)
        return DCI_JUDGE_MORE;
    if (len >= 1 && reply[0] == PROTOCOL_NOT_SUPPORTED) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "Java RMI (stream protocol not supported)");
        return DCI_JUDGE_DONE;
    }
    if (len < 1 || reply[0] != PROTOCOL_ACK) {
        dci_judge_wrong(reply, len, "a Java RMI (JMX) acknowledgement", out);
        return DCI_JUDGE_DONE;
    }
    /* EndpointIdentifier: [short] length, host bytes, [int] port */
    uint16_t hlen = len >= 3 ? dci_be16(reply + 1) : 0;
    if (len < 3 || len < 3u + hlen + 4u) {
        if (!closed)
            return DCI_JUDGE_MORE;
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "Java RMI (JMX) acknowledged");
        return DCI_JUDGE_DONE;
    }
    char host[64];
    dci_printable(reply + 3, hlen, 60, host, sizeof host);
    out->state = DC_STATE_OK;
    snprintf(out->detail, sizeof out->detail, "Java RMI (JMX) acknowledged");
    snprintf(out->evidence, sizeof out->evidence, "the server sees us as %s:%u", host,
             (unsigned)dci_be32(reply + 3 + hlen));
    return DCI_JUDGE_DONE;
}

/* RMI 10.2: ProtocolAck and the EndpointIdentifier [UTF "10.0.0.5"][int 51234]; an SSH
 * banner is no acknowledgement. */
static const char *jmx_selftest(void)
{
    static const uint8_t ack[] = {0x4e, 0x00, 0x08, '1',  '0',  '.',  '0', '.',
                                  '0',  '.',  '5',  0x00, 0x00, 0xc8, 0x22};
    static const char ssh[] = "SSH-2.0-OpenSSH_9.2p1\r\n";
    const struct dci_selftest_case cases[] = {
        {ack, sizeof ack, DC_STATE_OK, "10.0.0.5:51234"},
        {ssh, sizeof ssh - 1, DC_STATE_WRONG_SERVICE, "SSH-2.0"},
    };
    return dci_selftest_dialogue(&dci_probe_jmx, cases, DCI_SELFTEST_N(cases));
}

static const struct dci_protocol jmx_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = jmx_hello, .judge = jmx_judge},
    .selftest = jmx_selftest,
    .max_reply = 512,
};

const struct dc_probe_ops dci_probe_jmx = {
    .family = DC_FAMILY_CASSANDRA,
    .name = "jmx",
    .summary = "Cassandra JMX: the Java RMI transport handshake (JRMP ProtocolAck)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &jmx_protocol,
};
