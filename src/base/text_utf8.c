/* Text encodings of DataMiner's files, converted with libxml2's own encoding handlers (the
 * same code that reads the XML files), so no transcoder of our own. */
#include "text_utf8.h"

#include <libxml/encoding.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

long dci_text_line(const char *text, size_t offset)
{
    long line = 1;
    for (size_t i = 0; i < offset && text[i]; i++)
        line += text[i] == '\n';
    return line;
}

static int from_utf16(char **data, size_t *len, const char *encoding, const char *origin,
                      struct dc_diag *diag)
{
    xmlCharEncodingHandlerPtr handler = xmlFindCharEncodingHandler(encoding);
    if (!handler || !handler->input) {
        dc_diag_set(diag, "%s: cannot convert %s to UTF-8", origin, encoding);
        return DC_EINVAL;
    }
    /* each UTF-16 unit (2 bytes) becomes at most 3 bytes of UTF-8 */
    int inlen = (int)(*len - 2);
    int outcap = inlen / 2 * 3 + 4;
    unsigned char *out = malloc((size_t)outcap + 1);
    if (!out)
        return DC_ENOMEM;
    int outlen = outcap;
    int rc = handler->input(out, &outlen, (const unsigned char *)*data + 2, &inlen);
    xmlCharEncCloseFunc(handler);
    if (rc < 0 || inlen != (int)(*len - 2)) {
        free(out);
        dc_diag_set(diag, "%s: invalid %s text; expected UTF-8 or UTF-16 with a BOM", origin,
                    encoding);
        return DC_EPARSE;
    }
    out[outlen] = '\0';
    free(*data);
    *data = (char *)out;
    *len = (size_t)outlen;
    return 0;
}

int dci_text_to_utf8(char **data, size_t *len, const char *origin, struct dc_diag *diag)
{
    const unsigned char *b = (const unsigned char *)*data;
    int rc = 0;
    if (*len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        memmove(*data, *data + 3, *len - 3 + 1);
        *len -= 3;
    } else if (*len >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        rc = from_utf16(data, len, "UTF-16LE", origin, diag);
    } else if (*len >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
        rc = from_utf16(data, len, "UTF-16BE", origin, diag);
    }
    if (rc)
        return rc;
    const char *nul = memchr(*data, '\0', *len);
    if (nul) {
        bool utf16 = dci_text_looks_utf16(*data, *len);
        dc_diag_set(diag, "%s:%ld: %s", origin, dci_text_line(*data, (size_t)(nul - *data)),
                    utf16 ? "UTF-16 without a byte order mark: save it as UTF-8"
                          : "a NUL byte; expected text");
        return DC_EPARSE;
    }
    return 0;
}

bool dci_text_looks_utf16(const char *text, size_t len)
{
    size_t n = len < 32 ? len : 32;
    size_t nul[2] = {0, 0}, pairs = n / 2;
    for (size_t i = 0; i < pairs * 2; i++)
        nul[i % 2] += text[i] == '\0';
    /* little endian puts the NUL second, big endian first; the other half holds the text */
    for (int side = 0; side < 2; side++) {
        if (pairs >= 1 && nul[side] * 4 >= pairs * 3 && nul[!side] * 4 <= pairs)
            return true;
    }
    return false;
}
