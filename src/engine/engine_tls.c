/* TLS over memory BIOs (engine_tls.h): OpenSSL never touches the socket. */
#include "engine_tls.h"
#include "base/base_private.h"
#include "base/os.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <uv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmsconn/error.h"

struct dci_tls {
    SSL *ssl;
    BIO *in;  /* ciphertext from the peer */
    BIO *out; /* ciphertext for the peer */
};

SSL_CTX *dci_tls_ctx_new(const char *ca_file)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* the handshake completes whatever the certificate: dci_cert_read verifies it against
     * this context's roots afterwards, and dci_cert_accept decides */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    if (ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1
                : dci_os_trust_system_roots(ctx) != 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

void dci_tls_ctx_free(SSL_CTX *ctx)
{
    SSL_CTX_free(ctx);
}

int dci_tls_new(SSL_CTX *ctx, const char *host, const char *alpn, struct dci_tls **out)
{
    struct dci_tls *t = calloc(1, sizeof *t);
    if (!t)
        return DC_ENOMEM;
    t->ssl = SSL_new(ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out) {
        SSL_free(t->ssl);
        BIO_free(t->in);
        BIO_free(t->out);
        free(t);
        return DC_ENOMEM;
    }
    SSL_set_bio(t->ssl, t->in, t->out); /* the SSL owns both BIOs now */
    SSL_set_connect_state(t->ssl);
    /* a name goes as SNI (an address may not, RFC 6066 section 3); the certificate's names
     * are checked against it after the handshake (dci_cert_read) */
    if (!dci_tls_is_address(host))
        SSL_set_tlsext_host_name(t->ssl, host);
    /* ALPN's wire form: each protocol name after its length (RFC 7301 section 3.1) */
    unsigned char protos[32];
    size_t n = alpn ? strlen(alpn) : 0;
    if (n && n < sizeof protos) {
        protos[0] = (unsigned char)n;
        memcpy(protos + 1, alpn, n);
        if (SSL_set_alpn_protos(t->ssl, protos, (unsigned)(n + 1)) != 0) {
            dci_tls_free(t);
            return DC_ENOMEM;
        }
    }
    *out = t;
    return 0;
}

void dci_tls_free(struct dci_tls *t)
{
    if (!t)
        return;
    SSL_free(t->ssl);
    free(t);
}

int dci_tls_feed(struct dci_tls *t, const uint8_t *data, size_t len)
{
    return BIO_write(t->in, data, (int)len) == (int)len ? 0 : DC_ENOMEM;
}

int dci_tls_handshake(struct dci_tls *t, char *err, size_t cap)
{
    ERR_clear_error();
    int rc = SSL_do_handshake(t->ssl);
    if (rc == 1)
        return 1;
    int e = SSL_get_error(t->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    if (dci_tls_too_old(ERR_peek_error()))
        snprintf(err, cap, "%s", DCI_TLS_TOO_OLD);
    else
        snprintf(err, cap, "handshake failed: %s",
                 ERR_peek_error() ? ERR_reason_error_string(ERR_peek_error()) : "protocol error");
    return -1;
}

int dci_tls_write(struct dci_tls *t, const uint8_t *data, size_t len)
{
    return SSL_write(t->ssl, data, (int)len) == (int)len ? 0 : DC_EIO;
}

size_t dci_tls_take(struct dci_tls *t, uint8_t *buf, size_t cap)
{
    int n = BIO_read(t->out, buf, (int)cap);
    return n > 0 ? (size_t)n : 0;
}

ssize_t dci_tls_read(struct dci_tls *t, uint8_t *buf, size_t cap)
{
    int n = SSL_read(t->ssl, buf, (int)cap);
    if (n > 0)
        return n;
    int e = SSL_get_error(t->ssl, n);
    return e == SSL_ERROR_WANT_READ ? 0 : -1;
}

SSL *dci_tls_ssl(const struct dci_tls *t)
{
    return t->ssl;
}

bool dci_tls_is_address(const char *host)
{
    unsigned char bytes[16];
    return uv_inet_pton(AF_INET, host, bytes) == 0 || uv_inet_pton(AF_INET6, host, bytes) == 0;
}

bool dci_tls_too_old(unsigned long openssl_error)
{
    unsigned long reason = ERR_GET_REASON(openssl_error);
    return reason == SSL_R_UNSUPPORTED_PROTOCOL || reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION;
}

bool dci_tls_too_old_text(const char *message)
{
    const int reasons[] = {SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        const char *words = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, reasons[i]));
        if (words && strstr(message, words))
            return true;
    }
    return false;
}

void dci_tls_describe(const struct dci_tls *t, char *buf, size_t cap)
{
    char subject[128] = "";
    X509 *cert = SSL_get1_peer_certificate(t->ssl);
    if (cert) {
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, subject,
                                  sizeof subject);
        X509_free(cert);
    }
    snprintf(buf, cap, "%s%s%s", SSL_get_version(t->ssl), subject[0] ? ", CN=" : "", subject);
}
