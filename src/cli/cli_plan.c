/* dmsconn plan: every path the profile requires for the whole matrix, without sending a
 * packet. The CSV is the firewall rule list an admin hands to the network team. */
#include "cli_options.h"
#include "dmsconn/cluster.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "base/json_write.h"

#include <stdlib.h>
#include <string.h>

const struct cli_command cli_plan_command = {
    .name = "plan",
    .summary = "print every path the profile requires (the firewall rule list); no probe",
    .bit = CLI_PLAN,
    .synopsis =
        "usage: dmsconn plan NODE-LIST [--format text|json|csv] [--check LIST] [--from LIST]\n"
        "                    [--to LIST] [--nats-creds FILE] [--profile FILE]\n"
        "\n"
        "Prints every path the profile requires between the nodes (the full matrix) and sends\n"
        "no packet. The CSV (from,from_address,to,to_address,port,transport,service,expect) is\n"
        "the firewall rule list to hand to the network team; the JSON's schema is\n"
        "dmsconn.plan/1.\n",
    .why_not = "plan sends no packet and writes no report",
};

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
    dci_json_key(b, false, "generation");
    dci_json_raw(b, "{", 1);
    dci_json_field_string(b, true, "dma_link", link_name(g));
    dci_json_field_string(b, false, "dma_link_from", g->remoting_from);
    dci_json_field_uint(b, false, "remoting_port", g->remoting_port ? g->remoting_port : 8004);
    dci_json_field_string(b, false, "nats", g->broker_gateway ? "broker-gateway" : "legacy");
    dci_json_field_string(b, false, "nats_from", g->nats_from);
    dci_json_field_string(b, false, "cassandra", cassandra_name(g->cassandra));
    dci_json_field_bool(b, false, "cassandra_tls", g->cassandra_tls);
    dci_json_field_string(b, false, "cassandra_from", g->cassandra_from);
    dci_json_field_uint(b, false, "search_databases", g->search_clusters);
    dci_json_field_bool(b, false, "staas", g->staas);
    dci_json_field_bool(b, false, "staas_proxy", g->staas_proxy);
    dci_json_field_string(b, false, "https_name", g->https_name);
    dci_json_raw(b, "}", 1);
}

static void roles_json(const char *name, void *ud)
{
    struct json_buf *b = ud;
    if (b->len && b->data[b->len - 1] != '[')
        dci_json_raw(b, ",", 1);
    dci_json_string(b, name);
}

/* "upgrade": what VerifyGRPCConnection refuses in the files read ([] when a DataMiner folder
 * was read and nothing, null when only other node lists were and nothing). */
static void upgrade_json(struct json_buf *b, const struct dc_cluster *cluster)
{
    if (!cluster->upgrade_known && cluster->nupgrade == 0) {
        dci_json_field_null(b, false, "upgrade");
        return;
    }
    dci_json_key(b, false, "upgrade");
    dci_json_raw(b, "[", 1);
    for (size_t i = 0; i < cluster->nupgrade; i++) {
        const struct dc_upgrade_finding *u = &cluster->upgrade[i];
        dci_json_raw(b, i ? ",{" : "{", i ? 2 : 1);
        dci_json_field_string(b, true, "file", u->file);
        dci_json_field_uint(b, false, "line", u->line);
        dci_json_field_string(b, false, "finding", u->finding);
        dci_json_raw(b, "}", 1);
    }
    dci_json_raw(b, "]", 1);
}

