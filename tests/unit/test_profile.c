/* Profiles: the built-in dataminer profile and YAML files on top of it. */
#include "test_util.h"

#include <stdlib.h>

#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "probes/probe.h"

static const struct dc_check *check(const struct dc_profile *p, const char *name)
{
    long i = dc_profile_find(p, name);
    if (i < 0)
        fail_msg("no check %s", name);
    return &p->checks[i];
}

static void builtin_encodes_ports_md(void **state)
{
    (void)state;
    struct dc_profile *p;
    assert_int_equal(dc_profile_dataminer(&p), 0);
    assert_string_equal(p->name, "dataminer");
    assert_int_equal(check(p, "slnet-remoting")->port, 8004);
    assert_int_equal(check(p, "slnet-remoting")->when, DC_WHEN_REMOTING);
    assert_int_equal(check(p, "slnet-grpc")->port, 443);
    assert_int_equal(check(p, "slnet-grpc")->when, DC_WHEN_GRPC);
    assert_int_equal(check(p, "nats-client")->port, 4222);
    assert_int_equal(check(p, "nats-cluster")->port, 6222);
    assert_int_equal(check(p, "nats-account")->port, 9090);
    assert_int_equal(check(p, "nats-monitoring")->expect, DC_EXPECT_OPTIONAL);
    assert_int_equal(check(p, "telnet")->port, 23);
    assert_int_equal(check(p, "telnet")->expect, DC_EXPECT_MUST_BE_CLOSED);
    assert_int_equal(check(p, "telnet")->from_roles, DC_ROLE_ANY);
    assert_int_equal(check(p, "cql")->when, DC_WHEN_CASSANDRA_PLAIN);
    assert_int_equal(check(p, "cql-tls")->port, 9042); /* 9142 was a documentation error */
    assert_int_equal(check(p, "cassandra-internode")->port, 7000);
    assert_int_equal(check(p, "cassandra-internode-tls")->port, 7001);
    assert_int_equal(check(p, "opensearch-http")->to_roles, DC_ROLE_OPENSEARCH);
    assert_int_equal(check(p, "opensearch-transport")->port, 9300);
    assert_int_equal(check(p, "cloudgateway")->pairs, DC_PAIRS_SELF);
    /* each service's own probe where one exists */
    assert_string_equal(check(p, "slnet-remoting")->probe->name, "remoting");
    assert_string_equal(check(p, "nats-client")->probe->name, "nats");
    assert_string_equal(check(p, "nats-cluster")->probe->name, "nats");
    assert_string_equal(check(p, "nats-messaging")->probe->name, "nats-messaging");
    assert_non_null(check(p, "nats-messaging")->probe->proto->dialogue.library);
    assert_string_equal(check(p, "cql")->probe->name, "cql");
    assert_string_equal(check(p, "cassandra-jmx")->probe->name, "jmx");
    assert_string_equal(check(p, "opensearch-transport")->probe->name, "opensearch-transport");
    assert_string_equal(check(p, "telnet")->probe->name, "telnet");
    assert_string_equal(check(p, "cql-tls")->probe->name, "cql-tls");
    assert_string_equal(check(p, "cassandra-internode-tls")->probe->name, "tls");
    assert_string_equal(check(p, "slnet-grpc")->probe->name, "apigateway");
    assert_string_equal(check(p, "nats-account")->probe->name, "nats-account");
    assert_string_equal(check(p, "nats-monitoring")->probe->name, "nats-monitor");
    assert_string_equal(check(p, "opensearch-http")->probe->name, "opensearch-http");
    assert_string_equal(check(p, "http")->probe->name, "http");
    /* each check's family, which the HTML report groups by: its probe's, unless it says */
    assert_int_equal(check(p, "slnet-grpc")->family, DC_FAMILY_SLNET);
    assert_int_equal(check(p, "slnet-remoting-off")->family, DC_FAMILY_SLNET);
    assert_int_equal(check(p, "nats-account")->family, DC_FAMILY_NATS);
    assert_int_equal(check(p, "cassandra-internode")->family, DC_FAMILY_CASSANDRA); /* tcp */
    assert_int_equal(check(p, "cassandra-internode-tls")->family, DC_FAMILY_CASSANDRA);
    assert_int_equal(check(p, "opensearch-transport")->family, DC_FAMILY_OPENSEARCH);
    assert_int_equal(check(p, "telnet")->family, DC_FAMILY_OTHER);
    assert_string_equal(dc_family_name(check(p, "cql")->family), "Cassandra");
    dc_profile_free(p);
}

