/* DataMiner writes its files in UTF-8 (with or without a BOM) or in UTF-16 with a BOM;
 * readers that are not libxml2 (which detects this itself) get UTF-8 without a BOM. */
#ifndef DMSCONN_TEXT_UTF8_H
#define DMSCONN_TEXT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "dmsconn/error.h"

/* Replaces *data (a malloc'ed, NUL-terminated buffer of *len bytes) by its UTF-8 form: a UTF-8
 * BOM is dropped, UTF-16 LE/BE with a BOM is converted. A NUL byte in what remains is an error
 * naming `origin` (UTF-16 without a BOM says so). */
int dci_text_to_utf8(char **data, size_t *len, const char *origin, struct dc_diag *diag);

/* The 1-based line of byte `offset` in text. */
long dci_text_line(const char *text, size_t offset);
/* Does text with NUL bytes look like UTF-16 without a byte order mark: of its first 32
 * bytes, (nearly) every other one NUL and the rest not (ASCII text saved as UTF-16)? Binary
 * garbage with a stray NUL near the start does not. */
bool dci_text_looks_utf16(const char *text, size_t len);

#endif
