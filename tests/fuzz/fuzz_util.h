/* Shared by the fuzz targets: a NUL-terminated copy of the input (the parsers take text). */
#ifndef DMSCONN_FUZZ_UTIL_H
#define DMSCONN_FUZZ_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

#endif
