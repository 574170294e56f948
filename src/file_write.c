/* Writing an output: to standard output, or atomically to a file (write, then rename). */
#include "dmsconn/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int dc_output_write(const char *path, const char *data, size_t len)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return -EIO;
        return 0;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -errno;
    int rc = 0;
    if (fwrite(data, 1, len, f) != len)
        rc = -errno;
    if (fclose(f) != 0 && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}
