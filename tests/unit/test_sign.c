/* Request signing (src/agent/agent_sign.c): a request signed here verifies, and a change to any
 * part of it, another key, a date outside the window, the old bearer header, a replayed
 * nonce or another body each fail with their own reason. One vector was computed outside
 * the C code (Python's hmac, tests/lib/agent_client.py) from the documented canonical form. */
#include "test_util.h"

#include "dmsconn/sign.h"

static const char token[] = "unit-test-token-0123456789";

/* The value after "Name: " in a header line dc_sign_request made. */
static const char *value(const char *line)
{
    return strchr(line, ':') + 2;
}

static struct dc_sign_head head_of(const struct dc_signed_headers *h)
{
    return (struct dc_sign_head){.node = value(h->node),
                                 .authorization = value(h->authorization),
                                 .date = value(h->date),
                                 .nonce = value(h->nonce),
                                 .content = value(h->content)};
}

static void round_trip(void **state)
{
    (void)state;
    static const char body[] = "{\"schema\":\"dmsconn.tasks/2\"}";
    struct dc_signed_headers h;
    time_t now = 1700000000;
    assert_int_equal(dc_sign_request(token, "POST", "/v1/run", "dma1", body, strlen(body), now, &h),
                     0);
    assert_null(strstr(h.authorization, token)); /* the token is nowhere in what is sent */
    assert_null(strstr(h.date, token));
    struct dc_sign_head head = head_of(&h);
    long skew = 0;
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &head, now + 5, 120, &skew),
        DC_SIGN_OK);
    assert_true(dc_sign_body_matches(&head, body, strlen(body)));
    assert_false(dc_sign_body_matches(&head, "{}", 2));
    /* another method, path or key */
    assert_int_equal(
        dc_sign_verify_head(token, "DELETE", "/v1/run", "dma1", &head, now, 120, &skew),
        DC_SIGN_BAD);
    assert_int_equal(dc_sign_verify_head(token, "POST", "/v1/stop", "dma1", &head, now, 120, &skew),
                     DC_SIGN_BAD);
    assert_int_equal(dc_sign_verify_head("another-token-0123456789", "POST", "/v1/run", "dma1",
                                         &head, now, 120, &skew),
                     DC_SIGN_BAD);
    /* a changed date, nonce or body hash breaks the MAC */
    char date[24], nonce[40], content[80];
    snprintf(date, sizeof date, "%lld", (long long)now + 1);
    struct dc_sign_head changed = head;
    changed.date = date;
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &changed, now, 120, &skew),
        DC_SIGN_BAD);
    snprintf(nonce, sizeof nonce, "%s", head.nonce);
    nonce[0] = nonce[0] == 'a' ? 'b' : 'a';
    changed = head;
    changed.nonce = nonce;
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &changed, now, 120, &skew),
        DC_SIGN_BAD);
    snprintf(content, sizeof content, "%s", head.content);
    content[5] = content[5] == '0' ? '1' : '0';
    changed = head;
    changed.content = content;
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &changed, now, 120, &skew),
        DC_SIGN_BAD);
    /* the clocks: 121 s apart either way is outside a 120 s window, and says by how much */
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &head, now + 121, 120, &skew),
        DC_SIGN_CLOCK);
    assert_int_equal(skew, 121);
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &head, now - 300, 120, &skew),
        DC_SIGN_CLOCK);
    assert_int_equal(skew, -300);
    /* two requests never share a nonce */
    struct dc_signed_headers again;
    assert_int_equal(
        dc_sign_request(token, "POST", "/v1/run", "dma1", body, strlen(body), now, &again), 0);
    assert_string_not_equal(again.nonce, h.nonce);
}

