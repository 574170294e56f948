/* Clocks: each node's clock against the coordinator's, measured the way NTP does over the
 * exchange with its agent, judged the way DataMiner's BPA "DataMiner Agent Minimum
 * Requirements" does (10.6.9: 1 to 5 s off a warning, more an issue). src/report/clock.c */
#ifndef DMSCONN_CLOCK_H
#define DMSCONN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "dmsconn/result.h"

/* Where a node's clock reading came from. */
enum dc_clock_source {
    DC_CLOCK_NONE,          /* not measured (no agent answered, an older agent) */
    DC_CLOCK_REFERENCE,     /* the coordinator itself: offset 0 by definition */
    DC_CLOCK_AGENT,         /* its agent's signed answer */
    DC_CLOCK_AGENT_REFUSED, /* its agent's refusal (not signed: the agent refused to answer) */
    DC_CLOCK_HTTP_DATE      /* an HTTP answer's Date header (RFC 9110 section 6.6.1): 1 s steps */
};

/* The four times of one exchange, in milliseconds of the Unix epoch: the coordinator sent the
 * request at t0 and got the answer's first byte at t3 (its wall clock as its monotonic clock
 * carried it from the run's start), the agent received it at t1 and answered at t2 (its own
 * clock). */
struct dc_clock_exchange {
    double t0, t1, t2, t3;
};

struct dc_clock {
    enum dc_clock_source source;
    double offset_ms;      /* the node's clock minus the coordinator's */
    double uncertainty_ms; /* half the round trip the network took: the offset is within it */
    enum dc_verdict verdict;
};

/* NTP's offset ((t1 - t0) + (t2 - t3)) / 2 and half its delay ((t3 - t0) - (t2 - t1)) / 2. */
void dc_clock_measure(const struct dc_clock_exchange *x, enum dc_clock_source source,
                      struct dc_clock *out);

/* A clock read from an HTTP Date header: the server's second `server_s` when it answered, the
 * answer seen at `received_ms` here (ms of the Unix epoch) after a round trip of rtt_ms
 * (< 0: unknown). The second is truncated, so the offset is taken at its middle, within half
 * a second and half the round trip. */
void dc_clock_from_date(double server_s, double received_ms, double rtt_ms, struct dc_clock *out);

/* The verdict: pass under warn_ms, warn up to fail_ms, fail beyond (a measured offset whose
 * whole uncertainty interval is beyond the threshold; within it, the benefit of the doubt). */
void dc_clock_judge(struct dc_clock *clock, double warn_ms, double fail_ms);

const char *dc_clock_source_name(enum dc_clock_source source);

/* The run's verdict with the clocks counted: a clock that fails makes it CRITICAL, one that
 * warns makes an OK run a WARNING. clocks: n of them, or NULL. */
enum dc_run_verdict dc_clock_run_verdict(enum dc_run_verdict verdict, const struct dc_clock *clocks,
                                         size_t n);

#endif
