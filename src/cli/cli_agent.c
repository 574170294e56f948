/* dmsconn agent: serve this node's row of the matrix to the coordinator, in the foreground
 * until SIGTERM or SIGINT. */
#include "cli_options.h"
#include "dmsconn/agent.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "dmsconn/profile.h"
#include "base/os.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const struct cli_command cli_agent_command = {
    .name = "agent",
    .summary = "serve this node's row of the matrix to the coordinator",
    .bit = CLI_AGENT,
    .synopsis =
        "usage: dmsconn agent --token-file FILE [--listen ADDR[:PORT]] [--as NAME] NODE-LIST\n"
        "\n"
        "Runs, from this node, the checks a coordinator ('dmsconn check') sends: only towards\n"
        "nodes of this agent's own node list and only on ports of its own profile. Every request\n"
        "is signed with the shared token, which never crosses the network. Stops cleanly on\n"
        "SIGTERM or SIGINT.\n",
    .why_not = "an agent answers its coordinator and writes no report",
};

/* "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address. */
static int parse_listen(const char *spec, char *addr, size_t cap, uint16_t *port)
{
    if (!dc_host_port_split(spec, addr, cap, port))
        return -1;
    if (!*port)
        *port = DC_AGENT_PORT;
    return 0;
}

/* What the options say together. */
static int validate_args(const struct cli_args *a)
{
    if (!a->token_file)
        return cli_usage_error("agent", "expected --token-file FILE");
    if (!a->tls_cert != !a->tls_key)
        return cli_usage_error("agent", "expected both --tls-cert and --tls-key");
    if (a->tls_auto && a->tls_cert)
        return cli_usage_error("agent", "--tls-auto makes its own key pair: not with --tls-cert");
    return 0;
}

/* Which node this agent is: --as, else the node whose address it listens on, else the
 * machine's interface addresses. */
static long find_self(const struct dc_cluster *cluster, const struct cli_args *a,
                      const char *listen_addr)
{
    if (a->as)
        return dc_cluster_find(cluster, a->as);
    if (listen_addr[0]) {
        long i = dc_cluster_find(cluster, listen_addr);
        if (i >= 0)
            return i;
    }
    return dc_engine_local_node(cluster);
}

static int serve(struct dc_agent_opts *opts, const char *scheme)
{
    /* Block the stop signals before any thread starts, so only sigwait sees them. */
    dci_os_stop_block();
    struct dc_agent *agent = NULL;
    struct dc_diag diag = {{0}};
    if (dc_agent_start(opts, &agent, &diag)) {
        fprintf(stderr, "dmsconn agent: %s\n", diag.msg);
        return DC_RUN_UNKNOWN;
    }
    const struct dc_node *self = &opts->cluster->nodes[opts->self];
    fprintf(stderr, "dmsconn agent: node %s, %zu nodes, profile %s, on %s://%s%s%s:%u\n",
            self->name, opts->cluster->nnodes, opts->profile->name, scheme,
            strchr(opts->listen_address, ':') ? "[" : "", opts->listen_address,
            strchr(opts->listen_address, ':') ? "]" : "", opts->port);
    char what[64];
    dci_os_stop_wait(what, sizeof what);
    fprintf(stderr, "dmsconn agent: %s, stopping\n", what);
    dc_agent_stop(agent);
    return 0;
}

