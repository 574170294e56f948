/* DataMiner's DB.xml: the Cassandra and OpenSearch/Elasticsearch nodes of the DMS. */
#include "dmsconn/inventory.h"
#include "xml_safe.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits one DBServer entry "host", "host:port", "[v6]:port" or a bare IPv6 literal. */
static bool split_host_port(char *entry, char **host, uint16_t *port)
{
    *port = 0;
    if (entry[0] == '[') {
        char *close = strchr(entry, ']');
        if (!close)
            return false;
        *close = '\0';
        *host = entry + 1;
        if (close[1] == '\0')
            return true;
        if (close[1] != ':')
            return false;
        entry = close + 1;
    } else {
        *host = entry;
        char *colon = strchr(entry, ':');
        if (!colon || strchr(colon + 1, ':'))
            return true; /* no port, or an IPv6 literal without brackets */
        *colon = '\0';
        entry = colon;
    }
    char *end;
    long p = strtol(entry + 1, &end, 10);
    if (*end || p < 1 || p > 65535)
        return false;
    *port = (uint16_t)p;
    return true;
}

static bool is_localhost(const char *host)
{
    return strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 ||
           strcmp(host, "::1") == 0;
}

/* "localhost" is each DMA's own machine: every DMA gets the role. */
static int add_to_every_dma(struct dc_cluster *cluster, uint32_t role, uint16_t default_port,
                            uint16_t port, const char *where, struct dc_diag *diag)
{
    size_t dmas = 0;
    for (size_t i = 0; i < cluster->nnodes; i++) {
        struct dc_node *node = &cluster->nodes[i];
        if (!(node->roles & DC_ROLE_DMA) || node->pseudo)
            continue;
        node->roles |= role;
        if (port && port != default_port && dc_node_map_port(node, default_port, port))
            return DC_ENOMEM;
        dmas++;
    }
    if (dmas == 0) {
        dc_diag_set(diag,
                    "%s: DBServer 'localhost' means each DMA's own machine, but no DMA is "
                    "known; expected DMS.xml (--dms) before DB.xml",
                    where);
        return DC_EINVAL;
    }
    return 0;
}

static int add_servers(struct dc_cluster *cluster, const char *servers, uint32_t role,
                       uint16_t default_port, const char *where, struct dc_diag *diag)
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
        char entry[256];
        snprintf(entry, sizeof entry, "%s", tok); /* split_host_port cuts tok */
        char *host;
        uint16_t port;
        if (!split_host_port(tok, &host, &port) || !*host) {
            dc_diag_set(diag, "%s: DBServer entry '%s'; expected host or host:port (1-65535)",
                        where, entry);
            rc = DC_EPARSE;
            break;
        }
        added++;
        if (is_localhost(host)) {
            rc = add_to_every_dma(cluster, role, default_port, port, where, diag);
            continue;
        }
        if (!dc_address_valid(host)) {
            dc_diag_set(diag,
                        "%s: DBServer host '%s'; expected an IPv4 or IPv6 address or a "
                        "hostname",
                        where, host);
            rc = DC_EINVAL;
            break;
        }
        rc = dc_cluster_add(cluster, host, host, role, where, diag);
        if (!rc && port && port != default_port) {
            long idx = dc_cluster_find(cluster, host);
            rc = dc_node_map_port(&cluster->nodes[idx], default_port, port);
        }
    }
    if (!rc && added == 0) {
        dc_diag_set(diag, "%s: empty <DBServer>; expected a comma-separated list of hosts", where);
        rc = DC_EPARSE;
    }
    free(list);
    return rc;
}

static int read_database(struct dc_cluster *cluster, const xmlNode *el, const char *origin,
                         struct dc_diag *diag)
{
    int rc = 0;
    char *active = dc_xml_attr(el, "active");
    char *search = dc_xml_attr(el, "search");
    char *type = dc_xml_attr(el, "type");
    char *servers = dc_xml_child_text(el, "DBServer");
    char *tls = dc_xml_child_text(el, "TLSEnabled");
    char where[300];
    snprintf(where, sizeof where, "%s:%ld", origin, xmlGetLineNo(el));

    if (active && !dc_xml_true(active))
        goto out; /* configured but switched off */
    bool is_search =
        dc_xml_true(search) ||
        (type && (strcasecmp(type, "Elasticsearch") == 0 || strcasecmp(type, "OpenSearch") == 0));
    bool is_cassandra =
        type && (strcasecmp(type, "CassandraCluster") == 0 || strcasecmp(type, "Cassandra") == 0);
    if (!is_search && !is_cassandra) {
        /* MySQL, MSSQL, Oracle: outside DataMiner's port list (DATAMINER-FILES.md). */
        rc = dc_cluster_add_note(cluster, "%s: %s database %s is known but not checked", where,
                                 type && *type ? type : "MySQL", servers ? servers : "");
        goto out;
    }
    if (!servers) {
        dc_diag_set(diag, "%s: <DataBase type=\"%s\"> has no <DBServer>; expected a host list",
                    where, type ? type : "");
        rc = DC_EPARSE;
        goto out;
    }
    if (is_search) {
        rc = add_servers(cluster, servers, DC_ROLE_OPENSEARCH, 9200, where, diag);
    } else {
        cluster->cassandra_tls = dc_xml_true(tls);
        rc = add_servers(cluster, servers, DC_ROLE_CASSANDRA, cluster->cassandra_tls ? 9142 : 9042,
                         where, diag);
    }
out:
    xmlFree(active);
    xmlFree(search);
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
    int rc = dc_xml_parse_root(data, len, origin, "DataBases", &doc, &root, diag);
    if (rc)
        return rc;
    size_t databases = 0;
    for (const xmlNode *el = root->children; el && !rc; el = el->next) {
        if (dc_xml_is(el, "DataBase")) {
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
