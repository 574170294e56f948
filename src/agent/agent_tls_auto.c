/* dmsconn agent --tls-auto DIR: TLS without a PKI. The first start makes a key pair (P-256)
 * and a self-signed certificate naming the node and its address, in files only their owner
 * may read; every start prints the SHA-256 of the public key, which an inventory pins
 * (agent: {fingerprint: "sha256:..."}) so the coordinator takes that key and no other. */
#include "dmsconn/agent.h"
#include "agent/agent_private.h"

#include "base/os.h"
#include "dmsconn/inventory.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* "sha256:" + base64(SHA-256(SubjectPublicKeyInfo DER)), the form curl pins. */
static int fingerprint_of(EVP_PKEY *key, char out[DC_AGENT_PIN_MAX])
{
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(key, &der);
    unsigned char md[32];
    unsigned int mdlen = 0;
    bool ok =
        len > 0 && EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32;
    OPENSSL_free(der);
    if (!ok)
        return DC_EIO;
    memcpy(out, "sha256:", 7);
    EVP_EncodeBlock((unsigned char *)out + 7, md, 32);
    return 0;
}

/* Writes a new file only its owner may read; refuses to replace one. */
static int write_private(const char *path, const char *data, size_t len, struct dc_diag *diag)
{
    char why[160];
    if (dci_os_create_private(path, data, len, why, sizeof why) != 0) {
        dc_diag_set(diag, "--tls-auto: cannot create %s: %s", path, why);
        return DC_EIO;
    }
    return 0;
}

char *dci_pem_of(BIO *bio)
{
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    char *copy = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (copy) {
        memcpy(copy, data, (size_t)n);
        copy[n] = '\0';
    }
    return copy;
}

/* A self-signed certificate for the node (CN) and its address (subjectAltName), 10 years. */
static int make_pair(const char *name, const char *address, char **cert_pem, char **key_pem)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    unsigned char serial[16];
    char san[96];
    snprintf(san, sizeof san, "IP:%s", address);
    int rc = DC_EIO;
    if (key && x && kb && cb && RAND_bytes(serial, sizeof serial) == 1) {
        serial[0] &= 0x7f; /* a positive serial number */
        BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
        X509_NAME *subject = X509_get_subject_name(x);
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
        bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && ext &&
                  X509_set_version(x, 2) && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
                  X509_gmtime_adj(X509_getm_notAfter(x), 10L * 366 * 24 * 3600) &&
                  X509_set_pubkey(x, key) &&
                  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                             (const unsigned char *)name, -1, -1, 0) &&
                  X509_set_issuer_name(x, subject) && X509_add_ext(x, ext, -1) &&
                  X509_sign(x, key, EVP_sha256()) &&
                  PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) &&
                  PEM_write_bio_X509(cb, x);
        BN_free(bn);
        X509_EXTENSION_free(ext);
        if (ok) {
            *key_pem = dci_pem_of(kb);
            *cert_pem = dci_pem_of(cb);
            rc = *key_pem && *cert_pem ? 0 : DC_ENOMEM;
        }
    }
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

/* The fingerprint of the certificate's key, checking that the private key belongs to it. */
static int check_pair(const char *cert_pem, const char *key_pem, char fp[DC_AGENT_PIN_MAX])
{
    BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
    X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    int rc = x && key && X509_check_private_key(x, key) == 1 ? fingerprint_of(key, fp) : DC_EPARSE;
    X509_free(x);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    return rc;
}

int dc_agent_tls_auto(const char *dir, const char *name, const char *address, char **cert_pem,
                      char **key_pem, char fingerprint[DC_AGENT_PIN_MAX], bool *made,
                      struct dc_diag *diag)
{
    char key_path[4096], cert_path[4096];
    snprintf(key_path, sizeof key_path, "%s/agent.key", dir);
    snprintf(cert_path, sizeof cert_path, "%s/agent.crt", dir);
    *cert_pem = *key_pem = NULL;
    *made = false;
    struct stat st;
    char why[256];
    /* a folder another user can write to could hold a key planted there, whose fingerprint
     * would then be printed for pinning */
    if (stat(dir, &st) == 0 && !dci_os_file_private(dir, why, sizeof why)) {
        dc_diag_set(diag, "--tls-auto: the folder %s: %s", dir, why);
        return DC_EINVAL;
    }
    if (stat(key_path, &st) == 0) {
        /* the key of an earlier start: it must still be the owner's alone */
        if (!S_ISREG(st.st_mode) || !dci_os_file_private(key_path, why, sizeof why)) {
            dc_diag_set(diag, "--tls-auto: %s: expected a file only its owner can read (chmod 600)",
                        key_path);
            return DC_EINVAL;
        }
        size_t len;
        int rc = dc_read_file(key_path, key_pem, &len, diag);
        if (!rc)
            rc = dc_read_file(cert_path, cert_pem, &len, diag);
        if (!rc && check_pair(*cert_pem, *key_pem, fingerprint) != 0) {
            dc_diag_set(diag, "--tls-auto: %s and %s: not a certificate and its key", cert_path,
                        key_path);
            rc = DC_EPARSE;
        }
        return rc;
    }
    if (dci_os_mkdir_private(dir, why, sizeof why) != 0) {
        dc_diag_set(diag, "--tls-auto: cannot make the folder %s: %s", dir, why);
        return DC_EIO;
    }
    int rc = make_pair(name, address, cert_pem, key_pem);
    if (rc) {
        dc_diag_set(diag, "--tls-auto: cannot make a key pair (OpenSSL)");
        return rc;
    }
    rc = write_private(key_path, *key_pem, strlen(*key_pem), diag);
    if (!rc)
        rc = write_private(cert_path, *cert_pem, strlen(*cert_pem), diag);
    if (!rc)
        rc = check_pair(*cert_pem, *key_pem, fingerprint);
    *made = rc == 0;
    return rc;
}
