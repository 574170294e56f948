/* What the coordinator and an agent say to each other over HTTP (JSON):
 *   POST /v1/run  {"schema":"dmsconn.tasks/2","source":NAME,"timeout_s":S,"budget_s":B,
 *                  "targets":[{"to":NAME,"address":ADDR,"checks":["CHECK:PORT", ...]}, ...]}
 *                 budget_s (optional): answer within B seconds with what was measured;
 *                 tasks are the targets' checks in order. dmsconn.tasks/1 is still read:
 *                 "tasks":[{"to":NAME,"address":ADDR,"check":NAME,"port":P}, ...]
 *   200           {"schema":"dmsconn.results/1","node":NAME,
 *                  "clock":{"received_ms":T1,"answered_ms":T2},   (the agent's own clock)
 *                  "results":[{"state":..,"measured":..,"latency_ms":..,"address":..,
 *                              "detail":..,"evidence":..}, ...]}   (same order as tasks) */
#ifndef DMSCONN_WIRE_H
#define DMSCONN_WIRE_H

#include "dmsconn/model.h"
#include "dmsconn/plan.h"
#include "dmsconn/texts.h"

#define DC_WIRE_MAX_TASKS 100000
#define DC_WIRE_MAX_SECONDS 3600 /* the longest timeout or budget a request may carry */

struct dc_wire_task {
    char *to;
    char *address;
    char *check;
    uint16_t port;
    bool preflight; /* the port is a pre-flight listener: a TCP connect proves the path */
};

struct dc_wire_batch {
    char *source;
    double timeout_s;
    double budget_s; /* 0: none given */
    struct dc_wire_task *tasks;
    size_t ntasks;
};

/* Parses a request; on failure `why` says what was wrong (for a 400). */
int dc_wire_parse_request(const char *body, size_t len, struct dc_wire_batch **out, char *why,
                          size_t cap);
void dc_wire_batch_free(struct dc_wire_batch *batch);

/* What an agent's own DataMiner folder says, sent beside its results so the coordinator can
 * tell Agents whose settings differ: -1 not known (no such file or setting), else 0 / 1. */
struct dc_wire_settings {
    int remoting_disabled; /* MaintenanceSettings.xml EnableDotNetRemoting false */
    /* The agent's clock (ms of the Unix epoch) when the request came in and when it answered,
     * inside the signed answer ("clock":{"received_ms","answered_ms"}); 0: not sent. */
    double received_ms, answered_ms;
};

/* Parses a response into results[0..n-1] (state, measured, latency, address, detail,
 * evidence; the strings go into `texts`) and the agent's settings (all -1 when it sent
 * none); fails when it is not exactly n well-formed results. */
int dc_wire_parse_results(const char *body, size_t len, struct dc_result *results, size_t n,
                          struct dc_texts *texts, struct dc_wire_settings *settings, char *why,
                          size_t cap);

#endif
