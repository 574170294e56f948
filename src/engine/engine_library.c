/* The dialogue driver's blocking library step (libnats' connect, say): after the reply was
 * judged ok, the probe's library function runs on the loop's thread pool, within what is
 * left of the deadline, and its finding settles the result on the loop thread. */
#include "dmsconn/cluster.h"
#include "dmsconn/probe.h"
#include "engine_conn.h"
#include "probes/probe.h"

#include <stdio.h>
#include <stdlib.h>

struct dci_library_step {
    uv_work_t work;
    struct conn *conn;
    dci_library_done_fn done; /* the dialogue driver's: reports the probe */
    struct dci_library_ctx ctx;
    struct dc_finding result;
    char src_host[64];
};

static void library_work(uv_work_t *work)
{
    struct dci_library_step *lib = work->data;
    lib->conn->probe->proto->dialogue.library(&lib->ctx, &lib->result);
}

static void library_done(uv_work_t *work, int status)
{
    struct dci_library_step *lib = work->data;
    struct conn *c = lib->conn;
    struct engine *e = c->engine;
    dci_library_done_fn done = lib->done;
    if (status == UV_ECANCELED) {
        free(lib);
        done(c, DC_STATE_UNKNOWN, "interrupted before the library step ran");
        return;
    }
    if (lib->result.evidence[0])
        c->evidence = dc_texts_add(e->texts, lib->result.evidence);
    c->severe = lib->result.severe;
    done(c, lib->result.state, lib->result.detail);
    free(lib);
}

/* The probe's blocking library step, on the loop's thread pool; the probe's own timeouts
 * keep it within what is left of the deadline. */
struct dci_library_step *dci_library_start(struct conn *c, const struct dc_finding *judged,
                                           dci_library_done_fn done)
{
    struct engine *e = c->engine;
    const struct dc_task *t = &e->plan->tasks[c->task];
    const struct dc_node *src = &e->cluster->nodes[t->from];
    uint64_t spent = (uv_hrtime() - c->started_ns) / 1000000u;
    const struct dc_secret *secret = dc_engine_secret(&e->opts, c->probe->proto->secret);
    struct dci_library_step *lib = calloc(1, sizeof *lib);
    if (!lib)
        return NULL;
    lib->conn = c;
    lib->done = done;
    if (!src->pseudo && src->naddresses)
        snprintf(lib->src_host, sizeof lib->src_host, "%s", src->addresses[0]);
    lib->ctx = (struct dci_library_ctx){
        .dst_host = c->dest->address,
        .dst_port = t->port,
        .src_name = src->name,
        .dst_name = e->cluster->nodes[t->to].name,
        .src_host = lib->src_host[0] ? lib->src_host : NULL,
        .src_port = dc_node_port(src, e->profile->checks[t->check].port),
        .remaining_ms = spent < e->timeout_ms ? e->timeout_ms - spent : 1,
        .credentials = secret ? secret->path : NULL,
        .secret = secret ? secret->text : NULL,
        .ca_file = e->opts.ca_file,
        .tls_insecure = e->opts.tls_insecure,
    };
    lib->result.state = judged->state;
    lib->result.severe = judged->severe;
    snprintf(lib->result.detail, sizeof lib->result.detail, "%s", judged->detail);
    snprintf(lib->result.evidence, sizeof lib->result.evidence, "%s", judged->evidence);
    lib->work.data = lib;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (uv_queue_work(&e->loop, &lib->work, library_work, library_done) != 0) {
        free(lib);
        return NULL;
    }
    return lib;
}

void dci_library_cancel(struct dci_library_step *step)
{
    if (step)
        uv_cancel((uv_req_t *)&step->work);
}
