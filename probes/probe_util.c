/* Helpers shared by the protocol judges (probe_util.h). */
#include "probe_util.h"

#include <stdio.h>

uint16_t dc_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t dc_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool dc_looks_like_tls(const uint8_t *reply, size_t len)
{
    return len >= 3 && (reply[0] == 0x15 || reply[0] == 0x16) && reply[1] == 0x03 &&
           reply[2] <= 0x04;
}

void dc_printable(const uint8_t *src, size_t len, size_t max, char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && i < max && n + 1 < cap; i++)
        buf[n++] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '.';
    if (cap)
        buf[n] = '\0';
}

void dc_judge_wrong(const uint8_t *reply, size_t len, const char *expected, struct dc_finding *out)
{
    if (dc_looks_like_tls(reply, len)) {
        out->state = DC_STATE_TLS;
        snprintf(out->detail, sizeof out->detail, "the port speaks TLS; expected %s in clear text",
                 expected);
        return;
    }
    out->state = DC_STATE_WRONG_SERVICE;
    if (len == 0) {
        snprintf(out->detail, sizeof out->detail, "no reply; expected %s", expected);
        return;
    }
    char text[48];
    dc_printable(reply, len, 40, text, sizeof text);
    snprintf(out->detail, sizeof out->detail, "not %s: the reply starts \"%s\"", expected, text);
}
