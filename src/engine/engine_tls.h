/* TLS for the dialogue driver: OpenSSL over memory BIOs, so the engine's own libuv socket
 * carries the ciphertext and nothing blocks. */
#ifndef DMSCONN_ENGINE_TLS_H
#define DMSCONN_ENGINE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dci_tls;
struct ssl_ctx_st;

/* A client context: verifies certificates against the system's CAs (or ca_file) unless
 * `insecure`. NULL when OpenSSL cannot make one. */
struct ssl_ctx_st *dci_tls_ctx_new(bool insecure, const char *ca_file);
void dci_tls_ctx_free(struct ssl_ctx_st *ctx);

/* alpn: the protocol to offer by ALPN ("h2"), or NULL. */
int dci_tls_new(struct ssl_ctx_st *ctx, const char *host, const char *alpn, struct dci_tls **out);
void dci_tls_free(struct dci_tls *tls);

/* Ciphertext from the network. */
int dci_tls_feed(struct dci_tls *tls, const uint8_t *data, size_t len);
/* Advances the handshake: 1 done, 0 needs more from the peer, -1 failed (err says why). */
int dci_tls_handshake(struct dci_tls *tls, char *err, size_t cap);
/* Plaintext to send; the ciphertext waits in the outgoing queue. */
int dci_tls_write(struct dci_tls *tls, const uint8_t *data, size_t len);
/* Takes up to cap bytes of ciphertext to send; 0 when there is none. */
size_t dci_tls_take(struct dci_tls *tls, uint8_t *buf, size_t cap);
/* Plaintext received: > 0 bytes, 0 none yet, -1 the peer closed or an error. */
ssize_t dci_tls_read(struct dci_tls *tls, uint8_t *buf, size_t cap);
/* "TLSv1.3, CN=..." for the evidence. */
void dci_tls_describe(const struct dci_tls *tls, char *buf, size_t cap);

#endif
