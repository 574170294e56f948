/* What the subcommands share: node-list and profile options, run options, the run itself. */
#include "cli_options.h"

#include "dmsconn/probe.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "base/os.h"
#include "dmsconn/profile.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

void cli_run_defaults(struct cli_run *run)
{
    memset(run, 0, sizeof *run);
    dc_engine_opts_default(&run->engine);
    dc_verdict_opts_default(&run->verdict);
    run->engine.handle_signals = true;
    run->local = -1;
    run->keep = 30;
    run->coord.agent_port = DC_AGENT_PORT;
    run->coord.margin_s = 2.0; /* the agent's own start-up, planning and JSON */
}

void cli_sources_free(struct cli_sources *src)
{
    free(src->nodes);
    free(src->no_agent);
}

void cli_run_free(struct cli_run *run)
{
    for (size_t i = 0; i < run->nsecrets; i++) {
        char *text = (char *)run->secrets[i].text;
        dci_os_secure_zero(text, strlen(text));
        free(text);
    }
    free(run->secrets);
    run->secrets = NULL;
    run->nsecrets = 0;
    run->engine.secrets = NULL;
    run->engine.nsecrets = 0;
}

/* --staas-endpoint HOST[:PORT]: the region's Storage as a Service endpoint DMAs must reach. */
static int add_staas_endpoint(struct dc_cluster *cluster, const char *spec, struct dc_diag *diag)
{
    char host[256];
    uint16_t port;
    if (!dc_host_port_split(spec, host, sizeof host, &port)) {
        dc_diag_set(diag, "--staas-endpoint '%s': expected HOST or HOST:PORT (1-65535)", spec);
        return DC_EINVAL;
    }
    if (!port)
        port = 443;
    if (!dc_address_valid(host)) {
        dc_diag_set(diag, "--staas-endpoint '%s': expected an address or a hostname", spec);
        return DC_EINVAL;
    }
    int rc = dc_cluster_add(cluster, host, host, DC_ROLE_STAAS, "--staas-endpoint", diag);
    if (!rc && port != 443)
        rc = dc_node_map_port(&cluster->nodes[dc_cluster_find(cluster, host)], 443, (uint16_t)port);
    return rc;
}

int cli_load(const struct cli_sources *src, struct dc_cluster **cluster_out,
             struct dc_profile **profile_out, const char *cmd)
{
    bool any = src->dataminer_dir || src->dms || src->db || src->inventory || src->nnodes;
    if (!any && !dci_os_dataminer_dir_default())
        return cli_usage_error(cmd, "no nodes: expected --dataminer-dir, --dms, --db, "
                                    "--inventory or --node");
    if (src->dataminer_dir && (src->dms || src->db))
        return cli_usage_error(cmd, "--dataminer-dir reads DMS.xml and DB.xml itself: not "
                                    "with --dms or --db");
    struct dc_diag diag = {{0}};
    int rc = cli_load_quiet(src, cluster_out, profile_out, &diag);
    if (rc) {
        fprintf(stderr, "dmsconn %s: %s\n", cmd, diag.msg[0] ? diag.msg : dc_strerror(rc));
        return DC_RUN_UNKNOWN;
    }
    return 0;
}

