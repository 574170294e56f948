/* Webpages/ConnectionSettings.txt: how DataMiner's clients (Cube, and Agents connecting to one
 * another) connect to this Agent, by the client's address. Read for what VerifyGRPCConnection,
 * the upgrade prerequisite of 10.5.10/10.6.0, refuses in it: polling, a server port other than
 * 8004, different settings for different ranges (DataMiner's docs: ConnectionSettings_txt and
 * KI_Upgrade_fails_VerifyGRPCConnection_prerequisite). The format, as DataMiner reads it:
 *   RANGES OPTIONS   ranges separated by ';': *, 10.* (addresses starting
 * so), 10.10.1.1-10.10.1.100, 10.10.7.1; options separated by ';': type=, polling=, serverport=,
 * zip=, cache=, endpoint=, resolve= # a comment The first line whose ranges match a client's
 * address gives its settings. No file is the default (`* type=GRPCConnection` from 10.5.10/10.6.0).
 */
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "base/base_private.h"
#include "inputs/inputs_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINES_MAX 256 /* setting lines considered; a longer file is noted */

struct setting {
    unsigned long line;
    char *ranges;  /* points into the copy of the file */
    char *options; /* likewise; "" when none */
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* One range item of a line, parsed: `*`, a prefix ("10.*": the addresses that start so), a
 * span of IPv4 addresses (A-B), or one address. */
struct range {
    enum { RANGE_ALL, RANGE_PREFIX, RANGE_SPAN, RANGE_ONE } kind;
    char text[64]; /* the prefix without its '*', or the address */
    uint32_t lo, hi;
};

/* false: the item is none of those (DataMiner matches no client with it) */
static bool parse_range(const char *item, size_t len, struct range *r)
{
    if (len == 0 || len >= sizeof r->text)
        return false;
    memcpy(r->text, item, len);
    r->text[len] = '\0';
    if (strcmp(r->text, "*") == 0) {
        r->kind = RANGE_ALL;
        return true;
    }
    if (r->text[len - 1] == '*') {
        r->kind = RANGE_PREFIX;
        r->text[len - 1] = '\0';
        return strspn(r->text, "0123456789.") == len - 1;
    }
    char *dash = strchr(r->text, '-');
    if (dash) {
        *dash = '\0';
        r->kind = RANGE_SPAN;
        return dci_address_ipv4(r->text, &r->lo) && dci_address_ipv4(dash + 1, &r->hi);
    }
    r->kind = RANGE_ONE;
    return dci_address_ipv4(r->text, &r->lo);
}

/* Whether a client at `address` (an IPv4 literal) falls in range item `item`. */
static bool range_matches(const char *item, size_t len, const char *address)
{
    struct range r;
    uint32_t a;
    if (!parse_range(item, len, &r))
        return false;
    switch (r.kind) {
    case RANGE_ALL: return true;
    case RANGE_PREFIX: return strncmp(address, r.text, strlen(r.text)) == 0;
    case RANGE_SPAN: return dci_address_ipv4(address, &a) && a >= r.lo && a <= r.hi;
    case RANGE_ONE: return strcmp(address, r.text) == 0;
    }
    return false;
}

static bool line_matches(const struct setting *s, const char *address)
{
    for (const char *p = s->ranges; *p;) {
        size_t n = strcspn(p, ";");
        if (range_matches(p, n, address))
            return true;
        p += n + (p[n] == ';');
    }
    return false;
}

/* The options as a set: lower-case keys and values sorted, for telling two lines apart
 * whatever their order or case. */
static void canonical(const char *options, char *out, size_t cap)
{
    char items[16][96];
    size_t n = 0;
    for (const char *p = options; *p && n < 16;) {
        size_t len = strcspn(p, ";");
        size_t k = 0;
        for (size_t i = 0; i < len && k + 1 < sizeof items[n]; i++) {
            if (p[i] != ' ' && p[i] != '\t')
                items[n][k++] = (char)tolower((unsigned char)p[i]);
        }
        items[n][k] = '\0';
        n += k > 0;
        p += len + (p[len] == ';');
    }
    for (size_t i = 1; i < n; i++) { /* an insertion sort: a line has a handful */
        for (size_t j = i; j > 0 && strcmp(items[j - 1], items[j]) > 0; j--) {
            char tmp[96];
            memcpy(tmp, items[j], sizeof tmp);
            memcpy(items[j], items[j - 1], sizeof tmp);
            memcpy(items[j - 1], tmp, sizeof tmp);
        }
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ";" : "", items[i]);
}

/* The value of option `key` in a line's options, copied into buf; false when absent. */
static bool option(const char *options, const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *p = options; *p;) {
        size_t len = strcspn(p, ";");
        const char *item = p;
        while (item < p + len && (*item == ' ' || *item == '\t'))
            item++;
        if ((size_t)(p + len - item) > klen && strncasecmp(item, key, klen) == 0 &&
            item[klen] == '=') {
            size_t vlen = (size_t)(p + len - (item + klen + 1));
            snprintf(buf, cap, "%.*s", (int)vlen, item + klen + 1);
            char *t = trim(buf);
            memmove(buf, t, strlen(t) + 1);
            return true;
        }
        p += len + (p[len] == ';');
    }
    return false;
}

