/* Which tasks an agent runs: only towards its own cluster's nodes, only on its profile's
 * ports. An agent must never become an open proxy or port scanner. */
#include "dmsconn/agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmsconn/cluster.h"
#include "dmsconn/profile.h"

static void refuse(struct dc_result *r, struct dc_texts *texts, const char *fmt, const char *a,
                   unsigned port)
{
    char why[160];
    snprintf(why, sizeof why, fmt, a, port);
    dc_result_reset(r, dc_texts_addf(texts, "refused by the agent: %s", why));
    r->state = DC_STATE_ERROR;
    r->measured = true;
}

int dc_agent_authorize(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       uint32_t self, const struct dc_wire_batch *batch, struct dc_plan **plan_out,
                       size_t **map_out, struct dc_result *results, struct dc_texts *texts)
{
    struct dc_plan *plan = calloc(1, sizeof *plan);
    size_t *map = calloc(batch->ntasks, sizeof *map);
    if (!plan || !map) {
        free(plan);
        free(map);
        return DC_ENOMEM;
    }
    for (size_t i = 0; i < batch->ntasks; i++) {
        const struct dc_wire_task *t = &batch->tasks[i];
        long d = dc_cluster_find(cluster, t->to);
        if (d < 0 && t->address[0])
            d = dc_cluster_find(cluster, t->address);
        if (d < 0 || cluster->nodes[d].pseudo) {
            refuse(&results[i], texts, "%s is not a node of this agent's cluster", t->to, 0);
            continue;
        }
        long c = dc_profile_find(profile, t->check);
        if (c < 0) {
            refuse(&results[i], texts, "no check named '%s' in this agent's profile", t->check, 0);
            continue;
        }
        uint16_t port = dc_plan_port(cluster, &profile->checks[c], &cluster->nodes[d]);
        if (port == 0 || port != t->port) {
            refuse(&results[i], texts, "the profile does not check %s on port %u", t->to, t->port);
            continue;
        }
        map[plan->ntasks] = i;
        int rc = dc_plan_push(plan, self, (uint32_t)d, (uint32_t)c, port);
        if (rc) {
            dc_plan_free(plan);
            free(map);
            return rc;
        }
    }
    *plan_out = plan;
    *map_out = map;
    return 0;
}
