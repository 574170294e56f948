/* dmsconn check: plan the checks of the node list and run them. */
#include "cli.h"
#include "dmsconn/cluster.h"
#include "dmsconn/profile.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: dmsconn check --token-file FILE NODE-LIST [OPTIONS]      (the full matrix)\n"
    "       dmsconn check --from-here [--as NAME] [--all-targets] NODE-LIST [OPTIONS]\n"
    "\n"
    "Checks every path the profile requires and prints the source x destination matrix:\n"
    "this machine's row here, every other row on that node's 'dmsconn agent', all at once.\n"
    "An agent that cannot be asked makes its row unknown; the rest of the report stands.\n"
    "\n"
    "Node list (several may be combined; read in this order):\n"
    "  --dataminer-dir DIR DataMiner's folder (or a copy): nodes and the cluster's\n"
    "                      generation from every file of it that matters\n"
    "  --dms FILE          DataMiner's DMS.xml: the DMAs and their Remoting/gRPC links\n"
    "  --inventory FILE    a YAML inventory (see README)\n"
    "  --node NAME=ADDR[:role,role]  one node (default role: dma); repeatable\n"
    "  --db FILE           DataMiner's DB.xml: Cassandra and OpenSearch nodes\n"
    "  --staas-endpoint HOST[:PORT]  the Storage as a Service endpoint DMAs must reach\n"
    "  --profile FILE      a YAML profile on top of the built-in 'dataminer' profile\n"
    "\n"
    "Agents (the full matrix):\n"
    "  --token-file FILE   the agents' shared token (a file only its owner can read)\n"
    "  --agent-port N      where agents listen unless the inventory says (default 7488)\n"
    "  --preflight         first listen on required ports nothing uses yet (on each\n"
    "                      node's agent), so paths are proven before a service exists\n"
    "  --agent-tls         talk HTTPS to the agents; --agent-ca FILE to verify them,\n"
    "                      --agent-insecure to accept any certificate (labs only)\n"
    "\n"
    "Which checks:\n"
    "  --from-here         only the row of this machine (found by its addresses), no agents\n"
    "  --as NAME           ... as node NAME\n"
    "  --all-targets       every check towards every node, whatever this node's roles\n"
    "  --check LIST        only these checks (comma-separated names)\n"
    "  --from LIST         only these source nodes (rows)\n"
    "  --to LIST           only these destination nodes\n"
    "\n"
    "Run and output:\n"
    "  --timeout SECONDS   per probe deadline (default 2; fractions allowed)\n"
    "  --concurrency N     probes in flight at once (default 4096)\n"
    "  --per-node N        probes in flight towards one node (default 64)\n"
    "  --slow-ms MS        a working path slower than this warns (default 50)\n"
    "  --json FILE|-       write the JSON report (schema dmsconn.report/1)\n"
    "  --csv, --junit, --prom, --html FILE|-   the same run as CSV, JUnit XML,\n"
    "                      Prometheus text (atomic, for node_exporter) or an HTML page\n"
    "  --format F          what goes to stdout: text (default), json, csv, junit,\n"
    "                      prometheus, html, none\n"
    "  --baseline FILE     compare with a previous JSON report (what broke, what healed)\n"
    "  --history DIR       keep each run's JSON in DIR and compare with the last one\n"
    "  --keep N            how many runs --history keeps (default 30)\n"
    "  --all               list passing checks too\n"
    "  --quiet             no terminal report\n"
    "  --no-color          no colour (also: NO_COLOR set, or not a terminal)\n"
    "  --tls-insecure      HTTPS probes accept any certificate (labs, self-signed)\n"
    "  --ca FILE           HTTPS probes trust this CA file instead of the system's\n"
    "  --secret NAME=FILE  a probe's secret, from a file only its owner can read (0600):\n"
    "                      snmp (the v2c community; default public), nats (a .creds file,\n"
    "                      USER:PASSWORD or a token, for NATS messaging), opensearch\n"
    "                      (USER:PASSWORD for OpenSearch's REST API); repeatable\n"
    "  --snmp-community-file, --nats-creds, --opensearch-credentials FILE\n"
    "                      the same as --secret snmp=, nats=, opensearch=FILE\n"
    "\n"
    "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage, configuration or internal error).\n";

