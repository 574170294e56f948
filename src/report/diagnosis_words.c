/* The diagnosis in words: for each cause, one line that names it, the evidence the matrix gives
 * for it (and what it cannot tell), and the one remedy that fixes every cell of it, worded as a
 * firewall rule where it is one (the plan's CSV names the same sources, destinations and
 * ports). */
#include "report/diagnosis_private.h"
#include "report/report_private.h"
#include "base/base_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_MAX 8 /* nodes named in a list; the rest are counted */

/* A string written piece by piece (a few hundred bytes a cause: a stdio memory stream would
 * cost an 8 KiB buffer each); `failed` once memory ran out. */
struct text {
    char *s;
    size_t len, cap;
    bool failed;
};

/* Room for `more` bytes and the terminator; false (and `failed`) when memory ran out. */
static bool reserve(struct text *t, size_t more)
{
    if (t->failed)
        return false;
    if (t->len + more + 1 <= t->cap)
        return true;
    size_t cap = t->cap * 2 > t->len + more + 1 ? t->cap * 2 : t->len + more + 64;
    char *grown = realloc(t->s, cap);
    if (!grown) {
        t->failed = true;
        return false;
    }
    t->s = grown;
    t->cap = cap;
    return true;
}

static void text_printf(struct text *t, const char *fmt, ...) DC_PRINTF(2, 3);

static void text_printf(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    /* into the room there is; only what does not fit is formatted twice */
    size_t room = t->s ? t->cap - t->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? t->s + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if ((size_t)n >= room) {
        if (!reserve(t, (size_t)n))
            return;
        va_start(ap, fmt);
        vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
    }
    t->len += (size_t)n;
}

static void text_append(struct text *t, const char *s, size_t n)
{
    if (!reserve(t, n))
        return;
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
    text_append(t, s, strlen(s));
}

static void text_putc(struct text *t, char c)
{
    text_append(t, &c, 1);
}

/* The text, the caller's to free ("" when nothing was written; NULL: out of memory). */
static char *text_take(struct text *t)
{
    if (t->failed) {
        free(t->s);
        return NULL;
    }
    return t->s ? t->s : strdup("");
}

/* The distinct sources (or destinations) of the cause's cells, ascending; their count. */
static size_t ends(const struct dci_diag_ctx *x, const struct dc_cause *c, bool sources,
                   uint32_t *out)
{
    bool *mark = calloc(x->nnodes ? x->nnodes : 1, sizeof *mark);
    size_t n = 0;
    if (!mark)
        return 0;
    for (size_t m = 0; m < c->ncells; m++) {
        const struct dc_task *t = &x->plan->tasks[c->cells[m]];
        mark[sources ? t->from : t->to] = true;
    }
    for (uint32_t i = 0; i < x->nnodes; i++) {
        if (mark[i])
            out[n++] = i;
    }
    free(mark);
    return n;
}

/* "dma1, dma2 and db1", with addresses ("dma1 (10.0.0.11)") when asked; past LIST_MAX names,
 * "and 12 more". */
static void node_list(struct text *f, const struct dc_cluster *cl, const uint32_t *nodes, size_t n,
                      bool addresses)
{
    char buf[200];
    for (size_t i = 0; i < n; i++) {
        if (i == LIST_MAX) {
            text_printf(f, " and %zu more", n - i);
            return;
        }
        const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
        if (addresses)
            dci_node_describe(&cl->nodes[nodes[i]], NULL, buf, sizeof buf);
        text_puts(f, sep);
        text_puts(f, addresses ? buf : cl->nodes[nodes[i]].name);
    }
}

/* "tcp/9042 (cql)" or "tcp/443 (slnet-grpc, brokergateway) and tcp/4222 (nats-client)". */
static void port_list(struct text *f, const struct dc_cause *c, bool with_checks)
{
    for (size_t p = 0; p < c->nports; p++) {
        /* appended piece by piece: a cause of a large matrix lists many ports, many times */
        char digits[8], *d = digits + sizeof digits;
        unsigned v = c->ports[p].port;
        *--d = '\0';
        do
            *--d = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        text_puts(f, p == 0 ? "" : p + 1 == c->nports ? " and " : ", ");
        text_puts(f, dc_transport_name(c->ports[p].transport));
        if (c->ports[p].transport != DC_TRANSPORT_ICMP) { /* ICMP has no port */
            text_putc(f, '/');
            text_puts(f, d);
        }
        if (with_checks) {
            text_puts(f, " (");
            text_puts(f, c->ports[p].checks);
            text_putc(f, ')');
        }
    }
}

