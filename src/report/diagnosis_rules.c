/* The diagnosis's rules, in the order they run (enum dc_cause_kind): each gives the cells it
 * explains, and nothing an earlier rule took, to causes of its kind, reading the tallies that
 * diagnosis.c made (docs/diagnosis.md). */
#include "report/diagnosis_private.h"
#include "base/base_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool dci_result_unmeasured(const struct dc_result *r)
{
    return !r->measured || r->agent_failure != DC_AGENT_OK || r->state == DC_STATE_UNKNOWN ||
           r->state == DC_STATE_ERROR;
}

void dci_tally_add(struct dci_tally *t, uint32_t peer, enum dci_obs o)
{
    if (t->last_peer != peer) {
        t->last_peer = peer;
        t->peers++;
    }
    t->answered += o == DCI_OBS_ANSWERED;
    t->refused += o == DCI_OBS_REFUSED;
    t->silent += o == DCI_OBS_SILENT;
}

static uint32_t new_cause(struct dci_diag_run *r, enum dc_cause_kind kind, uint32_t from,
                          uint32_t to)
{
    struct dc_diagnosis *d = r->d;
    if (d->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct dc_cause *c = realloc(d->causes, cap * sizeof *c);
        if (!c) {
            r->failed = true;
            return DC_NO_CAUSE;
        }
        d->causes = c;
        r->cap = cap;
    }
    d->causes[d->n] = (struct dc_cause){.kind = kind, .from = from, .to = to};
    return (uint32_t)d->n++;
}

static void fill(uint32_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = DC_NO_CAUSE;
}

static const struct dc_task *task_at(const struct dci_diag_run *r, size_t oi, size_t *index)
{
    *index = r->x.order[oi];
    return &r->x.plan->tasks[*index];
}

/* Gives every unexplained cell of class `bad` the cause its lookup returns, if any. */
static void assign(struct dci_diag_run *r, enum dci_bad bad, bool by_source, bool per_port)
{
    const struct dci_diag_ctx *x = &r->x;
    for (size_t oi = 0; oi < x->ntasks; oi++) {
        size_t i;
        const struct dc_task *t = task_at(r, oi, &i);
        if (x->bad[i] != bad || r->d->cause_of[i] != DC_NO_CAUSE)
            continue;
        uint32_t node = by_source ? t->from : t->to;
        uint32_t c = per_port ? r->scratch[node * x->nkeys + x->key[i]] : r->per_node[node];
        if (c != DC_NO_CAUSE)
            r->d->cause_of[i] = c;
    }
}

/* node_unreachable: nothing towards the node answered or refused, from anyone, and its own row
 * gave nothing (no agent answered there, or it has none). Its unmeasured row goes with it.
 * Asked by one source only that reaches nothing at all, the silence is that source's (its
 * outbound rules, its network): left to the rules after. */
static void rule_node_unreachable(struct dci_diag_run *r, const uint32_t *silent_in)
{
    const struct dci_diag_ctx *x = &r->x;
    fill(r->per_node, x->nnodes);
    for (uint32_t n = 0; n < x->nnodes; n++) {
        bool lone_deaf = x->asked[n] == 1 && !x->reaches[x->last_asker[n]];
        if (silent_in[n] && !x->reached[n] && !x->row_measured[n] && !lone_deaf) {
            uint32_t c = new_cause(r, DC_CAUSE_NODE_UNREACHABLE, DC_NO_NODE, n);
            r->per_node[n] = c;
            if (c == DC_NO_CAUSE)
                return;
            if (!x->is_source[n])
                r->d->causes[c].alternatives |= 1u << DC_CAUSE_INBOUND_BLOCKED;
            if (x->asked[n] < 2)
                r->d->causes[c].alternatives |= 1u << DC_CAUSE_PATH_BLOCKED;
        }
    }
    assign(r, DCI_BAD_SILENT, false, false);
    assign(r, DCI_BAD_UNMEASURED, true, false);
}

