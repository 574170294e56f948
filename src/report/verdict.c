/* Verdicts: what was expected of a path against what was seen, and what to do about it. */
#include "dmsconn/verdict.h"

#include "dmsconn/cert.h"
#include "dmsconn/probe.h"
#include "dmsconn/sign.h"
#include "dmsconn/texts.h"
#include "base/base_private.h"
#include "probes/probe.h"
#include "report/report_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void dc_verdict_opts_default(struct dc_verdict_opts *opts)
{
    opts->slow_ms = 50.0; /* DataMiner's BPA warns above a 50 ms round trip */
    /* the BPA "DataMiner Agent Minimum Requirements" (10.6.9): 1-5 s a warning, more an issue */
    opts->clock_warn_s = 1.0;
    opts->clock_fail_s = 5.0;
    /* SLDataGateway's daily check (10.5.9): within 30 days a notice, within 7 an error */
    opts->cert_warn_days = 30.0;
    opts->cert_fail_days = 7.0;
    opts->now_s = 0;
}

double dci_verdict_now(const struct dc_verdict_opts *opts)
{
    return opts && opts->now_s > 0 ? opts->now_s : (double)time(NULL);
}

void dci_node_describe(const struct dc_node *node, const char *address, char *buf, size_t cap)
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
    const char *src_name;
    const struct dc_node *dst_node;
    const struct dc_node *alias_of; /* the DMA whose HTTPS name the destination is, or NULL */
    const struct dc_result *r;
    char *remedy; /* where the remedy goes (NULL: nowhere, only the verdict is wanted) */
    size_t cap;
    bool *by_cert; /* set when the verdict is the certificate's */
};

static void remedy(const struct ctx *x, const char *fmt, ...) DC_PRINTF(2, 3);

static void remedy(const struct ctx *x, const char *fmt, ...)
{
    if (!x->remedy)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->remedy, x->cap, fmt, ap);
    va_end(ap);
}

/* A row its agent gave nothing for: what to do depends on why, never "run it again" alone. */
static void remedy_unmeasured(const struct ctx *x)
{
    const char *src = x->src_name;
    switch ((enum dc_agent_failure)x->r->agent_failure) {
    case DC_AGENT_UNREACHABLE:
    case DC_AGENT_NOT_ASKED:
        remedy(x,
               "start 'dmsconn agent' on %s (docs/agent-service.md) and let the coordinator "
               "reach it (--agent-port), or leave its row out: --from, or 'agent: none' in the "
               "inventory",
               src);
        break;
    case DC_AGENT_TOKEN:
        remedy(x,
               "give %s's agent and the coordinator the same token file (--token-file), or "
               "leave its row out with --from",
               src);
        break;
    case DC_AGENT_BAD_ANSWER:
        remedy(x,
               "what answers there is not a dmsconn agent of this version: check --agent-port "
               "and the agent's version on %s",
               src);
        break;
    case DC_AGENT_INTERRUPTED:
        remedy(x, "the run was stopped before %s's agent answered", src);
        break;
    case DC_AGENT_CERT:
        remedy(x,
               "if %s's agent got a new key on purpose, put the fingerprint it printed at its "
               "start in the inventory (agent: {fingerprint: ...}); otherwise something else "
               "answers in its place",
               src);
        break;
    case DC_AGENT_CLOCK:
        remedy(x,
               "set %s's clock right (NTP: w32tm /resync on Windows, chrony or "
               "systemd-timesyncd on Linux): its agent refuses requests dated more than %d s "
               "from its own time, or before it started by its clock; the report's clocks say "
               "how far off it is",
               src, DC_SIGN_WINDOW_S);
        break;
    case DC_AGENT_NO_REPORT:
        remedy(x,
               "run 'dmsconn check --from-here --json FILE' on %s (its scheduled task) and give "
               "that report to the merge",
               src);
        break;
    case DC_AGENT_STALE:
        remedy(x,
               "%s's scheduled 'dmsconn check --from-here' has not written a new report: check "
               "that the task ran and where it writes",
               src);
        break;
    case DC_AGENT_OK:
        remedy(x, "not measured (%s): run the check again; on a busy agent, a longer --timeout",
               x->r->detail);
        break;
    }
}

