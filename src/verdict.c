/* Verdicts: what was expected of a path against what was seen, and what to do about it. */
#include "dmsconn/verdict.h"

#include <stdio.h>
#include <string.h>

void dc_verdict_opts_default(struct dc_verdict_opts *opts)
{
    opts->slow_ms = 50.0; /* DataMiner's BPA warns above a 50 ms round trip */
}

/* "db1 (10.0.0.21)" or just "10.0.0.21" when the name is the address. */
static void describe(const struct dc_node *node, const char *address, char *buf, size_t cap)
{
    if (node->pseudo) {
        snprintf(buf, cap, "this machine (%s)", node->name);
        return;
    }
    const char *addr = address && *address ? address : node->naddresses ? node->addresses[0] : "";
    if (strcmp(node->name, addr) == 0 || !*addr)
        snprintf(buf, cap, "%s", node->name);
    else
        snprintf(buf, cap, "%s (%s)", node->name, addr);
}

static bool closed_state(enum dc_state s)
{
    return s == DC_STATE_REFUSED || s == DC_STATE_FILTERED || s == DC_STATE_UNREACHABLE;
}

static bool answered_state(enum dc_state s)
{
    return s == DC_STATE_OK || s == DC_STATE_WRONG_SERVICE || s == DC_STATE_TLS ||
           s == DC_STATE_AUTH || s == DC_STATE_DEGRADED;
}

struct ctx {
    const struct dc_check *check;
    const struct dc_task *task;
    const char *proto;
    char src[160];
    char dst[160];
    const char *dst_name;
    struct dc_result *r;
};

/* The remedy for a path that should work and does not. */
static void remedy_broken(const struct ctx *x)
{
    struct dc_result *r = x->r;
    const unsigned port = x->task->port;
    const char *svc = x->check->service;
    switch (r->state) {
    case DC_STATE_REFUSED:
        snprintf(r->remedy, sizeof r->remedy,
                 "nothing listens on %s %s/%u: is %s running there? (or a firewall on %s "
                 "rejects with RST)",
                 x->dst, x->proto, port, svc, x->dst_name);
        break;
    case DC_STATE_FILTERED:
        snprintf(r->remedy, sizeof r->remedy,
                 "allow %s/%u from %s to %s: packets are dropped, likely by a firewall rule "
                 "on %s, on the path, or in the outgoing rules of %s",
                 x->proto, port, x->src, x->dst, x->dst_name, x->src);
        break;
    case DC_STATE_UNREACHABLE:
        snprintf(r->remedy, sizeof r->remedy,
                 "%s is unreachable from %s: check the address in the node list, routing, and "
                 "firewalls that answer with ICMP unreachable",
                 x->dst, x->src);
        break;
    case DC_STATE_DNS:
        snprintf(r->remedy, sizeof r->remedy,
                 "the name of %s does not resolve on %s: fix DNS or put the IP address in the "
                 "node list",
                 x->dst_name, x->src);
        break;
    case DC_STATE_WRONG_SERVICE:
        snprintf(r->remedy, sizeof r->remedy,
                 "something other than %s answers on %s %s/%u: free the port or move %s to "
                 "its configured port",
                 svc, x->dst, x->proto, port, svc);
        break;
    case DC_STATE_TLS:
        snprintf(r->remedy, sizeof r->remedy,
                 "the TLS handshake with %s on %s %s/%u failed: check its certificate and "
                 "TLS settings",
                 svc, x->dst, x->proto, port);
        break;
    case DC_STATE_AUTH:
        snprintf(r->remedy, sizeof r->remedy,
                 "%s on %s refused the credentials: check the credentials file", svc, x->dst);
        break;
    case DC_STATE_DEGRADED:
        snprintf(r->remedy, sizeof r->remedy, "%s on %s answers but is unhealthy: %s", svc, x->dst,
                 r->detail);
        break;
    case DC_STATE_ERROR:
        snprintf(r->remedy, sizeof r->remedy,
                 "dmsconn could not run this probe on %s (%s): rerun with a lower "
                 "--concurrency or check the local system",
                 x->src, r->detail);
        break;
    case DC_STATE_UNKNOWN:
        snprintf(r->remedy, sizeof r->remedy, "not measured (%s): run the check again", r->detail);
        break;
    case DC_STATE_OK:
    case DC_STATE_COUNT: r->remedy[0] = '\0'; break;
    }
}

