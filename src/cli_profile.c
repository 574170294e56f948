/* dmsconn profile show: the effective checks, as a table or as a YAML profile file. */
#include "cli.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"

#include <getopt.h>
#include <string.h>

static const char usage[] =
    "usage: dmsconn profile show [--profile FILE] [--yaml]\n"
    "\n"
    "Prints the checks of the built-in 'dataminer' profile, with FILE applied on top.\n"
    "  --yaml   print them as a profile file (base: none), a starting point for your own\n";

static void show_table(const struct dc_profile *p)
{
    char from[64], to[64];
    printf("profile %s: %zu checks\n", p->name, p->nchecks);
    printf("%-24s %-20s %-10s %-16s %-22s %-15s %-17s %s\n", "check", "probe", "port", "from", "to",
           "expect", "when", "pairs");
    for (size_t i = 0; i < p->nchecks; i++) {
        const struct dc_check *c = &p->checks[i];
        char port[16];
        snprintf(port, sizeof port, "%u/%s", c->port, dc_transport_name(c->transport));
        printf("%-24s %-20s %-10s %-16s %-22s %-15s %-17s %s\n", c->name, c->probe->name, port,
               dc_roles_format(c->from_roles, from, sizeof from),
               dc_roles_format(c->to_roles, to, sizeof to), dc_expect_name(c->expect),
               dc_when_name(c->when), dc_pairs_name(c->pairs));
    }
}

static void show_yaml(const struct dc_profile *p)
{
    char from[64], to[64];
    printf("name: %s\nbase: none\nchecks:\n", p->name);
    for (size_t i = 0; i < p->nchecks; i++) {
        const struct dc_check *c = &p->checks[i];
        printf("  - name: %s\n    service: \"%s\"\n    probe: %s\n    port: %u\n"
               "    transport: %s\n    from: [%s]\n    to: [%s]\n    expect: %s\n"
               "    when: %s\n    pairs: %s\n",
               c->name, c->service, c->probe->name, c->port, dc_transport_name(c->transport),
               dc_roles_format(c->from_roles, from, sizeof from),
               dc_roles_format(c->to_roles, to, sizeof to), dc_expect_name(c->expect),
               dc_when_name(c->when), dc_pairs_name(c->pairs));
    }
}

int cmd_profile(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"yaml", no_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL;
    bool yaml = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_PROFILE: file = optarg; break;
        case 'y': yaml = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_usage_error("profile", "unknown option");
        }
    }
    if (optind >= argc || strcmp(argv[optind], "show") != 0)
        return cli_usage_error("profile", "expected 'show'");
    if (optind + 1 < argc)
        return cli_usage_error("profile", "unexpected argument '%s'", argv[optind + 1]);
    struct dc_profile *p = NULL;
    struct dc_diag diag = {{0}};
    int rc = dc_profile_dataminer(&p);
    if (!rc && file)
        rc = dc_profile_read_yaml(p, file, &diag);
    if (rc) {
        fprintf(stderr, "dmsconn profile: %s\n", diag.msg[0] ? diag.msg : dc_strerror(rc));
        dc_profile_free(p);
        return DC_RUN_UNKNOWN;
    }
    if (yaml)
        show_yaml(p);
    else
        show_table(p);
    dc_profile_free(p);
    return 0;
}
