/* Shared by the unit tests: cmocka's includes in the order it needs, and small helpers. */
#ifndef DMSCONN_TEST_UTIL_H
#define DMSCONN_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define DATA(name) DC_TEST_DATA "/" name

/* Fails with both strings shown when `needle` is not in `haystack`. */
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (!strstr(h_, n_))                                                                       \
            fail_msg("expected \"%s\" in \"%s\"", n_, h_);                                         \
    } while (0)

#endif