static void refusals(void **state)
{
    (void)state;
    long skew;
    struct dc_sign_head bearer = {.authorization = "Bearer unit-test-token-0123456789"};
    assert_int_equal(dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &bearer, 0, 120, &skew),
                     DC_SIGN_BEARER);
    struct dc_sign_head none = {0};
    assert_int_equal(dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &none, 0, 120, &skew),
                     DC_SIGN_MISSING);
    struct dc_sign_head odd = {.authorization = "DMSCONN-HMAC-SHA256 xyz",
                               .date = "1700000000",
                               .nonce = "00000000000000000000000000000000",
                               .content = "00"};
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &odd, 1700000000, 120, &skew),
        DC_SIGN_MALFORMED);
}

/* HMAC-SHA-256(token, "dmsconn-request-v2\nPOST\n/v1/run\ndma1\n1700000000\n0...0\n" +
 * SHA-256 of {"x":1}), computed by Python's hmac module */
static void outside_vector(void **state)
{
    (void)state;
    struct dc_sign_head head = {
        .node = "dma1",
        .authorization =
            "DMSCONN-HMAC-SHA256 71b6e6980e1477afb583e137b1406725be0af7bc111f3a9dc6d5161de58e54ca",
        .date = "1700000000",
        .nonce = "00000000000000000000000000000000",
        .content = "5041bf1f713df204784353e82f6a4a535931cb64f1f4b4a5aeaffcb720918b22"};
    long skew;
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &head, 1700000000, 120, &skew),
        DC_SIGN_OK);
    assert_true(dc_sign_body_matches(&head, "{\"x\":1}", 7));
}

static void nonces(void **state)
{
    (void)state;
    struct dc_nonce_cache *c;
    assert_int_equal(dc_nonce_cache_new(120, &c), 0);
    const char *n1 = "0123456789abcdef0123456789abcdef", *n2 = "fedcba9876543210fedcba9876543210";
    assert_int_equal(dc_nonce_check(c, n1, 1000), DC_SIGN_OK);
    assert_int_equal(dc_nonce_check(c, n1, 1001), DC_SIGN_REPLAY);
    assert_int_equal(dc_nonce_check(c, n2, 1001), DC_SIGN_OK);
    /* kept while a request of its date could still pass the window, then forgotten */
    assert_int_equal(dc_nonce_check(c, n1, 1000 + 240), DC_SIGN_REPLAY);
    assert_int_equal(dc_nonce_check(c, n1, 1000 + 241), DC_SIGN_OK);
    /* full of live nonces: busy, never a silent pass */
    char nonce[40];
    size_t accepted = 0;
    for (unsigned i = 0; i < 9000; i++) {
        snprintf(nonce, sizeof nonce, "%032x", i + 7);
        accepted += dc_nonce_check(c, nonce, 2000) == DC_SIGN_OK;
    }
    assert_true(accepted < 9000);
    assert_int_equal(dc_nonce_check(c, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 2000), DC_SIGN_BUSY);
    dc_nonce_cache_free(c);
}

