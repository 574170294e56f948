/* Certificates (dmsconn/cert.h): a result's certificate text, its JSON, and the expiry
 * thresholds of DataMiner's SLDataGateway (release notes 10.5.9: a certificate that expires
 * within 30 days is a notice, within 7 days an error). */
#include "dmsconn/cert.h"
#include "dmsconn/texts.h"

#include "base/json_write.h"
#include "base/os.h"
#include "base/portable.h"
#include "report/report_private.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text's keys, in the order dc_cert_format writes them. */
enum field {
    F_VERSION,
    F_NOT_BEFORE,
    F_NOT_AFTER,
    F_TRUSTED,
    F_NAMES_OK,
    F_CHECKED,
    F_PROBLEM,
    F_SUBJECT,
    F_ISSUER,
    F_SAN,
    FIELDS
};
static const char *const keys[FIELDS] = {"v", "nb", "na", "t", "n", "c", "p", "s", "i", "a"};

/* value with its line breaks made spaces: a line is a field */
static size_t put(char *buf, size_t cap, size_t at, const char *key, const char *value)
{
    if (at >= cap)
        return at;
    int n = snprintf(buf + at, cap - at, "%s=%s\n", key, value);
    if (n < 0)
        return at;
    size_t end = at + (size_t)n < cap ? at + (size_t)n : cap - 1;
    for (size_t i = at + strlen(key) + 1; i + 1 < end; i++)
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' ';
    return end;
}

void dc_cert_format(const struct dc_cert *c, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    buf[0] = '\0';
    char nb[24], na[24];
    snprintf(nb, sizeof nb, "%" PRId64, c->not_before);
    snprintf(na, sizeof na, "%" PRId64, c->not_after);
    const char *values[FIELDS] = {
        [F_VERSION] = c->version,
        [F_NOT_BEFORE] = nb,
        [F_NOT_AFTER] = na,
        [F_TRUSTED] = c->trusted ? "1" : "0",
        [F_NAMES_OK] = c->names_ok ? "1" : "0",
        [F_CHECKED] = c->checked,
        [F_PROBLEM] = c->problem,
        [F_SUBJECT] = c->subject,
        [F_ISSUER] = c->issuer,
        [F_SAN] = c->san,
    };
    size_t at = 0;
    for (int f = 0; f < FIELDS; f++)
        at = put(buf, cap, at, keys[f], values[f]);
}

static void copy(char *dst, size_t cap, const char *from, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(dst, from, n);
    dst[n] = '\0';
}

int dc_cert_parse(const char *text, struct dc_cert *out)
{
    memset(out, 0, sizeof *out);
    unsigned seen = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *eq = memchr(line, '=', len);
        for (int f = 0; eq && f < FIELDS; f++) {
            size_t klen = strlen(keys[f]);
            if ((size_t)(eq - line) != klen || memcmp(line, keys[f], klen) != 0)
                continue;
            const char *v = eq + 1;
            size_t vlen = len - klen - 1;
            char num[24];
            seen |= 1u << f;
            switch ((enum field)f) {
            case F_VERSION: copy(out->version, sizeof out->version, v, vlen); break;
            case F_NOT_BEFORE:
            case F_NOT_AFTER:
                copy(num, sizeof num, v, vlen);
                *(f == F_NOT_BEFORE ? &out->not_before : &out->not_after) =
                    (int64_t)strtoll(num, NULL, 10);
                break;
            case F_TRUSTED: out->trusted = vlen == 1 && *v == '1'; break;
            case F_NAMES_OK: out->names_ok = vlen == 1 && *v == '1'; break;
            case F_CHECKED: copy(out->checked, sizeof out->checked, v, vlen); break;
            case F_PROBLEM: copy(out->problem, sizeof out->problem, v, vlen); break;
            case F_SUBJECT: copy(out->subject, sizeof out->subject, v, vlen); break;
            case F_ISSUER: copy(out->issuer, sizeof out->issuer, v, vlen); break;
            case F_SAN: copy(out->san, sizeof out->san, v, vlen); break;
            case FIELDS: break;
            }
        }
        line = end ? end + 1 : NULL;
    }
    /* a certificate has at least its validity */
    return (seen & (1u << F_NOT_AFTER)) && (seen & (1u << F_VERSION)) ? 0 : -1;
}

double dc_cert_days_left(const struct dc_cert *c, double now_s)
{
    return ((double)c->not_after - now_s) / 86400.0;
}

/* "2027-01-05" of seconds of the epoch */
static void day_of(int64_t t, char *buf, size_t cap)
{
    struct tm tm;
    dci_os_gmtime((time_t)t, &tm);
    strftime(buf, cap, "%Y-%m-%d", &tm);
}

