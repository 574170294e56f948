/* probes/probe_snmp.c — SNMP (161/udp): a v2c GET of sysDescr.0 and sysUpTime.0 (numeric
 * OIDs, RFC 3418) answered by the agent; an SNMPv3 engine-ID discovery (RFC 3414 section 4)
 * without credentials, which any v3 agent answers with a Report, tells a refused community
 * (auth) from no agent at all (v2c is silent for both). The engine's SNMP driver does the
 * exchange on net-snmp; this file says what it means. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

static void snmp_judge(const struct dci_snmp_reply *r, struct dc_finding *out)
{
    if (r->unreachable) {
        out->state = DC_STATE_REFUSED;
        snprintf(out->detail, sizeof out->detail, "ICMP port unreachable: no SNMP agent listens");
        return;
    }
    if (!r->answered) {
        out->state = r->v3_report ? DC_STATE_AUTH : DC_STATE_FILTERED;
        snprintf(out->detail, sizeof out->detail, "%s",
                 r->v3_report ? "an SNMP agent answers (v3 discovery), but not to this v2c "
                                "community"
                              : "no SNMP answer: dropped on the way, or no agent (UDP cannot "
                                "tell)");
        return;
    }
    if (r->error_status != 0) {
        out->state = DC_STATE_DEGRADED;
        snprintf(out->detail, sizeof out->detail, "the SNMP agent answered error %ld (%s)",
                 r->error_status, r->error ? r->error : "?");
        return;
    }
    out->state = DC_STATE_OK;
    if (r->has_uptime) {
        unsigned long t = r->uptime_ticks;
        snprintf(out->detail, sizeof out->detail, "SNMP agent answers, up %lu d %02lu:%02lu",
                 t / 8640000, t / 360000 % 24, t / 6000 % 60);
    } else {
        snprintf(out->detail, sizeof out->detail, "SNMP agent answers");
    }
    char descr[112] = "";
    if (r->descr)
        dci_printable(r->descr, r->descr_len, sizeof descr - 1, descr, sizeof descr);
    snprintf(out->evidence, sizeof out->evidence, "sysDescr: %s", descr);
}

/* An answer with sysDescr and sysUpTime; a v2c error-status; a Report to the discovery
 * alone (a community the agent refuses); silence; ICMP port unreachable. */
static const char *snmp_selftest(void)
{
    static const struct {
        struct dci_snmp_reply reply;
        enum dc_state want;
        const char *text;
    } cases[] = {
        {{.answered = true,
          .descr = (const uint8_t *)"Linux vm",
          .descr_len = 8,
          .has_uptime = true,
          .uptime_ticks = 8640000 + 360000 * 2 + 6000 * 3},
         DC_STATE_OK,
         "up 1 d 02:03"},
        {{.answered = true, .error_status = 2, .error = "noSuchName"},
         DC_STATE_DEGRADED,
         "noSuchName"},
        {{.v3_report = true}, DC_STATE_AUTH, "not to this v2c community"},
        {{0}, DC_STATE_FILTERED, "UDP cannot tell"},
        {{.unreachable = true, .v3_report = true}, DC_STATE_REFUSED, "port unreachable"},
    };
    static char why[160];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dc_finding f = {0};
        dci_probe_snmp.proto->snmp.judge(&cases[i].reply, &f);
        if (f.state != cases[i].want || !strstr(f.detail, cases[i].text)) {
            snprintf(why, sizeof why, "snmp case %zu: expected %s, got %s (%s)", i,
                     dc_state_name(cases[i].want), dc_state_name(f.state), f.detail);
            return why;
        }
    }
    return NULL;
}

/* --secret snmp=FILE: the v2c community (default "public") */
static const char *community_check(const char *text)
{
    return text[0] ? NULL : "the SNMP v2c community on one line";
}

static const struct dci_protocol snmp_protocol = {
    .driver = DCI_DRIVER_SNMP,
    .snmp = {.judge = snmp_judge},
    .selftest = snmp_selftest,
    .secret = "snmp",
    .secret_form = "the v2c community",
    .secret_check = community_check,
};

const struct dc_probe_ops dci_probe_snmp = {
    .name = "snmp",
    .summary = "SNMP: the agent answers GET sysDescr/sysUpTime (v2c); v3 discovery tells auth",
    .transport = DC_TRANSPORT_UDP,
    .proto = &snmp_protocol,
};
