/* Every option of every command, once (curl's tool_getparam table is the model): the
 * usage, the parsing and the refusal of another command's option all come from here. An
 * option whose help or value differs between commands has an entry per meaning. */
#include "cli_options.h"
#include "base/os.h"

#include "dmsconn/cluster.h"
#include "dmsconn/probe.h"
#include "dmsconn/secret.h"

#include <stdlib.h>
#include <string.h>

#define AT(field) offsetof(struct cli_args, field)

/* the commands that read a node list and a profile */
#define NODE_LIST (CLI_CHECK | CLI_AGENT | CLI_PLAN | CLI_MERGE | CLI_PROFILE)
/* the commands that write a report */
#define REPORTS (CLI_CHECK | CLI_MERGE | CLI_DEMO)
/* the commands that probe */
#define PROBES (CLI_CHECK | CLI_AGENT | CLI_DEMO)

static int add_node(struct cli_args *a, const struct cli_option *o, const char *value,
                    const char *cmd)
{
    const char **nodes = realloc(a->src.nodes, (a->src.nnodes + 1) * sizeof *nodes);
    if (!nodes)
        return cli_usage_error(cmd, "--%s: out of memory", o->name);
    a->src.nodes = nodes;
    nodes[a->src.nnodes++] = value;
    return 0;
}

/* A probe's secret: the file only its owner may read, its text of the form the probe
 * wants; kept for the process, never printed. */
static int add_secret(struct cli_run *run, const char *name, const char *path, const char *option,
                      const char *cmd)
{
    const struct dc_probe_ops *probe = dc_probe_with_secret(name);
    if (!probe) {
        char *names = dc_probe_secret_names();
        int rc =
            cli_usage_error(cmd, "%s %s=...: no probe takes a secret named so; expected one of %s",
                            option, name, names ? names : "(out of memory)");
        free(names);
        return rc;
    }
    if (dc_engine_secret(&run->engine, name))
        return cli_usage_error(cmd, "%s: the %s secret is given twice", option, name);
    struct dc_diag diag = {{0}};
    char *text = NULL;
    if (dc_secret_read_lines(path, option, 1, dc_probe_secret_is_file(probe), &text, &diag)) {
        fprintf(stderr, "dmsconn %s: %s\n", cmd, diag.msg);
        free(text);
        return DC_RUN_UNKNOWN;
    }
    const char *form = dc_probe_secret_check(probe, text);
    struct dc_secret *grown =
        form ? NULL : realloc(run->secrets, (run->nsecrets + 1) * sizeof *grown);
    if (!grown) {
        if (form)
            fprintf(stderr, "dmsconn %s: %s %s: expected %s\n", cmd, option, path, form);
        else
            fprintf(stderr, "dmsconn %s: %s %s: out of memory\n", cmd, option, path);
        dci_os_secure_zero(text, strlen(text));
        free(text);
        return DC_RUN_UNKNOWN;
    }
    run->secrets = grown;
    grown[run->nsecrets++] =
        (struct dc_secret){.name = dc_probe_secret_name(probe), .path = path, .text = text};
    run->engine.secrets = run->secrets; /* they live for the process */
    run->engine.nsecrets = run->nsecrets;
    return 0;
}

static int set_secret(struct cli_args *a, const struct cli_option *o, const char *value,
                      const char *cmd)
{
    (void)o;
    const char *eq = strchr(value, '=');
    char name[64];
    if (!eq || eq == value || (size_t)(eq - value) >= sizeof name || !eq[1])
        return cli_usage_error(cmd, "--secret '%s': expected NAME=FILE", value);
    snprintf(name, sizeof name, "%.*s", (int)(eq - value), value);
    return add_secret(&a->run, name, eq + 1, "--secret", cmd);
}

/* The older names of --secret: the entry's `expected` is the secret's name. */
static int set_secret_alias(struct cli_args *a, const struct cli_option *o, const char *value,
                            const char *cmd)
{
    char option[64];
    snprintf(option, sizeof option, "--%s", o->name);
    return add_secret(&a->run, o->expected, value, option, cmd);
}