/* Whether every cell of (destination, port index) `t` shows the kind's evidence: refused by
 * every source whose packets got there (silent cells of it are left to the rules after, a
 * source's outbound rule or a path), or silent from every source that asked, `min_peers` or more.
 */
static bool port_qualifies(const struct dci_tally *t, enum dc_cause_kind kind, uint32_t min_peers)
{
    if (kind == DC_CAUSE_SERVICE_DOWN)
        return t->bad_refused && !t->answered;
    return t->bad_silent && !t->answered && !t->refused && t->peers >= min_peers;
}

/* service_down and inbound_blocked: one cause per destination for all its ports that qualify.
 * A port only one source asks (Cassandra's internode port, asked by the other Cassandra node)
 * is blocked inbound when no port of the node answers anyone (an ICMP echo may) while two or
 * more sources find another port of it dropped: the node drops everything, not that one
 * path. */
static void rule_destination(struct dci_diag_run *r, enum dc_cause_kind kind)
{
    const struct dci_diag_ctx *x = &r->x;
    fill(r->scratch, x->nnodes * x->nkeys);
    for (uint32_t n = 0; n < x->nnodes; n++) {
        const struct dci_tally *tallies = &x->in[n * x->nkeys];
        uint32_t min_peers = kind == DC_CAUSE_SERVICE_DOWN ? 1 : 2;
        if (kind == DC_CAUSE_INBOUND_BLOCKED && !x->port_reached[n]) {
            for (size_t k = 0; k < x->nkeys && min_peers > 1; k++)
                min_peers = port_qualifies(&tallies[k], kind, 2) ? 1 : 2;
        }
        uint32_t c = DC_NO_CAUSE;
        for (size_t k = 0; k < x->nkeys; k++) {
            if (!port_qualifies(&tallies[k], kind, min_peers))
                continue;
            if (c == DC_NO_CAUSE) {
                c = new_cause(r, kind, DC_NO_NODE, n);
                if (c == DC_NO_CAUSE)
                    return;
            }
            if (kind == DC_CAUSE_SERVICE_DOWN && tallies[k].peers < 2)
                r->d->causes[c].alternatives |= 1u << DC_CAUSE_PATH_BLOCKED;
            r->scratch[n * x->nkeys + k] = c;
        }
    }
    assign(r, kind == DC_CAUSE_SERVICE_DOWN ? DCI_BAD_REFUSED : DCI_BAD_SILENT, false, true);
}

/* Counts, per (source, port), the distinct destinations of its unexplained silent cells. */
static void count_open_silent(struct dci_diag_run *r, struct dci_tally *per)
{
    const struct dci_diag_ctx *x = &r->x;
    for (size_t k = 0; k < x->nnodes * x->nkeys; k++)
        per[k] = (struct dci_tally){.last_peer = DC_NO_NODE};
    for (size_t oi = 0; oi < x->ntasks; oi++) {
        size_t i;
        const struct dc_task *t = task_at(r, oi, &i);
        if (x->bad[i] == DCI_BAD_SILENT && r->d->cause_of[i] == DC_NO_CAUSE)
            dci_tally_add(&per[t->from * x->nkeys + x->key[i]], t->to, DCI_OBS_SILENT);
    }
}

/* outbound_blocked: a source that got no answer on a port from any destination, silent towards
 * two or more of them that nothing above explains. */
