/* Error codes as text and the diagnostic buffer. */
#include "dmsconn/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dc_strerror(int code)
{
    switch (code) {
    case DC_OK: return "success";
    case DC_EPARSE: return "malformed input";
    case DC_EINVAL: return "invalid value";
    case DC_ENOMEM: return "out of memory";
    case DC_EIO: return "input/output error";
    case DC_EDUP: return "defined twice";
    case DC_ENOTFOUND: return "not found";
    default: break;
    }
    return code < 0 && code > -4096 ? strerror(-code) : "unknown error";
}

void dc_diag_set(struct dc_diag *diag, const char *fmt, ...)
{
    if (!diag || diag->msg[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
    va_end(ap);
}
