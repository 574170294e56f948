/* DataMiner's own words for a broken DMA-to-DMA path: the BPA "SLNet connections between the
 * DataMiner Agents" names, per Agent, the Agents it cannot reach ("Unable to communicate with
 * gRPC ports on these Agents: ..."), and those its ICMP ping does not reach or reaches slowly
 * (warnings); an admin who knows the BPA reads the same sentences here, but for every Agent at
 * once (docs/dataminer.md, "DataMiner's own checks"). */
#include "dmsconn/probe.h"
#include "dmsconn/report.h"

#include <stdio.h>
#include <string.h>

enum link_kind { LINK_GRPC, LINK_REMOTING, PING_FAILED, PING_SLOW, LINK_NONE };

/* What task i's result says in the BPA's words: a required SLNet check's failure is the link
 * its condition says it proves; an ICMP echo towards an Agent that warns is the ping's. */
static enum link_kind kind_of(const struct dc_report *rep, size_t i)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    const struct dc_check *c = &rep->profile->checks[t->check];
    const struct dc_result *r = &rep->results[i];
    if (c->transport == DC_TRANSPORT_ICMP) {
        if (r->verdict != DC_VERDICT_WARN || !(rep->cluster->nodes[t->to].roles & DC_ROLE_DMA))
            return LINK_NONE;
        if (r->state == DC_STATE_OK)
            return PING_SLOW;
        return r->state == DC_STATE_FILTERED || r->state == DC_STATE_UNREACHABLE ? PING_FAILED
                                                                                 : LINK_NONE;
    }
    if (r->verdict != DC_VERDICT_FAIL || c->expect != DC_EXPECT_REQUIRED ||
        c->family != DC_FAMILY_SLNET)
        return LINK_NONE;
    if (c->when == DC_WHEN_GRPC || c->when == DC_WHEN_GRPC_HTTP)
        return LINK_GRPC;
    return c->when == DC_WHEN_REMOTING ? LINK_REMOTING : LINK_NONE;
}

static bool buddies(const struct dc_node *a, const struct dc_node *b)
{
    return a->failover && a->failover == b->failover && (b->roles & DC_ROLE_DMA);
}

/* One line per source and kind, destinations in plan order (tasks are grouped by source);
 * the Failover buddy gets a line of its own, as the BPA gives it. */
static void print_kind(const struct dc_report *rep, size_t first, size_t end, enum link_kind k,
                       FILE *out)
{
    char slow[80];
    snprintf(slow, sizeof slow, "ICMP ping round-trip time was bigger than %g ms",
             rep->verdict_opts ? rep->verdict_opts->slow_ms : 50.0);
    const char *const what[] = {"Unable to communicate with gRPC ports on these Agents",
                                "Unable to communicate with legacy remoting connection ports on "
                                "these Agents",
                                "ICMP ping to these Agents failed", slow};
    bool link = k == LINK_GRPC || k == LINK_REMOTING;
    size_t listed = 0;
    for (size_t i = first; i < end; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_node *src = &rep->cluster->nodes[t->from];
        const struct dc_node *dst = &rep->cluster->nodes[t->to];
        if (kind_of(rep, i) != k || (link && buddies(src, dst)))
            continue;
        if (listed++ == 0)
            fprintf(out, "  %s: %s: %s", src->name, what[k], dst->name);
        else
            fprintf(out, ", %s", dst->name);
    }
    if (listed)
        fputc('\n', out);
    for (size_t i = first; link && i < end; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_node *src = &rep->cluster->nodes[t->from];
        const struct dc_node *dst = &rep->cluster->nodes[t->to];
        if (kind_of(rep, i) == k && buddies(src, dst))
            fprintf(out, "  %s: Connection port [%u] of Failover buddy %s is not open\n", src->name,
                    t->port, dst->name);
    }
}

void dc_report_bpa(const struct dc_report *rep, FILE *out)
{
    bool header = false;
    for (size_t first = 0; first < rep->plan->ntasks;) {
        size_t end = first;
        while (end < rep->plan->ntasks &&
               rep->plan->tasks[end].from == rep->plan->tasks[first].from)
            end++;
        bool any = false;
        for (size_t i = first; i < end && !any; i++)
            any = kind_of(rep, i) != LINK_NONE;
        if (any && !header) {
            fputs("\nAs DataMiner's BPA (SLNet connections between the DataMiner Agents) puts "
                  "it:\n",
                  out);
            header = true;
        }
        for (int k = LINK_GRPC; any && k < LINK_NONE; k++)
            print_kind(rep, first, end, (enum link_kind)k, out);
        first = end;
    }
}
