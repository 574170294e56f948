/* Request signing between the coordinator and the agents (agent.h,
 * docs/security.md): the shared secret never crosses the network. Each request carries
 *   X-Dmsconn-Node: the agent's node     X-Dmsconn-Date: unix seconds
 *   X-Dmsconn-Nonce: 32 hex digits       X-Dmsconn-Content-SHA256: hex
 *   Authorization: DMSCONN-HMAC-SHA256 hex
 * the MAC being HMAC-SHA-256(secret, "dmsconn-request-v2\n" METHOD "\n" PATH "\n" NODE "\n"
 * DATE "\n" NONCE "\n" CONTENT-SHA256). The agent checks the head before it reads a body
 * (window, MAC in constant time, its own node, not dated before its start, nonce not seen in
 * the window) and the body's hash after. */
#include "dmsconn/sign.h"

#include "dmsconn/error.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEME "DMSCONN-HMAC-SHA256 "

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    if (!EVP_Digest(data ? data : "", len, md, &n, EVP_sha256(), NULL) || n != 32)
        return false;
    hex(md, 32, out);
    return true;
}

/* The MAC of a request's canonical head, as 64 hex digits. */
static bool mac_hex(const char *secret, const char *method, const char *path, const char *node,
                    const char *date, const char *nonce, const char *content, char out[65])
{
    char canonical[1024];
    int n = snprintf(canonical, sizeof canonical, "dmsconn-request-v2\n%s\n%s\n%s\n%s\n%s\n%s",
                     method, path, node, date, nonce, content);
    if (n < 0 || (size_t)n >= sizeof canonical)
        return false;
    unsigned char md[32];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)canonical,
              (size_t)n, md, &len) ||
        len != 32)
        return false;
    hex(md, 32, out);
    OPENSSL_cleanse(md, sizeof md);
    return true;
}

int dc_sign_request(const char *secret, const char *method, const char *path, const char *node,
                    const void *body, size_t len, time_t now, struct dc_signed_headers *out)
{
    unsigned char random[16];
    char nonce[33], content[65], mac[65], date[24];
    if (!secret || !node || strlen(node) > 255 || RAND_bytes(random, sizeof random) != 1)
        return DC_EIO;
    hex(random, sizeof random, nonce);
    snprintf(date, sizeof date, "%lld", (long long)now);
    if (!sha256_hex(body, len, content) ||
        !mac_hex(secret, method, path, node, date, nonce, content, mac))
        return DC_EIO;
    snprintf(out->node, sizeof out->node, "X-Dmsconn-Node: %s", node);
    snprintf(out->date, sizeof out->date, "X-Dmsconn-Date: %s", date);
    snprintf(out->nonce, sizeof out->nonce, "X-Dmsconn-Nonce: %s", nonce);
    snprintf(out->content, sizeof out->content, "X-Dmsconn-Content-SHA256: %s", content);
    snprintf(out->authorization, sizeof out->authorization, "Authorization: " SCHEME "%s", mac);
    return 0;
}

static bool all_hex(const char *s, size_t want)
{
    size_t n = 0;
    for (; s[n]; n++) {
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    }
    return n == want;
}

enum dc_sign_check dc_sign_verify_head(const char *secret, const char *method, const char *path,
                                       const char *self, const struct dc_sign_head *head,
                                       time_t now, long window_s, long *skew_s)
{
    *skew_s = 0;
    if (head->authorization && strncmp(head->authorization, "Bearer ", 7) == 0)
        return DC_SIGN_BEARER;
    if (!head->authorization || !head->date || !head->nonce || !head->content)
        return DC_SIGN_MISSING;
    const char *mac = head->authorization;
    if (strncmp(mac, SCHEME, strlen(SCHEME)) != 0 || !all_hex(mac + strlen(SCHEME), 64) ||
        !all_hex(head->nonce, 32) || !all_hex(head->content, 64))
        return DC_SIGN_MALFORMED;
    if (!head->node) /* a well-formed signed request without its node: version 1 */
        return DC_SIGN_OLD;
    char *end;
    long long date = strtoll(head->date, &end, 10);
    if (*end || end == head->date || date < 0)
        return DC_SIGN_MALFORMED;
    long long skew = (long long)now - date;
    if (skew > window_s || skew < -window_s) {
        *skew_s = skew > 100000000 ? 100000000 : skew < -100000000 ? -100000000 : (long)skew;
        return DC_SIGN_CLOCK;
    }
    char want[65];
    if (!mac_hex(secret, method, path, head->node, head->date, head->nonce, head->content, want))
        return DC_SIGN_BAD;
    bool same = CRYPTO_memcmp(want, mac + strlen(SCHEME), 64) == 0;
    OPENSSL_cleanse(want, sizeof want);
    if (!same)
        return DC_SIGN_BAD;
    /* genuine, but for another agent */
    return strcmp(head->node, self) == 0 ? DC_SIGN_OK : DC_SIGN_OTHER;
}

bool dc_sign_body_matches(const struct dc_sign_head *head, const void *body, size_t len)
{
    char got[65];
    return head->content && sha256_hex(body, len, got) &&
           CRYPTO_memcmp(got, head->content, 64) == 0 && strlen(head->content) == 64;
}

