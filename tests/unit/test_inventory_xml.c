/* DMS.xml and DB.xml readers: DataMiner's own samples, variants, and broken files. */
#include "test_util.h"

#include "dmsconn/inventory.h"

static struct dc_cluster *cluster;

static int setup(void **state)
{
    (void)state;
    return dc_cluster_new(&cluster);
}

static int teardown(void **state)
{
    (void)state;
    dc_cluster_free(cluster);
    cluster = NULL;
    return 0;
}

static const struct dc_node *node(const char *name)
{
    long i = dc_cluster_find(cluster, name);
    if (i < 0)
        fail_msg("no node %s", name);
    return &cluster->nodes[i];
}

static void dms_sample(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_inventory_read_dmsxml(cluster, DATA("dms-sample.xml"), &diag), 0);
    assert_string_equal(cluster->name, "orion");
    assert_int_equal(cluster->nnodes, 3);
    assert_int_equal(node("10.20.1.11")->roles, DC_ROLE_DMA);
    assert_int_equal(node("10.20.1.11")->link, DC_LINK_REMOTING);
    assert_int_equal(node("10.20.1.12")->link, DC_LINK_GRPC);
    assert_int_equal(node("10.20.1.12")->link_port, 443);
    assert_int_equal(node("dma-ams-03.orion.example")->link, DC_LINK_REMOTING);
}

static void dms_without_namespace_redirect_all(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_inventory_read_dmsxml(cluster, DATA("dms-nonamespace.xml"), &diag), 0);
    assert_null(cluster->name);
    assert_int_equal(cluster->nnodes, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cluster->nodes[i].link, DC_LINK_GRPC);
        assert_int_equal(cluster->nodes[i].link_port, 8443);
    }
}

static void dms_remoting_port_and_unknown_elements(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_inventory_read_dmsxml(cluster, DATA("dms-slnet-port.xml"), &diag), 0);
    assert_string_equal(cluster->name, "lab");
    assert_int_equal(cluster->nnodes, 3); /* the Failover element adds no node */
    assert_int_equal(node("192.0.2.21")->link, DC_LINK_REMOTING);
    assert_int_equal(node("192.0.2.21")->link_port, 8005);
    assert_int_equal(node("dma-c.lab.example")->link, DC_LINK_REMOTING);
    assert_int_equal(node("dma-c.lab.example")->link_port, 0);
    /* a DMA by hostname is noted (DataMiner says: by IP), a Redirect to an unknown DMA too,
     * neither is fatal; the SLNetService Redirect is what VerifyGRPCConnection refuses */
    assert_int_equal(cluster->nnotes, 3);
    assert_contains(cluster->notes[0], "dms-slnet-port.xml:7: DMA dma-c.lab.example is listed by "
                                       "hostname");
    assert_contains(cluster->notes[1], "dms-slnet-port.xml:10: VerifyGRPCConnection");
    assert_contains(cluster->notes[2], "192.0.2.99");
    assert_contains(cluster->notes[2], "dms-slnet-port.xml:12");
    assert_int_equal(cluster->nupgrade, 1);
    assert_int_equal(cluster->upgrade[0].line, 10);
    assert_string_equal(cluster->upgrade[0].finding, "http://192.0.2.21:8005/SLNetService is not "
                                                     "of format 'https://*/APIGateway'");
    assert_false(cluster->upgrade_known); /* DMS.xml alone: the other files were not read */
}

struct bad_file {
    const char *file;
    const char *expect1;
    const char *expect2;
};

static const struct bad_file bad_dms[] = {
    {"dms-malformed.xml", "dms-malformed.xml:5", "Premature end of data in tag DMS"},
    {"dms-empty.xml", "dms-empty.xml", "empty"},
    {"dms-xxe.xml", "dms-xxe.xml:4", "external entity"},
    {"dms-billion-laughs.xml", "dms-billion-laughs.xml:11", "entity reference loop"},
    {"dms-internal-entity.xml", "dms-internal-entity.xml", "declares entities"},
    {"dms-no-dma.xml", "dms-no-dma.xml", "expected at least one DMA"},
    {"dms-dma-no-ip.xml", "dms-dma-no-ip.xml:4", "without an 'ip' attribute"},
    {"dms-bad-via.xml", "dms-bad-via.xml:5", "ftp://"},
    {"dms-wrong-root.xml", "dms-wrong-root.xml:2", "expected <DMS>"},
    {"does-not-exist.xml", "does-not-exist.xml", "cannot open"},
};

