/* Reading a whole input file, with a message that names the file when it cannot be read. */
#include "dmsconn/inventory.h"
#include "text_utf8.h"
#include "base/base_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_INPUT_BYTES (16u * 1024 * 1024)

int dc_read_file(const char *path, char **data, size_t *len, struct dc_diag *diag)
{
    return dc_read_file_max(path, MAX_INPUT_BYTES, data, len, diag);
}

int dci_read_text_file(const char *path, char **data, size_t *len, struct dc_diag *diag)
{
    int rc = dc_read_file(path, data, len, diag);
    if (!rc)
        rc = dci_text_to_utf8(data, len, path, diag);
    return rc;
}

int dc_read_file_max(const char *path, size_t max, char **data, size_t *len, struct dc_diag *diag)
{
    int rc = 0;
    char *buf = NULL;
    struct stat st;
    /* before opening: opening a FIFO (or a device) would wait for a writer */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        dc_diag_set(diag, "%s: expected a regular file", path);
        return DC_EIO;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        dc_diag_set(diag, "%s: cannot open: %s", path, strerror(errno));
        return DC_EIO;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        dc_diag_set(diag, "%s: expected a regular file", path);
        rc = DC_EIO;
        goto out;
    }
    if ((unsigned long long)st.st_size > max) {
        dc_diag_set(diag, "%s: %lld bytes; expected at most %zu", path, (long long)st.st_size, max);
        rc = DC_EINVAL;
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = DC_ENOMEM;
        goto out;
    }
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        dc_diag_set(diag, "%s: cannot read: %s", path, strerror(errno));
        rc = DC_EIO;
        goto out;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    fclose(f);
    return rc;
}
