/* The HTTPS name of a DMA (MaintenanceSettings.xml's <HTTPS name>, or an inventory's
 * https_name:): from every Agent it must resolve to that DMA and its certificate on 443 must
 * carry it (DataMiner's docs, "Setting up HTTPS on a DMA"). Every rule about it is here: the
 * node "NAME/https" that makes it a destination of its own, whose name it is on a --from-here
 * run and through agents, and what its resolving elsewhere means. */
#include "dmsconn/cluster.h"
#include "base/portable.h"
#include "inputs/inputs_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SUFFIX "/https"

int dc_node_set_https_name(struct dc_cluster *cluster, uint32_t index, const char *name,
                           const char *origin, struct dc_diag *diag)
{
    if (!dc_address_valid(name) || strchr(name, ':')) {
        dc_diag_set(diag, "%s: HTTPS name '%s'; expected a hostname", origin, name);
        return DC_EINVAL;
    }
    char label[300];
    snprintf(label, sizeof label, "%s" SUFFIX, cluster->nodes[index].name);
    if (cluster->nodes[index].https_name) {
        if (strcasecmp(cluster->nodes[index].https_name, name) == 0)
            return 0;
        dc_diag_set(diag, "%s: node '%s' already has the HTTPS name %s; expected one", origin,
                    cluster->nodes[index].name, cluster->nodes[index].https_name);
        return DC_EDUP;
    }
    char *copy = strdup(name);
    if (!copy)
        return DC_ENOMEM;
    cluster->nodes[index].https_name = copy;
    /* the alias is a destination of its own: the engine resolves the name from each source,
     * as DataMiner's Agents do, and the certificate is checked against the name */
    int rc = dci_cluster_append(cluster, label, name, DC_ROLE_HTTPS_NAME, origin);
    if (rc)
        return rc;
    struct dc_node *alias = &cluster->nodes[cluster->nnodes - 1];
    alias->alias = true;
    alias->alias_of = index;
    return 0;
}

long dci_https_name_owner(const struct dc_cluster *cluster, const char *name)
{
    size_t len = name ? strlen(name) : 0, suffix = strlen(SUFFIX);
    if (len <= suffix || strcmp(name + len - suffix, SUFFIX) != 0)
        return -1;
    char owner[256];
    snprintf(owner, sizeof owner, "%.*s", (int)(len - suffix), name);
    return dc_cluster_find(cluster, owner);
}

static bool any_https_name(const struct dc_cluster *cluster)
{
    for (size_t i = 0; i < cluster->nnodes; i++) {
        if (cluster->nodes[i].https_name)
            return true;
    }
    return false;
}

int dc_cluster_https_name_from_here(struct dc_cluster *cluster, uint32_t source,
                                    struct dc_diag *diag)
{
    const struct dc_generation *g = &cluster->gen;
    if (!g->https_name || any_https_name(cluster) || !(cluster->nodes[source].roles & DC_ROLE_DMA))
        return 0;
    int rc = dc_node_set_https_name(cluster, source, g->https_name, g->https_from, diag);
    if (!rc)
        rc =
            dc_cluster_add_note(cluster, "%s: the HTTPS name %s is taken as %s's own (--from-here)",
                                g->https_from, g->https_name, cluster->nodes[source].name);
    if (rc && !diag->msg[0])
        dc_diag_set(diag, "out of memory");
    return rc;
}

void dc_cluster_https_name_through_agents(struct dc_cluster *cluster)
{
    const struct dc_generation *g = &cluster->gen;
    if (g->https_name && !any_https_name(cluster))
        dc_cluster_add_note(cluster,
                            "%s names an HTTPS name, %s: to check from every Agent that it "
                            "resolves to its DMA and matches its certificate, give that node "
                            "'https_name: %s' in the inventory",
                            g->https_from, g->https_name, g->https_name);
}

bool dci_https_name_elsewhere(const struct dc_cluster *cluster, uint32_t node, const char *address,
                              char *why, size_t cap)
{
    const struct dc_node *n = &cluster->nodes[node];
    if (!n->alias)
        return false;
    const struct dc_node *dma = &cluster->nodes[n->alias_of];
    for (size_t i = 0; i < dma->naddresses; i++) {
        if (strcmp(dma->addresses[i], address) == 0)
            return false;
    }
    snprintf(why, cap, "HTTPS name %s resolves to %s here, not to %s (%s)", n->addresses[0],
             address, dma->name, dma->naddresses ? dma->addresses[0] : "no address");
    return true;
}
