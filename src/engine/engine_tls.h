/* TLS for the dialogue driver: OpenSSL over memory BIOs, so the engine's own libuv socket
 * carries the ciphertext and nothing blocks. */
#ifndef DMSCONN_ENGINE_TLS_H
#define DMSCONN_ENGINE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dc_tls;
struct ssl_ctx_st;

/* A client context: verifies certificates against the system's CAs (or ca_file) unless
 * `insecure`. NULL when OpenSSL cannot make one. */
struct ssl_ctx_st *dc_tls_ctx_new(bool insecure, const char *ca_file);
void dc_tls_ctx_free(struct ssl_ctx_st *ctx);

/* alpn: the protocol to offer by ALPN ("h2"), or NULL. */
int dc_tls_new(struct ssl_ctx_st *ctx, const char *host, const char *alpn, struct dc_tls **out);
void dc_tls_free(struct dc_tls *tls);

/* Ciphertext from the network. */
int dc_tls_feed(struct dc_tls *tls, const uint8_t *data, size_t len);
/* Advances the handshake: 1 done, 0 needs more from the peer, -1 failed (err says why). */
int dc_tls_handshake(struct dc_tls *tls, char *err, size_t cap);
/* Plaintext to send; the ciphertext waits in the outgoing queue. */
int dc_tls_write(struct dc_tls *tls, const uint8_t *data, size_t len);
/* Takes up to cap bytes of ciphertext to send; 0 when there is none. */
size_t dc_tls_take(struct dc_tls *tls, uint8_t *buf, size_t cap);
/* Plaintext received: > 0 bytes, 0 none yet, -1 the peer closed or an error. */
ssize_t dc_tls_read(struct dc_tls *tls, uint8_t *buf, size_t cap);
/* "TLSv1.3, CN=..." for the evidence. */
void dc_tls_describe(const struct dc_tls *tls, char *buf, size_t cap);

#endif
