/* The YAML inventory and --node flags: good input, merging, and every kind of bad input. */
#include "test_util.h"

#include "dmsconn/inventory.h"
#include "inputs/inputs_private.h"

static void lab_inventory(void **state)
{
    (void)state;
    struct dc_cluster *c;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_cluster_new(&c), 0);
    assert_int_equal(dc_inventory_read_yaml(c, DATA("inventory-lab.yaml"), &diag), 0);
    assert_string_equal(c->name, "lab");
    assert_int_equal(c->nnodes, 5);
    assert_string_equal(c->nodes[1].addresses[0], "2001:db8::12");
    assert_int_equal(c->nodes[2].roles, DC_ROLE_DMA); /* no roles: a DMA */
    assert_int_equal(c->nodes[3].roles, DC_ROLE_CASSANDRA | DC_ROLE_OPENSEARCH);
    assert_int_equal(dc_node_port(&c->nodes[3], 9042), 19042);
    assert_int_equal(dc_node_port(&c->nodes[3], 9200), 9200);
    assert_int_equal(c->nodes[4].naddresses, 2);
    assert_string_equal(c->nodes[4].addresses[1], "db2.lab.example");
    assert_int_equal(c->nodes[4].roles, DC_ROLE_CASSANDRA | DC_ROLE_OPENSEARCH);
    assert_string_equal(c->nodes[0].origin, DATA("inventory-lab.yaml") ":4");
    dc_cluster_free(c);
}

struct bad_file {
    const char *file;
    const char *expect1;
    const char *expect2;
};

static const struct bad_file bad[] = {
    {"inventory-bad-role.yaml", "inventory-bad-role.yaml:5", "unknown role 'mongodb'"},
    {"inventory-dup.yaml", "inventory-dup.yaml:5", "already defined with address 192.0.2.11"},
    {"inventory-bad-port.yaml", "inventory-bad-port.yaml:6", "expected a port number"},
    {"inventory-no-address.yaml", "inventory-no-address.yaml:3", "has no address"},
    {"inventory-malformed.yaml", "inventory-malformed.yaml:", "expected valid YAML"},
    {"inventory-typo.yaml", "inventory-typo.yaml:4", "unknown key 'adress'"},
    {"inventory-bad-address.yaml", "inventory-bad-address.yaml:4", "10.0.0.300"},
    {"dms-empty.xml", "dms-empty.xml", "empty"},
    {"dms-sample.xml", "dms-sample.xml:1", "expected a mapping"},
};

static void bad_inventories(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dc_cluster *c;
        struct dc_diag diag = {{0}};
        char path[512];
        snprintf(path, sizeof path, DC_TEST_DATA "/%s", bad[i].file);
        assert_int_equal(dc_cluster_new(&c), 0);
        if (dc_inventory_read_yaml(c, path, &diag) == 0)
            fail_msg("%s was accepted", bad[i].file);
        assert_contains(diag.msg, bad[i].expect1);
        assert_contains(diag.msg, bad[i].expect2);
        dc_cluster_free(c);
    }
}

static void node_flags(void **state)
{
    (void)state;
    struct dc_cluster *c;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_cluster_new(&c), 0);
    assert_int_equal(dc_inventory_add_flag(c, "dma1=192.0.2.1", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "db1=192.0.2.2:cassandra,opensearch", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "db6=[2001:db8::6]:cassandra", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "v6=2001:db8::7", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "h=host.example:nats", &diag), 0);
    assert_int_equal(c->nnodes, 5);
    assert_int_equal(c->nodes[0].roles, DC_ROLE_DMA);
    assert_int_equal(c->nodes[1].roles, DC_ROLE_CASSANDRA | DC_ROLE_OPENSEARCH);
    assert_string_equal(c->nodes[2].addresses[0], "2001:db8::6");
    assert_int_equal(c->nodes[2].roles, DC_ROLE_CASSANDRA);
    assert_string_equal(c->nodes[3].addresses[0], "2001:db8::7");
    assert_int_equal(c->nodes[4].roles, DC_ROLE_NATS);

    /* the same node again with more roles merges; another address is refused */
    assert_int_equal(dc_inventory_add_flag(c, "dma1=192.0.2.1:cassandra", &diag), 0);
    assert_int_equal(c->nodes[0].roles, DC_ROLE_DMA | DC_ROLE_CASSANDRA);
    assert_int_equal(dc_inventory_add_flag(c, "dma1=192.0.2.9", &diag), DC_EDUP);
    assert_contains(diag.msg, "already defined with address 192.0.2.1");
    dc_cluster_free(c);
}

static void bad_node_flags(void **state)
{
    (void)state;
    static const char *const specs[][2] = {
        {"dma1", "expected NAME=ADDRESS"},
        {"=192.0.2.1", "expected NAME=ADDRESS"},
        {"dma1=", "expected NAME=ADDRESS"},
        {"dma1=192.0.2.1:oracle", "unknown role 'oracle'"},
        {"dma1=bad_host!", "expected an IPv4 or IPv6 address or a hostname"},
        {"dma1=[2001:db8::1", "expected [IPv6]:roles"},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        struct dc_cluster *c;
        struct dc_diag diag = {{0}};
        assert_int_equal(dc_cluster_new(&c), 0);
        if (dc_inventory_add_flag(c, specs[i][0], &diag) == 0)
            fail_msg("--node %s was accepted", specs[i][0]);
        assert_contains(diag.msg, specs[i][1]);
        dc_cluster_free(c);
    }
}

