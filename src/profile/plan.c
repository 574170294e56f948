/* The plan: which (source, destination, check, port) tasks a run has. */
#include "dmsconn/cluster.h"
#include "dmsconn/plan.h"
#include "profile/profile_private.h"

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

/* Two distinct nodes of one database cluster of the kind the check's destination role is. */
static enum dc_db_kind db_kind(const struct dc_check *check)
{
    return (check->to_roles & DC_ROLE_CASSANDRA) ? DC_DB_CASSANDRA : DC_DB_SEARCH;
}

static bool db_peers(const struct dc_check *check, const struct dc_node *a, const struct dc_node *b)
{
    enum dc_db_kind kind = db_kind(check);
    return a->db_group[kind] == b->db_group[kind]; /* 0: the one cluster of an inventory */
}

static bool pair_allowed(const struct dc_check *check, const struct dc_node *from,
                         const struct dc_node *to)
{
    if (to->roles & DC_ROLE_FAILOVER_VIP && from->failover && from->failover == to->failover)
        return false; /* buddies check each other directly, not through their own VIP */
    switch (check->pairs) {
    case DC_PAIRS_SELF: return from == to;
    case DC_PAIRS_ALL: return true;
    case DC_PAIRS_PEERS: return from != to && db_peers(check, from, to);
    case DC_PAIRS_CLIENTS: return !to->db_local[db_kind(check)] || from == to;
    case DC_PAIRS_OTHERS: break;
    }
    return from != to;
}

/* Servers that run NATS: every DMA, and nodes named as NATS servers (counted once when the
 * cluster is finished: asked for every pair, a count would make planning quadratic). */
static size_t nats_servers(const struct dc_cluster *cluster)
{
    if (cluster->gen.nats_servers)
        return cluster->gen.nats_servers;
    size_t n = 0;
    for (size_t i = 0; i < cluster->nnodes; i++)
        n += !cluster->nodes[i].pseudo && (cluster->nodes[i].roles & (DC_ROLE_DMA | DC_ROLE_NATS));
    return n;
}

/* The cluster-wide conditions; pair-level ones are answered by link_applies. */
static bool generation_applies(const struct dc_cluster *cluster, enum dc_when when,
                               const struct dc_node *dst)
{
    const struct dc_generation *g = &cluster->gen;
    switch (when) {
    case DC_WHEN_CASSANDRA_PLAIN: return !g->cassandra_tls;
    case DC_WHEN_CASSANDRA_TLS: return g->cassandra_tls;
    case DC_WHEN_LEGACY_NATS: return !g->broker_gateway;
    case DC_WHEN_BROKER_GATEWAY: return g->broker_gateway;
    /* VerifyClusterPorts: no 6222 on a standalone DMA, a standalone pair or 2 nodes */
    case DC_WHEN_NATS_ROUTES: return nats_servers(cluster) >= 3;
    case DC_WHEN_SEARCH_PLAIN: return !dst->search_tls;
    case DC_WHEN_SEARCH_TLS: return dst->search_tls;
    case DC_WHEN_CLOUD: return g->staas;
    case DC_WHEN_NOT_CLOUD: return !g->staas;
    case DC_WHEN_CLOUD_DIRECT: return g->staas && !g->staas_proxy;
    case DC_WHEN_NATS_CREDENTIALS: return !g->nats_auth || g->nats_credentials;
    default: return true;
    }
}

/* How DMAs reach this destination: .NET Remoting, gRPC over HTTPS or over plain HTTP. */
static bool link_applies(const struct dc_cluster *cluster, enum dc_when when,
                         const struct dc_node *dst, uint16_t *port)
{
    bool grpc = dst->link == DC_LINK_GRPC;
    switch (when) {
    case DC_WHEN_REMOTING:
        if (grpc)
            return false;
        if (dst->link_port)
            *port = dst->link_port;
        else if (*port == 8004 && cluster->gen.remoting_port)
            *port = cluster->gen.remoting_port;
        return true;
    case DC_WHEN_REMOTING_OFF:
        if (!grpc || !cluster->gen.remoting_disabled || dst->link_set)
            return false;
        if (*port == 8004 && cluster->gen.remoting_port)
            *port = cluster->gen.remoting_port;
        return true;
    case DC_WHEN_GRPC:
    case DC_WHEN_GRPC_HTTP:
        if (!grpc || dst->link_tls != (when == DC_WHEN_GRPC))
            return false;
        if (dst->link_port)
            *port = dst->link_port;
        return true;
    default: return true;
    }
}

