/* Fuzz target: dmsconn merge's report reader, on a three-node cluster with two checks (the
 * names a report's results would have to match); then the verdicts and the diagnosis of what
 * it read, which must give each failed or warned cell exactly one cause. */
#include "dmsconn/cluster.h"
#include "dmsconn/diagnosis.h"
#include "dmsconn/merge.h"
#include "dmsconn/profile.h"
#include "dmsconn/verdict.h"
#include "fuzz_util.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dc_cluster *cluster;
    static struct dc_profile *profile;
    static struct dc_plan *plan;
    if (!cluster) {
        struct dc_diag diag = {{0}};
        static const char profile_yaml[] =
            "name: fuzz\nbase: none\nchecks:\n"
            "  - {name: a, probe: tcp, port: 1000, from: [any], to: [any]}\n"
            "  - {name: b, probe: tcp, port: 2000, from: [any], to: [any]}\n";
        if (dc_cluster_new(&cluster) || dc_cluster_set_name(cluster, "fuzz") ||
            dc_cluster_add(cluster, "n1", "10.0.0.1", DC_ROLE_DMA, "fuzz", &diag) ||
            dc_cluster_add(cluster, "n2", "10.0.0.2", DC_ROLE_DMA, "fuzz", &diag) ||
            dc_cluster_add(cluster, "n3", "10.0.0.3", DC_ROLE_DMA, "fuzz", &diag) ||
            dc_profile_new("fuzz", &profile) ||
            dc_profile_apply_yaml(profile, profile_yaml, sizeof profile_yaml - 1, "fuzz", &diag) ||
            dc_plan_build(cluster, profile, &(struct dc_plan_filter){0}, &plan))
            abort();
    }
    struct dc_result *results = calloc(plan->ntasks, sizeof *results);
    struct dc_merge_row *rows = calloc(cluster->nnodes, sizeof *rows);
    struct dc_texts *texts = dc_texts_new();
    struct dc_diag diag = {{0}};
    size_t notes = cluster->nnotes;
    if (results && rows && texts) {
        for (size_t i = 0; i < plan->ntasks; i++)
            dc_result_reset(&results[i], "");
        dc_merge_text(cluster, profile, plan, (const char *)data, size, "fuzz", results, texts,
                      rows, &diag);
        dc_verdict_run_all(cluster, profile, plan, NULL, results, texts);
        struct dc_diagnosis *d = NULL;
        if (dc_diagnose(cluster, profile, plan, results, &d) == 0) {
            size_t listed = 0;
            for (size_t c = 0; c < d->n; c++)
                listed += d->causes[c].ncells;
            for (size_t i = 0; i < plan->ntasks; i++) {
                if ((results[i].verdict != DC_VERDICT_PASS) != (d->cause_of[i] != DC_NO_CAUSE))
                    abort();
            }
            if (listed != d->nfail + d->nwarn)
                abort();
        }
        dc_diagnosis_free(d);
    }
    /* the unmatched-results note would pile up across runs: drop what this run added */
    while (cluster->nnotes > notes)
        free(cluster->notes[--cluster->nnotes]);
    free(results);
    free(rows);
    dc_texts_free(texts);
    return 0;
}
