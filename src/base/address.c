/* Syntax of node addresses: IPv4, IPv6 (optionally %zone) or an RFC 1123 hostname. */
#include "dmsconn/cluster.h"
#include "base/base_private.h"

#include <uv.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_ipv6(const char *s)
{
    char buf[64];
    const char *zone = strchr(s, '%');
    size_t n = zone ? (size_t)(zone - s) : strlen(s);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    struct in6_addr a6;
    return uv_inet_pton(AF_INET6, buf, &a6) == 0;
}

const char *dci_address_not_a_host(const char *s)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (s && uv_inet_pton(AF_INET, s, &a4) == 0) {
        uint32_t a = ntohl(a4.s_addr);
        if (a == 0)
            return "the unspecified address";
        if (a == 0xffffffffu)
            return "the broadcast address";
        if ((a >> 28) == 0xe)
            return "a multicast address";
        return NULL;
    }
    if (s && uv_inet_pton(AF_INET6, s, &a6) == 0) {
        if (IN6_IS_ADDR_UNSPECIFIED(&a6))
            return "the unspecified address";
        if (IN6_IS_ADDR_MULTICAST(&a6))
            return "a multicast address";
    }
    return NULL;
}

bool dci_address_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a4;
    if (!s || uv_inet_pton(AF_INET, s, &a4) != 0)
        return false;
    *out = ntohl(a4.s_addr);
    return true;
}

bool dc_address_valid(const char *s)
{
    struct in_addr a4;
    if (!s || !*s)
        return false;
    if (uv_inet_pton(AF_INET, s, &a4) == 0 || is_ipv6(s))
        return true;
    size_t len = strlen(s);
    if (len > 253)
        return false;
    /* A name whose last label is all digits is a mistyped IPv4 address, not a host. */
    const char *last = strrchr(s, '.');
    last = last ? last + 1 : s;
    bool all_digits = *last != '\0';
    for (const char *p = last; *p; p++)
        all_digits = all_digits && isdigit((unsigned char)*p);
    if (all_digits)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!(isalnum(c) || c == '-' || c == '_') || (label == 0 && c == '-') || ++label > 63)
            return false;
    }
    return label > 0 || s[len - 1] == '.';
}

bool dc_host_port_split(const char *spec, char *host, size_t cap, uint16_t *port)
{
    const char *name = spec, *rest = NULL;
    size_t len;
    *port = 0;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || (close[1] && close[1] != ':'))
            return false;
        name = spec + 1;
        len = (size_t)(close - name);
        rest = close[1] ? close + 1 : NULL;
    } else {
        const char *colon = strchr(spec, ':');
        bool bare_v6 = colon && strchr(colon + 1, ':');
        len = colon && !bare_v6 ? (size_t)(colon - spec) : strlen(spec);
        rest = colon && !bare_v6 ? colon : NULL;
    }
    if (rest && !dc_port_parse(rest + 1, DC_TO_NUL, port))
        return false;
    if (len == 0 || len >= cap)
        return false;
    memcpy(host, name, len);
    host[len] = '\0';
    return true;
}

bool dc_port_parse(const char *s, size_t len, uint16_t *out)
{
    if (len == DC_TO_NUL)
        len = strlen(s);
    size_t at = 0, end = len;
    while (at < end && (s[at] == ' ' || s[at] == '\t' || s[at] == '\r' || s[at] == '\n'))
        at++;
    while (end > at &&
           (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r' || s[end - 1] == '\n'))
        end--;
    if (at == end || end - at > 5)
        return false;
    unsigned long v = 0;
    for (size_t i = at; i < end; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}
