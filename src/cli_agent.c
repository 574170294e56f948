/* dmsconn agent: serve this node's row of the matrix to the coordinator, in the foreground
 * until SIGTERM or SIGINT. */
#include "cli.h"
#include "dmsconn/agent.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "dmsconn/profile.h"

#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: dmsconn agent --token-file FILE [--listen ADDR[:PORT]] [--as NAME] NODE-LIST\n"
    "\n"
    "Runs, from this node, the checks a coordinator ('dmsconn check') sends: only towards\n"
    "nodes of this agent's own node list and only on ports of its own profile. Every request\n"
    "is signed with the shared token, which never crosses the network. Stops cleanly on\n"
    "SIGTERM or SIGINT.\n"
    "\n"
    "  --listen ADDR[:PORT]  numeric address to serve on (default: the node's address,\n"
    "                        port 7488); [IPv6]:PORT for IPv6\n"
    "  --token-file FILE     the shared token (a file only its owner can read)\n"
    "  --as NAME             which node this is (default: found from --listen or the\n"
    "                        machine's addresses)\n"
    "  --tls-cert FILE --tls-key FILE   serve HTTPS (PEM)\n"
    "  --tls-auto DIR        serve HTTPS with a key pair of its own, made in DIR at the\n"
    "                        first start (owner-only files); prints the fingerprint an\n"
    "                        inventory pins: agent: {fingerprint: \"sha256:...\"}\n"
    "  --bind-source         send probes from the node's own address\n"
    "  --timeout SECONDS     the longest probe timeout a request may ask for (default 30)\n"
    "  --concurrency N, --per-node N   as for check\n"
    "  --secret NAME=FILE    the probes' secrets this agent's row needs (snmp, nats,\n"
    "                        opensearch), as for check; --ca, --tls-insecure too\n"
    "  --dataminer-dir, --dms, --db, --inventory, --node, --profile, --staas-endpoint\n"
    "                        this agent's node list and profile\n";

enum {
    OPT_LISTEN = 2000,
    OPT_TOKEN_FILE,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_TLS_AUTO,
    OPT_BIND_SOURCE
};

