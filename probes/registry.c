/* The one table of probes: adding a protocol is one file plus one line here. */
#include "dmsconn/probe.h"

#include <stdio.h>
#include <string.h>

extern const struct dc_probe_ops dci_probe_tcp;
extern const struct dc_probe_ops dci_probe_cql;
extern const struct dc_probe_ops dci_probe_jmx;
extern const struct dc_probe_ops dci_probe_nats;
extern const struct dc_probe_ops dci_probe_opensearch_transport;
extern const struct dc_probe_ops dci_probe_remoting;
extern const struct dc_probe_ops dci_probe_remoting_tcp;
extern const struct dc_probe_ops dci_probe_telnet;
extern const struct dc_probe_ops dci_probe_http;
extern const struct dc_probe_ops dci_probe_https;
extern const struct dc_probe_ops dci_probe_apigateway;
extern const struct dc_probe_ops dci_probe_cloudgateway;
extern const struct dc_probe_ops dci_probe_nats_monitor;
extern const struct dc_probe_ops dci_probe_nats_account;
extern const struct dc_probe_ops dci_probe_opensearch_http;
extern const struct dc_probe_ops dci_probe_snmp;
extern const struct dc_probe_ops dci_probe_nats_messaging;
extern const struct dc_probe_ops dci_probe_cql_tls;
extern const struct dc_probe_ops dci_probe_tls;
extern const struct dc_probe_ops dci_probe_grpc_health;
extern const struct dc_probe_ops dci_probe_grpc_health_tls;
extern const struct dc_probe_ops dci_probe_apigateway_http;
extern const struct dc_probe_ops dci_probe_brokergateway;
extern const struct dc_probe_ops dci_probe_opensearch_https;
extern const struct dc_probe_ops dci_probe_https_name;

/* One probe per line. */
/* clang-format off */
const struct dc_probe_ops *const dc_probes[] = {
    &dci_probe_tcp,
    &dci_probe_remoting,
    &dci_probe_remoting_tcp,
    &dci_probe_nats,
    &dci_probe_cql,
    &dci_probe_jmx,
    &dci_probe_opensearch_transport,
    &dci_probe_telnet,
    &dci_probe_http,
    &dci_probe_https,
    &dci_probe_apigateway,
    &dci_probe_cloudgateway,
    &dci_probe_nats_monitor,
    &dci_probe_nats_account,
    &dci_probe_opensearch_http,
    &dci_probe_snmp,
    &dci_probe_nats_messaging,
    &dci_probe_cql_tls,
    &dci_probe_tls,
    &dci_probe_grpc_health,
    &dci_probe_grpc_health_tls,
    &dci_probe_apigateway_http,
    &dci_probe_brokergateway,
    &dci_probe_opensearch_https,
    &dci_probe_https_name,
    NULL,
};
/* clang-format on */

const struct dc_probe_ops *dc_probe_find(const char *name)
{
    for (const struct dc_probe_ops *const *p = dc_probes; *p; p++) {
        if (strcmp((*p)->name, name) == 0)
            return *p;
    }
    return NULL;
}

char *dc_probe_names(char *buf, size_t cap)
{
    size_t len = 0;
    if (cap)
        buf[0] = '\0';
    for (const struct dc_probe_ops *const *p = dc_probes; *p && len < cap; p++) {
        int n = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", (*p)->name);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return buf;
}

const struct dc_probe_ops *dc_probe_with_secret(const char *name)
{
    for (size_t i = 0; name && dc_probes[i]; i++) {
        if (dc_probes[i]->proto->secret && strcmp(dc_probes[i]->proto->secret, name) == 0)
            return dc_probes[i];
    }
    return NULL;
}

char *dc_probe_secret_names(char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; dc_probes[i]; i++) {
        const struct dc_probe_ops *p = dc_probes[i];
        if (!p->proto->secret || dc_probe_with_secret(p->proto->secret) != p)
            continue; /* each name once */
        int w = snprintf(buf + n, cap - n, "%s%s (%s)", n ? ", " : "", p->proto->secret,
                         p->proto->secret_form ? p->proto->secret_form : "a secret");
        if (w < 0 || (size_t)w >= cap - n)
            break;
        n += (size_t)w;
    }
    return buf;
}
