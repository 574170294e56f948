/* Fuzz target: the report-diff reader; the input is two reports separated by a NUL. */
#include "dmsconn/diff.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *split = memchr(data, 0, size);
    size_t first = split ? (size_t)(split - data) : size;
    const char *second = split ? (const char *)split + 1 : "";
    size_t second_len = split ? size - first - 1 : 0;
    struct dc_diff *diff = NULL;
    struct dc_diag diag = {{0}};
    if (dc_diff_reports((const char *)data, first, "old", second, second_len, "new", &diff,
                        &diag) == 0)
        dc_diff_free(diff);
    return 0;
}
