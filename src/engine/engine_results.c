/* What the drivers tell the engine (engine_private.h): a probe's outcome written into its
 * result, the count of results done, a destination's slot given back. The drivers depend on
 * this file and never on the scheduler (engine.c), which they reach only through
 * e->on_dest_idle: no file of the engine calls back into one that calls it. */
#include "engine_private.h"

#include "dmsconn/profile.h"
#include "dmsconn/texts.h"

#include <stdlib.h>

static void result_done(struct engine *e, uint32_t task)
{
    e->done++;
    if (e->opts.on_result)
        e->opts.on_result(e->opts.ud, task, e->done, e->plan->ntasks);
}

void dci_engine_settle(struct engine *e, uint32_t task, enum dc_state state, const char *address,
                       const char *detail, const char *evidence)
{
    struct dc_result *r = &e->results[task];
    r->state = state;
    r->measured = state != DC_STATE_UNKNOWN; /* unknown: interrupted before an answer */
    r->address = address ? address : "";
    if (detail)
        r->detail = dc_texts_add(e->texts, detail);
    if (evidence)
        r->evidence = dc_texts_add(e->texts, evidence);
    if (r->measured)
        result_done(e, task);
}

const struct dc_probe_ops *dci_task_probe(const struct engine *e, uint32_t task)
{
    return e->profile->checks[e->plan->tasks[task].check].probe;
}

void dci_engine_keep_facts(struct engine *e, uint32_t task, const char *facts)
{
    if (!facts || !facts[0])
        return;
    if (!e->facts)
        e->facts = calloc(e->plan->ntasks ? e->plan->ntasks : 1, sizeof *e->facts);
    if (e->facts) /* without memory the results stay as judged */
        e->facts[task] = dc_texts_add(e->texts, facts);
}

void dci_engine_local_failure(struct engine *e, struct dest *dest, uint32_t task,
                              const char *detail)
{
    dci_engine_settle(e, task, DC_STATE_ERROR, NULL, detail, NULL);
    dci_engine_dest_idle(e, dest);
}

void dci_engine_dest_idle(struct engine *e, struct dest *dest)
{
    dest->active--;
    e->active--;
    e->on_dest_idle(e, dest); /* the scheduler's (engine.c): drivers never call it by name */
}
