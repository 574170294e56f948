/* DataMiner's DB.xml: the Cassandra and OpenSearch/Elasticsearch nodes of the DMS, Cassandra
 * as one cluster or one per DMA, TLS, several search databases, Storage as a Service. */
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "xml_safe.h"
#include "inputs/inputs_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_localhost(const char *host)
{
    return strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 ||
           strcmp(host, "::1") == 0;
}

/* One database of DB.xml (or DBConfiguration.xml): what its nodes are and how to reach them. */
struct database {
    uint32_t role;
    enum dc_db_kind kind;
    uint32_t group;        /* its db_group number; local databases get one per DMA */
    uint16_t default_port; /* 9042, 9200 */
    bool ignore_port;      /* Cassandra: DataMiner uses 9042 whatever DBServer says */
    const char *where;
};

static void join_database(struct dc_node *node, const struct database *db, bool local, bool tls)
{
    node->roles |= db->role;
    node->db_group[db->kind] = db->group;
    node->db_local[db->kind] = local;
    if (db->kind == DC_DB_SEARCH)
        node->search_tls = tls;
}

/* "localhost" is each DMA's own machine: every DMA gets the role. */
static int add_to_every_dma(struct dc_cluster *cluster, const struct database *db, uint16_t port,
                            bool tls, struct dc_diag *diag)
{
    size_t dmas = 0;
    for (size_t i = 0; i < cluster->nnodes; i++) {
        struct dc_node *node = &cluster->nodes[i];
        if (!(node->roles & DC_ROLE_DMA) || node->pseudo)
            continue;
        join_database(node, db, true, tls);
        if (port && port != db->default_port && dc_node_map_port(node, db->default_port, port))
            return DC_ENOMEM;
        dmas++;
    }
    if (dmas == 0) {
        dc_diag_set(diag,
                    "%s: DBServer 'localhost' means each DMA's own machine, but no DMA is "
                    "known; expected DMS.xml (--dms) before DB.xml",
                    db->where);
        return DC_EINVAL;
    }
    return 0;
}

/* A DBServer entry may be a URL (search databases: "https://host:9200"): the scheme says TLS,
 * and a URL without a port means its scheme's port, as any HTTP client reads it. */
static char *strip_scheme(char *entry, bool *tls, uint16_t *scheme_port)
{
    *tls = false;
    *scheme_port = 0;
    if (strncasecmp(entry, "https://", 8) == 0) {
        *tls = true;
        *scheme_port = 443;
        entry += 8;
    } else if (strncasecmp(entry, "http://", 7) == 0) {
        *scheme_port = 80;
        entry += 7;
    } else {
        return entry;
    }
    char *path = strchr(entry, '/');
    if (path)
        *path = '\0';
    return entry;
}

static int add_entry(struct dc_cluster *cluster, const struct database *db, char *tok,
                     struct dc_diag *diag)
{
    char entry[256], host[256];
    snprintf(entry, sizeof entry, "%s", tok); /* strip_scheme cuts tok */
    bool tls;
    uint16_t scheme_port;
    char *hostport = strip_scheme(tok, &tls, &scheme_port);
    uint16_t port;
    if (!dc_host_port_split(hostport, host, sizeof host, &port)) {
        dc_diag_set(diag, "%s: DBServer entry '%s'; expected host, host:port (1-65535)%s",
                    db->where, entry, db->kind == DC_DB_SEARCH ? " or http(s)://host[:port]" : "");
        return DC_EPARSE;
    }
    if (!port)
        port = scheme_port;
    if (db->ignore_port && port && port != db->default_port) {
        int rc = dc_cluster_add_note(cluster,
                                     "%s: DBServer '%s' names port %u; DataMiner ignores it and "
                                     "uses %u",
                                     db->where, entry, port, db->default_port);
        if (rc)
            return rc;
        port = 0;
    }
    if (is_localhost(host))
        return add_to_every_dma(cluster, db, port, tls, diag);
    if (!dc_address_valid(host)) {
        dc_diag_set(diag, "%s: DBServer host '%s'; expected an IPv4 or IPv6 address or a hostname",
                    db->where, host);
        return DC_EINVAL;
    }
    int rc = dc_cluster_add(cluster, host, host, db->role, db->where, diag);
    if (rc)
        return rc;
    struct dc_node *node = &cluster->nodes[dc_cluster_find(cluster, host)];
    join_database(node, db, false, tls);
    if (port && port != db->default_port)
        rc = dc_node_map_port(node, db->default_port, port);
    return rc;
}

static int add_servers(struct dc_cluster *cluster, const char *servers, const struct database *db,
                       struct dc_diag *diag)
{
    int rc = 0;
    char *list = strdup(servers);
    if (!list)
        return DC_ENOMEM;
    size_t added = 0;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",;", &save); tok && !rc; tok = strtok_r(NULL, ",;", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t n = strlen(tok);
        while (n > 0 && isspace((unsigned char)tok[n - 1]))
            tok[--n] = '\0';
        if (n == 0)
            continue;
        added++;
        rc = add_entry(cluster, db, tok, diag);
    }
    if (!rc && added == 0) {
        dc_diag_set(diag, "%s: empty <DBServer>; expected a comma-separated list of hosts",
                    db->where);
        rc = DC_EPARSE;
    }
    free(list);
    return rc;
}

int dci_inventory_add_search(struct dc_cluster *cluster, const char *servers, const char *where,
                             struct dc_diag *diag)
{
    struct database db = {
        DC_ROLE_OPENSEARCH, DC_DB_SEARCH, ++cluster->gen.search_clusters, 9200, false, where};
    return add_servers(cluster, servers, &db, diag);
}

