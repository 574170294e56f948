/* How the agent answers (agent_respond.c): each function queues the answer and takes `json`
 * (freed either way; NULL: MHD_NO, the connection dropped). */
#ifndef DMSCONN_AGENT_AGENT_RESPOND_H
#define DMSCONN_AGENT_AGENT_RESPOND_H

#include <microhttpd.h>

enum MHD_Result dci_agent_respond(struct MHD_Connection *conn, unsigned status, char *json);
/* A 200 answer signed for the request's nonce (X-Dmsconn-Signature). */
enum MHD_Result dci_agent_respond_signed(const char *token, struct MHD_Connection *conn,
                                         const char *nonce, char *json);
/* {"error": why}, why cut to printable ASCII. */
enum MHD_Result dci_agent_respond_error(struct MHD_Connection *conn, unsigned status,
                                        const char *why);

#endif