struct agent_args {
    struct cli_sources src;
    struct cli_run run;
    const char *listen;
    const char *token_file;
    const char *as;
    const char *tls_cert;
    const char *tls_key;
    const char *tls_auto;
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

/* The run options that shape a report: the coordinator's, never an agent's. */
static bool report_option(int opt)
{
    static const int report[] = {OPT_JSON,   OPT_CSV,      OPT_JUNIT,   OPT_PROM, OPT_HTML,
                                 OPT_FORMAT, OPT_BASELINE, OPT_HISTORY, OPT_KEEP, OPT_QUIET,
                                 OPT_ALL,    OPT_NO_COLOR, OPT_SLOW_MS};
    for (size_t i = 0; i < sizeof report / sizeof report[0]; i++) {
        if (opt == report[i])
            return true;
    }
    return false;
}

static int parse_args(int argc, char **argv, struct agent_args *a)
{
    static const struct option longopts[] = {
        CLI_SOURCE_LONGOPTS,
        CLI_RUN_LONGOPTS,
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"as", required_argument, NULL, OPT_AS},
        {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
        {"tls-key", required_argument, NULL, OPT_TLS_KEY},
        {"tls-auto", required_argument, NULL, OPT_TLS_AUTO},
        {"bind-source", no_argument, NULL, OPT_BIND_SOURCE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    opterr = 0; /* one message, ours */
    int which = -1;
    while ((opt = getopt_long(argc, argv, "h", longopts, &which)) != -1) {
        if (report_option(opt))
            return cli_usage_error("agent",
                                   "--%s is an option of 'dmsconn check': an agent answers its "
                                   "coordinator and writes no report",
                                   longopts[which].name);
        int used = cli_source_option(&a->src, opt, optarg);
        if (used == 0)
            used = cli_run_option(&a->run, opt, optarg, "agent");
        if (used < 0)
            return DC_RUN_UNKNOWN;
        if (used > 0)
            continue;
        switch (opt) {
        case 'h': fputs(usage, stdout); return -1;
        case OPT_LISTEN: a->listen = optarg; break;
        case OPT_TOKEN_FILE: a->token_file = optarg; break;
        case OPT_AS: a->as = optarg; break;
        case OPT_TLS_CERT: a->tls_cert = optarg; break;
        case OPT_TLS_KEY: a->tls_key = optarg; break;
        case OPT_TLS_AUTO: a->tls_auto = optarg; break;
        case OPT_BIND_SOURCE: a->run.engine.bind_source = true; break;
        default: return cli_bad_option("agent", argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("agent", "unexpected argument '%s'", argv[optind]);
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
static long find_self(const struct dc_cluster *cluster, const struct agent_args *a,
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
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
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
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "dmsconn agent: signal %d, stopping\n", sig);
    dc_agent_stop(agent);
    return 0;
}

int cmd_agent(int argc, char **argv)
{
    struct agent_args a = {0};
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    char *token = NULL, *cert = NULL, *key = NULL;
    struct dc_diag diag = {{0}};
    cli_run_defaults(&a.run);
    a.run.engine.timeout_s = 30;
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        rc = rc < 0 ? 0 : rc;
        goto out;
    }
    char listen_addr[64] = "";
    uint16_t port = DC_AGENT_PORT;
    if (a.listen && parse_listen(a.listen, listen_addr, sizeof listen_addr, &port)) {
        rc = cli_usage_error("agent", "--listen '%s': expected ADDR, ADDR:PORT or [IPv6]:PORT",
                             a.listen);
        goto out;
    }
    a.src.nats_credentials = dc_engine_secret(&a.run.engine, "nats") != NULL;
    rc = cli_load(&a.src, &cluster, &profile, "agent");
    if (rc)
        goto out;
#ifdef __GLIBC__
    /* The node list's parse trees are gone; batches run on the web server's threads, whose
     * allocator arenas cannot reuse these pages, so give them back (a 1,250-node inventory
     * left 1.2 MiB behind for the agent's lifetime). */
    malloc_trim(0);
#endif
    size_t len;
    rc = dc_token_read(a.token_file, &token, &diag);
    if (!rc && a.tls_cert)
        rc = dc_read_file(a.tls_cert, &cert, &len, &diag);
    if (!rc && a.tls_key)
        rc = dc_read_file(a.tls_key, &key, &len, &diag);
    if (rc) {
        fprintf(stderr, "dmsconn agent: %s\n", diag.msg);
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    long self = find_self(cluster, &a, listen_addr);
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
    if (a.tls_auto) {
        char fingerprint[DC_AGENT_PIN_MAX];
        bool made = false;
        if (dc_agent_tls_auto(a.tls_auto, node->name, listen_addr, &cert, &key, fingerprint, &made,
                              &diag)) {
            fprintf(stderr, "dmsconn agent: %s\n", diag.msg);
            rc = DC_RUN_UNKNOWN;
            goto out;
        }
        /* what the inventory pins, on every start (not a secret: the public key's hash) */
        fprintf(stderr,
                "dmsconn agent: %s key pair in %s; pin it in the inventory: agent: {address: "
                "%s%s%s:%u, fingerprint: \"%s\"}\n",
                made ? "a new" : "the", a.tls_auto, strchr(listen_addr, ':') ? "[" : "",
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
        .engine = a.run.engine,
        .max_body = 16u * 1024 * 1024,
        .max_runs = 4,
    };
    rc = serve(&opts, cert ? "https" : "http");
out:
    if (token)
        explicit_bzero(token, strlen(token));
    free(token);
    free(cert);
    if (key)
        explicit_bzero(key, strlen(key));
    free(key);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
    cli_sources_free(&a.src);
    cli_run_free(&a.run);
    return rc;
}
