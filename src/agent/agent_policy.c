/* Which tasks an agent runs: only towards its own cluster's nodes, only on its profile's
 * ports. An agent must never become an open proxy or port scanner. */
#include "dmsconn/agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmsconn/cluster.h"
#include "dmsconn/profile.h"
#include "agent/agent_private.h"
#include "profile/profile_private.h"

static void refuse(struct dc_result *r, struct dc_texts *texts, const char *fmt, const char *a,
                   unsigned port)
{
    char why[160], detail[192];
    snprintf(why, sizeof why, fmt, a, port);
    snprintf(detail, sizeof detail, "refused by the agent: %s", why);
    dc_result_reset(r, dc_texts_add(texts, detail));
    r->state = DC_STATE_ERROR;
    r->measured = true;
}

/* Node names sorted once per batch: a 10,000-task batch towards 1,250 nodes looked each
 * name up linearly (12 million string compares, most of an agent's CPU after the kernel). */
struct named {
    const char *name;
    size_t node;
};

struct name_index {
    const struct dc_cluster *cluster;
    struct named *order;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static int index_build(struct name_index *ix, const struct dc_cluster *cluster)
{
    ix->cluster = cluster;
    ix->order = malloc((cluster->nnodes ? cluster->nnodes : 1) * sizeof *ix->order);
    if (!ix->order)
        return DC_ENOMEM;
    for (size_t i = 0; i < cluster->nnodes; i++)
        ix->order[i] = (struct named){cluster->nodes[i].name, i};
    qsort(ix->order, cluster->nnodes, sizeof *ix->order, by_name);
    return 0;
}

/* By name first, as dc_cluster_find does; an address needs its linear search. */
static long index_find(const struct name_index *ix, const char *key)
{
    size_t lo = 0, hi = ix->cluster->nnodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->order[mid].name, key);
        if (c == 0)
            return (long)ix->order[mid].node;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return dc_cluster_find(ix->cluster, key);
}

int dci_agent_authorize(const struct dc_cluster *cluster, const struct dc_profile *profile,
                        uint32_t self, const struct dc_wire_batch *batch, struct dc_plan **plan_out,
                        size_t **map_out, struct dc_result *results, struct dc_texts *texts)
{
    struct dc_plan *plan = calloc(1, sizeof *plan);
    size_t *map = calloc(batch->ntasks, sizeof *map);
    struct name_index ix = {0};
    if (!plan || !map || index_build(&ix, cluster) != 0) {
        free(plan);
        free(map);
        free(ix.order);
        return DC_ENOMEM;
    }
    for (size_t i = 0; i < batch->ntasks; i++) {
        const struct dc_wire_task *t = &batch->tasks[i];
        long d = index_find(&ix, t->to);
        if (d < 0 && t->address[0])
            d = index_find(&ix, t->address);
        if (d < 0 || cluster->nodes[d].pseudo) {
            refuse(&results[i], texts, "%s is not a node of this agent's cluster", t->to, 0);
            continue;
        }
        long c = dc_profile_find(profile, t->check);
        if (c < 0) {
            refuse(&results[i], texts, "no check named '%s' in this agent's profile", t->check, 0);
            continue;
        }
        uint16_t port = t->port;
        if (!dc_plan_port_possible(cluster, &profile->checks[c], &cluster->nodes[self],
                                   &cluster->nodes[d], port)) {
            refuse(&results[i], texts, "the profile does not check %s on port %u", t->to, t->port);
            continue;
        }
        map[plan->ntasks] = i;
        int rc = dci_plan_push(plan, self, (uint32_t)d, (uint32_t)c, port);
        if (rc) {
            dc_plan_free(plan);
            free(map);
            free(ix.order);
            return rc;
        }
    }
    free(ix.order);
    *plan_out = plan;
    *map_out = map;
    return 0;
}
