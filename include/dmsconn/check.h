/* What is checked: a check (probe, port, roles, expectation, condition), a profile, a task of the
 * plan. */
#ifndef DMSCONN_CHECK_H
#define DMSCONN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* `unused`: a service the cluster no longer uses (.NET Remoting where it is disabled): closed
 * passes, still answering warns; never a failure. */
enum dc_expect {
    DC_EXPECT_REQUIRED,
    DC_EXPECT_OPTIONAL,
    DC_EXPECT_MUST_BE_CLOSED,
    DC_EXPECT_UNUSED,
    DC_EXPECT_ADVISORY /* should work; when it does not, a warning, never a failure (ICMP echo,
                          which networks filter on purpose: the ports decide) */
};
/* May dmsconn listen on a port checked with this expectation (pre-flight)? Never on one that
 * must be closed or that the cluster no longer uses. */
static inline bool dc_expect_may_listen(enum dc_expect e)
{
    return e == DC_EXPECT_REQUIRED || e == DC_EXPECT_OPTIONAL;
}
/* ICMP: a check without a port (its tasks carry port 0). */
enum dc_transport { DC_TRANSPORT_TCP, DC_TRANSPORT_UDP, DC_TRANSPORT_ICMP };

/* A pair-level or cluster-level condition a check can carry. */
enum dc_when {
    DC_WHEN_ALWAYS,
    DC_WHEN_REMOTING,         /* destination DMA is reached over .NET Remoting */
    DC_WHEN_GRPC,             /* destination DMA is reached over gRPC through HTTPS */
    DC_WHEN_CASSANDRA_PLAIN,  /* DB.xml: TLSEnabled false */
    DC_WHEN_CASSANDRA_TLS,    /* DB.xml: TLSEnabled true */
    DC_WHEN_GRPC_HTTP,        /* gRPC over plain HTTP (a Redirect via http://.../APIGateway) */
    DC_WHEN_REMOTING_OFF,     /* gRPC because Remoting is disabled: its port should be closed */
    DC_WHEN_LEGACY_NATS,      /* SLNet-managed NATS with the NATS Account Server */
    DC_WHEN_BROKER_GATEWAY,   /* NATS managed by BrokerGateway (no Account Server) */
    DC_WHEN_NATS_ROUTES,      /* three or more NATS servers: cluster routes are needed */
    DC_WHEN_SEARCH_PLAIN,     /* the search node is reached over HTTP */
    DC_WHEN_SEARCH_TLS,       /* ... over HTTPS (DBServer https://...) */
    DC_WHEN_CLOUD,            /* the DMS is connected to dataminer.services (STaaS) */
    DC_WHEN_NOT_CLOUD,        /* ... is not known to be */
    DC_WHEN_CLOUD_DIRECT,     /* STaaS reached without a proxy */
    DC_WHEN_NATS_CREDENTIALS, /* NATS lets dmsconn in: no credentials needed, or given */
    DC_WHEN_COUNT
};

/* Which (source, destination) pairs a check covers: distinct nodes (the default), also a node
 * to itself (a DMA to its local database), or only a node to itself (a DMA to its local
 * CloudGateway). */
enum dc_pairs { DC_PAIRS_OTHERS, DC_PAIRS_ALL, DC_PAIRS_SELF, DC_PAIRS_PEERS, DC_PAIRS_CLIENTS };
/* DC_PAIRS_PEERS: two distinct nodes of one database cluster (struct dc_node's db_group):
 * every node of a Cassandra cluster, but of a per-DMA Cassandra only a Failover pair.
 * DC_PAIRS_CLIENTS: a client of the destination's database: every source (itself included)
 * to a shared database's nodes, only the DMA itself to a per-DMA one (DBServer localhost). */

/* Which part of DataMiner a check belongs to: what the HTML report groups its heatmaps by.
 * A probe declares its family; a check has its probe's unless it says otherwise (Cassandra's
 * internode check speaks plain TCP or TLS and is Cassandra's). */
enum dc_family {
    DC_FAMILY_OTHER,
    DC_FAMILY_SLNET,
    DC_FAMILY_NATS,
    DC_FAMILY_CASSANDRA,
    DC_FAMILY_OPENSEARCH,
    DC_FAMILY_COUNT
};

struct dc_probe_ops;

/* Check names travel to agents as "name:port"; profiles keep them short. */
#define DC_CHECK_NAME_MAX 64

struct dc_check {
    char *name;    /* unique in a profile: "nats-client" */
    char *service; /* for people: "NATS client" */
    const struct dc_probe_ops *probe;
    uint16_t port;
    enum dc_transport transport;
    uint32_t from_roles;
    uint32_t to_roles;
    enum dc_expect expect;
    enum dc_when when;
    enum dc_pairs pairs;
    enum dc_family family;
};

struct dc_profile {
    char *name;
    struct dc_check *checks;
    size_t nchecks;
    size_t cap;
};

/* Indices into the cluster's nodes and the profile's checks; `port` is after overrides. */
struct dc_task {
    uint32_t from;
    uint32_t to;
    uint32_t check;
    uint16_t port;
};

const char *dc_expect_name(enum dc_expect expect);
const char *dc_transport_name(enum dc_transport transport);
const char *dc_when_name(enum dc_when when);
const char *dc_pairs_name(enum dc_pairs pairs);
/* "SLNet", "NATS", "Cassandra", "OpenSearch", "Other". */
const char *dc_family_name(enum dc_family family);

#endif