static void describe(const struct dci_diag_ctx *x, uint32_t node, char *buf, size_t cap)
{
    dci_node_describe(&x->cluster->nodes[node], NULL, buf, cap);
}

/* Whether the tally of any of the cause's ports at this node shows an answer. */
static bool answers_on_ports(const struct dci_diag_ctx *x, const struct dci_tally *tallies,
                             uint32_t node, const struct dc_cause *c)
{
    for (size_t k = 0; k < x->nkeys; k++) {
        for (size_t p = 0; p < c->nports; p++) {
            if (x->key_port[k] == c->ports[p].port &&
                x->key_transport[k] == (uint8_t)c->ports[p].transport &&
                tallies[node * x->nkeys + k].answered)
                return true;
        }
    }
    return false;
}

static const struct dc_result *first(const struct dci_diag_ctx *x, const struct dc_cause *c)
{
    return &x->results[c->cells[0]];
}

/* The cells' own remedy when every cell has the same one, else NULL. */
static const char *shared_remedy(const struct dci_diag_ctx *x, const struct dc_cause *c)
{
    const char *r = first(x, c)->remedy;
    for (size_t m = 1; m < c->ncells; m++) {
        if (strcmp(x->results[c->cells[m]].remedy, r) != 0)
            return NULL;
    }
    return r;
}

struct words {
    struct text summary, evidence, remedy;
    uint32_t *src, *dst;
    size_t nsrc, ndst;
    char to[200], from[200];
};

static void words_unreachable(const struct dci_diag_ctx *x, const struct dc_cause *c,
                              struct words *w)
{
    size_t towards = 0, k = 0;
    for (size_t m = 0; m < c->ncells; m++)
        towards += x->plan->tasks[c->cells[m]].to == c->to;
    for (size_t i = 0; i < w->nsrc; i++) { /* its own row is not a source of its silence */
        if (w->src[i] != c->to)
            w->src[k++] = w->src[i];
    }
    w->nsrc = k;
    text_printf(&w->summary, "%s answers nothing: no checked port answers any source", w->to);
    text_printf(&w->evidence, "%zu check%s from ", towards, towards == 1 ? "" : "s");
    node_list(&w->evidence, x->cluster, w->src, w->nsrc, false);
    text_puts(&w->evidence, " on ");
    port_list(&w->evidence, c, false);
    text_puts(&w->evidence, " met silence or ICMP unreachable; none was answered or refused");
    const struct dc_node *d = &x->cluster->nodes[c->to];
    if (!x->is_source[c->to])
        text_printf(&w->evidence, "; %s has no agent to say whether it is up", d->name);
    else {
        for (size_t m = 0; m < c->ncells; m++) {
            const struct dc_task *t = &x->plan->tasks[c->cells[m]];
            if (t->from == c->to) {
                text_printf(&w->evidence, "; its own agent gave nothing: %s",
                            x->results[c->cells[m]].detail);
                break;
            }
        }
    }
    if (c->alternatives & (1u << DC_CAUSE_PATH_BLOCKED))
        text_printf(&w->evidence,
                    "; only one source asked: other rows would tell whether %s is down or only "
                    "blocked from there",
                    d->name);
    text_printf(&w->remedy, "check that %s is up and on the network at %s (%s)", d->name,
                d->naddresses ? d->addresses[0] : d->name, d->origin ? d->origin : "the node list");
    text_printf(&w->remedy, "; if it is, its firewall drops everything: allow ");
    port_list(&w->remedy, c, false);
    text_printf(&w->remedy, " from ");
    node_list(&w->remedy, x->cluster, w->src, w->nsrc, true);
    text_printf(&w->remedy, " in %s's inbound rules", d->name);
}