/* What the agent says to the coordinator for each refusal */
static void admit_reasons(void **state)
{
    (void)state;
    struct dc_nonce_cache *c;
    assert_int_equal(dc_nonce_cache_new(DC_SIGN_WINDOW_S, &c), 0);
    struct dc_signed_headers h;
    time_t now = 1700000000;
    assert_int_equal(dc_sign_request(token, "POST", "/v1/run", "dma1", "{}", 2, now, &h), 0);
    struct dc_sign_head head = head_of(&h);
    char why[256];
    assert_int_equal(
        dc_sign_admit(token, c, "POST", "/v1/run", "dma1", 0, &head, now + 300, why, sizeof why),
        DC_SIGN_CLOCK);
    assert_contains(why, "the clocks differ");
    assert_contains(why, "300 s apart, more than 120");
    assert_int_equal(
        dc_sign_admit(token, c, "POST", "/v1/run", "dma1", 0, &head, now, why, sizeof why),
        DC_SIGN_OK);
    assert_string_equal(why, "");
    assert_int_equal(
        dc_sign_admit(token, c, "POST", "/v1/run", "dma1", 0, &head, now + 1, why, sizeof why),
        DC_SIGN_REPLAY);
    assert_contains(why, "seen before (a replay)");
    assert_int_equal(dc_sign_admit("another-token-0123456789", c, "POST", "/v1/run", "dma1", 0,
                                   &head, now, why, sizeof why),
                     DC_SIGN_BAD);
    assert_contains(why, "the signature does not match");
    struct dc_sign_head bearer = {.authorization = "Bearer x"};
    assert_int_equal(
        dc_sign_admit(token, c, "POST", "/v1/run", "dma1", 0, &bearer, now, why, sizeof why),
        DC_SIGN_BEARER);
    assert_contains(why, "takes signed requests only");
    assert_null(strstr(why, token));
    /* an answer is signed for its request's nonce: another nonce or body does not match */
    char mac[65];
    assert_true(dc_sign_response(token, head.nonce, "{\"ok\":1}", 8, mac));
    assert_true(dc_sign_response_ok(token, head.nonce, "{\"ok\":1}", 8, mac));
    assert_false(
        dc_sign_response_ok(token, "ffffffffffffffffffffffffffffffff", "{\"ok\":1}", 8, mac));
    assert_false(dc_sign_response_ok(token, head.nonce, "{\"ok\":2}", 8, mac));
    assert_false(dc_sign_response_ok(token, head.nonce, "{\"ok\":1}", 8, NULL));
    dc_nonce_cache_free(c);
}

/* A request names its agent (dmsconn-request-v2): another agent refuses it, a changed node
 * breaks the MAC, a request without a node is an older coordinator's; a request dated before
 * the agent started is refused even though its nonce is not in the (new) cache. */
static void bound_to_agent_and_start(void **state)
{
    (void)state;
    struct dc_nonce_cache *c;
    assert_int_equal(dc_nonce_cache_new(DC_SIGN_WINDOW_S, &c), 0);
    struct dc_signed_headers h;
    time_t now = 1700000000;
    assert_int_equal(dc_sign_request(token, "POST", "/v1/stop", "dma1", "", 0, now, &h), 0);
    struct dc_sign_head head = head_of(&h);
    char why[256];
    long skew;
    assert_int_equal(
        dc_sign_admit(token, c, "POST", "/v1/stop", "dma2", 0, &head, now, why, sizeof why),
        DC_SIGN_OTHER);
    assert_contains(why, "the request is for node 'dma1', and this agent is node 'dma2'");
    struct dc_sign_head moved = head;
    moved.node = "dma2"; /* the header rewritten on the way: the MAC no longer matches */
    assert_int_equal(
        dc_sign_verify_head(token, "POST", "/v1/stop", "dma2", &moved, now, 120, &skew),
        DC_SIGN_BAD);
    struct dc_sign_head v1 = head;
    v1.node = NULL;
    assert_int_equal(
        dc_sign_admit(token, c, "POST", "/v1/stop", "dma1", 0, &v1, now, why, sizeof why),
        DC_SIGN_OLD);
    assert_contains(why, "dmsconn-request-v1 (an older dmsconn): update the coordinator");
    /* the agent restarted at now + 10: the request of now, replayed, is refused */
    assert_int_equal(dc_sign_admit(token, c, "POST", "/v1/stop", "dma1", now + 10, &head, now + 20,
                                   why, sizeof why),
                     DC_SIGN_STALE);
    assert_contains(why, "before this agent started");
    /* ... and a request of its own time passes once */
    assert_int_equal(
        dc_sign_admit(token, c, "POST", "/v1/stop", "dma1", now, &head, now + 1, why, sizeof why),
        DC_SIGN_OK);
    dc_nonce_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),     cmocka_unit_test(refusals),
        cmocka_unit_test(outside_vector), cmocka_unit_test(nonces),
        cmocka_unit_test(admit_reasons),  cmocka_unit_test(bound_to_agent_and_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
