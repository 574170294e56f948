/* What the agent and the coordinator share inside the library: request signing over curl,
 * the agent's policy, tokens and secrets, the wire format's writers, pre-flight listeners.
 * Not part of the public API (include/dmsconn/agent.h, coordinator.h are). */
#ifndef DMSCONN_AGENT_AGENT_PRIVATE_H
#define DMSCONN_AGENT_AGENT_PRIVATE_H

#include "dmsconn/agent.h"
#include "dmsconn/coordinator.h"
#include "dmsconn/preflight.h"
#include "dmsconn/secret.h"
#include "dmsconn/wire.h"

/* Turns a batch into a plan of the tasks this agent may run: the destination must be a node
 * of its cluster and the port the one the profile checks there. results[i] of a refused
 * task is filled (state error, the reason); map[k] is the batch index of plan task k. */
int dci_agent_authorize(const struct dc_cluster *cluster, const struct dc_profile *profile,
                        uint32_t self, const struct dc_wire_batch *batch, struct dc_plan **plan,
                        size_t **map, struct dc_result *results, struct dc_texts *texts);

/* How the coordinator reaches a node's agent: "https" or "http", and the TLS options of a
 * transfer to it (--agent-ca, --agent-insecure, or the inventory's pinned key: then only
 * that public key, whoever signed the certificate). false when an option did not take. */
const char *dci_agent_scheme(const struct dc_coordinator_opts *opts, const struct dc_node *node);

bool dci_agent_tls_setopts(void *easy, const struct dc_coordinator_opts *opts,
                           const struct dc_node *node);

/* A CURLOPT_HEADERFUNCTION keeping the answer's X-Dmsconn-Signature in ud (char[65]). */
size_t dci_curl_signature_header(char *line, size_t size, size_t n, void *ud);
/* What a run's answer says in its head: its signature, and the agent's clock when it answered
 * (X-Dmsconn-Clock, ms of the Unix epoch; 0 when it said none); and when, on this machine's
 * monotonic clock (uv_hrtime), the request was about to leave and the answer's first line
 * came in (0: not yet): NTP's t0 and t3, taken as they happen. */
/* A memory BIO's PEM text as a string (malloc'd), or NULL (agent_tls_auto.c). */
struct bio_st;
char *dci_pem_of(struct bio_st *bio);

struct dci_answer_head {
    char signature[65];
    double clock_ms;
    uint64_t sent_ns, answered_ns;
    void *easy;          /* the transfer (set by its owner): its TLS session is read */
    const char *checked; /* the address it connects to, which the certificate should name */
    char cert[1024];     /* the agent's certificate (dc_cert_format), "" over HTTP */
};
/* A CURLOPT_HEADERFUNCTION filling a struct dci_answer_head (ud). */
size_t dci_curl_answer_header(char *line, size_t size, size_t n, void *ud);
/* A CURLOPT_PREREQFUNCTION noting when the request leaves and, over HTTPS, the certificate
 * the agent showed (ud: struct dci_answer_head). */
int dci_curl_answer_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip,
                           int conn_primary_port, int conn_local_port);

/* Appends the signed headers of a request for the agent of `node` to list (NULL, the list
 * freed, when that fails); nonce (NULL: not wanted) gets the request's nonce, which its
 * answer's signature covers. */
struct curl_slist *dci_curl_signed_headers(struct curl_slist *list, const char *secret,
                                           const char *method, const char *path, const char *node,
                                           const void *body, size_t len, char nonce[33]);

int dci_preflight_begin(const struct dc_cluster *cluster, const struct dc_profile *profile,
                        const struct dc_plan *plan, long local,
                        const struct dc_coordinator_opts *opts, double hold_s, bool *opened,
                        struct dc_preflight_run **out);

/* Closes every listener; safe to call twice. */
void dci_preflight_close(struct dc_preflight *pf);

void dci_preflight_end(struct dc_preflight_run *run);

/* Listens on address:port for each port that is free; at most DC_PREFLIGHT_MAX_PORTS. */
int dci_preflight_open(const char *address, const uint16_t *ports, size_t n,
                       struct dc_preflight *out);

/* dc_token_read for any secret (an SNMP community, a password), at least min_len characters;
 * messages name the file by the option that gave it ("--snmp-community-file"). */
int dci_secret_read(const char *path, const char *option, size_t min_len, char **secret,
                    struct dc_diag *diag);

/* Compares in time that depends on the lengths only, not on where they differ. */
bool dci_token_equal(const char *expected, const char *given);

/* The request for the tasks plan->tasks[index[0..n-1]] (all from one source); preflight[i]
 * (NULL: none) marks plan task i as aimed at a pre-flight listener. Caller frees. */
char *dci_wire_request(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_plan *plan, const size_t *index, size_t n, double timeout_s,
                       double budget_s, const bool *preflight);

/* The response for n results. Caller frees. */
char *dci_wire_results(const char *node, const struct dc_wire_settings *settings,
                       const struct dc_result *results, size_t n);

#endif