static int set_format(struct cli_args *a, const struct cli_option *o, const char *value,
                      const char *cmd)
{
    (void)o;
    if (cli_format_parse(value, &a->run.format) == 0)
        return 0;
    return cli_usage_error(cmd,
                           "--format '%s': expected text, json, csv, junit, prometheus, html or "
                           "none",
                           value);
}

static int set_plan_format(struct cli_args *a, const struct cli_option *o, const char *value,
                           const char *cmd)
{
    (void)o;
    if (cli_format_parse(value, &a->plan) == 0 &&
        (a->plan == CLI_TEXT || a->plan == CLI_JSON || a->plan == CLI_CSV))
        return 0;
    return cli_usage_error(cmd, "--format '%s': expected text, json or csv", value);
}

/* plan probes nothing: the file is not read, it only says NATS messaging can be tested */
static int set_plan_nats(struct cli_args *a, const struct cli_option *o, const char *value,
                         const char *cmd)
{
    (void)o, (void)value, (void)cmd;
    a->src.nats_credentials = true;
    return 0;
}

static int set_agent_port(struct cli_args *a, const struct cli_option *o, const char *value,
                          const char *cmd)
{
    (void)o;
    if (dc_port_parse(value, DC_TO_NUL, &a->run.coord.agent_port))
        return 0;
    return cli_usage_error(cmd, "--agent-port '%s': expected 1-65535", value);
}

