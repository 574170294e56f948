/* The node list: roles, a node, what the cluster's files say about how it works (its generation),
 * the cluster. */
#ifndef DMSCONN_NODE_H
#define DMSCONN_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Roles are bits so the planner matches a check's roles with one AND. */
enum {
    DC_ROLE_DMA = 1u << 0,
    DC_ROLE_CASSANDRA = 1u << 1,
    DC_ROLE_OPENSEARCH = 1u << 2,
    DC_ROLE_NATS = 1u << 3,
    DC_ROLE_CLOUDGATEWAY = 1u << 4,
    DC_ROLE_FAILOVER_VIP =
        1u << 5,                  /* a Failover pair's virtual IP: a destination, never a source */
    DC_ROLE_STAAS = 1u << 6,      /* a Storage as a Service endpoint */
    DC_ROLE_PROXY = 1u << 7,      /* the web proxy DMAs reach dataminer.services through */
    DC_ROLE_HTTPS_NAME = 1u << 8, /* a DMA by its HTTPS name (alias_of): a destination only */
    DC_ROLE_ANY = 0xffffffffu
};

/* How DMAs reach this DMA (DMS.xml Redirects): .NET Remoting, or gRPC through APIGateway. */
enum dc_link { DC_LINK_REMOTING, DC_LINK_GRPC };

/* "On this node, the service whose default port is `from` listens on `to`." */
struct dc_port_map {
    uint16_t from;
    uint16_t to;
};

/* Which database a db_group index is for. */
enum dc_db_kind { DC_DB_CASSANDRA, DC_DB_SEARCH, DC_DB_KINDS };

struct dc_node {
    char *name;
    char **addresses; /* IPv4, IPv6 or hostname; the first that resolves is probed */
    size_t naddresses;
    uint32_t roles;
    enum dc_link link;
    uint16_t link_port; /* 0: the check's own port */
    bool link_tls;      /* gRPC over HTTPS (true) or plain HTTP (a Redirect via http://) */
    bool link_set;      /* a Redirect decided the link (a cluster-wide default does not) */
    bool search_tls;    /* its OpenSearch/Elasticsearch REST API is HTTPS */
    uint32_t failover;  /* Failover pair number (0: none); buddies and their VIP share it */
    uint32_t db_group[DC_DB_KINDS]; /* its database cluster (0: the one of an inventory) */
    bool db_local[DC_DB_KINDS];     /* that database is this DMA's own (DBServer localhost) */
    struct dc_port_map *ports;
    size_t nports;
    char *agent;      /* "ADDR:PORT" of its agent when not the default (inventory `agent:`) */
    char *agent_pin;  /* "sha256:BASE64" of its agent's public key: HTTPS, that key only */
    bool no_agent;    /* `agent: none`: no agent by design, its row is not measured */
    char *https_name; /* MaintenanceSettings.xml <HTTPS name>: must resolve to this DMA */
    bool alias;       /* this node is another's HTTPS name (addresses[0]), for alias_of */
    uint32_t alias_of;
    char *origin; /* where it was defined, for messages: "DMS.xml:4" */
    bool pseudo;  /* the "here" source of --all-targets, not a cluster member */
};

enum dc_cassandra_kind {
    DC_CASSANDRA_NONE,
    DC_CASSANDRA_CLUSTER, /* type CassandraCluster: one cluster for the whole DMS */
    DC_CASSANDRA_PER_DMA  /* type Cassandra: one per DMA, internode only inside a Failover pair */
};

/* What DataMiner's files say about how the cluster works (README "How the generation is
 * decided"); each `*_from` is the file and line that decided, NULL for the default. */
struct dc_generation {
    bool remoting_disabled; /* MaintenanceSettings.xml EnableDotNetRemoting false: gRPC */
    char *remoting_from;
    uint16_t remoting_port; /* Files/SLNet.exe.config's SLNetRemoting channel; 0: 8004 */
    bool broker_gateway;    /* ClusterEndpoints.json, or <BrokerGateway>true */
    char *nats_from;
    enum dc_cassandra_kind cassandra;
    bool cassandra_tls;
    char *cassandra_from;
    bool staas; /* DB.xml CloudStorage: Storage as a Service */
    char *staas_from;
    bool staas_proxy;      /* ... through the web proxy DB.xml names */
    bool nats_auth;        /* the files say the NATS servers want credentials */
    bool nats_credentials; /* the run has some (--nats-creds) */
    char *https_name;      /* MaintenanceSettings.xml <HTTPS name>: this Agent's HTTPS name */
    char *https_from;
    uint32_t search_clusters;  /* how many search databases (db_group numbers 1..n) */
    size_t nats_servers;       /* DMAs and NATS nodes, counted by dc_cluster_finish (0: not) */
    bool search_from_dbconfig; /* Database/DBConfiguration.xml overrides DB.xml's search */
};

/* A setting of DataMiner's files that DataMiner's upgrade prerequisite VerifyGRPCConnection
 * (10.5.10/10.6.0 on) refuses, with the file and line and DataMiner's own sentence. */
struct dc_upgrade_finding {
    char *file;
    unsigned long line; /* 0: the file as a whole */
    char *finding;
};

struct dc_cluster {
    char *name;
    struct dc_node *nodes;
    size_t nnodes;
    size_t cap;
    struct dc_generation gen;
    char **notes; /* things known but not checked (offload databases, ...) */
    size_t nnotes;
    struct dc_upgrade_finding *upgrade; /* what blocks the upgrade to gRPC (10.5.10/10.6.0) */
    size_t nupgrade;
    bool upgrade_known; /* a DataMiner folder was read: the list says all there is */
};

/* For messages: every role name dci_role_parse knows, "any" aside. */
#define DC_ROLE_NAMES                                                                              \
    "dma, cassandra, opensearch, elasticsearch, nats, cloudgateway, failover-vip, staas, proxy "   \
    "or https-name"
/* Writes "dma,cassandra" into buf; returns buf. */
char *dc_roles_format(uint32_t roles, char *buf, size_t cap);
/* Calls fn for each role name in the set, in a fixed order. */
void dc_roles_each(uint32_t roles, void (*fn)(const char *name, void *ud), void *ud);

#endif
