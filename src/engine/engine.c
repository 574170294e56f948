/* The engine: every task of a plan on one libuv loop. Destinations are resolved first (each
 * in parallel, numeric addresses without a lookup); each destination then feeds a FIFO of
 * its tasks into a ring of destinations that have work and spare capacity, so the global
 * and per-node caps cost O(1) per probe. */
#include "dmsconn/engine.h"
#include "dmsconn/probe.h"
#include "base/os.h"
#include "engine_conn.h"
#include "engine/engine_stopper.h"
#include "engine_tls.h"
#include "inputs/inputs_private.h"
#include "probes/probe.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every driver, by the value a probe names (struct dci_protocol.driver). */
static const struct dci_driver *const drivers[] = {
    [DCI_DRIVER_DIALOGUE] = &dci_driver_dialogue,
    [DCI_DRIVER_HTTP] = &dci_driver_http,
    [DCI_DRIVER_SNMP] = &dci_driver_snmp,
    [DCI_DRIVER_ICMP] = &dci_driver_icmp,
};
#define NDRIVERS (sizeof drivers / sizeof drivers[0])

static void ring_push(struct engine *e, uint32_t d)
{
    struct dest *dest = &e->dests[d];
    if (dest->in_ring)
        return;
    dest->in_ring = true;
    e->ring[(e->ring_head + e->ring_len) % e->ndests] = d;
    e->ring_len++;
}

static uint32_t ring_pop(struct engine *e)
{
    uint32_t d = e->ring[e->ring_head];
    e->ring_head = (e->ring_head + 1) % e->ndests;
    e->ring_len--;
    e->dests[d].in_ring = false;
    return d;
}

static bool dest_wants_more(const struct engine *e, const struct dest *dest)
{
    return dest->state == DEST_READY && dest->qhead < dest->qlen && dest->active < e->opts.per_node;
}

static void pump(struct engine *e)
{
    while (!e->stopping && e->active < e->opts.concurrency && e->ring_len > 0) {
        uint32_t d = ring_pop(e);
        struct dest *dest = &e->dests[d];
        if (!dest_wants_more(e, dest))
            continue;
        uint32_t task = dest->queue[dest->qhead++];
        dest->active++;
        e->active++;
        drivers[dci_task_probe(e, task)->proto->driver]->start(e, dest, task);
        if (dest_wants_more(e, dest))
            ring_push(e, d);
    }
}

/* The scheduler's turn, after the loop's poll phase: starts that failed are settled and give
 * their slots back, each destination that gave a slot back may take the next of its tasks,
 * and the run the next probes. Nothing below the scheduler calls it: the drivers only leave
 * what they gave back in e->turn (engine_results.c). */
static void on_turn(uv_check_t *check)
{
    struct engine *e = check->data;
    if (!e->turn.wanted)
        return;
    size_t nfailed = e->turn.nfailed;
    e->turn.nfailed = 0;
    for (size_t k = 0; k < nfailed; k++) {
        const struct dci_failed_start *f = &e->turn.failed[k];
        struct dci_outcome o = {
            .state = DC_STATE_ERROR, .detail = f->detail, .latency_ms = DCI_NO_LATENCY};
        dci_engine_settle(e, f->task, &o);
        dci_engine_dest_idle(e, f->dest); /* listed for this turn, below */
    }
    e->turn.wanted = false;
    uv_idle_stop(&e->turn.idle);
    size_t ndests = e->turn.ndests;
    e->turn.ndests = 0;
    for (size_t k = 0; k < ndests; k++) {
        struct dest *dest = &e->dests[e->turn.dests[k]];
        dest->gave_back = false;
        if (dest_wants_more(e, dest))
            ring_push(e, e->turn.dests[k]);
    }
    pump(e); /* a start failing in it is the next turn's */
}

/* The signal handlers and the resolution deadline are unref'd: they never keep the loop
 * alive, so the loop ends when the probes (and any attached work) are done. */
