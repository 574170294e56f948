/* Clocks: NTP's arithmetic on one exchange with an agent (RFC 5905, section 8: offset and
 * delay from the four timestamps), and the BPA's thresholds. */
#include "dmsconn/clock.h"

#include <math.h>

void dc_clock_measure(const struct dc_clock_exchange *x, enum dc_clock_source source,
                      struct dc_clock *out)
{
    double delay = (x->t3 - x->t0) - (x->t2 - x->t1);
    out->source = source;
    out->offset_ms = ((x->t1 - x->t0) + (x->t2 - x->t3)) / 2.0;
    out->uncertainty_ms = delay > 0 ? delay / 2.0 : 0.0;
    out->verdict = DC_VERDICT_PASS;
}

void dc_clock_from_date(double server_s, double received_ms, double rtt_ms, struct dc_clock *out)
{
    double half_rtt = rtt_ms > 0 ? rtt_ms / 2.0 : 0.0;
    out->source = DC_CLOCK_HTTP_DATE;
    out->offset_ms = (server_s * 1e3 + 500.0) - (received_ms - half_rtt);
    out->uncertainty_ms = 500.0 + half_rtt;
    out->verdict = DC_VERDICT_PASS;
}

void dc_clock_judge(struct dc_clock *c, double warn_ms, double fail_ms)
{
    double off = fabs(c->offset_ms) - c->uncertainty_ms;
    if (c->source == DC_CLOCK_NONE || c->source == DC_CLOCK_REFERENCE)
        c->verdict = DC_VERDICT_PASS;
    else
        c->verdict = off > fail_ms   ? DC_VERDICT_FAIL
                     : off > warn_ms ? DC_VERDICT_WARN
                                     : DC_VERDICT_PASS;
}

const char *dc_clock_source_name(enum dc_clock_source source)
{
    switch (source) {
    case DC_CLOCK_REFERENCE: return "coordinator";
    case DC_CLOCK_AGENT: return "agent";
    case DC_CLOCK_AGENT_REFUSED: return "agent refusal (unsigned)";
    case DC_CLOCK_HTTP_DATE: return "HTTP Date header (1 s resolution)";
    case DC_CLOCK_NONE: break;
    }
    return "none";
}

enum dc_run_verdict dc_clock_run_verdict(enum dc_run_verdict verdict, const struct dc_clock *clocks,
                                         size_t n)
{
    for (size_t i = 0; clocks && i < n; i++) {
        if (clocks[i].verdict == DC_VERDICT_FAIL)
            verdict = DC_RUN_CRITICAL;
        else if (clocks[i].verdict == DC_VERDICT_WARN && verdict == DC_RUN_OK)
            verdict = DC_RUN_WARNING;
    }
    return verdict;
}