/* One option per entry reads better than the formatter's layout. */
/* clang-format off */
const struct cli_option cli_options[] = {
    /* the agent */
    {.name = "listen", .value = "ADDR[:PORT]", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_TEXT, .offset = AT(listen),
     .help = "numeric address to serve on (default: the node's address,\nport 7488); [IPv6]:PORT for IPv6"},
    {.name = "token-file", .value = "FILE", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_TEXT, .offset = AT(token_file),
     .help = "the shared token (a file only its owner can read)"},
    {.name = "as", .value = "NAME", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_TEXT, .offset = AT(as),
     .help = "which node this is (default: found from --listen or the\nmachine's addresses)"},
    {.name = "tls-cert", .value = "FILE", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_TEXT, .offset = AT(tls_cert), .help = "serve HTTPS with this certificate (PEM)"},
    {.name = "tls-key", .value = "FILE", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_TEXT, .offset = AT(tls_key), .help = "... and this private key (PEM)"},
    {.name = "tls-auto", .value = "DIR", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_TEXT, .offset = AT(tls_auto),
     .help = "serve HTTPS with a key pair of its own, made in DIR at the\nfirst start (owner-only files); prints the fingerprint an\ninventory pins: agent: {fingerprint: \"sha256:...\"}"},
    {.name = "install-service", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_FLAG, .offset = AT(install_service),
     .help = "Windows: register this agent, with the other options given, as the\nservice dmsconn-agent (starts at boot; stops on the service's stop)"},
    {.name = "service-account", .value = "ACCOUNT", .commands = CLI_AGENT,
     .section = CLI_SEC_AGENT, .kind = CLI_KIND_TEXT, .offset = AT(service_account),
     .help = "... running as ACCOUNT (default NT AUTHORITY\\LocalService)"},
    {.name = "uninstall-service", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_FLAG, .offset = AT(uninstall_service),
     .help = "Windows: stop and remove the service dmsconn-agent"},
    {.name = "as-service", .commands = CLI_AGENT, .section = CLI_SEC_AGENT,
     .kind = CLI_KIND_FLAG, .offset = AT(as_service),
     .help = "run under the Service Control Manager (the installed service's\ncommand line says it; its messages go to ProgramData\\dmsconn)"},
    {.name = "bind-source", .commands = CLI_AGENT, .section = CLI_SEC_AGENT, .kind = CLI_KIND_FLAG,
     .offset = AT(run.engine.bind_source), .help = "send probes from the node's own address"},

    /* the node list and the profile */
    {.name = "dataminer-dir", .value = "DIR", .commands = NODE_LIST, .section = CLI_SEC_NODES,
     .kind = CLI_KIND_ONCE, .offset = AT(src.dataminer_dir),
     .help = "DataMiner's folder (or a copy): nodes and the cluster's\ngeneration from every file of it that matters"},
    {.name = "dms", .value = "FILE", .commands = NODE_LIST, .section = CLI_SEC_NODES,
     .kind = CLI_KIND_ONCE, .offset = AT(src.dms),
     .help = "DataMiner's DMS.xml: the DMAs and their Remoting/gRPC links"},
    {.name = "inventory", .value = "FILE", .commands = NODE_LIST, .section = CLI_SEC_NODES,
     .kind = CLI_KIND_ONCE, .offset = AT(src.inventory), .help = "a YAML inventory (see README)"},
    {.name = "node", .value = "NAME=ADDR[:role,role]", .commands = NODE_LIST,
     .section = CLI_SEC_NODES, .kind = CLI_KIND_CUSTOM, .set = add_node,
     .help = "one node (default role: dma); repeatable"},
    {.name = "db", .value = "FILE", .commands = NODE_LIST, .section = CLI_SEC_NODES,
     .kind = CLI_KIND_ONCE, .offset = AT(src.db),
     .help = "DataMiner's DB.xml: Cassandra and OpenSearch nodes"},
    {.name = "staas-endpoint", .value = "HOST[:PORT]", .commands = NODE_LIST,
     .section = CLI_SEC_NODES, .kind = CLI_KIND_ONCE, .offset = AT(src.staas_endpoint),
     .help = "the Storage as a Service endpoint DMAs must reach"},
    {.name = "profile", .value = "FILE", .commands = NODE_LIST, .section = CLI_SEC_NODES,
     .kind = CLI_KIND_ONCE, .offset = AT(src.profile),
     .help = "a YAML profile on top of the built-in 'dataminer' profile"},
    {.name = "no-agent", .value = "LIST", .commands = CLI_CHECK, .section = CLI_SEC_NODES,
     .kind = CLI_KIND_LIST, .offset = AT(src.no_agent),
     .help = "these nodes run no agent (as 'agent: none' in an inventory)"},

    /* the coordinator's agents */
    {.name = "token-file", .value = "FILE", .commands = CLI_CHECK, .section = CLI_SEC_AGENTS,
     .kind = CLI_KIND_TEXT, .offset = AT(token_file),
     .help = "the agents' shared token (a file only its owner can read)"},
    {.name = "agent-port", .value = "N", .commands = CLI_CHECK, .section = CLI_SEC_AGENTS,
     .kind = CLI_KIND_CUSTOM, .set = set_agent_port,
     .help = "where agents listen unless the inventory says (default 7488)"},
    {.name = "preflight", .commands = CLI_CHECK, .section = CLI_SEC_AGENTS, .kind = CLI_KIND_FLAG,
     .offset = AT(run.coord.preflight),
     .help = "first listen on required ports nothing uses yet (on each\nnode's agent), so paths are proven before a service exists"},
    {.name = "agent-tls", .commands = CLI_CHECK, .section = CLI_SEC_AGENTS, .kind = CLI_KIND_FLAG,
     .offset = AT(run.coord.tls), .help = "talk HTTPS to the agents"},
    {.name = "agent-ca", .value = "FILE", .commands = CLI_CHECK, .section = CLI_SEC_AGENTS,
     .kind = CLI_KIND_TEXT, .offset = AT(run.coord.ca_file),
     .help = "verify the agents' certificates against this CA file"},
    {.name = "agent-insecure", .commands = CLI_CHECK, .section = CLI_SEC_AGENTS,
     .kind = CLI_KIND_FLAG, .offset = AT(run.coord.insecure),
     .help = "accept any agent certificate (labs only)"},

    /* which checks */
    {.name = "from-here", .commands = CLI_CHECK, .section = CLI_SEC_CHECKS, .kind = CLI_KIND_FLAG,
     .offset = AT(from_here),
     .help = "only the row of this machine (found by its addresses), no agents"},
    {.name = "as", .value = "NAME", .commands = CLI_CHECK, .section = CLI_SEC_CHECKS,
     .kind = CLI_KIND_TEXT, .offset = AT(as), .help = "... as node NAME"},
    {.name = "all-targets", .commands = CLI_CHECK, .section = CLI_SEC_CHECKS, .kind = CLI_KIND_FLAG,
     .offset = AT(all_targets),
     .help = "every check towards every node, whatever this node's roles"},
    {.name = "check", .value = "LIST", .commands = CLI_CHECK | CLI_PLAN,
     .section = CLI_SEC_CHECKS, .kind = CLI_KIND_LIST, .offset = AT(checks),
     .help = "only these checks (comma-separated names)"},
    {.name = "from", .value = "LIST", .commands = CLI_CHECK | CLI_PLAN, .section = CLI_SEC_CHECKS,
     .kind = CLI_KIND_LIST, .offset = AT(from), .help = "only these source nodes (rows)"},
    {.name = "to", .value = "LIST", .commands = CLI_CHECK | CLI_PLAN, .section = CLI_SEC_CHECKS,
     .kind = CLI_KIND_LIST, .offset = AT(to), .help = "only these destination nodes"},

    /* how the run goes */
    {.name = "timeout", .value = "SECONDS", .commands = CLI_CHECK | CLI_DEMO,
     .section = CLI_SEC_RUN, .kind = CLI_KIND_DOUBLE, .offset = AT(run.engine.timeout_s), .lo = 0.01,
     .hi = 3600, .expected = "seconds, 0.01 to 3600",
     .help = "per probe deadline (default 2, the demo's 1; fractions allowed)"},
    {.name = "timeout", .value = "SECONDS", .commands = CLI_AGENT, .section = CLI_SEC_RUN,
     .kind = CLI_KIND_DOUBLE, .offset = AT(run.engine.timeout_s), .lo = 0.01, .hi = 3600,
     .expected = "seconds, 0.01 to 3600",
     .help = "the longest probe timeout a request may ask for (default 30)"},
    {.name = "concurrency", .value = "N", .commands = PROBES, .section = CLI_SEC_RUN,
     .kind = CLI_KIND_UINT, .offset = AT(run.engine.concurrency), .lo = 1, .hi = 100000,
     .expected = "1 to 100000", .help = "probes in flight at once (default 4096)"},
    {.name = "per-node", .value = "N", .commands = PROBES, .section = CLI_SEC_RUN,
     .kind = CLI_KIND_UINT, .offset = AT(run.engine.per_node), .lo = 1, .hi = 100000,
     .expected = "1 to 100000", .help = "probes in flight towards one node (default 64)"},
    {.name = "max-age", .value = "HOURS", .commands = CLI_MERGE, .section = CLI_SEC_RUN,
     .kind = CLI_KIND_DOUBLE, .offset = AT(max_age_h), .lo = 1e-6, .hi = 24 * 366,
     .expected = "hours, above 0",
     .help = "a report older than this is stale (default 26: a nightly task's)"},

    /* what it writes */
    {.name = "slow-ms", .value = "MS", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_DOUBLE, .offset = AT(run.verdict.slow_ms), .lo = 0, .hi = 1e6,
     .expected = "milliseconds >= 0",
     .help = "a working path slower than this warns (default 50)"},
    {.name = "clock-warn", .value = "SECONDS", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_DOUBLE, .offset = AT(run.verdict.clock_warn_s), .lo = 0, .hi = 86400,
     .expected = "seconds >= 0",
     .help = "a node's clock further off than this warns (default 1, as the BPA)"},
    {.name = "clock-fail", .value = "SECONDS", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_DOUBLE, .offset = AT(run.verdict.clock_fail_s), .lo = 0, .hi = 86400,
     .expected = "seconds >= 0",
     .help = "... and fails (default 5, as the BPA)"},
    {.name = "cert-warn-days", .value = "DAYS", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_DOUBLE, .offset = AT(run.verdict.cert_warn_days), .lo = 0, .hi = 3660,
     .expected = "days >= 0",
     .help = "a TLS certificate that expires within this warns (default 30, as SLDataGateway)"},
    {.name = "cert-fail-days", .value = "DAYS", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_DOUBLE, .offset = AT(run.verdict.cert_fail_days), .lo = 0, .hi = 3660,
     .expected = "days >= 0",
     .help = "... and fails (default 7, as SLDataGateway; expired always fails)"},
    {.name = "every", .value = "SECONDS", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_DOUBLE, .offset = AT(run.every_s), .lo = 0.05, .hi = 86400,
     .expected = "seconds, 0.05 or more",
     .help = "run again every SECONDS until Ctrl+C or SIGTERM: the view in place with what\n"
             "changed, the files rewritten each round, --history the rounds that changed"},
    {.name = "metrics", .value = "ADDR:PORT", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_ONCE, .offset = AT(run.metrics.listen),
     .help = "with --every: serve /metrics (Prometheus) and / (the live report) on this\n"
             "address, e.g. 10.0.0.5:9110; nothing else, and never a probe on request"},
    {.name = "metrics-tls", .value = "FILE", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_ONCE, .offset = AT(run.metrics.tls_file),
     .help = "serve them over HTTPS: FILE holds the certificate (PEM) and its key"},
    {.name = "metrics-user", .value = "NAME", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_ONCE, .offset = AT(run.metrics.user),
     .help = "ask for HTTP basic authentication as this user ..."},
    {.name = "metrics-password-file", .value = "FILE", .commands = CLI_CHECK,
     .section = CLI_SEC_OUTPUT, .kind = CLI_KIND_ONCE, .offset = AT(run.metrics.password_file),
     .help = "... with the password in FILE (Prometheus's basic_auth password_file)"},
    {.name = "install-service", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_FLAG, .offset = AT(install_service),
     .help = "Windows: register these rounds (--every), with the other options\ngiven, as the service dmsconn-watch (starts at boot; stops on the\nservice's stop)"},
    {.name = "service-account", .value = "ACCOUNT", .commands = CLI_CHECK,
     .section = CLI_SEC_OUTPUT, .kind = CLI_KIND_TEXT, .offset = AT(service_account),
     .help = "... running as ACCOUNT (default NT AUTHORITY\\LocalService)"},
    {.name = "uninstall-service", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_FLAG, .offset = AT(uninstall_service),
     .help = "Windows: stop and remove the service dmsconn-watch"},
    {.name = "as-service", .commands = CLI_CHECK, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_FLAG, .offset = AT(as_service),
     .help = "run under the Service Control Manager (the installed service's\ncommand line says it; its messages go to ProgramData\\dmsconn)"},
    {.name = "json", .value = "FILE|-", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_TEXT, .offset = AT(run.json),
     .help = "write the JSON report (schema dmsconn.report/1)"},
    {.name = "csv", .value = "FILE|-", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_TEXT, .offset = AT(run.csv), .help = "the same run as CSV"},
    {.name = "junit", .value = "FILE|-", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_TEXT, .offset = AT(run.junit), .help = "... as JUnit XML"},
    {.name = "prom", .value = "FILE|-", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_TEXT, .offset = AT(run.prom),
     .help = "... as Prometheus text (written atomically, for node_exporter)"},
    {.name = "html", .value = "FILE|-", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_TEXT, .offset = AT(run.html), .help = "... as an HTML page"},
    {.name = "format", .value = "F", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_CUSTOM, .set = set_format,
     .help = "what goes to stdout: text (default), json, csv, junit,\nprometheus, html, none"},
    {.name = "format", .value = "F", .commands = CLI_PLAN, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_CUSTOM, .set = set_plan_format, .help = "text (default), json or csv"},
    {.name = "baseline", .value = "FILE", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_TEXT, .offset = AT(run.baseline),
     .help = "compare with a previous JSON report (what broke, what healed)"},
    {.name = "history", .value = "DIR", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_TEXT, .offset = AT(run.history),
     .help = "keep each run's JSON in DIR and compare with the last one"},
    {.name = "keep", .value = "N", .commands = REPORTS, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_UINT, .offset = AT(run.keep), .lo = 1, .hi = 100000,
     .expected = "1 to 100000 runs", .help = "how many runs --history keeps (default 30)"},
    {.name = "all", .commands = REPORTS, .section = CLI_SEC_OUTPUT, .kind = CLI_KIND_FLAG,
     .offset = AT(run.all), .help = "list passing checks too"},
    {.name = "quiet", .commands = REPORTS, .section = CLI_SEC_OUTPUT, .kind = CLI_KIND_FLAG,
     .offset = AT(run.quiet), .help = "no terminal report"},
    {.name = "no-color", .commands = REPORTS | CLI_DIFF, .section = CLI_SEC_OUTPUT,
     .kind = CLI_KIND_FLAG, .offset = AT(run.no_color),
     .help = "no colour (also: NO_COLOR set, or not a terminal)"},
    {.name = "yaml", .commands = CLI_PROFILE, .section = CLI_SEC_OUTPUT, .kind = CLI_KIND_FLAG,
     .offset = AT(yaml),
     .help = "print the checks as a profile file (base: none), a starting\npoint for your own"},

    /* secrets and TLS of the probes */
    {.name = "secret", .value = "NAME=FILE", .commands = CLI_CHECK | CLI_AGENT,
     .section = CLI_SEC_SECRETS, .kind = CLI_KIND_CUSTOM, .set = set_secret,
     .help = "a probe's secret, from a file only its owner can read (0600):\nsnmp (the v2c community; default public), nats (a .creds file,\nUSER:PASSWORD or a token, for NATS messaging), opensearch\n(USER:PASSWORD for OpenSearch's REST API); repeatable"},
    {.name = "snmp-community-file", .value = "FILE", .commands = CLI_CHECK | CLI_AGENT,
     .section = CLI_SEC_SECRETS, .kind = CLI_KIND_CUSTOM, .set = set_secret_alias,
     .expected = "snmp", .help = "the same as --secret snmp=FILE"},
    {.name = "nats-creds", .value = "FILE", .commands = CLI_CHECK | CLI_AGENT,
     .section = CLI_SEC_SECRETS, .kind = CLI_KIND_CUSTOM, .set = set_secret_alias,
     .expected = "nats", .help = "the same as --secret nats=FILE"},
    {.name = "nats-creds", .value = "FILE", .commands = CLI_PLAN, .section = CLI_SEC_SECRETS,
     .kind = CLI_KIND_CUSTOM, .set = set_plan_nats,
     .help = "plan the NATS messaging check too (the file is not read)"},
    {.name = "opensearch-credentials", .value = "FILE", .commands = CLI_CHECK | CLI_AGENT,
     .section = CLI_SEC_SECRETS, .kind = CLI_KIND_CUSTOM, .set = set_secret_alias,
     .expected = "opensearch", .help = "the same as --secret opensearch=FILE"},
    {.name = "ca", .value = "FILE", .commands = CLI_CHECK | CLI_AGENT,
     .section = CLI_SEC_SECRETS, .kind = CLI_KIND_TEXT, .offset = AT(run.engine.ca_file),
     .help = "TLS probes trust this CA file instead of the system's"},
    {.name = "tls-insecure", .commands = CLI_CHECK | CLI_AGENT, .section = CLI_SEC_SECRETS,
     .kind = CLI_KIND_FLAG, .offset = AT(run.engine.tls_insecure),
     .help = "TLS probes accept any certificate (labs, self-signed)"},

    {.name = "help", .commands = ~0u, .section = CLI_SEC_OTHER, .kind = CLI_KIND_HELP,
     .help = "this text"},
};
/* clang-format on */

const size_t cli_noptions = sizeof cli_options / sizeof cli_options[0];
