/* The DataMiner folder's readers on the variants real folders come in: names in another case,
 * a UTF-8 BOM, UTF-16 with a BOM, CRLF line ends, missing files (normal), and broken XML or
 * JSON (an error naming the file and the line). Each case writes its folder afresh. */
#include "test_util.h"

#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"

#include "base/os.h"

#include <stdlib.h>

/* The cases' folders, under the working folder (the build's, on Linux and under Wine):
 * made and removed through the OS layer and libuv, so the test runs on Windows too. */
static char root[64];

static void make_dir(const char *dir)
{
    char why[128];
    if (dci_os_mkdir_private(dir, why, sizeof why) != 0)
        fail_msg("%s: %s", dir, why);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "dmsconn-dmdir.%ld", (long)uv_os_getpid());
    make_dir(root);
    return 0;
}

/* Removes a folder and what is in it (the cases' folders nest two deep). */
static int remove_tree(const char *dir)
{
    uv_fs_t req;
    uv_dirent_t entry;
    int rc = uv_fs_scandir(NULL, &req, dir, 0, NULL);
    while (rc >= 0 && uv_fs_scandir_next(&req, &entry) != UV_EOF) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, entry.name);
        uv_fs_t op;
        if (entry.type == UV_DIRENT_DIR) {
            rc = remove_tree(path);
        } else {
            rc = uv_fs_unlink(NULL, &op, path, NULL);
            uv_fs_req_cleanup(&op);
        }
    }
    uv_fs_req_cleanup(&req);
    if (rc < 0)
        return -1;
    uv_fs_t op;
    rc = uv_fs_rmdir(NULL, &op, dir, NULL);
    uv_fs_req_cleanup(&op);
    return rc < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    return remove_tree(root);
}

/* A fresh folder for one case. */
static const char *folder(const char *name)
{
    static char dir[128];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    make_dir(dir);
    return dir;
}

