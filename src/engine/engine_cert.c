/* The one reader of a TLS peer's certificate (engine_tls.h), for the dialogue driver's own
 * handshakes and curl's alike: both finish the handshake whatever the certificate, so that
 * what it says is kept for the report, and then this decides, as the probe's client would,
 * whether the connection may be trusted. */
#include "dmsconn/cert.h"
#include "dmsconn/texts.h"
#include "engine_private.h"
#include "engine_tls.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

SSL_CTX *dci_engine_tls_ctx(struct engine *e)
{
    if (!e->tls_ctx)
        e->tls_ctx = dci_tls_ctx_new(e->opts.ca_file);
    return e->tls_ctx;
}

/* RFC 2253's one line: "CN=db1,O=Lab" */
static void name_text(const X509_NAME *name, char *buf, size_t cap)
{
    buf[0] = '\0';
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem)
        return;
    if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(mem, buf, (int)cap - 1);
        buf[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
}

static void add_name(char *buf, size_t cap, const char *kind, const char *name)
{
    size_t at = strlen(buf);
    if (at < cap)
        snprintf(buf + at, cap - at, "%s%s:%s", at ? ", " : "", kind, name);
}

/* "DNS:db1.lab, IP:10.0.0.5": the names a client checks (RFC 6125 section 6: the DNS-ID and
 * IP-ID; other kinds are left out) */
static void alt_names(X509 *leaf, char *buf, size_t cap)
{
    buf[0] = '\0';
    GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char text[256];
        if (g->type == GEN_DNS) {
            const ASN1_IA5STRING *s = g->d.dNSName;
            int n = s->length < (int)sizeof text - 1 ? s->length : (int)sizeof text - 1;
            memcpy(text, s->data, (size_t)n);
            text[n] = '\0';
            add_name(buf, cap, "DNS", text);
        } else if (g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *ip = g->d.iPAddress;
            int family = ip->length == 4 ? AF_INET : ip->length == 16 ? AF_INET6 : 0;
            if (family && uv_inet_ntop(family, ip->data, text, sizeof text) == 0)
                add_name(buf, cap, "IP", text);
        }
    }
    GENERAL_NAMES_free(names);
}

static int64_t epoch_seconds(const ASN1_TIME *t)
{
    int days = 0, secs = 0;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    bool ok = epoch && ASN1_TIME_diff(&days, &secs, epoch, t) == 1;
    ASN1_TIME_free(epoch);
    return ok ? (int64_t)days * 86400 + secs : 0;
}

/* The chain the peer sent, verified against the roots as of no particular time: expiry is
 * the verdict's, with its own thresholds. */
static void verify_chain(SSL *ssl, X509 *leaf, X509_STORE *roots, struct dc_cert *out)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    out->trusted = false;
    if (!ctx || !roots ||
        X509_STORE_CTX_init(ctx, roots, leaf, SSL_get_peer_cert_chain(ssl)) != 1) {
        snprintf(out->problem, sizeof out->problem, "could not be verified (out of memory)");
        X509_STORE_CTX_free(ctx);
        return;
    }
    X509_STORE_CTX_set_default(ctx, "ssl_server");
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME);
    out->trusted = X509_verify_cert(ctx) == 1;
    if (!out->trusted)
        snprintf(out->problem, sizeof out->problem, "%s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    X509_STORE_CTX_free(ctx);
}

bool dci_cert_read(SSL *ssl, X509_STORE *roots, const char *checked, struct dc_cert *out)
{
    memset(out, 0, sizeof *out);
    X509 *leaf = SSL_get1_peer_certificate(ssl);
    if (!leaf)
        return false;
    snprintf(out->version, sizeof out->version, "%s", SSL_get_version(ssl));
    out->not_before = epoch_seconds(X509_get0_notBefore(leaf));
    out->not_after = epoch_seconds(X509_get0_notAfter(leaf));
    name_text(X509_get_subject_name(leaf), out->subject, sizeof out->subject);
    name_text(X509_get_issuer_name(leaf), out->issuer, sizeof out->issuer);
    alt_names(leaf, out->san, sizeof out->san);
    snprintf(out->checked, sizeof out->checked, "%s", checked);
    /* an address is checked against the IP names, a name against the DNS names (RFC 6125) */
    int ip = X509_check_ip_asc(leaf, checked, 0);
    out->names_ok = ip >= 0 ? ip == 1 : X509_check_host(leaf, checked, 0, 0, NULL) == 1;
    verify_chain(ssl, leaf, roots, out);
    X509_free(leaf);
    return true;
}

bool dci_cert_accept(const struct dc_cert *c, bool insecure, char *detail, size_t cap)
{
    if (insecure)
        return true; /* --tls-insecure: any certificate; its expiry is still judged */
    if (!c->trusted) {
        snprintf(detail, cap,
                 "certificate not trusted: %s, issued by %s (give --ca its CA; a lab's "
                 "self-signed one: --tls-insecure)",
                 c->problem, c->issuer[0] ? c->issuer : "nobody named");
        return false;
    }
    if (!c->names_ok) {
        snprintf(detail, cap, "certificate not valid for %s: it names %s", c->checked,
                 c->san[0] ? c->san : "no subject alternative name");
        return false;
    }
    char why[96];
    if (dc_cert_judge(c, (double)time(NULL), 0, 0, why, sizeof why) != DC_VERDICT_PASS) {
        snprintf(detail, cap, "certificate %s", why);
        return false;
    }
    return true;
}

const char *dci_cert_keep(struct engine *e, const struct dc_cert *c)
{
    char text[1024];
    dc_cert_format(c, text, sizeof text);
    return dc_texts_add(e->texts, text);
}

const char *dci_cert_take(struct engine *e, SSL *ssl, const char *checked, struct dc_cert *out)
{
    SSL_CTX *ctx = dci_engine_tls_ctx(e);
    if (!dci_cert_read(ssl, ctx ? SSL_CTX_get_cert_store(ctx) : NULL, checked, out))
        return NULL;
    return dci_cert_keep(e, out);
}