/* A DMA's HTTPS name (MaintenanceSettings.xml) that fails: it is the name, not the node list,
 * that needs mending (DataMiner's docs: the name must resolve to its Agent from every Agent,
 * and its certificate must carry it). false: not an HTTPS name, or not one of these states. */
static bool remedy_https_name(const struct ctx *x, const struct dc_node *dst,
                              const struct dc_node *dma)
{
    const char *name = dst->addresses[0];
    char to[160];
    dci_node_describe(dma, NULL, to, sizeof to);
    switch (x->r->state) {
    case DC_STATE_DNS:
        remedy(x,
               "make %s resolve to %s on %s: a DNS record or a hosts entry; DataMiner's Agents "
               "reach each other by that name",
               name, to, x->src);
        return true;
    case DC_STATE_TLS:
        remedy(x,
               "the certificate on %s's port 443 must carry the name %s (its subject "
               "alternative names): reissue it, or set the HTTPS name to one it carries",
               dma->name, name);
        return true;
    default: return false;
    }
}

/* A TLS failure the certificate explains (dmsconn/cert.h): what to mend on it. false: no
 * certificate was read (no handshake, or one that failed before it). */
static bool remedy_cert(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    struct dc_cert cert;
    char why[96];
    if (!x->r->tls || !x->r->tls[0] || dc_cert_parse(x->r->tls, &cert) != 0)
        return false;
    const char *svc = x->check->service;
    if (!cert.trusted)
        remedy(x,
               "the certificate of %s on %s %s/%u (%s) is not trusted here: %s, issued by %s; "
               "the other Agents must trust its issuer too: give dmsconn that CA (--ca FILE), or "
               "have the certificate issued by a CA the cluster trusts",
               svc, x->dst, x->proto, x->task->port, cert.subject, cert.problem, cert.issuer);
    else if (!cert.names_ok)
        remedy(x,
               "the certificate of %s on %s %s/%u names %s, not %s, by which it is reached: "
               "reissue it with %s in its subject alternative names",
               svc, x->dst, x->proto, x->task->port, cert.san[0] ? cert.san : cert.subject,
               cert.checked, cert.checked);
    else if (dc_cert_judge(&cert, dci_verdict_now(opts), 0, 0, why, sizeof why) != DC_VERDICT_PASS)
        remedy(x, "renew the certificate of %s on %s %s/%u (%s, issued by %s): it %s", svc, x->dst,
               x->proto, x->task->port, cert.subject, cert.issuer, why);
    else
        return false;
    *x->by_cert = true;
    return true;
}

/* A working TLS path: its certificate's expiry (SLDataGateway's thresholds, or the run's),
 * when worse than `v`, is the verdict and the remedy. */
static enum dc_verdict judge_cert(const struct ctx *x, const struct dc_verdict_opts *opts,
                                  enum dc_verdict v)
{
    struct dc_cert cert;
    char why[96];
    if (!x->r->tls || !x->r->tls[0] || dc_cert_parse(x->r->tls, &cert) != 0)
        return v;
    enum dc_verdict c = dc_cert_judge(&cert, dci_verdict_now(opts), opts->cert_warn_days,
                                      opts->cert_fail_days, why, sizeof why);
    if (c <= v)
        return v;
    *x->by_cert = true;
    remedy(x,
           "renew the certificate of %s on %s %s/%u (%s, issued by %s): it %s (a failure "
           "within %.0f days, a warning within %.0f, as DataMiner's SLDataGateway)",
           x->check->service, x->dst, x->proto, x->task->port, cert.subject, cert.issuer, why,
           opts->cert_fail_days, opts->cert_warn_days);
    return c;
}

