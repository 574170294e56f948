/* The coordinator: the full matrix, each row on its node's agent (src/coordinator*.c). */
#ifndef DMSCONN_COORDINATOR_H
#define DMSCONN_COORDINATOR_H

#include "dmsconn/clock.h"
#include "dmsconn/engine.h"
#include "dmsconn/wire.h"

/* The coordinator: runs `local`'s row here (-1: none) and every other row on its node's
 * agent, all at once; a row whose agent fails is `unknown` with the reason. */
struct dc_coordinator_opts {
    const char *token;
    uint16_t agent_port; /* for nodes without an explicit agent address */
    bool tls;
    const char *ca_file; /* NULL: the system's CAs */
    bool insecure;       /* accept any certificate (labs) */
    double margin_s;     /* on top of the probe timeout for an agent's answer */
    bool preflight;      /* listen first on required ports nothing uses yet */
    /* Called on the loop thread for each agent that said what its own DataMiner folder
     * sets (may be NULL). */
    void (*on_settings)(void *ud, uint32_t node, const struct dc_wire_settings *settings);
    void *settings_ud;
    /* Filled for each node (cluster->nnodes of them; NULL: not wanted): the coordinator's own
     * the reference, each agent that answered (or refused) its clock, the rest DC_CLOCK_NONE.
     * Not judged: dc_clock_judge does that. */
    struct dc_clock *clocks;
    /* Filled likewise when given: the certificate each agent's HTTPS showed (dc_cert text in
     * the run's texts; NULL for the coordinator's node and agents spoken to over HTTP). */
    const char **agent_certs;
};

/* Pre-flight around a run: opens listeners on every destination's free ports of the plan
 * (on its agent, or here for `local`), marks opened[i] for each task that will meet one;
 * end closes them all (the agents also close them at their deadline, on every path). */
struct dc_preflight_run;

int dc_coordinator_run(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_plan *plan, long local, const struct dc_engine_opts *engine,
                       const struct dc_coordinator_opts *opts, struct dc_result *results,
                       struct dc_texts *texts, bool *interrupted, struct dc_diag *diag);

/* The transport to an agent (src/agent/coordinator_transport.c): requests signed with the token
 * (dmsconn/sign.h), the answer's signature kept. */
struct curl_slist;

#endif
