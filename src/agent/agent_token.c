/* Bearer tokens: read from a file only its owner can read; compared in constant time. */
#include "dmsconn/secret.h"
#include "dmsconn/agent.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/os.h"
#include "dmsconn/inventory.h"
#include "agent/agent_private.h"

int dc_token_read(const char *path, char **token, struct dc_diag *diag)
{
    return dci_secret_read(path, "--token-file", 16, token, diag);
}

int dci_secret_read(const char *path, const char *option, size_t min_len, char **secret,
                    struct dc_diag *diag)
{
    return dc_secret_read_lines(path, option, min_len, false, secret, diag);
}

int dc_secret_read_lines(const char *path, const char *option, size_t min_len, bool lines,
                         char **secret, struct dc_diag *diag)
{
    char why[256];
    if (!dci_os_file_private(path, why, sizeof why)) {
        dc_diag_set(diag, "%s %s: %s", option, path, why);
        return strncmp(why, "cannot read", 11) == 0 ? DC_EIO : DC_EINVAL;
    }
    char *data = NULL;
    size_t len = 0;
    int rc = dc_read_file(path, &data, &len, diag);
    if (rc)
        return rc;
    while (len > 0 && isspace((unsigned char)data[len - 1]))
        data[--len] = '\0';
    if (len < min_len || len == 0 || strlen(data) != len || (!lines && strchr(data, '\n'))) {
        dc_diag_set(diag, "%s %s: expected a secret of at least %zu characters%s", option, path,
                    min_len ? min_len : 1, lines ? "" : " on one line");
        dci_os_secure_zero(data, len);
        free(data);
        return DC_EINVAL;
    }
    *secret = data;
    return 0;
}

bool dci_token_equal(const char *expected, const char *given)
{
    size_t a = strlen(expected), b = strlen(given);
    unsigned char diff = (unsigned char)(a != b);
    /* Walk the expected token whole, whatever `given` holds, so timing says nothing of how
     * many leading bytes matched. */
    for (size_t i = 0; i < a; i++)
        diff |= (unsigned char)(expected[i] ^ (i < b ? given[i] : 0));
    return diff == 0;
}
