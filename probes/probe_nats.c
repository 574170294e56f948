/* probes/probe_nats.c — NATS: the server speaks first, with one line
 * "INFO {json}\r\n" (NATS client protocol, "INFO" message; the route port 6222 greets the
 * same way). No credentials are sent: the greeting alone proves a NATS server, and says
 * its id, version, cluster, and whether it wants auth or TLS. A server that requires TLS
 * expects the client's handshake next (the client protocol's INFO, tls_required): the
 * driver makes it, to read the server's certificate (BrokerGateway's NATS, from 10.6). */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* A string field of the INFO object, made printable, or `fallback`. */
static void copy_field(const cJSON *o, const char *name, const char *fallback, char *buf,
                       size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    const char *s = cJSON_IsString(v) ? v->valuestring : fallback;
    dci_printable((const uint8_t *)s, strlen(s), cap - 1, buf, cap);
}

static enum dci_judgement nats_judge(const uint8_t *reply, size_t len, bool closed,
                                     struct dc_finding *out)
{
    static const char prefix[] = "INFO ";
    size_t cmp = len < 5 ? len : 5;
    if (memcmp(reply, prefix, cmp) != 0) {
        dci_judge_wrong(reply, len, "a NATS INFO line", out);
        return DCI_JUDGE_DONE;
    }
    const uint8_t *eol = len > 5 ? memchr(reply, '\n', len) : NULL;
    if (!eol) {
        if (!closed)
            return DCI_JUDGE_MORE;
        dci_judge_wrong(reply, len, "a whole NATS INFO line", out);
        return DCI_JUDGE_DONE;
    }
    cJSON *info = cJSON_ParseWithLength((const char *)reply + 5, (size_t)(eol - reply) - 5);
    if (!cJSON_IsObject(info)) {
        cJSON_Delete(info);
        dci_judge_wrong(reply, len, "a NATS INFO line with JSON", out);
        return DCI_JUDGE_DONE;
    }
    char id[64], version[32], cluster[64], name[64];
    copy_field(info, "server_id", "?", id, sizeof id);
    copy_field(info, "version", "?", version, sizeof version);
    copy_field(info, "cluster", "-", cluster, sizeof cluster);
    copy_field(info, "server_name", "-", name, sizeof name);
    bool auth = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "auth_required"));
    bool tls = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "tls_required"));
    cJSON_Delete(info);
    out->state = DC_STATE_OK;
    snprintf(out->detail, sizeof out->detail, "NATS server %s%s%s", version,
             auth ? ", auth required" : "", tls ? ", TLS required" : "");
    snprintf(out->evidence, sizeof out->evidence, "server_id %s, name %s, cluster %s", id, name,
             cluster);
    return DCI_JUDGE_DONE;
}

/* Whether the INFO the judge accepted says tls_required. */
static bool nats_tls_next(const uint8_t *reply, size_t len)
{
    const uint8_t *end = memchr(reply, '\n', len);
    if (len < 5 || !end)
        return false;
    cJSON *info = cJSON_ParseWithLength((const char *)reply + 5, (size_t)(end - reply) - 5);
    bool tls = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "tls_required"));
    cJSON_Delete(info);
    return tls;
}

/* --secret nats=FILE: a .creds file, USER:PASSWORD or a token (probe_nats_messaging.c) */
static const char *nats_secret_check(const char *text)
{
    return text[0] ? NULL : "a NATS .creds file, USER:PASSWORD or a token on one line";
}

/* The client protocol's INFO line; an HTTP server on the port. */
static const char *nats_selftest(void)
{
    static const char info[] = "INFO {\"server_id\":\"NSELF\",\"server_name\":\"n1\","
                               "\"version\":\"2.9.10\",\"auth_required\":true}\r\n";
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    const struct dci_selftest_case cases[] = {
        {info, sizeof info - 1, DC_STATE_OK, "2.9.10"},
        {http, sizeof http - 1, DC_STATE_WRONG_SERVICE, NULL},
    };
    return dci_selftest_dialogue(&dci_probe_nats, cases, DCI_SELFTEST_N(cases));
}

static const struct dci_protocol nats_messaging_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.judge = nats_judge, .library = dci_nats_messaging_step},
    .unavailable = &dci_nats_messaging_unavailable,
    .secret = "nats",
    .secret_lines = true,
    .secret_form = "a NATS .creds file, USER:PASSWORD or a token",
    .secret_check = nats_secret_check,
    .selftest = nats_selftest,
    .max_reply = 4096,
};

/* (nats-messaging leaves TLS to libnats, which makes its own connection) */
static const struct dci_protocol nats_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    /* a route port with TLS says nothing before the handshake; a server greets at once */
    .dialogue = {.judge = nats_judge, .tls_next = nats_tls_next, .tls_if_silent_ms = 300},
    .selftest = nats_selftest,
    .max_reply = 4096,
};

const struct dc_probe_ops dci_probe_nats_messaging = {
    .family = DC_FAMILY_NATS,
    .name = "nats-messaging",
    .summary = "NATS messaging: a message published on the source's server reaches the "
               "destination's (libnats)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &nats_messaging_protocol,
};

const struct dc_probe_ops dci_probe_nats = {
    .family = DC_FAMILY_NATS,
    .name = "nats",
    .summary = "NATS: the server's INFO greeting (id, version, cluster, auth/TLS)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &nats_protocol,
};
