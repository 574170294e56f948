/* The plan: which (source, destination, check, port) tasks a run has. */
#include "dmsconn/cluster.h"
#include "dmsconn/plan.h"

#include <stdlib.h>
#include <string.h>

static bool roles_match(uint32_t roles, uint32_t wanted)
{
    return wanted == DC_ROLE_ANY || (roles & wanted) != 0;
}

static bool listed(const char *const *list, const char *name)
{
    if (!list)
        return true;
    for (; *list; list++) {
        if (strcmp(*list, name) == 0)
            return true;
    }
    return false;
}

static bool pair_allowed(const struct dc_check *check, uint32_t from, uint32_t to)
{
    switch (check->pairs) {
    case DC_PAIRS_SELF: return from == to;
    case DC_PAIRS_ALL: return true;
    case DC_PAIRS_OTHERS: break;
    }
    return from != to;
}

/* The condition of a check for this destination; 0 when it does not apply, else the port. */
static uint16_t applicable_port(const struct dc_cluster *cluster, const struct dc_check *check,
                                const struct dc_node *dst)
{
    uint16_t port = check->port;
    switch (check->when) {
    case DC_WHEN_ALWAYS: break;
    case DC_WHEN_REMOTING:
    case DC_WHEN_GRPC:
        if (dst->link != (check->when == DC_WHEN_GRPC ? DC_LINK_GRPC : DC_LINK_REMOTING))
            return 0;
        if (dst->link_port)
            port = dst->link_port;
        break;
    case DC_WHEN_CASSANDRA_PLAIN:
        if (cluster->cassandra_tls)
            return 0;
        break;
    case DC_WHEN_CASSANDRA_TLS:
        if (!cluster->cassandra_tls)
            return 0;
        break;
    }
    return dc_node_port(dst, port);
}

int dc_plan_push(struct dc_plan *plan, uint32_t from, uint32_t to, uint32_t check, uint16_t port)
{
    if (plan->ntasks == plan->cap) {
        size_t cap = plan->cap ? plan->cap * 2 : 256;
        struct dc_task *tasks = realloc(plan->tasks, cap * sizeof *tasks);
        if (!tasks)
            return DC_ENOMEM;
        plan->tasks = tasks;
        plan->cap = cap;
    }
    plan->tasks[plan->ntasks++] = (struct dc_task){from, to, check, port};
    return 0;
}

/* Already planned from this source to this destination on this port with this probe? Only
 * the tasks of the current destination are scanned, so this stays cheap. */
static bool duplicate(const struct dc_plan *plan, size_t since, const struct dc_profile *profile,
                      const struct dc_check *check, uint16_t port)
{
    for (size_t i = since; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        if (t->port == port && profile->checks[t->check].probe == check->probe)
            return true;
    }
    return false;
}

static int plan_row(const struct dc_cluster *cluster, const struct dc_profile *profile,
                    uint32_t src, bool all_targets, const struct dc_plan_filter *filter,
                    struct dc_plan *plan)
{
    const struct dc_node *from = &cluster->nodes[src];
    for (uint32_t d = 0; d < cluster->nnodes; d++) {
        const struct dc_node *dst = &cluster->nodes[d];
        if (dst->pseudo || !listed(filter ? filter->to : NULL, dst->name))
            continue;
        size_t first = plan->ntasks;
        for (uint32_t c = 0; c < profile->nchecks; c++) {
            const struct dc_check *check = &profile->checks[c];
            if (!listed(filter ? filter->checks : NULL, check->name))
                continue;
            if (!all_targets && !roles_match(from->roles, check->from_roles))
                continue;
            if (!roles_match(dst->roles, check->to_roles) || !pair_allowed(check, src, d))
                continue;
            uint16_t port = applicable_port(cluster, check, dst);
            if (!port || (all_targets && duplicate(plan, first, profile, check, port)))
                continue;
            int rc = dc_plan_push(plan, src, d, c, port);
            if (rc)
                return rc;
        }
    }
    return 0;
}

uint16_t dc_plan_port(const struct dc_cluster *cluster, const struct dc_check *check,
                      const struct dc_node *dst)
{
    if (dst->pseudo || !roles_match(dst->roles, check->to_roles))
        return 0;
    return applicable_port(cluster, check, dst);
}

void dc_plan_free(struct dc_plan *plan)
{
    if (!plan)
        return;
    free(plan->tasks);
    free(plan);
}

int dc_plan_build(const struct dc_cluster *cluster, const struct dc_profile *profile,
                  const struct dc_plan_filter *filter, struct dc_plan **out)
{
    struct dc_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return DC_ENOMEM;
    int rc = 0;
    for (uint32_t s = 0; !rc && s < cluster->nnodes; s++) {
        const struct dc_node *src = &cluster->nodes[s];
        if (!src->pseudo && listed(filter ? filter->from : NULL, src->name))
            rc = plan_row(cluster, profile, s, false, filter, plan);
    }
    if (rc) {
        dc_plan_free(plan);
        return rc;
    }
    *out = plan;
    return 0;
}

int dc_plan_build_from(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       uint32_t source, bool all_targets, const struct dc_plan_filter *filter,
                       struct dc_plan **out)
{
    if (source >= cluster->nnodes)
        return DC_EINVAL;
    struct dc_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return DC_ENOMEM;
    int rc = plan_row(cluster, profile, source, all_targets, filter, plan);
    if (rc) {
        dc_plan_free(plan);
        return rc;
    }
    *out = plan;
    return 0;
}
