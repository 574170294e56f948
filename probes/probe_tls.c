/* probes/probe_tls.c — a TLS handshake and nothing more: for TLS ports whose protocol we do
 * not speak (Cassandra internode over TLS, 7001). The certificate is checked like every
 * HTTPS probe's (--ca, --tls-insecure); evidence: protocol version and the subject's CN. */
#include "dmsconn/probe.h"

static const uint16_t tls_ports[] = {7001, 0};

static const struct dc_protocol tls_protocol = {
    .driver = DC_DRIVER_DIALOGUE,
};

const struct dc_probe_ops dci_probe_tls = {
    .name = "tls",
    .summary = "TLS: the handshake completes (certificate checked)",
    .default_ports = tls_ports,
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .proto = &tls_protocol,
};
