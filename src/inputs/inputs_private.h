/* What the readers of the node lists share (DMS.xml, DB.xml, ClusterEndpoints.json, the
 * DataMiner folder): the parts of one file another reader calls. */
#ifndef DMSCONN_INPUTS_INPUTS_PRIVATE_H
#define DMSCONN_INPUTS_INPUTS_PRIVATE_H

#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"

#include <uv.h> /* struct sockaddr, for every platform */

/* Appends a node as it is given (no merge by name or address: dc_cluster_add does that). */
int dci_cluster_append(struct dc_cluster *cluster, const char *name, const char *address,
                       uint32_t roles, const char *origin);

/* The first node one of whose addresses is `sa`'s (compared as numbers), or -1. */
long dci_cluster_node_at(const struct dc_cluster *cluster, const struct sockaddr *sa);

/* Records what VerifyGRPCConnection would refuse at file:line (line 0: the whole file) in
 * DataMiner's words, and a note that says it. cluster.c */
int dci_cluster_add_upgrade(struct dc_cluster *cluster, const char *file, unsigned long line,
                            const char *fmt, ...) DC_PRINTF(4, 5);

/* https_name.c: the HTTPS name's rules, in one place. */
/* The DMA whose HTTPS name node `name` ("NAME/https") is, or -1. */
long dci_https_name_owner(const struct dc_cluster *cluster, const char *name);
/* Node `node` is an HTTPS name that resolved here to `address`, which is none of its DMA's
 * addresses (DataMiner's docs: the name must lead to its own Agent from every Agent): true,
 * and `why` says where it led. */
bool dci_https_name_elsewhere(const struct dc_cluster *cluster, uint32_t node, const char *address,
                              char *why, size_t cap);

/* One search database's host list ("h1,https://h2:9200"), as DB.xml and DBConfiguration.xml
 * write it: its nodes get the opensearch role and a database number of their own. */
int dci_inventory_add_search(struct dc_cluster *cluster, const char *servers, const char *where,
                             struct dc_diag *diag);

/* DMS.xml when the DMAs came from ClusterEndpoints.json: the cluster's name and Redirects; a
 * DMA the node list lacks is a note. */
int dci_inventory_parse_dmsxml_redirects(struct dc_cluster *cluster, const char *data, size_t len,
                                         const char *origin, struct dc_diag *diag);

/* Configurations/ClusterEndpoints.json: one DMA per endpoint; AdditionalEndpoints are
 * Failover virtual IPs (role failover-vip), which pair the DMAs that list them. */
int dci_inventory_read_endpoints(struct dc_cluster *cluster, const char *path,
                                 struct dc_diag *diag);

/* Makes `address` the node's first address (the one probed), keeping the others. */
int dci_node_prepend_address(struct dc_node *node, const char *address);

/* Replaces *field (freed) by a copy of text: where a generation setting was decided. */
int dci_set_text(char **field, const char *text);

#endif
