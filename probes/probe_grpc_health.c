/* probes/probe_grpc_health.c — the standard gRPC health-checking service
 * (grpc.health.v1.Health/Check, grpc/grpc doc/health-checking.md): a unary call over HTTP/2
 * with an empty HealthCheckRequest (service "": the server as a whole). The answer is a
 * length-prefixed message (PROTOCOL-HTTP2.md: 1 byte compressed flag, 4 bytes length) holding
 * HealthCheckResponse { ServingStatus status = 1; } — 1 SERVING, 2 NOT_SERVING,
 * 3 SERVICE_UNKNOWN; grpc-status 12 (UNIMPLEMENTED) means no health service. */
#include "dmsconn/probe.h"
#include "probe_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* an uncompressed, empty message: flag 0, length 0 */
static const uint8_t empty_request[5] = {0, 0, 0, 0, 0};

static const char *status_name(unsigned long s)
{
    static const char *const names[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    return s < 4 ? names[s] : "?";
}

static enum dc_judgement health_judge(unsigned step, const struct dc_http_reply *reply,
                                      struct dc_finding *out)
{
    (void)step;
    if (!reply->grpc_status[0] || strncmp(reply->content_type, "application/grpc", 16) != 0) {
        out->state = DC_STATE_WRONG_SERVICE;
        snprintf(out->detail, sizeof out->detail, "HTTP %ld without gRPC framing: not gRPC",
                 reply->status);
        return DC_JUDGE_DONE;
    }
    long grpc_status = strtol(reply->grpc_status, NULL, 10);
    if (grpc_status == 12) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail,
                 "gRPC answers; it has no health service (UNIMPLEMENTED)");
        return DC_JUDGE_DONE;
    }
    const uint8_t *b = (const uint8_t *)reply->body;
    /* prefix, then field 1 (tag 0x08) as a one-byte varint */
    if (grpc_status != 0 || reply->body_len < 7 || b[0] != 0 ||
        dc_be32(b + 1) + 5 > reply->body_len || b[5] != 0x08 || b[6] > 0x7f) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail, "health check failed: grpc-status %ld",
                 grpc_status);
        return DC_JUDGE_DONE;
    }
    unsigned long s = b[6];
    out->state = s == 1 ? DC_STATE_OK : DC_STATE_DEGRADED;
    snprintf(out->detail, sizeof out->detail, "gRPC health: %s", status_name(s));
    return DC_JUDGE_DONE;
}

static const char *const health_path[] = {"/grpc.health.v1.Health/Check", NULL};
static const uint16_t grpc_ports[] = {443, 0};

const struct dc_probe_ops dc_probe_grpc_health = {
    .name = "grpc-health",
    .summary = "gRPC health service (grpc.health.v1.Health/Check) over h2c",
    .default_ports = grpc_ports,
    .transport = DC_TRANSPORT_TCP,
    .driver = DC_DRIVER_HTTP,
    .paths = health_path,
    .grpc = true,
    .request = empty_request,
    .request_len = sizeof empty_request,
    .judge_http = health_judge,
    .max_reply = 1024,
};

const struct dc_probe_ops dc_probe_grpc_health_tls = {
    .name = "grpc-health-tls",
    .summary = "gRPC health service over HTTPS (HTTP/2 by ALPN)",
    .default_ports = grpc_ports,
    .transport = DC_TRANSPORT_TCP,
    .driver = DC_DRIVER_HTTP,
    .paths = health_path,
    .https = true,
    .grpc = true,
    .request = empty_request,
    .request_len = sizeof empty_request,
    .judge_http = health_judge,
    .max_reply = 1024,
};
