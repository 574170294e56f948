/* Signed requests and answers between the coordinator and its agents (src/agent/agent_sign.c,
 * docs/security.md). */
#ifndef DMSCONN_SIGN_H
#define DMSCONN_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The coordinator signs each request (dmsconn-request-v2) with HMAC-SHA-256 over its method,
 * path, the node of the agent it is for, a date, a random nonce and a hash of its body; the
 * token itself never crosses the network. Naming the agent binds a request to it: captured
 * on its way to one agent, it is refused by every other. */
#define DC_SIGN_WINDOW_S 120 /* how far apart the two clocks may be */
struct dc_signed_headers {   /* header lines as curl takes them */
    char node[320];
    char date[48];
    char nonce[56];
    char content[96];
    char authorization[112];
};
int dc_sign_request(const char *secret, const char *method, const char *path, const char *node,
                    const void *body, size_t len, time_t now, struct dc_signed_headers *out);
/* The agent signs its answers (X-Dmsconn-Signature: hex) for the request's nonce. */
bool dc_sign_response(const char *secret, const char *nonce, const void *body, size_t len,
                      char out[65]);
bool dc_sign_response_ok(const char *secret, const char *nonce, const void *body, size_t len,
                         const char *given);

/* The values of the five headers as a request brought them (NULL: missing). */
struct dc_sign_head {
    const char *node; /* X-Dmsconn-Node: the agent it is for */
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
    DC_SIGN_BODY,      /* the body is not the one signed */
    DC_SIGN_OLD,       /* signed as dmsconn-request-v1 (no node): an older coordinator */
    DC_SIGN_OTHER,     /* signed for another agent's node: misdirected, or replayed here */
    DC_SIGN_STALE      /* dated before this agent started: captured before a restart? */
};
/* Checks the head of a request (before its body is read) for the agent of node `self`. */
enum dc_sign_check dc_sign_verify_head(const char *secret, const char *method, const char *path,
                                       const char *self, const struct dc_sign_head *head,
                                       time_t now, long window_s, long *skew_s);
/* The agent's whole check of a head: the signature, its node, its date against the agent's
 * start (`started`: a request dated before it is refused, so a restart, which empties the
 * nonce cache, does not reopen the window), then the nonce; why gets the reason said to the
 * coordinator ("" when it passes; DC_SIGN_BUSY is a 503, the rest 401). */
struct dc_nonce_cache;
enum dc_sign_check dc_sign_admit(const char *secret, struct dc_nonce_cache *nonces,
                                 const char *method, const char *path, const char *self,
                                 time_t started, const struct dc_sign_head *head, time_t now,
                                 char *why, size_t cap);
/* After the body: is it the one whose hash was signed? */
bool dc_sign_body_matches(const struct dc_sign_head *head, const void *body, size_t len);
/* Nonces seen within the window (thread safe): DC_SIGN_OK the first time, then REPLAY. */
int dc_nonce_cache_new(long window_s, struct dc_nonce_cache **out);
void dc_nonce_cache_free(struct dc_nonce_cache *cache);
enum dc_sign_check dc_nonce_check(struct dc_nonce_cache *cache, const char *nonce, time_t now);

#endif
