/* DataMiner's DMS.xml: the DMAs of the cluster and, per DMA, Remoting or gRPC (Redirects). */
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "xml_safe.h"
#include "base/portable.h"
#include "inputs/inputs_private.h"

#include <uv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How other DMAs reach a Redirect's `to`, from its `via` URL (docs/dataminer.md, "DMS.xml"):
 *   https://HOST[:PORT]/APIGateway -> gRPC over TLS on PORT (443)
 *   http://HOST[:PORT]/APIGateway  -> gRPC over plain HTTP on PORT (80)
 *   http(s)://HOST:PORT/SLNetService -> .NET Remoting on PORT (8004)
 *   auto://...                     -> .NET Remoting on 8004, without detection
 *   empty                          -> credentials only: the link does not change.
 * `host` gets the URL's host (brackets of an IPv6 literal removed), "" when there is none. */
struct via {
    enum dc_link link;
    uint16_t port;
    bool tls;
    bool set; /* false: credentials only */
    char host[256];
};

static bool parse_via(const char *via, struct via *out)
{
    memset(out, 0, sizeof *out);
    out->link = DC_LINK_REMOTING;
    out->tls = true;
    if (!via || !*via)
        return true;
    const char *rest;
    if (strncasecmp(via, "https://", 8) == 0) {
        out->port = 443;
        rest = via + 8;
    } else if (strncasecmp(via, "http://", 7) == 0) {
        out->port = 80;
        out->tls = false;
        rest = via + 7;
    } else if (strncasecmp(via, "auto://", 7) == 0) {
        out->set = true;
        out->port = 8004;
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
    size_t namelen = colon ? (size_t)(colon - rest) : hostlen;
    const char *name = rest;
    if (namelen >= 2 && name[0] == '[' && name[namelen - 1] == ']') {
        name++;
        namelen -= 2;
    }
    if (namelen == 0 || namelen >= sizeof out->host)
        return false;
    memcpy(out->host, name, namelen);
    out->host[namelen] = '\0';
    bool remoting = path && dci_strcasestr(path, "SLNetService") != NULL;
    if (colon) {
        if (!dc_port_parse(colon + 1, (size_t)(rest + hostlen - (colon + 1)), &out->port))
            return false;
    } else if (remoting) {
        out->port = 8004;
    }
    out->link = remoting ? DC_LINK_REMOTING : DC_LINK_GRPC;
    out->set = true;
    return true;
}

/* Applies a Redirect to one DMA; a `via` host other than the DMA's own address is where the
 * DMA is reached (NAT, a proxy): it is probed there, and the report shows it beside the DMA. */
static int redirect_node(struct dc_cluster *cluster, struct dc_node *node, const struct via *v,
                         const char *origin, long line)
{
    if (!v->set)
        return 0;
    node->link = v->link;
    node->link_port = v->port;
    node->link_tls = v->tls;
    node->link_set = true;
    if (!v->host[0] || strcasecmp(v->host, node->name) == 0 ||
        (node->naddresses && strcasecmp(v->host, node->addresses[0]) == 0))
        return 0;
    int rc = dci_node_prepend_address(node, v->host);
    if (!rc)
        rc = dc_cluster_add_note(cluster,
                                 "%s:%ld: DMA %s is reached through %s (Redirect via): "
                                 "probed there",
                                 origin, line, node->name, v->host);
    return rc;
}

/* What VerifyGRPCConnection accepts of a Redirect (KI_Upgrade_fails_VerifyGRPCConnection_
 * prerequisite): https, any host and port, the path /APIGateway; or no via at all
 * (credentials only). */
static bool via_is_apigateway(const char *via)
{
    static const char path[] = "/APIGateway";
    if (strncasecmp(via, "https://", 8) != 0)
        return false;
    const char *slash = strchr(via + 8, '/');
    if (!slash || slash == via + 8)
        return false;
    size_t n = strlen(slash);
    if (n > 1 && slash[n - 1] == '/')
        n--;
    return n == sizeof path - 1 && strncasecmp(slash, path, n) == 0;
}

static int apply_redirect(struct dc_cluster *cluster, const xmlNode *el, const char *origin,
                          struct dc_diag *diag)
{
    int rc = 0;
    char *to = dci_xml_attr(el, "to");
    char *via = dci_xml_attr(el, "via");
    struct via v;
    long line = xmlGetLineNo(el);
    if (!to || !*to) {
        dc_diag_set(diag, "%s:%ld: <Redirect> has no 'to' attribute; expected to=\"IP\" or \"*\"",
                    origin, line);
        rc = DC_EPARSE;
        goto out;
    }
    if (!parse_via(via, &v)) {
        dc_diag_set(diag,
                    "%s:%ld: <Redirect via=\"%s\">: expected https://HOST[:PORT]/APIGateway, "
                    "http://HOST[:PORT]/APIGateway, http://HOST:PORT/SLNetService, auto://... "
                    "or empty",
                    origin, line, via);
        rc = DC_EPARSE;
        goto out;
    }
    if (via && *via && !via_is_apigateway(via))
        rc = dci_cluster_add_upgrade(cluster, origin, (unsigned long)line,
                                     "%s is not of format 'https://*/APIGateway'", via);
    if (rc)
        goto out;
    if (strcmp(to, "*") == 0) {
        v.host[0] = '\0'; /* a host for every DMA would be a proxy: not one address each */
        for (size_t i = 0; i < cluster->nnodes && !rc; i++) {
            if (cluster->nodes[i].roles & DC_ROLE_DMA)
                rc = redirect_node(cluster, &cluster->nodes[i], &v, origin, line);
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
    rc = redirect_node(cluster, &cluster->nodes[idx], &v, origin, line);
out:
    xmlFree(to);
    xmlFree(via);
    return rc;
}

/* A DMA by hostname: DataMiner itself says to add a regular DMA by IP address (its BPA raises
 * false alarms otherwise). */
static bool is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return uv_inet_pton(AF_INET, s, buf) == 0 || uv_inet_pton(AF_INET6, s, buf) == 0;
}

/* One <DMA ip>; with `only_known`, the node list came from ClusterEndpoints.json: a DMA it
 * lacks is a note, not a node. */
static int read_dma(struct dc_cluster *cluster, const xmlNode *el, const char *origin,
                    bool only_known, struct dc_diag *diag)
{
    long line = xmlGetLineNo(el);
    char *ip = dci_xml_attr(el, "ip");
    int rc = 0;
    char where[300];
    snprintf(where, sizeof where, "%s:%ld", origin, line);
    if (!ip || !*ip) {
        dc_diag_set(diag,
                    "%s: <DMA> without an 'ip' attribute; expected ip=\"IPv4 address or "
                    "hostname\"",
                    where);
        rc = DC_EPARSE;
    } else if (!dc_address_valid(ip)) {
        dc_diag_set(diag, "%s: <DMA ip=\"%s\">: expected an IPv4 address or a hostname", where, ip);
        rc = DC_EINVAL;
    } else if (only_known) {
        if (dc_cluster_find(cluster, ip) < 0)
            rc = dc_cluster_add_note(cluster,
                                     "%s: DMA %s is not in ClusterEndpoints.json, which DataMiner "
                                     "uses from 10.5.1 on: not checked",
                                     where, ip);
    } else {
        long before = dc_cluster_find(cluster, ip);
        if (before >= 0 && (cluster->nodes[before].roles & DC_ROLE_DMA))
            rc = dc_cluster_add_note(cluster, "%s: DMA %s is listed twice (first at %s): merged",
                                     where, ip, cluster->nodes[before].origin);
        if (!rc)
            rc = dc_cluster_add(cluster, ip, ip, DC_ROLE_DMA, where, diag);
        if (!rc && !is_ip_literal(ip))
            rc = dc_cluster_add_note(cluster,
                                     "%s: DMA %s is listed by hostname; DataMiner recommends "
                                     "adding a regular DMA by IP address",
                                     where, ip);
    }
    xmlFree(ip);
    return rc;
}

static int parse_dmsxml(struct dc_cluster *cluster, const char *data, size_t len,
                        const char *origin, bool only_known, struct dc_diag *diag)
{
    xmlDoc *doc = NULL;
    const xmlNode *root = NULL;
    int rc = dci_xml_parse_root(data, len, origin, "DMS", &doc, &root, diag);
    if (rc)
        return rc;
    size_t dmas = 0;
    for (const xmlNode *el = root->children; el && !rc; el = el->next) {
        if (dci_xml_is(el, "Cluster")) {
            char *name = dci_xml_attr(el, "name");
            if (name && *name)
                rc = dc_cluster_set_name(cluster, name);
            xmlFree(name);
        } else if (dci_xml_is(el, "DMA")) {
            rc = read_dma(cluster, el, origin, only_known, diag);
            dmas++;
        }
    }
    if (!rc && dmas == 0 && !only_known) {
        dc_diag_set(diag, "%s: no <DMA ip=\"...\"/> element; expected at least one DMA", origin);
        rc = DC_EPARSE;
    }
    /* Redirects name DMAs, so they are applied once every DMA is known. */
    for (const xmlNode *el = root->children; el && !rc; el = el->next) {
        if (!dci_xml_is(el, "Redirects"))
            continue;
        for (const xmlNode *r = el->children; r && !rc; r = r->next) {
            if (dci_xml_is(r, "Redirect"))
                rc = apply_redirect(cluster, r, origin, diag);
        }
    }
    xmlFreeDoc(doc);
    return rc;
}

int dci_inventory_parse_dmsxml_redirects(struct dc_cluster *cluster, const char *data, size_t len,
                                         const char *origin, struct dc_diag *diag)
{
    return parse_dmsxml(cluster, data, len, origin, true, diag);
}

int dc_inventory_parse_dmsxml(struct dc_cluster *cluster, const char *data, size_t len,
                              const char *origin, struct dc_diag *diag)
{
    return parse_dmsxml(cluster, data, len, origin, false, diag);
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
