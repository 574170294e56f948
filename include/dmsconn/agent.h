/* The agent: an HTTP API (libmicrohttpd) that runs, from this node, the tasks a coordinator
 * sends — only towards nodes of its own cluster and ports of its own profile. The
 * coordinator's side is dmsconn/coordinator.h; how requests are signed, dmsconn/sign.h. */
#ifndef DMSCONN_AGENT_H
#define DMSCONN_AGENT_H

#include "dmsconn/engine.h"
#include "dmsconn/wire.h"

#define DC_AGENT_PORT 7488 /* outside DataMiner's port list (docs/dataminer.md) */

struct dc_agent_opts {
    const char *listen_address; /* numeric IPv4/IPv6 */
    uint16_t port;
    const char *token;
    const char *tls_cert_pem; /* both NULL: plain HTTP */
    const char *tls_key_pem;
    const struct dc_cluster *cluster;
    const struct dc_profile *profile;
    uint32_t self;
    struct dc_engine_opts engine; /* timeout_s here is the most a request may ask for */
    size_t max_body;              /* bytes */
    unsigned max_runs;            /* batches running at once */
};

/* --tls-auto DIR (src/agent/agent_tls_auto.c): DIR/agent.key and DIR/agent.crt of an earlier start,
 * or a new key pair and self-signed certificate for the node's name and address (files only
 * their owner may read; *made says so). fingerprint: "sha256:" and the base64 of the public
 * key's SHA-256, what an inventory pins. */
#define DC_AGENT_PIN_MAX 64
int dc_agent_tls_auto(const char *dir, const char *name, const char *address, char **cert_pem,
                      char **key_pem, char fingerprint[DC_AGENT_PIN_MAX], bool *made,
                      struct dc_diag *diag);

struct dc_agent;

int dc_agent_start(const struct dc_agent_opts *opts, struct dc_agent **out, struct dc_diag *diag);
/* Stops accepting, waits for running batches (bounded by their timeout), frees. */
void dc_agent_stop(struct dc_agent *agent);

#endif
