/* Helpers shared by the protocol judges (probe_util.h). */
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

uint16_t dci_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t dci_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool dci_looks_like_tls(const uint8_t *reply, size_t len)
{
    return len >= 3 && (reply[0] == 0x15 || reply[0] == 0x16) && reply[1] == 0x03 &&
           reply[2] <= 0x04;
}

void dci_printable(const uint8_t *src, size_t len, size_t max, char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && i < max && n + 1 < cap; i++)
        buf[n++] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '.';
    if (cap)
        buf[n] = '\0';
}

void dci_judge_wrong(const uint8_t *reply, size_t len, const char *expected, struct dc_finding *out)
{
    if (dci_looks_like_tls(reply, len)) {
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
    dci_printable(reply, len, 40, text, sizeof text);
    snprintf(out->detail, sizeof out->detail, "not %s: the reply starts \"%s\"", expected, text);
}

static char selftest_why[256]; /* tests run one at a time */

static const char *selftest_check(const struct dc_probe_ops *ops, size_t i, enum dci_judgement j,
                                  const struct dc_finding *f, enum dc_state want, const char *text)
{
    bool has_text = !text || strstr(f->detail, text) || strstr(f->evidence, text);
    if (j == DCI_JUDGE_DONE && f->state == want && has_text)
        return NULL;
    snprintf(selftest_why, sizeof selftest_why, "%s case %zu: expected %s%s%s, got %s%s (%s)",
             ops->name, i, dc_state_name(want), text ? " with " : "", text ? text : "",
             dc_state_name(f->state), j == DCI_JUDGE_DONE ? "" : " (not done)", f->detail);
    return selftest_why;
}

const char *dci_selftest_dialogue(const struct dc_probe_ops *ops,
                                  const struct dci_selftest_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct dc_finding f;
        memset(&f, 0, sizeof f);
        enum dci_judgement j = ops->proto->dialogue.judge(cases[i].reply, cases[i].len, true, &f);
        const char *why = selftest_check(ops, i, j, &f, cases[i].want, cases[i].text);
        if (why)
            return why;
    }
    return NULL;
}

const char *dci_selftest_http(const struct dc_probe_ops *ops, const struct dci_selftest_http *cases,
                              size_t n)
{
    /* a node list of two NATS servers; the destination is the first */
    static char *addrs[] = {"10.0.0.1", "10.0.0.2"};
    struct dc_node nodes[] = {
        {.name = "n1", .addresses = &addrs[0], .naddresses = 1, .roles = DC_ROLE_DMA},
        {.name = "n2", .addresses = &addrs[1], .naddresses = 1, .roles = DC_ROLE_DMA},
    };
    const struct dc_cluster cluster = {.nodes = nodes, .nnodes = 2};
    for (size_t i = 0; i < n; i++) {
        const struct dci_selftest_http *c = &cases[i];
        struct dc_finding f;
        memset(&f, 0, sizeof f);
        struct dci_http_reply reply = {.status = c->status,
                                       .server = c->server ? c->server : "",
                                       .content_type = "application/json",
                                       .www_authenticate =
                                           c->www_authenticate ? c->www_authenticate : "",
                                       .body = c->body,
                                       .body_len = strlen(c->body),
                                       .cluster = &cluster,
                                       .address = addrs[0]};
        enum dci_judgement j = ops->proto->http.judge(0, &reply, &f);
        if (j == DCI_JUDGE_MORE && c->body2) {
            reply.status = 200;
            reply.body = c->body2;
            reply.body_len = strlen(c->body2);
            j = ops->proto->http.judge(1, &reply, &f);
        }
        const char *why = selftest_check(ops, i, j, &f, c->want, c->text);
        if (why)
            return why;
    }
    return NULL;
}