/* The remedy for a path that should work and does not. */
static void remedy_broken(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    const struct dc_result *r = x->r;
    const unsigned port = x->task->port;
    const char *svc = x->check->service;
    if (x->alias_of && remedy_https_name(x, x->dst_node, x->alias_of))
        return;
    switch (r->state) {
    case DC_STATE_REFUSED:
        remedy(x,
               "nothing listens on %s %s/%u: is %s running there? (or a firewall on %s "
               "rejects with RST)",
               x->dst, x->proto, port, svc, x->dst_name);
        break;
    case DC_STATE_FILTERED:
        remedy(x,
               "allow %s/%u from %s to %s: packets are dropped, likely by a firewall rule "
               "on %s, on the path, or in the outgoing rules of %s",
               x->proto, port, x->src, x->dst, x->dst_name, x->src);
        break;
    case DC_STATE_UNREACHABLE:
        remedy(x,
               "%s is unreachable from %s: check the address in the node list, routing, and "
               "firewalls that answer with ICMP unreachable",
               x->dst, x->src);
        break;
    case DC_STATE_DNS:
        remedy(x,
               "the name of %s does not resolve on %s: fix DNS or put the IP address in the "
               "node list",
               x->dst_name, x->src);
        break;
    case DC_STATE_WRONG_SERVICE:
        remedy(x,
               "something other than %s answers on %s %s/%u: free the port or move %s to "
               "its configured port",
               svc, x->dst, x->proto, port, svc);
        break;
    case DC_STATE_TLS:
        if (strcmp(r->detail, DCI_TLS_TOO_OLD) == 0)
            remedy(x,
                   "enable TLS 1.2 (or 1.3) for %s on %s %s/%u: DataMiner 10.5.12 and later "
                   "refuse older TLS",
                   svc, x->dst, x->proto, port);
        else if (!remedy_cert(x, opts))
            remedy(x,
                   "the TLS handshake with %s on %s %s/%u failed: check its certificate and "
                   "TLS settings",
                   svc, x->dst, x->proto, port);
        break;
    case DC_STATE_AUTH:
        remedy(x, "%s on %s refused the credentials: check the credentials file", svc, x->dst);
        break;
    case DC_STATE_DEGRADED:
        remedy(x, "%s on %s answers but is unhealthy: %s", svc, x->dst, r->detail);
        break;
    case DC_STATE_ERROR:
        remedy(x,
               "dmsconn could not run this probe on %s (%s): rerun with a lower "
               "--concurrency or check the local system",
               x->src, r->detail);
        break;
    case DC_STATE_UNKNOWN:
        if (x->check->probe->proto->unavailable && *x->check->probe->proto->unavailable)
            remedy(x, "%s", *x->check->probe->proto->unavailable);
        else
            remedy_unmeasured(x);
        break;
    case DC_STATE_OK:
    case DC_STATE_COUNT: break;
    }
}

/* A path that works: it passes unless slower than the run's threshold; `bpa` is what
 * DataMiner's BPA says of such a round trip. */
static enum dc_verdict judge_working(const struct ctx *x, const struct dc_verdict_opts *opts,
                                     const char *bpa)
{
    const struct dc_result *r = x->r;
    if (r->latency_ms <= opts->slow_ms)
        return DC_VERDICT_PASS;
    remedy(x,
           "round trip %.0f ms from %s to %s exceeds %.0f ms (DataMiner's BPA %s): check the "
           "network path",
           r->latency_ms, x->src, x->dst, opts->slow_ms, bpa);
    return DC_VERDICT_WARN;
}

static enum dc_verdict judge_required(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    const struct dc_result *r = x->r;
    if (r->state == DC_STATE_OK)
        return judge_cert(x, opts, judge_working(x, opts, "warns above 50 ms"));
    remedy_broken(x, opts);
    switch (r->state) {
    case DC_STATE_DEGRADED: return r->severe ? DC_VERDICT_FAIL : DC_VERDICT_WARN;
    case DC_STATE_ERROR:
    case DC_STATE_UNKNOWN: return DC_VERDICT_WARN;
    default: return DC_VERDICT_FAIL;
    }
}