static void close_aux(struct engine *e)
{
    if (e->signals) {
        uv_close((uv_handle_t *)&e->sigint, NULL);
        uv_close((uv_handle_t *)&e->sigterm, NULL);
    }
    uv_close((uv_handle_t *)&e->resolve_timer, NULL);
    uv_close((uv_handle_t *)&e->budget_timer, NULL);
    uv_close((uv_handle_t *)&e->turn.check, NULL);
    uv_close((uv_handle_t *)&e->turn.idle, NULL);
    dci_connect_close(e);
    for (size_t d = 0; d < NDRIVERS; d++) {
        if (drivers[d]->close)
            drivers[d]->close(e);
    }
}

static void dest_fail(struct engine *e, struct dest *dest, enum dc_state state, const char *why)
{
    dest->state = DEST_FAILED;
    struct dci_outcome o = {.state = state, .detail = why, .latency_ms = DCI_NO_LATENCY};
    while (dest->qhead < dest->qlen)
        dci_engine_settle(e, dest->queue[dest->qhead++], &o);
}

static void dest_ready(struct engine *e, struct dest *dest)
{
    dest->state = DEST_READY;
    dest->address_text = dc_texts_add(e->texts, dest->address);
    ring_push(e, (uint32_t)(dest - e->dests));
    pump(e);
}

static void resolve_next(struct engine *e, struct dest *dest);

/* A name that resolved where it must not lead (an HTTPS name, src/inputs/https_name.c):
 * nothing is probed and the check says where the name led. */
static bool alias_elsewhere(struct engine *e, struct dest *dest)
{
    if (!dci_https_name_elsewhere(e->cluster, dest->node, dest->address, dest->why,
                                  sizeof dest->why))
        return false;
    dest->address_text = dc_texts_add(e->texts, dest->address);
    dest_fail(e, dest, DC_STATE_DNS, dest->why);
    return true;
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct dest *dest = req->data;
    struct engine *e = dest->engine;
    e->resolving--;
    if (dest->state != DEST_RESOLVING) {
        /* the resolution deadline settled this destination already */
        uv_freeaddrinfo(res);
        return;
    }
    if (status == 0 && res) {
        memcpy(&dest->addr, res->ai_addr, res->ai_addrlen);
        uv_ip_name(res->ai_addr, dest->address, sizeof dest->address);
        uv_freeaddrinfo(res);
        dest->name = e->cluster->nodes[dest->node].addresses[dest->try_index];
        if (alias_elsewhere(e, dest))
            return;
        dest_ready(e, dest);
        return;
    }
    uv_freeaddrinfo(res);
    const struct dc_node *node = &e->cluster->nodes[dest->node];
    snprintf(dest->why, sizeof dest->why, "name '%s' does not resolve: %s",
             node->addresses[dest->try_index], uv_strerror(status));
    dest->try_index++;
    resolve_next(e, dest);
}

static void resolve_next(struct engine *e, struct dest *dest)
{
    const struct dc_node *node = &e->cluster->nodes[dest->node];
    for (; dest->try_index < node->naddresses; dest->try_index++) {
        const char *a = node->addresses[dest->try_index];
        struct sockaddr_in *a4 = (struct sockaddr_in *)&dest->addr;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&dest->addr;
        if (uv_ip4_addr(a, 0, a4) == 0 || (strchr(a, ':') && uv_ip6_addr(a, 0, a6) == 0)) {
            snprintf(dest->address, sizeof dest->address, "%s", a);
            dest_ready(e, dest);
            return;
        }
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
        dest->gai.data = dest;
        int rc = uv_getaddrinfo(&e->loop, &dest->gai, on_resolved, a, NULL, &hints);
        if (rc == 0) {
            dest->state = DEST_RESOLVING;
            e->resolving++;
            return;
        }
        snprintf(dest->why, sizeof dest->why, "name '%s' cannot be resolved: %s", a,
                 uv_strerror(rc));
    }
    dest_fail(e, dest, DC_STATE_DNS, dest->why[0] ? dest->why : "node has no address");
}