static void rule_outbound(struct dci_diag_run *r, struct dci_tally *open)
{
    const struct dci_diag_ctx *x = &r->x;
    count_open_silent(r, open);
    fill(r->scratch, x->nnodes * x->nkeys);
    for (uint32_t n = 0; n < x->nnodes; n++) {
        uint32_t c = DC_NO_CAUSE;
        for (size_t k = 0; k < x->nkeys; k++) {
            const struct dci_tally *t = &x->out[n * x->nkeys + k];
            if (t->answered || t->refused || open[n * x->nkeys + k].peers < 2)
                continue;
            if (c == DC_NO_CAUSE) {
                c = new_cause(r, DC_CAUSE_OUTBOUND_BLOCKED, n, DC_NO_NODE);
                if (c == DC_NO_CAUSE)
                    return;
            }
            r->scratch[n * x->nkeys + k] = c;
        }
    }
    assign(r, DCI_BAD_SILENT, true, true);
    /* a destination no other source asked on that port may be the one that drops it */
    for (size_t oi = 0; oi < x->ntasks; oi++) {
        size_t i;
        const struct dc_task *t = task_at(r, oi, &i);
        uint32_t c = r->d->cause_of[i];
        if (c != DC_NO_CAUSE && r->d->causes[c].kind == DC_CAUSE_OUTBOUND_BLOCKED &&
            x->in[t->to * x->nkeys + x->key[i]].peers < 2)
            r->d->causes[c].alternatives |= 1u << DC_CAUSE_INBOUND_BLOCKED;
    }
}

/* A group's subnet: the /24, else the /16, that holds every member's (IPv4) address and no
 * other node's; NULL when neither does. */
static char *subnet_of(const struct dc_cluster *cl, const uint32_t *group, size_t n)
{
    static const unsigned lengths[] = {24, 16};
    uint32_t first;
    if (n == 0 || !cl->nodes[group[0]].naddresses ||
        !dci_address_ipv4(cl->nodes[group[0]].addresses[0], &first))
        return NULL;
    for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
        uint32_t mask = ~0u << (32 - lengths[l]);
        bool ok = true;
        size_t m = 0;
        for (uint32_t node = 0; ok && node < cl->nnodes; node++) {
            uint32_t a;
            bool member = m < n && group[m] == node;
            m += member;
            bool inside = cl->nodes[node].naddresses &&
                          dci_address_ipv4(cl->nodes[node].addresses[0], &a) &&
                          (a & mask) == (first & mask);
            ok = member == inside;
        }
        if (ok) {
            uint32_t net = first & mask;
            char buf[32];
            snprintf(buf, sizeof buf, "%u.%u.%u.%u/%u", net >> 24, (net >> 16) & 0xff,
                     (net >> 8) & 0xff, net & 0xff, lengths[l]);
            return strdup(buf);
        }
    }
    return NULL;
}

/* A source's unexplained silent destinations on one port, ascending (a view into `dst`). */
struct silent_list {
    const uint32_t *dst;
    uint32_t n;
};

static bool contains_all(struct silent_list big, struct silent_list small)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < small.n; i++) {
        while (j < big.n && big.dst[j] < small.dst[i])
            j++;
        if (j == big.n || big.dst[j] != small.dst[i])
            return false;
    }
    return true;
}

static bool same_group(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    return na == nb && memcmp(a, b, na * sizeof *a) == 0;
}

/* One segment found on port index k: sources `g` fail every destination of `h`; `nets` their
 * subnets (taken). Reuses the cause of an earlier port with the same two groups. */
static uint32_t segment_cause(struct dci_diag_run *r, const uint32_t *g, size_t ng,
                              struct silent_list h, char *nets[2])
{
    for (size_t c = 0; c < r->d->n; c++) {
        const struct dc_cause *s = &r->d->causes[c];
        if (s->kind == DC_CAUSE_SEGMENT_BLOCKED &&
            same_group(s->from_group, s->nfrom_group, g, ng) &&
            same_group(s->to_group, s->nto_group, h.dst, h.n)) {
            free(nets[0]);
            free(nets[1]);
            return (uint32_t)c;
        }
    }
    uint32_t c = new_cause(r, DC_CAUSE_SEGMENT_BLOCKED, DC_NO_NODE, DC_NO_NODE);
    if (c == DC_NO_CAUSE) {
        free(nets[0]);
        free(nets[1]);
        return c;
    }
    struct dc_cause *s = &r->d->causes[c];
    s->from_net = nets[0];
    s->to_net = nets[1];
    s->from_group = malloc(ng * sizeof *g);
    s->to_group = malloc(h.n * sizeof *h.dst);
    if (!s->from_group || !s->to_group) {
        r->failed = true;
        return DC_NO_CAUSE;
    }
    memcpy(s->from_group, g, ng * sizeof *g);
    memcpy(s->to_group, h.dst, h.n * sizeof *h.dst);
    s->nfrom_group = ng;
    s->nto_group = h.n;
    return c;
}

