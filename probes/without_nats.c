/* probes/without_nats.c — the NATS messaging step of a build without libnats (the Windows
 * build: Debian's registry cannot give nats.c's source). The INFO greeting is still judged
 * by probe_nats.c; the publish/subscribe step says plainly that this build cannot run it. */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>

const char *const dci_nats_messaging_unavailable =
    "this build has no libnats (the Windows build): check NATS messaging from a Linux node, "
    "or merge a Linux node's row (dmsconn merge)";

void dci_nats_messaging_step(const struct dci_library_ctx *ctx, struct dc_finding *out)
{
    (void)ctx;
    out->state = DC_STATE_UNKNOWN;
    snprintf(out->detail, sizeof out->detail,
             "NATS messaging is not available in this build (no libnats): the server greeted; "
             "check messaging with the Linux build");
}
