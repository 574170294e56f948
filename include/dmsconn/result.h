/* What a probe found and how it is judged: the states, a finding, a result, the verdicts. */
#ifndef DMSCONN_RESULT_H
#define DMSCONN_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One taxonomy for every probe; the order is stable (JSON uses the names). */
enum dc_state {
    DC_STATE_OK,
    DC_STATE_REFUSED,       /* RST: nothing listens */
    DC_STATE_FILTERED,      /* no answer before the deadline: dropped */
    DC_STATE_UNREACHABLE,   /* ICMP host/net unreachable, no route */
    DC_STATE_DNS,           /* the name does not resolve */
    DC_STATE_WRONG_SERVICE, /* something answered, not the protocol expected */
    DC_STATE_TLS,           /* TLS handshake failed */
    DC_STATE_AUTH,          /* reached, credentials refused */
    DC_STATE_DEGRADED,      /* works, but unhealthy or slow */
    DC_STATE_ERROR,         /* our own local failure */
    DC_STATE_UNKNOWN,       /* not measured (interrupted, agent unreachable) */
    DC_STATE_COUNT
};

enum dc_verdict { DC_VERDICT_PASS, DC_VERDICT_WARN, DC_VERDICT_FAIL };

/* The run's verdict; the values are the exit codes of monitoring plugins. */
enum dc_run_verdict { DC_RUN_OK = 0, DC_RUN_WARNING = 1, DC_RUN_CRITICAL = 2, DC_RUN_UNKNOWN = 3 };

/* What a probe found, as its judge or library step writes it: fixed buffers, no allocation
 * (judges run once per reply, library steps on worker threads). The engine copies it into
 * the run's result. */
struct dc_finding {
    enum dc_state state;
    bool severe;
    char detail[160];
    char evidence[128];
    /* For a probe with a `revise` step (dmsconn/probe.h): what the judge keeps of this
     * destination for the run's end, lines of text, facts_cap bytes the driver provides
     * (NULL, 0 for other probes). */
    char *facts;
    size_t facts_cap;
};

/* Why a row's agent gave no results (DC_AGENT_OK: it did, or the row ran here). */
enum dc_agent_failure {
    DC_AGENT_OK,
    DC_AGENT_UNREACHABLE, /* no connection, or no answer in time */
    DC_AGENT_TOKEN,       /* it refused the token (HTTP 401) */
    DC_AGENT_BAD_ANSWER,  /* another HTTP status, or an answer that is no dmsconn answer */
    DC_AGENT_INTERRUPTED, /* the run was stopped before it answered */
    DC_AGENT_NOT_ASKED,   /* the request could not be sent */
    DC_AGENT_NO_REPORT,   /* dmsconn merge: no report of this row was given */
    DC_AGENT_STALE,       /* dmsconn merge: its report is older than --max-age */
    DC_AGENT_CERT,        /* its certificate's key is not the one pinned in the inventory */
    DC_AGENT_CLOCK        /* it refused the request for its date: its clock is too far off */
};

/* One task's result. The strings point into the run's text pool (dmsconn/texts.h) or at
 * literals; never NULL once the result has been reset. 64 bytes: a 300,000-task matrix
 * holds its results in 19 MB. */
struct dc_result {
    enum dc_state state;
    enum dc_verdict verdict; /* the remedy is made when a report is rendered */
    bool measured;           /* false: never run (interrupted, filtered out) */
    bool severe;             /* a degraded service that counts as a failure (OpenSearch red) */
    bool preflight;          /* the destination port was a pre-flight listener of dmsconn's */
    bool by_cert;            /* the verdict is the certificate's (expiry, trust, names) */
    uint8_t agent_failure;   /* enum dc_agent_failure: why the row's agent gave nothing */
    double latency_ms;       /* connect round trip; < 0 when there was none */
    const char *address;     /* the address actually probed, "" if none */
    const char *detail;      /* one line for people */
    const char *evidence;    /* what the peer said about itself (version, banner) */
    const char *remedy;      /* what to do, made once when the run is judged ("" for a pass) */
    const char *tls;         /* the certificate the peer showed, as dc_cert_format writes it
                                (dmsconn/cert.h); "" when no TLS handshake completed */
};

/* A result not run yet: unknown, unmeasured, every string "" (detail: why, if given). */
void dc_result_reset(struct dc_result *r, const char *detail);

const char *dc_state_name(enum dc_state state);
int dc_state_parse(const char *name, enum dc_state *out);
const char *dc_verdict_name(enum dc_verdict verdict);
/* "ok", "warning", "critical", "unknown". */
const char *dc_run_verdict_name(enum dc_run_verdict verdict);

#endif