/* The agent itself, from the parsed options until it is stopped: the exit code. */
static int run_agent(struct cli_args *a)
{
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    char *token = NULL, *cert = NULL, *key = NULL;
    struct dc_diag diag = {{0}};
    int rc = 0;
    char listen_addr[64] = "";
    uint16_t port = DC_AGENT_PORT;
    if (a->listen && parse_listen(a->listen, listen_addr, sizeof listen_addr, &port)) {
        rc = cli_usage_error("agent", "--listen '%s': expected ADDR, ADDR:PORT or [IPv6]:PORT",
                             a->listen);
        goto out;
    }
    a->src.nats_credentials = dc_engine_secret(&a->run.engine, "nats") != NULL;
    rc = cli_load(&a->src, &cluster, &profile, "agent");
    if (rc)
        goto out;
    /* The node list's parse trees are gone; batches run on the web server's threads, whose
     * allocator arenas cannot reuse these pages, so give them back (a 1,250-node inventory
     * left 1.2 MiB behind for the agent's lifetime). */
    dci_os_release_memory();
    /* a request body (up to 16 MiB) goes back to the system once freed */
    dci_os_unmap_large_blocks(1u << 20);
    size_t len;
    rc = dc_token_read(a->token_file, &token, &diag);
    if (!rc && a->tls_cert)
        rc = dc_read_file(a->tls_cert, &cert, &len, &diag);
    if (!rc && a->tls_key)
        rc = dc_read_file(a->tls_key, &key, &len, &diag);
    if (rc) {
        fprintf(stderr, "dmsconn agent: %s\n", diag.msg);
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    long self = find_self(cluster, a, listen_addr);
    if (self < 0) {
        rc = cli_usage_error("agent",
                             "which node is this? none has the address %s: expected "
                             "--as NAME",
                             listen_addr[0] ? listen_addr : "of this machine");
        goto out;
    }
    const struct dc_node *node = &cluster->nodes[self];
    if (!listen_addr[0])
        snprintf(listen_addr, sizeof listen_addr, "%s", node->naddresses ? node->addresses[0] : "");
    if (a->tls_auto) {
        char fingerprint[DC_AGENT_PIN_MAX];
        bool made = false;
        if (dc_agent_tls_auto(a->tls_auto, node->name, listen_addr, &cert, &key, fingerprint, &made,
                              &diag)) {
            fprintf(stderr, "dmsconn agent: %s\n", diag.msg);
            rc = DC_RUN_UNKNOWN;
            goto out;
        }
        /* what the inventory pins, on every start (not a secret: the public key's hash) */
        fprintf(stderr,
                "dmsconn agent: %s key pair in %s; pin it in the inventory: agent: {address: "
                "%s%s%s:%u, fingerprint: \"%s\"}\n",
                made ? "a new" : "the", a->tls_auto, strchr(listen_addr, ':') ? "[" : "",
                listen_addr, strchr(listen_addr, ':') ? "]" : "", port, fingerprint);
    }
    struct dc_agent_opts opts = {
        .listen_address = listen_addr,
        .port = port,
        .token = token,
        .tls_cert_pem = cert,
        .tls_key_pem = key,
        .cluster = cluster,
        .profile = profile,
        .self = (uint32_t)self,
        .engine = a->run.engine,
        .max_body = 16u * 1024 * 1024,
        .max_runs = 4,
    };
    rc = serve(&opts, cert ? "https" : "http");
out:
    if (token)
        dci_os_secure_zero(token, strlen(token));
    free(token);
    free(cert);
    if (key)
        dci_os_secure_zero(key, strlen(key));
    free(key);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
    return rc;
}

int cmd_agent(int argc, char **argv)
{
    struct cli_args a;
    cli_args_init(&a);
    a.run.engine.timeout_s = 30;
    int rc = cli_parse(argc, argv, &cli_agent_command, &a);
    if (rc) {
        rc = rc == CLI_HELP_SHOWN ? 0 : rc;
        goto out;
    }
    if (a.install_service || a.uninstall_service) {
        rc = a.install_service && !a.uninstall_service ? validate_args(&a) : 0;
        if (!rc)
            rc = cli_service(&cli_agent_command, "dmsconn-agent", argc, argv, &a);
        goto out;
    }
    rc = validate_args(&a);
    if (rc)
        goto out;
    rc = a.as_service ? cli_as_service(&cli_agent_command, "dmsconn-agent", run_agent, &a)
                      : run_agent(&a);
out:
    cli_args_free(&a);
    return rc;
}
