/* Verdicts: expected x observed -> pass/warn/fail, remedies, and the run's verdict. */
#include "test_util.h"

#include <math.h>

#include "dmsconn/clock.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "dmsconn/report.h"
#include "dmsconn/verdict.h"
#include "probes/probe.h"

static struct dc_cluster *cluster;
static struct dc_profile *profile;

static int setup(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    if (dc_cluster_new(&cluster) || dc_profile_dataminer(&profile))
        return -1;
    if (dc_inventory_add_flag(cluster, "dma1=10.0.0.11:dma", &diag) ||
        dc_inventory_add_flag(cluster, "db1=10.0.0.21:cassandra", &diag))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dc_cluster_free(cluster);
    dc_profile_free(profile);
    return 0;
}

struct judged {
    struct dc_result r;
    char remedy[512];
};

static struct judged judge(const char *check, enum dc_state state, double latency)
{
    struct dc_verdict_opts opts;
    dc_verdict_opts_default(&opts);
    long c = dc_profile_find(profile, check);
    assert_true(c >= 0);
    struct dc_task task = {0, 1, (uint32_t)c, profile->checks[c].port};
    struct judged j;
    dc_result_reset(&j.r, "detail");
    j.r.state = state;
    j.r.measured = true;
    j.r.latency_ms = latency;
    j.r.address = "10.0.0.21";
    dc_verdict_judge(cluster, profile, &task, &opts, &j.r);
    dc_verdict_remedy(cluster, profile, &task, &opts, &j.r, j.remedy, sizeof j.remedy);
    return j;
}

struct row {
    const char *check;
    enum dc_state state;
    double latency;
    enum dc_verdict verdict;
};

static void table(void **state)
{
    (void)state;
    static const struct row rows[] = {
        {"cql", DC_STATE_OK, 0.4, DC_VERDICT_PASS},
        {"cql", DC_STATE_OK, 73.0, DC_VERDICT_WARN}, /* BPA: above 50 ms */
        {"cql", DC_STATE_REFUSED, -1, DC_VERDICT_FAIL},
        {"cql", DC_STATE_FILTERED, -1, DC_VERDICT_FAIL},
        {"cql", DC_STATE_UNREACHABLE, -1, DC_VERDICT_FAIL},
        {"cql", DC_STATE_DNS, -1, DC_VERDICT_FAIL},
        {"cql", DC_STATE_WRONG_SERVICE, 1, DC_VERDICT_FAIL},
        {"cql", DC_STATE_TLS, 1, DC_VERDICT_FAIL},
        {"cql", DC_STATE_AUTH, 1, DC_VERDICT_FAIL},
        {"cql", DC_STATE_DEGRADED, 1, DC_VERDICT_WARN},
        {"cql", DC_STATE_ERROR, -1, DC_VERDICT_WARN},
        {"cql", DC_STATE_UNKNOWN, -1, DC_VERDICT_WARN},
        {"cassandra-jmx", DC_STATE_OK, 1, DC_VERDICT_PASS},
        {"cassandra-jmx", DC_STATE_OK, 90, DC_VERDICT_PASS},
        {"cassandra-jmx", DC_STATE_REFUSED, -1, DC_VERDICT_PASS},
        {"cassandra-jmx", DC_STATE_FILTERED, -1, DC_VERDICT_PASS},
        {"cassandra-jmx", DC_STATE_WRONG_SERVICE, 1, DC_VERDICT_WARN},
        {"cassandra-jmx", DC_STATE_DNS, -1, DC_VERDICT_WARN},
        {"telnet", DC_STATE_REFUSED, -1, DC_VERDICT_PASS},
        {"telnet", DC_STATE_FILTERED, -1, DC_VERDICT_PASS},
        {"telnet", DC_STATE_UNREACHABLE, -1, DC_VERDICT_PASS},
        {"telnet", DC_STATE_OK, 1, DC_VERDICT_FAIL},
        {"telnet", DC_STATE_WRONG_SERVICE, 1, DC_VERDICT_FAIL},
        {"telnet", DC_STATE_DNS, -1, DC_VERDICT_WARN},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct judged j = judge(rows[i].check, rows[i].state, rows[i].latency);
        if (j.r.verdict != rows[i].verdict)
            fail_msg("%s %s %.0f ms: expected %s, got %s", rows[i].check,
                     dc_state_name(rows[i].state), rows[i].latency,
                     dc_verdict_name(rows[i].verdict), dc_verdict_name(j.r.verdict));
        /* every failure and warning says what to do; a clean pass says nothing */
        if (j.r.verdict != DC_VERDICT_PASS)
            assert_true(strlen(j.remedy) > 20);
        else if (rows[i].state == DC_STATE_OK)
            assert_string_equal(j.remedy, "");
    }
}