/* segment_blocked: per port, the first source (in node order) whose unexplained silent
 * destinations are two or more, with every other source that fails at least those: if they
 * are two or more, the cells of the first's destinations from all of them are one cause. */
static void rule_segment(struct dci_diag_run *r, struct dci_tally *open)
{
    const struct dci_diag_ctx *x = &r->x;
    const size_t nk = x->nkeys, nn = x->nnodes;
    count_open_silent(r, open);
    size_t total = 0;
    uint32_t *start = malloc((nn * nk + 1) * sizeof *start);
    uint32_t *member = malloc(nn * sizeof *member);
    uint8_t *in_h = calloc(nn, 1);
    if (!start || !member || !in_h)
        goto out;
    for (size_t k = 0; k < nn * nk; k++) {
        start[k] = (uint32_t)total;
        total += open[k].silent;
    }
    start[nn * nk] = (uint32_t)total;
    uint32_t *dst = malloc((total ? total : 1) * sizeof *dst);
    uint32_t *fillp = calloc(nn * nk, sizeof *fillp);
    if (!dst || !fillp) {
        free(dst);
        free(fillp);
        goto out;
    }
    for (size_t oi = 0; oi < x->ntasks; oi++) {
        size_t i;
        const struct dc_task *t = task_at(r, oi, &i);
        if (x->bad[i] != DCI_BAD_SILENT || r->d->cause_of[i] != DC_NO_CAUSE)
            continue;
        size_t slot = t->from * nk + x->key[i];
        uint32_t at = start[slot] + fillp[slot];
        if (fillp[slot] == 0 || dst[at - 1] != t->to) /* one entry per destination */
            dst[start[slot] + fillp[slot]++] = t->to;
    }
    fill(r->scratch, nn * nk);
    for (size_t k = 0; k < nk && !r->failed; k++) {
        for (uint32_t s = 0; s < nn; s++) {
            struct silent_list h = {dst + start[s * nk + k], fillp[s * nk + k]};
            if (h.n < 2 || r->scratch[s * nk + k] != DC_NO_CAUSE)
                continue;
            size_t ng = 0;
            for (uint32_t o = 0; o < nn; o++) {
                struct silent_list other = {dst + start[o * nk + k], fillp[o * nk + k]};
                if (r->scratch[o * nk + k] == DC_NO_CAUSE && other.n >= h.n &&
                    (o == s || contains_all(other, h)))
                    member[ng++] = o;
            }
            if (ng < 2)
                continue;
            /* two groups that subnets name, or three nodes or more on each side: two sources
             * that happen to fail the same two destinations are two paths each */
            char *nets[2] = {subnet_of(x->cluster, member, ng), subnet_of(x->cluster, h.dst, h.n)};
            if (!(nets[0] && nets[1]) && (ng < 3 || h.n < 3)) {
                free(nets[0]);
                free(nets[1]);
                continue;
            }
            uint32_t c = segment_cause(r, member, ng, h, nets);
            if (c == DC_NO_CAUSE)
                break;
            for (size_t m = 0; m < ng; m++)
                r->scratch[member[m] * nk + k] = c;
        }
    }
    /* each cell of a grouped source on that port joins if its destination is in the group */
    for (size_t oi = 0; oi < x->ntasks && !r->failed; oi++) {
        size_t i;
        const struct dc_task *t = task_at(r, oi, &i);
        if (x->bad[i] != DCI_BAD_SILENT || r->d->cause_of[i] != DC_NO_CAUSE)
            continue;
        uint32_t c = r->scratch[t->from * nk + x->key[i]];
        if (c == DC_NO_CAUSE)
            continue;
        const struct dc_cause *s = &r->d->causes[c];
        for (size_t m = 0; m < s->nto_group; m++) {
            if (s->to_group[m] == t->to) {
                r->d->cause_of[i] = c;
                break;
            }
        }
    }
    free(dst);
    free(fillp);
out:
    if (!start || !member || !in_h)
        r->failed = true;
    free(start);
    free(member);
    free(in_h);
}

