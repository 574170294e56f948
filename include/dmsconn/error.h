/* Error codes and the diagnostic buffer every reader fills for people. */
#ifndef DMSCONN_ERROR_H
#define DMSCONN_ERROR_H

#include <stddef.h>

/* Our own failures (never a target's: a failing target is a result). Negative errno values
 * are used as they are; these codes sit below them. */
enum {
    DC_OK = 0,
    DC_EPARSE = -10000, /* an input file or value is malformed */
    DC_EINVAL,          /* a value is out of range or unknown */
    DC_ENOMEM,
    DC_EIO,      /* a file cannot be read or written */
    DC_EDUP,     /* a node or check is defined twice in conflicting ways */
    DC_ENOTFOUND /* a named thing does not exist */
};

const char *dc_strerror(int code);

/* A message for a person: file, line, what was expected, what was found. The first failure
 * wins, so the message names the root cause, not a consequence. */
struct dc_diag {
    char msg[512];
};

/* printf-like functions, checked by the compiler: MinGW's C library is not glibc, and GCC
 * must be told the format is the GNU one it prints with (__USE_MINGW_ANSI_STDIO). */
#ifdef __MINGW32__
#define DC_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define DC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

void dc_diag_set(struct dc_diag *diag, const char *fmt, ...) DC_PRINTF(2, 3);

#endif