static void remedies_name_the_path(void **state)
{
    (void)state;
    struct judged r = judge("cql", DC_STATE_FILTERED, -1);
    assert_contains(r.remedy, "allow tcp/9042 from dma1 (10.0.0.11) to db1 (10.0.0.21)");
    assert_contains(r.remedy, "dropped");
    r = judge("cql", DC_STATE_REFUSED, -1);
    assert_contains(r.remedy, "nothing listens on db1 (10.0.0.21) tcp/9042");
    assert_contains(r.remedy, "Cassandra CQL");
    r = judge("telnet", DC_STATE_OK, 1);
    assert_contains(r.remedy, "must be closed");
    r = judge("cql", DC_STATE_OK, 73);
    assert_contains(r.remedy, "73 ms");
}

/* A step the build cannot run says what to do instead, never "run it again". */
static void unavailable_step(void **state)
{
    (void)state;
    static const char *const instead = "check it from a Linux node";
    const struct dci_protocol proto = {.driver = DCI_DRIVER_DIALOGUE, .unavailable = &instead};
    const struct dc_probe_ops probe = {.name = "x", .proto = &proto};
    long c = dc_profile_find(profile, "cql");
    const struct dc_probe_ops *was = profile->checks[c].probe;
    profile->checks[c].probe = &probe;
    struct judged r = judge("cql", DC_STATE_UNKNOWN, -1);
    profile->checks[c].probe = was;
    assert_string_equal(r.remedy, instead);
    r = judge("cql", DC_STATE_UNKNOWN, -1); /* the protocol runs it: not measured, run again */
    assert_contains(r.remedy, "run the check again");
}

static void run_verdict(void **state)
{
    (void)state;
    struct dc_result r[3] = {
        {.verdict = DC_VERDICT_PASS}, {.verdict = DC_VERDICT_PASS}, {.verdict = DC_VERDICT_PASS}};
    assert_int_equal(dc_verdict_run(r, 3), DC_RUN_OK);
    assert_int_equal(dc_verdict_run(r, 0), DC_RUN_OK);
    r[1].verdict = DC_VERDICT_WARN;
    assert_int_equal(dc_verdict_run(r, 3), DC_RUN_WARNING);
    r[2].state = DC_STATE_UNKNOWN;
    r[2].verdict = DC_VERDICT_WARN;
    assert_int_equal(dc_verdict_run(r, 3), DC_RUN_UNKNOWN);
    r[0].verdict = DC_VERDICT_FAIL;
    assert_int_equal(dc_verdict_run(r, 3), DC_RUN_CRITICAL);
}

/* A DMA's HTTPS name that fails: the remedy mends the name (DNS, the certificate), never
 * "put the IP address in the node list" as for a node by hostname. */