/* The reverse cell of task i (the same check from its destination to its source), or NULL. */
static const struct dc_result *reverse_of(const struct dci_diag_run *r, size_t i,
                                          const size_t *row_start)
{
    const struct dci_diag_ctx *x = &r->x;
    const struct dc_task *t = &x->plan->tasks[i];
    /* the reverse row is ordered by destination: the first of t->from's cells, by bisection */
    size_t lo = row_start[t->to], hi = row_start[t->to + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, j;
        if (task_at(r, mid, &j)->to < t->from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t oi = lo; oi < row_start[t->to + 1]; oi++) {
        size_t j;
        const struct dc_task *u = task_at(r, oi, &j);
        if (u->to != t->from)
            break;
        if (u->check == t->check)
            return &x->results[j];
    }
    return NULL;
}

/* path_blocked: what is left of the refused and silent cells, one cause per pair. */
static void rule_path(struct dci_diag_run *r)
{
    const struct dci_diag_ctx *x = &r->x;
    uint32_t from = DC_NO_NODE, to = DC_NO_NODE, c = DC_NO_CAUSE;
    for (size_t oi = 0; oi < x->ntasks; oi++) {
        size_t i;
        const struct dc_task *t = task_at(r, oi, &i);
        if ((x->bad[i] != DCI_BAD_SILENT && x->bad[i] != DCI_BAD_REFUSED) ||
            r->d->cause_of[i] != DC_NO_CAUSE)
            continue;
        if (t->from != from || t->to != to) {
            from = t->from;
            to = t->to;
            c = new_cause(r, DC_CAUSE_PATH_BLOCKED, from, to);
            if (c == DC_NO_CAUSE)
                return;
        }
        r->d->cause_of[i] = c;
        const size_t k = x->key[i];
        if (x->in[to * x->nkeys + k].peers < 2)
            r->d->causes[c].alternatives |= 1u << DC_CAUSE_INBOUND_BLOCKED;
        if (x->out[from * x->nkeys + k].peers < 2)
            r->d->causes[c].alternatives |= 1u << DC_CAUSE_OUTBOUND_BLOCKED;
    }
}

/* one_direction: every cell of a path cause whose reverse cell exists passes that way. */
static void mark_one_direction(struct dci_diag_run *r)
{
    const struct dci_diag_ctx *x = &r->x;
    size_t *row_start = calloc(x->nnodes + 1, sizeof *row_start);
    if (!row_start) {
        r->failed = true;
        return;
    }
    for (size_t oi = 0; oi < x->ntasks; oi++)
        row_start[x->plan->tasks[x->order[oi]].from + 1] = oi + 1;
    for (size_t n = 1; n <= x->nnodes; n++) /* rows without tasks start where the last ended */
        row_start[n] = row_start[n] > row_start[n - 1] ? row_start[n] : row_start[n - 1];
    /* 1: seen a reverse that passes, 2: seen one that does not */
    uint8_t *seen = calloc(r->d->n ? r->d->n : 1, 1);
    if (!seen) {
        free(row_start);
        r->failed = true;
        return;
    }
    for (size_t i = 0; i < x->ntasks; i++) {
        uint32_t c = r->d->cause_of[i];
        if (c == DC_NO_CAUSE || r->d->causes[c].kind != DC_CAUSE_PATH_BLOCKED)
            continue;
        const struct dc_result *back = reverse_of(r, i, row_start);
        if (back && !dci_result_unmeasured(back))
            seen[c] |= back->verdict == DC_VERDICT_PASS ? 1 : 2;
    }
    for (size_t c = 0; c < r->d->n; c++)
        r->d->causes[c].one_direction = seen[c] == 1;
    free(seen);
    free(row_start);
}

/* The cells no connectivity rule takes: grouped by what they share, a cause per group. */
static void rule_rest(struct dci_diag_run *r)
{
    const struct dci_diag_ctx *x = &r->x;
    const size_t nk = x->nkeys;
    fill(r->scratch, x->nnodes * nk);
    /* per node: name, slow (towards it), not measured (its row) */
    uint32_t *per[3];
    per[0] = r->per_node;
    per[1] = malloc(x->nnodes * sizeof *per[1]);
    per[2] = malloc(x->nnodes * sizeof *per[2]);
    if (!per[1] || !per[2]) {
        r->failed = true;
        goto out;
    }
    fill(per[0], x->nnodes);
    fill(per[1], x->nnodes);
    fill(per[2], x->nnodes);
    /* fault and open share the scratch: a (destination, port) has one expectation's cells
     * bad in one way at a time, and if not, the first kind seen keeps the slot */
    uint32_t *open_slot = calloc(x->nnodes * nk, sizeof *open_slot);
    uint32_t *cert_slot = calloc(x->nnodes * nk, sizeof *cert_slot);
    if (!open_slot || !cert_slot) {
        free(open_slot);
        free(cert_slot);
        r->failed = true;
        goto out;
    }
    fill(open_slot, x->nnodes * nk);
    fill(cert_slot, x->nnodes * nk);
    for (size_t oi = 0; oi < x->ntasks && !r->failed; oi++) {
        size_t i;
        const struct dc_task *t = task_at(r, oi, &i);
        if (x->bad[i] == DCI_BAD_NONE || r->d->cause_of[i] != DC_NO_CAUSE)
            continue;
        uint32_t *slot;
        enum dc_cause_kind kind;
        uint32_t from = DC_NO_NODE, to = t->to;
        switch ((enum dci_bad)x->bad[i]) {
        case DCI_BAD_NAME:
            slot = &per[0][t->to];
            kind = DC_CAUSE_NAME_UNRESOLVED;
            break;
        case DCI_BAD_SLOW:
            slot = &per[1][t->to];
            kind = DC_CAUSE_SLOW;
            break;
        case DCI_BAD_UNMEASURED:
            slot = &per[2][t->from];
            kind = DC_CAUSE_NOT_MEASURED;
            from = t->from;
            to = DC_NO_NODE;
            break;
        case DCI_BAD_FAULT:
            slot = &r->scratch[t->to * nk + x->key[i]];
            kind = DC_CAUSE_SERVICE_FAULT;
            break;
        case DCI_BAD_CERT: /* a (destination, port) shows one certificate to every source */
            slot = &cert_slot[t->to * nk + x->key[i]];
            kind = DC_CAUSE_CERTIFICATE;
            break;
        case DCI_BAD_OPEN:
            slot = &open_slot[t->to * nk + x->key[i]];
            kind = DC_CAUSE_PORT_OPEN;
            break;
        default: /* the rules above took every refused and silent cell */
            slot = NULL;
            kind = DC_CAUSE_PATH_BLOCKED;
            break;
        }
        if (!slot)
            continue;
        if (*slot == DC_NO_CAUSE)
            *slot = new_cause(r, kind, from, to);
        r->d->cause_of[i] = *slot;
    }
    free(open_slot);
    free(cert_slot);
out:
    free(per[1]);
    free(per[2]);
}

void dci_diag_rules(struct dci_diag_run *r, const uint32_t *silent_in, struct dci_tally *open)
{
    fill(r->d->cause_of, r->x.ntasks);
    rule_node_unreachable(r, silent_in);
    rule_destination(r, DC_CAUSE_SERVICE_DOWN);
    rule_destination(r, DC_CAUSE_INBOUND_BLOCKED);
    rule_outbound(r, open);
    rule_segment(r, open);
    rule_path(r);
    rule_rest(r);
    mark_one_direction(r);
}
