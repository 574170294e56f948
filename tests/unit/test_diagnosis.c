/* The diagnosis on hand-built matrices: each kind of cause from the evidence it needs, faults
 * that overlap (a cell two causes explain goes to the first rule's), a single row, rows that
 * were not measured; and in every case, each failed or warned cell explained exactly once. */
#include "test_util.h"

#include "dmsconn/cert.h"
#include "dmsconn/cluster.h"
#include "dmsconn/diagnosis.h"
#include "dmsconn/inventory.h"
#include "dmsconn/plan.h"
#include "dmsconn/profile.h"
#include "dmsconn/texts.h"
#include "dmsconn/verdict.h"

#include <stdlib.h>
#include <time.h>

/* Four checks between every two nodes: three required ports and one that must be closed. */
static const char profile_yaml[] =
    "name: diag\n"
    "base: none\n"
    "checks:\n"
    "  - {name: a, probe: tcp, port: 1000, from: [any], to: [any], expect: required}\n"
    "  - {name: b, probe: tcp, port: 2000, from: [any], to: [any], expect: required}\n"
    "  - {name: c, probe: tcp, port: 3000, from: [any], to: [any], expect: required}\n"
    "  - {name: t, probe: tcp, port: 23, from: [any], to: [any], expect: must_be_closed}\n";

struct matrix {
    struct dc_cluster *cluster;
    struct dc_profile *profile;
    struct dc_plan *plan;
    struct dc_result *results;
    struct dc_texts *texts;
    struct dc_diagnosis *d;
};

/* Nodes n1..nN at the given addresses (10.0.0.i when NULL); `from`: only that row (single
 * row), or NULL for the full matrix; the profile's YAML. Every required path passes, the
 * closed one is refused. */
static void matrix_with(struct matrix *m, const char *yaml, size_t n, const char *const *addresses,
                        const char *from)
{
    struct dc_diag diag = {{0}};
    memset(m, 0, sizeof *m);
    assert_int_equal(dc_cluster_new(&m->cluster), 0);
    assert_int_equal(dc_profile_new("diag", &m->profile), 0);
    assert_int_equal(dc_profile_apply_yaml(m->profile, yaml, strlen(yaml), "test", &diag), 0);
    for (size_t i = 0; i < n; i++) {
        char spec[64];
        if (addresses)
            snprintf(spec, sizeof spec, "n%zu=%s", i + 1, addresses[i]);
        else
            snprintf(spec, sizeof spec, "n%zu=10.0.0.%zu", i + 1, i + 1);
        assert_int_equal(dc_inventory_add_flag(m->cluster, spec, &diag), 0);
    }
    const char *const rows[] = {from, NULL};
    struct dc_plan_filter filter = {.from = from ? rows : NULL};
    assert_int_equal(dc_plan_build(m->cluster, m->profile, &filter, &m->plan), 0);
    m->results = calloc(m->plan->ntasks, sizeof *m->results);
    m->texts = dc_texts_new();
    assert_non_null(m->results);
    for (size_t i = 0; i < m->plan->ntasks; i++) {
        struct dc_result *r = &m->results[i];
        dc_result_reset(r, "");
        r->measured = true;
        bool closed = strcmp(m->profile->checks[m->plan->tasks[i].check].name, "t") == 0;
        r->state = closed ? DC_STATE_REFUSED : DC_STATE_OK;
        r->latency_ms = closed ? -1 : 0.2;
    }
}

static void matrix_new(struct matrix *m, size_t n, const char *const *addresses, const char *from)
{
    matrix_with(m, profile_yaml, n, addresses, from);
}

static void matrix_free(struct matrix *m)
{
    dc_diagnosis_free(m->d);
    dc_texts_free(m->texts);
    free(m->results);
    dc_plan_free(m->plan);
    dc_profile_free(m->profile);
    dc_cluster_free(m->cluster);
}

static uint32_t node(const struct matrix *m, const char *name)
{
    long n = dc_cluster_find(m->cluster, name);
    assert_true(n >= 0);
    return (uint32_t)n;
}

