/* probes/probe_nats_messaging.c — NATS messaging through the cluster, with libnats: a
 * subscriber on the destination's server, a publisher on the source's own server, a unique
 * subject; the message arriving proves the route between the two servers carries traffic,
 * not only that both ports are open. libnats' connect blocks, so this runs as a library
 * step on the engine's thread pool, every call bounded by what is left of the deadline. */
#include "dmsconn/probe.h"
#include "probe_util.h"

#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static natsStatus connect_to(const char *host, uint16_t port, int64_t timeout_ms, const char *creds,
                             natsConnection **out)
{
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
    if (s == NATS_OK && creds)
        s = natsOptions_SetUserCredentialsFromFiles(o, creds, NULL);
    if (s == NATS_OK)
        s = natsConnection_Connect(out, o);
    natsOptions_Destroy(o);
    return s;
}

static int64_t left_ms(uint64_t deadline_ns)
{
    uint64_t now = uv_hrtime();
    return now < deadline_ns ? (int64_t)((deadline_ns - now) / 1000000u) : 0;
}

/* Auth failures are the credentials' fault; anything else is a messaging failure. */
static enum dc_state state_of(natsStatus s)
{
    return s == NATS_NOT_PERMITTED || s == NATS_CONNECTION_AUTH_FAILED ? DC_STATE_AUTH
                                                                       : DC_STATE_DEGRADED;
}

void dc_nats_messaging_step(const struct dc_library_ctx *ctx, struct dc_finding *out)
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
    natsStatus s =
        connect_to(ctx->dst_host, ctx->dst_port, left_ms(deadline), ctx->credentials, &sub_nc);
    if (s != NATS_OK) {
        out->state = state_of(s);
        snprintf(out->detail, sizeof out->detail, "NATS answers, but a client cannot connect: %s",
                 natsStatus_GetText(s));
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
    s = connect_to(pub_host, pub_port, left_ms(deadline), ctx->credentials, &pub_nc);
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