/* DMS.xml names a DMA by its address; an inventory can give it a name: one node, not two. */
static void sources_merge_by_address(void **state)
{
    (void)state;
    struct dc_cluster *c;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_cluster_new(&c), 0);
    assert_int_equal(dc_inventory_read_dmsxml(c, DATA("dms-sample.xml"), &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "ams1=10.20.1.11", &diag), 0);
    assert_int_equal(c->nnodes, 3);
    assert_string_equal(c->nodes[0].name, "ams1");
    assert_int_equal(dc_inventory_add_flag(c, "other=10.20.1.11", &diag), DC_EDUP);
    assert_contains(diag.msg, "address 10.20.1.11 is given to node 'other'");
    dc_cluster_free(c);
}

static void address_syntax(void **state)
{
    (void)state;
    assert_true(dc_address_valid("10.0.0.1"));
    assert_true(dc_address_valid("fe80::1%eth0"));
    assert_true(dc_address_valid("db-1.example.net"));
    assert_true(dc_address_valid("localhost"));
    assert_false(dc_address_valid(""));
    assert_false(dc_address_valid("10.0.0.256"));
    assert_false(dc_address_valid("-bad.example"));
    assert_false(dc_address_valid("a..b"));
    assert_false(dc_address_valid("has space"));
}

/* The one port parser: digits only, 1-65535, whitespace around allowed, a length bound */
static void port_syntax(void **state)
{
    (void)state;
    uint16_t p = 0;
    assert_true(dc_port_parse("8004", DC_TO_NUL, &p));
    assert_int_equal(p, 8004);
    assert_true(dc_port_parse(" 443\n", DC_TO_NUL, &p));
    assert_int_equal(p, 443);
    assert_true(dc_port_parse("65535", DC_TO_NUL, &p));
    assert_true(dc_port_parse("4222/path", 4, &p)); /* the first 4 bytes only */
    assert_int_equal(p, 4222);
    p = 7;
    static const char *const not_ports[] = {"",    " ",   "0",   "65536", "99999", "123456", "-1",
                                            "+80", "80x", "8 0", "0x50",  "1e3",   NULL};
    for (size_t i = 0; not_ports[i]; i++) {
        if (dc_port_parse(not_ports[i], DC_TO_NUL, &p))
            fail_msg("'%s' read as a port", not_ports[i]);
    }
    assert_int_equal(p, 7); /* untouched on failure */
}

/* An agent's address is HOST:PORT or [IPv6]:PORT (the one host:port parser, address.c). */
static void agent_addresses(void **state)
{
    (void)state;
    static const struct {
        const char *agent;
        bool ok;
    } cases[] = {
        {"127.0.0.1:7500", true}, {"[::1]:7500", true}, {"dma1.example:7488", true},
        {"::1:7500", false},      {"127.0.0.1", false}, {"127.0.0.1:0", false},
        {"[::1]", false},         {":7500", false},     {"127.0.0.1:70000", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[256];
        int n =
            snprintf(yaml, sizeof yaml,
                     "nodes:\n  - {name: a, address: 127.0.0.1, agent: \"%s\"}\n", cases[i].agent);
        struct dc_cluster *c;
        struct dc_diag diag = {{0}};
        assert_int_equal(dc_cluster_new(&c), 0);
        int rc = dc_inventory_parse_yaml(c, yaml, (size_t)n, "inline.yaml", &diag);
        if ((rc == 0) != cases[i].ok)
            fail_msg("agent '%s': %s", cases[i].agent, rc ? diag.msg : "accepted");
        if (rc)
            assert_contains(diag.msg, "expected ADDRESS:PORT, [IPv6]:PORT or none");
        dc_cluster_free(c);
    }
}

/* A peer's socket address against the node list, as numbers: how an agent tells a node's
 * connection from a stranger's (agent_guard.c) and a machine finds its own node. */
static void node_at_address(void **state)
{
    (void)state;
    struct dc_cluster *c;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_cluster_new(&c), 0);
    assert_int_equal(dc_inventory_add_flag(c, "a=192.0.2.11", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "b=[2001:DB8:0::12]", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(c, "c=host.example", &diag), 0);
    struct sockaddr_in v4;
    struct sockaddr_in6 v6, mapped;
    assert_int_equal(uv_ip4_addr("192.0.2.11", 1, &v4), 0);
    assert_int_equal(dci_cluster_node_at(c, (const struct sockaddr *)&v4), 0);
    assert_int_equal(uv_ip6_addr("2001:db8::12", 1, &v6), 0); /* another spelling */
    assert_int_equal(dci_cluster_node_at(c, (const struct sockaddr *)&v6), 1);
    assert_int_equal(uv_ip6_addr("::ffff:192.0.2.11", 1, &mapped), 0); /* a dual-stack peer */
    assert_int_equal(dci_cluster_node_at(c, (const struct sockaddr *)&mapped), 0);
    assert_int_equal(uv_ip4_addr("192.0.2.99", 1, &v4), 0);
    assert_int_equal(dci_cluster_node_at(c, (const struct sockaddr *)&v4), -1);
    dc_cluster_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lab_inventory),
        cmocka_unit_test(bad_inventories),
        cmocka_unit_test(node_flags),
        cmocka_unit_test(bad_node_flags),
        cmocka_unit_test(sources_merge_by_address),
        cmocka_unit_test(address_syntax),
        cmocka_unit_test(port_syntax),
        cmocka_unit_test(agent_addresses),
        cmocka_unit_test(node_at_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
