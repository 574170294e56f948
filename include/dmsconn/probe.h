/* The probes a profile can name (probes/probe_list.h lists them all), as a program embedding
 * dmsconn sees them: name, transport, TLS, and the secret each takes. What a probe does (its
 * driver, hello, judge) is the library's own: probes/probe.h. */
#ifndef DMSCONN_PROBE_H
#define DMSCONN_PROBE_H

#include "dmsconn/model.h"

struct dci_protocol; /* what the probe does: the library's own (probes/probe.h) */

/* A probe as a profile names it (curl's Curl_scheme): its name, ports and transport,
 * whether it speaks TLS first, and the protocol it speaks. "cql" and "cql-tls" are two
 * probes of one protocol. */
struct dc_probe_ops {
    const char *name;      /* as written in profiles: "tcp" */
    const char *summary;   /* one line, for the manual's list of probes */
    enum dc_family family; /* what a check with this probe belongs to, unless it says */
    enum dc_transport transport;
    bool tls;         /* TLS first (a dialogue's hello and reply are its plaintext; HTTPS) */
    const char *alpn; /* ... and offer this protocol by ALPN ("h2"), NULL: none */
    bool by_name;     /* HTTPS: the URL names the host by the name it was resolved from, so the
                         certificate is checked against that name (the HTTPS name check) */
    const struct dci_protocol *proto;
};

/* The registry: a NULL-terminated table of every probe. */
extern const struct dc_probe_ops *const dc_probes[];

const struct dc_probe_ops *dc_probe_find(const char *name);
/* The first probe that takes the secret of that name (NULL: none does). */
const struct dc_probe_ops *dc_probe_with_secret(const char *name);
/* The secret `probe` takes (`--secret NAME=FILE`): its name (NULL: none), whether it is a
 * whole file (a NATS .creds) rather than one line, and a check of its text: NULL when it
 * fits, else what was expected. */
const char *dc_probe_secret_name(const struct dc_probe_ops *probe);
bool dc_probe_secret_is_file(const struct dc_probe_ops *probe);
const char *dc_probe_secret_check(const struct dc_probe_ops *probe, const char *text);
/* "nats (a NATS .creds file, ...), opensearch (...)" for messages and --help, whole
 * whatever the registry holds; the caller frees it (NULL: out of memory). */
char *dc_probe_secret_names(void);
/* "tcp, cql, ..." for messages, every probe of the registry; the caller frees it (NULL: out
 * of memory). */
char *dc_probe_names(void);

#endif
