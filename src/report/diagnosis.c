/* The diagnosis stage: after the verdicts, the whole matrix is read at once and its failed and
 * warned cells are explained by as few causes as the evidence allows. The rules run in the
 * order of enum dc_cause_kind and a cell goes to the first that explains it; each rule reads
 * tallies made in one pass over the plan, so a matrix of 400,000 cells costs a few passes
 * (docs/diagnosis.md gives each rule, its evidence and what it cannot tell). The words are
 * diagnosis_words.c's. */
#include "dmsconn/diagnosis.h"
#include "report/diagnosis_private.h"
#include "base/base_private.h"
#include "base/os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[DC_CAUSE_KINDS] = {
    "node_unreachable",
    "service_down",
    "inbound_blocked",
    "outbound_blocked",
    "segment_blocked",
    "path_blocked",
    "name_unresolved",
    "certificate",
    "service_fault",
    "port_open",
    "slow",
    "not_measured",
};

const char *dc_cause_kind_name(enum dc_cause_kind kind)
{
    return (unsigned)kind < DC_CAUSE_KINDS ? kind_names[kind] : "unknown";
}

static enum dci_obs observe(const struct dc_result *r)
{
    if (dci_result_unmeasured(r))
        return DCI_OBS_NONE;
    switch (r->state) {
    case DC_STATE_REFUSED: return DCI_OBS_REFUSED;
    case DC_STATE_FILTERED:
    case DC_STATE_UNREACHABLE: return DCI_OBS_SILENT;
    case DC_STATE_DNS: return DCI_OBS_NAME;
    default: return DCI_OBS_ANSWERED;
    }
}

static enum dci_bad badness(const struct dc_check *c, const struct dc_result *r, enum dci_obs o)
{
    if (r->verdict == DC_VERDICT_PASS)
        return DCI_BAD_NONE;
    switch (o) {
    case DCI_OBS_NONE: return DCI_BAD_UNMEASURED;
    case DCI_OBS_REFUSED: return DCI_BAD_REFUSED;
    case DCI_OBS_SILENT: return DCI_BAD_SILENT;
    case DCI_OBS_NAME: return DCI_BAD_NAME;
    case DCI_OBS_ANSWERED: break;
    }
    if (c->expect == DC_EXPECT_MUST_BE_CLOSED || c->expect == DC_EXPECT_UNUSED)
        return DCI_BAD_OPEN;
    if (r->by_cert)
        return DCI_BAD_CERT;
    return r->state == DC_STATE_OK ? DCI_BAD_SLOW : DCI_BAD_FAULT;
}

static int cause_ports(const struct dci_diag_ctx *x, struct dc_cause *c);

/* The causes in rule order (the rest's kinds were made in the order their cells came), those a
 * rule made but no cell went to left out, each with its cells, ports and words. */
static void finish(struct dci_diag_run *r)
{
    struct dc_diagnosis *d = r->d;
    const struct dci_diag_ctx *x = &r->x;
    const size_t n = d->n;
    size_t *count = calloc(n ? n : 1, sizeof *count);
    uint32_t *perm = malloc((n ? n : 1) * sizeof *perm), *rank = malloc((n ? n : 1) * sizeof *rank);
    struct dc_cause *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!count || !perm || !rank || !sorted) {
        r->failed = true;
        goto out;
    }
    for (size_t i = 0; i < x->ntasks; i++) {
        if (d->cause_of[i] != DC_NO_CAUSE)
            count[d->cause_of[i]]++;
    }
    /* by kind, stable: a counting sort */
    size_t at[DC_CAUSE_KINDS + 1] = {0};
    for (size_t c = 0; c < n; c++)
        at[d->causes[c].kind + 1] += count[c] > 0;
    for (int k = 0; k < DC_CAUSE_KINDS; k++)
        at[k + 1] += at[k];
    const size_t kept = at[DC_CAUSE_KINDS];
    for (uint32_t c = 0; c < n; c++) {
        if (count[c])
            perm[at[d->causes[c].kind]++] = c;
        else { /* made by a rule whose cells an earlier rule had taken */
            free(d->causes[c].from_group);
            free(d->causes[c].to_group);
            free(d->causes[c].from_net);
            free(d->causes[c].to_net);
        }
    }
    for (uint32_t j = 0; j < kept; j++) {
        sorted[j] = d->causes[perm[j]];
        rank[perm[j]] = j;
    }
    free(d->causes);
    d->causes = sorted;
    d->n = kept;
    sorted = NULL;
    for (size_t c = 0; c < kept && !r->failed; c++) {
        d->causes[c].cells = malloc(count[perm[c]] * sizeof(size_t));
        r->failed = !d->causes[c].cells;
    }
    for (size_t i = 0; i < x->ntasks && !r->failed; i++) {
        if (d->cause_of[i] == DC_NO_CAUSE)
            continue;
        d->cause_of[i] = rank[d->cause_of[i]];
        struct dc_cause *c = &d->causes[d->cause_of[i]];
        c->cells[c->ncells++] = i;
        bool fail = x->results[i].verdict == DC_VERDICT_FAIL;
        c->nfail += fail;
        d->nfail += fail;
        d->nwarn += !fail;
    }
    for (size_t c = 0; c < kept && !r->failed; c++) {
        struct dc_cause *s = &d->causes[c];
        if (cause_ports(x, s) || dci_cause_words(x, s))
            r->failed = true;
    }
