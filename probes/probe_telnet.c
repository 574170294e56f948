/* probes/probe_telnet.c — Telnet: an open port that negotiates options (IAC, 0xFF: RFC 854)
 * or shows a banner. The profile expects Telnet closed, so any answer is the finding; the
 * detail says what answered. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>

#define IAC 0xFF

static enum dci_judgement telnet_judge(const uint8_t *reply, size_t len, bool closed,
                                       struct dc_finding *out)
{
    if (len == 0 && !closed)
        return DCI_JUDGE_MORE;
    out->state = DC_STATE_OK; /* connected: the port is open, whatever it says */
    if (len > 0 && reply[0] == IAC) {
        snprintf(out->detail, sizeof out->detail, "Telnet server (option negotiation)");
    } else if (len > 0) {
        char banner[64];
        dci_printable(reply, len, 60, banner, sizeof banner);
        snprintf(out->detail, sizeof out->detail, "open; banner \"%s\"", banner);
    } else {
        snprintf(out->detail, sizeof out->detail, "open; no Telnet negotiation seen");
    }
    return DCI_JUDGE_DONE;
}

/* RFC 854: IAC DO ECHO is a Telnet server; a banner or silence is still an open port. */
static const char *telnet_selftest(void)
{
    static const uint8_t negotiation[] = {0xff, 0xfd, 0x01};
    const struct dci_selftest_case cases[] = {
        {negotiation, sizeof negotiation, DC_STATE_OK, "option negotiation"},
        {"login: ", 7, DC_STATE_OK, "login:"},
        {"", 0, DC_STATE_OK, "no Telnet negotiation"},
    };
    return dci_selftest_dialogue(&dci_probe_telnet, cases, DCI_SELFTEST_N(cases));
}

static const struct dci_protocol telnet_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.judge = telnet_judge},
    .selftest = telnet_selftest,
    .max_reply = 256,
};

const struct dc_probe_ops dci_probe_telnet = {
    .name = "telnet",
    .summary = "Telnet: open, with option negotiation or a banner (a finding when open)",
    .transport = DC_TRANSPORT_TCP,
    .proto = &telnet_protocol,
};
