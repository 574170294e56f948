/* probes/probe_tcp.c — a TCP connect: the handshake completing is the whole proof. */
#include "dmsconn/probe.h"
#include "probes/probe.h"

static const struct dci_protocol tcp_protocol = {
    .driver = DCI_DRIVER_DIALOGUE, /* connect only: no hello, no judge */
};

const struct dc_probe_ops dci_probe_tcp = {
    .name = "tcp",
    .summary = "TCP connect: the port accepts connections (no protocol check)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &tcp_protocol,
};
