/* The plan's building blocks that the agent and coordinator use to build and check plans of
 * their own; not part of the public API. */
#ifndef DMSCONN_PROFILE_PROFILE_PRIVATE_H
#define DMSCONN_PROFILE_PROFILE_PRIVATE_H

#include "dmsconn/plan.h"
#include "dmsconn/profile.h"

/* The port `check` probes on `dst` after Redirects and port maps (0: a check without a port,
 * ICMP), or -1 when the check does not apply to that destination (roles, the cluster's
 * generation, Remoting/gRPC, TLS) or, when `src` is not NULL, to that pair (self, peers, a
 * Failover pair's own VIP). */
int32_t dci_plan_port(const struct dc_cluster *cluster, const struct dc_check *check,
                      const struct dc_node *src, const struct dc_node *dst);

/* Appends one task. */
int dci_plan_push(struct dc_plan *plan, uint32_t from, uint32_t to, uint32_t check, uint16_t port);

/* A copy of `profile` followed by a bare TCP twin of each check (check i's twin is
 * i + profile->nchecks). A task towards a port where dmsconn's own pre-flight listener waits
 * runs the twin: the path is proven, and no protocol is judged on that listener. */
int dci_profile_with_connect_twins(const struct dc_profile *profile, struct dc_profile **out);
/* Makes `task` (of a plan of `profile`) run its check's twin in `profile`'s twins copy. */
void dci_task_use_twin(struct dc_task *task, const struct dc_profile *profile);

#endif
