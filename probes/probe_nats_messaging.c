/* probes/probe_nats_messaging.c — NATS messaging through the cluster, with libnats: a
 * subscriber on the destination's server, a publisher on the source's own server, a unique
 * subject; the message arriving proves the route between the two servers carries traffic,
 * not only that both ports are open. libnats' connect blocks, so this runs as a library
 * step on the engine's thread pool, every call bounded by what is left of the deadline.
 *
 * The secret file (--nats-creds) is one of the three ways a NATS server authenticates a
 * client (NATS docs, "Authentication"): a credentials file (a user JWT and its NKEY seed,
 * what DataMiner's NATS and BrokerGateway hand out), USER:PASSWORD on one line, or a token
 * on one line. A server that requires TLS (its INFO says tls_required) is spoken to over TLS,
 * checked against --ca. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

enum secret_kind { SECRET_NONE, SECRET_CREDS_FILE, SECRET_USER_PASSWORD, SECRET_TOKEN };

struct secret {
    enum secret_kind kind;
    char text[1024]; /* USER:PASSWORD or the token; wiped after use */
};

/* What the secret holds (its text, read once when the options were; never printed). */
static bool secret_read(const char *text, struct secret *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return true;
    if (strstr(text, "-----BEGIN NATS USER JWT-----")) {
        out->kind = SECRET_CREDS_FILE; /* libnats reads the file itself */
        return true;
    }
    snprintf(out->text, sizeof out->text, "%.*s", (int)strcspn(text, "\r\n"), text);
    out->kind = !out->text[0]            ? SECRET_NONE
                : strchr(out->text, ':') ? SECRET_USER_PASSWORD
                                         : SECRET_TOKEN;
    return out->kind != SECRET_NONE;
}
static natsStatus set_secret(natsOptions *o, const char *path, struct secret *secret)
{
    switch (secret->kind) {
    case SECRET_CREDS_FILE: return natsOptions_SetUserCredentialsFromFiles(o, path, NULL);
    case SECRET_USER_PASSWORD: {
        char *colon = strchr(secret->text, ':');
        *colon = '\0';
        return natsOptions_SetUserInfo(o, secret->text, colon + 1);
    }
    case SECRET_TOKEN: return natsOptions_SetToken(o, secret->text);
    case SECRET_NONE: break;
    }
    return NATS_OK;
}

static natsStatus connect_to(const struct dci_library_ctx *ctx, const char *host, uint16_t port,
                             int64_t timeout_ms, natsConnection **out)
{
    struct secret secret;
    if (!secret_read(ctx->secret, &secret))
        return NATS_INVALID_ARG; /* the step checked it already */
    natsOptions *o = NULL;
    char url[128];
    snprintf(url, sizeof url, strchr(host, ':') ? "nats://[%s]:%u" : "nats://%s:%u", host, port);
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = natsOptions_SetURL(o, url);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, timeout_ms > 0 ? timeout_ms : 1);
    if (s == NATS_OK)
        s = natsOptions_SetAllowReconnect(o, false);
    if (s == NATS_OK)
        s = natsOptions_SetName(o, "dmsconn");
    if (s == NATS_OK)
        s = set_secret(o, ctx->credentials, &secret);
    /* TLS only where the server requires it: libnats then upgrades (its INFO decides) */
    if (s == NATS_OK && ctx->ca_file)
        s = natsOptions_LoadCATrustedCertificates(o, ctx->ca_file);
    if (s == NATS_OK && ctx->tls_insecure)
        s = natsOptions_SkipServerVerification(o, true);
    if (s == NATS_OK)
        s = natsConnection_Connect(out, o);
    natsOptions_Destroy(o);
    memset(&secret, 0, sizeof secret);
    return s;
}

static int64_t left_ms(uint64_t deadline_ns)
{
    uint64_t now = uv_hrtime();
    return now < deadline_ns ? (int64_t)((deadline_ns - now) / 1000000u) : 0;
}

/* Auth failures are the credentials' fault, TLS failures the certificate's or the client's
 * (a server that requires TLS); anything else is a messaging failure. */
static enum dc_state state_of(natsStatus s)
{
    switch (s) {
    case NATS_NOT_PERMITTED:
    case NATS_CONNECTION_AUTH_FAILED: return DC_STATE_AUTH;
    case NATS_SSL_ERROR:
    case NATS_SECURE_CONNECTION_WANTED:
    case NATS_SECURE_CONNECTION_REQUIRED: return DC_STATE_TLS;
    default: return DC_STATE_DEGRADED;
    }
}

/* libnats' last error on this thread says why a handshake failed ("(conn.c:733): SSL
 * handshake error: 18:self-signed certificate:depth=0:..."): the reason between OpenSSL's
 * code and the depth, copied into buf. Its texts carry no secret. */