/* The cells matching from/to/check (NULL: any) get the state. Returns how many. */
static size_t set(struct matrix *m, const char *from, const char *to, const char *check,
                  enum dc_state state)
{
    size_t n = 0;
    for (size_t i = 0; i < m->plan->ntasks; i++) {
        const struct dc_task *t = &m->plan->tasks[i];
        if ((from && t->from != node(m, from)) || (to && t->to != node(m, to)) ||
            (check && strcmp(m->profile->checks[t->check].name, check) != 0))
            continue;
        m->results[i].state = state;
        m->results[i].latency_ms = state == DC_STATE_OK ? 0.2 : -1;
        n++;
    }
    return n;
}

/* A row its agent gave nothing for. */
static void row_lost(struct matrix *m, const char *from)
{
    for (size_t i = 0; i < m->plan->ntasks; i++) {
        if (m->plan->tasks[i].from == node(m, from)) {
            dc_result_reset(&m->results[i], "no answer from the agent");
            m->results[i].agent_failure = DC_AGENT_UNREACHABLE;
        }
    }
}

/* Judges, diagnoses, and checks that each failed or warned cell has exactly one cause that
 * lists it, and that a pass has none. */
static void diagnose(struct matrix *m)
{
    dc_verdict_run_all(m->cluster, m->profile, m->plan, NULL, m->results, m->texts);
    dc_diagnosis_free(m->d);
    m->d = NULL;
    assert_int_equal(dc_diagnose(m->cluster, m->profile, m->plan, m->results, &m->d), 0);
    size_t bad = 0, listed = 0;
    for (size_t i = 0; i < m->plan->ntasks; i++) {
        bool is_bad = m->results[i].verdict != DC_VERDICT_PASS;
        bad += is_bad;
        if (!is_bad) {
            assert_int_equal(m->d->cause_of[i], DC_NO_CAUSE);
            continue;
        }
        assert_true(m->d->cause_of[i] < m->d->n);
        const struct dc_cause *c = &m->d->causes[m->d->cause_of[i]];
        size_t hits = 0;
        for (size_t k = 0; k < c->ncells; k++)
            hits += c->cells[k] == i;
        assert_int_equal(hits, 1);
    }
    for (size_t c = 0; c < m->d->n; c++) {
        listed += m->d->causes[c].ncells;
        assert_true(m->d->causes[c].ncells > 0);
        assert_non_null(m->d->causes[c].summary);
        assert_true(m->d->causes[c].remedy[0] != '\0');
    }
    assert_int_equal(listed, bad);
    assert_int_equal(m->d->nfail + m->d->nwarn, bad);
}

/* The one cause of that kind (the test fails if there are none or several). */
static const struct dc_cause *only(const struct matrix *m, enum dc_cause_kind kind)
{
    const struct dc_cause *found = NULL;
    for (size_t c = 0; c < m->d->n; c++) {
        if (m->d->causes[c].kind == kind) {
            if (found)
                fail_msg("two causes of kind %s", dc_cause_kind_name(kind));
            found = &m->d->causes[c];
        }
    }
    if (!found)
        fail_msg("no cause of kind %s", dc_cause_kind_name(kind));
    return found;
}

/* Whether there is a cause of that kind (NULL when none; the first when several). */
static const struct dc_cause *only_or_null(const struct matrix *m, enum dc_cause_kind kind)
{
    for (size_t c = 0; c < m->d->n; c++)
        if (m->d->causes[c].kind == kind)
            return &m->d->causes[c];
    return NULL;
}

