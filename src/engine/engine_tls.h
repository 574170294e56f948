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
struct ssl_st;

/* A client context whose handshakes complete whatever the certificate: its store holds the
 * roots (the system's, or ca_file's) that dci_cert_read verifies against. NULL when OpenSSL
 * cannot make one or ca_file cannot be read. */
struct ssl_ctx_st *dci_tls_ctx_new(const char *ca_file);
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
struct ssl_st *dci_tls_ssl(const struct dci_tls *tls);
/* An IP address (no SNI; the certificate's IP names are checked), not a name. */
bool dci_tls_is_address(const char *host);
/* The handshake failed because the peer speaks only TLS older than 1.2 (DCI_TLS_TOO_OLD's
 * words, base_private.h): OpenSSL's error that says so. */
bool dci_tls_too_old(unsigned long openssl_error);
/* The same, from the words of an error message (curl's error buffer quotes OpenSSL's). */
bool dci_tls_too_old_text(const char *message);
/* "TLSv1.3, CN=..." for the evidence. */
void dci_tls_describe(const struct dci_tls *tls, char *buf, size_t cap);

/* engine_cert.c: the one reader of a peer's certificate, for both TLS drivers. */
struct dc_cert;
struct engine;
struct x509_store_st;
/* The run's TLS context (roots loaded once), made on first use; NULL if it cannot be. */
struct ssl_ctx_st *dci_engine_tls_ctx(struct engine *e);
/* The certificate the peer showed in ssl's finished handshake (the dialogue's own or curl's),
 * its chain verified against roots as of no particular time (expiry is judged on its own), its
 * names against `checked` (the address or the name connected by). false: the peer sent none. */
bool dci_cert_read(struct ssl_st *ssl, struct x509_store_st *roots, const char *checked,
                   struct dc_cert *out);
/* What the probe's client decides: a certificate not trusted, not naming `checked`, expired or
 * not yet valid is refused (detail: why), unless insecure (--tls-insecure). */
bool dci_cert_accept(const struct dc_cert *cert, bool insecure, char *detail, size_t cap);
/* The certificate as its text in the run's pool, for the result. */
const char *dci_cert_keep(struct engine *e, const struct dc_cert *cert);
/* dci_cert_read against the run's roots, then kept: the text (and the certificate in *out),
 * or NULL when the peer sent none. */
const char *dci_cert_take(struct engine *e, struct ssl_st *ssl, const char *checked,
                          struct dc_cert *out);

#endif
