/* Continuous mode's HTTP server (check --every --metrics ADDR:PORT): /metrics in Prometheus's
 * text format and / the live HTML report of the last round. It serves what a round
 * published and nothing else: GET and HEAD on those two paths, never a probe because of a
 * request. Optionally HTTPS and HTTP basic authentication (docs/security.md).
 * src/agent/metrics_server.c */
#ifndef DMSCONN_METRICS_H
#define DMSCONN_METRICS_H

#include <stddef.h>

#include "dmsconn/error.h"

struct dc_metrics_opts {
    const char *listen;        /* "ADDR:PORT", "[V6ADDR]:PORT"; numeric */
    const char *tls_file;      /* PEM: the certificate (its chain may follow) and its key */
    const char *user;          /* basic authentication: the user name ... */
    const char *password_file; /* ... and the file of its password (Prometheus's password_file) */
};

struct dc_metrics;

/* Reads and checks everything the server needs (the address, the certificate and key, the
 * password) without listening yet: every mistake is said here, before any round. */
int dc_metrics_new(const struct dc_metrics_opts *opts, struct dc_metrics **out,
                   struct dc_diag *diag);
/* Starts listening (a thread of libmicrohttpd's that polls every connection): call it where
 * a new thread may start (after the stop signals are blocked, dmsconn/watch.h). */
int dc_metrics_listen(struct dc_metrics *m, struct dc_diag *diag);
/* What the next requests get: the Prometheus text and the HTML page (malloc'd; taken, and
 * freed once no answer in flight still sends them). NULL keeps the previous one. */
void dc_metrics_publish(struct dc_metrics *m, char *prom, size_t prom_len, char *html,
                        size_t html_len);
/* "http://127.0.0.1:9110": what to tell the admin (valid while m is). */
const char *dc_metrics_url(const struct dc_metrics *m);
/* Stops listening (answers in flight end) and frees it. */
void dc_metrics_free(struct dc_metrics *m);

#endif
