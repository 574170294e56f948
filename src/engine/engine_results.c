/* What the drivers tell the engine (engine_private.h): a probe's outcome written into its
 * result (the only code that writes one), the count of results done, a destination's slot
 * given back and a start that failed, both left for the scheduler's next turn. The drivers
 * depend on this file and never on the scheduler (engine.c), which nothing here calls: it
 * finds what was given back when its own turn comes. */
#include "engine_private.h"

#include "dmsconn/profile.h"
#include "dmsconn/texts.h"

#include <stdio.h>
#include <stdlib.h>

static void result_done(struct engine *e, uint32_t task)
{
    e->done++;
    if (e->opts.on_result)
        e->opts.on_result(e->opts.ud, task, e->done, e->plan->ntasks);
}

void dci_engine_settle(struct engine *e, uint32_t task, const struct dci_outcome *o)
{
    struct dc_result *r = &e->results[task];
    r->state = o->state;
    r->measured = o->state != DC_STATE_UNKNOWN; /* unknown: interrupted before an answer */
    r->address = o->address ? o->address : "";
    r->detail = dc_texts_add(e->texts, o->detail);
    r->evidence = dc_texts_add(e->texts, o->evidence);
    r->tls = o->tls ? o->tls : "";
    r->latency_ms = o->latency_ms;
    r->severe = o->severe;
    if (r->measured)
        result_done(e, task);
}

void dci_engine_mark_out_of_budget(struct engine *e)
{
    for (size_t i = 0; i < e->plan->ntasks; i++) {
        if (!e->results[i].measured)
            e->results[i].detail = "not finished: the time budget of the run ran out (an "
                                   "overloaded machine, or too many probes for one timeout)";
    }
}

void dci_engine_amend(struct engine *e, uint32_t task, const struct dc_finding *f)
{
    struct dc_result *r = &e->results[task];
    r->state = f->state;
    r->severe = f->severe;
    r->detail = dc_texts_add(e->texts, f->detail);
    r->evidence = dc_texts_add(e->texts, f->evidence);
}

void dci_engine_silence(const struct engine *e, enum dci_silence what, char *detail, size_t cap)
{
    static const char *const wording[] = {
        [DCI_SILENT_PATH] = "no answer within %.1f s: packets dropped on the way",
        [DCI_SILENT_TLS] = "no TLS handshake within %.1f s: not a TLS port?",
        [DCI_SILENT_HTTP] = "connected, but no HTTP answer within %.1f s",
    };
    snprintf(detail, cap, wording[what], e->opts.timeout_s);
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

static void no_wait(uv_idle_t *idle)
{
    (void)idle; /* being active is its job: the poll before the turn does not block */
}

static void want_turn(struct engine *e)
{
    if (e->turn.wanted)
        return;
    e->turn.wanted = true;
    uv_idle_start(&e->turn.idle, no_wait);
}

void dci_engine_local_failure(struct engine *e, struct dest *dest, uint32_t task,
                              const char *detail)
{
    /* room for it: every pending failure still holds one of opts.concurrency slots */
    e->turn.failed[e->turn.nfailed++] = (struct dci_failed_start){
        .dest = dest, .task = task, .detail = dc_texts_add(e->texts, detail)};
    want_turn(e);
}

void dci_engine_dest_idle(struct engine *e, struct dest *dest)
{
    dest->active--;
    e->active--;
    if (!dest->gave_back) {
        dest->gave_back = true;
        e->turn.dests[e->turn.ndests++] = (uint32_t)(dest - e->dests);
    }
    want_turn(e);
}
