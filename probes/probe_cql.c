/* probes/probe_cql.c — Cassandra native protocol: OPTIONS must be answered by SUPPORTED.
 * Frame layout, opcodes and notations: native_protocol_v4.spec sections 2 (frame header:
 * version, flags, stream, opcode, length; 9 bytes, big-endian), 3 ([short], [string],
 * [string list], [string multimap]), 4.1.3 (OPTIONS: empty body), 4.2.4 (SUPPORTED: a
 * [string multimap]) and 4.2.1/9 (ERROR: [int] code, [string] message; 0x000A protocol
 * error, which is what a server that only speaks an older version answers, in its own
 * version). */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

enum { CQL_HEADER = 9, OP_ERROR = 0x00, OP_OPTIONS = 0x05, OP_SUPPORTED = 0x06 };
#define CQL_VERSION_REQUEST 0x04
#define CQL_MAX_BODY (256u << 20)

static size_t cql_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    static const uint8_t options[CQL_HEADER] = {
        CQL_VERSION_REQUEST, 0, 0, 0, OP_OPTIONS, 0, 0, 0, 0};
    if (cap < sizeof options)
        return 0;
    memcpy(buf, options, sizeof options);
    return sizeof options;
}

/* A bounded reader over the body: every read checks what is left. */
struct cursor {
    const uint8_t *p;
    size_t left;
};

static bool read_string(struct cursor *c, const uint8_t **s, uint16_t *n)
{
    if (c->left < 2)
        return false;
    *n = dci_be16(c->p);
    if (c->left - 2 < *n)
        return false;
    *s = c->p + 2;
    c->p += 2 + *n;
    c->left -= 2 + (size_t)*n;
    return true;
}

/* Appends "KEY a,b" for the keys worth reporting; false when the multimap is malformed. */
static bool read_supported(struct cursor *c, char *evidence, size_t cap)
{
    if (c->left < 2)
        return false;
    uint16_t pairs = dci_be16(c->p);
    c->p += 2;
    c->left -= 2;
    size_t len = strlen(evidence);
    for (uint16_t i = 0; i < pairs; i++) {
        const uint8_t *key, *val;
        uint16_t klen, vlen;
        if (!read_string(c, &key, &klen) || c->left < 2)
            return false;
        uint16_t values = dci_be16(c->p);
        c->p += 2;
        c->left -= 2;
        bool wanted = (klen == 11 && memcmp(key, "CQL_VERSION", 11) == 0) ||
                      (klen == 11 && memcmp(key, "COMPRESSION", 11) == 0);
        char name[16];
        dci_printable(key, klen, 15, name, sizeof name);
        if (wanted && len < cap)
            len += (size_t)snprintf(evidence + len, cap - len, "%s%s ", len ? "; " : "", name);
        for (uint16_t v = 0; v < values; v++) {
            if (!read_string(c, &val, &vlen))
                return false;
            char text[32];
            dci_printable(val, vlen, 31, text, sizeof text);
            if (wanted && len < cap)
                len += (size_t)snprintf(evidence + len, cap - len, "%s%s", v ? "," : "", text);
        }
    }
    return true;
}