static void assert_ports(const struct dc_cause *c, const uint16_t *ports, size_t n)
{
    assert_int_equal(c->nports, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(c->ports[i].port, ports[i]);
}

static void test_healthy(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    diagnose(&m);
    assert_int_equal(m.d->n, 0);
    matrix_free(&m);
}

static void test_service_down(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    assert_int_equal(set(&m, NULL, "n3", "a", DC_STATE_REFUSED), 3);
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    const struct dc_cause *c = only(&m, DC_CAUSE_SERVICE_DOWN);
    assert_int_equal(c->to, node(&m, "n3"));
    assert_int_equal(c->from, DC_NO_NODE);
    assert_int_equal(c->ncells, 3);
    assert_int_equal(c->alternatives, 0);
    assert_ports(c, (const uint16_t[]){1000}, 1);
    assert_contains(c->summary, "refuses tcp/1000 (a)");
    assert_contains(c->remedy, "on n3");
    matrix_free(&m);
}

static void test_inbound_blocked(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    set(&m, NULL, "n3", "a", DC_STATE_FILTERED);
    set(&m, NULL, "n3", "c", DC_STATE_UNREACHABLE);
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    const struct dc_cause *c = only(&m, DC_CAUSE_INBOUND_BLOCKED);
    assert_int_equal(c->to, node(&m, "n3"));
    assert_int_equal(c->ncells, 6);
    assert_ports(c, (const uint16_t[]){1000, 3000}, 2);
    assert_contains(c->evidence, "while n3 is up");
    assert_contains(c->remedy, "in n3's inbound firewall, allow tcp/1000 and tcp/3000 from n1 "
                               "(10.0.0.1), n2 (10.0.0.2) and n4 (10.0.0.4)");
    matrix_free(&m);
}

/* Every port of a node silent: down when its own agent is silent too, blocked when it answered. */
static void test_node_unreachable(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    set(&m, NULL, "n3", NULL, DC_STATE_FILTERED);
    row_lost(&m, "n3");
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    const struct dc_cause *c = only(&m, DC_CAUSE_NODE_UNREACHABLE);
    assert_int_equal(c->to, node(&m, "n3"));
    assert_int_equal(c->ncells, 9 + 12); /* 3 sources x 3 required ports, and its own row */
    assert_ports(c, (const uint16_t[]){1000, 2000, 3000}, 3);
    assert_contains(c->evidence, "its own agent gave nothing");
    matrix_free(&m);

    matrix_new(&m, 4, NULL, NULL);
    set(&m, NULL, "n3", NULL, DC_STATE_FILTERED);
    diagnose(&m);
    c = only(&m, DC_CAUSE_INBOUND_BLOCKED);
    assert_int_equal(m.d->n, 1);
    assert_contains(
        c->summary,
        "drops every port from every source: tcp/1000 (a), tcp/2000 (b) and tcp/3000 (c) fail");
    matrix_free(&m);
}

static void test_outbound_blocked(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 5, NULL, NULL);
    set(&m, "n2", NULL, "b", DC_STATE_FILTERED);
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    const struct dc_cause *c = only(&m, DC_CAUSE_OUTBOUND_BLOCKED);
    assert_int_equal(c->from, node(&m, "n2"));
    assert_int_equal(c->to, DC_NO_NODE);
    assert_int_equal(c->ncells, 4);
    assert_int_equal(c->alternatives, 0);
    assert_contains(c->remedy, "in n2's outbound firewall");
    matrix_free(&m);
}

static void test_path_blocked(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    set(&m, "n1", "n4", "b", DC_STATE_FILTERED);
    set(&m, "n1", "n4", "c", DC_STATE_FILTERED);
    set(&m, "n2", "n3", "a", DC_STATE_REFUSED);
    set(&m, "n3", "n2", "a", DC_STATE_REFUSED);
    diagnose(&m);
    assert_int_equal(m.d->n, 3); /* n1 -> n4, n2 -> n3, n3 -> n2 */
    const struct dc_cause *c = &m.d->causes[0];
    assert_int_equal(c->kind, DC_CAUSE_PATH_BLOCKED);
    assert_int_equal(c->from, node(&m, "n1"));
    assert_int_equal(c->to, node(&m, "n4"));
    assert_ports(c, (const uint16_t[]){2000, 3000}, 2);
    assert_true(c->one_direction); /* n4 -> n1 passes both */
    assert_contains(c->summary, "one direction: n4 -> n1 passes");
    assert_contains(c->remedy, "allow tcp/2000 and tcp/3000 from n1 (10.0.0.1) to n4 (10.0.0.4)");
    c = &m.d->causes[1];
    assert_int_equal(c->kind, DC_CAUSE_PATH_BLOCKED);
    assert_int_equal(c->from, node(&m, "n2"));
    assert_false(c->one_direction); /* both ways rejected */
    assert_contains(c->summary, "rejected (RST)");
    assert_int_equal(m.d->causes[2].from, node(&m, "n3"));
    matrix_free(&m);
}

