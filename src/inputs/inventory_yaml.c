/* The YAML inventory: cluster name and nodes with name, address(es), roles and port maps. */
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "base/yaml_doc.h"
#include "base/base_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node_ctx {
    struct dci_yaml *y;
    struct dc_diag *diag;
    const char *addresses[8];
    size_t naddresses;
};

static int collect_address(const char *value, yaml_node_t *at, void *ud)
{
    struct node_ctx *ctx = ud;
    if (!dc_address_valid(value)) {
        dc_diag_set(ctx->diag,
                    "%s:%lu: address '%s': expected an IPv4 or IPv6 address or a "
                    "hostname",
                    ctx->y->origin, dci_yaml_line(at), value);
        return DC_EINVAL;
    }
    if (ctx->naddresses == sizeof ctx->addresses / sizeof ctx->addresses[0]) {
        dc_diag_set(ctx->diag, "%s:%lu: too many addresses; expected at most 8", ctx->y->origin,
                    dci_yaml_line(at));
        return DC_EINVAL;
    }
    ctx->addresses[ctx->naddresses++] = value;
    return 0;
}

/* ports: {9042: 19042} — this node's service with default port 9042 listens on 19042. */
static int read_ports(struct dci_yaml *y, yaml_node_t *map, struct dc_node *node,
                      struct dc_diag *diag)
{
    if (map->type != YAML_MAPPING_NODE) {
        dc_diag_set(diag, "%s:%lu: ports: expected a mapping {DEFAULT_PORT: ACTUAL_PORT}",
                    y->origin, dci_yaml_line(map));
        return DC_EPARSE;
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        uint16_t from, to;
        int rc =
            dci_yaml_port(y, yaml_document_get_node(&y->doc, p->key), "ports key", &from, diag);
        if (!rc)
            rc = dci_yaml_port(y, yaml_document_get_node(&y->doc, p->value), "ports value", &to,
                               diag);
        if (!rc)
            rc = dc_node_map_port(node, from, to);
        if (rc)
            return rc;
    }
    return 0;
}

static int set_agent_address(struct dci_yaml *y, yaml_node_t *at, struct dc_node *node,
                             struct dc_diag *diag)
{
    const char *s = dci_yaml_scalar(y, at, "agent", diag);
    if (!s)
        return DC_EPARSE;
    char host[256];
    uint16_t port = 0;
    bool port_ok = dc_host_port_split(s, host, sizeof host, &port) && port;
    if (!port_ok || !dc_address_valid(host)) {
        dc_diag_set(diag, "%s:%lu: agent '%s': expected ADDRESS:PORT, [IPv6]:PORT or none",
                    y->origin, dci_yaml_line(at), (const char *)at->data.scalar.value);
        return DC_EINVAL;
    }
    free(node->agent);
    node->agent = strdup((const char *)at->data.scalar.value);
    return node->agent ? 0 : DC_ENOMEM;
}

/* "sha256:" and the base64 of 32 bytes (44 characters, one '=' of padding): the SHA-256 of
 * the agent's public key (SubjectPublicKeyInfo, DER), as `dmsconn agent --tls-auto` prints. */
static bool pin_valid(const char *s)
{
    if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 44 || s[7 + 43] != '=')
        return false;
    for (size_t i = 7; i < 7 + 43; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    return true;
}

/* agent: ADDR:PORT, or [IPv6]:PORT — where this node's dmsconn agent listens; or none: the
 * node has no agent by design (a database node), its row is not measured; or a mapping
 * {address: ADDR:PORT, fingerprint: "sha256:..."}: its agent speaks HTTPS and only that
 * public key is accepted. */
static int read_agent(struct dci_yaml *y, yaml_node_t *at, struct dc_node *node,
                      struct dc_diag *diag)
{
    if (at->type == YAML_MAPPING_NODE) {
        static const char *const keys[] = {"address", "fingerprint", NULL};
        int rc = dci_yaml_only_keys(y, at, keys, "an agent", diag);
        yaml_node_t *address = rc ? NULL : dci_yaml_get(y, at, "address");
        yaml_node_t *pin = rc ? NULL : dci_yaml_get(y, at, "fingerprint");
        if (!rc && address)
            rc = set_agent_address(y, address, node, diag);
        const char *fp = !rc && pin ? dci_yaml_scalar(y, pin, "fingerprint", diag) : NULL;
        if (!rc && pin && !fp)
            rc = DC_EPARSE;
        if (!rc && fp && !pin_valid(fp)) {
            dc_diag_set(diag,
                        "%s:%lu: fingerprint '%s': expected sha256: and 44 base64 characters, "
                        "as 'dmsconn agent --tls-auto' prints",
                        y->origin, dci_yaml_line(pin), fp);
            rc = DC_EINVAL;
        }
        if (!rc && fp) {
            free(node->agent_pin);
            node->agent_pin = strdup(fp);
            rc = node->agent_pin ? 0 : DC_ENOMEM;
        }
        return rc;
    }
    const char *s = dci_yaml_scalar(y, at, "agent", diag);
    if (!s)
        return DC_EPARSE;
    if (strcmp(s, "none") == 0) {
        node->no_agent = true;
        return 0;
    }
    return set_agent_address(y, at, node, diag);
}

