/* dmsconn plan: every path the profile requires for the whole matrix, without sending a
 * packet. The CSV is the firewall rule list an admin hands to the network team. */
#include "cli.h"
#include "dmsconn/cluster.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "json_write.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: dmsconn plan NODE-LIST [--format text|json|csv] [--check LIST] [--from LIST]\n"
    "                    [--to LIST] [--nats-creds FILE] [--profile FILE]\n"
    "\n"
    "Prints every path the profile requires between the nodes (the full matrix) and sends\n"
    "no packet. The CSV (from,from_address,to,to_address,port,transport,service,expect) is\n"
    "the firewall rule list to hand to the network team.\n"
    "\n"
    "  --dataminer-dir DIR, --dms FILE, --db FILE, --inventory FILE, --node SPEC,\n"
    "  --staas-endpoint HOST[:PORT], --profile FILE   as for 'dmsconn check'\n"
    "  --nats-creds FILE   plan the NATS messaging checks these credentials allow\n"
    "  --format F          text (default), json (schema dmsconn.plan/1) or csv\n";

enum plan_format { PLAN_TEXT, PLAN_JSON, PLAN_CSV };

static const char *first_address(const struct dc_node *n)
{
    return n->naddresses ? n->addresses[0] : "";
}

static const char *link_name(const struct dc_generation *g)
{
    return g->remoting_disabled ? "grpc" : "remoting";
}

static const char *cassandra_name(enum dc_cassandra_kind k)
{
    return k == DC_CASSANDRA_CLUSTER ? "cluster" : k == DC_CASSANDRA_PER_DMA ? "per-dma" : "none";
}

static void generation_json(struct json_buf *b, const struct dc_generation *g)
{
    dc_json_key(b, false, "generation");
    dc_json_raw(b, "{", 1);
    dc_json_field_string(b, true, "dma_link", link_name(g));
    dc_json_field_string(b, false, "dma_link_from", g->remoting_from);
    dc_json_field_uint(b, false, "remoting_port", g->remoting_port ? g->remoting_port : 8004);
    dc_json_field_string(b, false, "nats", g->broker_gateway ? "broker-gateway" : "legacy");
    dc_json_field_string(b, false, "nats_from", g->nats_from);
    dc_json_field_string(b, false, "cassandra", cassandra_name(g->cassandra));
    dc_json_field_bool(b, false, "cassandra_tls", g->cassandra_tls);
    dc_json_field_string(b, false, "cassandra_from", g->cassandra_from);
    dc_json_field_uint(b, false, "search_databases", g->search_clusters);
    dc_json_field_bool(b, false, "staas", g->staas);
    dc_json_field_bool(b, false, "staas_proxy", g->staas_proxy);
    dc_json_field_string(b, false, "https_name", g->https_name);
    dc_json_raw(b, "}", 1);
}

static void roles_json(const char *name, void *ud)
{
    struct json_buf *b = ud;
    if (b->len && b->data[b->len - 1] != '[')
        dc_json_raw(b, ",", 1);
    dc_json_string(b, name);
}

static int write_json(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct dc_plan *plan)
{
    struct json_buf b = {0};
    dc_json_raw(&b, "{", 1);
    dc_json_field_string(&b, true, "schema", "dmsconn.plan/1");
    dc_json_field_string(&b, false, "cluster", cluster->name);
    dc_json_field_string(&b, false, "profile", profile->name);
    generation_json(&b, &cluster->gen);
    dc_json_key(&b, false, "nodes");
    dc_json_raw(&b, "[", 1);
    for (size_t i = 0; i < cluster->nnodes; i++) {
        const struct dc_node *n = &cluster->nodes[i];
        dc_json_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        dc_json_field_string(&b, true, "name", n->name);
        dc_json_key(&b, false, "addresses");
        dc_json_raw(&b, "[", 1);
        for (size_t a = 0; a < n->naddresses; a++) {
            if (a)
                dc_json_raw(&b, ",", 1);
            dc_json_string(&b, n->addresses[a]);
        }
        dc_json_raw(&b, "]", 1);
        dc_json_key(&b, false, "roles");
        dc_json_raw(&b, "[", 1);
        dc_roles_each(n->roles, roles_json, &b);
        dc_json_raw(&b, "]}", 2);
    }
    dc_json_raw(&b, "]", 1);
    dc_json_key(&b, false, "notes");
    dc_json_raw(&b, "[", 1);
    for (size_t i = 0; i < cluster->nnotes; i++) {
        if (i)
            dc_json_raw(&b, ",", 1);
        dc_json_string(&b, cluster->notes[i]);
    }
    dc_json_raw(&b, "]", 1);
    dc_json_key(&b, false, "tasks");
    dc_json_raw(&b, "[", 1);
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        const struct dc_check *c = &profile->checks[t->check];
        dc_json_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        dc_json_field_string(&b, true, "from", cluster->nodes[t->from].name);
        dc_json_field_string(&b, false, "to", cluster->nodes[t->to].name);
        dc_json_field_string(&b, false, "address", first_address(&cluster->nodes[t->to]));
        dc_json_field_string(&b, false, "check", c->name);
        dc_json_field_uint(&b, false, "port", t->port);
        dc_json_field_string(&b, false, "transport", dc_transport_name(c->transport));
        dc_json_field_string(&b, false, "probe", c->probe->name);
        dc_json_field_string(&b, false, "expect", dc_expect_name(c->expect));
        dc_json_raw(&b, "}", 1);
        if (b.len > 1u << 20 && dc_json_buf_flush(&b, stdout))
            break;
    }
    dc_json_raw(&b, "]}\n", 3);
    int rc = dc_json_buf_flush(&b, stdout);
    dc_json_buf_free(&b);
    return rc ? DC_RUN_UNKNOWN : 0;
}