/* "its agent answered" / "it answers other ports": why the destination is up. */
static const char *up_because(const struct dci_diag_ctx *x, uint32_t node)
{
    if (x->row_measured[node])
        return "its own row of checks was measured";
    if (x->port_reached[node])
        return "other ports of it answer or refuse";
    if (x->reached[node])
        return "it answers ICMP echo";
    return NULL;
}

static void words_service_down(const struct dci_diag_ctx *x, const struct dc_cause *c,
                               struct words *w)
{
    const struct dc_node *d = &x->cluster->nodes[c->to];
    text_printf(&w->summary, "%s refuses ", w->to);
    port_list(&w->summary, c, true);
    text_printf(&w->summary, " from every source that asked: nothing listens");
    text_printf(&w->evidence, "refused (RST) from ");
    node_list(&w->evidence, x->cluster, w->src, w->nsrc, false);
    if (c->alternatives & (1u << DC_CAUSE_PATH_BLOCKED))
        text_printf(&w->evidence,
                    "; only one source asked: a firewall between them that rejects with RST looks "
                    "the same, and other rows would tell whether %s refuses everyone",
                    d->name);
    text_puts(&w->remedy, "start ");
    for (size_t p = 0; p < c->nports; p++) {
        const struct dc_task *t = NULL;
        for (size_t m = 0; m < c->ncells && !t; m++) {
            const struct dc_task *u = &x->plan->tasks[c->cells[m]];
            if (u->port == c->ports[p].port)
                t = u;
        }
        struct dc_cause one = {.ports = &c->ports[p], .nports = 1};
        text_puts(&w->remedy, p == 0 ? "" : p + 1 == c->nports ? " and " : ", ");
        text_puts(&w->remedy, t ? x->profile->checks[t->check].service : "its service");
        text_puts(&w->remedy, " (");
        port_list(&w->remedy, &one, false);
        text_putc(&w->remedy, ')');
    }
    text_printf(&w->remedy,
                " on %s; if %s, %s on another address or port, or %s's firewall rejects ", d->name,
                c->nports == 1 ? "it runs" : "they run",
                c->nports == 1 ? "it listens" : "they listen", d->name);
    port_list(&w->remedy, c, false);
    text_puts(&w->remedy, " with RST");
}

static void words_inbound(const struct dci_diag_ctx *x, const struct dc_cause *c, struct words *w)
{
    const struct dc_node *d = &x->cluster->nodes[c->to];
    bool every = !x->port_reached[c->to];
    if (every) { /* nothing of it answers anyone: the failing ports are all it was asked on */
        text_printf(&w->summary, "%s drops every port from every source: ", w->to);
        port_list(&w->summary, c, true);
        text_puts(&w->summary, " fail");
    } else {
        text_printf(&w->summary, "%s drops ", w->to);
        port_list(&w->summary, c, true);
        text_puts(&w->summary, " from every source");
    }
    text_puts(&w->evidence, "no answer on those ports to ");
    node_list(&w->evidence, x->cluster, w->src, w->nsrc, false);
    const char *up = up_because(x, c->to);
    text_printf(&w->evidence, " (every source that asked), while %s is up: %s", d->name,
                up ? up : "its agent answered");
    text_printf(&w->remedy, "in %s's inbound firewall, allow ", d->name);
    port_list(&w->remedy, c, false);
    text_puts(&w->remedy, " from ");
    node_list(&w->remedy, x->cluster, w->src, w->nsrc, true);
}

static void words_outbound(const struct dci_diag_ctx *x, const struct dc_cause *c, struct words *w)
{
    const struct dc_node *s = &x->cluster->nodes[c->from];
    text_printf(&w->summary, "%s gets no answer on ", w->from);
    port_list(&w->summary, c, true);
    text_puts(&w->summary, " from any destination");
    text_puts(&w->evidence, "dropped towards ");
    node_list(&w->evidence, x->cluster, w->dst, w->ndst, false);
    text_printf(&w->evidence, " (every destination %s asked on it)", s->name);
    if (c->alternatives & (1u << DC_CAUSE_INBOUND_BLOCKED))
        text_printf(&w->evidence,
                    "; no other source asked some of them on it: other rows would tell whether %s "
                    "cannot send it or they drop it from everyone",
                    s->name);
    else
        text_puts(&w->evidence, ", which answer it from other sources");
    text_printf(&w->remedy, "in %s's outbound firewall (or the network it sends from), allow ",
                s->name);
    port_list(&w->remedy, c, false);
    text_puts(&w->remedy, " to ");
    node_list(&w->remedy, x->cluster, w->dst, w->ndst, true);
}