static int read_node(struct dc_cluster *cluster, struct dci_yaml *y, yaml_node_t *item,
                     struct dc_diag *diag)
{
    static const char *const keys[] = {"name",  "address", "addresses",  "roles",
                                       "ports", "agent",   "https_name", NULL};
    unsigned long line = dci_yaml_line(item);
    if (item->type != YAML_MAPPING_NODE) {
        dc_diag_set(diag, "%s:%lu: a node: expected a mapping with name, address and roles",
                    y->origin, line);
        return DC_EPARSE;
    }
    int rc = dci_yaml_only_keys(y, item, keys, "a node", diag);
    if (rc)
        return rc;
    yaml_node_t *name_node = dci_yaml_get(y, item, "name");
    if (!name_node) {
        dc_diag_set(diag, "%s:%lu: a node without 'name'; expected name: NAME", y->origin, line);
        return DC_EPARSE;
    }
    const char *name = dci_yaml_scalar(y, name_node, "name", diag);
    if (!name)
        return DC_EPARSE;
    struct node_ctx ctx = {.y = y, .diag = diag};
    yaml_node_t *addr = dci_yaml_get(y, item, "address");
    if (!addr)
        addr = dci_yaml_get(y, item, "addresses");
    if (!addr) {
        dc_diag_set(diag, "%s:%lu: node '%s' has no address; expected address: IP or hostname",
                    y->origin, line, name);
        return DC_EPARSE;
    }
    rc = dci_yaml_each_scalar(y, addr, "address", collect_address, &ctx, diag);
    yaml_node_t *roles = dci_yaml_get(y, item, "roles");
    uint32_t role_set = DC_ROLE_DMA; /* most nodes of a DMS are DMAs */
    if (!rc && roles)
        rc = dci_yaml_roles(y, roles, false, &role_set, diag);
    if (!rc && ctx.naddresses == 0) {
        dc_diag_set(diag, "%s:%lu: node '%s' has an empty address list", y->origin, line, name);
        rc = DC_EPARSE;
    }
    if (rc)
        return rc;
    char where[300];
    snprintf(where, sizeof where, "%s:%lu", y->origin, line);
    rc = dc_cluster_add(cluster, name, ctx.addresses[0], role_set, where, diag);
    if (rc)
        return rc;
    struct dc_node *node = &cluster->nodes[dc_cluster_find(cluster, name)];
    for (size_t i = 1; i < ctx.naddresses; i++) {
        char **more = realloc(node->addresses, (node->naddresses + 1) * sizeof *more);
        if (!more)
            return DC_ENOMEM;
        node->addresses = more;
        more[node->naddresses] = strdup(ctx.addresses[i]);
        if (!more[node->naddresses])
            return DC_ENOMEM;
        node->naddresses++;
    }
    yaml_node_t *agent = dci_yaml_get(y, item, "agent");
    if (agent && (rc = read_agent(y, agent, node, diag)))
        return rc;
    yaml_node_t *ports = dci_yaml_get(y, item, "ports");
    if (ports && (rc = read_ports(y, ports, node, diag)))
        return rc;
    yaml_node_t *https = dci_yaml_get(y, item, "https_name");
    if (!https)
        return 0;
    const char *https_name = dci_yaml_scalar(y, https, "https_name", diag);
    return https_name ? dc_node_set_https_name(cluster, (uint32_t)dc_cluster_find(cluster, name),
                                               https_name, where, diag)
                      : DC_EPARSE;
}

int dc_inventory_parse_yaml(struct dc_cluster *cluster, const char *data, size_t len,
                            const char *origin, struct dc_diag *diag)
{
    static const char *const keys[] = {"cluster", "nodes", NULL};
    struct dci_yaml y;
    int rc = dci_yaml_load(&y, data, len, origin, diag);
    if (rc)
        goto out;
    yaml_node_t *root = dci_yaml_root(&y);
    if (root->type != YAML_MAPPING_NODE) {
        dc_diag_set(diag, "%s:%lu: expected a mapping with 'cluster' and 'nodes'", origin,
                    dci_yaml_line(root));
        rc = DC_EPARSE;
        goto out;
    }
    rc = dci_yaml_only_keys(&y, root, keys, "the inventory", diag);
    if (rc)
        goto out;
    yaml_node_t *name = dci_yaml_get(&y, root, "cluster");
    if (name) {
        const char *s = dci_yaml_scalar(&y, name, "cluster", diag);
        rc = s ? dc_cluster_set_name(cluster, s) : DC_EPARSE;
        if (rc)
            goto out;
    }
    yaml_node_t *nodes = dci_yaml_get(&y, root, "nodes");
    if (!nodes || nodes->type != YAML_SEQUENCE_NODE || !dci_yaml_item(&y, nodes, 0)) {
        dc_diag_set(diag, "%s:%lu: expected 'nodes:' with a list of at least one node", origin,
                    dci_yaml_line(nodes ? nodes : root));
        rc = DC_EPARSE;
        goto out;
    }
    yaml_node_t *item;
    for (size_t i = 0; !rc && (item = dci_yaml_item(&y, nodes, i)) != NULL; i++)
        rc = read_node(cluster, &y, item, diag);
out:
    dci_yaml_free(&y);
    return rc;
}

int dc_inventory_read_yaml(struct dc_cluster *cluster, const char *path, struct dc_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc = dci_read_text_file(path, &data, &len, diag); /* UTF-16 from Windows too */
    if (!rc)
        rc = dc_inventory_parse_yaml(cluster, data, len, path, diag);
    free(data);
    return rc;
}