/* Name resolution is bounded by the probe timeout like everything else. */
static void on_resolve_deadline(uv_timer_t *timer)
{
    struct engine *e = timer->data;
    for (size_t d = 0; d < e->ndests; d++) {
        struct dest *dest = &e->dests[d];
        if (dest->state != DEST_RESOLVING)
            continue;
        uv_cancel((uv_req_t *)&dest->gai);
        char why[160];
        snprintf(why, sizeof why, "name '%s' did not resolve within %.1f s",
                 e->cluster->nodes[dest->node].addresses[dest->try_index], e->opts.timeout_s);
        dest_fail(e, dest, DC_STATE_DNS, why);
    }
}

/* Ends the run now (a signal, or the run's time budget): what was measured stays, probes in
 * flight become unknown, queued ones stay "not run". */
static void engine_stop(struct engine *e)
{
    if (e->stopping)
        return;
    e->stopping = true;
    for (size_t d = 0; d < NDRIVERS; d++)
        drivers[d]->abort_all(e);
    for (size_t d = 0; d < e->ndests; d++) {
        if (e->dests[d].state == DEST_RESOLVING) {
            uv_cancel((uv_req_t *)&e->dests[d].gai);
            e->dests[d].state = DEST_FAILED;
        }
    }
    if (e->opts.interrupt)
        e->opts.interrupt(e->opts.attach_ud);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    struct engine *e = sig->data;
    (void)signum;
    e->interrupted = true;
    engine_stop(e);
}

struct dc_stopper {
    pthread_mutex_t mu;
    uv_async_t *async; /* the running engine's, or NULL */
    bool fired;
};

int dci_stopper_new(struct dc_stopper **out)
{
    struct dc_stopper *s = calloc(1, sizeof *s);
    if (!s || pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        return DC_ENOMEM;
    }
    *out = s;
    return 0;
}