static void group(struct text *f, const struct dci_diag_ctx *x, const uint32_t *nodes, size_t n,
                  const char *net, bool addresses)
{
    if (net) {
        text_printf(f, "%s (", net);
        node_list(f, x->cluster, nodes, n, false);
        text_putc(f, ')');
    } else {
        node_list(f, x->cluster, nodes, n, addresses);
    }
}

static void words_segment(const struct dci_diag_ctx *x, const struct dc_cause *c, struct words *w)
{
    port_list(&w->summary, c, true);
    text_puts(&w->summary, " is dropped from ");
    group(&w->summary, x, c->from_group, c->nfrom_group, c->from_net, false);
    text_puts(&w->summary, " to ");
    group(&w->summary, x, c->to_group, c->nto_group, c->to_net, false);
    text_puts(&w->evidence, "each of ");
    node_list(&w->evidence, x->cluster, c->from_group, c->nfrom_group, false);
    text_puts(&w->evidence, " fails it to each of ");
    node_list(&w->evidence, x->cluster, c->to_group, c->nto_group, false);
    bool out_ok = false, in_ok = false;
    for (size_t i = 0; i < c->nfrom_group; i++)
        out_ok = out_ok || answers_on_ports(x, x->out, c->from_group[i], c);
    for (size_t i = 0; i < c->nto_group; i++)
        in_ok = in_ok || answers_on_ports(x, x->in, c->to_group[i], c);
    if (out_ok)
        text_puts(&w->evidence, "; the sources reach it on other nodes");
    if (in_ok)
        text_puts(&w->evidence, "; the destinations answer it to other sources");
    if (c->from_net && c->to_net)
        text_printf(&w->remedy, "on the firewall between %s and %s, allow ", c->from_net,
                    c->to_net);
    else
        text_puts(&w->remedy, "allow ");
    port_list(&w->remedy, c, false);
    text_puts(&w->remedy, " from ");
    group(&w->remedy, x, c->from_group, c->nfrom_group, c->from_net, true);
    text_puts(&w->remedy, " to ");
    group(&w->remedy, x, c->to_group, c->nto_group, c->to_net, true);
    if (!c->from_net || !c->to_net)
        text_puts(&w->remedy,
                  ": a firewall between the two groups, or the destinations' inbound rules");
}

static void words_path(const struct dci_diag_ctx *x, const struct dc_cause *c, struct words *w)
{
    const struct dc_node *s = &x->cluster->nodes[c->from], *d = &x->cluster->nodes[c->to];
    bool refused = first(x, c)->state == DC_STATE_REFUSED;
    text_printf(&w->summary, "%s -> %s: ", s->name, d->name);
    port_list(&w->summary, c, true);
    text_printf(&w->summary, " %s", refused ? "rejected (RST)" : "dropped");
    if (c->one_direction)
        text_printf(&w->summary, " (one direction: %s -> %s passes)", d->name, s->name);
    bool in_ok = answers_on_ports(x, x->in, c->to, c),
         out_ok = answers_on_ports(x, x->out, c->from, c);
    const char *sep = "";
    if (in_ok) {
        text_printf(&w->evidence, "%s answers it from other sources", d->name);
        sep = "; ";
    }
    if (out_ok) {
        text_printf(&w->evidence, "%s%s reaches it on other destinations", sep, s->name);
        sep = "; ";
    }
    if (c->alternatives & (1u << DC_CAUSE_INBOUND_BLOCKED))
        text_printf(&w->evidence,
                    "%sonly %s asked %s on it: other rows would tell whether %s %s it from "
                    "everyone",
                    sep, s->name, d->name, d->name, refused ? "refuses" : "drops");
    else if (!*sep)
        text_puts(&w->evidence, "nothing else fails between them");
    text_puts(&w->remedy, "allow ");
    port_list(&w->remedy, c, false);
    text_printf(&w->remedy,
                " from %s to %s: in %s's inbound rules, %s's outbound rules, or a firewall "
                "between them%s",
                w->from, w->to, d->name, s->name,
                refused ? " (a rule there rejects it with RST)" : "");
}

