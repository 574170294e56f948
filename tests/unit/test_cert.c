/* Certificates (dmsconn/cert.h): the text a result keeps, read back whole; the expiry
 * thresholds of DataMiner's SLDataGateway at their edges; and the verdict and remedy a TLS
 * result gets from its certificate, through the built-in profile's cql-tls check. */
#include "test_util.h"

#include "dmsconn/cert.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "dmsconn/profile.h"
#include "dmsconn/report.h"
#include "dmsconn/texts.h"
#include "dmsconn/verdict.h"

#include <math.h>

#define NOW 1800000000.0 /* 2027-01-15 08:00 UTC */
#define DAY 86400

static struct dc_cert sample(double days_left)
{
    struct dc_cert c = {.version = "TLSv1.2",
                        .trusted = true,
                        .names_ok = true,
                        .checked = "10.0.0.21",
                        .subject = "CN=db1,O=Lab",
                        .issuer = "CN=Lab CA",
                        .san = "DNS:db1.lab, IP:10.0.0.21"};
    c.not_before = (int64_t)NOW - 300 * DAY;
    c.not_after = (int64_t)(NOW + days_left * DAY);
    return c;
}

static void test_text_round_trip(void **state)
{
    (void)state;
    struct dc_cert c = sample(12.5), back;
    snprintf(c.problem, sizeof c.problem, "unable to get local issuer certificate");
    c.trusted = false;
    /* a line break in a name cannot split the text into fields */
    snprintf(c.subject, sizeof c.subject, "CN=evil\nna=0");
    char text[1024];
    dc_cert_format(&c, text, sizeof text);
    assert_int_equal(dc_cert_parse(text, &back), 0);
    assert_string_equal(back.version, "TLSv1.2");
    assert_true(back.not_after == c.not_after && back.not_before == c.not_before);
    assert_false(back.trusted);
    assert_true(back.names_ok);
    assert_string_equal(back.subject, "CN=evil na=0");
    assert_string_equal(back.issuer, "CN=Lab CA");
    assert_string_equal(back.san, "DNS:db1.lab, IP:10.0.0.21");
    assert_string_equal(back.checked, "10.0.0.21");
    assert_string_equal(back.problem, "unable to get local issuer certificate");
    /* not a certificate: nothing, or text without its validity */
    assert_int_equal(dc_cert_parse("", &back), -1);
    assert_int_equal(dc_cert_parse("v=TLSv1.3\ns=CN=x\n", &back), -1);
    assert_int_equal(dc_cert_parse("garbage without fields", &back), -1);
    /* a buffer too short for it: cut, still a string */
    char small[40];
    dc_cert_format(&c, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
}

static void test_thresholds(void **state)
{
    (void)state;
    char why[96];
    struct {
        double days;
        enum dc_verdict verdict;
        const char *words;
    } cases[] = {
        {365, DC_VERDICT_PASS, ""},
        {30.01, DC_VERDICT_PASS, ""},
        {29.99, DC_VERDICT_WARN, "expires on 2027-02-14, in 30.0 days"},
        {7.01, DC_VERDICT_WARN, "in 7.0 days"},
        {6.99, DC_VERDICT_FAIL, "in 7.0 days"},
        {0.5, DC_VERDICT_FAIL, "in 0.5 days"},
        {-3, DC_VERDICT_FAIL, "expired on 2027-01-12 (3 days ago)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dc_cert c = sample(cases[i].days);
        assert_int_equal(dc_cert_judge(&c, NOW, 30, 7, why, sizeof why), cases[i].verdict);
        assert_contains(why, cases[i].words);
        if (cases[i].verdict == DC_VERDICT_PASS)
            assert_string_equal(why, "");
    }
    struct dc_cert c = sample(365);
    c.not_before = (int64_t)NOW + 2 * DAY; /* a clock, or a certificate, ahead */
    assert_int_equal(dc_cert_judge(&c, NOW, 30, 7, why, sizeof why), DC_VERDICT_FAIL);
    assert_string_equal(why, "not valid before 2027-01-17");
    c = sample(20);
    assert_true(fabs(dc_cert_days_left(&c, NOW) - 20) < 1e-9);
    assert_int_equal(dc_cert_judge(&c, NOW, 10, 2, why, sizeof why), DC_VERDICT_PASS);
}

static struct dc_cluster *cluster;
static struct dc_profile *profile;
static struct dc_texts *texts;

static int setup(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    texts = dc_texts_new();
    if (!texts || dc_cluster_new(&cluster) || dc_profile_dataminer(&profile))
        return -1;
    if (dc_inventory_add_flag(cluster, "dma1=10.0.0.11:dma", &diag) ||
        dc_inventory_add_flag(cluster, "db1=10.0.0.21:cassandra", &diag))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dc_texts_free(texts);
    dc_cluster_free(cluster);
    dc_profile_free(profile);
    return 0;
}

struct judged {
    struct dc_result r;
    char remedy[512];
};

/* dma1 -> db1's cql-tls with this certificate, judged at NOW */
static struct judged judge(enum dc_state state, const struct dc_cert *cert, double latency)
{
    struct dc_verdict_opts opts;
    dc_verdict_opts_default(&opts);
    opts.now_s = NOW;
    long c = dc_profile_find(profile, "cql-tls");
    assert_true(c >= 0);
    struct dc_task task = {0, 1, (uint32_t)c, profile->checks[c].port};
    struct judged j;
    char text[1024];
    dc_result_reset(&j.r, "detail");
    j.r.state = state;
    j.r.measured = true;
    j.r.latency_ms = latency;
    j.r.address = "10.0.0.21";
    if (cert) {
        dc_cert_format(cert, text, sizeof text);
        j.r.tls = dc_texts_add(texts, text);
    }
    dc_verdict_judge(cluster, profile, &task, &opts, &j.r);
    dc_verdict_remedy(cluster, profile, &task, &opts, &j.r, j.remedy, sizeof j.remedy);
    return j;
}

static void test_verdicts(void **state)
{
    (void)state;
    struct dc_cert c = sample(365);
    struct judged j = judge(DC_STATE_OK, &c, 1);
    assert_int_equal(j.r.verdict, DC_VERDICT_PASS);
    assert_false(j.r.by_cert);
    assert_string_equal(j.remedy, "");

    c = sample(20);
    j = judge(DC_STATE_OK, &c, 1);
    assert_int_equal(j.r.verdict, DC_VERDICT_WARN);
    assert_true(j.r.by_cert);
    assert_contains(j.remedy, "renew the certificate of Cassandra CQL over TLS on db1 "
                              "(10.0.0.21) tcp/9042 (CN=db1,O=Lab, issued by CN=Lab CA): it "
                              "expires on 2027-02-04, in 20.0 days");

    c = sample(3);
    j = judge(DC_STATE_OK, &c, 1);
    assert_int_equal(j.r.verdict, DC_VERDICT_FAIL);
    assert_true(j.r.by_cert);

    /* slow and a sound certificate: the round trip's warning, not the certificate's */
    c = sample(365);
    j = judge(DC_STATE_OK, &c, 120);
    assert_int_equal(j.r.verdict, DC_VERDICT_WARN);
    assert_false(j.r.by_cert);
    assert_contains(j.remedy, "round trip 120 ms");

    /* refused for its names: the remedy names what is missing */
    c = sample(365);
    c.names_ok = false;
    snprintf(c.san, sizeof c.san, "DNS:db1.lab");
    j = judge(DC_STATE_TLS, &c, 1);
    assert_int_equal(j.r.verdict, DC_VERDICT_FAIL);
    assert_true(j.r.by_cert);
    assert_contains(j.remedy, "names DNS:db1.lab, not 10.0.0.21, by which it is reached: "
                              "reissue it with 10.0.0.21 in its subject alternative names");

    /* refused for its issuer */
    c = sample(365);
    c.trusted = false;
    snprintf(c.problem, sizeof c.problem, "self-signed certificate");
    j = judge(DC_STATE_TLS, &c, 1);
    assert_contains(j.remedy, "is not trusted here: self-signed certificate");
    assert_contains(j.remedy, "--ca FILE");

    /* a TLS failure without a certificate read: the general remedy, not the certificate's */
    j = judge(DC_STATE_TLS, NULL, 1);
    assert_int_equal(j.r.verdict, DC_VERDICT_FAIL);
    assert_false(j.r.by_cert);
    assert_contains(j.remedy, "the TLS handshake with Cassandra CQL over TLS");
}

/* An agent's own HTTPS certificate (report.h: agent_certs): verified by a CA, its dates raise
 * the run's verdict as a clock does (20 days: a warning, 3: critical, and critical whatever
 * else); pinned by key, its dates are shown, never judged. */
static void test_agent_certs(void **state)
{
    (void)state;
    struct dc_verdict_opts opts;
    dc_verdict_opts_default(&opts);
    opts.now_s = NOW;
    struct dc_plan plan = {0};
    const char *certs[2] = {NULL, NULL};
    struct dc_report rep = {.cluster = cluster,
                            .profile = profile,
                            .plan = &plan,
                            .verdict_opts = &opts,
                            .agent_certs = certs};
    char text[1024];
    struct dc_cert c = sample(20);
    dc_cert_format(&c, text, sizeof text);
    certs[1] = text;
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_OK), DC_RUN_WARNING);
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_CRITICAL), DC_RUN_CRITICAL);
    c = sample(3);
    dc_cert_format(&c, text, sizeof text);
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_OK), DC_RUN_CRITICAL);
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_UNKNOWN), DC_RUN_CRITICAL);
    c = sample(365);
    dc_cert_format(&c, text, sizeof text);
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_OK), DC_RUN_OK);
    /* pinned: an expired one is no finding (the pin ignores its dates) */
    c = sample(-10);
    dc_cert_format(&c, text, sizeof text);
    cluster->nodes[1].agent_pin = "sha256:pinned";
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_OK), DC_RUN_OK);
    cluster->nodes[1].agent_pin = NULL;
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_OK), DC_RUN_CRITICAL);
    rep.agent_certs = NULL;
    assert_int_equal(dc_report_agent_certs_verdict(&rep, DC_RUN_OK), DC_RUN_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_round_trip),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test_setup_teardown(test_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_certs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
