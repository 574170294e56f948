/* Writing an output: to standard output, atomically to a file (write, then rename), or
 * through a device, a FIFO or a symbolic link; and the remedy of a result, which every
 * renderer needs. */
#include "dmsconn/report.h"
#include "os.h"
#include "base/base_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_in_place(const char *path, int (*fn)(FILE *f, void *ud), void *ud)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -errno;
    int rc = fn(f, ud);
    if (fclose(f) != 0 && !rc)
        rc = -errno;
    return rc;
}

int dci_output_stream(const char *path, int (*fn)(FILE *f, void *ud), void *ud)
{
    if (strcmp(path, "-") == 0) {
        int rc = fn(stdout, ud);
        return fflush(stdout) != 0 && !rc ? -EIO : rc;
    }
    if (dci_os_output_in_place(path))
        return write_in_place(path, fn, ud);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)uv_os_getpid());
    FILE *f = fopen(tmp, "wb"); /* the bytes as written: no CRLF on Windows */
    if (!f)
        return -errno;
    int rc = fn(f, ud);
    if (fclose(f) != 0 && !rc)
        rc = -errno;
    char why[128];
    if (!rc && dci_os_replace_file(tmp, path, why, sizeof why) != 0)
        rc = -EIO;
    if (rc)
        remove(tmp);
    return rc;
}

char *dci_output_memory(int (*fn)(FILE *f, void *ud), void *ud, size_t *len)
{
    struct dci_memstream m;
    FILE *f = dci_memstream_open(&m);
    if (!f)
        return NULL;
    int rc = fn(f, ud);
    char *text = dci_memstream_close(&m, len);
    if (rc) {
        free(text);
        return NULL;
    }
    return text;
}

struct buffer {
    const char *data;
    size_t len;
};

static int write_buffer(FILE *f, void *ud)
{
    const struct buffer *b = ud;
    return fwrite(b->data, 1, b->len, f) == b->len ? 0 : -EIO;
}

int dci_output_write(const char *path, const char *data, size_t len)
{
    struct buffer b = {data, len};
    return dci_output_stream(path, write_buffer, &b);
}
