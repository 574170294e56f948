/* The base's functions that only the library's own parts call: address and file helpers,
 * the model's name parsers, the text pool's unshared strings. Not part of the public API. */
#ifndef DMSCONN_BASE_BASE_PRIVATE_H
#define DMSCONN_BASE_BASE_PRIVATE_H

#include "dmsconn/check.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "dmsconn/node.h"
#include "dmsconn/report.h"
#include "dmsconn/result.h"
#include "dmsconn/texts.h"

/* A TLS handshake's detail when the peer speaks only TLS older than the 1.2 both dmsconn and
 * DataMiner (from 10.5.12) require: the engine writes it, the verdict's remedy reads it. */
#define DCI_TLS_TOO_OLD                                                                            \
    "the server offers only TLS older than 1.2, which DataMiner refuses from 10.5.12"

/* What an address literal that no node can have is ("the broadcast address"), or NULL: the
 * unspecified, broadcast and multicast addresses are refused as nodes. */
const char *dci_address_not_a_host(const char *address);
/* An IPv4 literal's value in host order; false for anything else (IPv6, a name). */
bool dci_address_ipv4(const char *address, uint32_t *out);

int dci_expect_parse(const char *name, enum dc_expect *out);
/* "tcp/9042", "udp/161", or "icmp" (no port); returns buf. */
const char *dci_port_label(enum dc_transport transport, unsigned port, char *buf, size_t cap);

/* Like dci_output_write, with the content written by fn into a stream. */
int dci_output_stream(const char *path, int (*fn)(FILE *f, void *ud), void *ud);

/* The content fn writes, in memory (malloc'd, its length in *len): NULL when out of memory
 * or fn failed. */
char *dci_output_memory(int (*fn)(FILE *f, void *ud), void *ud, size_t *len);

/* Writes `len` bytes to path ("-": standard output). A file is written beside the target
 * and renamed into place, so a reader (node_exporter, a pipeline) never sees half of it.
 * Returns 0 or -errno. */
int dci_output_write(const char *path, const char *data, size_t len);

int dci_pairs_parse(const char *name, enum dc_pairs *out);

/* A family by its name, in any case ("cassandra", "SLNet"). */
int dci_family_parse(const char *name, enum dc_family *out);

/* dc_read_file, then as UTF-8 text: a UTF-8 BOM dropped, UTF-16 with a BOM converted, a NUL an
 * error (for the readers that are not libxml2, which detects encodings itself). The caller
 * frees *data whatever the result. */
int dci_read_text_file(const char *path, char **data, size_t *len, struct dc_diag *diag);

/* Roles: "dma", "cassandra", "opensearch" (also "elasticsearch"), "nats", "cloudgateway";
 * "any" only where a set of roles is matched. */
int dci_role_parse(const char *name, bool allow_any, uint32_t *out);

/* dc_texts_add without looking for an equal string: for texts seldom shared (a remedy names
 * its source and destination), where the search costs more than it saves. */
const char *dci_texts_keep(struct dc_texts *texts, const char *s);

int dci_when_parse(const char *name, enum dc_when *out);

#endif
