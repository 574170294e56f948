/* The plan: nodes x profile -> tasks, grouped by source node. */
#ifndef DMSCONN_PLAN_H
#define DMSCONN_PLAN_H

#include "dmsconn/error.h"
#include "dmsconn/model.h"

struct dc_plan {
    struct dc_task *tasks; /* ordered by source node, then destination, then check */
    size_t ntasks;
    size_t cap;
};

/* Which part of the matrix to plan. A NULL list means "all". */
struct dc_plan_filter {
    const char *const *checks; /* check names, NULL-terminated */
    const char *const *from;   /* node names */
    const char *const *to;
    /* The node whose row runs here (the coordinator's own): planned even with no agent. */
    const struct dc_node *here;
};

/* The full matrix: every source whose roles a check's from-roles match, but for nodes with
 * no agent (`agent: none`) other than filter->here. */
int dc_plan_build(const struct dc_cluster *cluster, const struct dc_profile *profile,
                  const struct dc_plan_filter *filter, struct dc_plan **out);

/* Every target from one source (--all-targets): each check whose to-roles match a
 * destination, whatever the source's roles; one task per (destination, port, probe). */
int dc_plan_build_from(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       uint32_t source, bool all_targets, const struct dc_plan_filter *filter,
                       struct dc_plan **out);

void dc_plan_free(struct dc_plan *plan);

/* Whether `check` could probe `port` on `dst` from `src` under any generation: its roles,
 * pairs and ports (its own, a Redirect's, the Remoting port, port maps), whatever the
 * conditions. An agent accepts such a task even when its own DataMiner folder would not plan
 * it (Agents whose settings differ), and refuses everything else. */
bool dc_plan_port_possible(const struct dc_cluster *cluster, const struct dc_check *check,
                           const struct dc_node *src, const struct dc_node *dst, uint16_t port);

#endif