struct check_args {
    struct cli_sources src;
    struct cli_run run;
    bool from_here;
    bool all_targets;
    const char *as;
    const char **checks;
    const char **from;
    const char **to;
    const char *token_file;
};

/* Unknown names in a filter are typos: refuse them rather than silently run nothing. */
static int validate_filter(const struct dc_cluster *cluster, const struct dc_profile *profile,
                           const struct check_args *a)
{
    for (const char **c = a->checks; c && *c; c++) {
        if (dc_profile_find(profile, *c) < 0)
            return cli_usage_error("check",
                                   "--check: no check named '%s' in profile '%s' "
                                   "(see 'dmsconn profile show')",
                                   *c, profile->name);
    }
    for (const char **n = a->to; n && *n; n++) {
        if (dc_cluster_find(cluster, *n) < 0)
            return cli_usage_error("check", "--to: no node named '%s'", *n);
    }
    for (const char **n = a->from; n && *n; n++) {
        if (dc_cluster_find(cluster, *n) < 0)
            return cli_usage_error("check", "--from: no node named '%s'", *n);
    }
    return 0;
}

static int pick_source(struct dc_cluster *cluster, const struct check_args *a, uint32_t *source)
{
    if (a->as) {
        long idx = dc_cluster_find(cluster, a->as);
        if (idx >= 0) {
            *source = (uint32_t)idx;
            return 0;
        }
        if (!a->all_targets)
            return cli_usage_error("check", "--as %s: no node has this name or address", a->as);
        return dc_cluster_add_here(cluster, a->as, source) ? DC_RUN_UNKNOWN : 0;
    }
    long idx = dc_engine_local_node(cluster);
    if (idx >= 0) {
        *source = (uint32_t)idx;
        return 0;
    }
    if (!a->all_targets)
        return cli_usage_error("check", "this machine has none of the nodes' addresses: "
                                        "expected --as NAME, or --all-targets");
    char host[256] = "here";
    gethostname(host, sizeof host - 1);
    return dc_cluster_add_here(cluster, host, source) ? DC_RUN_UNKNOWN : 0;
}

static bool any_https_name(const struct dc_cluster *cluster)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        if (cluster->nodes[i].https_name)
            return true;
    }
    return false;
}

/* The DataMiner folder's HTTPS name is this Agent's own: with --from-here on a DMA it is
 * checked from here. Through agents it needs `https_name:` in the inventory, the same for
 * every agent, or an agent would not know the name it is asked to check. */
static int own_https_name(struct dc_cluster *cluster, uint32_t source)
{
    const struct dc_generation *g = &cluster->gen;
    struct dc_diag diag = {{0}};
    if (!g->https_name || any_https_name(cluster) || !(cluster->nodes[source].roles & DC_ROLE_DMA))
        return 0;
    if (dc_node_set_https_name(cluster, source, g->https_name, g->https_from, &diag) ||
        dc_cluster_add_note(cluster, "%s: the HTTPS name %s is taken as %s's own (--from-here)",
                            g->https_from, g->https_name, cluster->nodes[source].name)) {
        fprintf(stderr, "dmsconn check: %s\n", diag.msg[0] ? diag.msg : "out of memory");
        return DC_RUN_UNKNOWN;
    }
    return 0;
}

/* An agent's own MaintenanceSettings.xml against the coordinator's: DataMiner wants
 * EnableDotNetRemoting the same on every Agent. Runs on the loop thread, during the run;
 * the notes are read when the report is written, after it. */
