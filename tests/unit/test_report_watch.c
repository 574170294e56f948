/* Continuous mode's counts (dc_watch_counts, report.h): a cell's changes counted from the diff
 * of two rounds, kept by the cell's key when the node list is read again (other objects, the
 * same names), not counted for a cell an edit added; and the Prometheus text that carries
 * them (a counter per path, the last change's time only once there was one). */
#include "test_util.h"

#include <stdlib.h>

#include "dmsconn/inventory.h"
#include "dmsconn/profile.h"
#include "dmsconn/report.h"
#include "dmsconn/texts.h"
#include "dmsconn/verdict.h"

struct round {
    struct dc_cluster *cluster;
    struct dc_profile *profile;
    struct dc_plan *plan;
    struct dc_result *results;
    struct dc_texts *texts;
    struct dc_report rep;
};

/* A round over dma1 -> db1 with the checks named; `states` one per task, in plan order. */
static void round_make(struct round *r, const char **checks, const enum dc_state *states,
                       time_t started)
{
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_cluster_new(&r->cluster), 0);
    assert_int_equal(dc_inventory_add_flag(r->cluster, "dma1=10.0.0.11:dma", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(r->cluster, "db1=10.0.0.21:cassandra", &diag), 0);
    static const char yaml[] =
        "name: t\nbase: none\nchecks:\n"
        "  - {name: cql, probe: tcp, port: 9042, from: [dma], to: [cassandra]}\n"
        "  - {name: other, probe: tcp, port: 7000, from: [dma], to: [cassandra]}\n";
    assert_int_equal(dc_profile_new("t", &r->profile), 0);
    assert_int_equal(dc_profile_apply_yaml(r->profile, yaml, sizeof yaml - 1, "test", &diag), 0);
    struct dc_plan_filter filter = {.checks = checks};
    assert_int_equal(dc_plan_build(r->cluster, r->profile, &filter, &r->plan), 0);
    r->results = calloc(r->plan->ntasks, sizeof *r->results);
    assert_non_null(r->results);
    for (size_t i = 0; i < r->plan->ntasks; i++) {
        dc_result_reset(&r->results[i], "detail");
        r->results[i].state = states[i];
        r->results[i].measured = true;
    }
    struct dc_verdict_opts vopts;
    dc_verdict_opts_default(&vopts);
    r->texts = dc_texts_new();
    enum dc_run_verdict v =
        dc_verdict_run_all(r->cluster, r->profile, r->plan, &vopts, r->results, r->texts);
    r->rep = (struct dc_report){.cluster = r->cluster,
                                .profile = r->profile,
                                .plan = r->plan,
                                .results = r->results,
                                .started = {started, 0},
                                .verdict = v};
}

static void round_free(struct round *r)
{
    dc_texts_free(r->texts);
    free(r->results);
    dc_plan_free(r->plan);
    dc_profile_free(r->profile);
    dc_cluster_free(r->cluster);
}

/* The diff of `now` against `before` as continuous mode makes it. */
static struct dc_diff *diff_of(const struct round *before, const struct round *now)
{
    char *json = dc_report_json(&before->rep);
    assert_non_null(json);
    struct dc_diff *diff = NULL;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_diff_run(json, strlen(json), "previous", &now->rep, &diff, &diag), 0);
    free(json);
    return diff;
}

static size_t task_of(const struct round *r, const char *check)
{
    for (size_t i = 0; i < r->plan->ntasks; i++)
        if (strcmp(r->profile->checks[r->plan->tasks[i].check].name, check) == 0)
            return i;
    fail_msg("no task for %s", check);
    return 0;
}

