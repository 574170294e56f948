/* Continuous mode (dmsconn check --every): rounds at a fixed interval until a stop signal
 * (SIGINT, SIGTERM; Ctrl+C or the service's stop on Windows) or until a round asks to end.
 * The stop ends a round under way at once (its engine's stopper fires: what it measured
 * stays) and the wait between rounds. src/engine/engine_watch.c */
#ifndef DMSCONN_WATCH_H
#define DMSCONN_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "dmsconn/engine.h"

/* One round, n from 1: its runs take `stopper` (struct dc_engine_opts.stopper), which a stop
 * fires, and must not handle the signals themselves (the watch does). Returns nonzero to end
 * the watch after it. */
typedef int (*dc_watch_round_fn)(void *ud, struct dc_stopper *stopper, unsigned long n);

struct dc_watch_result {
    unsigned long rounds; /* rounds run (the last may have been cut short by the stop) */
    char stopped_by[64];  /* "signal 15", "Ctrl+C"; "" when a round ended the watch */
};

/* Runs round() every every_s seconds, from one round's start to the next (a round that takes
 * longer is followed at once). The stop signals are blocked in this process while it runs:
 * call it before any thread starts. 0, or a negative code (out of memory, no thread). */
int dc_watch_run(double every_s, dc_watch_round_fn round, void *ud, struct dc_watch_result *out);

#endif
