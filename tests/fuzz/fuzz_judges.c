/* Fuzz target: every protocol judge on bytes a peer could send — the dialogue judges (CQL
 * frames, NATS INFO, Remoting, transport, JMX, Telnet) and the HTTP judges (routez/varz,
 * OpenSearch health, APIGateway version, NAS, gRPC health). The first byte picks the probe
 * and whether the peer closed; for HTTP the second and third give the status. */
#include "dmsconn/probe.h"
#include "fuzz_util.h"
#include "probes/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nprobes = 0;
    while (dc_probes[nprobes])
        nprobes++;
    if (size < 3)
        return 0;
    const struct dc_probe_ops *ops = dc_probes[data[0] % nprobes];
    bool closed = data[0] & 0x80;
    struct dc_finding r = {0};
    if (ops->proto->dialogue.judge) {
        ops->proto->dialogue.judge(data + 1, size - 1, closed, &r);
    } else if (ops->proto->http.judge) {
        static char *addrs[] = {"10.0.0.1", "10.0.0.2"};
        static struct dc_node nodes[] = {
            {.name = "a", .addresses = &addrs[0], .naddresses = 1, .roles = DC_ROLE_DMA},
            {.name = "b", .addresses = &addrs[1], .naddresses = 1, .roles = DC_ROLE_DMA},
        };
        static const struct dc_cluster cluster = {.nodes = nodes, .nnodes = 2};
        char *body = fuzz_text(data + 3, size - 3);
        if (!body)
            return 0;
        struct dci_http_reply reply = {
            .status = (long)(data[1] << 8 | data[2]) % 600,
            .server = "fuzz",
            .content_type = data[1] & 1 ? "application/grpc" : "application/json",
            .body = body,
            .body_len = size - 3,
            .cluster = &cluster,
            .address = "10.0.0.1",
        };
        for (unsigned step = 0; ops->proto->http.paths && ops->proto->http.paths[step]; step++) {
            if (ops->proto->http.judge(step, &reply, &r) == DCI_JUDGE_DONE)
                break;
        }
        free(body);
    }
    return 0;
}
