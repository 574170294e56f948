/* The DataMiner files that say how the cluster works rather than which nodes it has:
 * MaintenanceSettings.xml (Remoting or gRPC, BrokerGateway, the HTTPS name), SLNet.exe.config
 * (the Remoting port), SLCloud.xml (legacy NATS), DataMiner.xml (Telnet, SNMP agent) and
 * Database/DBConfiguration.xml (the search clusters, 10.1.3 to 10.4). Unknown elements and
 * attributes are ignored, names compared without case (docs/dataminer.md). */
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "xml_safe.h"
#include "inputs/inputs_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parses a file whose root must be root_name and reads it with body; the tree goes after. */
static int with_root(struct dc_cluster *cluster, const char *data, size_t len, const char *origin,
                     const char *root_name,
                     int (*body)(struct dc_cluster *, const xmlNode *, const char *,
                                 struct dc_diag *),
                     struct dc_diag *diag)
{
    xmlDoc *doc = NULL;
    const xmlNode *root = NULL;
    int rc = dci_xml_parse_root(data, len, origin, root_name, &doc, &root, diag);
    if (!rc)
        rc = body(cluster, root, origin, diag);
    xmlFreeDoc(doc);
    return rc;
}

/* "FILE:LINE" of el: where a setting was decided, for the notes. */
static int set_from(char **field, const char *origin, const xmlNode *el)
{
    char where[300];
    snprintf(where, sizeof where, "%s:%ld", origin, el ? xmlGetLineNo(el) : 0L);
    return dci_set_text(field, where);
}

/* A boolean element: 1 true, 0 false, -1 absent; anything else is an error. */
static int read_bool(const xmlNode *parent, const char *name, const char *origin, int *out,
                     const xmlNode **el_out, struct dc_diag *diag)
{
    const xmlNode *el = dci_xml_child(parent, name);
    *out = -1;
    *el_out = el;
    if (!el)
        return 0;
    char *text = dci_xml_child_text(parent, name);
    if (!text)
        return DC_ENOMEM;
    int rc = 0;
    if (strcasecmp(text, "true") == 0) {
        *out = 1;
    } else if (strcasecmp(text, "false") == 0) {
        *out = 0;
    } else {
        dc_diag_set(diag, "%s:%ld: <%s>%s</%s>; expected true or false", origin, xmlGetLineNo(el),
                    name, text, name);
        rc = DC_EPARSE;
    }
    free(text);
    return rc;
}

static int maintenance_body(struct dc_cluster *cluster, const xmlNode *root, const char *origin,
                            struct dc_diag *diag)
{
    struct dc_generation *g = &cluster->gen;
    const xmlNode *slnet = dci_xml_child(root, "SLNet");
    const xmlNode *el = NULL;
    int remoting = -1, broker = -1;
    int rc = read_bool(slnet, "EnableDotNetRemoting", origin, &remoting, &el, diag);
    if (!rc && remoting >= 0) {
        g->remoting_disabled = remoting == 0;
        rc = set_from(&g->remoting_from, origin, el);
    }
    if (!rc)
        rc = read_bool(slnet, "BrokerGateway", origin, &broker, &el, diag);
    if (!rc && broker == 1 && !g->broker_gateway) {
        g->broker_gateway = true;
        g->nats_auth = true; /* BrokerGateway hands out NATS credentials through its API */
        rc = set_from(&g->nats_from, origin, el);
    }
    const xmlNode *https = dci_xml_child(root, "HTTPS");
    char *name = https ? dci_xml_attr(https, "name") : NULL;
    if (!rc && name && *name) {
        rc = dci_set_text(&g->https_name, name);
        if (!rc)
            rc = set_from(&g->https_from, origin, https);
    }
    xmlFree(name);
    return rc;
}

int dc_inventory_parse_maintenance(struct dc_cluster *cluster, const char *data, size_t len,
                                   const char *origin, struct dc_diag *diag)
{
    return with_root(cluster, data, len, origin, "MaintenanceSettings", maintenance_body, diag);
}

/* <channel ref="http" name="SLNetRemoting" port="8004">, anywhere in the .NET config. */
static const xmlNode *find_channel(const xmlNode *node)
{
    for (const xmlNode *c = node; c; c = c->next) {
        if (dci_xml_is(c, "channel")) {
            char *name = dci_xml_attr(c, "name");
            bool match = name && strcasecmp(name, "SLNetRemoting") == 0;
            xmlFree(name);
            if (match)
                return c;
        }
        const xmlNode *found = find_channel(c->children);
        if (found)
            return found;
    }
    return NULL;
}