enum dc_verdict dc_cert_judge(const struct dc_cert *c, double now_s, double warn_days,
                              double fail_days, char *why, size_t cap)
{
    double left = dc_cert_days_left(c, now_s);
    char day[16];
    if (cap)
        why[0] = '\0';
    if ((double)c->not_before > now_s) {
        day_of(c->not_before, day, sizeof day);
        snprintf(why, cap, "not valid before %s", day);
        return DC_VERDICT_FAIL;
    }
    day_of(c->not_after, day, sizeof day);
    if (left < 0) {
        snprintf(why, cap, "expired on %s (%.0f days ago)", day, -left);
        return DC_VERDICT_FAIL;
    }
    if (left >= warn_days && left >= fail_days)
        return DC_VERDICT_PASS;
    snprintf(why, cap, "expires on %s, in %.1f days", day, left);
    return left < fail_days ? DC_VERDICT_FAIL : DC_VERDICT_WARN;
}

static void field_time(struct json_buf *b, const char *key, int64_t t)
{
    struct tm tm;
    char text[32];
    dci_os_gmtime((time_t)t, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    dci_json_field_string(b, false, key, text);
}

void dci_cert_json_write(struct json_buf *b, const struct dc_cert *c, double now_s)
{
    dci_json_key(b, false, "tls");
    dci_json_raw(b, "{", 1);
    dci_json_field_string(b, true, "version", c->version);
    field_time(b, "not_before", c->not_before);
    field_time(b, "not_after", c->not_after);
    if (now_s > 0) /* to a tenth of a day; negative once expired */
        dci_json_field_millis(b, false, "days_left", round(dc_cert_days_left(c, now_s) * 10) / 10);
    dci_json_field_string(b, false, "subject", c->subject);
    dci_json_field_string(b, false, "issuer", c->issuer);
    dci_json_key(b, false, "san");
    dci_json_raw(b, "[", 1);
    bool first = true;
    for (const char *s = c->san; *s;) {
        const char *end = strstr(s, ", ");
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char name[256];
        copy(name, sizeof name, s, len);
        if (!first)
            dci_json_raw(b, ",", 1);
        dci_json_string(b, name);
        first = false;
        s = end ? end + 2 : s + len;
    }
    dci_json_raw(b, "]", 1);
    dci_json_field_bool(b, false, "verified", c->trusted && c->names_ok);
    dci_json_field_bool(b, false, "trusted", c->trusted);
    dci_json_field_string(b, false, "checked_name", c->checked);
    dci_json_field_bool(b, false, "names_ok", c->names_ok);
    if (c->problem[0])
        dci_json_field_string(b, false, "problem", c->problem);
    dci_json_raw(b, "}", 1);
}

static const char *text_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int dci_cert_json_read(const cJSON *o, struct dc_cert *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    const char *version = text_of(o, "version");
    const char *before = text_of(o, "not_before");
    const char *after = text_of(o, "not_after");
    const cJSON *san = cJSON_GetObjectItemCaseSensitive(o, "san");
    time_t nb, na;
    if (!cJSON_IsObject(o) || !version || !dci_parse_utc(before, &nb) ||
        !dci_parse_utc(after, &na) || (san && !cJSON_IsArray(san))) {
        snprintf(why, cap,
                 "\"tls\": expected version, not_before and not_after (YYYY-MM-DDTHH:MM:SSZ) "
                 "and san a list");
        return -1;
    }
    out->not_before = nb;
    out->not_after = na;
    snprintf(out->version, sizeof out->version, "%s", version);
    snprintf(out->subject, sizeof out->subject, "%s",
             text_of(o, "subject") ? text_of(o, "subject") : "");
    snprintf(out->issuer, sizeof out->issuer, "%s",
             text_of(o, "issuer") ? text_of(o, "issuer") : "");
    snprintf(out->checked, sizeof out->checked, "%s",
             text_of(o, "checked_name") ? text_of(o, "checked_name") : "");
    snprintf(out->problem, sizeof out->problem, "%s",
             text_of(o, "problem") ? text_of(o, "problem") : "");
    out->trusted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "trusted"));
    out->names_ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "names_ok"));
    size_t at = 0;
    const cJSON *name;
    cJSON_ArrayForEach(name, san)
    {
        if (!cJSON_IsString(name))
            continue;
        int n = snprintf(out->san + at, sizeof out->san - at, "%s%s", at ? ", " : "",
                         name->valuestring);
        if (n < 0 || at + (size_t)n >= sizeof out->san)
            break;
        at += (size_t)n;
    }
    return 0;
}

const char *dci_cert_text_of_json(const cJSON *o, struct dc_texts *texts, char *why, size_t cap)
{
    struct dc_cert cert;
    char text[1024];
    if (!o)
        return "";
    if (dci_cert_json_read(o, &cert, why, cap) != 0)
        return NULL;
    dc_cert_format(&cert, text, sizeof text);
    return dc_texts_add(texts, text);
}