void dci_stopper_free(struct dc_stopper *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void dci_stopper_fire(struct dc_stopper *s)
{
    pthread_mutex_lock(&s->mu);
    s->fired = true;
    if (s->async)
        uv_async_send(s->async);
    pthread_mutex_unlock(&s->mu);
}

static void on_stop_request(uv_async_t *async)
{
    struct engine *e = async->data;
    e->interrupted = true;
    engine_stop(e);
}

/* The engine's async handle is what fire() wakes; registered for the run, removed under the
 * stopper's lock before the handle closes, so a late fire() never touches a closed one. */
static void stopper_attach(struct engine *e)
{
    struct dc_stopper *s = e->opts.stopper;
    /* it needs an eventfd, which can run out: then the run cannot be stopped from outside,
     * and its own deadline still ends it */
    e->stop_ready = uv_async_init(&e->loop, &e->stop_async, on_stop_request) == 0;
    if (!e->stop_ready)
        return;
    e->stop_async.data = e;
    uv_unref((uv_handle_t *)&e->stop_async);
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->async = &e->stop_async;
    if (s->fired)
        uv_async_send(&e->stop_async);
    pthread_mutex_unlock(&s->mu);
}

static void stopper_detach(struct engine *e)
{
    struct dc_stopper *s = e->opts.stopper;
    if (!e->stop_ready)
        return;
    if (s) {
        pthread_mutex_lock(&s->mu);
        s->async = NULL;
        pthread_mutex_unlock(&s->mu);
    }
    uv_close((uv_handle_t *)&e->stop_async, NULL);
}

static void on_budget(uv_timer_t *timer)
{
    struct engine *e = timer->data;
    e->out_of_budget = true;
    engine_stop(e);
}

static const char not_run[] = "not run: the run was interrupted";

static int build_queues(struct engine *e)
{
    e->ndests = e->cluster->nnodes;
    e->dests = calloc(e->ndests ? e->ndests : 1, sizeof *e->dests);
    e->ring = calloc(e->ndests ? e->ndests : 1, sizeof *e->ring);
    e->queue_store = malloc((e->plan->ntasks ? e->plan->ntasks : 1) * sizeof *e->queue_store);
    if (!e->dests || !e->ring || !e->queue_store)
        return DC_ENOMEM;
    for (size_t i = 0; i < e->plan->ntasks; i++)
        e->dests[e->plan->tasks[i].to].qlen++;
    size_t offset = 0;
    for (size_t d = 0; d < e->ndests; d++) {
        e->dests[d].engine = e;
        e->dests[d].node = (uint32_t)d;
        e->dests[d].queue = e->queue_store + offset;
        offset += e->dests[d].qlen;
        e->dests[d].qlen = 0;
    }
    for (size_t i = 0; i < e->plan->ntasks; i++) {
        struct dest *dest = &e->dests[e->plan->tasks[i].to];
        dest->queue[dest->qlen++] = (uint32_t)i;
    }
    if (!e->opts.bind_source)
        return 0;
    e->sources = calloc(e->ndests ? e->ndests : 1, sizeof *e->sources);
    if (!e->sources)
        return DC_ENOMEM;
    for (size_t n = 0; n < e->ndests; n++) {
        const struct dc_node *node = &e->cluster->nodes[n];
        const char *a = node->naddresses ? node->addresses[0] : "";
        if (uv_ip4_addr(a, 0, (struct sockaddr_in *)&e->sources[n]) != 0 &&
            (!strchr(a, ':') || uv_ip6_addr(a, 0, (struct sockaddr_in6 *)&e->sources[n]) != 0))
            e->sources[n].ss_family = 0;
    }
    return 0;
}

static void engine_release(struct engine *e)
{
    dci_connect_release(e);
    dci_tls_ctx_free(e->tls_ctx);
    for (size_t d = 0; d < NDRIVERS; d++) {
        if (drivers[d]->release)
            drivers[d]->release(e);
    }
    free(e->dests);
    free(e->ring);
    free(e->queue_store);
    free(e->sources);
    free(e->facts);
    free(e->turn.dests);
    free(e->turn.failed);
}

int dc_engine_run(const struct dc_cluster *cluster, const struct dc_profile *profile,
                  const struct dc_plan *plan, const struct dc_engine_opts *opts,
                  struct dc_result *results, struct dc_texts *texts, bool *interrupted,
                  struct dc_diag *diag)
{
    struct engine e;
    memset(&e, 0, sizeof e);
    e.cluster = cluster;
    e.profile = profile;
    e.plan = plan;
    e.opts = *opts;
    e.results = results;
    e.texts = texts;
    /* the lists first: nothing can end or be freed before they exist */
    dci_connect_init(&e);
    int rc = 0;
    for (size_t d = 0; d < NDRIVERS && !rc; d++) {
        if (drivers[d]->init)
            rc = drivers[d]->init(&e);
    }
    /* what a caller left at 0 takes the one default (dc_engine_opts_default) */
    struct dc_engine_opts defaults;
    dc_engine_opts_default(&defaults);
    if (e.opts.timeout_s <= 0)
        e.opts.timeout_s = defaults.timeout_s;
    e.opts.concurrency =
        dci_os_fd_budget(e.opts.concurrency ? e.opts.concurrency : defaults.concurrency);
    if (e.opts.per_node == 0)
        e.opts.per_node = defaults.per_node;
    e.timeout_ms = (uint64_t)(e.opts.timeout_s * 1000.0 + 0.5);
    for (size_t i = 0; i < plan->ntasks; i++)
        dc_result_reset(&results[i], not_run);
    if (!rc)
        rc = build_queues(&e);
    if (!rc) {
        e.turn.dests = calloc(e.ndests ? e.ndests : 1, sizeof *e.turn.dests);
        e.turn.failed = calloc(e.opts.concurrency, sizeof *e.turn.failed);
        rc = e.turn.dests && e.turn.failed ? 0 : DC_ENOMEM;
    }
    if (rc) {
        engine_release(&e);
        return rc;
    }
    rc = uv_loop_init(&e.loop);
    if (rc) {
        dc_diag_set(diag, "cannot start the event loop: %s", uv_strerror(rc));
        engine_release(&e);
        return DC_EIO;
    }
    dci_connect_open(&e);
    /* the scheduler's turn: its check is unref'd (it never keeps the loop alive: the idle
     * does, while a turn is wanted) */
    uv_check_init(&e.loop, &e.turn.check);
    e.turn.check.data = &e;
    uv_check_start(&e.turn.check, on_turn);
    uv_unref((uv_handle_t *)&e.turn.check);
    uv_idle_init(&e.loop, &e.turn.idle);
    uv_timer_init(&e.loop, &e.resolve_timer);
    e.resolve_timer.data = &e;
    uv_timer_start(&e.resolve_timer, on_resolve_deadline, e.timeout_ms, 0);
    uv_unref((uv_handle_t *)&e.resolve_timer);
    uv_timer_init(&e.loop, &e.budget_timer);
    e.budget_timer.data = &e;
    if (opts->budget_s > 0) {
        uv_timer_start(&e.budget_timer, on_budget, (uint64_t)(opts->budget_s * 1000.0 + 0.5), 0);
        uv_unref((uv_handle_t *)&e.budget_timer);
    }
    if (opts->handle_signals) {
        /* each handler needs the loop's signal pipe: without them Ctrl-C ends the process
         * the usual way */
        bool sigint = uv_signal_init(&e.loop, &e.sigint) == 0;
        bool sigterm = sigint && uv_signal_init(&e.loop, &e.sigterm) == 0;
        if (sigint && !sigterm)
            uv_close((uv_handle_t *)&e.sigint, NULL);
        e.signals = sigterm;
    }
    if (e.signals) {
        e.sigint.data = e.sigterm.data = &e;
        uv_signal_start(&e.sigint, on_signal, SIGINT);
        uv_signal_start(&e.sigterm, on_signal, SIGTERM);
        uv_unref((uv_handle_t *)&e.sigint);
        uv_unref((uv_handle_t *)&e.sigterm);
    }
    stopper_attach(&e);
    if (opts->attach)
        opts->attach(&e.loop, opts->attach_ud);
    for (size_t d = 0; d < e.ndests; d++) {
        if (e.dests[d].qlen > 0)
            resolve_next(&e, &e.dests[d]);
    }
    pump(&e);
    uv_run(&e.loop, UV_RUN_DEFAULT);
    stopper_detach(&e);
    close_aux(&e);
    if (opts->detach)
        opts->detach(opts->attach_ud);
    uv_run(&e.loop, UV_RUN_DEFAULT); /* runs the close callbacks */
    rc = uv_loop_close(&e.loop);
    if (rc)
        dc_diag_set(diag, "event loop did not close cleanly: %s", uv_strerror(rc));
    if (interrupted)
        *interrupted = e.interrupted;
    dci_engine_revise(&e);
    if (e.out_of_budget)
        dci_engine_mark_out_of_budget(&e);
    engine_release(&e);
    return rc ? DC_EIO : 0;
}

long dc_engine_local_node(const struct dc_cluster *cluster)
{
    uv_interface_address_t *ifs;
    int n;
    if (uv_interface_addresses(&ifs, &n) != 0)
        return -1;
    long found = -1; /* the first node in the list that has one of them */
    for (int k = 0; k < n; k++) {
        long i = dci_cluster_node_at(cluster, (const struct sockaddr *)&ifs[k].address);
        if (i >= 0 && (found < 0 || i < found))
            found = i;
    }
    uv_free_interface_addresses(ifs, n);
    return found;
}
