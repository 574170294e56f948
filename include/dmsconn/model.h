/* The model every module shares: nodes, checks, tasks, results, verdicts (docs/architecture.md). */
#ifndef DMSCONN_MODEL_H
#define DMSCONN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One taxonomy for every probe; the order is stable (JSON uses the names). */
enum dc_state {
    DC_STATE_OK,
    DC_STATE_REFUSED,       /* RST: nothing listens */
    DC_STATE_FILTERED,      /* no answer before the deadline: dropped */
    DC_STATE_UNREACHABLE,   /* ICMP host/net unreachable, no route */
    DC_STATE_DNS,           /* the name does not resolve */
    DC_STATE_WRONG_SERVICE, /* something answered, not the protocol expected */
    DC_STATE_TLS,           /* TLS handshake failed */
    DC_STATE_AUTH,          /* reached, credentials refused */
    DC_STATE_DEGRADED,      /* works, but unhealthy or slow */
    DC_STATE_ERROR,         /* our own local failure */
    DC_STATE_UNKNOWN,       /* not measured (interrupted, agent unreachable) */
    DC_STATE_COUNT
};

/* `unused`: a service the cluster no longer uses (.NET Remoting where it is disabled): closed
 * passes, still answering warns; never a failure. */
enum dc_expect {
    DC_EXPECT_REQUIRED,
    DC_EXPECT_OPTIONAL,
    DC_EXPECT_MUST_BE_CLOSED,
    DC_EXPECT_UNUSED
};
/* May dmsconn listen on a port checked with this expectation (pre-flight)? Never on one that
 * must be closed or that the cluster no longer uses. */
static inline bool dc_expect_may_listen(enum dc_expect e)
{
    return e == DC_EXPECT_REQUIRED || e == DC_EXPECT_OPTIONAL;
}
enum dc_transport { DC_TRANSPORT_TCP, DC_TRANSPORT_UDP };
enum dc_verdict { DC_VERDICT_PASS, DC_VERDICT_WARN, DC_VERDICT_FAIL };

/* The run's verdict; the values are the exit codes of monitoring plugins. */
enum dc_run_verdict { DC_RUN_OK = 0, DC_RUN_WARNING = 1, DC_RUN_CRITICAL = 2, DC_RUN_UNKNOWN = 3 };

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

struct dc_cluster {
    char *name;
    struct dc_node *nodes;
    size_t nnodes;
    size_t cap;
    struct dc_generation gen;
    char **notes; /* things known but not checked (offload databases, ...) */
    size_t nnotes;
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

/* What a probe found, as its judge or library step writes it: fixed buffers, no allocation
 * (judges run once per reply, library steps on worker threads). The engine copies it into
 * the run's result. */
struct dc_finding {
    enum dc_state state;
    bool severe;
    char detail[160];
    char evidence[128];
    /* For a probe with a `revise` step (dmsconn/probe.h): what the judge keeps of this
     * destination for the run's end, lines of text, facts_cap bytes the driver provides
     * (NULL, 0 for other probes). */
    char *facts;
    size_t facts_cap;
};

/* Why a row's agent gave no results (DC_AGENT_OK: it did, or the row ran here). */
enum dc_agent_failure {
    DC_AGENT_OK,
    DC_AGENT_UNREACHABLE, /* no connection, or no answer in time */
    DC_AGENT_TOKEN,       /* it refused the token (HTTP 401) */
    DC_AGENT_BAD_ANSWER,  /* another HTTP status, or an answer that is no dmsconn answer */
    DC_AGENT_INTERRUPTED, /* the run was stopped before it answered */
    DC_AGENT_NOT_ASKED,   /* the request could not be sent */
    DC_AGENT_NO_REPORT,   /* dmsconn merge: no report of this row was given */
    DC_AGENT_STALE,       /* dmsconn merge: its report is older than --max-age */
    DC_AGENT_CERT         /* its certificate's key is not the one pinned in the inventory */
};

/* One task's result. The strings point into the run's text pool (dmsconn/texts.h) or at
 * literals; never NULL once the result has been reset. 56 bytes: a 300,000-task matrix
 * holds its results in 17 MB. */
struct dc_result {
    enum dc_state state;
    enum dc_verdict verdict; /* the remedy is made when a report is rendered */
    bool measured;           /* false: never run (interrupted, filtered out) */
    bool severe;             /* a degraded service that counts as a failure (OpenSearch red) */
    bool preflight;          /* the destination port was a pre-flight listener of dmsconn's */
    uint8_t agent_failure;   /* enum dc_agent_failure: why the row's agent gave nothing */
    double latency_ms;       /* connect round trip; < 0 when there was none */
    const char *address;     /* the address actually probed, "" if none */
    const char *detail;      /* one line for people */
    const char *evidence;    /* what the peer said about itself (version, banner) */
    const char *remedy;      /* what to do, made once when the run is judged ("" for a pass) */
};

/* A result not run yet: unknown, unmeasured, every string "" (detail: why, if given). */
void dc_result_reset(struct dc_result *r, const char *detail);

const char *dc_state_name(enum dc_state state);
int dc_state_parse(const char *name, enum dc_state *out);
const char *dc_expect_name(enum dc_expect expect);
int dc_expect_parse(const char *name, enum dc_expect *out);
const char *dc_transport_name(enum dc_transport transport);
const char *dc_verdict_name(enum dc_verdict verdict);
const char *dc_run_verdict_name(enum dc_run_verdict verdict);
const char *dc_when_name(enum dc_when when);
int dc_when_parse(const char *name, enum dc_when *out);
const char *dc_pairs_name(enum dc_pairs pairs);
int dc_pairs_parse(const char *name, enum dc_pairs *out);

/* Roles: "dma", "cassandra", "opensearch" (also "elasticsearch"), "nats", "cloudgateway";
 * "any" only where a set of roles is matched. */
int dc_role_parse(const char *name, bool allow_any, uint32_t *out);
/* For messages: every role name dc_role_parse knows, "any" aside. */
#define DC_ROLE_NAMES                                                                              \
    "dma, cassandra, opensearch, elasticsearch, nats, cloudgateway, failover-vip, staas, proxy "   \
    "or https-name"
/* Writes "dma,cassandra" into buf; returns buf. */
char *dc_roles_format(uint32_t roles, char *buf, size_t cap);
/* Calls fn for each role name in the set, in a fixed order. */
void dc_roles_each(uint32_t roles, void (*fn)(const char *name, void *ud), void *ud);

#endif
