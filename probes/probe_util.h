/* Small helpers the protocol judges share: byte order, TLS records, safe text. */
#ifndef DMSCONN_PROBE_UTIL_H
#define DMSCONN_PROBE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmsconn/model.h"
#include "dmsconn/probe.h"

uint16_t dc_be16(const uint8_t *p);
uint32_t dc_be32(const uint8_t *p);

/* The reply starts like a TLS record (handshake 0x16 or alert 0x15, version 3.x): the port
 * speaks TLS and took our clear-text hello for garbage. */
bool dc_looks_like_tls(const uint8_t *reply, size_t len);

/* Copies at most `max` bytes of untrusted text into buf, replacing anything that is not
 * printable ASCII with '.', so a peer can never put control characters into a report. */
void dc_printable(const uint8_t *src, size_t len, size_t max, char *buf, size_t cap);

/* Fills the result for a reply that is not the protocol: state wrong_service and a detail
 * quoting the first bytes. */
void dc_judge_wrong(const uint8_t *reply, size_t len, const char *expected, struct dc_finding *out);

/* The NATS messaging step (probe_nats_messaging.c). */
void dc_nats_messaging_step(const struct dc_library_ctx *ctx, struct dc_finding *out);

#endif
