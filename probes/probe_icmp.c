/* probes/probe_icmp.c — ICMP echo (RFC 792, RFC 4443): a few echo requests, their replies'
 * round trips. A check without a port; its failures warn, never fail (DataMiner's BPA pings
 * the Agents the same way: "ICMP ping to these Agents failed" is a warning). The engine's ICMP
 * driver sends them; what they measured is written and read here. */
#include "dmsconn/probe.h"
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

void dci_icmp_stats_format(const struct dci_icmp_stats *s, char *buf, size_t cap)
{
    if (s->received)
        snprintf(buf, cap, "%u sent, %u received, round trip min/avg/max %.3f/%.3f/%.3f ms",
                 s->sent, s->received, s->rtt_min_ms, s->rtt_avg_ms, s->rtt_max_ms);
    else
        snprintf(buf, cap, "%u sent, 0 received", s->sent);
}

bool dci_icmp_stats_parse(const char *text, struct dci_icmp_stats *out)
{
    struct dci_icmp_stats s = {0};
    int used = 0;
    if (sscanf(text, "%u sent, %u received%n", &s.sent, &s.received, &used) != 2 ||
        s.received > s.sent)
        return false;
    if (s.received && sscanf(text + used, ", round trip min/avg/max %lf/%lf/%lf ms", &s.rtt_min_ms,
                             &s.rtt_avg_ms, &s.rtt_max_ms) != 3)
        return false;
    *out = s;
    return true;
}

/* What the reports read back must be what was written, and nothing else must read as it. */
static const char *icmp_selftest(void)
{
    struct dci_icmp_stats in = {3, 2, 0.041, 0.052, 0.067}, out;
    char text[128];
    dci_icmp_stats_format(&in, text, sizeof text);
    if (!dci_icmp_stats_parse(text, &out) || out.sent != 3 || out.received != 2 ||
        out.rtt_avg_ms != 0.052)
        return "a formatted reading does not read back";
    struct dci_icmp_stats none = {3, 0, 0, 0, 0};
    dci_icmp_stats_format(&none, text, sizeof text);
    if (!dci_icmp_stats_parse(text, &out) || out.received != 0)
        return "a reading without replies does not read back";
    if (dci_icmp_stats_parse("CQL_VERSION 3.4.5", &out) ||
        dci_icmp_stats_parse("2 sent, 3 received", &out))
        return "another text reads as a reading";
    return NULL;
}

static const struct dci_protocol icmp_protocol = {
    .driver = DCI_DRIVER_ICMP,
    .selftest = icmp_selftest,
};

const struct dc_probe_ops dci_probe_icmp = {
    .name = "icmp",
    .summary = "ICMP echo: a few echo requests and their round trips (no port; a failure warns)",
    .transport = DC_TRANSPORT_ICMP,
    .proto = &icmp_protocol,
};
