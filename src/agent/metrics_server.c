/* Continuous mode's HTTP server (dmsconn/metrics.h) on libmicrohttpd, as the agent's: one
 * thread of the library's polls every connection (no thread per connection; poll, not
 * select, for the probes' descriptors share the process). A round publishes its pages; a
 * request takes a reference to the last ones, so a round never waits for a slow client and
 * a client never sees half a page.
 *   GET|HEAD /metrics -> 200 text/plain; version=0.0.4 (Prometheus's text exposition format)
 *   GET|HEAD /        -> 200 the HTML report of the last round, reloading itself
 *   anything else     -> 404, or 405 for another method; 401 without the basic
 *                        authentication asked for (RFC 7617); 503 before the first round */
#include "dmsconn/metrics.h"
#include "dmsconn/secret.h"
#include "base/os.h"
#include "agent/agent_private.h"

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define METRICS_CONNECTIONS 16    /* at once, from every client */
#define METRICS_PER_CLIENT 8      /* from one address: a browser opens a few */
#define METRICS_IDLE_TIMEOUT_S 10 /* a connection that sends nothing this long is closed */

/* One published page, alive while a round still holds it or an answer still sends it. */
struct page {
    atomic_uint refs;
    char *data;
    size_t len;
};

struct dc_metrics {
    struct sockaddr_storage addr;
    char url[96];
    char *cert_pem, *key_pem; /* HTTPS, or NULL */
    unsigned char auth[32];   /* SHA-256 of "user:password", compared in constant time */
    bool has_auth;
    struct MHD_Daemon *daemon;
    pthread_mutex_t mu;
    struct page *prom, *html; /* the last round's, NULL before the first */
};

static void page_release(void *cls)
{
    struct page *p = cls;
    if (p && atomic_fetch_sub(&p->refs, 1) == 1) {
        free(p->data);
        free(p);
    }
}

static struct page *page_new(char *data, size_t len)
{
    struct page *p = malloc(sizeof *p);
    if (!p) {
        free(data);
        return NULL;
    }
    atomic_init(&p->refs, 1);
    p->data = data;
    p->len = len;
    return p;
}

/* "A.B.C.D:PORT" or "[V6]:PORT", numeric, the port 1-65535. */
static int parse_listen(const char *text, struct dc_metrics *m, struct dc_diag *diag)
{
    char host[64];
    const char *colon = NULL;
    if (text[0] == '[') {
        const char *end = strchr(text, ']');
        if (end && end[1] == ':' && (size_t)(end - text - 1) < sizeof host) {
            snprintf(host, sizeof host, "%.*s", (int)(end - text - 1), text + 1);
            colon = end + 1;
        }
    } else {
        colon = strrchr(text, ':');
        if (colon && (size_t)(colon - text) < sizeof host && !memchr(text, ':', colon - text))
            snprintf(host, sizeof host, "%.*s", (int)(colon - text), text);
        else
            colon = NULL;
    }
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    bool port_ok = colon && colon[1] && end && *end == '\0' && port >= 1 && port <= 65535;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&m->addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&m->addr;
    if (port_ok && text[0] != '[' && uv_ip4_addr(host, (int)port, a4) == 0) {
        snprintf(m->url, sizeof m->url, "%s:%ld", host, port);
        return 0;
    }
    if (port_ok && text[0] == '[' && uv_ip6_addr(host, (int)port, a6) == 0) {
        snprintf(m->url, sizeof m->url, "[%s]:%ld", host, port);
        return 0;
    }
    dc_diag_set(diag,
                "--metrics %s: expected ADDR:PORT with a numeric address of this machine "
                "(127.0.0.1:9110, [::1]:9110; 0.0.0.0:9110 for every address)",
                text);
    return DC_EINVAL;
}

/* The certificate file: certificates (the server's first) and the private key, in one PEM
 * file only its owner may read (as a haproxy or nginx bundle). The key must be the
 * certificate's. */
