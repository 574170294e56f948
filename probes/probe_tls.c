/* probes/probe_tls.c — a TLS handshake and nothing more: for TLS ports whose protocol we do
 * not speak (Cassandra internode over TLS, 7001). The certificate is checked like every
 * HTTPS probe's (--ca, --tls-insecure); evidence: protocol version and the subject's CN. */
#include "dmsconn/probe.h"
#include "probes/probe.h"

static const struct dci_protocol tls_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
};

const struct dc_probe_ops dci_probe_tls = {
    .name = "tls",
    .summary = "TLS: the handshake completes (certificate checked)",
    .transport = DC_TRANSPORT_TCP,
    .tls = true,
    .proto = &tls_protocol,
};