enum dc_sign_check dc_sign_admit(const char *secret, struct dc_nonce_cache *nonces,
                                 const char *method, const char *path, const char *self,
                                 time_t started, const struct dc_sign_head *head, time_t now,
                                 char *why, size_t cap)
{
    long skew = 0;
    enum dc_sign_check c =
        dc_sign_verify_head(secret, method, path, self, head, now, DC_SIGN_WINDOW_S, &skew);
    /* the nonces of before the start are gone with the process: a request dated then could
     * be a replay the cache no longer knows */
    if (c == DC_SIGN_OK && strtoll(head->date, NULL, 10) < (long long)started)
        c = DC_SIGN_STALE;
    if (c == DC_SIGN_OK)
        c = dc_nonce_check(nonces, head->nonce, now);
    switch (c) {
    case DC_SIGN_OK: why[0] = '\0'; break;
    case DC_SIGN_BEARER:
        snprintf(why, cap,
                 "this agent takes signed requests only, and the coordinator sent the token "
                 "itself (an older dmsconn?): update it; the token never crosses the network");
        break;
    case DC_SIGN_CLOCK:
        snprintf(why, cap,
                 "the clocks differ: the request is dated %s, this agent's clock says %lld (%ld "
                 "s apart, more than %d): set both clocks right (NTP)",
                 head->date, (long long)now, skew < 0 ? -skew : skew, DC_SIGN_WINDOW_S);
        break;
    case DC_SIGN_BAD:
        snprintf(why, cap,
                 "the signature does not match: the coordinator's token file is not this "
                 "agent's, or the request was changed on the way");
        break;
    case DC_SIGN_REPLAY:
        snprintf(why, cap, "this request was seen before (a replay): refused");
        break;
    case DC_SIGN_OLD:
        snprintf(why, cap,
                 "the request is signed as dmsconn-request-v1 (an older dmsconn): update the "
                 "coordinator; this agent takes dmsconn-request-v2, which names the agent a "
                 "request is for");
        break;
    case DC_SIGN_OTHER:
        snprintf(why, cap,
                 "the request is for node '%.80s', and this agent is node '%.80s': refused (a "
                 "request for another agent, replayed here, or node lists that differ)",
                 head->node, self);
        break;
    case DC_SIGN_STALE:
        snprintf(why, cap,
                 "the request is dated %s, before this agent started (%lld): refused, as a "
                 "replay from before the restart would be; if the coordinator's clock is "
                 "behind this agent's, set both right (NTP)",
                 head->date, (long long)started);
        break;
    case DC_SIGN_BUSY:
        snprintf(why, cap, "too many signed requests within the last minutes");
        break;
    case DC_SIGN_MISSING:
    case DC_SIGN_MALFORMED:
    case DC_SIGN_BODY:
        snprintf(why, cap,
                 "expected a request signed with this agent's token (X-Dmsconn-Date, "
                 "X-Dmsconn-Nonce, X-Dmsconn-Content-SHA256, Authorization: "
                 "DMSCONN-HMAC-SHA256)");
        break;
    }
    return c;
}

/* An answer's MAC: HMAC-SHA-256(secret, "dmsconn-response-v1\n" NONCE "\n" CONTENT-SHA256),
 * NONCE the request's: an answer made for another request, or by someone without the
 * token, does not match. */
bool dc_sign_response(const char *secret, const char *nonce, const void *body, size_t len,
                      char out[65])
{
    char content[65], canonical[160];
    if (!secret || !nonce || !sha256_hex(body, len, content))
        return false;
    int n = snprintf(canonical, sizeof canonical, "dmsconn-response-v1\n%s\n%s", nonce, content);
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (n < 0 || (size_t)n >= sizeof canonical ||
        !HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)canonical,
              (size_t)n, md, &mdlen) ||
        mdlen != 32)
        return false;
    hex(md, 32, out);
    return true;
}

bool dc_sign_response_ok(const char *secret, const char *nonce, const void *body, size_t len,
                         const char *given)
{
    char want[65];
    return given && strlen(given) == 64 && dc_sign_response(secret, nonce, body, len, want) &&
           CRYPTO_memcmp(want, given, 64) == 0;
}

/* Nonces of the last window: a ring of fixed size; a slot is free once its time is past. */
#define NONCES 8192

struct dc_nonce_cache {
    pthread_mutex_t mu;
    long window_s;
    struct {
        char nonce[33];
        time_t until;
    } slot[NONCES];
};

int dc_nonce_cache_new(long window_s, struct dc_nonce_cache **out)
{
    struct dc_nonce_cache *c = calloc(1, sizeof *c);
    if (!c || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return DC_ENOMEM;
    }
    c->window_s = window_s;
    *out = c;
    return 0;
}

void dc_nonce_cache_free(struct dc_nonce_cache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

enum dc_sign_check dc_nonce_check(struct dc_nonce_cache *c, const char *nonce, time_t now)
{
    enum dc_sign_check rc = DC_SIGN_BUSY;
    size_t free_slot = NONCES;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < NONCES; i++) {
        bool live = c->slot[i].until >= now;
        if (live && strcmp(c->slot[i].nonce, nonce) == 0) {
            rc = DC_SIGN_REPLAY;
            free_slot = NONCES;
            break;
        }
        if (!live && free_slot == NONCES)
            free_slot = i;
    }
    if (free_slot < NONCES) {
        /* kept until no request of that date can pass the window any more */
        snprintf(c->slot[free_slot].nonce, sizeof c->slot[free_slot].nonce, "%s", nonce);
        c->slot[free_slot].until = now + 2 * c->window_s;
        rc = DC_SIGN_OK;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}