static enum dc_verdict judge_required(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    struct dc_result *r = x->r;
    if (r->state == DC_STATE_OK) {
        if (r->latency_ms > opts->slow_ms) {
            snprintf(r->remedy, sizeof r->remedy,
                     "round trip %.0f ms from %s to %s exceeds %.0f ms (DataMiner's BPA warns "
                     "above 50 ms): check the network path",
                     r->latency_ms, x->src, x->dst, opts->slow_ms);
            return DC_VERDICT_WARN;
        }
        return DC_VERDICT_PASS;
    }
    remedy_broken(x);
    switch (r->state) {
    case DC_STATE_DEGRADED: return r->severe ? DC_VERDICT_FAIL : DC_VERDICT_WARN;
    case DC_STATE_ERROR:
    case DC_STATE_UNKNOWN: return DC_VERDICT_WARN;
    default: return DC_VERDICT_FAIL;
    }
}

/* Optional paths may be closed; something wrong that answers there is still worth a look. */
static enum dc_verdict judge_optional(const struct ctx *x)
{
    if (x->r->state == DC_STATE_OK || closed_state(x->r->state))
        return DC_VERDICT_PASS;
    remedy_broken(x);
    return DC_VERDICT_WARN;
}

static enum dc_verdict judge_closed(const struct ctx *x)
{
    struct dc_result *r = x->r;
    if (closed_state(r->state))
        return DC_VERDICT_PASS;
    if (answered_state(r->state)) {
        snprintf(r->remedy, sizeof r->remedy,
                 "%s is open on %s %s/%u but must be closed: disable the service or block "
                 "%s/%u in %s's firewall",
                 x->check->service, x->dst, x->proto, x->task->port, x->proto, x->task->port,
                 x->dst_name);
        return DC_VERDICT_FAIL;
    }
    remedy_broken(x);
    return DC_VERDICT_WARN;
}

void dc_verdict_judge(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct dc_task *task, const struct dc_verdict_opts *opts,
                      struct dc_result *result)
{
    struct ctx x = {
        .check = &profile->checks[task->check],
        .task = task,
        .r = result,
    };
    const struct dc_node *src = &cluster->nodes[task->from];
    const struct dc_node *dst = &cluster->nodes[task->to];
    x.proto = dc_transport_name(x.check->transport);
    x.dst_name = dst->name;
    describe(src, NULL, x.src, sizeof x.src);
    describe(dst, result->address, x.dst, sizeof x.dst);
    result->remedy[0] = '\0';
    switch (x.check->expect) {
    case DC_EXPECT_REQUIRED: result->verdict = judge_required(&x, opts); break;
    case DC_EXPECT_OPTIONAL: result->verdict = judge_optional(&x); break;
    case DC_EXPECT_MUST_BE_CLOSED: result->verdict = judge_closed(&x); break;
    }
}

enum dc_run_verdict dc_verdict_run(const struct dc_result *results, size_t n)
{
    bool warn = false, unknown = false;
    for (size_t i = 0; i < n; i++) {
        if (results[i].verdict == DC_VERDICT_FAIL)
            return DC_RUN_CRITICAL;
        if (results[i].state == DC_STATE_UNKNOWN || results[i].state == DC_STATE_ERROR)
            unknown = true;
        else if (results[i].verdict == DC_VERDICT_WARN)
            warn = true;
    }
    return unknown ? DC_RUN_UNKNOWN : warn ? DC_RUN_WARNING : DC_RUN_OK;
}
