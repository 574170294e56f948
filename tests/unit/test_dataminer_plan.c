/* Each sample DataMiner folder (tests/data/dataminer/) gives exactly the plan written here by
 * hand: every task of the full matrix, none more, none fewer. The expectations follow
 * DataMiner's port table for that generation (docs/dataminer.md); what must be absent is said
 * beside each (no 9090 with BrokerGateway, no required 8004 when gRPC is the default, nothing
 * on 9142, no internode between per-DMA Cassandra DMAs). */
#include "test_util.h"

#include "base/os.h"

#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "dmsconn/plan.h"
#include "dmsconn/profile.h"
#include "dmsconn/report.h"

#include <stdlib.h>

#define MAX_TASKS 512

struct expectation {
    char *tasks[MAX_TASKS];
    size_t n;
};

static void want(struct expectation *e, const char *from, const char *to, const char *check,
                 unsigned port)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s > %s %s/%u", from, to, check, port);
    assert_true(e->n < MAX_TASKS);
    e->tasks[e->n++] = strdup(buf);
}

/* `checks` is "name/port name/port ...": the same for every ordered pair of distinct nodes. */
static void want_pairs(struct expectation *e, const char *const *from, const char *const *to,
                       const char *checks)
{
    for (const char *const *f = from; *f; f++) {
        for (const char *const *t = to; *t; t++) {
            if (strcmp(*f, *t) == 0)
                continue;
            char list[512];
            snprintf(list, sizeof list, "%s", checks);
            char *save = NULL;
            for (char *c = strtok_r(list, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                char *slash = strchr(c, '/');
                *slash = '\0';
                want(e, *f, *t, c, (unsigned)atoi(slash + 1));
            }
        }
    }
}

/* The paths of a database's nodes: every DMA to each as a client, each node's own check of
 * the DMAs' Telnet, and the nodes among themselves. */
static void want_database(struct expectation *e, const char *const *dmas, const char *const *nodes,
                          const char *clients, const char *peers)
{
    want_pairs(e, dmas, nodes, clients);
    want_pairs(e, dmas, nodes, "icmp/0"); /* ICMP echo from every Agent, as the BPA pings */
    want_pairs(e, nodes, dmas, "telnet/23");
    want_pairs(e, nodes, nodes, peers);
}

static void want_self(struct expectation *e, const char *const *nodes, const char *check,
                      unsigned port)
{
    for (const char *const *n = nodes; *n; n++)
        want(e, *n, *n, check, port);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct loaded {
    struct dc_cluster *cluster;
    struct dc_profile *profile;
    struct dc_plan *plan;
};

static void load(const char *dir, bool nats_creds, struct loaded *l)
{
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_cluster_new(&l->cluster), 0);
    int rc = dc_inventory_read_dataminer_dir(l->cluster, dir, &diag);
    if (rc)
        fail_msg("%s: %s", dir, diag.msg);
    l->cluster->gen.nats_credentials = nats_creds;
    assert_int_equal(dc_cluster_finish(l->cluster, true), 0);
    assert_int_equal(dc_profile_dataminer(&l->profile), 0);
    assert_int_equal(dc_plan_build(l->cluster, l->profile, NULL, &l->plan), 0);
}

static void unload(struct loaded *l)
{
    dc_plan_free(l->plan);
    dc_profile_free(l->profile);
    dc_cluster_free(l->cluster);
}

/* The plan as sorted texts, compared with the expectation one task at a time: the first
 * difference names the task that is missing or extra. */
static void assert_plan(const struct loaded *l, struct expectation *e)
{
    char **got = calloc(l->plan->ntasks + 1, sizeof *got);
    for (size_t i = 0; i < l->plan->ntasks; i++) {
        const struct dc_task *t = &l->plan->tasks[i];
        char buf[160];
        snprintf(buf, sizeof buf, "%s > %s %s/%u", l->cluster->nodes[t->from].name,
                 l->cluster->nodes[t->to].name, l->profile->checks[t->check].name, t->port);
        got[i] = strdup(buf);
    }
    qsort(got, l->plan->ntasks, sizeof *got, by_text);
    qsort(e->tasks, e->n, sizeof *e->tasks, by_text);
    size_t i = 0, j = 0;
    while (i < l->plan->ntasks || j < e->n) {
        int c = i == l->plan->ntasks ? 1 : j == e->n ? -1 : strcmp(got[i], e->tasks[j]);
        if (c < 0)
            fail_msg("planned but not expected: %s", got[i]);
        if (c > 0)
            fail_msg("expected but not planned: %s", e->tasks[j]);
        i++;
        j++;
    }
    for (size_t k = 0; k < l->plan->ntasks; k++)
        free(got[k]);
    free(got);
    for (size_t k = 0; k < e->n; k++)
        free(e->tasks[k]);
    e->n = 0;
}

static bool has_note(const struct dc_cluster *c, const char *text)
{
    for (size_t i = 0; i < c->nnotes; i++) {
        if (strstr(c->notes[i], text))
            return true;
    }
    return false;
}

static void current_10_6(void **state)
{
    (void)state;
    static const char *const dmas[] = {"10.40.1.11", "10.40.1.12", "10.40.1.13", "10.40.1.14",
                                       NULL};
    static const char *const outside_pair[] = {"10.40.1.11", "10.40.1.12", NULL};
    static const char *const vip[] = {"10.40.1.100", NULL};
    static const char *const cass[] = {"10.40.2.21", "10.40.2.22", "10.40.2.23", NULL};
    static const char *const search[] = {"10.40.3.31", "10.40.3.32", NULL};
    struct loaded l;
    struct expectation e = {0};
    load(DATA("dataminer/current-10.6"), false, &l);
    /* gRPC over 443 for every pair, 8004 should be closed (a warning if it answers, never a
     * requirement), BrokerGateway's API on 443, NATS client and routes; no 9090 (no Account
     * Server with BrokerGateway), no nats-messaging (BrokerGateway's NATS wants credentials) */
    want_pairs(&e, dmas, dmas,
               "slnet-grpc/443 slnet-remoting-off/8004 http/80 nats-client/4222 "
               "nats-cluster/6222 brokergateway/443 nats-monitoring/8222 telnet/23");
    want_self(&e, dmas, "cloudgateway-local", 5100);
    /* the other DMAs reach the Failover pair on its VIP; the buddies each other directly */
    want_pairs(&e, outside_pair, vip, "slnet-grpc/443");
    /* CQL over TLS on 9042 (never 9142), internode over TLS on 7001 (never 7000) */
    want_database(&e, dmas, cass, "cql-tls/9042",
                  "cassandra-internode-tls/7001 cassandra-jmx/7199");
    /* OpenSearch over HTTPS, as its DBServer URLs say */
    want_database(&e, dmas, search, "opensearch-https/9200", "opensearch-transport/9300");
    want_pairs(&e, dmas, dmas, "icmp/0"); /* and between the Agents */
    assert_plan(&l, &e);
    assert_true(l.cluster->gen.broker_gateway && l.cluster->gen.remoting_disabled);
    assert_string_equal(l.cluster->gen.https_name, "dma11.lyra.example");
    assert_true(has_note(l.cluster, "MaintenanceSettings.xml:5: EnableDotNetRemoting false"));
    assert_true(has_note(l.cluster, "BrokerGateway (Configurations/ClusterEndpoints.json"));
    assert_true(has_note(l.cluster, "nats-messaging not checked"));
    unload(&l);
    /* with credentials, NATS messaging is checked between every pair */
    load(DATA("dataminer/current-10.6"), true, &l);
    size_t messaging = 0;
    for (size_t i = 0; i < l.plan->ntasks; i++)
        messaging += strcmp(l.profile->checks[l.plan->tasks[i].check].name, "nats-messaging") == 0;
    assert_int_equal(messaging, 12);
    unload(&l);
}

static void legacy_10_3(void **state)
{
    (void)state;
    static const char *const remoting_dmas[] = {"10.30.1.11", "10.30.1.12", NULL};
    static const char *const grpc_dma[] = {"10.30.1.13", NULL};
    static const char *const dmas[] = {"10.30.1.11", "10.30.1.12", "10.30.1.13", NULL};
    static const char *const cass[] = {"10.30.2.21", "10.30.2.22", NULL};
    static const char *const search[] = {"10.30.3.31", "10.30.3.32", NULL};
    struct loaded l;
    struct expectation e = {0};
    load(DATA("dataminer/legacy-10.3"), false, &l);
    /* Remoting on 8004, legacy NATS with the Account Server on 9090; SLCloud.xml names a
     * credentials file, so no messaging check without --nats-creds */
    const char *nats = "http/80 nats-client/4222 nats-cluster/6222 nats-account/9090 "
                       "nats-monitoring/8222 telnet/23";
    char remoting[256], grpc[256];
    snprintf(remoting, sizeof remoting, "slnet-remoting/8004 %s", nats);
    /* the Redirect via http://10.30.1.13/APIGateway: gRPC over plain HTTP on 80, not TLS */
    snprintf(grpc, sizeof grpc, "slnet-grpc-http/80 %s", nats);
    want_pairs(&e, dmas, remoting_dmas, remoting);
    want_pairs(&e, dmas, grpc_dma, grpc);
    want_self(&e, dmas, "cloudgateway-local", 5100);
    want_database(&e, dmas, cass, "cql/9042", "cassandra-internode/7000 cassandra-jmx/7199");
    want_database(&e, dmas, search, "opensearch-http/9200", "opensearch-transport/9300");
    want_pairs(&e, dmas, dmas, "icmp/0"); /* and between the Agents */
    assert_plan(&l, &e);
    assert_false(l.cluster->gen.broker_gateway || l.cluster->gen.remoting_disabled);
    assert_true(has_note(l.cluster, "legacy NATS with the NATS Account Server"));
    unload(&l);
}

static void per_dma_cassandra(void **state)
{
    (void)state;
    static const char *const dmas[] = {"10.50.1.11", "10.50.1.12", "10.50.1.13", NULL};
    struct loaded l;
    struct expectation e = {0};
    load(DATA("dataminer/per-dma-cassandra"), false, &l);
    /* no SLCloud.xml or ClusterEndpoints.json: nothing says NATS wants credentials */
    want_pairs(&e, dmas, dmas,
               "slnet-remoting/8004 http/80 nats-client/4222 nats-cluster/6222 "
               "nats-messaging/4222 nats-account/9090 nats-monitoring/8222 telnet/23");
    want_self(&e, dmas, "cloudgateway-local", 5100);
    /* each DMA its own Cassandra and search node; no internode, JMX or transport path
     * between DMAs (they are no Failover pair) */
    want_self(&e, dmas, "cql", 9042);
    want_self(&e, dmas, "opensearch-http", 9200);
    want_pairs(&e, dmas, dmas, "icmp/0"); /* and between the Agents */
    assert_plan(&l, &e);
    assert_int_equal(l.cluster->gen.cassandra, DC_CASSANDRA_PER_DMA);
    unload(&l);
}

static void staas(void **state)
{
    (void)state;
    static const char *const dmas[] = {"10.60.1.11", "10.60.1.12", NULL};
    static const char *const proxy[] = {"proxy.cetus.example", NULL};
    struct loaded l;
    struct expectation e = {0};
    load(DATA("dataminer/staas"), false, &l);
    /* two DMAs: no NATS routes (6222) needed; no database nodes at all */
    want_pairs(&e, dmas, dmas,
               "slnet-remoting/8004 http/80 nats-client/4222 nats-messaging/4222 "
               "nats-account/9090 nats-monitoring/8222 telnet/23");
    /* connected to dataminer.services: CloudGateway is required on each DMA */
    want_self(&e, dmas, "cloudgateway-dma", 5100);
    /* the proxy DB.xml names, on its port; the proxy sends nothing of its own */
    want_pairs(&e, dmas, proxy, "staas-proxy/3128");
    want_pairs(&e, dmas, dmas, "icmp/0"); /* and between the Agents */
    assert_plan(&l, &e);
    assert_true(l.cluster->gen.staas && l.cluster->gen.staas_proxy);
    unload(&l);
}

static void orion_hostname_and_redirect(void **state)
{
    (void)state;
    static const char *const dmas[] = {"10.20.1.11", "10.20.1.12", "dma-ams-03.orion.example",
                                       NULL};
    static const char *const remoting[] = {"10.20.1.11", "dma-ams-03.orion.example", NULL};
    static const char *const grpc[] = {"10.20.1.12", NULL};
    static const char *const cass[] = {"10.20.2.21", "10.20.2.22", "10.20.2.23", NULL};
    static const char *const search[] = {"10.20.3.31", "10.20.3.32", "10.20.3.33", NULL};
    struct loaded l;
    struct expectation e = {0};
    load(DATA("dataminer/orion"), false, &l);
    const char *rest = "http/80 nats-client/4222 nats-cluster/6222 nats-messaging/4222 "
                       "nats-account/9090 nats-monitoring/8222 telnet/23";
    char r[256], g[256];
    snprintf(r, sizeof r, "slnet-remoting/8004 %s", rest);
    snprintf(g, sizeof g, "slnet-grpc/443 %s", rest);
    want_pairs(&e, dmas, remoting, r);
    want_pairs(&e, dmas, grpc, g);
    want_self(&e, dmas, "cloudgateway-local", 5100);
    want_database(&e, dmas, cass, "cql/9042", "cassandra-internode/7000 cassandra-jmx/7199");
    want_database(&e, dmas, search, "opensearch-http/9200", "opensearch-transport/9300");
    want_pairs(&e, dmas, dmas, "icmp/0"); /* and between the Agents */
    assert_plan(&l, &e);
    assert_true(has_note(l.cluster, "DMA dma-ams-03.orion.example is listed by hostname"));
    unload(&l);
}

/* An admin upgrading from 10.4: Remoting off (gRPC the default), and DMS.xml's Redirects
 * from before, one of each form. Each Redirect still decides its own pair (DataMiner reads
 * the via URL before the default), and only the DMAs without one get gRPC on 443. */
static void upgraded_10_6_with_redirects(void **state)
{
    (void)state;
    static const char *const dmas[] = {"10.45.1.11", "10.45.1.12", "10.45.1.13",
                                       "10.45.1.14", "10.45.1.15", NULL};
    static const char *const by_default[] = {"10.45.1.11", "10.45.1.15", NULL};
    static const char *const tls_4443[] = {"10.45.1.12", NULL};
    static const char *const plain[] = {"10.45.1.13", NULL};
    static const char *const remoting[] = {"10.45.1.14", NULL};
    static const char *const cass[] = {"10.45.2.21", "10.45.2.22", NULL};
    struct loaded l;
    struct expectation e = {0};
    load(DATA("dataminer/upgraded-10.6"), false, &l);
    const char *rest = "http/80 nats-client/4222 nats-cluster/6222 nats-messaging/4222 "
                       "nats-account/9090 nats-monitoring/8222 telnet/23";
    char line[256];
    /* no Redirect: gRPC over HTTPS 443, and Remoting's 8004 should be closed */
    snprintf(line, sizeof line, "slnet-grpc/443 slnet-remoting-off/8004 %s", rest);
    want_pairs(&e, dmas, by_default, line);
    /* via="https://10.45.1.12:4443/APIGateway": gRPC over TLS on the URL's port */
    snprintf(line, sizeof line, "slnet-grpc/4443 %s", rest);
    want_pairs(&e, dmas, tls_4443, line);
    /* via="http://10.45.1.13/APIGateway": gRPC over plain HTTP on 80, not 443 */
    snprintf(line, sizeof line, "slnet-grpc-http/80 %s", rest);
    want_pairs(&e, dmas, plain, line);
    /* via="http://10.45.1.14:8004/SLNetService": .NET Remoting for that pair, required */
    snprintf(line, sizeof line, "slnet-remoting/8004 %s", rest);
    want_pairs(&e, dmas, remoting, line);
    want_self(&e, dmas, "cloudgateway-local", 5100);
    want_database(&e, dmas, cass, "cql-tls/9042",
                  "cassandra-internode-tls/7001 cassandra-jmx/7199");
    want_pairs(&e, dmas, dmas, "icmp/0"); /* and between the Agents */
    assert_plan(&l, &e);
    assert_true(l.cluster->gen.remoting_disabled);
    assert_true(has_note(l.cluster, "MaintenanceSettings.xml:4: EnableDotNetRemoting false"));
    assert_true(has_note(l.cluster, "Redirects make some pairs plain HTTP"));
    unload(&l);
}

/* Failed gRPC paths in the BPA's words: one line per Agent, the Failover buddy apart. */
static void bpa_wording(void **state)
{
    (void)state;
    struct loaded l;
    load(DATA("dataminer/current-10.6"), false, &l);
    struct dc_result *results = calloc(l.plan->ntasks, sizeof *results);
    for (size_t i = 0; i < l.plan->ntasks; i++) {
        const struct dc_task *t = &l.plan->tasks[i];
        const char *from = l.cluster->nodes[t->from].name, *to = l.cluster->nodes[t->to].name;
        bool grpc = strcmp(l.profile->checks[t->check].name, "slnet-grpc") == 0;
        bool cut = grpc && strcmp(from, "10.40.1.11") == 0 &&
                   (strcmp(to, "10.40.1.12") == 0 || strcmp(to, "10.40.1.100") == 0);
        bool buddy = grpc && strcmp(from, "10.40.1.13") == 0 && strcmp(to, "10.40.1.14") == 0;
        results[i].verdict = cut || buddy ? DC_VERDICT_FAIL : DC_VERDICT_PASS;
    }
    struct dc_report rep = {
        .cluster = l.cluster, .profile = l.profile, .plan = l.plan, .results = results};
    size_t len = 0;
    struct dci_memstream m;
    FILE *f = dci_memstream_open(&m);
    assert_non_null(f);
    dc_report_bpa(&rep, f);
    char *text = dci_memstream_close(&m, &len);
    assert_non_null(text);
    assert_contains(text, "  10.40.1.11: Unable to communicate with gRPC ports on these Agents: "
                          "10.40.1.12, 10.40.1.100\n");
    assert_contains(text, "  10.40.1.13: Connection port [443] of Failover buddy 10.40.1.14 is "
                          "not open\n");
    assert_null(strstr(text, "10.40.1.12: Unable"));
    free(text);
    /* nothing failed: nothing said */
    memset(results, 0, l.plan->ntasks * sizeof *results);
    f = dci_memstream_open(&m);
    assert_non_null(f);
    dc_report_bpa(&rep, f);
    text = dci_memstream_close(&m, &len);
    assert_int_equal(len, 0);
    free(text);
    free(results);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(current_10_6),
        cmocka_unit_test(legacy_10_3),
        cmocka_unit_test(per_dma_cassandra),
        cmocka_unit_test(staas),
        cmocka_unit_test(orion_hostname_and_redirect),
        cmocka_unit_test(upgraded_10_6_with_redirects),
        cmocka_unit_test(bpa_wording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