/* "the certificate on db1 tcp/9042 expires on 2027-01-05, in 12.5 days": what is wrong with
 * it, as the cells' verdict found it */
static void words_cert_summary(const struct dci_diag_ctx *x, const struct dc_cause *c,
                               const struct dc_result *r, struct words *w)
{
    struct dc_cert cert;
    char why[96] = "";
    char port[16];
    const struct dc_task *t = &x->plan->tasks[c->cells[0]];
    const struct dc_check *check = &x->profile->checks[t->check];
    text_printf(&w->summary, "the certificate of %s on %s %s", check->service,
                x->cluster->nodes[c->to].name,
                dci_port_label(check->transport, t->port, port, sizeof port));
    if (dc_cert_parse(r->tls, &cert) != 0)
        return;
    if (r->state == DC_STATE_TLS && !cert.trusted)
        text_printf(&w->summary, " is not trusted (%s)", cert.problem);
    else if (r->state == DC_STATE_TLS && !cert.names_ok)
        text_printf(&w->summary, " does not name %s", cert.checked);
    else {
        dc_cert_judge(&cert, (double)time(NULL), 1e9, 0, why, sizeof why);
        text_printf(&w->summary, " %s", why);
    }
}

/* The kinds a cell's own verdict already words: their evidence is the first cell's, their
 * remedy the cells' shared one when they share it. */
static void words_cells(const struct dci_diag_ctx *x, const struct dc_cause *c, struct words *w)
{
    const struct dc_result *r = first(x, c);
    const struct dc_check *check = &x->profile->checks[x->plan->tasks[c->cells[0]].check];
    switch (c->kind) {
    case DC_CAUSE_NAME_UNRESOLVED:
        if (x->cluster->nodes[c->to].alias) /* a DMA's HTTPS name, which must lead to it */
            text_printf(&w->summary, "%s does not resolve to %s",
                        x->cluster->nodes[c->to].addresses[0],
                        x->cluster->nodes[x->cluster->nodes[c->to].alias_of].name);
        else
            text_printf(&w->summary, "the name of %s does not resolve",
                        x->cluster->nodes[c->to].name);
        break;
    case DC_CAUSE_CERTIFICATE: words_cert_summary(x, c, r, w); break;
    case DC_CAUSE_SERVICE_FAULT:
        text_printf(&w->summary, "%s on %s answers wrongly (%s)", check->service,
                    x->cluster->nodes[c->to].name, dc_state_name(r->state));
        break;
    case DC_CAUSE_PORT_OPEN:
        text_printf(&w->summary, "%s answers on %s, where it %s,", check->service,
                    x->cluster->nodes[c->to].name,
                    check->expect == DC_EXPECT_UNUSED ? "is not used" : "must be closed");
        break;
    case DC_CAUSE_SLOW:
        text_printf(&w->summary, "paths to %s are slow", x->cluster->nodes[c->to].name);
        break;
    default:
        text_printf(&w->summary, "%s's row: %zu check%s not measured",
                    x->cluster->nodes[c->from].name, c->ncells, c->ncells == 1 ? "" : "s");
        break;
    }
    if (c->kind != DC_CAUSE_NOT_MEASURED) {
        text_puts(&w->summary, c->kind == DC_CAUSE_CERTIFICATE ? ", seen from "
                               : c->kind == DC_CAUSE_NAME_UNRESOLVED || c->kind == DC_CAUSE_SLOW
                                   ? " from "
                                   : " to ");
        node_list(&w->summary, x->cluster, w->src, w->nsrc, false);
    }
    double worst = 0;
    for (size_t m = 0; m < c->ncells; m++) {
        double l = x->results[c->cells[m]].latency_ms;
        worst = l > worst ? l : worst;
    }
    struct dc_cert cert;
    if (c->kind == DC_CAUSE_CERTIFICATE && dc_cert_parse(r->tls, &cert) == 0)
        text_printf(&w->evidence, "%s, issued by %s, names %s, %s; %zu check%s", cert.subject,
                    cert.issuer, cert.san[0] ? cert.san : "none", cert.version, c->ncells,
                    c->ncells == 1 ? "" : "s");
    else if (c->kind == DC_CAUSE_SLOW)
        text_printf(&w->evidence, "%zu check%s over the threshold, the worst %.0f ms", c->ncells,
                    c->ncells == 1 ? "" : "s", worst);
    else
        text_printf(&w->evidence, "%s: %s", dc_state_name(r->state), r->detail);
    const char *shared = shared_remedy(x, c);
    if (shared && *shared)
        text_puts(&w->remedy, shared);
    else if (c->kind == DC_CAUSE_NAME_UNRESOLVED) {
        text_printf(&w->remedy, "make %s resolve on ", x->cluster->nodes[c->to].name);
        node_list(&w->remedy, x->cluster, w->src, w->nsrc, false);
        text_puts(&w->remedy,
                  " (a DNS record or a hosts entry), or put its address in the node list");
    } else if (c->kind == DC_CAUSE_SLOW)
        text_printf(&w->remedy,
                    "check the network path to %s: round trips from its sources exceed the run's "
                    "--slow-ms (DataMiner's BPA warns above 50 ms)",
                    w->to);
    else
        text_puts(&w->remedy, r->remedy);
}

