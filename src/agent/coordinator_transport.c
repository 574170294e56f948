/* How the coordinator reaches its agents: the scheme and TLS options of a transfer (a CA,
 * any certificate in a lab, or the one public key an inventory pins) and the signed headers
 * of each request, whose answer's signature it keeps (dmsconn/sign.h). */
#include "dmsconn/coordinator.h"
#include "base/os.h"

#include "base/curl_uv.h"
#include "dmsconn/model.h"
#include "dmsconn/sign.h"
#include "agent/agent_private.h"
#include "dmsconn/cert.h"
#include "engine/engine_tls.h"

#include <curl/curl.h>
#include <openssl/x509.h>
#include <uv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *dci_agent_scheme(const struct dc_coordinator_opts *opts, const struct dc_node *node)
{
    return opts->tls || node->agent_pin ? "https" : "http";
}

bool dci_agent_tls_setopts(void *easy, const struct dc_coordinator_opts *opts,
                           const struct dc_node *node)
{
    CURL *e = easy;
    bool ok = true;
    if (node->agent_pin) {
        /* curl's form of the pin: sha256// and the base64 of the key's SHA-256 */
        char pin[96];
        snprintf(pin, sizeof pin, "sha256//%s", node->agent_pin + strlen("sha256:"));
        ok = ok && curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, pin) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
        return ok;
    }
    if (opts->ca_file)
        ok = ok && curl_easy_setopt(e, CURLOPT_CAINFO, opts->ca_file) == CURLE_OK;
    else if (dci_os_curl_ssl_options())
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_OPTIONS, dci_os_curl_ssl_options()) == CURLE_OK;
    if (opts->insecure) {
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
        ok = ok && curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
    }
    return ok;
}

struct curl_slist *dci_curl_signed_headers(struct curl_slist *list, const char *secret,
                                           const char *method, const char *path, const char *node,
                                           const void *body, size_t len, char nonce[33])
{
    struct dc_signed_headers h;
    if (!list || dc_sign_request(secret, method, path, node, body, len, time(NULL), &h) != 0) {
        curl_slist_free_all(list);
        return NULL;
    }
    if (nonce)
        snprintf(nonce, 33, "%s", h.nonce + strlen("X-Dmsconn-Nonce: "));
    list = dci_curl_header(list, h.node);
    list = list ? dci_curl_header(list, h.date) : NULL;
    list = list ? dci_curl_header(list, h.nonce) : NULL;
    list = list ? dci_curl_header(list, h.content) : NULL;
    list = list ? dci_curl_header(list, h.authorization) : NULL;
    return list;
}

/* The value of header `name` ("X-Dmsconn-Signature:") in one header line, into out (at most
 * cap - 1 bytes); false for another header. */
static bool header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(line, name, nl) != 0)
        return false;
    size_t at = nl;
    while (at < len && line[at] == ' ')
        at++;
    size_t end = at;
    while (end < len && end - at < cap - 1 && line[end] != '\r' && line[end] != '\n')
        end++;
    memcpy(out, line + at, end - at);
    out[end - at] = '\0';
    return true;
}

size_t dci_curl_signature_header(char *line, size_t size, size_t n, void *ud)
{
    header_value(line, size * n, "X-Dmsconn-Signature:", ud, 65);
    return size * n;
}

int dci_curl_answer_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip,
                           int conn_primary_port, int conn_local_port)
{
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    struct dci_answer_head *head = ud;
    head->sent_ns = uv_hrtime();
    head->answered_ns = 0;
    /* its dates only matter here (curl has verified the chain, or pinned the key): no roots */
    struct curl_tlssessioninfo *session = NULL;
    struct dc_cert cert;
    head->cert[0] = '\0';
    if (head->easy && curl_easy_getinfo(head->easy, CURLINFO_TLS_SSL_PTR, &session) == CURLE_OK &&
        session && session->backend == CURLSSLBACKEND_OPENSSL && session->internals &&
        dci_cert_read(session->internals, NULL, head->checked ? head->checked : "", &cert)) {
        /* its trust is what curl's handshake found (OpenSSL records it even where only the
         * key is pinned) */
        long verify = -1;
        curl_easy_getinfo(head->easy, CURLINFO_SSL_VERIFYRESULT, &verify);
        cert.trusted = verify == 0;
        snprintf(cert.problem, sizeof cert.problem, "%s",
                 verify == 0 ? "" : X509_verify_cert_error_string(verify));
        dc_cert_format(&cert, head->cert, sizeof head->cert);
    }
    return CURL_PREREQFUNC_OK;
}

size_t dci_curl_answer_header(char *line, size_t size, size_t n, void *ud)
{
    struct dci_answer_head *head = ud;
    char clock[40];
    if (head->answered_ns == 0)
        head->answered_ns = uv_hrtime();
    header_value(line, size * n, "X-Dmsconn-Signature:", head->signature, sizeof head->signature);
    if (header_value(line, size * n, "X-Dmsconn-Clock:", clock, sizeof clock)) {
        char *end;
        double v = strtod(clock, &end);
        head->clock_ms = end != clock && v > 0 ? v : 0;
    }
    return size * n;
}
