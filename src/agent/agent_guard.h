/* The agent's connection guard (agent_guard.c): a whole-request deadline and the slots kept
 * for the cluster's nodes. Internal to the agent. */
#ifndef DMSCONN_AGENT_GUARD_H
#define DMSCONN_AGENT_GUARD_H

#include "dmsconn/cluster.h"

#include <microhttpd.h>

struct dci_agent_guard;

/* A request must arrive whole within deadline_s; addresses outside the node list share at
 * most outside_max connections. The cluster must outlive the guard. */
int dci_agent_guard_start(const struct dc_cluster *cluster, double deadline_s, unsigned outside_max,
                          struct dci_agent_guard **out);
/* After the daemon has stopped (every connection closed). NULL: nothing. */
void dci_agent_guard_stop(struct dci_agent_guard *guard);
/* libmicrohttpd's accept policy (cls: the guard). */
enum MHD_Result dci_agent_guard_accept(void *cls, const struct sockaddr *addr, socklen_t len);
/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION (cls: the guard). */
void dci_agent_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe);
/* The connection's request has arrived (or been answered): its clock stops. */
void dci_agent_guard_received(struct MHD_Connection *conn);
/* The connection's request is done: the clock runs for its next one. */
void dci_agent_guard_next_request(struct MHD_Connection *conn);

#endif
