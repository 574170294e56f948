/* BrokerGateway's node list, Configurations/ClusterEndpoints.json (DataMiner 10.5 on): one
 * endpoint per DMA, and the Failover virtual IPs it may also be reached on. Its presence alone
 * says that BrokerGateway manages NATS. Each endpoint's IgnitionValue is a secret: it is never
 * read into anything, let alone printed. */
#include "dmsconn/inventory.h"
#include "base/text_utf8.h"
#include "base/base_private.h"
#include "inputs/inputs_private.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* cJSON is case-sensitive; DataMiner's keys are compared without case, as .NET reads them. */
static const cJSON *member(const cJSON *object, const char *name)
{
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, object)
    {
        if (item->string && strcasecmp(item->string, name) == 0)
            return item;
    }
    return NULL;
}

/* Which line of the file an endpoint object starts on, for messages. */
struct locator {
    const char *text;
    size_t from;
};

static long endpoint_line(struct locator *loc, size_t index)
{
    /* the n-th '{' after "Endpoints": good enough for messages, exact for DataMiner's layout */
    const char *p = loc->text + loc->from;
    for (size_t seen = 0; *p; p++) {
        if (*p == '{' && seen++ == index)
            break;
    }
    return dci_text_line(loc->text, (size_t)(p - loc->text));
}

/* A VIP shared by two DMAs marks them as one Failover pair. */
static int add_vip(struct dc_cluster *cluster, size_t dma, const char *vip, const char *where,
                   uint32_t *pairs, struct dc_diag *diag)
{
    struct dc_node *buddy = &cluster->nodes[dma];
    long existing = dc_cluster_find(cluster, vip);
    uint32_t failover = buddy->failover;
    if (existing >= 0 && cluster->nodes[existing].roles & DC_ROLE_FAILOVER_VIP)
        failover = cluster->nodes[existing].failover;
    if (!failover)
        failover = ++*pairs;
    buddy->failover = failover;
    if (existing < 0) {
        int rc = dc_cluster_add(cluster, vip, vip, DC_ROLE_FAILOVER_VIP, where, diag);
        if (rc)
            return rc;
        existing = (long)cluster->nnodes - 1;
    } else if (!(cluster->nodes[existing].roles & DC_ROLE_FAILOVER_VIP)) {
        dc_diag_set(diag,
                    "%s: AdditionalEndpoints %s is also a DMA's own address; expected a "
                    "Failover virtual IP",
                    where, vip);
        return DC_EINVAL;
    }
    cluster->nodes[existing].failover = failover;
    return 0;
}

static int read_endpoint(struct dc_cluster *cluster, const cJSON *ep, const char *where,
                         uint32_t *pairs, struct dc_diag *diag)
{
    const cJSON *ip = member(ep, "IP");
    if (!cJSON_IsString(ip) || !ip->valuestring[0]) {
        dc_diag_set(diag, "%s: endpoint without \"IP\"; expected {\"IP\": \"10.0.0.11\", ...}",
                    where);
        return DC_EPARSE;
    }
    if (!dc_address_valid(ip->valuestring)) {
        dc_diag_set(diag, "%s: \"IP\": \"%s\"; expected an IP address or a hostname", where,
                    ip->valuestring);
        return DC_EINVAL;
    }
    int rc = dc_cluster_add(cluster, ip->valuestring, ip->valuestring, DC_ROLE_DMA, where, diag);
    if (rc)
        return rc;
    size_t dma = (size_t)dc_cluster_find(cluster, ip->valuestring);
    const cJSON *extra = member(ep, "AdditionalEndpoints");
    if (extra && !cJSON_IsArray(extra) && !cJSON_IsNull(extra)) {
        dc_diag_set(diag, "%s: \"AdditionalEndpoints\"; expected a list of addresses", where);
        return DC_EPARSE;
    }
    const cJSON *vip = NULL;
    cJSON_ArrayForEach(vip, extra)
    {
        if (!cJSON_IsString(vip) || !dc_address_valid(vip->valuestring)) {
            dc_diag_set(diag, "%s: \"AdditionalEndpoints\"; expected addresses as strings", where);
            return DC_EPARSE;
        }
        rc = add_vip(cluster, dma, vip->valuestring, where, pairs, diag);
        if (rc)
            return rc;
    }
    return 0;
}

int dc_inventory_parse_endpoints(struct dc_cluster *cluster, const char *data, size_t len,
                                 const char *origin, struct dc_diag *diag)
{
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(data, len, &end, false);
    int rc = 0;
    if (!doc) {
        size_t at = end ? (size_t)(end - data) : 0;
        dc_diag_set(diag, "%s:%ld: not valid JSON; expected {\"Endpoints\": [...]}", origin,
                    dci_text_line(data, at));
        return DC_EPARSE;
    }
    const cJSON *list = member(doc, "Endpoints");
    if (!cJSON_IsArray(list)) {
        dc_diag_set(diag, "%s:1: no \"Endpoints\" list; expected {\"Endpoints\": [{\"IP\": ...}]}",
                    origin);
        rc = DC_EPARSE;
        goto out;
    }
    struct locator loc = {data, 0};
    const char *key = strstr(data, "ndpoints\"");
    loc.from = key ? (size_t)(key - data) : 0;
    uint32_t pairs = 0;
    for (size_t i = 0; i < cluster->nnodes; i++)
        pairs = cluster->nodes[i].failover > pairs ? cluster->nodes[i].failover : pairs;
    size_t index = 0;
    const cJSON *ep = NULL;
    cJSON_ArrayForEach(ep, list)
    {
        char where[300];
        snprintf(where, sizeof where, "%s:%ld", origin, endpoint_line(&loc, index++));
        rc = cJSON_IsObject(ep) ? read_endpoint(cluster, ep, where, &pairs, diag) : DC_EPARSE;
        if (rc == DC_EPARSE && !cJSON_IsObject(ep))
            dc_diag_set(diag, "%s: an endpoint that is not an object; expected {\"IP\": ...}",
                        where);
        if (rc)
            goto out;
    }
    if (index == 0) {
        dc_diag_set(diag, "%s: \"Endpoints\" is empty; expected at least one DMA", origin);
        rc = DC_EPARSE;
    }
out:
    cJSON_Delete(doc);
    return rc;
}

int dci_inventory_read_endpoints(struct dc_cluster *cluster, const char *path, struct dc_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc = dci_read_text_file(path, &data, &len, diag); /* UTF-16 from Windows too */
    if (!rc)
        rc = dc_inventory_parse_endpoints(cluster, data, len, path, diag);
    free(data);
    return rc;
}
