/* Writing JSON text straight into a buffer, for the documents that hold one object per
 * result (the report, an agent's answer): building a cJSON tree and printing it cost 27,000
 * instructions a result, more than probing it; stdio calls per character or a printf per
 * number were next. Parsing stays with cJSON. */
#ifndef DMSCONN_JSON_WRITE_H
#define DMSCONN_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Grows as needed; `failed` stays set once memory ran out (the text is then incomplete). */
struct json_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

void dci_json_buf_free(struct json_buf *b);
/* Appends the buffer's text to f and empties the buffer; -1 if it failed or f did. */
int dci_json_buf_flush(struct json_buf *b, FILE *f);

/* The text, NUL-terminated, in a block of its own size (the buffer grows by doubling); the
 * caller frees it. NULL if memory ran out at any point. The buffer is left empty. */
char *dci_json_buf_take(struct json_buf *b);

void dci_json_raw(struct json_buf *b, const char *text, size_t len);
/* s as a JSON string, escaped as RFC 8259 section 7 requires (and as cJSON prints it:
 * quote, backslash and control characters escaped, other bytes as they are). NULL: null. */
void dci_json_string(struct json_buf *b, const char *s);
void dci_json_uint(struct json_buf *b, unsigned long long v);
/* A figure rounded to three decimals, without trailing zeros ("12.346", "0.5", "3"). */
void dci_json_millis(struct json_buf *b, double v);

/* "key":value, preceded by a comma unless first; keys are written as they are (the
 * program's own field names, never input). */
void dci_json_key(struct json_buf *b, bool first, const char *key);
void dci_json_field_string(struct json_buf *b, bool first, const char *key, const char *value);
void dci_json_field_uint(struct json_buf *b, bool first, const char *key, unsigned long long value);
void dci_json_field_millis(struct json_buf *b, bool first, const char *key, double value);
void dci_json_field_bool(struct json_buf *b, bool first, const char *key, bool value);
void dci_json_field_null(struct json_buf *b, bool first, const char *key);

#endif