/* Two subnets, a firewall between them dropping one port one way. */
static void test_segment_blocked(void **state)
{
    (void)state;
    static const char *const addrs[] = {"10.1.0.1", "10.1.0.2", "10.1.0.3",
                                        "10.2.0.1", "10.2.0.2", "10.2.0.3"};
    struct matrix m;
    matrix_new(&m, 6, addrs, NULL);
    const char *west[] = {"n1", "n2", "n3"}, *east[] = {"n4", "n5", "n6"};
    for (int s = 0; s < 3; s++) {
        for (int d = 0; d < 3; d++)
            set(&m, west[s], east[d], "c", DC_STATE_FILTERED);
    }
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    const struct dc_cause *c = only(&m, DC_CAUSE_SEGMENT_BLOCKED);
    assert_int_equal(c->ncells, 9);
    assert_int_equal(c->nfrom_group, 3);
    assert_int_equal(c->nto_group, 3);
    assert_string_equal(c->from_net, "10.1.0.0/24");
    assert_string_equal(c->to_net, "10.2.0.0/24");
    assert_contains(c->remedy, "on the firewall between 10.1.0.0/24 and 10.2.0.0/24, allow "
                               "tcp/3000");
    matrix_free(&m);

    /* two sources failing the same two destinations, all in one subnet: four paths, not a
     * segment (chance, or four rules: the matrix cannot tell) */
    matrix_new(&m, 6, NULL, NULL);
    set(&m, "n1", "n4", "c", DC_STATE_FILTERED);
    set(&m, "n1", "n5", "c", DC_STATE_FILTERED);
    set(&m, "n2", "n4", "c", DC_STATE_FILTERED);
    set(&m, "n2", "n5", "c", DC_STATE_FILTERED);
    diagnose(&m);
    assert_int_equal(m.d->n, 4);
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(m.d->causes[k].kind, DC_CAUSE_PATH_BLOCKED);
    matrix_free(&m);
}

/* A service down on n3 and n2's outbound rule for the same port: n2 -> n3 is silent (n2's
 * packets never got there), the others' cells are refused. Then a cell that two causes
 * explain: n3 drops port b from everyone and n2 cannot send it: n2 -> n3 goes to the first. */
static void test_overlapping(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    set(&m, NULL, "n3", "a", DC_STATE_REFUSED);
    set(&m, "n2", NULL, "a", DC_STATE_FILTERED);
    diagnose(&m);
    assert_int_equal(m.d->n, 2);
    const struct dc_cause *down = only(&m, DC_CAUSE_SERVICE_DOWN);
    const struct dc_cause *out = only(&m, DC_CAUSE_OUTBOUND_BLOCKED);
    assert_int_equal(down->ncells, 2);
    assert_int_equal(out->ncells, 3);
    matrix_free(&m);

    matrix_new(&m, 4, NULL, NULL);
    set(&m, NULL, "n3", "b", DC_STATE_FILTERED);
    set(&m, "n2", NULL, "b", DC_STATE_FILTERED);
    diagnose(&m);
    assert_int_equal(m.d->n, 2);
    const struct dc_cause *in = only(&m, DC_CAUSE_INBOUND_BLOCKED);
    out = only(&m, DC_CAUSE_OUTBOUND_BLOCKED);
    assert_int_equal(in->ncells, 3);
    assert_int_equal(out->ncells, 2);
    matrix_free(&m);
}

