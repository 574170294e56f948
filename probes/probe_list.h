/* Every probe of the registry, one line each: X(name) is the `struct dc_probe_ops
 * dci_probe_name` its file under probes/ defines. Adding a probe is its file and its line
 * here; tests/structure fails when a probe file defines a dci_probe_ the registry lacks. The
 * order is the order of `dmsconn profile show` and of the names a message lists. */
#ifndef DMSCONN_PROBE_LIST_H
#define DMSCONN_PROBE_LIST_H

#include "dmsconn/probe.h"

/* clang-format off */
#define DCI_PROBE_LIST(X) \
    X(tcp)                \
    X(remoting)           \
    X(remoting_tcp)       \
    X(nats)               \
    X(cql)                \
    X(jmx)                \
    X(opensearch_transport) \
    X(telnet)             \
    X(http)               \
    X(https)              \
    X(apigateway)         \
    X(cloudgateway)       \
    X(nats_monitor)       \
    X(nats_account)       \
    X(opensearch_http)    \
    X(snmp)               \
    X(nats_messaging)     \
    X(cql_tls)            \
    X(tls)                \
    X(grpc_health)        \
    X(grpc_health_tls)    \
    X(apigateway_http)    \
    X(brokergateway)      \
    X(opensearch_https)   \
    X(https_name)         \
    X(icmp)
/* clang-format on */

/* Each probe's declaration, so that a probe's own file (its self-test) and the registry can
 * name it before its definition. */
#define DCI_PROBE_DECLARE(name) extern const struct dc_probe_ops dci_probe_##name;
DCI_PROBE_LIST(DCI_PROBE_DECLARE)
#undef DCI_PROBE_DECLARE

#endif
