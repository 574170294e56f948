#include "json_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void dci_json_buf_free(struct json_buf *b)
{
    free(b->data);
    *b = (struct json_buf){0};
}

int dci_json_buf_flush(struct json_buf *b, FILE *f)
{
    int rc = b->failed || fwrite(b->data, 1, b->len, f) != b->len ? -1 : 0;
    b->len = 0;
    return rc;
}

static bool reserve(struct json_buf *b, size_t more);

char *dci_json_buf_take(struct json_buf *b)
{
    char *text = NULL;
    if (reserve(b, 1)) {
        b->data[b->len] = '\0';
        char *fit = realloc(b->data, b->len + 1);
        text = fit ? fit : b->data;
        b->data = NULL;
    }
    dci_json_buf_free(b);
    return text;
}

static bool reserve(struct json_buf *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->len + more)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void dci_json_raw(struct json_buf *b, const char *text, size_t len)
{
    if (!reserve(b, len))
        return;
    memcpy(b->data + b->len, text, len);
    b->len += len;
}

void dci_json_string(struct json_buf *b, const char *s)
{
    if (!s) {
        dci_json_raw(b, "null", 4);
        return;
    }
    size_t n = strlen(s);
    if (!reserve(b, n * 6 + 2)) /* the worst case: every byte as \u00XX */
        return;
    char *out = b->data + b->len;
    *out++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        if (ch >= 0x20 && ch != '"' && ch != '\\') {
            *out++ = (char)ch;
            continue;
        }
        *out++ = '\\';
        switch (ch) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = "0123456789abcdef"[ch >> 4];
            *out++ = "0123456789abcdef"[ch & 15];
            break;
        }
    }
    *out++ = '"';
    b->len = (size_t)(out - b->data);
}

void dci_json_uint(struct json_buf *b, unsigned long long v)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    dci_json_raw(b, digits + n, sizeof digits - n);
}

void dci_json_millis(struct json_buf *b, double v)
{
    if (!isfinite(v) || fabs(v) > 1e15) {
        dci_json_raw(b, "null", 4);
        return;
    }
    long long thousandths = llround(v * 1000.0);
    if (thousandths < 0) {
        dci_json_raw(b, "-", 1);
        thousandths = -thousandths;
    }
    dci_json_uint(b, (unsigned long long)(thousandths / 1000));
    int frac = (int)(thousandths % 1000);
    if (frac == 0)
        return;
    char text[5] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                    (char)('0' + frac % 10), 0};
    size_t len = 4;
    while (text[len - 1] == '0')
        len--;
    dci_json_raw(b, text, len);
}

void dci_json_key(struct json_buf *b, bool first, const char *key)
{
    size_t n = strlen(key);
    if (!reserve(b, n + 4))
        return;
    char *out = b->data + b->len;
    if (!first)
        *out++ = ',';
    *out++ = '"';
    memcpy(out, key, n); /* keys are the program's own names: nothing to escape */
    out += n;
    *out++ = '"';
    *out++ = ':';
    b->len = (size_t)(out - b->data);
}

void dci_json_field_string(struct json_buf *b, bool first, const char *key, const char *value)
{
    dci_json_key(b, first, key);
    dci_json_string(b, value);
}

void dci_json_field_uint(struct json_buf *b, bool first, const char *key, unsigned long long value)
{
    dci_json_key(b, first, key);
    dci_json_uint(b, value);
}

void dci_json_field_millis(struct json_buf *b, bool first, const char *key, double value)
{
    dci_json_key(b, first, key);
    dci_json_millis(b, value);
}

void dci_json_field_bool(struct json_buf *b, bool first, const char *key, bool value)
{
    dci_json_key(b, first, key);
    dci_json_raw(b, value ? "true" : "false", value ? 4 : 5);
}

void dci_json_field_null(struct json_buf *b, bool first, const char *key)
{
    dci_json_key(b, first, key);
    dci_json_raw(b, "null", 4);
}
