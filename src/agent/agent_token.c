/* Bearer tokens: read from a file only its owner can read; compared in constant time. */
#include "dmsconn/secret.h"
#include "dmsconn/agent.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dmsconn/inventory.h"

int dc_token_read(const char *path, char **token, struct dc_diag *diag)
{
    return dc_secret_read(path, "--token-file", 16, token, diag);
}

int dc_secret_read(const char *path, const char *option, size_t min_len, char **secret,
                   struct dc_diag *diag)
{
    return dc_secret_read_lines(path, option, min_len, false, secret, diag);
}

int dc_secret_read_lines(const char *path, const char *option, size_t min_len, bool lines,
                         char **secret, struct dc_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        dc_diag_set(diag, "%s %s: cannot read it: %s", option, path, strerror(errno));
        return DC_EIO;
    }
    if (st.st_mode & 077) {
        dc_diag_set(diag,
                    "%s %s: the file is open to others (mode %04o); expected 0600 "
                    "(chmod 600 %s)",
                    option, path, (unsigned)(st.st_mode & 07777), path);
        return DC_EINVAL;
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
        explicit_bzero(data, len);
        free(data);
        return DC_EINVAL;
    }
    *secret = data;
    return 0;
}

bool dc_token_equal(const char *expected, const char *given)
{
    size_t a = strlen(expected), b = strlen(given);
    unsigned char diff = (unsigned char)(a != b);
    /* Walk the expected token whole, whatever `given` holds, so timing says nothing of how
     * many leading bytes matched. */
    for (size_t i = 0; i < a; i++)
        diff |= (unsigned char)(expected[i] ^ (i < b ? given[i] : 0));
    return diff == 0;
}
