/* dmsconn merge: the full matrix from the reports each node made of its own row
 * (`dmsconn check --from-here --json`), by a scheduled task, copied to one place. The node
 * list and profile are given as to `check`; the plan they make is filled from the reports,
 * and every output of `check` is written from it. */
#include "cli_options.h"

#include "dmsconn/cluster.h"
#include "dmsconn/merge.h"
#include "dmsconn/profile.h"
#include "dmsconn/texts.h"

#include <stdlib.h>
#include <string.h>

const struct cli_command cli_merge_command = {
    .name = "merge",
    .summary = "the matrix from each node's own --from-here report: no agent, no open port",
    .bit = CLI_MERGE,
    .synopsis =
        "usage: dmsconn merge NODE-LIST [--max-age HOURS] [OUTPUTS] REPORT.json...\n"
        "\n"
        "Assembles the source x destination matrix from the reports each node made of its own\n"
        "row ('dmsconn check --from-here --json FILE', by a scheduled task, copied anywhere): no\n"
        "agent, no port to open. Rows without a report, or with one older than --max-age, are\n"
        "unknown and said so; a report of another cluster or profile, or two for one row, is\n"
        "refused. The node list and profile are the ones the nodes used.\n",
    .epilogue = "Exit codes: as for 'dmsconn check'.\n",
    .takes_words = true,
    .why_not = "merge fills the plan from the reports and probes nothing",
};

int cmd_merge(int argc, char **argv)
{
    struct cli_args a;
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    struct dc_merge_out merged = {0};
    struct dc_texts *texts = NULL;
    cli_args_init(&a);
    a.max_age_h = 26;
    int rc = cli_parse(argc, argv, &cli_merge_command, &a);
    if (rc) {
        rc = rc == CLI_HELP_SHOWN ? 0 : rc;
        goto out;
    }
    if (a.nwords == 0) {
        rc = cli_usage_error("merge", "expected the reports to merge (REPORT.json...)");
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
    if (dc_merge_run(cluster, profile, (const char *const *)a.words, (size_t)a.nwords, &opts,
                     &merged, texts, &diag)) {
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
    cli_args_free(&a);
    return rc;
}
