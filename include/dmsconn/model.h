/* The model every module shares: nodes, checks, tasks, results, verdicts (DESIGN.md). */
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

enum dc_expect { DC_EXPECT_REQUIRED, DC_EXPECT_OPTIONAL, DC_EXPECT_MUST_BE_CLOSED };
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
    DC_ROLE_ANY = 0xffffffffu
};

/* How DMAs reach this DMA (DMS.xml Redirects): .NET Remoting, or gRPC through APIGateway. */
enum dc_link { DC_LINK_REMOTING, DC_LINK_GRPC };

/* A pair-level or cluster-level condition a check can carry. */
enum dc_when {
    DC_WHEN_ALWAYS,
    DC_WHEN_REMOTING,        /* destination DMA is reached over .NET Remoting */
    DC_WHEN_GRPC,            /* destination DMA is reached over gRPC (a Redirect) */
    DC_WHEN_CASSANDRA_PLAIN, /* DB.xml: TLSEnabled false */
    DC_WHEN_CASSANDRA_TLS    /* DB.xml: TLSEnabled true */
};

/* Which (source, destination) pairs a check covers: distinct nodes (the default), also a node
 * to itself (a DMA to its local database), or only a node to itself (a DMA to its local
 * CloudGateway). */
enum dc_pairs { DC_PAIRS_OTHERS, DC_PAIRS_ALL, DC_PAIRS_SELF };

/* "On this node, the service whose default port is `from` listens on `to`." */
struct dc_port_map {
    uint16_t from;
    uint16_t to;
};

struct dc_node {
    char *name;
    char **addresses; /* IPv4, IPv6 or hostname; the first that resolves is probed */
    size_t naddresses;
    uint32_t roles;
    enum dc_link link;
    uint16_t link_port; /* 0: the check's own port */
    struct dc_port_map *ports;
    size_t nports;
    char *agent;  /* "ADDR:PORT" of its agent when not the default (inventory `agent:`) */
    char *origin; /* where it was defined, for messages: "DMS.xml:4" */
    bool pseudo;  /* the "here" source of --all-targets, not a cluster member */
};

struct dc_cluster {
    char *name;
    struct dc_node *nodes;
    size_t nnodes;
    size_t cap;
    bool cassandra_tls;
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
};

/* One task's result. The strings point into the run's text pool (dmsconn/texts.h) or at
 * literals; never NULL once the result has been reset. 48 bytes: a 300,000-task matrix
 * holds its results in 15 MB. */
struct dc_result {
    enum dc_state state;
    enum dc_verdict verdict; /* the remedy is made when a report is rendered */
    bool measured;           /* false: never run (interrupted, filtered out) */
    bool severe;             /* a degraded service that counts as a failure (OpenSearch red) */
    bool preflight;          /* the destination port was a pre-flight listener of dmsconn's */
    double latency_ms;       /* connect round trip; < 0 when there was none */
    const char *address;     /* the address actually probed, "" if none */
    const char *detail;      /* one line for people */
    const char *evidence;    /* what the peer said about itself (version, banner) */
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
#define DC_ROLE_NAMES "dma, cassandra, opensearch, elasticsearch, nats or cloudgateway"
/* Writes "dma,cassandra" into buf; returns buf. */
char *dc_roles_format(uint32_t roles, char *buf, size_t cap);
/* Calls fn for each role name in the set, in a fixed order. */
void dc_roles_each(uint32_t roles, void (*fn)(const char *name, void *ud), void *ud);

#endif