out:
    free(count);
    free(perm);
    free(rank);
    free(sorted);
}

/* The tasks by source, then destination, each in plan order: the plan's own order, checked;
 * else two stable counting passes (by destination, then by source). */
static size_t *make_order(const struct dc_plan *plan, size_t nnodes)
{
    const struct dc_task *t = plan->tasks;
    size_t n = plan->ntasks;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return NULL;
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        if (i > 0 &&
            (t[i].from < t[i - 1].from || (t[i].from == t[i - 1].from && t[i].to < t[i - 1].to)))
            sorted = false;
    }
    if (sorted)
        return order;
    size_t *tmp = malloc(n * sizeof *tmp), *at = malloc((nnodes + 1) * sizeof *at);
    if (!tmp || !at) {
        free(tmp);
        free(at);
        free(order);
        return NULL;
    }
    for (int pass = 0; pass < 2; pass++) {
        memset(at, 0, (nnodes + 1) * sizeof *at);
        for (size_t i = 0; i < n; i++)
            at[(pass ? t[order[i]].from : t[order[i]].to) + 1]++;
        for (size_t k = 0; k < nnodes; k++)
            at[k + 1] += at[k];
        for (size_t i = 0; i < n; i++)
            tmp[at[pass ? t[order[i]].from : t[order[i]].to]++] = order[i];
        memcpy(order, tmp, n * sizeof *order);
    }
    free(tmp);
    free(at);
    return order;
}

static bool has(const uint32_t *a, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] == v)
            return true;
    }
    return false;
}

/* The cause's ports, ascending, each with the names of its cells' checks that use it. */
static int cause_ports(const struct dci_diag_ctx *x, struct dc_cause *c)
{
    uint32_t keys[64], checks[16];
    size_t nkeys = 0;
    for (size_t m = 0; m < c->ncells && nkeys < 64; m++) {
        /* a node that answers nothing: the ports towards it, not those of its own row */
        if (c->kind == DC_CAUSE_NODE_UNREACHABLE && x->plan->tasks[c->cells[m]].to != c->to)
            continue;
        uint32_t k = x->key[c->cells[m]];
        if (!has(keys, nkeys, k)) {
            size_t j = nkeys++;
            /* insertion by (port, transport) */
            while (j > 0 && (x->key_port[keys[j - 1]] > x->key_port[k] ||
                             (x->key_port[keys[j - 1]] == x->key_port[k] &&
                              x->key_transport[keys[j - 1]] > x->key_transport[k]))) {
                keys[j] = keys[j - 1];
                j--;
            }
            keys[j] = k;
        }
    }
    c->ports = calloc(nkeys ? nkeys : 1, sizeof *c->ports);
    if (!c->ports)
        return DC_ENOMEM;
    for (size_t p = 0; p < nkeys; p++) {
        size_t nchecks = 0;
        for (size_t m = 0; m < c->ncells && nchecks < 16; m++) {
            const struct dc_task *t = &x->plan->tasks[c->cells[m]];
            if (x->key[c->cells[m]] == keys[p] && !has(checks, nchecks, t->check))
                checks[nchecks++] = t->check;
        }
        /* check names are shorter than DC_CHECK_NAME_MAX: sixteen of them fit */
        char names[16 * (DC_CHECK_NAME_MAX + 2)];
        size_t used = 0;
        for (size_t k = 0; k < nchecks; k++) {
            const char *name = x->profile->checks[checks[k]].name;
            size_t n = strlen(name);
            if (used + n + 3 > sizeof names)
                break;
            if (k) {
                memcpy(names + used, ", ", 2);
                used += 2;
            }
            memcpy(names + used, name, n);
            used += n;
        }
        names[used] = '\0';
        c->ports[p] = (struct dc_cause_port){.port = x->key_port[keys[p]],
                                             .transport = x->key_transport[keys[p]],
                                             .checks = strdup(nchecks ? names : "")};
        c->nports++;
        if (!c->ports[p].checks)
            return DC_ENOMEM;
    }
    return 0;
}

