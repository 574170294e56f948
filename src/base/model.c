/* Names of the model's enumerations, both ways, and the role table. */
#include "dmsconn/error.h"
#include "dmsconn/model.h"
#include "base/base_private.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const state_names[DC_STATE_COUNT] = {
    "ok",  "refused", "filtered", "unreachable", "dns",     "wrong_service",
    "tls", "auth",    "degraded", "error",       "unknown",
};

const char *dc_state_name(enum dc_state state)
{
    return (unsigned)state < DC_STATE_COUNT ? state_names[state] : "unknown";
}

int dc_state_parse(const char *name, enum dc_state *out)
{
    for (unsigned i = 0; i < DC_STATE_COUNT; i++) {
        if (strcmp(name, state_names[i]) == 0) {
            *out = (enum dc_state)i;
            return 0;
        }
    }
    return DC_EINVAL;
}

static const char *const expect_names[] = {"required", "optional", "must_be_closed", "unused",
                                           "advisory"};
#define NEXPECT (sizeof expect_names / sizeof expect_names[0])

const char *dc_expect_name(enum dc_expect expect)
{
    return (unsigned)expect < NEXPECT ? expect_names[expect] : "required";
}

int dci_expect_parse(const char *name, enum dc_expect *out)
{
    for (unsigned i = 0; i < NEXPECT; i++) {
        if (strcmp(name, expect_names[i]) == 0) {
            *out = (enum dc_expect)i;
            return 0;
        }
    }
    return DC_EINVAL;
}

const char *dc_transport_name(enum dc_transport transport)
{
    return transport == DC_TRANSPORT_UDP ? "udp" : transport == DC_TRANSPORT_ICMP ? "icmp" : "tcp";
}

const char *dci_port_label(enum dc_transport transport, unsigned port, char *buf, size_t cap)
{
    if (transport == DC_TRANSPORT_ICMP)
        snprintf(buf, cap, "icmp");
    else
        snprintf(buf, cap, "%s/%u", dc_transport_name(transport), port);
    return buf;
}

const char *dc_verdict_name(enum dc_verdict verdict)
{
    static const char *const names[] = {"pass", "warn", "fail"};
    return (unsigned)verdict < 3 ? names[verdict] : "fail";
}

const char *dc_run_verdict_name(enum dc_run_verdict verdict)
{
    static const char *const names[] = {"ok", "warning", "critical", "unknown"};
    return (unsigned)verdict < 4 ? names[verdict] : "unknown";
}

static const char *const when_names[DC_WHEN_COUNT] = {
    "always",         "remoting",    "grpc",         "cassandra-plain",
    "cassandra-tls",  "grpc-http",   "remoting-off", "legacy-nats",
    "broker-gateway", "nats-routes", "search-plain", "search-tls",
    "cloud",          "not-cloud",   "cloud-direct", "nats-credentials",
};

const char *dc_when_name(enum dc_when when)
{
    return (unsigned)when < DC_WHEN_COUNT ? when_names[when] : "always";
}

int dci_when_parse(const char *name, enum dc_when *out)
{
    for (unsigned i = 0; i < DC_WHEN_COUNT; i++) {
        if (strcmp(name, when_names[i]) == 0) {
            *out = (enum dc_when)i;
            return 0;
        }
    }
    return DC_EINVAL;
}

static const char *const pairs_names[] = {"others", "all", "self", "peers", "clients"};
#define NPAIRS (sizeof pairs_names / sizeof pairs_names[0])

const char *dc_pairs_name(enum dc_pairs pairs)
{
    return (unsigned)pairs < NPAIRS ? pairs_names[pairs] : "others";
}

int dci_pairs_parse(const char *name, enum dc_pairs *out)
{
    for (unsigned i = 0; i < NPAIRS; i++) {
        if (strcmp(name, pairs_names[i]) == 0) {
            *out = (enum dc_pairs)i;
            return 0;
        }
    }
    return DC_EINVAL;
}

static const char *const family_names[DC_FAMILY_COUNT] = {
    [DC_FAMILY_OTHER] = "Other",
    [DC_FAMILY_SLNET] = "SLNet",
    [DC_FAMILY_NATS] = "NATS",
    [DC_FAMILY_CASSANDRA] = "Cassandra",
    [DC_FAMILY_OPENSEARCH] = "OpenSearch",
};

const char *dc_family_name(enum dc_family family)
{
    return (unsigned)family < DC_FAMILY_COUNT ? family_names[family] : "Other";
}

int dci_family_parse(const char *name, enum dc_family *out)
{
    for (unsigned i = 0; i < DC_FAMILY_COUNT; i++) {
        if (strcasecmp(name, family_names[i]) == 0) {
            *out = (enum dc_family)i;
            return 0;
        }
    }
    return DC_EINVAL;
}

struct role_name {
    const char *name;
    uint32_t bit;
};

/* Order matters for formatting: the first name of a bit is its canonical name. */
static const struct role_name roles[] = {
    {"dma", DC_ROLE_DMA},
    {"cassandra", DC_ROLE_CASSANDRA},
    {"opensearch", DC_ROLE_OPENSEARCH},
    {"elasticsearch", DC_ROLE_OPENSEARCH},
    {"nats", DC_ROLE_NATS},
    {"cloudgateway", DC_ROLE_CLOUDGATEWAY},
    {"failover-vip", DC_ROLE_FAILOVER_VIP},
    {"staas", DC_ROLE_STAAS},
    {"proxy", DC_ROLE_PROXY},
    {"https-name", DC_ROLE_HTTPS_NAME},
};

int dci_role_parse(const char *name, bool allow_any, uint32_t *out)
{
    if (allow_any && strcasecmp(name, "any") == 0) {
        *out = DC_ROLE_ANY;
        return 0;
    }
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (strcasecmp(name, roles[i].name) == 0) {
            *out = roles[i].bit;
            return 0;
        }
    }
    return DC_EINVAL;
}

void dc_roles_each(uint32_t set, void (*fn)(const char *name, void *ud), void *ud)
{
    uint32_t seen = 0;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if ((set & roles[i].bit) && !(seen & roles[i].bit)) {
            seen |= roles[i].bit;
            fn(roles[i].name, ud);
        }
    }
}

struct format_buf {
    char *buf;
    size_t cap;
    size_t len;
};

static void append_role(const char *name, void *ud)
{
    struct format_buf *fb = ud;
    int n = snprintf(fb->buf + fb->len, fb->cap - fb->len, "%s%s", fb->len ? "," : "", name);
    if (n > 0 && (size_t)n < fb->cap - fb->len)
        fb->len += (size_t)n;
}

char *dc_roles_format(uint32_t set, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    if (set == DC_ROLE_ANY) {
        snprintf(buf, cap, "any");
        return buf;
    }
    struct format_buf fb = {buf, cap, 0};
    dc_roles_each(set, append_role, &fb);
    return buf;
}

void dc_result_reset(struct dc_result *r, const char *detail)
{
    *r = (struct dc_result){.state = DC_STATE_UNKNOWN,
                            .latency_ms = -1,
                            .address = "",
                            .detail = detail ? detail : "",
                            .evidence = "",
                            .remedy = "",
                            .tls = ""};
}