static void compare_settings(void *ud, uint32_t node, const struct dc_wire_settings *s)
{
    struct dc_cluster *cluster = ud;
    const struct dc_generation *g = &cluster->gen;
    if (s->remoting_disabled < 0 || !g->remoting_from ||
        s->remoting_disabled == g->remoting_disabled)
        return;
    dc_cluster_add_note(cluster,
                        "%s's MaintenanceSettings.xml has EnableDotNetRemoting %s, %s has %s: "
                        "DataMiner needs the same setting on every Agent",
                        cluster->nodes[node].name, s->remoting_disabled ? "false" : "true",
                        g->remoting_from, g->remoting_disabled ? "false" : "true");
}

/* The full matrix: this machine's row (if it is a node) here, every other row on agents. */
static int run_matrix(struct dc_cluster *cluster, const struct dc_profile *profile,
                      struct check_args *a)
{
    long local = -1;
    if (a->as) {
        local = dc_cluster_find(cluster, a->as);
        if (local < 0)
            return cli_usage_error("check", "--as %s: no node has this name or address", a->as);
    } else {
        local = dc_engine_local_node(cluster);
    }
    struct dc_plan_filter filter = {.checks = a->checks,
                                    .from = a->from,
                                    .to = a->to,
                                    .here = local >= 0 ? &cluster->nodes[local] : NULL};
    struct dc_plan *plan = NULL;
    char *token = NULL;
    struct dc_diag diag = {{0}};
    int rc = 0;
    if (dc_plan_build(cluster, profile, &filter, &plan)) {
        fprintf(stderr, "dmsconn check: out of memory while planning\n");
        return DC_RUN_UNKNOWN;
    }
    bool remote = false;
    for (size_t i = 0; i < plan->ntasks && !remote; i++)
        remote = (long)plan->tasks[i].from != local;
    if (plan->ntasks == 0) {
        fprintf(stderr,
                "dmsconn check: nothing to check: no check of profile '%s' applies to "
                "these nodes\n",
                profile->name);
        rc = DC_RUN_UNKNOWN;
    } else if (remote && !a->token_file) {
        rc = cli_usage_error("check",
                             "rows of other nodes run on their agents: expected "
                             "--token-file FILE (or --from-here for this machine's row only)");
    } else if (remote && dc_token_read(a->token_file, &token, &diag)) {
        fprintf(stderr, "dmsconn check: %s\n", diag.msg);
        rc = DC_RUN_UNKNOWN;
    } else {
        a->run.coordinate = true;
        a->run.local = local;
        a->run.coord.token = token;
        a->run.coord.on_settings = compare_settings;
        a->run.coord.settings_ud = cluster;
        rc = cli_execute(cluster, profile, plan, &a->run);
    }
    if (token)
        explicit_bzero(token, strlen(token));
    free(token);
    dc_plan_free(plan);
    return rc;
}

