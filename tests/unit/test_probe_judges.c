/* The protocol judges on replies built byte by byte from the specifications cited in each
 * probe, plus truncated, garbage and TLS replies. */
#include "test_util.h"

#include "dmsconn/probe.h"
#include "probes/probe.h"

#include <nghttp2/nghttp2.h>

static enum dci_judgement judge(const char *probe, const void *reply, size_t len, bool closed,
                                struct dc_finding *out)
{
    const struct dc_probe_ops *ops = dc_probe_find(probe);
    assert_non_null(ops);
    memset(out, 0, sizeof *out);
    return ops->proto->dialogue.judge(reply, len, closed, out);
}

static void expect_state(const char *probe, const void *reply, size_t len, enum dc_state state,
                         const char *detail)
{
    struct dc_finding r;
    assert_int_equal(judge(probe, reply, len, true, &r), DCI_JUDGE_DONE);
    if (r.state != state)
        fail_msg("%s: expected %s, got %s (%s)", probe, dc_state_name(state),
                 dc_state_name(r.state), r.detail);
    if (detail)
        assert_contains(r.detail, detail);
}

/* native_protocol_v4.spec 4.2.4: SUPPORTED, a [string multimap] */
static const uint8_t cql_supported[] = {
    0x84, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2c, /* header, body 44 bytes */
    0x00, 0x02,                                           /* 2 pairs */
    0x00, 0x0b, 'C',  'Q',  'L',  '_',  'V',  'E',  'R',  'S',  'I',  'O', 'N', 0x00,
    0x01, 0x00, 0x05, '3',  '.',  '4',  '.',  '5',  0x00, 0x0b, 'C',  'O', 'M', 'P',
    'R',  'E',  'S',  'S',  'I',  'O',  'N',  0x00, 0x01, 0x00, 0x03, 'l', 'z', '4'};

