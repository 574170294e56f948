/* DataMiner's own words for a broken DMA-to-DMA path: the BPA "SLNet connections between the
 * DataMiner Agents" names, per Agent, the Agents it cannot reach ("Unable to communicate with
 * gRPC ports on these Agents: ..."); an admin who knows the BPA reads the same sentence here,
 * but for every Agent at once (docs/dataminer.md, "DataMiner's own checks"). */
#include "dmsconn/probe.h"
#include "dmsconn/report.h"

#include <string.h>

enum link_kind { LINK_GRPC, LINK_REMOTING, LINK_NONE };

/* A required SLNet check is the link its condition says it proves: the BPA's two sentences. */
static enum link_kind kind_of(const struct dc_check *c)
{
    if (c->expect != DC_EXPECT_REQUIRED || c->family != DC_FAMILY_SLNET)
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
    static const char *const what[] = {"gRPC ports", "legacy remoting connection ports"};
    size_t listed = 0;
    for (size_t i = first; i < end; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_node *src = &rep->cluster->nodes[t->from];
        const struct dc_node *dst = &rep->cluster->nodes[t->to];
        if (rep->results[i].verdict != DC_VERDICT_FAIL ||
            kind_of(&rep->profile->checks[t->check]) != k || buddies(src, dst))
            continue;
        if (listed++ == 0)
            fprintf(out, "  %s: Unable to communicate with %s on these Agents: %s", src->name,
                    what[k], dst->name);
        else
            fprintf(out, ", %s", dst->name);
    }
    if (listed)
        fputc('\n', out);
    for (size_t i = first; i < end; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_node *src = &rep->cluster->nodes[t->from];
        const struct dc_node *dst = &rep->cluster->nodes[t->to];
        if (rep->results[i].verdict == DC_VERDICT_FAIL &&
            kind_of(&rep->profile->checks[t->check]) == k && buddies(src, dst))
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
            any = rep->results[i].verdict == DC_VERDICT_FAIL &&
                  kind_of(&rep->profile->checks[rep->plan->tasks[i].check]) != LINK_NONE;
        if (any && !header) {
            fputs("\nAs DataMiner's BPA (SLNet connections between the DataMiner Agents) puts "
                  "it:\n",
                  out);
            header = true;
        }
        if (any) {
            print_kind(rep, first, end, LINK_GRPC, out);
            print_kind(rep, first, end, LINK_REMOTING, out);
        }
        first = end;
    }
}
