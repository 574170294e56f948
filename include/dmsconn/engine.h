/* The engine: runs a plan's tasks on one libuv loop with a deadline per probe, a global
 * concurrency cap and a per-destination cap. */
#ifndef DMSCONN_ENGINE_H
#define DMSCONN_ENGINE_H

#include "dmsconn/error.h"
#include "dmsconn/clock.h"
#include "dmsconn/model.h"
#include "dmsconn/plan.h"
#include "dmsconn/texts.h"

struct uv_loop_s;

/* A secret for the probes that name it (dc_probe_ops.secret): `--secret NAME=FILE`, its
 * file and its text as read from it. Never printed. */
struct dc_secret {
    const char *name; /* "opensearch", "nats", "snmp" */
    const char *path;
    const char *text;
};

struct dc_engine_opts {
    double timeout_s;     /* per probe, from its start; also bounds name resolution */
    unsigned concurrency; /* probes in flight at once, in all */
    unsigned per_node;    /* probes in flight at once towards one destination node */
    bool handle_signals;  /* SIGINT/SIGTERM stop the run; what was measured stays */
    /* > 0: the whole run ends after this many seconds with what it measured; the rest is
     * "not run" (an agent must answer before its coordinator gives up on it). */
    double budget_s;
    /* Bind each probe's socket to its source node's (numeric) address, so a cluster
     * simulated on loopback addresses sends from the right node (demo, benchmarks). */
    bool bind_source;
    /* HTTPS probes: accept any certificate (labs with self-signed ones), or trust this CA
     * file instead of the system's. */
    bool tls_insecure;
    const char *ca_file;
    const struct dc_secret *secrets; /* the probes' secrets, by name (none: NULL, 0) */
    size_t nsecrets;
    /* Called on the loop thread after each result (may be NULL). */
    void (*on_result)(void *ud, size_t index, size_t done, size_t total);
    void *ud;
    /* Other work on the same loop (the coordinator's requests to agents): attach starts it
     * once the loop exists; the run lasts until it ends too; interrupt stops it on SIGINT;
     * detach closes its handles after the loop has run dry. Each may be NULL. */
    void (*attach)(struct uv_loop_s *loop, void *ud);
    void (*interrupt)(void *ud);
    void (*detach)(void *ud);
    void *attach_ud;
    /* Lets another thread end the run as a signal would (an agent told to stop by its
     * coordinator): what was measured stays. NULL: none. */
    struct dc_stopper *stopper;
    /* Per node (the cluster's nnodes; NULL: not wanted): a destination whose HTTP answer
     * carried a Date header gets its clock estimated from it (DC_CLOCK_HTTP_DATE, to the
     * second), unless the entry holds a measurement already (source other than NONE).
     * Written on the loop's thread. */
    struct dc_clock *clocks;
};

/* A stop request that may come from any thread, before or during a run. */
struct dc_stopper;

void dc_engine_opts_default(struct dc_engine_opts *opts);
/* The secret of that name among the options' (NULL: none given). */
const struct dc_secret *dc_engine_secret(const struct dc_engine_opts *opts, const char *name);

/* Runs every task; results[i] is task i's result (`measured` false for tasks not run because
 * the run was interrupted); their strings live in `texts`, which must outlive them. Returns 0, or a
 * negative code for our own failure (then diag); *interrupted tells whether a signal cut the run
 * short. */
int dc_engine_run(const struct dc_cluster *cluster, const struct dc_profile *profile,
                  const struct dc_plan *plan, const struct dc_engine_opts *opts,
                  struct dc_result *results, struct dc_texts *texts, bool *interrupted,
                  struct dc_diag *diag);

/* The node of the cluster this machine is, from its interface addresses (numeric addresses
 * only; no name lookups). -1 if none. */
long dc_engine_local_node(const struct dc_cluster *cluster);

#endif