/* Optional paths may be closed; something wrong that answers there is still worth a look. */
static enum dc_verdict judge_optional(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    if (x->r->state == DC_STATE_OK)
        return judge_cert(x, opts, DC_VERDICT_PASS);
    if (closed_state(x->r->state))
        return DC_VERDICT_PASS;
    remedy_broken(x, opts);
    return DC_VERDICT_WARN;
}

static enum dc_verdict judge_closed(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    const struct dc_result *r = x->r;
    if (closed_state(r->state))
        return DC_VERDICT_PASS;
    if (answered_state(r->state)) {
        remedy(x,
               "%s is open on %s %s/%u but must be closed: disable the service or block "
               "%s/%u in %s's firewall",
               x->check->service, x->dst, x->proto, x->task->port, x->proto, x->task->port,
               x->dst_name);
        return DC_VERDICT_FAIL;
    }
    remedy_broken(x, opts);
    return DC_VERDICT_WARN;
}

/* A service the cluster no longer uses (Remoting where gRPC replaced it): still answering is
 * worth a look (an attack surface, or Agents that disagree on the setting), never a failure. */
static enum dc_verdict judge_unused(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    const struct dc_result *r = x->r;
    if (closed_state(r->state))
        return DC_VERDICT_PASS;
    if (answered_state(r->state)) {
        remedy(x,
               "%s still answers on %s %s/%u although the cluster's files say it is not "
               "used: disable it on %s (the same setting on every Agent), or close %s/%u in "
               "its firewall",
               x->check->service, x->dst, x->proto, x->task->port, x->dst_name, x->proto,
               x->task->port);
        return DC_VERDICT_WARN;
    }
    remedy_broken(x, opts);
    return DC_VERDICT_WARN;
}

/* Should work, but a failure only warns (ICMP echo: networks filter it on purpose, and the
 * ports decide). DataMiner's BPA says the same of its ping: a warning. */
static enum dc_verdict judge_advisory(const struct ctx *x, const struct dc_verdict_opts *opts)
{
    const struct dc_result *r = x->r;
    if (r->state == DC_STATE_OK)
        return judge_cert(
            x, opts,
            judge_working(x, opts, "says \"ICMP ping round-trip time was bigger than 50 ms\""));
    if (x->check->transport == DC_TRANSPORT_ICMP && r->state == DC_STATE_UNKNOWN &&
        r->agent_failure == DC_AGENT_OK && strncmp(r->detail, "no ICMP socket", 14) == 0)
        remedy(x,
               "let dmsconn send ICMP echo on %s: a ping socket for its group (sysctl -w "
               "net.ipv4.ping_group_range='0 2147483647', in /etc/sysctl.d to keep it) or a raw "
               "socket (run it as root, or setcap cap_net_raw+ep on the program)",
               x->src);
    else if (x->check->transport == DC_TRANSPORT_ICMP &&
             (r->state == DC_STATE_FILTERED || r->state == DC_STATE_UNREACHABLE))
        remedy(x,
               "no ICMP echo reply from %s to %s (DataMiner's BPA: \"ICMP ping to these Agents "
               "failed\"): if ICMP is not filtered on purpose, allow echo request and reply "
               "between them; the ports' checks say whether the services are reachable",
               x->dst, x->src);
    else
        remedy_broken(x, opts);
    return DC_VERDICT_WARN;
}

