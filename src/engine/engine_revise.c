/* The run's revise step: a probe whose judgement of one destination depends on what the
 * other destinations said (nats-monitor: is the route that X lists from an unexpected address
 * the one to peer P? Only P's own /varz names P's server id) sees all its results of the run
 * once the loop has ended, with the facts its judge kept, and may rewrite them. A result
 * without facts is passed too: its destination may still be what another row asks about. */
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "engine_private.h"
#include "probes/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void finding_of(const struct dc_result *r, struct dc_finding *f)
{
    memset(f, 0, sizeof *f);
    f->state = r->state;
    f->severe = r->severe;
    snprintf(f->detail, sizeof f->detail, "%s", r->detail);
    snprintf(f->evidence, sizeof f->evidence, "%s", r->evidence);
}

static bool revised_by(const struct engine *e, size_t task, const struct dc_probe_ops *probe)
{
    return e->profile->checks[e->plan->tasks[task].check].probe == probe &&
           e->results[task].measured;
}

static void revise_probe(struct engine *e, const struct dc_probe_ops *probe)
{
    size_t n = 0;
    for (size_t i = 0; i < e->plan->ntasks; i++)
        n += revised_by(e, i, probe);
    /* a row holds a whole finding: only this probe's results, not the run's */
    struct dci_revision *rows = n ? calloc(n, sizeof *rows) : NULL;
    uint32_t *tasks = n ? calloc(n, sizeof *tasks) : NULL;
    if (!rows || !tasks) { /* without memory the results stay as judged */
        free(rows);
        free(tasks);
        return;
    }
    n = 0;
    for (size_t i = 0; i < e->plan->ntasks; i++) {
        const struct dc_task *t = &e->plan->tasks[i];
        const struct dc_result *r = &e->results[i];
        if (!revised_by(e, i, probe))
            continue;
        rows[n].dst_name = e->cluster->nodes[t->to].name;
        rows[n].facts = e->facts[i] ? e->facts[i] : "";
        rows[n].changed = false;
        finding_of(r, &rows[n].finding);
        tasks[n++] = (uint32_t)i;
    }
    probe->proto->revise(rows, n);
    for (size_t k = 0; k < n; k++) {
        if (!rows[k].changed)
            continue;
        dci_engine_amend(e, tasks[k], &rows[k].finding);
    }
    free(rows);
    free(tasks);
}

void dci_engine_revise(struct engine *e)
{
    if (!e->facts) /* no judge kept anything: nothing to compare */
        return;
    for (size_t p = 0; dc_probes[p]; p++) {
        if (dc_probes[p]->proto->revise)
            revise_probe(e, dc_probes[p]);
    }
}
