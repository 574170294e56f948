/* dmsconn profile show: the effective checks, as a table or as a YAML profile file. */
#include "cli_options.h"
#include "dmsconn/cluster.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"

#include <stdlib.h>
#include <string.h>

const struct cli_command cli_profile_command = {
    .name = "profile",
    .summary = "show the effective port profile",
    .bit = CLI_PROFILE,
    .synopsis = "usage: dmsconn profile show [--profile FILE] [--yaml] [NODE-LIST]\n"
                "\n"
                "Prints the checks of the built-in 'dataminer' profile, with FILE applied on\n"
                "top. With a node list, also which generation the cluster is and how many\n"
                "paths each check has in it.\n",
    .takes_words = true,
};

/* How many tasks of the full matrix each check has (NULL: no node list given). */
static void show_table(const struct dc_profile *p, const struct dc_cluster *cluster,
                       const size_t *tasks)
{
    char from[64], to[64];
    if (cluster) {
        for (size_t i = 0; i < cluster->nnotes; i++)
            printf("note: %s\n", cluster->notes[i]);
    }
    printf("profile %s: %zu checks\n", p->name, p->nchecks);
    printf("%-24s %-20s %-10s %-16s %-22s %-15s %-17s %-8s%s\n", "check", "probe", "port", "from",
           "to", "expect", "when", "pairs", tasks ? "paths" : "");
    for (size_t i = 0; i < p->nchecks; i++) {
        const struct dc_check *c = &p->checks[i];
        char port[16];
        if (c->transport == DC_TRANSPORT_ICMP)
            snprintf(port, sizeof port, "-/icmp");
        else
            snprintf(port, sizeof port, "%u/%s", c->port, dc_transport_name(c->transport));
        char count[24] = "";
        if (tasks)
            snprintf(count, sizeof count, "%zu", tasks[i]);
        printf("%-24s %-20s %-10s %-16s %-22s %-15s %-17s %-8s%s\n", c->name, c->probe->name, port,
               dc_roles_format(c->from_roles, from, sizeof from),
               dc_roles_format(c->to_roles, to, sizeof to), dc_expect_name(c->expect),
               dc_when_name(c->when), dc_pairs_name(c->pairs), count);
    }
}

static void show_yaml(const struct dc_profile *p)
{
    char from[64], to[64];
    printf("name: %s\nbase: none\nchecks:\n", p->name);
    for (size_t i = 0; i < p->nchecks; i++) {
        const struct dc_check *c = &p->checks[i];
        char port[24] = ""; /* a check without a port (ICMP) has no line for it */
        if (c->transport != DC_TRANSPORT_ICMP)
            snprintf(port, sizeof port, "    port: %u\n", c->port);
        printf("  - name: %s\n    service: \"%s\"\n    probe: %s\n%s"
               "    transport: %s\n    from: [%s]\n    to: [%s]\n    expect: %s\n"
               "    when: %s\n    pairs: %s\n    family: %s\n",
               c->name, c->service, c->probe->name, port, dc_transport_name(c->transport),
               dc_roles_format(c->from_roles, from, sizeof from),
               dc_roles_format(c->to_roles, to, sizeof to), dc_expect_name(c->expect),
               dc_when_name(c->when), dc_pairs_name(c->pairs), dc_family_name(c->family));
    }
}

int cmd_profile(int argc, char **argv)
{
    struct cli_args a;
    cli_args_init(&a);
    int parsed = cli_parse(argc, argv, &cli_profile_command, &a);
    if (parsed) {
        cli_args_free(&a);
        return parsed == CLI_HELP_SHOWN ? 0 : parsed;
    }
    struct cli_sources src = a.src; /* freed with a */
    bool yaml = a.yaml;
    if (a.nwords == 0 || strcmp(a.words[0], "show") != 0) {
        cli_args_free(&a);
        return cli_usage_error("profile", "expected 'show'");
    }
    if (a.nwords > 1) {
        cli_args_free(&a);
        return cli_usage_error("profile", "unexpected argument '%s'", a.words[1]);
    }
    struct dc_profile *p = NULL;
    struct dc_cluster *cluster = NULL;
    struct dc_plan *plan = NULL;
    size_t *tasks = NULL;
    struct dc_diag diag = {{0}};
    int rc = 0;
    bool nodes = src.dataminer_dir || src.dms || src.db || src.inventory || src.nnodes;
    if (nodes) {
        rc = cli_load(&src, &cluster, &p, "profile");
        if (!rc && (dc_plan_build(cluster, p, NULL, &plan) ||
                    !(tasks = calloc(p->nchecks + 1, sizeof *tasks))))
            rc = DC_RUN_UNKNOWN;
        for (size_t i = 0; !rc && i < plan->ntasks; i++)
            tasks[plan->tasks[i].check]++;
    } else {
        rc = dc_profile_dataminer(&p);
        if (!rc && src.profile)
            rc = dc_profile_read_yaml(p, src.profile, &diag);
        if (rc) {
            fprintf(stderr, "dmsconn profile: %s\n", diag.msg[0] ? diag.msg : dc_strerror(rc));
            rc = DC_RUN_UNKNOWN;
        }
    }
    if (!rc && yaml)
        show_yaml(p);
    else if (!rc)
        show_table(p, cluster, tasks);
    free(tasks);
    dc_plan_free(plan);
    dc_profile_free(p);
    dc_cluster_free(cluster);
    cli_args_free(&a);
    return rc;
}