static void cql(void **state)
{
    (void)state;
    struct dc_finding r;
    assert_int_equal(sizeof cql_supported, 9 + 44);
    assert_int_equal(judge("cql", cql_supported, sizeof cql_supported, false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_string_equal(r.evidence, "CQL_VERSION 3.4.5; COMPRESSION lz4");
    /* every truncation waits for more, and is wrong once the peer closed */
    for (size_t n = 0; n < sizeof cql_supported; n++) {
        assert_int_equal(judge("cql", cql_supported, n, false, &r), DCI_JUDGE_MORE);
        assert_int_equal(judge("cql", cql_supported, n, true, &r), DCI_JUDGE_DONE);
        assert_int_not_equal(r.state, DC_STATE_OK);
    }
    /* an old server: ERROR 0x000A in protocol v3 */
    static const uint8_t v3[] = {0x83, 0,    0, 0, 0x00, 0,   0,   0,   0x0c, 0,  0,
                                 0,    0x0a, 0, 6, 'o',  'l', 'd', ' ', 'v',  '3'};
    expect_state("cql", v3, sizeof v3, DC_STATE_OK, "only native protocol v3");
    static const uint8_t overloaded[] = {0x84, 0, 0, 0,    0x00, 0, 0, 0,
                                         0x06, 0, 0, 0x10, 0x01, 0, 0};
    expect_state("cql", overloaded, sizeof overloaded, DC_STATE_DEGRADED, "0x1001");
    expect_state("cql", "HTTP/1.1 400 Bad Request\r\n", 26, DC_STATE_WRONG_SERVICE, "HTTP/1.1");
    static const uint8_t tls[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46};
    expect_state("cql", tls, sizeof tls, DC_STATE_TLS, "TLS");
    /* a multimap that claims more than the frame holds */
    uint8_t bad[sizeof cql_supported];
    memcpy(bad, cql_supported, sizeof bad);
    bad[10] = 0x09;
    expect_state("cql", bad, sizeof bad, DC_STATE_WRONG_SERVICE, "malformed SUPPORTED");
    static const uint8_t huge[] = {0x84, 0, 0, 0, 0x06, 0x7f, 0xff, 0xff, 0xff};
    expect_state("cql", huge, sizeof huge, DC_STATE_WRONG_SERVICE, NULL);
}

static void nats(void **state)
{
    (void)state;
    static const char info[] = "INFO {\"server_id\":\"NABC\",\"server_name\":\"dma1\","
                               "\"version\":\"2.9.15\",\"cluster\":\"dms\","
                               "\"auth_required\":true}\r\n";
    struct dc_finding r;
    assert_int_equal(judge("nats", info, strlen(info), false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_string_equal(r.detail, "NATS server 2.9.15, auth required");
    assert_string_equal(r.evidence, "server_id NABC, name dma1, cluster dms");
    assert_int_equal(judge("nats", info, 20, false, &r), DCI_JUDGE_MORE);
    expect_state("nats", info, 20, DC_STATE_WRONG_SERVICE, "whole NATS INFO line");
    expect_state("nats", "INFO {broken\r\n", 14, DC_STATE_WRONG_SERVICE, "JSON");
    expect_state("nats", "SSH-2.0-OpenSSH_9.2\r\n", 21, DC_STATE_WRONG_SERVICE, "SSH-2.0");
    expect_state("nats", "", 0, DC_STATE_WRONG_SERVICE, "no reply");
}

static void telnet(void **state)
{
    (void)state;
    static const uint8_t iac[] = {0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20};
    expect_state("telnet", iac, sizeof iac, DC_STATE_OK, "option negotiation");
    expect_state("telnet", "login: \x1b[2J", 11, DC_STATE_OK, "banner \"login: .[2J\"");
    expect_state("telnet", "", 0, DC_STATE_OK, "no Telnet negotiation");
}

static void opensearch_transport(void **state)
{
    (void)state;
    static const uint8_t ping[] = {'E', 'S', 0xff, 0xff, 0xff, 0xff};
    struct dc_finding r;
    expect_state("opensearch-transport", ping, sizeof ping, DC_STATE_OK, "ping answered");
    assert_int_equal(judge("opensearch-transport", ping, 3, false, &r), DCI_JUDGE_MORE);
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a};
    expect_state("opensearch-transport", alert, sizeof alert, DC_STATE_OK, "TLS transport");
    expect_state("opensearch-transport", "This is not an HTTP port", 24, DC_STATE_WRONG_SERVICE,
                 "This is not");
    expect_state("opensearch-transport", "", 0, DC_STATE_WRONG_SERVICE, "no reply");
}

static void remoting(void **state)
{
    (void)state;
    static const char good[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                               "Server: MS .NET Remoting, MS .NET CLR 4.0.30319.42000\r\n"
                               "Content-Length: 0\r\n\r\n";
    struct dc_finding r;
    assert_int_equal(judge("remoting", good, strlen(good), false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_string_equal(r.evidence, "Server: MS .NET Remoting, MS .NET CLR 4.0.30319.42000");
    assert_contains(r.detail, "status 400");
    assert_int_equal(judge("remoting", good, 40, false, &r), DCI_JUDGE_MORE);
    static const char nginx[] = "HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\n\r\n";
    expect_state("remoting", nginx, strlen(nginx), DC_STATE_WRONG_SERVICE, "nginx/1.22.1");
    static const char bare[] = "HTTP/1.0 200 OK\r\n\r\n";
    expect_state("remoting", bare, strlen(bare), DC_STATE_WRONG_SERVICE, "no Server header");
    /* MS-NRTP 2.2.3.3: ".NET", major 1, minor 0, operation, content distribution */
    static const uint8_t tcp[] = {'.', 'N', 'E', 'T', 1, 0, 2, 0, 0, 0, 0, 0};
    expect_state("remoting", tcp, sizeof tcp, DC_STATE_OK, "binary TCP channel");
    expect_state("remoting", "\x00\x01garbage", 9, DC_STATE_WRONG_SERVICE, NULL);
    /* Mono's HttpChannel (seen from mono 6.8): its own Server header, no Content-Type, and
     * the exception serialized as MS-NRBF (2.6.1 SerializationHeaderRecord: type 0, root id
     * 1, header id -1, version 1.0; then 0x16, a BinaryMethodReturn) */
    static const char mono_head[] = "HTTP/1.1 200 OK\r\nServer: Mono-HTTPAPI/1.0\r\n"
                                    "Content-Length: 2098\r\nConnection: close\r\n\r\n";
    static const uint8_t nrbf[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x01,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x11};
    uint8_t mono[256];
    memcpy(mono, mono_head, strlen(mono_head));
    memcpy(mono + strlen(mono_head), nrbf, sizeof nrbf);
    size_t mono_len = strlen(mono_head) + sizeof nrbf;
    assert_int_equal(judge("remoting", mono, mono_len, false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_contains(r.detail, "an MS-NRBF answer");
    assert_string_equal(r.evidence, "Server: Mono-HTTPAPI/1.0");
    /* the head alone: wait for the body's first bytes */
    assert_int_equal(judge("remoting", mono, strlen(mono_head), false, &r), DCI_JUDGE_MORE);
    assert_int_equal(judge("remoting", mono, strlen(mono_head) + 10, false, &r), DCI_JUDGE_MORE);
    /* the same head with an HTML body is another web server */
    static const char html[] = "HTTP/1.1 200 OK\r\nServer: Mono-HTTPAPI/1.0\r\n\r\n"
                               "<html><body>hello</body></html>";
    expect_state("remoting", html, strlen(html), DC_STATE_WRONG_SERVICE, "Mono-HTTPAPI");
    /* an empty body by Content-Length is judged at once, not at the deadline */
    static const char empty[] = "HTTP/1.1 404 Not Found\r\nServer: x\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(judge("remoting", empty, strlen(empty), false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    /* silence: the detail names the probe of the other channel */
    expect_state("remoting", "", 0, DC_STATE_WRONG_SERVICE, "probe remoting-tcp");
    expect_state("remoting-tcp", "", 0, DC_STATE_WRONG_SERVICE, "probe remoting");
    /* Mono's TcpChannel's reply frame: OperationType 2 (Reply), NotChunked, ContentLength
     * 2098, EndHeaders, then the MS-NRBF stream */
    static const uint8_t reply[] = {'.', 'N',  'E',  'T', 1, 0, 2, 0,    0,
                                    0,   0x32, 0x08, 0,   0, 0, 0, 0x00, 0x01};
    assert_int_equal(judge("remoting-tcp", reply, 5, false, &r), DCI_JUDGE_MORE);
    expect_state("remoting-tcp", reply, sizeof reply, DC_STATE_OK, "a reply frame");
    /* the HTTP channel's answers are Remoting's for remoting-tcp too */
    expect_state("remoting-tcp", good, strlen(good), DC_STATE_OK, "HTTP channel");
}

/* remoting-tcp's request frame, field by field (MS-NRTP 2.2.3.3.1), with no content */
static void remoting_tcp_hello(void **state)
{
    (void)state;
    struct dci_probe_ctx ctx = {.host = "10.0.0.5", .port = 8004};
    uint8_t buf[192];
    size_t n = dc_probe_find("remoting-tcp")->proto->dialogue.hello(&ctx, buf, sizeof buf);
    static const char uri[] = "tcp://10.0.0.5:8004/SLNetService";
    static const char type[] = "application/octet-stream";
    assert_int_equal(n, 14 + 3 + 5 + strlen(uri) + 3 + 5 + strlen(type) + 2);
    assert_memory_equal(buf, ".NET\x01\x00", 6);
    assert_memory_equal(buf + 6, "\x00\x00\x00\x00", 4);  /* Request, NotChunked */
    assert_memory_equal(buf + 10, "\x00\x00\x00\x00", 4); /* ContentLength 0 */
    assert_memory_equal(buf + 14, "\x04\x00\x01\x01", 4); /* RequestUri, CountedString, UTF-8 */
    assert_int_equal(buf[18], strlen(uri));
    assert_memory_equal(buf + 22, uri, strlen(uri));
    size_t at = 22 + strlen(uri);
    assert_memory_equal(buf + at, "\x06\x00\x01\x01", 4); /* ContentType */
    assert_memory_equal(buf + at + 8, type, strlen(type));
    assert_memory_equal(buf + n - 2, "\x00\x00", 2); /* EndHeaders: nothing after it */
    /* too small a buffer: nothing rather than a cut frame */
    assert_int_equal(dc_probe_find("remoting-tcp")->proto->dialogue.hello(&ctx, buf, 40), 0);
}

static void jmx(void **state)
{
    (void)state;
    /* ProtocolAck, EndpointIdentifier: [UTF "10.0.0.5"][int 51234] */
    static const uint8_t ack[] = {0x4e, 0x00, 0x08, '1',  '0',  '.',  '0', '.',
                                  '0',  '.',  '5',  0x00, 0x00, 0xc8, 0x22};
    struct dc_finding r;
    assert_int_equal(judge("jmx", ack, sizeof ack, false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_string_equal(r.evidence, "the server sees us as 10.0.0.5:51234");
    assert_int_equal(judge("jmx", ack, 5, false, &r), DCI_JUDGE_MORE);
    expect_state("jmx", ack, 5, DC_STATE_OK, "acknowledged");
    static const uint8_t nack[] = {0x4f};
    expect_state("jmx", nack, 1, DC_STATE_OK, "not supported");
    expect_state("jmx", "HTTP/1.1 400", 12, DC_STATE_WRONG_SERVICE, NULL);
}

static void hellos(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct dci_probe_ctx ctx = {.host = "fd00::5", .port = 8004};
    size_t n = dc_probe_find("remoting")->proto->dialogue.hello(&ctx, buf, sizeof buf);
    buf[n] = '\0';
    assert_contains((char *)buf, "GET /SLNetService HTTP/1.1\r\nHost: [fd00::5]:8004\r\n");
    assert_true(memcmp(buf + n - 4, "\r\n\r\n", 4) == 0); /* no body follows */
    n = dc_probe_find("cql")->proto->dialogue.hello(&ctx, buf, sizeof buf);
    assert_int_equal(n, 9);
    assert_int_equal(buf[0], 0x04);
    assert_int_equal(buf[4], 0x05);
    assert_int_equal(dc_probe_find("jmx")->proto->dialogue.hello(&ctx, buf, sizeof buf), 7);
    assert_true(memcmp(buf, "JRMI\x00\x02\x4b", 7) == 0);
    assert_int_equal(
        dc_probe_find("opensearch-transport")->proto->dialogue.hello(&ctx, buf, sizeof buf), 6);
    assert_null(dc_probe_find("nats")->proto->dialogue.hello);
}

static const char *challenge = "";           /* the WWW-Authenticate header of the next http() */
static const char *server_name = "test/1.0"; /* its Server header */

/* A node list of NATS servers (DMAs), as the run gives it to judges that compare a route
 * table with it. */
static const struct dc_cluster *nats_cluster(const char *const *names, const char *const *addrs,
                                             size_t n)
{
    static struct dc_node nodes[8];
    static struct dc_cluster cluster;
    for (size_t i = 0; i < n && i < 8; i++)
        nodes[i] = (struct dc_node){.name = (char *)names[i],
                                    .addresses = (char **)&addrs[i],
                                    .naddresses = 1,
                                    .roles = DC_ROLE_DMA};
    cluster = (struct dc_cluster){.nodes = nodes, .nnodes = n < 8 ? n : 8};
    return &cluster;
}

static enum dci_judgement http(const char *probe, unsigned step, long status, const char *body,
                               struct dc_finding *out)
{
    static const char *const names[] = {"dma1", "dma2", "dma3"};
    static const char *const addrs[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
    struct dci_http_reply reply = {
        .status = status,
        .server = server_name,
        .content_type = strncmp(probe, "grpc", 4) == 0 ? "application/grpc" : "application/json",
        .www_authenticate = challenge,
        .body = body,
        .body_len = strlen(body),
        .cluster = nats_cluster(names, addrs, 3),
        .address = "10.0.0.1",
    };
    return dc_probe_find(probe)->proto->http.judge(step, &reply, out);
}

static void http_judges(void **state)
{
    (void)state;
    struct dc_finding r = {0};
    server_name = "Microsoft-IIS/10.0"; /* an Agent's IIS */
    /* DataMiner's gRPC test point */
    assert_int_equal(http("apigateway", 0, 200, "{\"Version\":\"10.4.2\"}", &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_contains(r.evidence, "10.4.2");
    http("apigateway", 0, 404, "", &r);
    assert_int_equal(r.state, DC_STATE_DEGRADED);
    assert_contains(r.detail, "APIGateway not running, or IIS bound only to another IP");
    http("apigateway", 0, 200, "<html>", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    /* the same over plain HTTP (a Redirect via http://.../APIGateway) */
    http("apigateway-http", 0, 200, "{\"Version\":\"10.3.0\"}", &r);
    assert_int_equal(r.state, DC_STATE_OK);
    /* BrokerGateway's API: refused without its key is the proof it runs; IIS says 404 when
     * the application is missing */
    http("brokergateway", 0, 401, "{\"error\":\"missing key\"}", &r);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_contains(r.detail, "HTTP 401 without an API key");
    http("brokergateway", 0, 404, "", &r);
    assert_int_equal(r.state, DC_STATE_DEGRADED);
    assert_contains(r.detail, "BrokerGateway not installed or not running");
    http("brokergateway", 0, 503, "", &r);
    assert_int_equal(r.state, DC_STATE_DEGRADED);
    /* the HTTPS name: any HTTP answer once the name resolved and the certificate carried it */
    http("https-name", 0, 404, "", &r);
    assert_int_equal(r.state, DC_STATE_OK);
    /* the NATS Account Server and the 9090 clash */
    /* Go's net/http (the Account Server) sends no Server header; nginx's 200 is the clash */
    server_name = "";
    http("nats-account", 0, 200, "", &r);
    assert_int_equal(r.state, DC_STATE_OK);
    server_name = "nginx/1.22.1";
    http("nats-account", 0, 200, "", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    assert_contains(r.detail, "nginx/1.22.1");
    /* APIGateway and BrokerGateway: a status from a server that is not IIS is not theirs */
    http("apigateway", 0, 404, "", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    assert_contains(r.detail, "not the Agent's IIS");
    http("brokergateway", 0, 401, "", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    server_name = "Microsoft-IIS/10.0";
    http("brokergateway", 0, 401, "", &r);
    assert_int_equal(r.state, DC_STATE_OK);
    http("apigateway", 0, 404, "", &r);
    assert_int_equal(r.state, DC_STATE_DEGRADED);
    server_name = "test/1.0";
    http("nats-account", 0, 404, "", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    assert_contains(r.detail, "known clash");
    /* OpenSearch: two steps, then the health colour */
    memset(&r, 0, sizeof r);
    assert_int_equal(http("opensearch-http", 0, 200,
                          "{\"cluster_name\":\"c\",\"version\":{\"number\":\"7.10.2\"}}", &r),
                     DCI_JUDGE_MORE);
    assert_string_equal(r.evidence, "Elasticsearch 7.10.2, cluster c");
    http("opensearch-http", 1, 200, "{\"status\":\"red\"}", &r);
    assert_int_equal(r.state, DC_STATE_DEGRADED);
    assert_true(r.severe);
    memset(&r, 0, sizeof r);
    http("opensearch-http", 1, 200, "{\"status\":\"yellow\"}", &r);
    assert_int_equal(r.state, DC_STATE_DEGRADED);
    assert_false(r.severe);
    /* a refusal is OpenSearch's only when it says so: its security plugin's challenge, or a
     * security_exception; nginx's or apache's 401/403 is another service on the port */
    challenge = "Basic realm=\"OpenSearch Security\"";
    http("opensearch-http", 0, 401, "Unauthorized", &r);
    assert_int_equal(r.state, DC_STATE_AUTH);
    challenge = "Basic realm=\"security\" charset=\"UTF-8\"";
    http("opensearch-http", 0, 401, "", &r);
    assert_int_equal(r.state, DC_STATE_AUTH);
    challenge = "";
    http("opensearch-http", 0, 403,
         "{\"error\":{\"root_cause\":[{\"type\":\"security_exception\"}]},\"status\":403}", &r);
    assert_int_equal(r.state, DC_STATE_AUTH);
    challenge = "Basic realm=\"Restricted\"";
    http("opensearch-http", 0, 401, "<html>401 Authorization Required</html>", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    assert_contains(r.detail, "not OpenSearch/Elasticsearch: Server test/1.0");
    challenge = "";
    http("opensearch-http", 0, 403, "<html>Forbidden</html>", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    http("opensearch-http", 0, 200, "{\"truncated", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    /* NATS monitoring: pooled routes count once; dma3 has no route at all */
    memset(&r, 0, sizeof r);
    assert_int_equal(http("nats-monitor", 0, 200,
                          "{\"server_id\":\"S1\",\"version\":\"2.9.10\",\"server_name\":\"dma1\"}",
                          &r),
                     DCI_JUDGE_MORE);
    http("nats-monitor", 1, 200,
         "{\"routes\":[{\"remote_id\":\"S2\",\"ip\":\"10.0.0.2\"},"
         "{\"remote_id\":\"S2\",\"ip\":\"10.0.0.2\"}]}",
         &r);
    assert_contains(r.evidence, "routes to 1 peer");
    assert_int_equal(r.state, DC_STATE_DEGRADED);
    assert_contains(r.detail, "no route to dma3");
    http("nats-monitor", 0, 200, "{\"no\":\"id\"}", &r);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
}

/* One nats-monitor run towards dmaN (1..3), whose /routez lists the ids in `routes`, every
 * route seen from 127.0.0.1 (a loopback lab: the node list's addresses never match), then
 * kept as the revise step will see it. */
static void monitor_row(int n, const char *routes, struct dci_revision *row, char *facts,
                        size_t cap)
{
    static const char *const names[] = {"dma1", "dma2", "dma3"};
    static const char *const addrs[] = {"127.0.1.1", "127.0.1.2", "127.0.1.3"};
    const struct dc_probe_ops *ops = dc_probe_find("nats-monitor");
    assert_non_null(ops->proto->revise);
    memset(row, 0, sizeof *row);
    facts[0] = '\0';
    row->finding.facts = facts;
    row->finding.facts_cap = cap;
    char varz[128], routez[512] = "{\"routes\":[";
    snprintf(varz, sizeof varz, "{\"server_id\":\"S%d\",\"version\":\"2.9.10\"}", n);
    for (const char *id = routes; *id; id++) {
        size_t len = strlen(routez);
        snprintf(routez + len, sizeof routez - len,
                 "%s{\"remote_id\":\"S%c\",\"ip\":\"127.0.0.1\"}", id == routes ? "" : ",", *id);
    }
    strcat(routez, "]}");
    struct dci_http_reply reply = {.status = 200,
                                   .server = "",
                                   .content_type = "",
                                   .www_authenticate = "",
                                   .cluster = nats_cluster(names, addrs, 3),
                                   .address = addrs[n - 1]};
    reply.body = varz;
    reply.body_len = strlen(varz);
    assert_int_equal(ops->proto->http.judge(0, &reply, &row->finding), DCI_JUDGE_MORE);
    reply.body = routez;
    reply.body_len = strlen(routez);
    assert_int_equal(ops->proto->http.judge(1, &reply, &row->finding), DCI_JUDGE_DONE);
    row->dst_name = names[n - 1];
    row->facts = facts;
}

/* nats-monitor: routes whose address is not the node list's are matched to their peer by
 * server id once the run's /varz answers are in (nats-server's /routez gives remote_id and
 * the connection's ip only: server/monitor.go's RouteInfo) */
static void nats_routes_by_identity(void **state)
{
    (void)state;
    const struct dc_probe_ops *ops = dc_probe_find("nats-monitor");
    struct dci_revision rows[3];
    char facts[3][1024];
    /* healthy: every server routes to the other two, none from its listed address */
    monitor_row(1, "23", &rows[0], facts[0], sizeof facts[0]);
    monitor_row(2, "13", &rows[1], facts[1], sizeof facts[1]);
    monitor_row(3, "12", &rows[2], facts[2], sizeof facts[2]);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rows[i].finding.state, DC_STATE_DEGRADED); /* by address alone */
    ops->proto->revise(rows, 3);
    for (int i = 0; i < 3; i++) {
        assert_true(rows[i].changed);
        assert_int_equal(rows[i].finding.state, DC_STATE_OK);
        assert_contains(rows[i].finding.detail, "routes matched by server id");
    }
    /* the route dma1 - dma3 is cut: both ends say so, dma2 is whole */
    monitor_row(1, "2", &rows[0], facts[0], sizeof facts[0]);
    monitor_row(2, "13", &rows[1], facts[1], sizeof facts[1]);
    monitor_row(3, "2", &rows[2], facts[2], sizeof facts[2]);
    ops->proto->revise(rows, 3);
    assert_int_equal(rows[0].finding.state, DC_STATE_DEGRADED);
    assert_string_equal(rows[0].finding.detail, "NATS has no route to dma3 (of the node list)");
    assert_int_equal(rows[2].finding.state, DC_STATE_DEGRADED);
    assert_string_equal(rows[2].finding.detail, "NATS has no route to dma1 (of the node list)");
    assert_int_equal(rows[1].finding.state, DC_STATE_OK);
    /* a route one end lists is the route (the other end's table was read a moment later) */
    monitor_row(1, "23", &rows[0], facts[0], sizeof facts[0]);
    monitor_row(2, "13", &rows[1], facts[1], sizeof facts[1]);
    monitor_row(3, "1", &rows[2], facts[2], sizeof facts[2]);
    ops->proto->revise(rows, 3);
    assert_int_equal(rows[0].finding.state, DC_STATE_OK);
    assert_int_equal(rows[1].finding.state, DC_STATE_OK);
    assert_int_equal(rows[2].finding.state, DC_STATE_OK);
    /* dma3's monitoring was not reached in this run: its id is unknown, the address decides */
    monitor_row(1, "23", &rows[0], facts[0], sizeof facts[0]);
    monitor_row(2, "13", &rows[1], facts[1], sizeof facts[1]);
    ops->proto->revise(rows, 2);
    assert_int_equal(rows[0].finding.state, DC_STATE_DEGRADED);
    assert_string_equal(rows[0].finding.detail, "NATS has no route to dma3 (of the node list)");
    /* without room for facts (the driver gave none) the judge still judges by address */
    struct dc_finding bare = {0};
    http("nats-monitor", 0, 200, "{\"server_id\":\"S1\",\"version\":\"2.9.10\"}", &bare);
    http("nats-monitor", 1, 200, "{\"routes\":[{\"remote_id\":\"S2\",\"ip\":\"10.0.0.2\"}]}",
         &bare);
    assert_int_equal(bare.state, DC_STATE_DEGRADED);
    assert_contains(bare.detail, "no route to dma3");
}

/* A gRPC server's bytes for the health probe's request, made by an nghttp2 server session
 * that first reads the probe's own hello (RFC 9113 frames; PROTOCOL-HTTP2.md for gRPC):
 * mode 1 SERVING, 2 NOT_SERVING (headers, a length-prefixed HealthCheckResponse, trailers
 * with grpc-status 0); 12 a trailers-only UNIMPLEMENTED followed by RST_STREAM(NO_ERROR), as
 * grpcio answers for a service it lacks; 404 an HTTP/2 web server's text/html 404. */
static ssize_t grpc_message(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t len,
                            uint32_t *flags, nghttp2_data_source *src, void *ud)
{
    (void)ud;
    const uint8_t *msg = src->ptr; /* the length-prefixed message, 7 bytes */
    assert_true(len >= 7);
    memcpy(buf, msg, 7);
    /* the trailers end the stream: submitted once the data is out (nghttp2_submit_trailer) */
    static const nghttp2_nv trailers[] = {{(uint8_t *)"grpc-status", (uint8_t *)"0", 11, 1, 0}};
    *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    assert_int_equal(nghttp2_submit_trailer(s, stream, trailers, 1), 0);
    return 7;
}

#define NV(n, v)                                                                                   \
    {                                                                                              \
        (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, 0                            \
    }

static size_t grpc_server(const char *probe, int mode, uint8_t *out, size_t cap)
{
    struct dci_probe_ctx ctx = {.host = "10.0.0.5", .port = 443};
    uint8_t hello[512];
    size_t hlen = dc_probe_find(probe)->proto->dialogue.hello(&ctx, hello, sizeof hello);
    assert_true(hlen > 24 && memcmp(hello, NGHTTP2_CLIENT_MAGIC, 24) == 0);
    nghttp2_session_callbacks *cb;
    nghttp2_session *s;
    assert_int_equal(nghttp2_session_callbacks_new(&cb), 0);
    assert_int_equal(nghttp2_session_server_new(&s, cb, NULL), 0);
    nghttp2_session_callbacks_del(cb);
    /* the server's preface (its SETTINGS) is its first frame (RFC 9113 section 3.4) */
    assert_int_equal(nghttp2_submit_settings(s, 0, NULL, 0), 0);
    assert_int_equal(nghttp2_session_mem_recv(s, hello, hlen), (ssize_t)hlen);
    const nghttp2_nv grpc_head[] = {NV(":status", "200"), NV("content-type", "application/grpc")};
    const nghttp2_nv unimplemented[] = {NV(":status", "200"),
                                        NV("content-type", "application/grpc"),
                                        NV("grpc-status", "12"), NV("grpc-message", "")};
    const nghttp2_nv web[] = {NV(":status", "404"), NV("content-type", "text/html")};
    /* the length-prefixed HealthCheckResponse: not compressed, 2 bytes, field 1 = mode */
    uint8_t message[7] = {0, 0, 0, 0, 2, 0x08, (uint8_t)mode};
    nghttp2_data_provider body = {.source.ptr = message, .read_callback = grpc_message};
    if (mode == 1 || mode == 2) {
        assert_int_equal(nghttp2_submit_response(s, 1, grpc_head, 2, &body), 0);
    } else if (mode == 12) {
        assert_int_equal(
            nghttp2_submit_headers(s, NGHTTP2_FLAG_END_STREAM, 1, NULL, unimplemented, 4, NULL), 0);
    } else {
        assert_int_equal(nghttp2_submit_response(s, 1, web, 2, NULL), 0);
    }
    size_t n = 0;
    const uint8_t *data;
    ssize_t len;
    for (int round = 0; round < 2; round++) {
        while ((len = nghttp2_session_mem_send(s, &data)) > 0) {
            assert_true(n + (size_t)len <= cap);
            memcpy(out + n, data, (size_t)len);
            n += (size_t)len;
        }
        /* then the reset that asks the client to stop sending, after the answer */
        if (mode != 12 || round == 1)
            break;
        assert_int_equal(nghttp2_submit_rst_stream(s, 0, 1, NGHTTP2_NO_ERROR), 0);
    }
    nghttp2_session_del(s);
    return n;
}

/* gRPC health over HTTP/2 bytes (PROTOCOL-HTTP2.md, health-checking.md, RFC 9113) */
static void grpc_health(void **state)
{
    (void)state;
    uint8_t reply[1024];
    struct dc_finding r;
    size_t n = grpc_server("grpc-health", 1, reply, sizeof reply);
    expect_state("grpc-health", reply, n, DC_STATE_OK, "gRPC health: SERVING");
    /* every cut of the exchange waits for more, and is never ok once the peer closed */
    for (size_t cut = 0; cut < n; cut++) {
        assert_int_equal(judge("grpc-health", reply, cut, false, &r), DCI_JUDGE_MORE);
        assert_int_equal(judge("grpc-health", reply, cut, true, &r), DCI_JUDGE_DONE);
        assert_int_not_equal(r.state, DC_STATE_OK);
    }
    n = grpc_server("grpc-health", 2, reply, sizeof reply);
    expect_state("grpc-health", reply, n, DC_STATE_DEGRADED, "NOT_SERVING");
    /* the answer that arrives before the request is read, then the reset (RFC 9113 8.1) */
    n = grpc_server("grpc-health", 12, reply, sizeof reply);
    assert_int_equal(judge("grpc-health", reply, n, false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_OK);
    assert_contains(r.detail, "no health service");
    n = grpc_server("grpc-health", 404, reply, sizeof reply);
    expect_state("grpc-health", reply, n, DC_STATE_WRONG_SERVICE, "without gRPC framing");
    /* the TLS variant's request says https; its answers read the same */
    n = grpc_server("grpc-health-tls", 1, reply, sizeof reply);
    expect_state("grpc-health-tls", reply, n, DC_STATE_OK, "SERVING");
    assert_string_equal(dc_probe_find("grpc-health-tls")->alpn, "h2");
    /* not HTTP/2 at all */
    static const char http1[] = "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n";
    expect_state("grpc-health", http1, strlen(http1), DC_STATE_WRONG_SERVICE, "HTTP/1.1 400");
    expect_state("grpc-health", "", 0, DC_STATE_WRONG_SERVICE, "no HTTP/2 answer");
    /* a first frame that is not the server's SETTINGS (RFC 9113 3.4): not an HTTP/2 server */
    static const uint8_t ack_first[] = {0, 0, 0, 4, 1, 0, 0, 0, 0};
    assert_int_equal(judge("grpc-health", ack_first, sizeof ack_first, false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    /* SETTINGS, then a header block HPACK refuses (index 0: RFC 7541 6.1): a connection error */
    static const uint8_t bad_hpack[] = {0,   0, 0, 4, 0, 0, 0, 0, 0, /* SETTINGS, empty */
                                        0,   0, 1, 1, 4, 0, 0, 0, 1, /* HEADERS, END_HEADERS */
                                        0x80};
    assert_int_equal(judge("grpc-health", bad_hpack, sizeof bad_hpack, false, &r), DCI_JUDGE_DONE);
    assert_int_equal(r.state, DC_STATE_WRONG_SERVICE);
    assert_contains(r.detail, "broke the HTTP/2 connection");
}

/* The request leaves in one write: the magic, SETTINGS, HEADERS, DATA with END_STREAM. */
static void grpc_health_hello(void **state)
{
    (void)state;
    struct dci_probe_ctx ctx = {.host = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .port = 65535};
    uint8_t hello[512];
    size_t n = dc_probe_find("grpc-health")->proto->dialogue.hello(&ctx, hello, sizeof hello);
    assert_true(n > 0 && n <= 192); /* the dialogue driver's hello buffer (HELLO_MAX) */
    assert_memory_equal(hello, NGHTTP2_CLIENT_MAGIC, 24);
    /* the last frame: DATA (type 0) of 5 bytes with END_STREAM (0x1) on stream 1, empty */
    const uint8_t *last = hello + n - 14;
    static const uint8_t data_frame[] = {0, 0, 5, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    assert_memory_equal(last, data_frame, sizeof data_frame);
    /* too small a buffer: nothing rather than a cut request */
    assert_int_equal(dc_probe_find("grpc-health")->proto->dialogue.hello(&ctx, hello, 60), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cql),
        cmocka_unit_test(nats),
        cmocka_unit_test(telnet),
        cmocka_unit_test(opensearch_transport),
        cmocka_unit_test(remoting),
        cmocka_unit_test(jmx),
        cmocka_unit_test(hellos),
        cmocka_unit_test(http_judges),
        cmocka_unit_test(grpc_health),
        cmocka_unit_test(nats_routes_by_identity),
        cmocka_unit_test(remoting_tcp_hello),
        cmocka_unit_test(grpc_health_hello),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
