/* dmsconn demo: a throwaway four-node cluster on loopback addresses, with real listeners
 * and seeded faults, checked through the same plan, engine and reports as a real run. */
#include "cli_options.h"
#include "cli_demo_services.h"
#include "dmsconn/cluster.h"
#include "dmsconn/plan.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"

#include "base/os.h"

#include <stdlib.h>
#include <string.h>

/* SERVE: the right service; SQUAT: another program on the port; DROP: SYNs dropped. */
enum serve { SERVE, SQUAT, DROP };

struct listener_spec {
    const char *node;
    uint16_t port;
    enum serve mode;
    const char *story; /* the seeded fault, for people */
};

struct demo_node {
    const char *name;
    const char *address;
    uint32_t roles;
};

static const struct demo_node demo_nodes[] = {
    {"dma1", "127.0.1.1", DC_ROLE_DMA},
    {"dma2", "127.0.1.2", DC_ROLE_DMA},
    {"dma3", "127.0.1.3", DC_ROLE_DMA},
    {"db1", "127.0.1.4", DC_ROLE_CASSANDRA | DC_ROLE_OPENSEARCH},
};

/* Every port that answers; anything else is closed (refused). */
static const struct listener_spec specs[] = {
    {"dma1", 8004, SERVE, NULL},
    {"dma1", 80, SERVE, NULL},
    {"dma1", 4222, SERVE, NULL},
    {"dma1", 6222, SERVE, NULL},
    {"dma1", 9090, SERVE, NULL},
    {"dma2", 443, SERVE, "dma2 is reached over gRPC (a DMS.xml Redirect): 443, not 8004"},
    {"dma2", 80, SERVE, NULL},
    {"dma2", 4222, SERVE, NULL},
    {"dma2", 6222, SERVE, NULL},
    {"dma2", 9090, SQUAT, "another program holds port 9090 on dma2 (a known clash with NAS)"},
    {"dma2", 23, SERVE, "dma2 has Telnet enabled (must be closed)"},
    {"dma3", 8004, SQUAT, "dma3's port 8004 is taken by another web server, not SLNet"},
    {"dma3", 80, SERVE, NULL},
    {"dma3", 4222, SERVE, NULL},
    {"dma3", 6222, SERVE, NULL},
    {"dma3", 0, SERVE, "dma3's NATS Account Server (9090) is not running"},
    {"db1", 9042, DROP, "db1 drops every SYN to Cassandra 9042 (a full accept queue)"},
    {"db1", 9200, SERVE, NULL},
};

#define NSPECS (sizeof specs / sizeof specs[0])

struct demo {
    struct dc_cluster *cluster;
    uv_os_sock_t socks[NSPECS * 2]; /* the full queue's listener and its clients */
    size_t nsocks;
    uint16_t actual[NSPECS];     /* port each spec listens on after mapping */
    uv_os_sock_t served[NSPECS]; /* listeners that answer, and as what */
    enum demo_kind kinds[NSPECS];
    size_t nserved;
    struct demo_services *services;
};

/* What a listener on this (default) port speaks, as the built-in profile probes it. */
static enum demo_kind kind_of(uint16_t port)
{
    switch (port) {
    case 8004: return DEMO_REMOTING;
    case 4222:
    case 6222: return DEMO_NATS;
    case 9042: return DEMO_CQL;
    case 9300: return DEMO_TRANSPORT;
    case 23: return DEMO_TELNET;
    case 80: return DEMO_WEB;
    case 9090: return DEMO_NAS;
    case 9200: return DEMO_OPENSEARCH;
    default: return DEMO_PLAIN;
    }
}

/* A listener on address:port (0: any free port); a libuv error (UV_EADDRINUSE, UV_EACCES). */
static int bind_listener(const char *address, uint16_t port, int backlog, uint16_t *bound,
                         uv_os_sock_t *out)
{
    struct sockaddr_in sa;
    if (uv_ip4_addr(address, port, &sa) != 0)
        return UV_EINVAL;
    int rc = dci_os_listen((const struct sockaddr *)&sa, backlog, out);
    if (rc == 0)
        *bound = (uint16_t)dci_os_sock_port(*out);
    return rc;
}

/* A listener whose accept queue is full: the kernel drops further SYNs, which is exactly
 * what a DROP firewall rule looks like from the other side — and it needs no root. */
static int fill_queue(const char *address, uint16_t port, uv_os_sock_t *out)
{
    struct sockaddr_in sa;
    if (uv_ip4_addr(address, port, &sa) != 0)
        return UV_EINVAL;
    uv_os_sock_t sock = dci_os_sock_open(AF_INET, SOCK_STREAM, 0);
    if (!dci_os_sock_valid(sock))
        return UV_EMFILE;
    if (dci_os_sock_connect(sock, (const struct sockaddr *)&sa) != 0) {
        dci_os_sock_close(sock);
        return UV_ECONNREFUSED;
    }
    *out = sock;
    return 0;
}