static int read_tls(const char *path, struct dc_metrics *m, struct dc_diag *diag)
{
    char *pem = NULL;
    int rc = dc_secret_read_lines(path, "--metrics-tls", 1, true, &pem, diag);
    if (rc)
        return rc;
    BIO *in = BIO_new_mem_buf(pem, -1), *certs = BIO_new(BIO_s_mem()),
        *key_out = BIO_new(BIO_s_mem());
    X509 *leaf = in ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
    for (X509 *x = leaf; x && certs; x = PEM_read_bio_X509(in, NULL, NULL, NULL)) {
        PEM_write_bio_X509(certs, x);
        if (x != leaf)
            X509_free(x);
    }
    BIO_free(in);
    in = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = in ? PEM_read_bio_PrivateKey(in, NULL, NULL, NULL) : NULL;
    rc = DC_EINVAL;
    if (!leaf)
        dc_diag_set(diag,
                    "--metrics-tls %s: no certificate in it (expected PEM: the "
                    "certificate, its chain, and its private key)",
                    path);
    else if (!key)
        dc_diag_set(diag,
                    "--metrics-tls %s: no private key in it, or one under a passphrase "
                    "(expected the certificate's key, unencrypted, in the same file)",
                    path);
    else if (X509_check_private_key(leaf, key) != 1)
        dc_diag_set(diag, "--metrics-tls %s: the private key is not the first certificate's", path);
    else if (key_out && PEM_write_bio_PrivateKey(key_out, key, NULL, NULL, 0, NULL, NULL) == 1 &&
             (m->cert_pem = dci_pem_of(certs)) != NULL &&
             (m->key_pem = dci_pem_of(key_out)) != NULL)
        rc = 0;
    else
        rc = DC_ENOMEM;
    X509_free(leaf);
    EVP_PKEY_free(key);
    BIO_free(in);
    BIO_free(certs);
    BIO_free_all(key_out); /* the key's PEM: OpenSSL clears a memory BIO it frees */
    dci_os_secure_zero(pem, strlen(pem));
    free(pem);
    return rc;
}

static void digest_of(const char *user, const char *password, unsigned char out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
        !EVP_DigestUpdate(ctx, user, strlen(user)) || !EVP_DigestUpdate(ctx, ":", 1) ||
        !EVP_DigestUpdate(ctx, password, strlen(password)) || !EVP_DigestFinal_ex(ctx, out, &len))
        memset(out, 0, 32); /* matches no request's: it cannot be computed either */
    EVP_MD_CTX_free(ctx);
}

int dc_metrics_new(const struct dc_metrics_opts *opts, struct dc_metrics **out,
                   struct dc_diag *diag)
{
    *out = NULL;
    struct dc_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return DC_ENOMEM;
    pthread_mutex_init(&m->mu, NULL);
    int rc = parse_listen(opts->listen, m, diag);
    if (!rc && opts->tls_file) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            dc_diag_set(diag, "--metrics-tls: this build's libmicrohttpd has no TLS");
            rc = DC_EINVAL;
        } else {
            rc = read_tls(opts->tls_file, m, diag);
        }
    }
    if (!rc && !opts->user != !opts->password_file) {
        dc_diag_set(diag, "--metrics-user and --metrics-password-file go together (Prometheus's "
                          "basic_auth: username and password_file)");
        rc = DC_EINVAL;
    }
    if (!rc && opts->user) {
        char *password = NULL;
        if (strchr(opts->user, ':')) {
            dc_diag_set(diag, "--metrics-user %s: a user name has no ':' (RFC 7617)", opts->user);
            rc = DC_EINVAL;
        } else {
            rc = dc_secret_read_lines(opts->password_file, "--metrics-password-file", 16, false,
                                      &password, diag);
        }
        if (!rc) {
            digest_of(opts->user, password, m->auth);
            m->has_auth = true;
            dci_os_secure_zero(password, strlen(password));
        }
        free(password);
    }
    if (rc) {
        dc_metrics_free(m);
        return rc;
    }
    char hostport[96]; /* the scheme goes first */
    snprintf(hostport, sizeof hostport, "%s", m->url);
    snprintf(m->url, sizeof m->url, "%s://%s", m->cert_pem ? "https" : "http", hostport);
    *out = m;
    return 0;
}

