/* Certificates: what a TLS peer showed, as a result carries it, and how its expiry is judged
 * (DataMiner's SLDataGateway from 10.5.9: under 30 days a notice, under 7 an error).
 * One reader takes it from every TLS driver's handshake (src/engine/engine_cert.c); a result
 * keeps it as text in the run's pool (dc_cert_format), so a certificate seen from 50 sources
 * is one copy. src/report/cert.c */
#ifndef DMSCONN_CERT_H
#define DMSCONN_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmsconn/result.h"

struct dc_cert {
    char version[16];   /* the protocol negotiated: "TLSv1.3" */
    int64_t not_before; /* seconds of the Unix epoch, UTC */
    int64_t not_after;  /* ... */
    bool trusted;       /* its chain leads to a CA trusted here (the system's, or --ca) */
    bool names_ok;      /* its names cover `checked` */
    char checked[128];  /* the address or name dmsconn connected by */
    char problem[96];   /* why not trusted, in OpenSSL's words ("" when trusted) */
    char subject[160];  /* RFC 2253: "CN=db1,O=Lab" */
    char issuer[160];   /* ... */
    char san[320];      /* its subject alternative names: "DNS:db1.lab, IP:10.0.0.5" */
};

/* The certificate as one text (lines "key=value"; no line breaks inside a value). */
void dc_cert_format(const struct dc_cert *cert, char *buf, size_t cap);
/* Reads dc_cert_format's text. 0, or -1 when text holds no certificate ("" or garbage). */
int dc_cert_parse(const char *text, struct dc_cert *out);

/* Whole and partial days from now_s (seconds of the epoch) to its expiry; < 0: expired. */
double dc_cert_days_left(const struct dc_cert *cert, double now_s);

/* The verdict on a certificate's validity at now_s: expired, not yet valid or fewer than
 * fail_days left fails, fewer than warn_days warns; why: what it is ("expires on 2027-01-05,
 * in 12.5 days"; "" for a pass). */
enum dc_verdict dc_cert_judge(const struct dc_cert *cert, double now_s, double warn_days,
                              double fail_days, char *why, size_t cap);

#endif
