/* DataMiner's DMS.xml: the DMAs of the cluster and, per DMA, Remoting or gRPC (Redirects). */
#include "dmsconn/inventory.h"
#include "xml_safe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A Redirect's `via` decides how other DMAs reach `to` (DATAMINER-FILES.md):
 *   https://IP[:PORT]/APIGateway -> gRPC on 443 or PORT; http://... -> gRPC on 80 or PORT
 *   http(s)://IP:PORT/SLNetService -> .NET Remoting on PORT
 *   auto://...                    -> DataMiner picks; gRPC is what it prefers (443)
 *   empty                         -> credentials only: Remoting stays.
 * Returns false when `via` has none of these forms. */
static bool parse_via(const char *via, enum dc_link *link, uint16_t *port)
{
    if (!via || !*via) {
        *link = DC_LINK_REMOTING;
        *port = 0;
        return true;
    }
    uint16_t default_port;
    const char *rest;
    if (strncasecmp(via, "https://", 8) == 0) {
        default_port = 443;
        rest = via + 8;
    } else if (strncasecmp(via, "http://", 7) == 0) {
        default_port = 80;
        rest = via + 7;
    } else if (strncasecmp(via, "auto://", 7) == 0) {
        *link = DC_LINK_GRPC;
        *port = 443;
        return true;
    } else {
        return false;
    }
    const char *path = strchr(rest, '/');
    size_t hostlen = path ? (size_t)(path - rest) : strlen(rest);
    /* The port follows the last ':' unless that ':' is inside an IPv6 literal "[...]". */
    const char *colon = NULL;
    for (size_t i = 0; i < hostlen; i++) {
        if (rest[i] == ':')
            colon = rest + i;
        else if (rest[i] == ']')
            colon = NULL;
    }
    *port = default_port;
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (end != rest + hostlen || p < 1 || p > 65535)
            return false;
        *port = (uint16_t)p;
    }
    bool remoting = path && strcasestr(path, "SLNetService") != NULL;
    *link = remoting ? DC_LINK_REMOTING : DC_LINK_GRPC;
    if (remoting && !colon)
        *port = 8004;
    return true;
}

static int apply_redirect(struct dc_cluster *cluster, const xmlNode *el, const char *origin,
                          struct dc_diag *diag)
{
    int rc = 0;
    char *to = dc_xml_attr(el, "to");
    char *via = dc_xml_attr(el, "via");
    enum dc_link link;
    uint16_t port;
    long line = xmlGetLineNo(el);
    if (!to || !*to) {
        dc_diag_set(diag, "%s:%ld: <Redirect> has no 'to' attribute; expected to=\"IP\" or \"*\"",
                    origin, line);
        rc = DC_EPARSE;
        goto out;
    }
    if (!parse_via(via, &link, &port)) {
        dc_diag_set(diag,
                    "%s:%ld: <Redirect via=\"%s\">: expected https://HOST[:PORT]/APIGateway, "
                    "http://HOST:PORT/SLNetService, auto://... or empty",
                    origin, line, via);
        rc = DC_EPARSE;
        goto out;
    }
    if (strcmp(to, "*") == 0) {
        for (size_t i = 0; i < cluster->nnodes; i++) {
            if (cluster->nodes[i].roles & DC_ROLE_DMA) {
                cluster->nodes[i].link = link;
                cluster->nodes[i].link_port = port;
            }
        }
        goto out;
    }
    long idx = dc_cluster_find(cluster, to);
    if (idx < 0) {
        rc = dc_cluster_add_note(cluster,
                                 "%s:%ld: Redirect to %s, which is no DMA of the file: "
                                 "ignored",
                                 origin, line, to);
        goto out;
    }
    cluster->nodes[idx].link = link;
    cluster->nodes[idx].link_port = port;
out:
    xmlFree(to);
    xmlFree(via);
    return rc;
}

int dc_inventory_parse_dmsxml(struct dc_cluster *cluster, const char *data, size_t len,
                              const char *origin, struct dc_diag *diag)
{
    xmlDoc *doc = NULL;
    const xmlNode *root = NULL;
    int rc = dc_xml_parse_root(data, len, origin, "DMS", &doc, &root, diag);
    if (rc)
        return rc;
    size_t dmas = 0;
    for (const xmlNode *el = root->children; el && !rc; el = el->next) {
        long line = xmlGetLineNo(el);
        if (dc_xml_is(el, "Cluster")) {
            char *name = dc_xml_attr(el, "name");
            if (name && *name)
                rc = dc_cluster_set_name(cluster, name);
            xmlFree(name);
        } else if (dc_xml_is(el, "DMA")) {
            char *ip = dc_xml_attr(el, "ip");
            if (!ip || !*ip) {
                dc_diag_set(diag,
                            "%s:%ld: <DMA> without an 'ip' attribute; expected "
                            "ip=\"IPv4 address or hostname\"",
                            origin, line);
                rc = DC_EPARSE;
            } else if (!dc_address_valid(ip)) {
                dc_diag_set(diag,
                            "%s:%ld: <DMA ip=\"%s\">: expected an IPv4 address or a "
                            "hostname",
                            origin, line, ip);
                rc = DC_EINVAL;
            } else {
                char where[300];
                snprintf(where, sizeof where, "%s:%ld", origin, line);
                rc = dc_cluster_add(cluster, ip, ip, DC_ROLE_DMA, where, diag);
                dmas++;
            }
            xmlFree(ip);
        }
    }
    if (!rc && dmas == 0) {
        dc_diag_set(diag, "%s: no <DMA ip=\"...\"/> element; expected at least one DMA", origin);
        rc = DC_EPARSE;
    }
    /* Redirects name DMAs, so they are applied once every DMA is known. */
    for (const xmlNode *el = root->children; el && !rc; el = el->next) {
        if (!dc_xml_is(el, "Redirects"))
            continue;
        for (const xmlNode *r = el->children; r && !rc; r = r->next) {
            if (dc_xml_is(r, "Redirect"))
                rc = apply_redirect(cluster, r, origin, diag);
        }
    }
    xmlFreeDoc(doc);
    return rc;
}

int dc_inventory_read_dmsxml(struct dc_cluster *cluster, const char *path, struct dc_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc = dc_read_file(path, &data, &len, diag);
    if (!rc)
        rc = dc_inventory_parse_dmsxml(cluster, data, len, path, diag);
    free(data);
    return rc;
}
