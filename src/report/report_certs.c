/* The run's certificates, each once (report_private.h): every TLS endpoint's certificate as
 * the sources saw it, soonest expiry first, for the terminal's and the page's "Certificates"
 * and Prometheus's expiry metric. */
#include "dmsconn/cert.h"
#include "dmsconn/probe.h"
#include "dmsconn/report.h"
#include "base/base_private.h"
#include "report/report_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The same endpoint showing the same certificate: one entry (texts are pooled, so an equal
 * certificate is the same pointer). */
static bool same(const struct dc_report *rep, const struct dci_cert_entry *e, size_t i)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    const struct dc_task *u = &rep->plan->tasks[e->first];
    return t->to == u->to && t->port == u->port &&
           rep->results[i].tls == rep->results[e->first].tls;
}

static int by_expiry(const void *a, const void *b)
{
    const struct dci_cert_entry *x = a, *y = b;
    if (x->cert.not_after != y->cert.not_after)
        return x->cert.not_after < y->cert.not_after ? -1 : 1;
    if (x->agent != y->agent)
        return x->agent < y->agent ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* An agent's certificate: curl verified it against --agent-ca or the system's CAs, or pinned
 * its key (whose dates the pin ignores: shown, not judged). */
static void judge_agent(const struct dc_report *rep, struct dci_cert_entry *e, double now)
{
    const struct dc_verdict_opts *o = rep->verdict_opts;
    e->problems[0] = '\0';
    e->why[0] = '\0';
    if (rep->cluster->nodes[e->agent].agent_pin) {
        e->verdict = DC_VERDICT_PASS;
        snprintf(e->problems, sizeof e->problems,
                 "pinned by its key (the inventory's fingerprint): its dates are not used");
        return;
    }
    e->verdict = dc_cert_judge(&e->cert, now, o ? o->cert_warn_days : 30, o ? o->cert_fail_days : 7,
                               e->why, sizeof e->why);
}

/* The agents' certificates, after the endpoints' in list[0..n) (grown as needed). */
static size_t add_agents(const struct dc_report *rep, struct dci_cert_entry **list, size_t n,
                         size_t *cap, double now)
{
    for (size_t node = 0; rep->agent_certs && node < rep->cluster->nnodes; node++) {
        struct dc_cert cert;
        const char *text = rep->agent_certs[node];
        if (!text || dc_cert_parse(text, &cert) != 0)
            continue;
        if (n == *cap) {
            size_t want = *cap ? *cap * 2 : 16;
            struct dci_cert_entry *grown = realloc(*list, want * sizeof **list);
            if (!grown)
                break;
            *list = grown;
            *cap = want;
        }
        (*list)[n] = (struct dci_cert_entry){.cert = cert, .agent = (long)node, .sources = 1};
        judge_agent(rep, &(*list)[n], now);
        n++;
    }
    return n;
}

/* The verdict of the certificate itself: its expiry, and a failure where a source refused it
 * for its trust or its names (under --tls-insecure nothing was refused: expiry alone). */
static void judge(const struct dc_report *rep, struct dci_cert_entry *e, double now)
{
    const struct dc_verdict_opts *o = rep->verdict_opts;
    e->verdict = dc_cert_judge(&e->cert, now, o ? o->cert_warn_days : 30, o ? o->cert_fail_days : 7,
                               e->why, sizeof e->why);
    if ((!e->cert.trusted || !e->cert.names_ok) && e->refused)
        e->verdict = DC_VERDICT_FAIL;
    char *p = e->problems;
    size_t cap = sizeof e->problems;
    p[0] = '\0';
    if (!e->cert.trusted)
        snprintf(p, cap, "not trusted: %s", e->cert.problem);
    if (!e->cert.names_ok) {
        size_t at = strlen(p);
        snprintf(p + at, cap - at, "%sdoes not name %s", at ? "; " : "", e->cert.checked);
    }
}

struct dci_cert_entry *dci_cert_list(const struct dc_report *rep, size_t *count)
{
    size_t n = 0, cap = 0;
    struct dci_cert_entry *list = NULL;
    double now = dci_verdict_now(rep->verdict_opts);
    *count = 0;
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        const struct dc_result *r = &rep->results[i];
        if (!r->tls || !r->tls[0])
            continue;
        size_t k = 0;
        while (k < n && !same(rep, &list[k], i))
            k++;
        if (k == n) {
            struct dc_cert cert;
            if (dc_cert_parse(r->tls, &cert) != 0)
                continue;
            if (n == cap) {
                size_t want = cap ? cap * 2 : 16;
                struct dci_cert_entry *grown = realloc(list, want * sizeof *list);
                if (!grown)
                    break; /* the ones listed so far */
                list = grown;
                cap = want;
            }
            list[n++] = (struct dci_cert_entry){.cert = cert, .first = i, .agent = -1};
        }
        list[k].sources++;
        list[k].refused |= r->state == DC_STATE_TLS;
    }
    for (size_t k = 0; k < n; k++)
        judge(rep, &list[k], now);
    n = add_agents(rep, &list, n, &cap, now);
    if (n)
        qsort(list, n, sizeof *list, by_expiry);
    *count = n;
    return list;
}

void dci_cert_entry_where(const struct dc_report *rep, const struct dci_cert_entry *e, char *buf,
                          size_t cap)
{
    if (e->agent >= 0) {
        snprintf(buf, cap, "%s dmsconn agent (HTTPS)", rep->cluster->nodes[e->agent].name);
        return;
    }
    const struct dc_task *t = &rep->plan->tasks[e->first];
    const struct dc_check *c = &rep->profile->checks[t->check];
    char port[16];
    snprintf(buf, cap, "%s %s %s", rep->cluster->nodes[t->to].name,
             dci_port_label(c->transport, t->port, port, sizeof port), c->service);
}

enum dc_run_verdict dc_report_agent_certs_verdict(const struct dc_report *rep,
                                                  enum dc_run_verdict verdict)
{
    if (!rep->agent_certs)
        return verdict;
    size_t n = 0;
    struct dci_cert_entry *list = dci_cert_list(rep, &n);
    for (size_t k = 0; k < n; k++) {
        if (list[k].agent < 0 || list[k].verdict == DC_VERDICT_PASS)
            continue;
        if (list[k].verdict == DC_VERDICT_FAIL) /* as a clock's (dc_clock_run_verdict) */
            verdict = DC_RUN_CRITICAL;
        else if (verdict == DC_RUN_OK)
            verdict = DC_RUN_WARNING;
    }
    free(list);
    return verdict;
}