static void yaml_overrides(void **state)
{
    (void)state;
    struct dc_profile *p;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_profile_dataminer(&p), 0);
    size_t before = p->nchecks;
    assert_int_equal(dc_profile_read_yaml(p, DATA("profile-override.yaml"), &diag), 0);
    assert_string_equal(p->name, "lab-profile");
    assert_int_equal(p->nchecks, before + 1); /* one replaced, one removed, two added */
    assert_int_equal(check(p, "cql")->port, 19042);
    assert_int_equal(check(p, "cql")->pairs, DC_PAIRS_ALL);
    assert_int_equal(dc_profile_find(p, "telnet"), -1);
    assert_int_equal(check(p, "tcp-8443")->expect, DC_EXPECT_OPTIONAL);
    assert_int_equal(check(p, "tcp-8443")->from_roles, DC_ROLE_ANY);
    assert_int_equal(check(p, "tcp-8443")->family, DC_FAMILY_OTHER);        /* tcp's */
    assert_int_equal(check(p, "replication")->family, DC_FAMILY_CASSANDRA); /* as it says */
    dc_profile_free(p);
}

static void bad_profiles(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"profile-bad-probe.yaml", "profile-bad-probe.yaml:2", "unknown probe 'cassandra'"},
        {"profile-bad-port.yaml", "profile-bad-port.yaml:3", "expected a port number 1-65535"},
        {"profile-bad-expect.yaml", "profile-bad-expect.yaml:6",
         "required, optional, must_be_closed"},
        {"profile-bad-transport.yaml", "profile-bad-transport.yaml:2", "speaks tcp"},
        {"profile-long-name.yaml", "profile-long-name.yaml:2", "at most 64 characters"},
        {"profile-bad-family.yaml", "profile-bad-family.yaml:6", "slnet, nats, cassandra"},
        {"profile-empty-after.yaml", "profile-empty-after.yaml", "no checks left"},
        {"inventory-lab.yaml", "inventory-lab.yaml:2", "unknown key 'cluster'"},
        {"missing.yaml", "missing.yaml", "cannot open"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dc_profile *p;
        struct dc_diag diag = {{0}};
        char path[512];
        snprintf(path, sizeof path, DC_TEST_DATA "/%s", cases[i][0]);
        assert_int_equal(dc_profile_dataminer(&p), 0);
        if (dc_profile_read_yaml(p, path, &diag) == 0)
            fail_msg("%s was accepted", cases[i][0]);
        assert_contains(diag.msg, cases[i][1]);
        assert_contains(diag.msg, cases[i][2]);
        dc_profile_free(p);
    }
}

static void registry(void **state)
{
    (void)state;
    assert_non_null(dc_probe_find("tcp"));
    assert_null(dc_probe_find("nope"));
    /* every probe of the registry, in its order, ", " between them */
    char want[512] = "";
    for (size_t i = 0; dc_probes[i]; i++) {
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%s%s", i ? ", " : "", dc_probes[i]->name);
    }
    char *names = dc_probe_names();
    assert_non_null(names);
    assert_string_equal(names, want);
    assert_int_equal(strncmp(names, "tcp, remoting, remoting-tcp, nats, cql, ", 40), 0);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_encodes_ports_md),
        cmocka_unit_test(yaml_overrides),
        cmocka_unit_test(bad_profiles),
        cmocka_unit_test(registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