static int slnet_config_body(struct dc_cluster *cluster, const xmlNode *root, const char *origin,
                             struct dc_diag *diag)
{
    int rc = 0;
    const xmlNode *channel = find_channel(root->children);
    char *port = channel ? dci_xml_attr(channel, "port") : NULL;
    uint16_t p = 0;
    if (port) {
        if (!dc_port_parse(port, DC_TO_NUL, &p)) {
            dc_diag_set(diag,
                        "%s:%ld: <channel name=\"SLNetRemoting\" port=\"%s\">; expected a "
                        "port 1-65535",
                        origin, xmlGetLineNo(channel), port);
            rc = DC_EPARSE;
        } else {
            cluster->gen.remoting_port = p;
            if (p != 8004) /* VerifyGRPCConnection's own words (KI_Upgrade_fails_...) */
                rc = dci_cluster_add_upgrade(cluster, origin, (unsigned long)xmlGetLineNo(channel),
                                             "SLNet.exe.config .NET Remoting port should be 8004 "
                                             "but was %u",
                                             p);
        }
    }
    xmlFree(port);
    return rc;
}

int dc_inventory_parse_slnet_config(struct dc_cluster *cluster, const char *data, size_t len,
                                    const char *origin, struct dc_diag *diag)
{
    return with_root(cluster, data, len, origin, "configuration", slnet_config_body, diag);
}

/* Legacy NATS: the servers SLNet's clients use, and a credentials file (its path is a secret
 * too: never printed). Its presence says DataMiner's NATS wants credentials. */
static int slcloud_body(struct dc_cluster *cluster, const xmlNode *root, const char *origin,
                        struct dc_diag *diag)
{
    (void)diag; /* nothing here can be malformed: what it lacks is normal */
    int rc = 0;
    if (dci_xml_child(root, "NatsCredsFile"))
        cluster->gen.nats_auth = true;
    size_t servers = 0;
    const xmlNode *list = dci_xml_child(root, "NATSServers");
    for (const xmlNode *c = list ? list->children : NULL; c; c = c->next)
        servers += dci_xml_is(c, "NATSServer");
    if (servers && !cluster->gen.broker_gateway)
        rc = dc_cluster_add_note(cluster,
                                 "%s:%ld: SLNet's NATS clients use %zu server(s) "
                                 "(legacy NATS)",
                                 origin, xmlGetLineNo(list), servers);
    return rc;
}

int dc_inventory_parse_slcloud(struct dc_cluster *cluster, const char *data, size_t len,
                               const char *origin, struct dc_diag *diag)
{
    return with_root(cluster, data, len, origin, "SLCloud", slcloud_body, diag);
}

/* DataMiner.xml: only what affects the port list; it has no "IP of this DMA". */
static int dataminer_xml_body(struct dc_cluster *cluster, const xmlNode *root, const char *origin,
                              struct dc_diag *diag)
{
    (void)diag;
    int rc = 0;
    const xmlNode *snmp = dci_xml_child(root, "SNMP");
    char *port = snmp ? dci_xml_attr(snmp, "port") : NULL;
    if (port && *port)
        rc = dc_cluster_add_note(cluster,
                                 "%s:%ld: DataMiner's SNMP agent is configured on udp/%s; add an "
                                 "snmp check to a profile to test it",
                                 origin, xmlGetLineNo(snmp), port);
    xmlFree(port);
    return rc;
}

int dc_inventory_parse_dataminer_xml(struct dc_cluster *cluster, const char *data, size_t len,
                                     const char *origin, struct dc_diag *diag)
{
    return with_root(cluster, data, len, origin, "DataMiner", dataminer_xml_body, diag);
}

/* <DatabaseConfiguration><SearchConfiguration><ElasticConnections><ElasticCluster><Hosts>:
 * when present, these are the search clusters (DB.xml's search section is not used). */
static int dbconfig_body(struct dc_cluster *cluster, const xmlNode *root, const char *origin,
                         struct dc_diag *diag)
{
    int rc = 0;
    const xmlNode *conns =
        dci_xml_child(dci_xml_child(root, "SearchConfiguration"), "ElasticConnections");
    for (const xmlNode *c = conns ? conns->children : NULL; c && !rc; c = c->next) {
        if (!dci_xml_is(c, "ElasticCluster"))
            continue;
        char where[300];
        snprintf(where, sizeof where, "%s:%ld", origin, xmlGetLineNo(c));
        char *hosts = dci_xml_child_text(c, "Hosts");
        if (!hosts || !*hosts) {
            dc_diag_set(diag, "%s: <ElasticCluster> without <Hosts>; expected a host list", where);
            rc = DC_EPARSE;
        } else {
            rc = dci_inventory_add_search(cluster, hosts, where, diag);
            cluster->gen.search_from_dbconfig = true;
        }
        free(hosts);
    }
    return rc;
}

int dc_inventory_parse_dbconfig(struct dc_cluster *cluster, const char *data, size_t len,
                                const char *origin, struct dc_diag *diag)
{
    return with_root(cluster, data, len, origin, "DatabaseConfiguration", dbconfig_body, diag);
}
