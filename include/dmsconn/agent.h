/* The agent: an HTTP API (libmicrohttpd) that runs, from this node, the tasks a coordinator
 * sends — only towards nodes of its own cluster and ports of its own profile — and the
 * coordinator's side of it. */
#ifndef DMSCONN_AGENT_H
#define DMSCONN_AGENT_H

#include "dmsconn/engine.h"
#include "dmsconn/wire.h"

#include <time.h>

#define DC_AGENT_PORT 7488 /* outside DataMiner's port list (docs/dataminer.md) */

/* Reads a bearer token: a regular file readable by its owner only, at least 16 characters
 * (trailing whitespace ignored). */
int dc_token_read(const char *path, char **token, struct dc_diag *diag);
/* Compares in time that depends on the lengths only, not on where they differ. */
bool dc_token_equal(const char *expected, const char *given);
/* The same for any secret (an SNMP community, a password), at least min_len characters;
 * messages name the file by the option that gave it ("--snmp-community-file"). */
int dc_secret_read(const char *path, const char *option, size_t min_len, char **secret,
                   struct dc_diag *diag);

/* Request signing (src/agent_sign.c, docs/security.md): the coordinator signs each request
 * with HMAC-SHA-256 over its method, path, a hash of its body, a date and a random nonce;
 * the token itself never crosses the network. */
#define DC_SIGN_WINDOW_S 120 /* how far apart the two clocks may be */
struct dc_signed_headers {   /* header lines as curl takes them */
    char date[48];
    char nonce[56];
    char content[96];
    char authorization[112];
};
int dc_sign_request(const char *secret, const char *method, const char *path, const void *body,
                    size_t len, time_t now, struct dc_signed_headers *out);
struct curl_slist;
/* Appends the signed headers of a request to list (NULL, the list freed, when that fails);
 * nonce (NULL: not wanted) gets the request's nonce, which its answer's signature covers. */
struct curl_slist *dc_curl_signed_headers(struct curl_slist *list, const char *secret,
                                          const char *method, const char *path, const void *body,
                                          size_t len, char nonce[33]);
/* The agent signs its answers (X-Dmsconn-Signature: hex) for the request's nonce. */
bool dc_sign_response(const char *secret, const char *nonce, const void *body, size_t len,
                      char out[65]);
bool dc_sign_response_ok(const char *secret, const char *nonce, const void *body, size_t len,
                         const char *given);
/* A CURLOPT_HEADERFUNCTION keeping the answer's X-Dmsconn-Signature in ud (char[65]). */
size_t dc_curl_signature_header(char *line, size_t size, size_t n, void *ud);

/* The values of the four headers as a request brought them (NULL: missing). */
struct dc_sign_head {
    const char *authorization;
    const char *date;
    const char *nonce;
    const char *content;
};
enum dc_sign_check {
    DC_SIGN_OK,
    DC_SIGN_BEARER,    /* the old bearer token: refused, never a silent downgrade */
    DC_SIGN_MISSING,   /* no signature */
    DC_SIGN_MALFORMED, /* headers not of the expected form */
    DC_SIGN_CLOCK,     /* the date is outside the window (skew_s says by how much) */
    DC_SIGN_BAD,       /* the MAC does not match: another token, or a changed request */
    DC_SIGN_REPLAY,    /* the nonce was seen within the window */
    DC_SIGN_BUSY,      /* the nonce cache is full of live nonces */
    DC_SIGN_BODY       /* the body is not the one signed */
};
/* Checks the head of a request (before its body is read). */
enum dc_sign_check dc_sign_verify_head(const char *secret, const char *method, const char *path,
                                       const struct dc_sign_head *head, time_t now, long window_s,
                                       long *skew_s);
/* The agent's whole check of a head: the signature, then the nonce; why gets the reason
 * said to the coordinator ("" when it passes; DC_SIGN_BUSY is a 503, the rest 401). */
struct dc_nonce_cache;
enum dc_sign_check dc_sign_admit(const char *secret, struct dc_nonce_cache *nonces,
                                 const char *method, const char *path,
                                 const struct dc_sign_head *head, time_t now, char *why,
                                 size_t cap);
/* After the body: is it the one whose hash was signed? */
bool dc_sign_body_matches(const struct dc_sign_head *head, const void *body, size_t len);
/* Nonces seen within the window (thread safe): DC_SIGN_OK the first time, then REPLAY. */
struct dc_nonce_cache;
int dc_nonce_cache_new(long window_s, struct dc_nonce_cache **out);
void dc_nonce_cache_free(struct dc_nonce_cache *cache);
enum dc_sign_check dc_nonce_check(struct dc_nonce_cache *cache, const char *nonce, time_t now);

/* Turns a batch into a plan of the tasks this agent may run: the destination must be a node
 * of its cluster and the port the one the profile checks there. results[i] of a refused
 * task is filled (state error, the reason); map[k] is the batch index of plan task k. */
int dc_agent_authorize(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       uint32_t self, const struct dc_wire_batch *batch, struct dc_plan **plan,
                       size_t **map, struct dc_result *results, struct dc_texts *texts);

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

/* --tls-auto DIR (src/agent_tls_auto.c): DIR/agent.key and DIR/agent.crt of an earlier start,
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

/* The coordinator: runs `local`'s row here (-1: none) and every other row on its node's
 * agent, all at once; a row whose agent fails is `unknown` with the reason. */
struct dc_coordinator_opts {
    const char *token;
    uint16_t agent_port; /* for nodes without an explicit agent address */
    bool tls;
    const char *ca_file; /* NULL: the system's CAs */
    bool insecure;       /* accept any certificate (labs) */
    double margin_s;     /* on top of the probe timeout for an agent's answer */
    bool preflight;      /* listen first on required ports nothing uses yet */
    /* Called on the loop thread for each agent that said what its own DataMiner folder
     * sets (may be NULL). */
    void (*on_settings)(void *ud, uint32_t node, const struct dc_wire_settings *settings);
    void *settings_ud;
};

/* How the coordinator reaches a node's agent: "https" or "http", and the TLS options of a
 * transfer to it (--agent-ca, --agent-insecure, or the inventory's pinned key: then only
 * that public key, whoever signed the certificate). false when an option did not take. */
const char *dc_agent_scheme(const struct dc_coordinator_opts *opts, const struct dc_node *node);
bool dc_agent_tls_setopts(void *easy, const struct dc_coordinator_opts *opts,
                          const struct dc_node *node);

/* Pre-flight around a run: opens listeners on every destination's free ports of the plan
 * (on its agent, or here for `local`), marks opened[i] for each task that will meet one;
 * end closes them all (the agents also close them at their deadline, on every path). */
struct dc_preflight_run;
int dc_preflight_begin(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_plan *plan, long local,
                       const struct dc_coordinator_opts *opts, double hold_s, bool *opened,
                       struct dc_preflight_run **out);
void dc_preflight_end(struct dc_preflight_run *run);

int dc_coordinator_run(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_plan *plan, long local, const struct dc_engine_opts *engine,
                       const struct dc_coordinator_opts *opts, struct dc_result *results,
                       struct dc_texts *texts, bool *interrupted, struct dc_diag *diag);

#endif