/* One row (check --from-here): what only other rows could split is said. */
static void test_single_row(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, "n1");
    set(&m, "n1", "n3", "a", DC_STATE_REFUSED);
    set(&m, "n1", "n2", "b", DC_STATE_FILTERED);
    diagnose(&m);
    assert_int_equal(m.d->n, 2);
    const struct dc_cause *down = only(&m, DC_CAUSE_SERVICE_DOWN);
    assert_true(down->alternatives & (1u << DC_CAUSE_PATH_BLOCKED));
    assert_contains(down->evidence, "other rows would tell whether n3 refuses everyone");
    const struct dc_cause *path = only(&m, DC_CAUSE_PATH_BLOCKED);
    assert_true(path->alternatives & (1u << DC_CAUSE_INBOUND_BLOCKED));
    assert_contains(path->evidence, "other rows would tell");
    matrix_free(&m);
    const struct dc_cause *out;

    /* the one row reaches nothing at all: its own outbound rules or network, one cause, not
     * every destination down */
    matrix_new(&m, 4, NULL, "n1");
    set(&m, "n1", NULL, NULL, DC_STATE_FILTERED);
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    out = only(&m, DC_CAUSE_OUTBOUND_BLOCKED);
    assert_int_equal(out->from, node(&m, "n1"));
    assert_ports(out, (const uint16_t[]){1000, 2000, 3000}, 3);
    matrix_free(&m);

    /* the one row gets nothing on a port from anyone: its outbound, or each of them */
    matrix_new(&m, 4, NULL, "n1");
    set(&m, "n1", NULL, "c", DC_STATE_FILTERED);
    diagnose(&m);
    out = only(&m, DC_CAUSE_OUTBOUND_BLOCKED);
    assert_true(out->alternatives & (1u << DC_CAUSE_INBOUND_BLOCKED));
    matrix_free(&m);
}

/* Rows whose agent gave nothing: a row apart when the node answers others; no evidence
 * either way from them. */
static void test_unknown_rows(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    row_lost(&m, "n2");
    row_lost(&m, "n4");
    set(&m, "n1", "n3", "a", DC_STATE_REFUSED);
    diagnose(&m);
    assert_int_equal(m.d->n, 3);
    /* only n1 asked n3 on port a with a measured row: it cannot say whether n3 refuses all */
    const struct dc_cause *down = only(&m, DC_CAUSE_SERVICE_DOWN);
    assert_true(down->alternatives & (1u << DC_CAUSE_PATH_BLOCKED));
    assert_int_equal(m.d->causes[1].kind, DC_CAUSE_NOT_MEASURED);
    assert_int_equal(m.d->causes[1].from, node(&m, "n2"));
    assert_int_equal(m.d->causes[1].ncells, 12);
    assert_int_equal(m.d->causes[2].from, node(&m, "n4"));
    matrix_free(&m);
}

static void test_port_open_faults_slow(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    set(&m, NULL, "n2", "t", DC_STATE_OK);
    set(&m, NULL, "n4", "a", DC_STATE_TLS);
    set(&m, "n1", "n3", "b", DC_STATE_DNS);
    diagnose(&m);
    assert_int_equal(m.d->n, 3);
    assert_int_equal(only(&m, DC_CAUSE_PORT_OPEN)->ncells, 3);
    assert_int_equal(only(&m, DC_CAUSE_SERVICE_FAULT)->ncells, 3);
    assert_int_equal(only(&m, DC_CAUSE_NAME_UNRESOLVED)->ncells, 1);
    matrix_free(&m);

    /* paths to n3 over the run's threshold (50 ms): one cause for n3, the worst one said */
    matrix_new(&m, 4, NULL, NULL);
    for (size_t i = 0; i < m.plan->ntasks; i++) {
        if (m.plan->tasks[i].to == node(&m, "n3") && m.results[i].state == DC_STATE_OK)
            m.results[i].latency_ms = m.plan->tasks[i].from == node(&m, "n1") ? 180 : 90;
    }
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    const struct dc_cause *slow = only(&m, DC_CAUSE_SLOW);
    assert_int_equal(slow->to, node(&m, "n3"));
    assert_int_equal(slow->ncells, 9);
    assert_int_equal(slow->nfail, 0);
    assert_contains(slow->evidence, "the worst 180 ms");
    assert_contains(slow->remedy, "check the network path to n3");
    matrix_free(&m);
}