/* Storage as a Service: no database nodes; DMAs reach the service over HTTPS, maybe through
 * the web proxy of <Proxy> (its <Password> is a secret and is never read). */
static int read_staas(struct dc_cluster *cluster, const xmlNode *el, const char *where,
                      struct dc_diag *diag)
{
    cluster->gen.staas = true;
    int rc = dci_set_text(&cluster->gen.staas_from, where);
    const xmlNode *proxy = dci_xml_child(el, "Proxy");
    char *address = proxy ? dci_xml_child_text(proxy, "Address") : NULL;
    char *port_text = proxy ? dci_xml_child_text(proxy, "Port") : NULL;
    if (!rc && address && *address) {
        uint16_t port = 3128;
        if (port_text && *port_text && !dc_port_parse(port_text, DC_TO_NUL, &port)) {
            dc_diag_set(diag, "%s: <Proxy><Port>%s</Port>; expected 1-65535", where, port_text);
            rc = DC_EPARSE;
        } else if (!dc_address_valid(address)) {
            dc_diag_set(diag, "%s: <Proxy><Address>%s</Address>; expected an address or hostname",
                        where, address);
            rc = DC_EINVAL;
        } else {
            rc = dc_cluster_add(cluster, address, address, DC_ROLE_PROXY, where, diag);
            if (!rc && port != 3128)
                rc = dc_node_map_port(&cluster->nodes[dc_cluster_find(cluster, address)], 3128,
                                      port);
            cluster->gen.staas_proxy = true;
        }
    }
    free(address);
    free(port_text);
    return rc;
}

static bool type_is(const char *type, const char *want)
{
    return type && strcasecmp(type, want) == 0;
}

static int read_database(struct dc_cluster *cluster, const xmlNode *el, const char *origin,
                         struct dc_diag *diag)
{
    int rc = 0;
    char *active = dci_xml_attr(el, "active");
    char *search = dci_xml_attr(el, "search");
    char *local = dci_xml_attr(el, "local");
    char *type = dci_xml_attr(el, "type");
    char *servers = dci_xml_child_text(el, "DBServer");
    char *tls = dci_xml_child_text(el, "TLSEnabled");
    char where[300];
    snprintf(where, sizeof where, "%s:%ld", origin, xmlGetLineNo(el));

    if (active && !dci_xml_true(active))
        goto out; /* configured but switched off */
    if (type_is(type, "CloudStorage")) {
        rc = read_staas(cluster, el, where, diag);
        goto out;
    }
    bool is_search =
        dci_xml_true(search) || type_is(type, "Elasticsearch") || type_is(type, "OpenSearch");
    bool per_dma = type_is(type, "Cassandra");
    bool is_cassandra = per_dma || type_is(type, "CassandraCluster");
    if ((!is_search && !is_cassandra) || (local && !dci_xml_true(local) && !dci_xml_true(search))) {
        /* MySQL, MSSQL, offload databases, CMDBs: outside DataMiner's port list. */
        rc = dc_cluster_add_note(cluster, "%s: %s database %s is known but not checked", where,
                                 type && *type ? type : "MySQL", servers ? servers : "");
        goto out;
    }
    if (is_search && cluster->gen.search_from_dbconfig) {
        rc = dc_cluster_add_note(cluster,
                                 "%s: search database not used: Database/DBConfiguration.xml "
                                 "overrides it",
                                 where);
        goto out;
    }
    if (!servers) {
        dc_diag_set(diag, "%s: <DataBase type=\"%s\"> has no <DBServer>; expected a host list",
                    where, type ? type : "");
        rc = DC_EPARSE;
        goto out;
    }
    if (is_search) {
        rc = dci_inventory_add_search(cluster, servers, where, diag);
        goto out;
    }
    struct dc_generation *g = &cluster->gen;
    g->cassandra = per_dma ? DC_CASSANDRA_PER_DMA : DC_CASSANDRA_CLUSTER;
    g->cassandra_tls = dci_xml_true(tls);
    rc = dci_set_text(&g->cassandra_from, where);
    struct database db = {DC_ROLE_CASSANDRA, DC_DB_CASSANDRA, 1, 9042, true, where};
    if (!rc)
        rc = add_servers(cluster, servers, &db, diag);
out:
    xmlFree(active);
    xmlFree(search);
    xmlFree(local);
    xmlFree(type);
    free(servers);
    free(tls);
    return rc;
}

int dc_inventory_parse_dbxml(struct dc_cluster *cluster, const char *data, size_t len,
                             const char *origin, struct dc_diag *diag)
{
    xmlDoc *doc = NULL;
    const xmlNode *root = NULL;
    int rc = dci_xml_parse_root(data, len, origin, "DataBases", &doc, &root, diag);
    if (rc)
        return rc;
    size_t databases = 0;
    for (const xmlNode *el = root->children; el && !rc; el = el->next) {
        if (dci_xml_is(el, "DataBase")) {
            databases++;
            rc = read_database(cluster, el, origin, diag);
        }
    }
    if (!rc && databases == 0) {
        dc_diag_set(diag, "%s: no <DataBase> element; expected at least one", origin);
        rc = DC_EPARSE;
    }
    xmlFreeDoc(doc);
    return rc;
}

int dc_inventory_read_dbxml(struct dc_cluster *cluster, const char *path, struct dc_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc = dc_read_file(path, &data, &len, diag);
    if (!rc)
        rc = dc_inventory_parse_dbxml(cluster, data, len, path, diag);
    free(data);
    return rc;
}