/* Both entry points run the same judgement, so the verdict and its remedy never disagree. */
static enum dc_verdict evaluate(const struct dc_cluster *cluster, const struct dc_profile *profile,
                                const struct dc_task *task, const struct dc_verdict_opts *opts,
                                const struct dc_result *result, char *buf, size_t cap,
                                bool *by_cert)
{
    struct dc_verdict_opts defaults;
    if (!opts) {
        dc_verdict_opts_default(&defaults);
        opts = &defaults;
    }
    struct ctx x = {
        .check = &profile->checks[task->check],
        .task = task,
        .r = result,
        .remedy = buf,
        .cap = cap,
        .by_cert = by_cert,
    };
    *by_cert = false;
    const struct dc_node *src = &cluster->nodes[task->from];
    const struct dc_node *dst = &cluster->nodes[task->to];
    x.alias_of = dst->alias ? &cluster->nodes[dst->alias_of] : NULL;
    x.dst_node = dst;
    x.proto = dc_transport_name(x.check->transport);
    x.dst_name = dst->name;
    x.src_name = src->name;
    if (buf) {
        buf[0] = '\0';
        dci_node_describe(src, NULL, x.src, sizeof x.src);
        dci_node_describe(dst, result->address, x.dst, sizeof x.dst);
    }
    switch (x.check->expect) {
    case DC_EXPECT_REQUIRED: return judge_required(&x, opts);
    case DC_EXPECT_OPTIONAL: return judge_optional(&x, opts);
    case DC_EXPECT_MUST_BE_CLOSED: return judge_closed(&x, opts);
    case DC_EXPECT_UNUSED: return judge_unused(&x, opts);
    case DC_EXPECT_ADVISORY: return judge_advisory(&x, opts);
    }
    return DC_VERDICT_FAIL;
}

void dc_verdict_judge(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct dc_task *task, const struct dc_verdict_opts *opts,
                      struct dc_result *result)
{
    bool by_cert;
    result->verdict = evaluate(cluster, profile, task, opts, result, NULL, 0, &by_cert);
    result->by_cert = by_cert && result->verdict != DC_VERDICT_PASS;
}

void dc_verdict_remedy(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_task *task, const struct dc_verdict_opts *opts,
                       const struct dc_result *result, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    bool by_cert;
    evaluate(cluster, profile, task, opts, result, buf, cap, &by_cert);
}

/* The run's verdict, one result at a time: the one rule both entry points use. An advisory
 * check that could not be measured (ICMP echo where this machine may not send it) warns in
 * its cell, with the remedy, but leaves the run's verdict to what was measured: a healthy
 * cluster checked from a host without an ICMP socket is not a warning about the cluster
 * (the terminal's verdict line counts them apart). */
struct run_tally {
    bool fail, warn, unknown;
};

static void tally_result(struct run_tally *t, const struct dc_result *r, bool advisory)
{
    bool unmeasured = r->state == DC_STATE_UNKNOWN || r->state == DC_STATE_ERROR;
    t->fail |= r->verdict == DC_VERDICT_FAIL;
    t->unknown |= unmeasured && !advisory;
    t->warn |= r->verdict == DC_VERDICT_WARN && !unmeasured;
}

static enum dc_run_verdict run_verdict(const struct run_tally *t)
{
    return t->fail      ? DC_RUN_CRITICAL
           : t->unknown ? DC_RUN_UNKNOWN
           : t->warn    ? DC_RUN_WARNING
                        : DC_RUN_OK;
}

enum dc_run_verdict dc_verdict_run(const struct dc_result *results, size_t n)
{
    struct run_tally t = {0};
    for (size_t i = 0; i < n; i++)
        tally_result(&t, &results[i], false);
    return run_verdict(&t);
}

enum dc_run_verdict dc_verdict_run_all(const struct dc_cluster *cluster,
                                       const struct dc_profile *profile, const struct dc_plan *plan,
                                       const struct dc_verdict_opts *opts,
                                       struct dc_result *results, struct dc_texts *texts)
{
    char remedy[512];
    struct run_tally t = {0};
    for (size_t i = 0; i < plan->ntasks; i++) {
        struct dc_result *r = &results[i];
        dc_verdict_judge(cluster, profile, &plan->tasks[i], opts, r);
        dc_verdict_remedy(cluster, profile, &plan->tasks[i], opts, r, remedy, sizeof remedy);
        r->remedy = remedy[0] ? dci_texts_keep(texts, remedy) : "";
        tally_result(&t, r, profile->checks[plan->tasks[i].check].expect == DC_EXPECT_ADVISORY);
    }
    return run_verdict(&t);
}