static const char *node_address(const char *name)
{
    for (size_t i = 0; i < sizeof demo_nodes / sizeof demo_nodes[0]; i++) {
        if (strcmp(demo_nodes[i].name, name) == 0)
            return demo_nodes[i].address;
    }
    return NULL;
}

static int start_listeners(struct demo *d)
{
    for (size_t i = 0; i < NSPECS; i++) {
        const struct listener_spec *s = &specs[i];
        if (s->port == 0)
            continue;
        const char *addr = node_address(s->node);
        uint16_t bound = 0;
        int backlog = s->mode == DROP ? 0 : 64;
        uv_os_sock_t sock;
        int rc = bind_listener(addr, s->port, backlog, &bound, &sock);
        if (rc == UV_EACCES || rc == UV_EADDRINUSE) {
            /* Ports below 1024 need root; a busy port is someone else's: take a free one
             * and tell the plan, as an inventory's `ports:` map would. */
            rc = bind_listener(addr, 0, backlog, &bound, &sock);
            if (rc == 0) {
                long idx = dc_cluster_find(d->cluster, s->node);
                dc_node_map_port(&d->cluster->nodes[idx], s->port, bound);
                printf("demo: %s serves %u on %s:%u instead (%u is privileged or busy)\n", s->node,
                       s->port, addr, bound, s->port);
            }
        }
        if (rc != 0) {
            fprintf(stderr, "dmsconn demo: cannot listen on %s:%u: %s\n", addr, s->port,
                    uv_strerror(rc));
            return DC_RUN_UNKNOWN;
        }
        d->actual[i] = bound;
        if (s->mode != DROP) {
            d->served[d->nserved] = sock; /* the services' loop owns it */
            d->kinds[d->nserved++] = s->mode == SQUAT ? DEMO_WEB : kind_of(s->port);
            continue;
        }
        d->socks[d->nsocks++] = sock;
        uv_os_sock_t client;
        rc = fill_queue(addr, bound, &client);
        if (rc != 0) {
            fprintf(stderr, "dmsconn demo: cannot fill the queue of %s:%u: %s\n", addr, bound,
                    uv_strerror(rc));
            return DC_RUN_UNKNOWN;
        }
        d->socks[d->nsocks++] = client;
    }
    if (demo_services_start(d->served, d->kinds, d->nserved, &d->services) != 0) {
        fprintf(stderr, "dmsconn demo: cannot start the demo's services\n");
        return DC_RUN_UNKNOWN;
    }
    return 0;
}

static enum dc_state expected_state(const struct demo *d, const char *node, uint16_t port,
                                    enum dc_transport transport)
{
    if (transport == DC_TRANSPORT_ICMP) /* every loopback address answers echo */
        return DC_STATE_OK;
    for (size_t i = 0; i < NSPECS; i++) {
        if (specs[i].port && strcmp(specs[i].node, node) == 0 && d->actual[i] == port)
            return specs[i].mode == DROP    ? DC_STATE_FILTERED
                   : specs[i].mode == SQUAT ? DC_STATE_WRONG_SERVICE
                                            : DC_STATE_OK;
    }
    return DC_STATE_REFUSED;
}

/* The demo knows the truth of every cell; it says so if this machine disagrees. ICMP echo
 * that this machine may not send (no ping socket for its group, no raw socket) is no
 * surprise: it is said, with how to allow it. */
static size_t count_surprises(const struct demo *d, const struct dc_profile *profile,
                              const struct dc_plan *plan, const struct dc_result *results,
                              size_t *unsent_out)
{
    size_t surprises = 0, unsent = 0;
    const char *remedy = "";
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        const char *to = d->cluster->nodes[t->to].name;
        enum dc_transport transport = profile->checks[t->check].transport;
        enum dc_state want = expected_state(d, to, t->port, transport);
        if (transport == DC_TRANSPORT_ICMP && results[i].state == DC_STATE_UNKNOWN &&
            strncmp(results[i].detail, "no ICMP socket", 14) == 0) {
            unsent++;
            remedy = results[i].remedy;
            continue;
        }
        if (results[i].state != want) {
            if (surprises++ == 0)
                printf("\ndemo: results that differ from the seeded faults:\n");
            printf("  %s -> %s:%u: expected %s, measured %s (%s)\n",
                   d->cluster->nodes[t->from].name, to, t->port, dc_state_name(want),
                   dc_state_name(results[i].state), results[i].detail);
        }
    }
    if (unsent)
        printf("\ndemo: %zu ICMP echo checks not measured: this machine may not send ICMP echo "
               "(%s)\n",
               unsent, remedy);
    *unsent_out = unsent;
    return surprises;
}

