/* The stopper: how another thread (the agent's HTTP server) ends a run on the engine's loop.
 * The agent part's one door into the engine besides include/dmsconn/engine.h. */
#ifndef DMSCONN_ENGINE_ENGINE_STOPPER_H
#define DMSCONN_ENGINE_ENGINE_STOPPER_H

#include "dmsconn/engine.h"

/* Ends the run the stopper is given to, now or as soon as it starts. */
void dci_stopper_fire(struct dc_stopper *stopper);

void dci_stopper_free(struct dc_stopper *stopper);

int dci_stopper_new(struct dc_stopper **out);

#endif