/* A check without a port (ICMP echo, port 0 of its own transport) beside one with a port:
 * told apart, the echo's silence a cause of its own, worded without a port. */
static void test_portless(void **state)
{
    (void)state;
    static const char yaml[] =
        "name: diag-icmp\nbase: none\nchecks:\n"
        "  - {name: a, probe: tcp, port: 1000, from: [any], to: [any], expect: required}\n"
        "  - {name: ping, probe: icmp, from: [any], to: [any], expect: advisory}\n";
    struct matrix m;
    matrix_with(&m, yaml, 4, NULL, NULL);
    assert_int_equal(set(&m, NULL, "n3", "ping", DC_STATE_FILTERED), 3);
    diagnose(&m);
    assert_int_equal(m.d->n, 1);
    const struct dc_cause *c = only(&m, DC_CAUSE_INBOUND_BLOCKED);
    assert_int_equal(c->nfail, 0); /* advisory: warnings only */
    assert_int_equal(c->nports, 1);
    assert_int_equal(c->ports[0].transport, DC_TRANSPORT_ICMP);
    assert_contains(c->summary, "n3 (10.0.0.3) drops icmp (ping) from every source");
    matrix_free(&m);
}

/* A node that drops every port but answers ICMP echo is up: its ports are blocked inbound, not
 * the node unreachable (even with its own agent silent), and the echo's answer does not make
 * a port only one source asks a path of its own: "drops every port" counts ports, not echoes. */
static void test_echo_answered(void **state)
{
    (void)state;
    static const char yaml[] =
        "name: diag-echo\nbase: none\nchecks:\n"
        "  - {name: a, probe: tcp, port: 1000, from: [any], to: [any], expect: required}\n"
        "  - {name: lone, probe: tcp, port: 7000, from: [cassandra], to: [cassandra], "
        "expect: required}\n"
        "  - {name: ping, probe: icmp, from: [any], to: [any], expect: advisory}\n";
    /* n3 and n4 are the only Cassandra nodes: 7000 towards n3 is asked by n4 alone */
    static const char *const addresses[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3:cassandra",
                                            "10.0.0.4:cassandra"};
    struct matrix m;
    matrix_with(&m, yaml, 4, addresses, NULL);
    assert_int_equal(set(&m, NULL, "n3", "a", DC_STATE_FILTERED), 3);
    assert_int_equal(set(&m, NULL, "n3", "lone", DC_STATE_FILTERED), 1);
    row_lost(&m, "n3");
    diagnose(&m);
    assert_null(only_or_null(&m, DC_CAUSE_NODE_UNREACHABLE));
    assert_null(only_or_null(&m, DC_CAUSE_PATH_BLOCKED));
    const struct dc_cause *c = only(&m, DC_CAUSE_INBOUND_BLOCKED);
    assert_int_equal(c->to, node(&m, "n3"));
    assert_int_equal(c->ncells, 4); /* 3 sources on 1000, n4 alone on 7000 */
    assert_ports(c, (const uint16_t[]){1000, 7000}, 2);
    assert_contains(c->summary, "drops every port from every source");
    assert_contains(c->evidence, "it answers ICMP echo");
    matrix_free(&m);

    /* the same without the echo: nothing of n3 answers and its agent is silent: down */
    matrix_with(&m, yaml, 4, addresses, NULL);
    set(&m, NULL, "n3", NULL, DC_STATE_FILTERED);
    row_lost(&m, "n3");
    diagnose(&m);
    c = only(&m, DC_CAUSE_NODE_UNREACHABLE);
    assert_int_equal(c->to, node(&m, "n3"));
    matrix_free(&m);
}

/* A certificate: the cells of one endpoint whose verdict is its certificate's (expiring: a
 * warning from every source) are one cause, however many sources and checks see it; a slow
 * path beside it stays its own. */