static void https_name_remedies(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    struct dc_cluster *c = NULL;
    assert_int_equal(dc_cluster_new(&c), 0);
    assert_int_equal(dc_inventory_add_flag(c, "dma1=10.0.0.11", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "dma2=10.0.0.12", &diag), 0);
    assert_int_equal(dc_node_set_https_name(c, 1, "dma2.example.local", "test", &diag), 0);
    long check = dc_profile_find(profile, "https-name");
    struct dc_task task = {0, 2, (uint32_t)check, 443};
    const char *expected[][2] = {
        {"dns", "make dma2.example.local resolve to dma2 (10.0.0.12) on dma1 (10.0.0.11)"},
        {"tls", "the certificate on dma2's port 443 must carry the name dma2.example.local"},
        {"refused", "nothing listens on"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct dc_result r;
        char remedy[512];
        dc_result_reset(&r, "detail");
        assert_int_equal(dc_state_parse(expected[i][0], &r.state), 0);
        r.measured = true;
        dc_verdict_remedy(c, profile, &task, NULL, &r, remedy, sizeof remedy);
        assert_contains(remedy, expected[i][1]);
    }
    dc_cluster_free(c);
}

/* One counting rule for a matrix cell (terminal and HTML): the worst rank and how many of
 * the cell's checks have it; a warning beside a failure is not counted as a failure. */
static void cell_rule(void **state)
{
    (void)state;
    struct dc_result pass = {.state = DC_STATE_OK, .verdict = DC_VERDICT_PASS};
    struct dc_result warn = {.state = DC_STATE_OK, .verdict = DC_VERDICT_WARN};
    struct dc_result fail = {.state = DC_STATE_REFUSED, .verdict = DC_VERDICT_FAIL};
    struct dc_result unmeasured = {.state = DC_STATE_UNKNOWN, .verdict = DC_VERDICT_WARN};
    struct dc_cell c = {0};
    char label[32];
    dc_cell_label(&c, label, sizeof label);
    assert_string_equal(label, ".");
    for (int i = 0; i < 6; i++)
        dc_cell_add(&c, &pass);
    dc_cell_label(&c, label, sizeof label);
    assert_string_equal(label, "ok 6");
    dc_cell_add(&c, &warn);
    dc_cell_label(&c, label, sizeof label);
    assert_string_equal(label, "warn 1/7");
    dc_cell_add(&c, &unmeasured);
    dc_cell_label(&c, label, sizeof label);
    assert_string_equal(label, "? 1/8");
    dc_cell_add(&c, &fail);
    dc_cell_label(&c, label, sizeof label);
    assert_string_equal(label, "FAIL 1/9");
    assert_int_equal(dc_cell_worst(&c), DC_RANK_FAIL);
}

/* NTP's arithmetic (RFC 5905, section 8) and the BPA's thresholds: an agent 3 s ahead, 4 ms
 * of network each way and 100 ms of its own work between receiving and answering. */
static void clocks(void **state)
{
    (void)state;
    struct dc_clock_exchange x = {
        .t0 = 1000000.0, .t1 = 1003004.0, .t2 = 1003104.0, .t3 = 1000108.0};
    struct dc_clock c;
    dc_clock_measure(&x, DC_CLOCK_AGENT, &c);
    assert_true(fabs(c.offset_ms - 3000.0) < 1e-6);
    assert_true(fabs(c.uncertainty_ms - 4.0) < 1e-6); /* (108 - 100) / 2 */
    dc_clock_judge(&c, 1000, 5000);
    assert_int_equal(c.verdict, DC_VERDICT_WARN);
    dc_clock_judge(&c, 1000, 2000);
    assert_int_equal(c.verdict, DC_VERDICT_FAIL);
    dc_clock_judge(&c, 3000, 5000); /* 3000 - 4: within the uncertainty of the threshold */
    assert_int_equal(c.verdict, DC_VERDICT_PASS);
    /* behind counts as much as ahead */
    struct dc_clock_exchange behind = {
        .t0 = 1000000.0, .t1 = 993004.0, .t2 = 993004.0, .t3 = 1000008.0};
    dc_clock_measure(&behind, DC_CLOCK_AGENT_REFUSED, &c);
    assert_true(fabs(c.offset_ms + 7000.0) < 1e-6);
    assert_string_equal(dc_clock_source_name(c.source), "agent refusal (unsigned)");
    dc_clock_judge(&c, 1000, 5000);
    assert_int_equal(c.verdict, DC_VERDICT_FAIL);
    /* a reference or an unmeasured clock never fails; the run's verdict counts the others */
    struct dc_clock all[3] = {{.source = DC_CLOCK_REFERENCE},
                              {.source = DC_CLOCK_NONE, .offset_ms = 1e9},
                              {.source = DC_CLOCK_AGENT, .offset_ms = 1500}};
    for (int i = 0; i < 3; i++)
        dc_clock_judge(&all[i], 1000, 5000);
    assert_int_equal(all[0].verdict, DC_VERDICT_PASS);
    assert_int_equal(all[1].verdict, DC_VERDICT_PASS);
    assert_int_equal(dc_clock_run_verdict(DC_RUN_OK, all, 3), DC_RUN_WARNING);
    assert_int_equal(dc_clock_run_verdict(DC_RUN_UNKNOWN, all, 3), DC_RUN_UNKNOWN);
    all[2].verdict = DC_VERDICT_FAIL;
    assert_int_equal(dc_clock_run_verdict(DC_RUN_UNKNOWN, all, 3), DC_RUN_CRITICAL);
    assert_int_equal(dc_clock_run_verdict(DC_RUN_OK, NULL, 0), DC_RUN_OK);
    /* a Date header of second 1000 seen at 1,000,700 ms after a 4 ms round trip: the server's
     * clock was somewhere in that second, taken at its middle, +/- 0.5 s and half the trip */
    dc_clock_from_date(1000.0, 1000700.0, 4.0, &c);
    assert_int_equal(c.source, DC_CLOCK_HTTP_DATE);
    assert_true(fabs(c.offset_ms - (-198.0)) < 1e-6); /* 1000500 - (1000700 - 2) */
    assert_true(fabs(c.uncertainty_ms - 502.0) < 1e-6);
    dc_clock_judge(&c, 1000, 5000);
    assert_int_equal(c.verdict, DC_VERDICT_PASS);
    dc_clock_from_date(1010.0, 1000700.0, -1, &c); /* 10 s ahead, no round trip known */
    assert_true(fabs(c.uncertainty_ms - 500.0) < 1e-6);
    dc_clock_judge(&c, 1000, 5000);
    assert_int_equal(c.verdict, DC_VERDICT_FAIL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(remedies_name_the_path),
        cmocka_unit_test(unavailable_step),
        cmocka_unit_test(run_verdict),
        cmocka_unit_test(cell_rule),
        cmocka_unit_test(https_name_remedies),
        cmocka_unit_test(clocks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
