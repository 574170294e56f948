/* Fuzz target: dmsconn merge's report reader, on a three-node cluster with two checks (the
 * names a report's results would have to match). */
#include "dmsconn/cluster.h"
#include "dmsconn/merge.h"
#include "dmsconn/profile.h"
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
    if (results && rows && texts)
        dc_merge_text(cluster, profile, plan, (const char *)data, size, "fuzz", results, texts,
                      rows, &diag);
    /* the unmatched-results note would pile up across runs: drop what this run added */
    while (cluster->nnotes > notes)
        free(cluster->notes[--cluster->nnotes]);
    free(results);
    free(rows);
    dc_texts_free(texts);
    return 0;
}