int cli_load_quiet(const struct cli_sources *src, struct dc_cluster **cluster_out,
                   struct dc_profile **profile_out, struct dc_diag *diag)
{
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    const char *dir = src->dataminer_dir;
    bool any = dir || src->dms || src->db || src->inventory || src->nnodes;
    if (!any)
        dir = dci_os_dataminer_dir_default(); /* on a DMA: its own folder */
    int rc = dc_cluster_new(&cluster);
    if (!rc && dir)
        rc = dc_inventory_read_dataminer_dir(cluster, dir, diag);
    /* DMS.xml first: DB.xml's "localhost" means every DMA, so the DMAs must be known. */
    if (!rc && src->dms)
        rc = dc_inventory_read_dmsxml(cluster, src->dms, diag);
    if (!rc && src->inventory)
        rc = dc_inventory_read_yaml(cluster, src->inventory, diag);
    for (size_t i = 0; !rc && i < src->nnodes; i++)
        rc = dc_inventory_add_flag(cluster, src->nodes[i], diag);
    if (!rc && src->db)
        rc = dc_inventory_read_dbxml(cluster, src->db, diag);
    if (!rc && src->staas_endpoint)
        rc = add_staas_endpoint(cluster, src->staas_endpoint, diag);
    for (const char *const *n = src->no_agent; !rc && n && *n; n++) {
        long i = dc_cluster_find(cluster, *n);
        if (i < 0) {
            dc_diag_set(diag, "--no-agent: no node named '%s'", *n);
            rc = DC_ENOTFOUND;
        } else {
            cluster->nodes[i].no_agent = true;
        }
    }
    for (size_t i = 0; !rc && i < cluster->nnodes; i++) {
        if (cluster->nodes[i].no_agent)
            rc = dc_cluster_add_note(cluster,
                                     "%s has no agent (agent: none): its row is not measured, "
                                     "the paths towards it are",
                                     cluster->nodes[i].name);
    }
    if (!rc) {
        cluster->gen.nats_credentials = src->nats_credentials;
        rc = dc_cluster_finish(cluster, dir || src->dms || src->db);
    }
    if (!rc)
        rc = dc_profile_dataminer(&profile);
    if (!rc && src->profile)
        rc = dc_profile_read_yaml(profile, src->profile, diag);
    if (rc) {
        if (!diag->msg[0])
            dc_diag_set(diag, "%s", dc_strerror(rc));
        dc_cluster_free(cluster);
        dc_profile_free(profile);
        return rc;
    }
    *cluster_out = cluster;
    *profile_out = profile;
    return 0;
}

int cli_execute(const struct dc_cluster *cluster, const struct dc_profile *profile,
                const struct dc_plan *plan, const struct cli_run *run)
{
    struct dc_result *results = calloc(plan->ntasks ? plan->ntasks : 1, sizeof *results);
    struct dc_texts *texts = dc_texts_new();
    int rc = DC_RUN_UNKNOWN;
    if (results && texts)
        rc = cli_execute_into(cluster, profile, plan, run, results, texts);
    else
        fprintf(stderr, "dmsconn: out of memory for %zu results\n", plan->ntasks);
    free(results);
    dc_texts_free(texts);
    return rc;
}

/* The progress line: on a terminal, for runs over a second, redrawn five times a second by a
 * thread of its own (a run whose only result comes at the deadline showed nothing until then).
 * The engine's thread counts; the drawing thread only reads the counts. */
