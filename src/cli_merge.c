/* dmsconn merge: the full matrix from the reports each node made of its own row
 * (`dmsconn check --from-here --json`), by a scheduled task, copied to one place. The node
 * list and profile are given as to `check`; the plan they make is filled from the reports,
 * and every output of `check` is written from it. */
#include "cli.h"

#include "dmsconn/cluster.h"
#include "dmsconn/merge.h"
#include "dmsconn/profile.h"
#include "dmsconn/texts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: dmsconn merge NODE-LIST [--max-age HOURS] [OUTPUTS] REPORT.json...\n"
    "\n"
    "Assembles the source x destination matrix from the reports each node made of its own\n"
    "row ('dmsconn check --from-here --json FILE', by a scheduled task, copied anywhere): no\n"
    "agent, no port to open. Rows without a report, or with one older than --max-age, are\n"
    "unknown and said so; a report of another cluster or profile, or two for one row, is\n"
    "refused.\n"
    "\n"
    "Node list and profile: as for 'dmsconn check' (--dataminer-dir, --dms, --db, --inventory,\n"
    "  --node, --staas-endpoint, --profile); the same the nodes used.\n"
    "  --max-age HOURS     a report older than this is stale (default 26: a nightly task's)\n"
    "\n"
    "Outputs and exit codes: as for 'dmsconn check' (--json, --html, --csv, --junit, --prom,\n"
    "  --format, --quiet, --all, --no-color, --slow-ms, --baseline, --history, --keep).\n";

enum { OPT_MAX_AGE = 2000 };

struct merge_args {
    struct cli_sources src;
    struct cli_run run;
    double max_age_h;
};

static int parse_args(int argc, char **argv, struct merge_args *a)
{
    static const struct option longopts[] = {
        CLI_SOURCE_LONGOPTS,
        {"slow-ms", required_argument, NULL, OPT_SLOW_MS},
        {"json", required_argument, NULL, OPT_JSON},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"all", no_argument, NULL, OPT_ALL},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"csv", required_argument, NULL, OPT_CSV},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"prom", required_argument, NULL, OPT_PROM},
        {"html", required_argument, NULL, OPT_HTML},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"history", required_argument, NULL, OPT_HISTORY},
        {"keep", required_argument, NULL, OPT_KEEP},
        {"max-age", required_argument, NULL, OPT_MAX_AGE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int used = cli_source_option(&a->src, opt, optarg);
        if (used == 0 && opt != OPT_MAX_AGE && opt != 'h' && opt != '?')
            used = cli_run_option(&a->run, opt, optarg, "merge");
        if (used < 0)
            return DC_RUN_UNKNOWN;
        if (used > 0)
            continue;
        switch (opt) {
        case 'h': fputs(usage, stdout); return -1;
        case OPT_MAX_AGE: {
            char *end;
            a->max_age_h = strtod(optarg, &end);
            if (*end || end == optarg || !(a->max_age_h > 0 && a->max_age_h <= 24 * 366))
                return cli_usage_error("merge", "--max-age '%s': expected hours, above 0", optarg);
            break;
        }
        default: return cli_bad_option("merge", argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("merge", "expected the reports to merge (REPORT.json...)");
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    struct merge_args a = {.max_age_h = 26};
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    struct dc_merge_out merged = {0};
    struct dc_texts *texts = NULL;
    cli_run_defaults(&a.run);
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        rc = rc < 0 ? 0 : rc; /* --help */
        goto out;
    }
    rc = cli_run_validate(&a.run, "merge");
    if (!rc)
        rc = cli_load(&a.src, &cluster, &profile, "merge");
    if (rc)
        goto out;
    rc = DC_RUN_UNKNOWN;
    texts = dc_texts_new();
    if (!texts)
        goto out;
    struct dc_merge_opts opts = {.max_age_h = a.max_age_h};
    struct dc_diag diag = {{0}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (dc_merge_run(cluster, profile, (const char *const *)argv + optind, (size_t)(argc - optind),
                     &opts, &merged, texts, &diag)) {
        fprintf(stderr, "dmsconn merge: %s\n", diag.msg[0] ? diag.msg : "cannot merge");
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct dc_report rep = {.cluster = cluster,
                            .profile = profile,
                            .plan = merged.plan,
                            .results = merged.results,
                            .verdict_opts = &a.run.verdict,
                            .rows = merged.rows};
    clock_gettime(CLOCK_REALTIME, &rep.started);
    rep.duration_ms =
        (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    rc = cli_judge_and_write(&rep, merged.results, texts, &a.run, false);
out:
    dc_merge_out_free(&merged);
    dc_texts_free(texts);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
    cli_sources_free(&a.src);
    return rc;
}
