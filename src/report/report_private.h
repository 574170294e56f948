/* What the report writers share: a cell's rank, a change's name, the JSON stream. */
#ifndef DMSCONN_REPORT_REPORT_PRIVATE_H
#define DMSCONN_REPORT_REPORT_PRIVATE_H

#include "dmsconn/cert.h"
#include "dmsconn/diff.h"
#include "dmsconn/report.h"

const char *dci_change_name(enum dc_change change);

/* Writes the JSON document to f, one result at a time. 0 or -errno. */
int dci_report_json_stream(const struct dc_report *report, FILE *f);

int dci_result_rank(const struct dc_result *r);

/* "4 causes explain 20 failed checks and 2 warnings" (diagnosis_words.c). */
void dci_diagnosis_headline(const struct dc_diagnosis *d, char *buf, size_t cap);

/* "db1 (10.0.0.21)", the name alone when it is its address (the address probed, or NULL for
 * the node's first), "this machine (NAME)" for the source of --all-targets. verdict.c */
void dci_node_describe(const struct dc_node *node, const char *address, char *buf, size_t cap);

/* The time certificates are judged at: opts->now_s, or the clock's now. verdict.c */
struct dc_verdict_opts;
double dci_verdict_now(const struct dc_verdict_opts *opts);

/* The run's certificates, each endpoint's once (report_certs.c), soonest expiry first. */
struct dci_cert_entry {
    struct dc_cert cert;
    size_t first;            /* the first result that showed it (not for an agent's) */
    long agent;              /* the node whose agent's HTTPS showed it, or -1 */
    unsigned sources;        /* how many results showed it */
    bool refused;            /* a source refused it (its result's state is tls) */
    enum dc_verdict verdict; /* its expiry's, or fail when it was refused for trust or names */
    char why[96];            /* what its expiry is, when not a pass */
    char problems[200];      /* "not trusted: ...; does not name ..." ("" when none) */
};
/* malloc'd (the caller frees), *count entries; NULL when there are none. */
struct dci_cert_entry *dci_cert_list(const struct dc_report *report, size_t *count);
/* "db1 tcp/9042 Cassandra CQL": the endpoint. */
void dci_cert_entry_where(const struct dc_report *report, const struct dci_cert_entry *e, char *buf,
                          size_t cap);

/* Certificates in JSON (cert.c): "tls": {version, not_before, not_after, days_left (when
 * now_s > 0), subject, issuer, san, verified, trusted, checked_name, names_ok, problem}, the
 * same object in the report and in an agent's answer. */
struct dc_cert;
struct dc_texts;
struct json_buf;
struct cJSON;
void dci_cert_json_write(struct json_buf *b, const struct dc_cert *cert, double now_s);
/* 0, or -1 with why. */
int dci_cert_json_read(const struct cJSON *o, struct dc_cert *out, char *why, size_t cap);
/* A result's certificate text from its "tls" object: "" for none (o NULL), NULL with why
 * when the object is not a certificate. */
const char *dci_cert_text_of_json(const struct cJSON *o, struct dc_texts *texts, char *why,
                                  size_t cap);

#endif
