/* The plan: nodes x profile -> tasks, with Remoting/gRPC links, TLS and port maps. */
#include "test_util.h"

#include "dmsconn/inventory.h"
#include "dmsconn/plan.h"
#include "dmsconn/profile.h"

static struct dc_cluster *cluster;
static struct dc_profile *profile;

static int setup(void **state)
{
    (void)state;
    static const char *const nodes[] = {
        "dma1=192.0.2.1:dma,cloudgateway",
        "dma2=192.0.2.2:dma",
        "dma3=192.0.2.3:dma",
        "db1=192.0.2.11:cassandra",
        "db2=192.0.2.12:cassandra,opensearch",
    };
    struct dc_diag diag = {{0}};
    if (dc_cluster_new(&cluster) || dc_profile_dataminer(&profile))
        return -1;
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        if (dc_inventory_add_flag(cluster, nodes[i], &diag))
            return -1;
    }
    cluster->nodes[1].link = DC_LINK_GRPC; /* as a DMS.xml Redirect via :8443 would */
    cluster->nodes[1].link_port = 8443;
    return dc_node_map_port(&cluster->nodes[3], 9042, 19042);
}

static int teardown(void **state)
{
    (void)state;
    dc_cluster_free(cluster);
    dc_profile_free(profile);
    return 0;
}

static size_t count(const struct dc_plan *plan, const char *from, const char *to, const char *check,
                    uint16_t port)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->ntasks; i++) {
        const struct dc_task *t = &plan->tasks[i];
        if ((!from || strcmp(cluster->nodes[t->from].name, from) == 0) &&
            (!to || strcmp(cluster->nodes[t->to].name, to) == 0) &&
            (!check || strcmp(profile->checks[t->check].name, check) == 0) &&
            (!port || t->port == port))
            n++;
    }
    return n;
}

static void full_matrix(void **state)
{
    (void)state;
    struct dc_plan *plan;
    assert_int_equal(dc_plan_build(cluster, profile, NULL, &plan), 0);
    /* counted by hand from the profile table: see the comment of each line */
    /* 8+8 DMA, self CloudGateway (required by the role; the optional DMA check on the same
     * port and probe gives way), 1+2 db, ICMP echo to the 2 other DMAs and the 2 dbs */
    assert_int_equal(count(plan, "dma1", NULL, NULL, 0), 24);
    assert_int_equal(count(plan, "dma1", NULL, "icmp", 0), 4);
    assert_int_equal(count(plan, "db1", NULL, "icmp", 0), 0); /* the Agents ping, not the dbs */
    assert_int_equal(count(plan, "dma1", "dma1", "cloudgateway-local", 0), 0);
    /* the same, with the optional self CloudGateway check of every DMA */
    assert_int_equal(count(plan, "dma2", NULL, NULL, 0), 24);
    assert_int_equal(count(plan, "dma2", "dma2", "cloudgateway-local", 5100), 1);
    assert_int_equal(count(plan, "dma3", NULL, NULL, 0), 24);
    assert_int_equal(count(plan, "db1", NULL, NULL, 0), 5); /* 3 telnet, internode, jmx */
    assert_int_equal(count(plan, "db2", NULL, NULL, 0), 5);
    assert_int_equal(plan->ntasks, 82);
    /* gRPC to dma2 on the Redirect's port, Remoting to the others */
    assert_int_equal(count(plan, NULL, "dma2", "slnet-grpc", 8443), 2);
    assert_int_equal(count(plan, NULL, "dma2", "slnet-remoting", 0), 0);
    assert_int_equal(count(plan, NULL, "dma3", "slnet-remoting", 8004), 2);
    assert_int_equal(count(plan, NULL, "dma3", "slnet-grpc", 0), 0);
    /* port map and self pairs */
    assert_int_equal(count(plan, NULL, "db1", "cql", 19042), 3);
    assert_int_equal(count(plan, "dma1", "dma1", "cloudgateway", 5100), 1);
    assert_int_equal(count(plan, NULL, NULL, "cloudgateway", 0), 1);
    /* tasks are grouped by source */
    for (size_t i = 1; i < plan->ntasks; i++)
        assert_true(plan->tasks[i - 1].from <= plan->tasks[i].from);
    dc_plan_free(plan);
}

