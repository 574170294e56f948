/* Small helpers the protocol judges share: byte order, TLS records, safe text. */
#ifndef DMSCONN_PROBE_UTIL_H
#define DMSCONN_PROBE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmsconn/model.h"
#include "dmsconn/probe.h"
#include "probe_list.h"
#include "probes/probe.h"

uint16_t dci_be16(const uint8_t *p);
uint32_t dci_be32(const uint8_t *p);

/* The reply starts like a TLS record (handshake 0x16 or alert 0x15, version 3.x): the port
 * speaks TLS and took our clear-text hello for garbage. */
bool dci_looks_like_tls(const uint8_t *reply, size_t len);

/* Copies at most `max` bytes of untrusted text into buf, replacing anything that is not
 * printable ASCII with '.', so a peer can never put control characters into a report. */
void dci_printable(const uint8_t *src, size_t len, size_t max, char *buf, size_t cap);

/* Fills the result for a reply that is not the protocol: state wrong_service and a detail
 * quoting the first bytes. */
void dci_judge_wrong(const uint8_t *reply, size_t len, const char *expected,
                     struct dc_finding *out);

/* A self-test case of a dialogue judge: the reply, as if the peer then closed, must give
 * `want`, with `text` (NULL: anything) in the detail or evidence. */
struct dci_selftest_case {
    const void *reply;
    size_t len;
    enum dc_state want;
    const char *text;
};
/* Runs the cases through the protocol's judge: NULL, or a message naming the first case that
 * failed. */
const char *dci_selftest_dialogue(const struct dc_probe_ops *ops,
                                  const struct dci_selftest_case *cases, size_t n);

/* A self-test case of an HTTP judge: the answers to paths[0] (and paths[1] when body2 is
 * given, status 200), must end in `want` with `text` in the detail or evidence. */
struct dci_selftest_http {
    long status;
    const char *server;
    const char *www_authenticate;
    const char *body;
    const char *body2;
    enum dc_state want;
    const char *text;
};
const char *dci_selftest_http(const struct dc_probe_ops *ops, const struct dci_selftest_http *cases,
                              size_t n);
#define DCI_SELFTEST_N(cases) (sizeof(cases) / sizeof((cases)[0]))

/* The NATS messaging step (probe_nats_messaging.c). */
void dci_nats_messaging_step(const struct dci_library_ctx *ctx, struct dc_finding *out);
/* NULL where the step runs; else what to do instead (probes/without_nats.c). */
extern const char *const dci_nats_messaging_unavailable;

#endif
