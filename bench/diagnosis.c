/* What the diagnosis costs (docs/diagnosis.md): a cluster of N nodes (two thirds DMAs, the rest
 * Cassandra and OpenSearch) planned with the built-in profile, its results judged, then
 * diagnosed: healthy; with faults of every kind planted (nodes down, services down, inbound and
 * outbound rules on 8004, a segment, single paths); with every cell failed; and with a tenth of
 * the cells failed at random (a path cause for nearly every one: the most causes a matrix can
 * give). Prints the cells, the causes by kind and the best of five runs' milliseconds for each.
 * Usage: bench_diagnosis [N] */
#include "dmsconn/cluster.h"
#include "dmsconn/diagnosis.h"
#include "dmsconn/inventory.h"
#include "dmsconn/plan.h"
#include "dmsconn/profile.h"
#include "dmsconn/texts.h"
#include "dmsconn/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A well-mixed hash (splitmix64's finaliser): a scattered tenth is not a pattern. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void fill(const struct dc_profile *profile, const struct dc_plan *plan,
                 struct dc_result *res, int scenario, size_t n)
{
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        struct dc_result *r = &res[i];
        dc_result_reset(r, "");
        r->measured = true;
        enum dc_expect e = profile->checks[t->check].expect;
        r->state =
            e == DC_EXPECT_MUST_BE_CLOSED || e == DC_EXPECT_UNUSED ? DC_STATE_REFUSED : DC_STATE_OK;
        r->latency_ms = 0.3;
        if (scenario == 2) {
            r->state = DC_STATE_FILTERED;
        } else if (scenario == 3) { /* a tenth of the cells, scattered: a path cause each */
            if (mix((uint64_t)t->from << 40 | (uint64_t)t->to << 16 | t->check) % 10 == 0)
                r->state = DC_STATE_FILTERED;
        } else if (scenario == 1) {
            if (t->to % 50 == 7 || t->to % 50 == 8) /* down or dropping everything */
                r->state = DC_STATE_FILTERED;
            else if (t->to % 40 == 3 && t->port == 4222) /* NATS stopped */
                r->state = DC_STATE_REFUSED;
            else if (t->from % 60 == 5 && t->port == 8004) /* outbound 8004 blocked */
                r->state = DC_STATE_FILTERED;
            else if (t->from < n / 10 && t->to >= n - n / 10 && t->port == 9042) /* a segment */
                r->state = DC_STATE_FILTERED;
            else if ((t->from * 31 + t->to * 17) % 997 == 0) /* single paths */
                r->state = DC_STATE_FILTERED;
            if (t->from % 50 == 7) /* the down node's row */
                r->agent_failure = DC_AGENT_UNREACHABLE, r->state = DC_STATE_UNKNOWN;
        }
        if (r->state != DC_STATE_OK)
            r->latency_ms = -1;
    }
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
    if (n < 4)
        n = 4;
    struct dc_cluster *cl;
    struct dc_profile *profile;
    struct dc_diag diag = {{0}};
    if (dc_cluster_new(&cl) || dc_profile_dataminer(&profile))
        return 1;
    for (long i = 0; i < n; i++) {
        char spec[96];
        const char *role = i < n * 2 / 3 ? "dma" : i % 2 ? "cassandra" : "opensearch";
        snprintf(spec, sizeof spec, "node%ld=10.%ld.%ld.%ld:%s", i, 1 + i / 60000, (i / 250) % 240,
                 1 + i % 250, role);
        if (dc_inventory_add_flag(cl, spec, &diag)) {
            fprintf(stderr, "%s\n", diag.msg);
            return 1;
        }
    }
    if (dc_cluster_finish(cl, false))
        return 1;
    struct dc_plan *plan;
    if (dc_plan_build(cl, profile, NULL, &plan))
        return 1;
    struct dc_result *res = calloc(plan->ntasks, sizeof *res);
    struct dc_texts *texts = dc_texts_new();
    if (!res || !texts)
        return 1;
    static const char *const names[] = {"healthy", "planted faults", "every cell failed",
                                        "a tenth of the cells failed, scattered"};
    for (int s = 0; s < 4; s++) {
        fill(profile, plan, res, s, (size_t)n);
        dc_verdict_run_all(cl, profile, plan, NULL, res, texts);
        double best = 1e9;
        size_t causes = 0, bad = 0, kinds[DC_CAUSE_KINDS] = {0};
        for (int round = 0; round < 5; round++) {
            struct dc_diagnosis *d;
            double t0 = now_ms();
            if (dc_diagnose(cl, profile, plan, res, &d))
                return 1;
            double ms = now_ms() - t0;
            best = ms < best ? ms : best;
            causes = d->n;
            memset(kinds, 0, sizeof kinds);
            for (size_t c = 0; c < d->n; c++)
                kinds[d->causes[c].kind]++;
            bad = d->nfail + d->nwarn;
            dc_diagnosis_free(d);
        }
        printf("%ld nodes, %zu cells, %s: %zu failed or warned, %zu causes, %.1f ms\n", n,
               plan->ntasks, names[s], bad, causes, best);
        for (int k = 0; k < DC_CAUSE_KINDS; k++) {
            if (kinds[k])
                printf("  %s %zu\n", dc_cause_kind_name((enum dc_cause_kind)k), kinds[k]);
        }
    }
    dc_texts_free(texts);
    free(res);
    dc_plan_free(plan);
    dc_profile_free(profile);
    dc_cluster_free(cl);
    return 0;
}