static int build_cluster(struct demo *d)
{
    struct dc_diag diag = {{0}};
    int rc = dc_cluster_new(&d->cluster);
    if (!rc)
        rc = dc_cluster_set_name(d->cluster, "demo");
    for (size_t i = 0; !rc && i < sizeof demo_nodes / sizeof demo_nodes[0]; i++)
        rc = dc_cluster_add(d->cluster, demo_nodes[i].name, demo_nodes[i].address,
                            demo_nodes[i].roles, "demo", &diag);
    if (!rc) {
        struct dc_node *dma2 = &d->cluster->nodes[dc_cluster_find(d->cluster, "dma2")];
        dma2->link = DC_LINK_GRPC;
        dma2->link_port = 443;
    }
    return rc;
}

const struct cli_command cli_demo_command = {
    .name = "demo",
    .summary = "run a real check against a throwaway cluster on loopback",
    .bit = CLI_DEMO,
    .synopsis =
        "usage: dmsconn demo [--timeout SECONDS] [--json FILE|-] [--all] [--no-color]\n"
        "\n"
        "Starts a throwaway cluster of four nodes on 127.0.1.1-127.0.1.4 (dma1-3, db1) whose\n"
        "listeners speak their protocols (NATS, .NET Remoting, Cassandra, Telnet), with seeded\n"
        "faults, checks it with the built-in profile, each row from its own node's address,\n"
        "prints the matrix and cleans up. No root needed.\n",
    .epilogue = "Exit: 0 when every result matches the seeded faults, 2 when this machine\n"
                "disagrees (e.g. a local service already listens on one of the ports), 3 when\n"
                "the demo cannot start.\n",
    .why_not = "the demo makes its own cluster",
};

int cmd_demo(int argc, char **argv)
{
    struct cli_args a;
    cli_args_init(&a);
    a.run.engine.timeout_s = 1.0; /* the seeded DROP costs one timeout: keep the demo quick */
    a.run.engine.bind_source = true;
    int parsed = cli_parse(argc, argv, &cli_demo_command, &a);
    if (parsed || cli_run_validate(&a.run, "demo")) {
        cli_args_free(&a);
        return parsed == CLI_HELP_SHOWN ? 0 : DC_RUN_UNKNOWN;
    }
    const struct cli_run run = a.run;
    struct demo d = {0};
    struct dc_profile *profile = NULL;
    struct dc_plan *plan = NULL;
    struct dc_result *results = NULL;
    struct dc_texts *texts = NULL;
    int rc = build_cluster(&d);
    if (!rc)
        rc = dc_profile_dataminer(&profile);
    if (!rc) {
        /* the demo serves no TLS: its gRPC (APIGateway over HTTPS) check is a TCP connect */
        long grpc = dc_profile_find(profile, "slnet-grpc");
        if (grpc >= 0)
            profile->checks[grpc].probe = dc_probe_find("tcp");
        /* nor a real NATS cluster: its listeners only greet, so no messaging check */
        dc_profile_remove(profile, "nats-messaging");
    }
    if (rc) {
        fprintf(stderr, "dmsconn demo: %s\n", dc_strerror(rc));
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    printf("demo: cluster of 4 nodes on 127.0.1.1-4; seeded faults:\n");
    for (size_t i = 0; i < NSPECS; i++) {
        if (specs[i].story)
            printf("  - %s\n", specs[i].story);
    }
    rc = start_listeners(&d);
    if (rc)
        goto out;
    if (dc_plan_build(d.cluster, profile, NULL, &plan)) {
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    printf("\n");
    results = calloc(plan->ntasks, sizeof *results);
    texts = dc_texts_new();
    rc = results && texts ? cli_execute_into(d.cluster, profile, plan, &run, results, texts)
                          : DC_RUN_UNKNOWN;
    if (rc == DC_RUN_UNKNOWN)
        goto out;
    size_t unsent = 0;
    size_t surprises = count_surprises(&d, profile, plan, results, &unsent);
    if (surprises == 0)
        printf("\ndemo: all %zu %sresults match the seeded faults.\n", plan->ntasks - unsent,
               unsent ? "measured " : "");
    rc = surprises ? DC_RUN_CRITICAL : 0;
out:
    demo_services_stop(d.services);
    for (size_t i = 0; i < d.nsocks; i++)
        dci_os_sock_close(d.socks[i]);
    /* the served listeners are the services' (closed by their stop, or by the process's end
     * when they could not start) */
    free(results);
    dc_texts_free(texts);
    dc_plan_free(plan);
    dc_profile_free(profile);
    dc_cluster_free(d.cluster);
    cli_args_free(&a);
    return rc;
}