/* Every task's port index: ports are few (the profile's), told apart by number and transport
 * (each transport's 65,536 ports, ICMP's port 0 among them). */
#define TRANSPORTS (DC_TRANSPORT_ICMP + 1)
static int index_ports(struct dci_diag_ctx *x)
{
    uint32_t *map = calloc((size_t)TRANSPORTS * 65536u, sizeof *map);
    size_t cap = 0;
    if (!map)
        return DC_ENOMEM;
    for (size_t i = 0; i < x->ntasks; i++) {
        const struct dc_task *t = &x->plan->tasks[i];
        enum dc_transport tr = x->profile->checks[t->check].transport;
        uint32_t *slot = &map[(size_t)tr * 65536u + t->port];
        if (*slot == 0) {
            if (x->nkeys == cap) {
                cap = cap ? cap * 2 : 16;
                uint16_t *p = realloc(x->key_port, cap * sizeof *p);
                if (p)
                    x->key_port = p;
                uint8_t *q = realloc(x->key_transport, cap * sizeof *q);
                if (q)
                    x->key_transport = q;
                if (!p || !q) {
                    free(map);
                    return DC_ENOMEM;
                }
            }
            x->key_port[x->nkeys] = t->port;
            x->key_transport[x->nkeys] = (uint8_t)tr;
            *slot = (uint32_t)++x->nkeys;
        }
        x->key[i] = *slot - 1;
    }
    free(map);
    return 0;
}

/* One pass over the plan: each cell's class, and the tallies every rule reads. */
static void tally(struct dci_diag_ctx *x, uint32_t *silent_in)
{
    for (size_t k = 0; k < x->nnodes * x->nkeys; k++)
        x->in[k].last_peer = x->out[k].last_peer = DC_NO_NODE;
    for (size_t n = 0; n < x->nnodes; n++)
        x->last_asker[n] = DC_NO_NODE;
    for (size_t oi = 0; oi < x->ntasks; oi++) {
        size_t i = x->order[oi];
        const struct dc_task *t = &x->plan->tasks[i];
        const struct dc_result *res = &x->results[i];
        enum dci_obs o = observe(res);
        x->obs[i] = (uint8_t)o;
        x->bad[i] = (uint8_t)badness(&x->profile->checks[t->check], res, o);
        x->is_source[t->from] = true;
        silent_in[t->to] += x->bad[i] == DCI_BAD_SILENT;
        if (o == DCI_OBS_NONE)
            continue;
        x->row_measured[t->from] = true;
        struct dci_tally *in = &x->in[t->to * x->nkeys + x->key[i]];
        dci_tally_add(in, t->from, o);
        in->bad_refused += x->bad[i] == DCI_BAD_REFUSED;
        in->bad_silent += x->bad[i] == DCI_BAD_SILENT;
        dci_tally_add(&x->out[t->from * x->nkeys + x->key[i]], t->to, o);
        x->reached[t->to] += o == DCI_OBS_ANSWERED || o == DCI_OBS_REFUSED;
        x->port_reached[t->to] += (o == DCI_OBS_ANSWERED || o == DCI_OBS_REFUSED) &&
                                  x->profile->checks[t->check].transport != DC_TRANSPORT_ICMP;
        x->reaches[t->from] |= o == DCI_OBS_ANSWERED || o == DCI_OBS_REFUSED;
        if (x->last_asker[t->to] != t->from) {
            x->last_asker[t->to] = t->from;
            x->asked[t->to]++;
        }
    }
}