static void test_certificate(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 4, NULL, NULL);
    struct dc_cert cert = {.version = "TLSv1.3",
                           .not_before = 0,
                           .trusted = true,
                           .names_ok = true,
                           .checked = "10.0.0.2",
                           .subject = "CN=n2",
                           .issuer = "CN=ca",
                           .san = "IP:10.0.0.2"};
    cert.not_after = (int64_t)time(NULL) + 20 * 86400; /* SLDataGateway's notice: 30 days */
    char text[1024];
    dc_cert_format(&cert, text, sizeof text);
    const char *kept = dc_texts_add(m.texts, text);
    for (size_t i = 0; i < m.plan->ntasks; i++) {
        const struct dc_task *t = &m.plan->tasks[i];
        const char *check = m.profile->checks[t->check].name;
        if (t->to == node(&m, "n2") && strcmp(check, "a") == 0)
            m.results[i].tls = kept;
        if (t->to == node(&m, "n2") && strcmp(check, "b") == 0 && t->from == node(&m, "n1"))
            m.results[i].latency_ms = 90; /* slow, certificate or not */
    }
    diagnose(&m);
    assert_int_equal(m.d->n, 2);
    const struct dc_cause *c = only(&m, DC_CAUSE_CERTIFICATE);
    assert_int_equal(c->to, node(&m, "n2"));
    assert_int_equal(c->ncells, 3);
    assert_int_equal(c->nfail, 0);
    assert_contains(c->summary, "the certificate of a on n2 tcp/1000 expires on");
    assert_contains(c->evidence, "CN=n2, issued by CN=ca, names IP:10.0.0.2, TLSv1.3; 3 checks");
    assert_contains(c->remedy, "renew the certificate of a on n2 (10.0.0.2) tcp/1000");
    assert_int_equal(only(&m, DC_CAUSE_SLOW)->ncells, 1);
    /* under a week: failures */
    cert.not_after = (int64_t)time(NULL) + 3 * 86400;
    dc_cert_format(&cert, text, sizeof text);
    kept = dc_texts_add(m.texts, text);
    for (size_t i = 0; i < m.plan->ntasks; i++)
        if (m.results[i].tls[0])
            m.results[i].tls = kept;
    diagnose(&m);
    assert_int_equal(only(&m, DC_CAUSE_CERTIFICATE)->nfail, 3);
    matrix_free(&m);
}

/* The same matrix, the same causes in the same order, word for word. */
static void test_deterministic(void **state)
{
    (void)state;
    struct matrix m;
    matrix_new(&m, 5, NULL, NULL);
    set(&m, NULL, "n3", "a", DC_STATE_REFUSED);
    set(&m, NULL, "n5", NULL, DC_STATE_FILTERED);
    set(&m, "n2", NULL, "c", DC_STATE_FILTERED);
    set(&m, "n1", "n4", "b", DC_STATE_FILTERED);
    diagnose(&m);
    size_t n = m.d->n;
    char *first[16];
    assert_true(n == 4);
    for (size_t c = 0; c < n; c++)
        first[c] = strdup(m.d->causes[c].summary);
    diagnose(&m);
    assert_int_equal(m.d->n, n);
    for (size_t c = 0; c < n; c++) {
        assert_string_equal(m.d->causes[c].summary, first[c]);
        free(first[c]);
    }
    assert_int_equal(m.d->causes[0].kind, DC_CAUSE_SERVICE_DOWN);
    assert_int_equal(m.d->causes[1].kind, DC_CAUSE_INBOUND_BLOCKED);
    assert_int_equal(m.d->causes[2].kind, DC_CAUSE_OUTBOUND_BLOCKED);
    assert_int_equal(m.d->causes[3].kind, DC_CAUSE_PATH_BLOCKED);
    matrix_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy),          cmocka_unit_test(test_certificate),
        cmocka_unit_test(test_service_down),     cmocka_unit_test(test_inbound_blocked),
        cmocka_unit_test(test_node_unreachable), cmocka_unit_test(test_outbound_blocked),
        cmocka_unit_test(test_path_blocked),     cmocka_unit_test(test_segment_blocked),
        cmocka_unit_test(test_overlapping),      cmocka_unit_test(test_single_row),
        cmocka_unit_test(test_unknown_rows),     cmocka_unit_test(test_port_open_faults_slow),
        cmocka_unit_test(test_portless),         cmocka_unit_test(test_echo_answered),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