static const char *tls_reason(natsStatus s, char *buf, size_t cap)
{
    const char *last = nats_GetLastError(NULL);
    const char *at = last ? strstr(last, "handshake error: ") : NULL;
    if (!at) {
        snprintf(buf, cap, "%s", natsStatus_GetText(s));
        return buf;
    }
    at += strlen("handshake error: ");
    at += strspn(at, "0123456789"); /* OpenSSL's verify code */
    at += *at == ':';
    const char *end = strstr(at, ":depth=");
    int len = end ? (int)(end - at) : (int)strlen(at);
    dci_printable((const uint8_t *)at, (size_t)len, cap - 1, buf, cap);
    return buf;
}

const char *const dci_nats_messaging_unavailable = NULL; /* this build has libnats */

void dci_nats_messaging_step(const struct dci_library_ctx *ctx, struct dc_finding *out)
{
    uint64_t start = uv_hrtime();
    uint64_t deadline = start + ctx->remaining_ms * 1000000u;
    natsConnection *sub_nc = NULL, *pub_nc = NULL;
    natsSubscription *sub = NULL;
    natsMsg *msg = NULL;
    char subject[160];
    snprintf(subject, sizeof subject, "_DMSCONN.probe.%08x%08x", (unsigned)rand(),
             (unsigned)(start & 0xffffffffu));
    const char *pub_host = ctx->src_host ? ctx->src_host : ctx->dst_host;
    uint16_t pub_port = ctx->src_host ? ctx->src_port : ctx->dst_port;
    struct secret check;
    bool readable = secret_read(ctx->secret, &check);
    memset(&check, 0, sizeof check);
    if (!readable) {
        out->state = DC_STATE_ERROR;
        snprintf(out->detail, sizeof out->detail,
                 "the nats secret (--secret nats=FILE) holds neither a NATS credentials "
                 "file, USER:PASSWORD nor a token on its first line");
        return;
    }
    natsStatus s = connect_to(ctx, ctx->dst_host, ctx->dst_port, left_ms(deadline), &sub_nc);
    if (s != NATS_OK) {
        out->state = state_of(s);
        char why[96];
        if (out->state == DC_STATE_TLS)
            snprintf(out->detail, sizeof out->detail,
                     "NATS requires TLS and the handshake failed (%s): give --ca with the "
                     "certificate authority of the NATS servers",
                     tls_reason(s, why, sizeof why));
        else if (out->state == DC_STATE_AUTH)
            snprintf(out->detail, sizeof out->detail, "NATS refused the client (%s): %s",
                     natsStatus_GetText(s),
                     ctx->credentials ? "check the --nats-creds file"
                                      : "it wants credentials: give --nats-creds FILE");
        else
            snprintf(out->detail, sizeof out->detail,
                     "NATS answers, but a client cannot connect: %s", natsStatus_GetText(s));
        goto out;
    }
    s = natsConnection_SubscribeSync(&sub, sub_nc, subject);
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(sub_nc, left_ms(deadline));
    if (s != NATS_OK) {
        out->state = state_of(s);
        snprintf(out->detail, sizeof out->detail, "cannot subscribe on %s's NATS: %s",
                 ctx->dst_name, natsStatus_GetText(s));
        goto out;
    }
    s = connect_to(ctx, pub_host, pub_port, left_ms(deadline), &pub_nc);
    if (s == NATS_OK)
        s = natsConnection_PublishString(pub_nc, subject, "dmsconn");
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(pub_nc, left_ms(deadline));
    if (s != NATS_OK) {
        out->state = state_of(s);
        snprintf(out->detail, sizeof out->detail,
                 "cannot publish through %s's own NATS server (%s:%u): %s", ctx->src_name, pub_host,
                 pub_port, natsStatus_GetText(s));
        goto out;
    }
    /* routes: a subscription reaches the other servers within moments; a message published
     * before that is lost, so the publisher retries until the deadline */
    while ((s = natsSubscription_NextMsg(&msg, sub, 100)) == NATS_TIMEOUT &&
           left_ms(deadline) > 0) {
        natsConnection_PublishString(pub_nc, subject, "dmsconn");
        natsConnection_FlushTimeout(pub_nc, left_ms(deadline));
    }
    if (s == NATS_OK) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "a message published through %s reached %s",
                 ctx->src_host ? ctx->src_name : ctx->dst_name, ctx->dst_name);
        snprintf(out->evidence, sizeof out->evidence, "delivered in %.1f ms",
                 (double)(uv_hrtime() - start) / 1e6);
    } else {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail,
                 "both NATS servers answer, but a message from %s never reached %s: no route "
                 "between them (cluster port 6222?)",
                 ctx->src_name, ctx->dst_name);
    }
out:
    natsMsg_Destroy(msg);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pub_nc);
    natsConnection_Destroy(sub_nc);
}