static int write_csv(const struct dc_cluster *cluster, const struct dc_profile *profile,
                     const struct dc_plan *plan)
{
    static const char *const header[] = {"from", "from_address", "to",      "to_address",
                                         "port", "transport",    "service", "expect"};
    for (size_t i = 0; i < 8; i++)
        dc_csv_field(stdout, header[i], i == 7);
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        const struct dc_check *c = &profile->checks[t->check];
        const struct dc_node *from = &cluster->nodes[t->from], *to = &cluster->nodes[t->to];
        char port[8];
        snprintf(port, sizeof port, "%u", t->port);
        dc_csv_field(stdout, from->name, false);
        dc_csv_field(stdout, first_address(from), false);
        dc_csv_field(stdout, to->name, false);
        dc_csv_field(stdout, first_address(to), false);
        dc_csv_field(stdout, port, false);
        dc_csv_field(stdout, dc_transport_name(c->transport), false);
        dc_csv_field(stdout, c->service, false);
        dc_csv_field(stdout, dc_expect_name(c->expect), true);
    }
    return fflush(stdout) ? DC_RUN_UNKNOWN : 0;
}

static int write_text(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct dc_plan *plan)
{
    printf("cluster %s, profile %s: %zu paths between %zu nodes\n",
           cluster->name ? cluster->name : "(unnamed)", profile->name, plan->ntasks,
           cluster->nnodes);
    for (size_t i = 0; i < cluster->nnotes; i++)
        printf("  note: %s\n", cluster->notes[i]);
    int w = 4;
    for (size_t i = 0; i < cluster->nnodes; i++) {
        int n = (int)strlen(cluster->nodes[i].name);
        w = n > w ? n : w;
    }
    uint32_t from = UINT32_MAX;
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        const struct dc_check *c = &profile->checks[t->check];
        if (t->from != from) {
            from = t->from;
            printf("\nfrom %s (%s)\n", cluster->nodes[from].name,
                   first_address(&cluster->nodes[from]));
        }
        printf("  -> %-*s %-15s %5u/%s  %-24s %s\n", w, cluster->nodes[t->to].name,
               first_address(&cluster->nodes[t->to]), t->port, dc_transport_name(c->transport),
               c->name, dc_expect_name(c->expect));
    }
    return fflush(stdout) ? DC_RUN_UNKNOWN : 0;
}

int cmd_plan(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_SOURCE_LONGOPTS,
        {"check", required_argument, NULL, OPT_CHECK},
        {"from", required_argument, NULL, OPT_FROM},
        {"to", required_argument, NULL, OPT_TO},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"nats-creds", required_argument, NULL, OPT_NATS_CREDS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_sources src = {0};
    const char **lists[3] = {NULL, NULL, NULL}; /* check, from, to */
    enum plan_format format = PLAN_TEXT;
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    struct dc_plan *plan = NULL;
    int rc = 0, opt;
    optind = 1;
    opterr = 0; /* one message, ours */
    while (!rc && (opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int used = cli_source_option(&src, opt, optarg);
        if (used < 0) {
            rc = DC_RUN_UNKNOWN;
            break;
        }
        if (used > 0)
            continue;
        switch (opt) {
        case 'h': fputs(usage, stdout); goto out;
        case OPT_CHECK:
        case OPT_FROM:
        case OPT_TO: {
            int k = opt == OPT_CHECK ? 0 : opt == OPT_FROM ? 1 : 2;
            free(lists[k]);
            lists[k] = cli_split_list(optarg);
            break;
        }
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                format = PLAN_TEXT;
            else if (strcmp(optarg, "json") == 0)
                format = PLAN_JSON;
            else if (strcmp(optarg, "csv") == 0)
                format = PLAN_CSV;
            else
                rc = cli_usage_error("plan", "--format '%s': expected text, json or csv", optarg);
            break;
        case OPT_NATS_CREDS: src.nats_credentials = true; break;
        default: rc = cli_bad_option("plan", argv); break;
        }
    }
    if (!rc && optind < argc)
        rc = cli_usage_error("plan", "unexpected argument '%s'", argv[optind]);
    if (!rc)
        rc = cli_load(&src, &cluster, &profile, "plan");
    for (const char **c = lists[0]; !rc && c && *c; c++) {
        if (dc_profile_find(profile, *c) < 0)
            rc = cli_usage_error("plan", "--check: no check named '%s'", *c);
    }
    for (int k = 1; k < 3; k++) {
        for (const char **n = lists[k]; !rc && n && *n; n++) {
            if (dc_cluster_find(cluster, *n) < 0)
                rc =
                    cli_usage_error("plan", "--%s: no node named '%s'", k == 1 ? "from" : "to", *n);
        }
    }
    if (rc)
        goto out;
    struct dc_plan_filter filter = {.checks = lists[0], .from = lists[1], .to = lists[2]};
    if (dc_plan_build(cluster, profile, &filter, &plan)) {
        fprintf(stderr, "dmsconn plan: out of memory while planning\n");
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    rc = format == PLAN_JSON  ? write_json(cluster, profile, plan)
         : format == PLAN_CSV ? write_csv(cluster, profile, plan)
                              : write_text(cluster, profile, plan);
    if (rc)
        fprintf(stderr, "dmsconn plan: cannot write to standard output\n");
out:
    dc_plan_free(plan);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
    cli_sources_free(&src);
    for (int k = 0; k < 3; k++)
        free(lists[k]);
    return rc;
}