int dci_cause_words(const struct dci_diag_ctx *x, struct dc_cause *c)
{
    struct words w = {.src = malloc((x->nnodes ? x->nnodes : 1) * sizeof *w.src),
                      .dst = malloc((x->nnodes ? x->nnodes : 1) * sizeof *w.dst)};
    int rc = 0;
    if (!w.src || !w.dst || !c->ncells) {
        rc = DC_ENOMEM;
        goto out;
    }
    w.nsrc = ends(x, c, true, w.src);
    w.ndst = ends(x, c, false, w.dst);
    if (c->to != DC_NO_NODE)
        describe(x, c->to, w.to, sizeof w.to);
    if (c->from != DC_NO_NODE)
        describe(x, c->from, w.from, sizeof w.from);
    switch (c->kind) {
    case DC_CAUSE_NODE_UNREACHABLE: words_unreachable(x, c, &w); break;
    case DC_CAUSE_SERVICE_DOWN: words_service_down(x, c, &w); break;
    case DC_CAUSE_INBOUND_BLOCKED: words_inbound(x, c, &w); break;
    case DC_CAUSE_OUTBOUND_BLOCKED: words_outbound(x, c, &w); break;
    case DC_CAUSE_SEGMENT_BLOCKED: words_segment(x, c, &w); break;
    case DC_CAUSE_PATH_BLOCKED: words_path(x, c, &w); break;
    default: words_cells(x, c, &w); break;
    }
out:
    free(w.src);
    free(w.dst);
    if (w.summary.failed || w.evidence.failed || w.remedy.failed)
        rc = DC_ENOMEM;
    /* each a string of its own (empty when nothing was written): the cause owns them */
    c->summary = text_take(&w.summary);
    c->evidence = text_take(&w.evidence);
    c->remedy = text_take(&w.remedy);
    if (!c->summary || !c->evidence || !c->remedy)
        rc = DC_ENOMEM;
    return rc;
}

void dci_diagnosis_headline(const struct dc_diagnosis *d, char *buf, size_t cap)
{
    char fails[48] = "", warns[48] = "";
    if (d->nfail)
        snprintf(fails, sizeof fails, "%zu failed check%s%s", d->nfail, d->nfail == 1 ? "" : "s",
                 d->nwarn ? " and " : "");
    if (d->nwarn)
        snprintf(warns, sizeof warns, "%zu warning%s", d->nwarn, d->nwarn == 1 ? "" : "s");
    snprintf(buf, cap, "%zu cause%s explain%s %s%s", d->n, d->n == 1 ? "" : "s",
             d->n == 1 ? "s" : "", fails, warns);
}