static int write_json(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct dc_plan *plan)
{
    struct json_buf b = {0};
    dci_json_raw(&b, "{", 1);
    dci_json_field_string(&b, true, "schema", "dmsconn.plan/1");
    dci_json_field_string(&b, false, "cluster", cluster->name);
    dci_json_field_string(&b, false, "profile", profile->name);
    generation_json(&b, &cluster->gen);
    dci_json_key(&b, false, "nodes");
    dci_json_raw(&b, "[", 1);
    for (size_t i = 0; i < cluster->nnodes; i++) {
        const struct dc_node *n = &cluster->nodes[i];
        dci_json_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        dci_json_field_string(&b, true, "name", n->name);
        dci_json_key(&b, false, "addresses");
        dci_json_raw(&b, "[", 1);
        for (size_t a = 0; a < n->naddresses; a++) {
            if (a)
                dci_json_raw(&b, ",", 1);
            dci_json_string(&b, n->addresses[a]);
        }
        dci_json_raw(&b, "]", 1);
        dci_json_key(&b, false, "roles");
        dci_json_raw(&b, "[", 1);
        dc_roles_each(n->roles, roles_json, &b);
        dci_json_raw(&b, "]}", 2);
    }
    dci_json_raw(&b, "]", 1);
    dci_json_key(&b, false, "notes");
    dci_json_raw(&b, "[", 1);
    for (size_t i = 0; i < cluster->nnotes; i++) {
        if (i)
            dci_json_raw(&b, ",", 1);
        dci_json_string(&b, cluster->notes[i]);
    }
    dci_json_raw(&b, "]", 1);
    upgrade_json(&b, cluster);
    dci_json_key(&b, false, "tasks");
    dci_json_raw(&b, "[", 1);
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        const struct dc_check *c = &profile->checks[t->check];
        dci_json_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        dci_json_field_string(&b, true, "from", cluster->nodes[t->from].name);
        dci_json_field_string(&b, false, "to", cluster->nodes[t->to].name);
        dci_json_field_string(&b, false, "address", first_address(&cluster->nodes[t->to]));
        dci_json_field_string(&b, false, "check", c->name);
        dci_json_field_uint(&b, false, "port", t->port);
        dci_json_field_string(&b, false, "transport", dc_transport_name(c->transport));
        dci_json_field_string(&b, false, "probe", c->probe->name);
        dci_json_field_string(&b, false, "expect", dc_expect_name(c->expect));
        dci_json_raw(&b, "}", 1);
        if (b.len > 1u << 20 && dci_json_buf_flush(&b, stdout))
            break;
    }
    dci_json_raw(&b, "]}\n", 3);
    int rc = dci_json_buf_flush(&b, stdout);
    dci_json_buf_free(&b);
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
        char port[8] = "-"; /* ICMP has none */
        if (c->transport != DC_TRANSPORT_ICMP)
            snprintf(port, sizeof port, "%u", t->port);
        printf("  -> %-*s %-15s %5s/%s  %-24s %s\n", w, cluster->nodes[t->to].name,
               first_address(&cluster->nodes[t->to]), port, dc_transport_name(c->transport),
               c->name, dc_expect_name(c->expect));
    }
    return fflush(stdout) ? DC_RUN_UNKNOWN : 0;
}

int cmd_plan(int argc, char **argv)
{
    struct cli_args a;
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    struct dc_plan *plan = NULL;
    cli_args_init(&a);
    int rc = cli_parse(argc, argv, &cli_plan_command, &a);
    if (rc) {
        rc = rc == CLI_HELP_SHOWN ? 0 : rc;
        goto out;
    }
    rc = cli_load(&a.src, &cluster, &profile, "plan");
    if (!rc)
        rc = cli_check_filters(cluster, profile, &a, "plan");
    if (rc)
        goto out;
    struct dc_plan_filter filter = {.checks = a.checks, .from = a.from, .to = a.to};
    if (dc_plan_build(cluster, profile, &filter, &plan)) {
        fprintf(stderr, "dmsconn plan: out of memory while planning\n");
        rc = DC_RUN_UNKNOWN;
        goto out;
    }
    rc = a.plan == CLI_JSON  ? write_json(cluster, profile, plan)
         : a.plan == CLI_CSV ? write_csv(cluster, profile, plan)
                             : write_text(cluster, profile, plan);
    if (rc)
        fprintf(stderr, "dmsconn plan: cannot write to standard output\n");
out:
    dc_plan_free(plan);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
    cli_args_free(&a);
    return rc;
}