struct progress {
    const struct dc_cluster *cluster;
    const struct dc_profile *profile;
    const struct dc_plan *plan;
    const struct cli_run *run;
    struct dc_result *results;
    uint64_t started_ms;
    _Atomic size_t done;
    _Atomic size_t failing;
    bool drawn;
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_progress(void *ud, size_t index, size_t done, size_t total)
{
    (void)total;
    struct progress *p = ud;
    struct dc_result *r = &p->results[index];
    dc_verdict_judge(p->cluster, p->profile, &p->plan->tasks[index], &p->run->verdict, r);
    atomic_fetch_add(&p->failing, r->verdict == DC_VERDICT_FAIL);
    atomic_store(&p->done, done);
}

static void *draw_progress(void *arg)
{
    struct progress *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &until);
        uint64_t elapsed = now_ms() - p->started_ms;
        if (p->stop || elapsed < 1000)
            continue;
        p->drawn = true;
        fprintf(stderr, "\r\033[K  %zu/%zu checks, %zu failing, %.0f s", atomic_load(&p->done),
                p->plan->ntasks, atomic_load(&p->failing), (double)elapsed / 1000.0);
        fflush(stderr);
    }
    if (p->drawn)
        fputs("\r\033[K", stderr);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int cli_execute_into(const struct dc_cluster *cluster, const struct dc_profile *profile,
                     const struct dc_plan *plan, const struct cli_run *run,
                     struct dc_result *results, struct dc_texts *texts)
{
    struct dc_diag diag = {{0}};
    struct dc_report rep = {.cluster = cluster,
                            .profile = profile,
                            .plan = plan,
                            .results = results,
                            .verdict_opts = &run->verdict};
    struct progress progress = {.cluster = cluster,
                                .profile = profile,
                                .plan = plan,
                                .run = run,
                                .results = results,
                                .started_ms = now_ms()};
    pthread_mutex_init(&progress.mu, NULL);
    pthread_cond_init(&progress.cv, NULL);
    pthread_t drawer;
    bool drawing = false;
    struct dc_engine_opts eopts = run->engine;
    if (!run->quiet && dci_os_is_terminal(stderr) && !eopts.on_result) {
        eopts.on_result = on_progress;
        eopts.ud = &progress;
        drawing = pthread_create(&drawer, NULL, draw_progress, &progress) == 0;
    }
    clock_gettime(CLOCK_REALTIME, &rep.started);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* Each node's clock: through agents measured on the exchange with its agent; where no
     * agent told it, estimated from an HTTP answer's Date header (to the second) */
    struct dc_coordinator_opts coord = run->coord;
    struct dc_clock *clocks = calloc(cluster->nnodes ? cluster->nnodes : 1, sizeof *clocks);
    /* and the certificate each agent's HTTPS shows, judged with the endpoints' */
    bool https = coord.tls; /* a pinned agent speaks HTTPS too */
    for (size_t n = 0; n < cluster->nnodes; n++)
        https |= cluster->nodes[n].agent_pin != NULL;
    const char **agent_certs =
        run->coordinate && https ? calloc(cluster->nnodes, sizeof *agent_certs) : NULL;
    coord.agent_certs = agent_certs;
    if (run->coordinate)
        coord.clocks = clocks; /* the coordinator marks its own node the reference */
    else if (clocks && plan->ntasks > 0)
        clocks[plan->tasks[0].from].source = DC_CLOCK_REFERENCE; /* this machine's row */
    eopts.clocks = clocks;
    int rc = run->coordinate ? dc_coordinator_run(cluster, profile, plan, run->local, &eopts,
                                                  &coord, results, texts, &rep.interrupted, &diag)
                             : dc_engine_run(cluster, profile, plan, &eopts, results, texts,
                                             &rep.interrupted, &diag);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (drawing) {
        pthread_mutex_lock(&progress.mu);
        progress.stop = true;
        pthread_cond_signal(&progress.cv);
        pthread_mutex_unlock(&progress.mu);
        pthread_join(drawer, NULL);
    }
    pthread_mutex_destroy(&progress.mu);
    pthread_cond_destroy(&progress.cv);
    rep.duration_ms =
        (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (rc)
        fprintf(stderr, "dmsconn: %s\n", diag.msg[0] ? diag.msg : dc_strerror(rc));
    for (size_t n = 0; clocks && n < cluster->nnodes; n++)
        dc_clock_judge(&clocks[n], run->verdict.clock_warn_s * 1e3,
                       run->verdict.clock_fail_s * 1e3);
    rep.clocks = clocks;
    rep.agent_certs = agent_certs;
    rep.agent_port = coord.agent_port;
    if (run->watch)
        run->watch->interrupted = rep.interrupted;
    int out = cli_judge_and_write(&rep, results, texts, run, rc != 0);
    free(clocks);
    free(agent_certs);
    return out;
}

int cli_judge_and_write(struct dc_report *rep, struct dc_result *results, struct dc_texts *texts,
                        const struct cli_run *run, bool failed)
{
    enum dc_run_verdict verdict =
        dc_verdict_run_all(rep->cluster, rep->profile, rep->plan, &run->verdict, results, texts);
    verdict = dc_clock_run_verdict(verdict, rep->clocks, rep->cluster->nnodes);
    verdict = dc_report_agent_certs_verdict(rep, verdict);
    rep->verdict = failed ? DC_RUN_UNKNOWN : verdict;
    struct dc_diagnosis *diagnosis = NULL;
    if (dc_diagnose(rep->cluster, rep->profile, rep->plan, results, &diagnosis))
        fprintf(stderr, "dmsconn: out of memory: the report has no diagnosis\n");
    rep->diagnosis = diagnosis;
    int rc = cli_outputs(rep, run);
    rep->diagnosis = NULL;
    dc_diagnosis_free(diagnosis);
    return rc;
}

int cli_check_filters(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct cli_args *a, const char *cmd)
{
    for (const char **c = a->checks; c && *c; c++) {
        if (dc_profile_find(profile, *c) < 0)
            return cli_usage_error(cmd,
                                   "--check: no check named '%s' in profile '%s' "
                                   "(see 'dmsconn profile show')",
                                   *c, profile->name);
    }
    const char **lists[] = {a->from, a->to};
    for (int k = 0; k < 2; k++) {
        for (const char **n = lists[k]; n && *n; n++) {
            if (dc_cluster_find(cluster, *n) < 0)
                return cli_usage_error(cmd, "--%s: no node named '%s'", k ? "to" : "from", *n);
        }
    }
    return 0;
}