/* The port a check probes on dst (after Redirects and port maps; 0 for a check without a
 * port, ICMP), -1 when it does not apply. */
static int32_t applicable_port(const struct dc_cluster *cluster, const struct dc_check *check,
                               const struct dc_node *dst)
{
    uint16_t port = check->port;
    if (!generation_applies(cluster, check->when, dst) ||
        !link_applies(cluster, check->when, dst, &port))
        return -1;
    if (check->transport == DC_TRANSPORT_ICMP)
        return 0;
    return port ? dc_node_port(dst, port) : -1;
}

int dci_plan_push(struct dc_plan *plan, uint32_t from, uint32_t to, uint32_t check, uint16_t port)
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

/* Already planned from this source to this destination on this port with this probe? The
 * first check that applies wins (the profile lists them in order of precedence). Only the
 * tasks of the current destination are scanned, so this stays cheap. */
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
    /* a VIP moves between two machines, a proxy or a cloud endpoint is not the cluster's:
     * none of them sends anything of its own */
    if (from->roles && !(from->roles & ~(DC_ROLE_FAILOVER_VIP | DC_ROLE_STAAS | DC_ROLE_PROXY |
                                         DC_ROLE_HTTPS_NAME)))
        return 0;
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
            if (!roles_match(dst->roles, check->to_roles) || !pair_allowed(check, from, dst))
                continue;
            int32_t port = applicable_port(cluster, check, dst);
            if (port < 0 || duplicate(plan, first, profile, check, (uint16_t)port))
                continue;
            int rc = dci_plan_push(plan, src, d, c, (uint16_t)port);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int32_t dci_plan_port(const struct dc_cluster *cluster, const struct dc_check *check,
                      const struct dc_node *src, const struct dc_node *dst)
{
    if (dst->pseudo || !roles_match(dst->roles, check->to_roles))
        return -1;
    if (src && (!pair_allowed(check, src, dst) && !src->pseudo))
        return -1;
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
        bool measurable = !src->no_agent || (filter && filter->here == src);
        if (!src->pseudo && measurable && listed(filter ? filter->from : NULL, src->name))
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

bool dc_plan_port_possible(const struct dc_cluster *cluster, const struct dc_check *check,
                           const struct dc_node *src, const struct dc_node *dst, uint16_t port)
{
    if (dst->pseudo || !roles_match(dst->roles, check->to_roles))
        return false;
    if (src && !src->pseudo && !pair_allowed(check, src, dst))
        return false;
    /* a Redirect's port (link_port) and SLNet.exe.config's Remoting port are the DMA link's
     * alone: with a Redirect on port 15001, only the link checks may go there, not Telnet,
     * HTTP, NATS or SNMP */
    if (check->transport == DC_TRANSPORT_ICMP) /* no port: port 0 only */
        return port == 0;
    bool link = check->when == DC_WHEN_REMOTING || check->when == DC_WHEN_GRPC ||
                check->when == DC_WHEN_GRPC_HTTP || check->when == DC_WHEN_REMOTING_OFF;
    bool remoting = check->when == DC_WHEN_REMOTING || check->when == DC_WHEN_REMOTING_OFF;
    const uint16_t candidates[] = {check->port, link ? dst->link_port : 0,
                                   remoting ? cluster->gen.remoting_port : 0};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (candidates[i] && dc_node_port(dst, candidates[i]) == port)
            return true;
    }
    return false;
}
