/* probes/probe_tcp.c — a TCP connect: the handshake completing is the whole proof. */
#include "dmsconn/probe.h"

static const uint16_t tcp_ports[] = {0};

static const struct dc_protocol tcp_protocol = {
    .driver = DC_DRIVER_DIALOGUE, /* connect only: no hello, no judge */
};

const struct dc_probe_ops dci_probe_tcp = {
    .name = "tcp",
    .summary = "TCP connect: the port accepts connections (no protocol check)",
    .default_ports = tcp_ports,
    .transport = DC_TRANSPORT_TCP,
    .proto = &tcp_protocol,
};
