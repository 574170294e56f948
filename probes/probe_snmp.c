/* probes/probe_snmp.c — SNMP (161/udp): a v2c GET of sysDescr.0 and sysUpTime.0 (numeric
 * OIDs, RFC 3418) answered by the agent; an SNMPv3 engine-ID discovery (RFC 3414 4.)
 * tells a refused community (auth) from no agent. The engine's SNMP driver does the work
 * on net-snmp; this table only names it. */
#include "dmsconn/probe.h"

static const uint16_t snmp_ports[] = {161, 0};

const struct dc_probe_ops dc_probe_snmp = {
    .name = "snmp",
    .summary = "SNMP: the agent answers GET sysDescr/sysUpTime (v2c); v3 discovery tells auth",
    .default_ports = snmp_ports,
    .transport = DC_TRANSPORT_UDP,
    .driver = DC_DRIVER_SNMP,
};