/* ", the first match for dma1, dma2": which DMAs of the cluster this line speaks for. */
static void first_match_for(const struct dc_cluster *cl, const struct setting *lines, size_t n,
                            size_t which, char *out, size_t cap)
{
    size_t used = 0, named = 0;
    out[0] = '\0';
    for (size_t d = 0; d < cl->nnodes && used < cap; d++) {
        const struct dc_node *node = &cl->nodes[d];
        if (!(node->roles & DC_ROLE_DMA) || !node->naddresses)
            continue;
        size_t first = n;
        for (size_t i = 0; i < n && first == n; i++) {
            if (line_matches(&lines[i], node->addresses[0]))
                first = i;
        }
        if (first == which)
            used += (size_t)snprintf(out + used, cap - used, "%s%s",
                                     named++ ? ", " : "; the first match for ", node->name);
    }
}

static const char *const known_options[] = {"type",  "polling",  "serverport", "zip",
                                            "cache", "endpoint", "resolve",    NULL};

/* Notes for what DataMiner would not understand: a malformed range, an unknown option. */
static int check_syntax(struct dc_cluster *cl, const struct setting *s, const char *origin)
{
    int rc = 0;
    for (const char *p = s->ranges; *p && !rc;) {
        size_t n = strcspn(p, ";");
        struct range r;
        if (!parse_range(p, n, &r))
            rc = dc_cluster_add_note(cl,
                                     "%s:%lu: range '%.*s' is not *, a prefix (10.*), a range "
                                     "(10.0.0.1-10.0.0.9) or an IPv4 address: it matches no "
                                     "client",
                                     origin, s->line, (int)n, p);
        p += n + (p[n] == ';');
    }
    for (const char *p = s->options; *p && !rc;) {
        size_t n = strcspn(p, ";");
        const char *eq = memchr(p, '=', n);
        bool known = false;
        for (const char *const *k = known_options; eq && *k && !known; k++) {
            const char *key = p;
            while (*key == ' ')
                key++;
            known = (size_t)(eq - key) == strlen(*k) && strncasecmp(key, *k, strlen(*k)) == 0;
        }
        if (n > 0 && !known)
            rc = dc_cluster_add_note(cl,
                                     "%s:%lu: option '%.*s' is none of type=, polling=, "
                                     "serverport=, zip=, cache=, endpoint=, resolve=",
                                     origin, s->line, (int)n, p);
        p += n + (p[n] == ';');
    }
    return rc;
}

/* VerifyGRPCConnection's three reasons, each with DataMiner's sentence. */
static int judge(struct dc_cluster *cl, const struct setting *lines, size_t n, const char *origin)
{
    static const char sentence[] =
        "ConnectionSettings.txt was changed, only default config is allowed without "
        "MaintenanceSetting flag";
    char first_canon[512] = "", canon[512], value[64], who[256];
    int rc = 0;
    bool differ = false;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct setting *s = &lines[i];
        rc = check_syntax(cl, s, origin);
        first_match_for(cl, lines, n, i, who, sizeof who);
        if (!rc && option(s->options, "polling", value, sizeof value) && strtol(value, NULL, 10))
            rc = dci_cluster_add_upgrade(
                cl, origin, s->line, "%s (polling=%s: polling configured%s)", sentence, value, who);
        if (!rc && option(s->options, "serverport", value, sizeof value) &&
            strtol(value, NULL, 10) != 0 && strtol(value, NULL, 10) != 8004)
            rc = dci_cluster_add_upgrade(cl, origin, s->line,
                                         "%s (serverport=%s: a server port other than 8004%s)",
                                         sentence, value, who);
        canonical(s->options, i == 0 ? first_canon : canon, sizeof canon);
        if (!rc && i > 0 && !differ && strcmp(canon, first_canon) != 0) {
            differ = true;
            rc = dci_cluster_add_upgrade(cl, origin, s->line,
                                         "%s (these ranges, %s, get other settings than line "
                                         "%lu's: different settings for different IP ranges)",
                                         sentence, s->ranges, lines[0].line);
        }
    }
    return rc;
}

int dc_inventory_parse_connection_settings(struct dc_cluster *cluster, const char *data, size_t len,
                                           const char *origin, struct dc_diag *diag)
{
    (void)diag; /* nothing in it stops the run: what DataMiner would not read is noted */
    char *copy = malloc(len + 1);
    struct setting *lines = calloc(LINES_MAX, sizeof *lines);
    int rc = 0;
    if (!copy || !lines) {
        rc = DC_ENOMEM;
        goto out;
    }
    memcpy(copy, data, len);
    copy[len] = '\0';
    size_t n = 0;
    unsigned long no = 0;
    for (char *p = copy; *p && !rc;) {
        size_t end = strcspn(p, "\n");
        char *next = p[end] ? p + end + 1 : p + end;
        p[end] = '\0';
        no++;
        char *text = trim(p);
        p = next;
        if (!*text || *text == '#')
            continue;
        if (n == LINES_MAX) {
            rc = dc_cluster_add_note(cluster,
                                     "%s:%lu: more than %d setting lines; the rest "
                                     "was not read",
                                     origin, no, LINES_MAX);
            break;
        }
        size_t r = strcspn(text, " \t");
        lines[n].line = no;
        lines[n].ranges = text;
        lines[n].options = text[r] ? trim(text + r + 1) : text + r;
        text[r] = '\0';
        n++;
    }
    if (!rc)
        rc = judge(cluster, lines, n, origin);
out:
    free(copy);
    free(lines);
    return rc;
}