static int parse_args(int argc, char **argv, struct check_args *a)
{
    static const struct option longopts[] = {
        CLI_SOURCE_LONGOPTS,
        CLI_RUN_LONGOPTS,
        {"from-here", no_argument, NULL, OPT_FROM_HERE},
        {"all-targets", no_argument, NULL, OPT_ALL_TARGETS},
        {"as", required_argument, NULL, OPT_AS},
        {"check", required_argument, NULL, OPT_CHECK},
        {"to", required_argument, NULL, OPT_TO},
        {"from", required_argument, NULL, OPT_FROM},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE_CHECK},
        {"agent-port", required_argument, NULL, OPT_AGENT_PORT},
        {"agent-tls", no_argument, NULL, OPT_AGENT_TLS},
        {"agent-ca", required_argument, NULL, OPT_AGENT_CA},
        {"agent-insecure", no_argument, NULL, OPT_AGENT_INSECURE},
        {"preflight", no_argument, NULL, OPT_PREFLIGHT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    opterr = 0; /* one message, ours */
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int used = cli_source_option(&a->src, opt, optarg);
        if (used == 0)
            used = cli_run_option(&a->run, opt, optarg, "check");
        if (used < 0)
            return DC_RUN_UNKNOWN;
        if (used > 0)
            continue;
        switch (opt) {
        case 'h': fputs(usage, stdout); return -1;
        case OPT_FROM_HERE: a->from_here = true; break;
        case OPT_ALL_TARGETS: a->all_targets = true; break;
        case OPT_AS: a->as = optarg; break;
        case OPT_CHECK:
            free(a->checks);
            a->checks = cli_split_list(optarg);
            break;
        case OPT_TO:
            free(a->to);
            a->to = cli_split_list(optarg);
            break;
        case OPT_FROM:
            free(a->from);
            a->from = cli_split_list(optarg);
            break;
        case OPT_TOKEN_FILE_CHECK: a->token_file = optarg; break;
        case OPT_AGENT_PORT:
            if (!dc_port_parse(optarg, DC_TO_NUL, &a->run.coord.agent_port))
                return cli_usage_error("check", "--agent-port '%s': expected 1-65535", optarg);
            break;
        case OPT_AGENT_TLS: a->run.coord.tls = true; break;
        case OPT_AGENT_CA: a->run.coord.ca_file = optarg; break;
        case OPT_AGENT_INSECURE: a->run.coord.insecure = true; break;
        case OPT_PREFLIGHT: a->run.coord.preflight = true; break;
        default: return cli_bad_option("check", argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
    if (a->from_here && a->from)
        return cli_usage_error("check", "--from selects rows of the full matrix; with "
                                        "--from-here there is one row");
    if (a->from_here && a->run.coord.preflight)
        return cli_usage_error("check", "--preflight needs the agents: not with --from-here");
    if (!a->from_here && a->all_targets)
        return cli_usage_error("check", "--all-targets goes with --from-here");
    return 0;
}

int cmd_check(int argc, char **argv)
{
    struct check_args a = {0};
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    struct dc_plan *plan = NULL;
    cli_run_defaults(&a.run);
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        rc = rc < 0 ? 0 : rc; /* --help */
        goto out;
    }
    rc = cli_run_validate(&a.run, "check");
    if (rc)
        goto out;
    a.src.nats_credentials = dc_engine_secret(&a.run.engine, "nats") != NULL;
    rc = cli_load(&a.src, &cluster, &profile, "check");
    if (rc)
        goto out;
    rc = validate_filter(cluster, profile, &a);
    if (rc)
        goto out;
    if (!a.from_here) {
        if (cluster->gen.https_name && !any_https_name(cluster))
            dc_cluster_add_note(cluster,
                                "%s names an HTTPS name, %s: to check from every Agent that it "
                                "resolves to its DMA and matches its certificate, give that "
                                "node 'https_name: %s' in the inventory",
                                cluster->gen.https_from, cluster->gen.https_name,
                                cluster->gen.https_name);
        rc = run_matrix(cluster, profile, &a);
        goto out;
    }
    uint32_t source = 0;
    rc = pick_source(cluster, &a, &source);
    if (rc)
        goto out;
    rc = own_https_name(cluster, source);
    if (rc)
        goto out;
    struct dc_plan_filter filter = {.checks = a.checks, .to = a.to};
    if (dc_plan_build_from(cluster, profile, source, a.all_targets, &filter, &plan)) {
        fprintf(stderr, "dmsconn check: out of memory while planning\n");
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    if (plan->ntasks == 0) {
        char roles[128];
        fprintf(stderr,
                "dmsconn check: nothing to check from %s (roles: %s): no check of "
                "profile '%s' starts from these roles (try --all-targets)\n",
                cluster->nodes[source].name,
                dc_roles_format(cluster->nodes[source].roles, roles, sizeof roles), profile->name);
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    rc = cli_execute(cluster, profile, plan, &a.run);
out:
    dc_plan_free(plan);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
    cli_sources_free(&a.src);
    cli_run_free(&a.run);
    free(a.checks);
    free(a.from);
    free(a.to);
    return rc;
}