int dc_diagnose(const struct dc_cluster *cluster, const struct dc_profile *profile,
                const struct dc_plan *plan, const struct dc_result *results,
                struct dc_diagnosis **out)
{
    *out = NULL;
    struct dci_diag_run r = {.x = {.cluster = cluster,
                                   .profile = profile,
                                   .plan = plan,
                                   .results = results,
                                   .nnodes = cluster->nnodes,
                                   .ntasks = plan->ntasks}};
    struct dci_diag_ctx *x = &r.x;
    const size_t nt = x->ntasks ? x->ntasks : 1, nn = x->nnodes ? x->nnodes : 1;
    uint32_t *silent_in = calloc(nn, sizeof *silent_in);
    x->last_asker = calloc(nn, sizeof *x->last_asker);
    x->reaches = calloc(nn, sizeof *x->reaches);
    struct dci_tally *open = NULL;
    r.d = calloc(1, sizeof *r.d);
    x->key = malloc(nt * sizeof *x->key);
    x->obs = malloc(nt);
    x->bad = malloc(nt);
    x->row_measured = calloc(nn, sizeof *x->row_measured);
    x->is_source = calloc(nn, sizeof *x->is_source);
    x->reached = calloc(nn, sizeof *x->reached);
    x->port_reached = calloc(nn, sizeof *x->port_reached);
    x->asked = calloc(nn, sizeof *x->asked);
    r.per_node = malloc(nn * sizeof *r.per_node);
    size_t *order = make_order(plan, x->nnodes);
    x->order = order;
    r.failed = !silent_in || !x->last_asker || !x->reaches || !r.d || !x->key || !x->obs ||
               !x->bad || !x->row_measured || !x->is_source || !x->reached || !x->port_reached ||
               !x->asked || !r.per_node || !order;
    if (!r.failed) {
        r.d->ntasks = x->ntasks;
        r.d->cause_of = malloc(nt * sizeof *r.d->cause_of);
        r.failed = !r.d->cause_of || index_ports(x) != 0;
    }
    if (!r.failed) {
        size_t cells = x->nnodes * (x->nkeys ? x->nkeys : 1);
        x->in = calloc(cells, sizeof *x->in);
        x->out = calloc(cells, sizeof *x->out);
        open = malloc(cells * sizeof *open);
        r.scratch = malloc(cells * sizeof *r.scratch);
        r.failed = !x->in || !x->out || !open || !r.scratch;
    }
    if (!r.failed) {
        tally(x, silent_in);
        dci_diag_rules(&r, silent_in, open);
    }
    if (!r.failed)
        finish(&r);
    free(silent_in);
    free(x->last_asker);
    free(x->reaches);
    free(open);
    free(r.scratch);
    free(r.per_node);
    free(order);
    free(x->key);
    free(x->obs);
    free(x->bad);
    free(x->key_port);
    free(x->key_transport);
    free(x->in);
    free(x->out);
    free(x->row_measured);
    free(x->is_source);
    free(x->reached);
    free(x->port_reached);
    free(x->asked);
    if (r.failed) {
        dc_diagnosis_free(r.d);
        return DC_ENOMEM;
    }
    *out = r.d;
    return 0;
}

void dc_diagnosis_free(struct dc_diagnosis *d)
{
    if (!d)
        return;
    for (size_t c = 0; c < d->n; c++) {
        struct dc_cause *s = &d->causes[c];
        free(s->from_group);
        free(s->to_group);
        free(s->from_net);
        free(s->to_net);
        for (size_t p = 0; p < s->nports; p++)
            free(s->ports[p].checks);
        free(s->ports);
        free(s->cells);
        free(s->summary);
        free(s->evidence);
        free(s->remedy);
    }
    free(d->causes);
    free(d->cause_of);
    free(d);
}
