/* The node list: building it from several sources, merging, looking nodes up. */
#ifndef DMSCONN_CLUSTER_H
#define DMSCONN_CLUSTER_H

#include "dmsconn/error.h"
#include "dmsconn/model.h"

int dc_cluster_new(struct dc_cluster **out);
void dc_cluster_free(struct dc_cluster *cluster);

/* Adds a node, or merges it into the node that has the same name or the same address:
 * roles are united, port maps appended. The same name with different addresses is
 * rejected (DC_EDUP, diag names both origins), and so is a name holding a control character
 * (DC_EINVAL: a line break or escape sequence would break the terminal's matrix). Copies
 * every string. */
int dc_cluster_add(struct dc_cluster *cluster, const char *name, const char *address,
                   uint32_t roles, const char *origin, struct dc_diag *diag);

/* Index of the node with this name or address, or -1. */
long dc_cluster_find(const struct dc_cluster *cluster, const char *name_or_address);

/* The cluster's name, copied; a control character in it is kept as '?'. */
int dc_cluster_set_name(struct dc_cluster *cluster, const char *name);
int dc_cluster_add_note(struct dc_cluster *cluster, const char *fmt, ...) DC_PRINTF(2, 3);
/* Drops the notes after the first `keep` (a run's own, before the next run on the same
 * cluster: check --every). */
void dc_cluster_drop_notes(struct dc_cluster *cluster, size_t keep);
/* Records that on node `index` the service with default port `from` listens on `to`. */
int dc_node_map_port(struct dc_node *node, uint16_t from, uint16_t to);
/* Gives DMA `index` its HTTPS name: a node "NAME/https" (role https-name, alias_of index)
 * is added, whose address is the name, so every source resolves it and checks the
 * certificate on 443 against it. */
int dc_node_set_https_name(struct dc_cluster *cluster, uint32_t index, const char *name,
                           const char *origin, struct dc_diag *diag);
/* A --from-here run on a DMA: the DataMiner folder's HTTPS name (cluster->gen) is this
 * Agent's own, unless a node list gives HTTPS names itself; a note says so. 0, or an error
 * with diag set. */
int dc_cluster_https_name_from_here(struct dc_cluster *cluster, uint32_t source,
                                    struct dc_diag *diag);
/* A run through agents: a folder's HTTPS name is checked only when the inventory gives it to
 * its node (every agent must know it); a note says how, when it does not. */
void dc_cluster_https_name_through_agents(struct dc_cluster *cluster);
/* The port to probe on this node for a service whose default is `port`. */
uint16_t dc_node_port(const struct dc_node *node, uint16_t port);

/* Settles what depends on every source (links when Remoting is off, Failover VIPs, per-DMA
 * databases); with `notes`, adds the notes that say which generation was decided from which
 * file. Call once, after the last reader. src/inputs/generation.c */
int dc_cluster_finish(struct dc_cluster *cluster, bool notes);

/* Adds the pseudo node that stands for "this machine" as a source (--all-targets). */
int dc_cluster_add_here(struct dc_cluster *cluster, const char *name, uint32_t *index);

#endif

#ifndef DMSCONN_CLUSTER_ADDRESS
#define DMSCONN_CLUSTER_ADDRESS
/* True when `address` is an IPv4 or IPv6 literal or a syntactically valid hostname. */
bool dc_address_valid(const char *address);
/* Splits "host", "host:port", "[v6]:port", "[v6]" or a bare IPv6 literal: the host goes into
 * host (cap bytes), the port into *port (0 when none). false: malformed, a port outside
 * 1-65535, or an empty or too long host. */
bool dc_host_port_split(const char *spec, char *host, size_t cap, uint16_t *port);
/* A port number written in text: decimal digits only (ASCII whitespace around them allowed),
 * 1-65535; len bytes of s, or up to its NUL with DC_TO_NUL. The one port parser of dmsconn's
 * readers and options. */
#define DC_TO_NUL ((size_t)-1)
bool dc_port_parse(const char *s, size_t len, uint16_t *out);
#endif