static void changes_counted_and_kept_across_a_reread(void **state)
{
    (void)state;
    struct dc_watch_counts *counts = dc_watch_counts_new(1800000000);
    assert_non_null(counts);
    const char *two[] = {"cql", "other", NULL};
    const enum dc_state ok2[] = {DC_STATE_OK, DC_STATE_OK};
    struct round r1, r2, r3;
    round_make(&r1, two, ok2, 1800000000);
    assert_int_equal(r1.plan->ntasks, 2);
    assert_int_equal(dc_watch_counts_round(counts, &r1.rep, NULL, 1800000000), 0);
    assert_non_null(r1.rep.watch);
    assert_int_equal(r1.rep.watch->rounds, 1);
    assert_int_equal(r1.rep.watch->changes[0] + r1.rep.watch->changes[1], 0);

    /* round 2: cql refused */
    enum dc_state s2[2] = {DC_STATE_OK, DC_STATE_OK};
    round_make(&r2, two, s2, 1800000060);
    r2.results[task_of(&r2, "cql")].state = DC_STATE_REFUSED;
    struct dc_diff *d = diff_of(&r1, &r2);
    assert_int_equal(d->n, 1);
    assert_int_equal(dc_watch_counts_round(counts, &r2.rep, d, 1800000060), 0);
    size_t cql = task_of(&r2, "cql"), other = task_of(&r2, "other");
    assert_int_equal(r2.rep.watch->rounds, 2);
    assert_int_equal(r2.rep.watch->changes[cql], 1);
    assert_int_equal(r2.rep.watch->last_change[cql], 1800000060);
    assert_int_equal(r2.rep.watch->changes[other], 0);
    assert_int_equal(r2.rep.watch->last_change[other], 0);
    size_t len = 0;
    char *prom = dc_report_prom(&r2.rep, &len);
    assert_non_null(prom);
    assert_int_equal(strlen(prom), len);
    assert_contains(prom,
                    "# TYPE dmsconn_watch_rounds_total counter\ndmsconn_watch_rounds_total 2\n");
    assert_contains(prom, "dmsconn_watch_start_timestamp_seconds 1800000000\n");
    assert_contains(prom, "dmsconn_check_changes_total{from=\"dma1\",to=\"db1\",check=\"cql\","
                          "port=\"9042\"} 1\n");
    assert_contains(prom, "dmsconn_check_last_change_timestamp_seconds{from=\"dma1\",to=\"db1\","
                          "check=\"cql\",port=\"9042\"} 1800000060\n");
    /* a path that never changed has its counter at 0 and no last change */
    assert_contains(prom, "check=\"other\",port=\"7000\"} 0\n");
    assert_null(strstr(prom, "dmsconn_check_last_change_timestamp_seconds{from=\"dma1\",to=\"db1\","
                             "check=\"other\""));
    free(prom);
    dc_diff_free(d);

    /* round 3: everything read again (new objects), cql alone and healed; the counts of the
     * cell that stays are kept by its key */
    const char *one[] = {"cql", NULL};
    const enum dc_state ok1[] = {DC_STATE_OK};
    round_make(&r3, one, ok1, 1800000120);
    d = diff_of(&r2, &r3);
    assert_int_equal(dc_watch_counts_round(counts, &r3.rep, d, 1800000120), 0);
    assert_int_equal(r3.plan->ntasks, 1);
    assert_int_equal(r3.rep.watch->rounds, 3);
    assert_int_equal(r3.rep.watch->changes[0], 2);
    assert_int_equal(r3.rep.watch->last_change[0], 1800000120);
    dc_diff_free(d);

    /* round 4: a check the edit adds is new, not a change */
    round_free(&r1);
    round_make(&r1, two, ok2, 1800000180);
    d = diff_of(&r3, &r1);
    assert_int_equal(dc_watch_counts_round(counts, &r1.rep, d, 1800000180), 0);
    assert_int_equal(r1.rep.watch->changes[task_of(&r1, "cql")], 2);
    assert_int_equal(r1.rep.watch->changes[task_of(&r1, "other")], 0);
    dc_diff_free(d);

    round_free(&r1);
    round_free(&r2);
    round_free(&r3);
    dc_watch_counts_free(counts);
}

/* Without continuous mode the Prometheus text has none of its counters. */
static void one_run_has_no_watch_counters(void **state)
{
    (void)state;
    const char *one[] = {"cql", NULL};
    const enum dc_state ok1[] = {DC_STATE_OK};
    struct round r;
    round_make(&r, one, ok1, 1800000000);
    char *prom = dc_report_prom(&r.rep, NULL);
    assert_non_null(prom);
    assert_contains(prom, "dmsconn_check_pass{");
    assert_null(strstr(prom, "dmsconn_watch_rounds_total"));
    assert_null(strstr(prom, "dmsconn_check_changes_total"));
    free(prom);
    round_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(changes_counted_and_kept_across_a_reread),
        cmocka_unit_test(one_run_has_no_watch_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