static void dms_bad_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_dms / sizeof bad_dms[0]; i++) {
        struct dc_cluster *c;
        struct dc_diag diag = {{0}};
        char path[512];
        snprintf(path, sizeof path, DC_TEST_DATA "/%s", bad_dms[i].file);
        assert_int_equal(dc_cluster_new(&c), 0);
        int rc = dc_inventory_read_dmsxml(c, path, &diag);
        if (rc == 0)
            fail_msg("%s was accepted", bad_dms[i].file);
        assert_contains(diag.msg, bad_dms[i].expect1);
        assert_contains(diag.msg, bad_dms[i].expect2);
        dc_cluster_free(c);
    }
}

static void db_sample_merges_and_notes(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_inventory_read_dbxml(cluster, DATA("db-sample.xml"), &diag), 0);
    assert_int_equal(cluster->nnodes, 6);
    assert_int_equal(node("10.20.2.21")->roles, DC_ROLE_CASSANDRA);
    assert_int_equal(node("10.20.3.31")->roles, DC_ROLE_OPENSEARCH);
    assert_int_equal(node("10.20.3.31")->nports, 0); /* :9200 is the default */
    assert_false(cluster->gen.cassandra_tls);
    /* the inactive MySQL offload database is neither a node nor a note; no secret leaks */
    assert_int_equal(cluster->nnotes, 0);
}

static void db_localhost_means_every_dma(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_inventory_read_dmsxml(cluster, DATA("dms-sample.xml"), &diag), 0);
    assert_int_equal(dc_inventory_read_dbxml(cluster, DATA("db-localhost-tls.xml"), &diag), 0);
    assert_true(cluster->gen.cassandra_tls);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(cluster->nodes[i].roles, DC_ROLE_DMA | DC_ROLE_CASSANDRA);
    assert_int_equal(node("fd00::5")->roles, DC_ROLE_OPENSEARCH);
    assert_int_equal(dc_node_port(node("fd00::5"), 9200), 9201);
    assert_int_equal(node("es2.lab.example")->roles, DC_ROLE_OPENSEARCH);
    assert_int_equal(cluster->nnodes, 5);
}

static const struct bad_file bad_db[] = {
    {"db-no-server.xml", "db-no-server.xml:3", "no <DBServer>"},
    {"db-localhost-only.xml", "db-localhost-only.xml:3", "expected DMS.xml"},
    {"db-bad-port.xml", "db-bad-port.xml:3", "192.0.2.50:99999"},
    {"dms-sample.xml", "dms-sample.xml:2", "expected <DataBases>"},
};

static void db_bad_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_db / sizeof bad_db[0]; i++) {
        struct dc_cluster *c;
        struct dc_diag diag = {{0}};
        char path[512];
        snprintf(path, sizeof path, DC_TEST_DATA "/%s", bad_db[i].file);
        assert_int_equal(dc_cluster_new(&c), 0);
        if (dc_inventory_read_dbxml(c, path, &diag) == 0)
            fail_msg("%s was accepted", bad_db[i].file);
        assert_contains(diag.msg, bad_db[i].expect1);
        assert_contains(diag.msg, bad_db[i].expect2);
        dc_cluster_free(c);
    }
}

/* DataMiner's passwords are in these files: no message or note may carry them. */
static void secrets_stay_out_of_messages(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_inventory_read_dmsxml(cluster, DATA("dms-slnet-port.xml"), &diag), 0);
    assert_int_equal(dc_inventory_read_dbxml(cluster, DATA("db-localhost-tls.xml"), &diag), 0);
    for (size_t i = 0; i < cluster->nnotes; i++) {
        assert_null(strstr(cluster->notes[i], "secret-"));
        assert_null(strstr(cluster->notes[i], "pwd"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dms_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(dms_without_namespace_redirect_all, setup, teardown),
        cmocka_unit_test_setup_teardown(dms_remoting_port_and_unknown_elements, setup, teardown),
        cmocka_unit_test(dms_bad_files),
        cmocka_unit_test_setup_teardown(db_sample_merges_and_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(db_localhost_means_every_dma, setup, teardown),
        cmocka_unit_test(db_bad_files),
        cmocka_unit_test_setup_teardown(secrets_stay_out_of_messages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
