/* Readers of node lists: DataMiner's DMS.xml and DB.xml, a YAML inventory, --node flags.
 * Each adds to a cluster; on failure diag says file, line and what was expected. */
#ifndef DMSCONN_INVENTORY_H
#define DMSCONN_INVENTORY_H

#include "dmsconn/cluster.h"

/* DMS.xml: one node per <DMA ip>, role dma; Redirects set each DMA's link. */
int dc_inventory_read_dmsxml(struct dc_cluster *cluster, const char *path, struct dc_diag *diag);
int dc_inventory_parse_dmsxml(struct dc_cluster *cluster, const char *data, size_t len,
                              const char *origin, struct dc_diag *diag);

/* DB.xml: database nodes. "localhost" adds the role to every DMA already in the cluster, so
 * read DMS.xml first. */
int dc_inventory_read_dbxml(struct dc_cluster *cluster, const char *path, struct dc_diag *diag);
int dc_inventory_parse_dbxml(struct dc_cluster *cluster, const char *data, size_t len,
                             const char *origin, struct dc_diag *diag);

int dc_inventory_parse_endpoints(struct dc_cluster *cluster, const char *data, size_t len,
                                 const char *origin, struct dc_diag *diag);

/* A DataMiner folder: the node list and the cluster's generation from every file of it that
 * matters (README "Reading the DataMiner folder"). src/inputs/inventory_dmdir.c */
int dc_inventory_read_dataminer_dir(struct dc_cluster *cluster, const char *dir,
                                    struct dc_diag *diag);

/* The files of that folder that describe how the cluster works (src/inputs/inventory_settings.c);
 * each may be read on its own, e.g. by a test. */
int dc_inventory_parse_maintenance(struct dc_cluster *cluster, const char *data, size_t len,
                                   const char *origin, struct dc_diag *diag);
int dc_inventory_parse_slnet_config(struct dc_cluster *cluster, const char *data, size_t len,
                                    const char *origin, struct dc_diag *diag);
int dc_inventory_parse_slcloud(struct dc_cluster *cluster, const char *data, size_t len,
                               const char *origin, struct dc_diag *diag);
int dc_inventory_parse_dataminer_xml(struct dc_cluster *cluster, const char *data, size_t len,
                                     const char *origin, struct dc_diag *diag);
int dc_inventory_parse_dbconfig(struct dc_cluster *cluster, const char *data, size_t len,
                                const char *origin, struct dc_diag *diag);
/* Webpages/ConnectionSettings.txt, for what VerifyGRPCConnection refuses in it (the cluster's
 * upgrade list; what DataMiner would not read is a note). src/inputs/inventory_connsettings.c */
int dc_inventory_parse_connection_settings(struct dc_cluster *cluster, const char *data, size_t len,
                                           const char *origin, struct dc_diag *diag);

/* The YAML inventory (README: "Inventory file"). */
int dc_inventory_read_yaml(struct dc_cluster *cluster, const char *path, struct dc_diag *diag);
int dc_inventory_parse_yaml(struct dc_cluster *cluster, const char *data, size_t len,
                            const char *origin, struct dc_diag *diag);

/* One --node NAME=ADDR[:role,role] flag. An IPv6 address is written in brackets when roles
 * follow: --node db6=[fd00::5]:cassandra. */
int dc_inventory_add_flag(struct dc_cluster *cluster, const char *spec, struct dc_diag *diag);

/* Reads a whole file into a NUL-terminated buffer (max 16 MiB: inputs people write). */
int dc_read_file(const char *path, char **data, size_t *len, struct dc_diag *diag);
/* The same with another limit: dmsconn's own JSON reports (DC_REPORT_MAX_BYTES) are 400
 * bytes a result, 120 MB for a 300,000-task matrix. */
#define DC_REPORT_MAX_BYTES ((size_t)1 << 30)
int dc_read_file_max(const char *path, size_t max, char **data, size_t *len, struct dc_diag *diag);

#endif