static enum dci_judgement cql_judge(const uint8_t *reply, size_t len, bool closed,
                                    struct dc_finding *out)
{
    if (len < CQL_HEADER) {
        if (!closed && (len == 0 || (reply[0] & 0x80)))
            return DCI_JUDGE_MORE;
        dci_judge_wrong(reply, len, "a Cassandra CQL frame", out);
        return DCI_JUDGE_DONE;
    }
    unsigned version = reply[0] & 0x7f;
    uint32_t body = dci_be32(reply + 5);
    if (!(reply[0] & 0x80) || version < 1 || version > 6 || body > CQL_MAX_BODY ||
        (reply[4] != OP_SUPPORTED && reply[4] != OP_ERROR)) {
        dci_judge_wrong(reply, len, "a Cassandra CQL frame", out);
        return DCI_JUDGE_DONE;
    }
    /* the frame is whole, or as much of it as we keep (max_reply) */
    if (len - CQL_HEADER < body && !closed)
        return DCI_JUDGE_MORE;
    struct cursor c = {reply + CQL_HEADER, len - CQL_HEADER < body ? len - CQL_HEADER : body};
    if (reply[4] == OP_ERROR) {
        uint32_t code = c.left >= 4 ? dci_be32(c.p) : 0;
        const uint8_t *msg = NULL;
        uint16_t mlen = 0;
        c.p += c.left >= 4 ? 4 : 0;
        c.left -= c.left >= 4 ? 4 : c.left;
        char text[120] = "";
        if (read_string(&c, &msg, &mlen))
            dci_printable(msg, mlen, 110, text, sizeof text);
        if (code == 0x000A && version < CQL_VERSION_REQUEST) {
            out->state = DC_STATE_OK;
            snprintf(out->detail, sizeof out->detail,
                     "Cassandra, but only native protocol v%u and older", version);
            snprintf(out->evidence, sizeof out->evidence, "protocol v%u: %s", version, text);
        } else {
            out->state = DC_STATE_DEGRADED;
            snprintf(out->detail, sizeof out->detail, "Cassandra answered error 0x%04x: %s",
                     (unsigned)code, text);
        }
        return DCI_JUDGE_DONE;
    }
    char evidence[sizeof out->evidence] = "";
    if (!read_supported(&c, evidence, sizeof evidence)) {
        out->state = DC_STATE_WRONG_SERVICE;
        snprintf(out->detail, sizeof out->detail, "a malformed SUPPORTED frame");
        return DCI_JUDGE_DONE;
    }
    out->state = DC_STATE_OK;
    snprintf(out->detail, sizeof out->detail, "Cassandra CQL native protocol v%u", version);
    snprintf(out->evidence, sizeof out->evidence, "%s", evidence);
    return DCI_JUDGE_DONE;
}

/* native_protocol_v4.spec: SUPPORTED (4.2.4) with CQL_VERSION [3.4.5]; a v3-only server's
 * ERROR 0x000A in its own version (section 9); an HTTP server; a TLS port (an alert). */
static const char *cql_selftest(void)
{
    static const uint8_t supported[] = {0x84, 0,   0,   0,   0x06, 0,   0,   0,   18,
                                        0,    1,   0,   11,  'C',  'Q', 'L', '_', 'V',
                                        'E',  'R', 'S', 'I', 'O',  'N', 0,   0};
    static const uint8_t v3[] = {0x83, 0, 0, 0, 0x00, 0, 0, 0, 6, 0, 0, 0, 0x0a, 0, 0};
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46};
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    const struct dci_selftest_case cases[] = {
        {supported, sizeof supported, DC_STATE_OK, "CQL native protocol v4"},
        {v3, sizeof v3, DC_STATE_OK, "v3"},
        {http, sizeof http - 1, DC_STATE_WRONG_SERVICE, NULL},
        {alert, sizeof alert, DC_STATE_TLS, NULL},
    };
    return dci_selftest_dialogue(&dci_probe_cql, cases, DCI_SELFTEST_N(cases));
}

static const struct dci_protocol cql_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = cql_hello, .judge = cql_judge},
    .selftest = cql_selftest,
    .max_reply = 8192,
};

const struct dc_probe_ops dci_probe_cql = {
    .family = DC_FAMILY_CASSANDRA,
    .name = "cql",
    .summary = "Cassandra CQL: OPTIONS answered by SUPPORTED (CQL versions, compression)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &cql_protocol,
};

const struct dc_probe_ops dci_probe_cql_tls = {
    .family = DC_FAMILY_CASSANDRA,
    .name = "cql-tls",
    .summary = "Cassandra CQL over TLS: the handshake (certificate checked), then OPTIONS",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .proto = &cql_protocol,
};
