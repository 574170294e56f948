/* tests/windows/root_store.c — puts a PEM certificate into the current user's ROOT store,
 * or takes it out again: what an admin does with certmgr.msc, for the test that the Windows
 * build trusts what Windows trusts when no --ca is given (tests/windows/cert_store.sh).
 * Taking out deletes the certificate's registry entry (the current user's ROOT store is
 * HKCU\...\SystemCertificates\Root\Certificates, one key per SHA-1 thumbprint): Wine's
 * CertDeleteCertificateFromStore on the ROOT collection says done and deletes nothing.
 * Each command checks its effect on a freshly opened store.
 * Usage: root_store.exe add|remove CERT.pem; exit 0 when done, 1 with why. */
#include <windows.h>
#include <wincrypt.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = calloc(1, 65536);
    size_t n = text ? fread(text, 1, 65535, f) : 0;
    fclose(f);
    if (n == 0) {
        free(text);
        return NULL;
    }
    return text;
}

static bool in_root(PCCERT_CONTEXT cert)
{
    HCERTSTORE root = CertOpenSystemStoreA(0, "ROOT");
    if (!root)
        return false;
    PCCERT_CONTEXT found =
        CertFindCertificateInStore(root, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, cert, NULL);
    if (found)
        CertFreeCertificateContext(found);
    CertCloseStore(root, 0);
    return found != NULL;
}

static bool add(PCCERT_CONTEXT cert)
{
    HCERTSTORE root = CertOpenSystemStoreA(0, "ROOT");
    BOOL done =
        root && CertAddCertificateContextToStore(root, cert, CERT_STORE_ADD_REPLACE_EXISTING, NULL);
    if (!done)
        fprintf(stderr, "cannot add to the ROOT store (error %lu)\n", GetLastError());
    if (root)
        CertCloseStore(root, 0);
    return done;
}

static bool take_out(PCCERT_CONTEXT cert)
{
    BYTE sha1[20];
    DWORD n = sizeof sha1;
    if (!CertGetCertificateContextProperty(cert, CERT_SHA1_HASH_PROP_ID, sha1, &n) || n != 20)
        return false;
    char key[128] = "Software\\Microsoft\\SystemCertificates\\Root\\Certificates\\";
    for (DWORD i = 0; i < n; i++)
        snprintf(key + strlen(key), sizeof key - strlen(key), "%02X", sha1[i]);
    LSTATUS rc = RegDeleteKeyA(HKEY_CURRENT_USER, key);
    if (rc != ERROR_SUCCESS)
        fprintf(stderr, "cannot delete HKCU\\%s (error %ld)\n", key, (long)rc);
    return rc == ERROR_SUCCESS;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "remove") != 0)) {
        fprintf(stderr, "usage: root_store add|remove CERT.pem\n");
        return 1;
    }
    char *pem = read_all(argv[2]);
    BYTE der[16384];
    DWORD len = sizeof der;
    if (!pem || !CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, der, &len, NULL, NULL)) {
        fprintf(stderr, "%s: expected a PEM certificate\n", argv[2]);
        free(pem);
        return 1;
    }
    free(pem);
    PCCERT_CONTEXT cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, len);
    if (!cert) {
        fprintf(stderr, "%s: not a certificate (error %lu)\n", argv[2], GetLastError());
        return 1;
    }
    bool adding = strcmp(argv[1], "add") == 0;
    bool done = adding ? add(cert) : take_out(cert);
    if (done && in_root(cert) != adding) {
        fprintf(stderr, "%s %s: the ROOT store does not show it\n", argv[1], argv[2]);
        done = false;
    }
    CertFreeCertificateContext(cert);
    return done ? 0 : 1;
}