static void cassandra_tls_switches_ports(void **state)
{
    (void)state;
    struct dc_plan *plan;
    cluster->gen.cassandra_tls = true;
    assert_int_equal(dc_plan_build(cluster, profile, NULL, &plan), 0);
    assert_int_equal(plan->ntasks, 82);
    assert_int_equal(count(plan, NULL, NULL, "cql", 0), 0);
    assert_int_equal(count(plan, NULL, "db2", "cql-tls", 9042), 3); /* TLS on 9042 */
    assert_int_equal(count(plan, NULL, NULL, "cassandra-internode", 0), 0);
    assert_int_equal(count(plan, "db1", "db2", "cassandra-internode-tls", 7001), 1);
    cluster->gen.cassandra_tls = false;
    dc_plan_free(plan);
}

static void all_targets_from_here(void **state)
{
    (void)state;
    struct dc_plan *plan;
    uint32_t here;
    assert_int_equal(dc_cluster_add_here(cluster, "laptop", &here), 0);
    assert_int_equal(dc_plan_build_from(cluster, profile, here, true, NULL, &plan), 0);
    /* 8 per DMA (4222 twice: nats, nats-messaging), 3 to db1, 5 to db2, ICMP echo to all 5 */
    assert_int_equal(plan->ntasks, 37);
    assert_int_equal(count(plan, "laptop", "db1", "cql", 19042), 1);
    assert_int_equal(count(plan, "laptop", "laptop", NULL, 0), 0);
    dc_plan_free(plan);
    /* the pseudo node never appears in a full matrix */
    assert_int_equal(dc_plan_build(cluster, profile, NULL, &plan), 0);
    assert_int_equal(plan->ntasks, 82);
    dc_plan_free(plan);
}

static void row_and_filters(void **state)
{
    (void)state;
    struct dc_plan *plan;
    assert_int_equal(dc_plan_build_from(cluster, profile, 2, false, NULL, &plan), 0);
    assert_int_equal(plan->ntasks, 24);
    dc_plan_free(plan);
    const char *checks[] = {"telnet", NULL};
    const char *to[] = {"dma1", NULL};
    struct dc_plan_filter filter = {.checks = checks, .to = to};
    assert_int_equal(dc_plan_build(cluster, profile, &filter, &plan), 0);
    assert_int_equal(plan->ntasks, 4);
    assert_int_equal(count(plan, NULL, "dma1", "telnet", 23), 4);
    dc_plan_free(plan);
}

/* What an agent accepts: any port a check could probe there under some generation (its own,
 * a Redirect's, port maps), never another port, node or pair. */
static void possible_ports(void **state)
{
    (void)state;
    const struct dc_check *grpc = &profile->checks[dc_profile_find(profile, "slnet-grpc")];
    const struct dc_check *remoting = &profile->checks[dc_profile_find(profile, "slnet-remoting")];
    const struct dc_check *cql = &profile->checks[dc_profile_find(profile, "cql")];
    struct dc_node *dma1 = &cluster->nodes[0], *dma2 = &cluster->nodes[1];
    struct dc_node *dma3 = &cluster->nodes[2], *db1 = &cluster->nodes[3];
    assert_true(dc_plan_port_possible(cluster, grpc, dma1, dma2, 8443)); /* the Redirect's */
    assert_true(dc_plan_port_possible(cluster, grpc, dma1, dma3, 443));  /* gRPC elsewhere too */
    assert_true(dc_plan_port_possible(cluster, remoting, dma1, dma3, 8004));
    assert_false(dc_plan_port_possible(cluster, remoting, dma1, dma3, 22));   /* no such port */
    assert_false(dc_plan_port_possible(cluster, remoting, dma1, dma1, 8004)); /* not to itself */
    assert_true(dc_plan_port_possible(cluster, cql, dma1, db1, 19042));       /* the port map */
    assert_false(dc_plan_port_possible(cluster, cql, dma1, db1, 9042));
    assert_false(dc_plan_port_possible(cluster, cql, dma1, dma2, 9042)); /* dma2 is no Cassandra */
    /* the Redirect's port is the link's alone: no Telnet, HTTP or NATS check may be sent there */
    const char *others[] = {"telnet", "http", "nats-client", NULL};
    for (const char **name = others; *name; name++) {
        long c = dc_profile_find(profile, *name);
        assert_true(c >= 0);
        assert_false(dc_plan_port_possible(cluster, &profile->checks[c], dma1, dma2, 8443));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_matrix),     cmocka_unit_test(cassandra_tls_switches_ports),
        cmocka_unit_test(row_and_filters), cmocka_unit_test(all_targets_from_here),
        cmocka_unit_test(possible_ports),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
