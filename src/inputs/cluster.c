/* The node list: adding and merging nodes from several sources. */
#include "dmsconn/cluster.h"
#include "base/base_private.h"
#include "inputs/inputs_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int dc_cluster_new(struct dc_cluster **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : DC_ENOMEM;
}

static void node_clear(struct dc_node *node)
{
    free(node->name);
    for (size_t i = 0; i < node->naddresses; i++)
        free(node->addresses[i]);
    free(node->addresses);
    free(node->ports);
    free(node->agent);
    free(node->agent_pin);
    free(node->origin);
    free(node->https_name);
}

void dc_cluster_free(struct dc_cluster *cluster)
{
    if (!cluster)
        return;
    for (size_t i = 0; i < cluster->nnodes; i++)
        node_clear(&cluster->nodes[i]);
    free(cluster->nodes);
    for (size_t i = 0; i < cluster->nnotes; i++)
        free(cluster->notes[i]);
    free(cluster->notes);
    for (size_t i = 0; i < cluster->nupgrade; i++) {
        free(cluster->upgrade[i].file);
        free(cluster->upgrade[i].finding);
    }
    free(cluster->upgrade);
    free(cluster->gen.remoting_from);
    free(cluster->gen.nats_from);
    free(cluster->gen.cassandra_from);
    free(cluster->gen.staas_from);
    free(cluster->gen.https_name);
    free(cluster->gen.https_from);
    free(cluster->name);
    free(cluster);
}

/* Host names compare case-insensitively, as DNS does; so do IPv6 hex digits. */
static bool node_has_address(const struct dc_node *node, const char *address)
{
    for (size_t i = 0; i < node->naddresses; i++) {
        if (strcasecmp(node->addresses[i], address) == 0)
            return true;
    }
    return false;
}

long dc_cluster_find(const struct dc_cluster *cluster, const char *key)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        if (strcmp(cluster->nodes[i].name, key) == 0)
            return (long)i;
    }
    for (size_t i = 0; i < cluster->nnodes; i++) {
        if (node_has_address(&cluster->nodes[i], key))
            return (long)i;
    }
    return -1;
}

/* A node's address literal against a socket address, as numbers (IPv6 in any spelling; an
 * IPv4-mapped IPv6 peer as its IPv4 address). A hostname matches nothing. */
static bool same_ip(const char *a, const struct sockaddr *sa)
{
    unsigned char want[16], have[16];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (sa->sa_family == AF_INET) {
        memcpy(have, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return uv_inet_pton(AF_INET, a, want) == 0 && memcmp(want, have, 4) == 0;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(have, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        if (memcmp(have, mapped, sizeof mapped) == 0)
            return uv_inet_pton(AF_INET, a, want) == 0 && memcmp(want, have + 12, 4) == 0;
        return uv_inet_pton(AF_INET6, a, want) == 0 && memcmp(want, have, 16) == 0;
    }
    return false;
}

long dci_cluster_node_at(const struct dc_cluster *cluster, const struct sockaddr *sa)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        const struct dc_node *node = &cluster->nodes[i];
        for (size_t k = 0; k < node->naddresses; k++) {
            if (same_ip(node->addresses[k], sa))
                return (long)i;
        }
    }
    return -1;
}

static long find_by_name(const struct dc_cluster *cluster, const char *name)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        if (strcmp(cluster->nodes[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

static long find_by_address(const struct dc_cluster *cluster, const char *address)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        if (node_has_address(&cluster->nodes[i], address))
            return (long)i;
    }
    return -1;
}

int dci_cluster_append(struct dc_cluster *cluster, const char *name, const char *address,
                       uint32_t roles, const char *origin)
{
    if (cluster->nnodes == cluster->cap) {
        size_t cap = cluster->cap ? cluster->cap * 2 : 16;
        struct dc_node *nodes = realloc(cluster->nodes, cap * sizeof *nodes);
        if (!nodes)
            return DC_ENOMEM;
        cluster->nodes = nodes;
        cluster->cap = cap;
    }
    struct dc_node *node = &cluster->nodes[cluster->nnodes];
    memset(node, 0, sizeof *node);
    node->name = strdup(name);
    node->origin = strdup(origin ? origin : "");
    node->roles = roles;
    node->link = DC_LINK_REMOTING;
    node->link_tls = true;
    if (address) {
        node->addresses = malloc(sizeof *node->addresses);
        if (node->addresses) {
            node->addresses[0] = strdup(address);
            node->naddresses = node->addresses[0] ? 1 : 0;
        }
    }
    if (!node->name || !node->origin || (address && node->naddresses != 1)) {
        node_clear(node);
        return DC_ENOMEM;
    }
    cluster->nnodes++;
    return 0;
}

/* The first control character of a name (a line break, an escape sequence), or NULL: a name
 * is printed in the terminal's matrix and in every report, where such a byte would break a
 * line or drive the terminal. */
static const char *control_char(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return s;
    }
    return NULL;
}