/* Whether the request carries the user and password asked for (when one is). */
static bool authorized(struct dc_metrics *m, struct MHD_Connection *conn)
{
    if (!m->has_auth)
        return true;
    char *password = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &password);
    bool ok = false;
    if (user && password) {
        unsigned char got[32];
        digest_of(user, password, got);
        ok = CRYPTO_memcmp(got, m->auth, sizeof got) == 0;
        dci_os_secure_zero(password, strlen(password));
    }
    MHD_free(user);
    MHD_free(password);
    return ok;
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned status, const char *text,
                                   const char *allow)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (allow)
        MHD_add_response_header(resp, "Allow", allow);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(resp, "Retry-After", "1");
    enum MHD_Result r = status == MHD_HTTP_UNAUTHORIZED
                            ? MHD_queue_basic_auth_fail_response(conn, "dmsconn metrics", resp)
                            : MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* The page as the last round left it, answered without copying it. */
static enum MHD_Result answer_page(struct dc_metrics *m, struct MHD_Connection *conn, bool html)
{
    pthread_mutex_lock(&m->mu);
    struct page *p = html ? m->html : m->prom;
    if (p)
        atomic_fetch_add(&p->refs, 1);
    pthread_mutex_unlock(&m->mu);
    if (!p)
        return answer_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "no round has finished yet: try again in a moment\n", NULL);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback_cls(p->len, p->data, page_release, p);
    if (!resp) {
        page_release(p);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            html ? "text/html; charset=utf-8"
                                 : "text/plain; version=0.0.4; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (html) /* the report is one self-contained page: it may load nothing from anywhere */
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; script-src "
                                "'unsafe-inline'; img-src data:; frame-ancestors 'none'");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    (void)upload_data;
    static int seen; /* a marker: the head has been seen, the body (ignored) may follow */
    if (*req_cls == NULL) {
        *req_cls = &seen;
        return MHD_YES;
    }
    if (*upload_data_size) { /* a body nobody asked for: read and dropped */
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct dc_metrics *m = cls;
    bool get =
        strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    bool metrics = strcmp(url, "/metrics") == 0, page = strcmp(url, "/") == 0;
    if (!metrics && !page)
        return answer_text(conn, MHD_HTTP_NOT_FOUND, "not found: this server has /metrics and /\n",
                           NULL);
    if (!get)
        return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n", "GET, HEAD");
    if (!authorized(m, conn))
        return answer_text(conn, MHD_HTTP_UNAUTHORIZED, "authentication required\n", NULL);
    return answer_page(m, conn, page);
}

int dc_metrics_listen(struct dc_metrics *m, struct dc_diag *diag)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (m->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (m->cert_pem)
        flags |= MHD_USE_TLS;
    m->daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR, &m->addr,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONNECTIONS,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)METRICS_PER_CLIENT,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_IDLE_TIMEOUT_S,
                         m->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, m->cert_pem,
                         MHD_OPTION_HTTPS_MEM_KEY, m->key_pem, MHD_OPTION_END);
    if (!m->daemon) {
        dc_diag_set(diag,
                    "--metrics: cannot listen on %s (in use, or not an address of this "
                    "machine)",
                    m->url);
        return DC_EIO;
    }
    return 0;
}

void dc_metrics_publish(struct dc_metrics *m, char *prom, size_t prom_len, char *html,
                        size_t html_len)
{
    struct page *p = prom ? page_new(prom, prom_len) : NULL;
    struct page *h = html ? page_new(html, html_len) : NULL;
    pthread_mutex_lock(&m->mu);
    struct page *old_p = p ? m->prom : NULL, *old_h = h ? m->html : NULL;
    if (p)
        m->prom = p;
    if (h)
        m->html = h;
    pthread_mutex_unlock(&m->mu);
    page_release(old_p);
    page_release(old_h);
}

const char *dc_metrics_url(const struct dc_metrics *m)
{
    return m->url;
}

void dc_metrics_free(struct dc_metrics *m)
{
    if (!m)
        return;
    if (m->daemon)
        MHD_stop_daemon(m->daemon);
    page_release(m->prom);
    page_release(m->html);
    if (m->key_pem)
        dci_os_secure_zero(m->key_pem, strlen(m->key_pem));
    free(m->key_pem);
    free(m->cert_pem);
    dci_os_secure_zero(m->auth, sizeof m->auth);
    pthread_mutex_destroy(&m->mu);
    free(m);
}