static void put(const char *dir, const char *rel, const void *bytes, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    make_dir(path);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

static void put_text(const char *dir, const char *rel, const char *text)
{
    put(dir, rel, text, strlen(text));
}

/* ASCII text as UTF-16 little endian with a BOM, as Windows tools save it. */
static void put_utf16(const char *dir, const char *rel, const char *text)
{
    size_t n = strlen(text);
    unsigned char *buf = malloc(2 * n + 2);
    buf[0] = 0xFF;
    buf[1] = 0xFE;
    for (size_t i = 0; i < n; i++) {
        buf[2 + 2 * i] = (unsigned char)text[i];
        buf[3 + 2 * i] = 0;
    }
    put(dir, rel, buf, 2 * n + 2);
    free(buf);
}

static const char endpoints[] =
    "{\r\n  \"endpoints\": [\r\n"
    "    {\"ip\": \"192.0.2.11\", \"ignitionValue\": \"c2FtcGxlLWlnbml0aW9u\"},\r\n"
    "    {\"IP\": \"192.0.2.12\", \"AdditionalEndpoints\": [\"192.0.2.100\"]},\r\n"
    "    {\"IP\": \"192.0.2.13\", \"AdditionalEndpoints\": [\"192.0.2.100\"]}\r\n  ]\r\n}\r\n";

static const char maintenance_utf16[] =
    "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n"
    "<MaintenanceSettings xmlns=\"http://www.skyline.be/config/maintenancesettings\">\r\n"
    "  <SLNET><enableDotNetRemoting>False</enableDotNetRemoting></SLNET>\r\n"
    "</MaintenanceSettings>\r\n";

static const char db_crlf[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
    "<DataBases xmlns=\"http://www.skyline.be/config/db\">\r\n"
    "  <DataBase active=\"TRUE\" local=\"true\" type=\"cassandracluster\">\r\n"
    "    <DBServer>192.0.2.21:9142</DBServer>\r\n"
    "    <TLSEnabled>True</TLSEnabled>\r\n"
    "  </DataBase>\r\n"
    "  <DataBase active=\"true\" search=\"true\" type=\"ElasticSearch\">\r\n"
    "    <DBServer>http://192.0.2.31</DBServer>\r\n"
    "  </DataBase>\r\n"
    "</DataBases>\r\n";

static struct dc_cluster *read_dir(const char *dir, int want_rc, struct dc_diag *diag)
{
    struct dc_cluster *c = NULL;
    assert_int_equal(dc_cluster_new(&c), 0);
    int rc = dc_inventory_read_dataminer_dir(c, dir, diag);
    if ((rc == 0) != (want_rc == 0))
        fail_msg("%s: rc %d (%s)", dir, rc, diag->msg);
    if (rc == 0)
        assert_int_equal(dc_cluster_finish(c, true), 0);
    return c;
}

static const struct dc_node *node(const struct dc_cluster *c, const char *name)
{
    long i = dc_cluster_find(c, name);
    if (i < 0)
        fail_msg("no node %s", name);
    return &c->nodes[i];
}

/* VerifyGRPCConnection's configuration findings (DataMiner's docs:
 * KI_Upgrade_fails_VerifyGRPCConnection_prerequisite): every Redirect form it refuses and the
 * two it accepts, a Remoting port other than 8004, and ConnectionSettings.txt with polling, a
 * server port and different settings per range, saved as Windows does (UTF-16, CRLF). */
static const char dms_redirects[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<DMS xmlns=\"http://www.skyline.be/config/dms\">\n"
    "  <DMA ip=\"10.0.0.21\"/><DMA ip=\"10.0.0.22\"/><DMA ip=\"10.0.0.23\"/>\n"
    "  <DMA ip=\"10.0.0.24\"/><DMA ip=\"10.11.0.25\"/>\n"
    "  <Redirects>\n"
    "    <Redirect to=\"10.0.0.21\" via=\"\" user=\"dataminer\" pwd=\"abc123\"/>\n"
    "    <Redirect to=\"10.0.0.22\" via=\"https://10.0.0.22:443/APIGateway\"/>\n"
    "    <Redirect to=\"10.0.0.23\" via=\"http://10.0.0.23:8004/SLNetService\"/>\n"
    "    <Redirect to=\"10.0.0.24\" via=\"auto://nodetect/\"/>\n"
    "  </Redirects>\n"
    "</DMS>\n";

static const char slnet_config_8005[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration><system.runtime.remoting>"
    "<application><channels>\n"
    "<channel ref=\"http\" name=\"SLNetRemoting\" port=\"8005\" timeout=\"300000\"/>\n"
    "</channels></application></system.runtime.remoting></configuration>\n";

static const char connection_settings[] =
    "# clients in the lab poll\r\n"
    "10.0.0.22 type=RemotingConnection;polling=1000;zip=true\r\n"
    "10.11.*;168.* type=GRPCConnection;serverport=1234\r\n"
    "\r\n"
    "10.0.0.1-10.0.0.99;10.0.0.x type=GRPCConnection;colour=blue\r\n"
    "* TYPE=GRPCConnection\r\n";

static void upgrade_readiness(void **state)
{
    (void)state;
    const char *dir = folder("upgrade");
    put_text(dir, "DMS.xml", dms_redirects);
    put_text(dir, "Files/SLNet.exe.config", slnet_config_8005);
    put_utf16(dir, "WebPages/ConnectionSettings.txt", connection_settings);
    struct dc_diag diag = {{0}};
    struct dc_cluster *c = read_dir(dir, 0, &diag);
    assert_true(c->upgrade_known);
    assert_int_equal(c->nupgrade, 6);
    /* DMS.xml: the SLNetService and auto:// Redirects, in DataMiner's words */
    assert_int_equal(c->upgrade[0].line, 8);
    assert_string_equal(c->upgrade[0].finding,
                        "http://10.0.0.23:8004/SLNetService is not of format "
                        "'https://*/APIGateway'");
    assert_int_equal(c->upgrade[1].line, 9);
    assert_contains(c->upgrade[1].finding, "auto://nodetect/ is not of format");
    assert_contains(c->upgrade[0].file, "DMS.xml");
    /* SLNet.exe.config */
    assert_int_equal(c->upgrade[2].line, 3);
    assert_string_equal(c->upgrade[2].finding,
                        "SLNet.exe.config .NET Remoting port should be 8004 but was 8005");
    /* ConnectionSettings.txt: polling on line 2 (the first match for 10.0.0.22 only: the
     * line of 10.0.0.1-99 comes later), a server port on line 3, other settings per range */
    static const char sentence[] = "ConnectionSettings.txt was changed, only default config is "
                                   "allowed without MaintenanceSetting flag (";
    assert_int_equal(c->upgrade[3].line, 2);
    assert_contains(c->upgrade[3].finding, sentence);
    assert_contains(c->upgrade[3].finding,
                    "polling=1000: polling configured; the first match for 10.0.0.22)");
    assert_int_equal(c->upgrade[4].line, 3);
    assert_contains(c->upgrade[4].finding,
                    "serverport=1234: a server port other than 8004; the first match for "
                    "10.11.0.25)");
    assert_int_equal(c->upgrade[5].line, 3);
    assert_contains(c->upgrade[5].finding, "different settings for different IP ranges");
    /* what DataMiner would not read is said, not fatal; each finding is a note too */
    bool bad_range = false, bad_option = false;
    size_t upgrade_notes = 0;
    for (size_t i = 0; i < c->nnotes; i++) {
        bad_range = bad_range || strstr(c->notes[i], ":5: range '10.0.0.x' is not *");
        bad_option = bad_option || strstr(c->notes[i], ":5: option 'colour=blue' is none of");
        upgrade_notes += strstr(c->notes[i], "VerifyGRPCConnection") != NULL;
    }
    assert_true(bad_range);
    assert_true(bad_option);
    assert_int_equal(upgrade_notes, 6);
    dc_cluster_free(c);

    /* the default: `* type=GRPCConnection` alone, or no file, and DataMiner's 10.6 folder */
    dir = folder("upgrade-default");
    put_text(dir, "DMS.xml", "<DMS><DMA ip=\"10.0.0.21\"/><DMA ip=\"10.0.0.22\"/></DMS>");
    put_text(dir, "Webpages/ConnectionSettings.txt", "# default\n* type=GRPCConnection\n");
    c = read_dir(dir, 0, &diag);
    assert_true(c->upgrade_known);
    assert_int_equal(c->nupgrade, 0);
    dc_cluster_free(c);
    c = read_dir(DATA("dataminer/current-10.6"), 0, &diag);
    assert_true(c->upgrade_known);
    assert_int_equal(c->nupgrade, 0);
    dc_cluster_free(c);
}

static void case_bom_utf16_crlf(void **state)
{
    (void)state;
    const char *dir = folder("variants");
    /* file and folder names in another case than DataMiner's; a UTF-8 BOM on the JSON */
    char bom[sizeof endpoints + 3] = "\xEF\xBB\xBF";
    memcpy(bom + 3, endpoints, sizeof endpoints);
    put(dir, "configurations/CLUSTERENDPOINTS.JSON", bom, strlen(bom));
    put_utf16(dir, "maintenancesettings.xml", maintenance_utf16);
    put_text(dir, "db.XML", db_crlf);
    struct dc_diag diag = {{0}};
    struct dc_cluster *c = read_dir(dir, 0, &diag);
    assert_int_equal(c->nnodes, 6); /* 3 DMAs, a VIP, a Cassandra and a search node */
    assert_true(node(c, "192.0.2.100")->roles & DC_ROLE_FAILOVER_VIP);
    assert_int_equal(node(c, "192.0.2.12")->failover, node(c, "192.0.2.13")->failover);
    assert_int_equal(node(c, "192.0.2.11")->failover, 0);
    assert_true(c->gen.broker_gateway && c->gen.remoting_disabled && c->gen.cassandra_tls);
    assert_int_equal(c->gen.cassandra, DC_CASSANDRA_CLUSTER);
    /* gRPC for every DMA; the Cassandra port in DBServer is ignored (DataMiner uses 9042) */
    assert_int_equal(node(c, "192.0.2.11")->link, DC_LINK_GRPC);
    assert_int_equal(node(c, "192.0.2.100")->link, DC_LINK_GRPC);
    assert_int_equal(dc_node_port(node(c, "192.0.2.21"), 9042), 9042);
    /* a search URL without a port is its scheme's port */
    assert_int_equal(dc_node_port(node(c, "192.0.2.31"), 9200), 80);
    assert_false(node(c, "192.0.2.31")->search_tls);
    bool ignored = false, read = false;
    for (size_t i = 0; i < c->nnotes; i++) {
        ignored |= strstr(c->notes[i], "names port 9142; DataMiner ignores it") != NULL;
        /* the note names the files as DataMiner does, whatever case the copy has */
        read |= strstr(c->notes[i], ": Configurations/ClusterEndpoints.json, "
                                    "MaintenanceSettings.xml, DB.xml") != NULL;
        assert_null(strstr(c->notes[i], "c2FtcGxlLWlnbml0aW9u")); /* the ignition value */
    }
    assert_true(ignored && read);
    dc_cluster_free(c);
}

static void missing_files_are_normal(void **state)
{
    (void)state;
    const char *dir = folder("only-dms");
    put_text(dir, "DMS.xml",
             "<DMS><DMA ip=\"192.0.2.11\"/><DMA ip=\"192.0.2.12\"/><DMA ip=\"192.0.2.11\"/></DMS>");
    struct dc_diag diag = {{0}};
    struct dc_cluster *c = read_dir(dir, 0, &diag);
    assert_int_equal(c->nnodes, 2);
    bool twice = false, read = false;
    for (size_t i = 0; i < c->nnotes; i++) {
        twice |= strstr(c->notes[i], "DMA 192.0.2.11 is listed twice") != NULL;
        read |= strstr(c->notes[i], ": DMS.xml") != NULL && !strstr(c->notes[i], "DB.xml");
    }
    assert_true(twice && read);
    assert_false(c->gen.broker_gateway || c->gen.remoting_disabled);
    dc_cluster_free(c);
}

struct broken {
    const char *rel;
    const char *text;
    const char *where; /* "file:line" the message must name */
    const char *what;
};

static void broken_files_name_file_and_line(void **state)
{
    (void)state;
    static const struct broken cases[] = {
        {"DB.xml", "<DataBases>\n<DataBase type=\"CassandraCluster\">\n<DBServer>x</DBServer>\n",
         "DB.xml:4", "expected well-formed XML"},
        {"Configurations/ClusterEndpoints.json",
         "{\n \"Endpoints\": [\n {\"IP\": \"192.0.2.1\"}\n {", "ClusterEndpoints.json:4",
         "not valid JSON"},
        {"Configurations/ClusterEndpoints.json", "{\"Endpoints\": []}", "ClusterEndpoints.json",
         "is empty"},
        {"MaintenanceSettings.xml",
         "<MaintenanceSettings>\n<SLNet>\n<EnableDotNetRemoting>maybe</EnableDotNetRemoting>\n"
         "</SLNet></MaintenanceSettings>",
         "MaintenanceSettings.xml:3", "expected true or false"},
        {"Files/SLNet.exe.config",
         "<configuration>\n<channel name=\"SLNetRemoting\" port=\"80x\"/></configuration>",
         "SLNet.exe.config:2", "expected a port"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "broken-%zu", i);
        const char *dir = folder(name);
        put_text(dir, "DMS.xml", "<DMS><DMA ip=\"192.0.2.1\"/></DMS>");
        put_text(dir, cases[i].rel, cases[i].text);
        struct dc_diag diag = {{0}};
        dc_cluster_free(read_dir(dir, -1, &diag));
        assert_contains(diag.msg, cases[i].where);
        assert_contains(diag.msg, cases[i].what);
    }
}

static void not_a_dataminer_folder(void **state)
{
    (void)state;
    struct dc_diag diag = {{0}};
    dc_cluster_free(read_dir(folder("empty"), -1, &diag));
    assert_contains(diag.msg, "neither Configurations/ClusterEndpoints.json nor DMS.xml");
    memset(&diag, 0, sizeof diag);
    dc_cluster_free(read_dir("/nonexistent/dmsconn", -1, &diag));
    assert_contains(diag.msg, "no such directory");
    /* UTF-16 without its BOM cannot be told from binary: say what to do */
    const char *dir = folder("utf16-no-bom");
    const char text[] = "{\0\"\0";
    put(dir, "Configurations/ClusterEndpoints.json", text, sizeof text - 1);
    memset(&diag, 0, sizeof diag);
    dc_cluster_free(read_dir(dir, -1, &diag));
    assert_contains(diag.msg, "UTF-16 without a byte order mark: save it as UTF-8");
    /* binary with a stray NUL as its second byte is no UTF-16 (random garbage said so
     * once in about 130 runs of the hostile-input test) */
    const char binary[] = "\x9c\0\x41\x8e\xd2\x13\x7f\x55\xaa\x01\x66\x23\xf0\x3c\x9d\x47";
    put(dir, "Configurations/ClusterEndpoints.json", binary, sizeof binary - 1);
    memset(&diag, 0, sizeof diag);
    dc_cluster_free(read_dir(dir, -1, &diag));
    assert_contains(diag.msg, "a NUL byte; expected text");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(case_bom_utf16_crlf),
        cmocka_unit_test(upgrade_readiness),
        cmocka_unit_test(missing_files_are_normal),
        cmocka_unit_test(broken_files_name_file_and_line),
        cmocka_unit_test(not_a_dataminer_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