int dc_cluster_add(struct dc_cluster *cluster, const char *name, const char *address,
                   uint32_t roles, const char *origin, struct dc_diag *diag)
{
    const char *ctl = control_char(name);
    if (ctl) {
        dc_diag_set(diag,
                    "%s: a node name holds a control character (byte 0x%02x at %zu); "
                    "expected a name of printable characters",
                    origin, (unsigned)(unsigned char)*ctl, (size_t)(ctl - name));
        return DC_EINVAL;
    }
    const char *not_a_host = dci_address_not_a_host(address);
    if (not_a_host) {
        dc_diag_set(diag, "%s: %s is %s; expected the address of a node", origin, address,
                    not_a_host);
        return DC_EINVAL;
    }
    long same_name = find_by_name(cluster, name);
    if (same_name >= 0) {
        struct dc_node *node = &cluster->nodes[same_name];
        if (!node_has_address(node, address)) {
            dc_diag_set(diag,
                        "%s: node '%s' is already defined with address %s (%s); "
                        "expected the same address, found %s",
                        origin, name, node->naddresses ? node->addresses[0] : "(none)",
                        node->origin, address);
            return DC_EDUP;
        }
        node->roles |= roles;
        return 0;
    }
    long same_address = find_by_address(cluster, address);
    if (same_address >= 0) {
        /* The same machine seen by two sources (a DMA in DMS.xml that DB.xml lists as a
         * Cassandra node): one node with both roles. An explicit name beats one derived
         * from the address. */
        struct dc_node *node = &cluster->nodes[same_address];
        bool old_named = strcasecmp(node->name, address) != 0;
        bool new_named = strcasecmp(name, address) != 0;
        if (old_named && new_named) {
            dc_diag_set(diag,
                        "%s: address %s is given to node '%s' and, in %s, to node '%s'; "
                        "expected one name per address",
                        origin, address, name, node->origin, node->name);
            return DC_EDUP;
        }
        node->roles |= roles;
        if (new_named) {
            char *renamed = strdup(name);
            if (!renamed)
                return DC_ENOMEM;
            free(node->name);
            node->name = renamed;
        }
        return 0;
    }
    return dci_cluster_append(cluster, name, address, roles, origin);
}

int dc_cluster_add_here(struct dc_cluster *cluster, const char *name, uint32_t *index)
{
    int rc = dci_cluster_append(cluster, name, NULL, 0, "this machine");
    if (rc)
        return rc;
    cluster->nodes[cluster->nnodes - 1].pseudo = true;
    *index = (uint32_t)(cluster->nnodes - 1);
    return 0;
}

int dci_set_text(char **field, const char *text)
{
    char *copy = strdup(text);
    if (!copy)
        return DC_ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

int dc_cluster_set_name(struct dc_cluster *cluster, const char *name)
{
    int rc = dci_set_text(&cluster->name, name);
    /* a label only: a control character (from an admin's DMS.xml as well) is shown as '?'
     * rather than refusing the cluster's own file */
    for (char *c = rc ? NULL : cluster->name; c && *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    }
    return rc;
}

int dc_cluster_add_note(struct dc_cluster *cluster, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char **notes = realloc(cluster->notes, (cluster->nnotes + 1) * sizeof *notes);
    if (!notes)
        return DC_ENOMEM;
    cluster->notes = notes;
    notes[cluster->nnotes] = strdup(text);
    if (!notes[cluster->nnotes])
        return DC_ENOMEM;
    cluster->nnotes++;
    return 0;
}

void dc_cluster_drop_notes(struct dc_cluster *cluster, size_t keep)
{
    while (cluster->nnotes > keep)
        free(cluster->notes[--cluster->nnotes]);
}

int dci_cluster_add_upgrade(struct dc_cluster *cluster, const char *file, unsigned long line,
                            const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct dc_upgrade_finding *u = realloc(cluster->upgrade, (cluster->nupgrade + 1) * sizeof *u);
    if (!u)
        return DC_ENOMEM;
    cluster->upgrade = u;
    u = &u[cluster->nupgrade];
    *u = (struct dc_upgrade_finding){.file = strdup(file), .line = line, .finding = strdup(text)};
    if (!u->file || !u->finding) {
        free(u->file);
        free(u->finding);
        return DC_ENOMEM;
    }
    cluster->nupgrade++;
    char at[32] = "";
    if (line)
        snprintf(at, sizeof at, ":%lu", line);
    return dc_cluster_add_note(cluster,
                               "%s%s: VerifyGRPCConnection (the upgrade prerequisite of "
                               "10.5.10/10.6.0) refuses this: %s",
                               file, at, text);
}

int dc_node_map_port(struct dc_node *node, uint16_t from, uint16_t to)
{
    for (size_t i = 0; i < node->nports; i++) {
        if (node->ports[i].from == from) {
            node->ports[i].to = to;
            return 0;
        }
    }
    struct dc_port_map *ports = realloc(node->ports, (node->nports + 1) * sizeof *ports);
    if (!ports)
        return DC_ENOMEM;
    node->ports = ports;
    ports[node->nports++] = (struct dc_port_map){from, to};
    return 0;
}

int dci_node_prepend_address(struct dc_node *node, const char *address)
{
    char *copy = strdup(address);
    char **list = copy ? realloc(node->addresses, (node->naddresses + 1) * sizeof *list) : NULL;
    if (!list) {
        free(copy);
        return DC_ENOMEM;
    }
    memmove(list + 1, list, node->naddresses * sizeof *list);
    list[0] = copy;
    node->addresses = list;
    node->naddresses++;
    return 0;
}

uint16_t dc_node_port(const struct dc_node *node, uint16_t port)
{
    for (size_t i = 0; i < node->nports; i++) {
        if (node->ports[i].from == port)
            return node->ports[i].to;
    }
    return port;
}
