/* Profiles: a named list of checks; the built-in `dataminer` profile is DataMiner's port
 * table, each row under the condition (the cluster's generation) that needs it. */
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "profile/profile_private.h"

#include <stdlib.h>
#include <string.h>

extern const struct dc_probe_ops dci_probe_tcp;

int dc_profile_new(const char *name, struct dc_profile **out)
{
    struct dc_profile *p = calloc(1, sizeof *p);
    if (!p)
        return DC_ENOMEM;
    p->name = strdup(name);
    if (!p->name) {
        free(p);
        return DC_ENOMEM;
    }
    *out = p;
    return 0;
}

static void check_clear(struct dc_check *c)
{
    free(c->name);
    free(c->service);
}

void dc_profile_free(struct dc_profile *profile)
{
    if (!profile)
        return;
    for (size_t i = 0; i < profile->nchecks; i++)
        check_clear(&profile->checks[i]);
    free(profile->checks);
    free(profile->name);
    free(profile);
}

long dc_profile_find(const struct dc_profile *profile, const char *name)
{
    for (size_t i = 0; i < profile->nchecks; i++) {
        if (strcmp(profile->checks[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

int dc_profile_put(struct dc_profile *profile, const struct dc_check *check)
{
    struct dc_check copy = *check;
    copy.name = strdup(check->name);
    copy.service = strdup(check->service ? check->service : check->name);
    if (!copy.name || !copy.service) {
        check_clear(&copy);
        return DC_ENOMEM;
    }
    long at = dc_profile_find(profile, check->name);
    if (at >= 0) {
        check_clear(&profile->checks[at]);
        profile->checks[at] = copy;
        return 0;
    }
    if (profile->nchecks == profile->cap) {
        size_t cap = profile->cap ? profile->cap * 2 : 32;
        struct dc_check *checks = realloc(profile->checks, cap * sizeof *checks);
        if (!checks) {
            check_clear(&copy);
            return DC_ENOMEM;
        }
        profile->checks = checks;
        profile->cap = cap;
    }
    profile->checks[profile->nchecks++] = copy;
    return 0;
}

int dc_profile_remove(struct dc_profile *profile, const char *name)
{
    long at = dc_profile_find(profile, name);
    if (at < 0)
        return DC_ENOTFOUND;
    check_clear(&profile->checks[at]);
    memmove(&profile->checks[at], &profile->checks[at + 1],
            (profile->nchecks - (size_t)at - 1) * sizeof *profile->checks);
    profile->nchecks--;
    return 0;
}

struct builtin {
    const char *name;
    const char *service;
    const char *probe;
    uint16_t port;
    uint32_t from;
    uint32_t to;
    enum dc_expect expect;
    enum dc_when when;
    enum dc_pairs pairs;
    enum dc_family family; /* the HTML report's group */
};

#define DMA DC_ROLE_DMA
#define DMA_VIP (DC_ROLE_DMA | DC_ROLE_FAILOVER_VIP)
#define DMA_NATS (DC_ROLE_DMA | DC_ROLE_NATS)
#define CASS DC_ROLE_CASSANDRA
#define SEARCH DC_ROLE_OPENSEARCH
#define REQ DC_EXPECT_REQUIRED
#define OPT DC_EXPECT_OPTIONAL
#define OTHERS DC_PAIRS_OTHERS
#define SELF DC_PAIRS_SELF
#define PEERS DC_PAIRS_PEERS
#define CLIENTS DC_PAIRS_CLIENTS
#define SLNET_F DC_FAMILY_SLNET
#define NATS_F DC_FAMILY_NATS
#define CASS_F DC_FAMILY_CASSANDRA
#define SEARCH_F DC_FAMILY_OPENSEARCH
#define OTHER_F DC_FAMILY_OTHER

/* DataMiner's port table as it runs in 2026 (README "The built-in profile"), each row with
 * the probe that proves its service answers and the condition, read from DataMiner's own
 * files, under which the cluster needs it. Rows that share a destination port and probe
 * come in order of precedence: the plan keeps the first that applies. */
static const struct builtin dataminer[] = {
    /* DMA <-> DMA: .NET Remoting, or gRPC through APIGateway (a Redirect, or Remoting off) */
    {"slnet-remoting", "SLNet .NET Remoting", "remoting", 8004, DMA, DMA_VIP, REQ, DC_WHEN_REMOTING,
     OTHERS, SLNET_F},
    {"slnet-grpc", "SLNet gRPC (APIGateway over HTTPS)", "apigateway", 443, DMA, DMA_VIP, REQ,
     DC_WHEN_GRPC, OTHERS, SLNET_F},
    {"slnet-grpc-http", "SLNet gRPC (APIGateway over plain HTTP)", "apigateway-http", 80, DMA,
     DMA_VIP, REQ, DC_WHEN_GRPC_HTTP, OTHERS, SLNET_F},
    {"slnet-remoting-off", "SLNet .NET Remoting (disabled: EnableDotNetRemoting false)", "remoting",
     8004, DMA, DMA, DC_EXPECT_UNUSED, DC_WHEN_REMOTING_OFF, OTHERS, SLNET_F},
    {"http", "DataMiner web server (HTTP)", "http", 80, DMA, DMA, OPT, DC_WHEN_ALWAYS, OTHERS,
     OTHER_F},
    /* ICMP echo from every Agent to every other and to every database, as DataMiner's BPA
     * "SLNet connections between the DataMiner Agents" pings: a warning at most (networks
     * filter it on purpose; the ports decide) */
    {"icmp", "ICMP echo (DataMiner's BPA pings the Agents)", "icmp", 0, DMA, DMA | CASS | SEARCH,
     DC_EXPECT_ADVISORY, DC_WHEN_ALWAYS, OTHERS, OTHER_F},
    /* NATS: SLNet-managed with the Account Server, or BrokerGateway (10.6: always) */
    {"nats-client", "NATS client port", "nats", 4222, DMA, DMA_NATS, REQ, DC_WHEN_ALWAYS, OTHERS,
     NATS_F},
    {"nats-cluster", "NATS cluster routes", "nats", 6222, DMA_NATS, DMA_NATS, REQ,
     DC_WHEN_NATS_ROUTES, OTHERS, NATS_F},
    {"nats-messaging", "NATS messaging between the servers", "nats-messaging", 4222, DMA, DMA, REQ,
     DC_WHEN_NATS_CREDENTIALS, OTHERS, NATS_F},
    {"nats-account", "NATS Account Server", "nats-account", 9090, DMA, DMA, REQ,
     DC_WHEN_LEGACY_NATS, OTHERS, NATS_F},
    {"brokergateway", "BrokerGateway API (HTTPS)", "brokergateway", 443, DMA, DMA, REQ,
     DC_WHEN_BROKER_GATEWAY, OTHERS, NATS_F},
    {"nats-monitoring", "NATS monitoring (internal only)", "nats-monitor", 8222, DMA, DMA_NATS, OPT,
     DC_WHEN_ALWAYS, OTHERS, NATS_F},
    /* CloudGateway: required where it is known to run, checked on every DMA */
    {"cloudgateway", "CloudGateway internal endpoint", "cloudgateway", 5100, DMA,
     DC_ROLE_CLOUDGATEWAY, REQ, DC_WHEN_ALWAYS, SELF, OTHER_F},
    {"cloudgateway-dma", "CloudGateway internal endpoint (connected to dataminer.services)",
     "cloudgateway", 5100, DMA, DMA, REQ, DC_WHEN_CLOUD, SELF, OTHER_F},
    {"cloudgateway-local", "CloudGateway internal endpoint", "cloudgateway", 5100, DMA, DMA, OPT,
     DC_WHEN_NOT_CLOUD, SELF, OTHER_F},
    /* the HTTPS name: resolves to its DMA from every Agent, and its certificate carries it */
    {"https-name", "HTTPS name (MaintenanceSettings.xml)", "https-name", 443, DMA,
     DC_ROLE_HTTPS_NAME, REQ, DC_WHEN_ALWAYS, OTHERS, OTHER_F},
    {"telnet", "Telnet (should be disabled)", "telnet", 23, DC_ROLE_ANY, DMA,
     DC_EXPECT_MUST_BE_CLOSED, DC_WHEN_ALWAYS, OTHERS, OTHER_F},
    /* Cassandra: CQL on 9042 with or without TLS (9142 was a documentation error) */
    {"cql", "Cassandra CQL", "cql", 9042, DMA, CASS, REQ, DC_WHEN_CASSANDRA_PLAIN, CLIENTS, CASS_F},
    {"cql-tls", "Cassandra CQL over TLS", "cql-tls", 9042, DMA, CASS, REQ, DC_WHEN_CASSANDRA_TLS,
     CLIENTS, CASS_F},
    {"cassandra-internode", "Cassandra internode", "tcp", 7000, CASS, CASS, REQ,
     DC_WHEN_CASSANDRA_PLAIN, PEERS, CASS_F},
    {"cassandra-internode-tls", "Cassandra internode over TLS", "tls", 7001, CASS, CASS, REQ,
     DC_WHEN_CASSANDRA_TLS, PEERS, CASS_F},
    {"cassandra-jmx", "Cassandra JMX (backups)", "jmx", 7199, CASS, CASS, OPT, DC_WHEN_ALWAYS,
     PEERS, CASS_F},
    /* OpenSearch/Elasticsearch: every search database, TLS from its DBServer URL */
    {"opensearch-http", "OpenSearch/Elasticsearch REST", "opensearch-http", 9200, DMA, SEARCH, REQ,
     DC_WHEN_SEARCH_PLAIN, CLIENTS, SEARCH_F},
    {"opensearch-https", "OpenSearch/Elasticsearch REST over HTTPS", "opensearch-https", 9200, DMA,
     SEARCH, REQ, DC_WHEN_SEARCH_TLS, CLIENTS, SEARCH_F},
    {"opensearch-transport", "OpenSearch/Elasticsearch transport", "opensearch-transport", 9300,
     SEARCH, SEARCH, REQ, DC_WHEN_ALWAYS, PEERS, SEARCH_F},
    /* Storage as a Service: outbound HTTPS to the region's endpoint, or the proxy to it */
    {"staas", "Storage as a Service (HTTPS)", "https", 443, DMA, DC_ROLE_STAAS, REQ,
     DC_WHEN_CLOUD_DIRECT, OTHERS, OTHER_F},
    {"staas-proxy", "Web proxy to Storage as a Service", "tcp", 3128, DMA, DC_ROLE_PROXY, REQ,
     DC_WHEN_CLOUD, OTHERS, OTHER_F},
};

int dc_profile_dataminer(struct dc_profile **out)
{
    struct dc_profile *p = NULL;
    int rc = dc_profile_new("dataminer", &p);
    for (size_t i = 0; !rc && i < sizeof dataminer / sizeof dataminer[0]; i++) {
        const struct builtin *b = &dataminer[i];
        struct dc_check c = {
            .name = (char *)b->name,
            .service = (char *)b->service,
            .probe = dc_probe_find(b->probe),
            .port = b->port,
            .transport = DC_TRANSPORT_TCP,
            .from_roles = b->from,
            .to_roles = b->to,
            .expect = b->expect,
            .when = b->when,
            .pairs = b->pairs,
            .family = b->family,
        };
        if (c.probe)
            c.transport = c.probe->transport; /* SNMP is UDP */
        rc = c.probe ? dc_profile_put(p, &c) : DC_ENOTFOUND;
    }
    if (rc) {
        dc_profile_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void dci_task_use_twin(struct dc_task *task, const struct dc_profile *profile)
{
    task->check += (uint32_t)profile->nchecks; /* check i's twin is i + nchecks */
}

int dci_profile_with_connect_twins(const struct dc_profile *profile, struct dc_profile **out)
{
    struct dc_profile *p = NULL;
    int rc = dc_profile_new(profile->name, &p);
    size_t n = profile->nchecks;
    if (!rc) {
        p->checks = calloc(2 * n + 1, sizeof *p->checks);
        rc = p->checks ? 0 : DC_ENOMEM;
    }
    for (size_t i = 0; !rc && i < 2 * n; i++) {
        struct dc_check c = profile->checks[i % n];
        if (i >= n) {
            c.probe = &dci_probe_tcp;
            c.transport = DC_TRANSPORT_TCP;
        }
        c.name = strdup(c.name);
        c.service = strdup(c.service);
        p->checks[i] = c;
        p->nchecks = i + 1;
        rc = c.name && c.service ? 0 : DC_ENOMEM;
    }
    if (rc) {
        dc_profile_free(p);
        return rc;
    }
    p->cap = 2 * n + 1;
    *out = p;
    return 0;
}
