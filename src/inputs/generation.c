/* The cluster's generation, settled once every source is read: which link each DMA pair uses,
 * which database cluster each node is in, what the Failover VIPs lead to, and the notes that
 * tell an admin what was decided from which file. */
#include "dmsconn/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Remoting off (MaintenanceSettings.xml) means gRPC over HTTPS 443 for every pair a Redirect
 * does not settle otherwise. */
static void settle_links(struct dc_cluster *cluster)
{
    if (!cluster->gen.remoting_disabled)
        return;
    for (size_t i = 0; i < cluster->nnodes; i++) {
        struct dc_node *n = &cluster->nodes[i];
        if ((n->roles & DC_ROLE_DMA) && !n->link_set) {
            n->link = DC_LINK_GRPC;
            n->link_port = 0;
            n->link_tls = true;
        }
    }
}

/* A VIP leads to whichever buddy is active: it is reached as the buddies are. */
static void settle_vips(struct dc_cluster *cluster)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        struct dc_node *vip = &cluster->nodes[i];
        if (!(vip->roles & DC_ROLE_FAILOVER_VIP))
            continue;
        for (size_t j = 0; j < cluster->nnodes; j++) {
            const struct dc_node *b = &cluster->nodes[j];
            if (j != i && (b->roles & DC_ROLE_DMA) && b->failover == vip->failover) {
                vip->link = b->link;
                vip->link_port = b->link_port;
                vip->link_tls = b->link_tls;
                break;
            }
        }
    }
}

/* A per-DMA database (DBServer localhost) is one cluster per DMA, or per Failover pair. */
static void settle_local_databases(struct dc_cluster *cluster)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        struct dc_node *n = &cluster->nodes[i];
        for (int k = 0; k < DC_DB_KINDS; k++) {
            if (n->db_local[k])
                n->db_group[k] = n->failover ? 0x10000u + n->failover : 0x20000u + (uint32_t)i;
        }
    }
}

static size_t count_role(const struct dc_cluster *cluster, uint32_t role)
{
    size_t n = 0;
    for (size_t i = 0; i < cluster->nnodes; i++)
        n += !cluster->nodes[i].pseudo && (cluster->nodes[i].roles & role) != 0;
    return n;
}

static int note_links(struct dc_cluster *cluster)
{
    const struct dc_generation *g = &cluster->gen;
    size_t grpc = 0, plain = 0, dmas = 0;
    for (size_t i = 0; i < cluster->nnodes; i++) {
        const struct dc_node *n = &cluster->nodes[i];
        if (!(n->roles & DC_ROLE_DMA))
            continue;
        dmas++;
        grpc += n->link == DC_LINK_GRPC;
        plain += n->link == DC_LINK_GRPC && !n->link_tls;
    }
    if (dmas == 0)
        return 0;
    unsigned port = g->remoting_port ? g->remoting_port : 8004;
    if (g->remoting_disabled)
        return dc_cluster_add_note(cluster,
                                   "generation: DMAs talk gRPC through APIGateway on 443 (%s: "
                                   "EnableDotNetRemoting false); .NET Remoting's %u should be "
                                   "closed%s",
                                   g->remoting_from, port,
                                   plain ? "; Redirects make some pairs plain HTTP" : "");
    return dc_cluster_add_note(cluster,
                               "generation: DMAs talk .NET Remoting on %u (%s); %zu of %zu DMAs "
                               "are reached over gRPC (Redirects)",
                               port,
                               g->remoting_from ? g->remoting_from
                                                : "no EnableDotNetRemoting false in "
                                                  "MaintenanceSettings.xml",
                               grpc, dmas);
}

static int note_nats(struct dc_cluster *cluster)
{
    const struct dc_generation *g = &cluster->gen;
    int rc = g->broker_gateway
                 ? dc_cluster_add_note(cluster,
                                       "generation: NATS is managed by BrokerGateway (%s): no "
                                       "NATS Account Server, nothing on 9090",
                                       g->nats_from)
                 : dc_cluster_add_note(cluster,
                                       "generation: legacy NATS with the NATS Account Server on "
                                       "9090 (no ClusterEndpoints.json, no BrokerGateway flag)");
    if (!rc && g->nats_auth && !g->nats_credentials)
        rc = dc_cluster_add_note(cluster,
                                 "nats-messaging not checked: DataMiner's NATS wants "
                                 "credentials; give --secret nats=FILE (or --nats-creds FILE) to "
                                 "test messaging "
                                 "through the routes");
    return rc;
}

static int note_databases(struct dc_cluster *cluster)
{
    const struct dc_generation *g = &cluster->gen;
    int rc = 0;
    if (g->cassandra == DC_CASSANDRA_CLUSTER)
        rc = dc_cluster_add_note(cluster,
                                 "generation: one Cassandra cluster of %zu node(s) (%s), CQL on "
                                 "9042%s, internode on %s",
                                 count_role(cluster, DC_ROLE_CASSANDRA), g->cassandra_from,
                                 g->cassandra_tls ? " over TLS" : "",
                                 g->cassandra_tls ? "7001 (TLS)" : "7000");
    else if (g->cassandra == DC_CASSANDRA_PER_DMA)
        rc = dc_cluster_add_note(cluster,
                                 "generation: one Cassandra per DMA (%s): each DMA needs its own "
                                 "9042%s; internode only inside a Failover pair",
                                 g->cassandra_from, g->cassandra_tls ? " (TLS)" : "");
    if (!rc && g->search_clusters)
        rc = dc_cluster_add_note(cluster, "generation: %u search database(s), %zu node(s)",
                                 g->search_clusters, count_role(cluster, DC_ROLE_OPENSEARCH));
    if (!rc && g->staas)
        rc = dc_cluster_add_note(
            cluster, "generation: Storage as a Service (%s): no database nodes; %s", g->staas_from,
            g->staas_proxy ? "DMAs reach it through the proxy, which is checked (not the "
                             "endpoint behind it)"
            : count_role(cluster, DC_ROLE_STAAS)
                ? "DMAs must reach its endpoint on 443"
                : "give --staas-endpoint HOST (the region's endpoint) to check the path to it");
    return rc;
}

int dc_cluster_finish(struct dc_cluster *cluster, bool notes)
{
    cluster->gen.nats_servers = count_role(cluster, DC_ROLE_DMA | DC_ROLE_NATS);
    settle_links(cluster);
    settle_vips(cluster);
    settle_local_databases(cluster);
    if (!notes)
        return 0;
    int rc = note_links(cluster);
    if (!rc)
        rc = note_nats(cluster);
    if (!rc)
        rc = note_databases(cluster);
    return rc;
}
