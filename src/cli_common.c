/* What the subcommands share: node-list and profile options, run options, the run itself. */
#include "cli.h"

#include "dmsconn/probe.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "os.h"
#include "dmsconn/profile.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < (long)lo || v > (long)hi)
        return false;
    *out = (unsigned)v;
    return true;
}

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

/* A file option given twice would silently use the second: refuse it. */
static int once(const char **field, const char *arg, const char *name)
{
    if (*field) {
        fprintf(stderr, "dmsconn: %s given twice (%s, %s); expected one\n", name, *field, arg);
        return -1;
    }
    *field = arg;
    return 1;
}

void cli_sources_free(struct cli_sources *src)
{
    free(src->nodes);
    free(src->no_agent);
}

int cli_source_option(struct cli_sources *src, int opt, const char *arg)
{
    switch (opt) {
    case OPT_DATAMINER_DIR: return once(&src->dataminer_dir, arg, "--dataminer-dir");
    case OPT_STAAS_ENDPOINT: return once(&src->staas_endpoint, arg, "--staas-endpoint");
    case OPT_NO_AGENT:
        free(src->no_agent);
        src->no_agent = cli_split_list(arg);
        return src->no_agent ? 1 : -1;
    case OPT_DMS: return once(&src->dms, arg, "--dms");
    case OPT_DB: return once(&src->db, arg, "--db");
    case OPT_INVENTORY: return once(&src->inventory, arg, "--inventory");
    case OPT_PROFILE: return once(&src->profile, arg, "--profile");
    case OPT_NODE: {
        const char **nodes = realloc(src->nodes, (src->nnodes + 1) * sizeof *nodes);
        if (!nodes)
            return -1;
        src->nodes = nodes;
        nodes[src->nnodes++] = arg;
        return 1;
    }
    default: return 0;
    }
}

void cli_run_free(struct cli_run *run)
{
    for (size_t i = 0; i < run->nsecrets; i++) {
        char *text = (char *)run->secrets[i].text;
        explicit_bzero(text, strlen(text));
        free(text);
    }
    free(run->secrets);
    run->secrets = NULL;
    run->nsecrets = 0;
    run->engine.secrets = NULL;
    run->engine.nsecrets = 0;
}

/* A probe's secret (--secret NAME=FILE, or one of its older names): the file only its
 * owner may read, its text of the form the probe wants; kept for the process, never
 * printed. 1, or -1 with the message said. */
static int add_secret(struct cli_run *run, const char *name, const char *path, const char *option,
                      const char *cmd)
{
    const struct dc_probe_ops *probe = dc_probe_with_secret(name);
    if (!probe) {
        char names[256];
        cli_usage_error(cmd, "%s %s=...: no probe takes a secret named so; expected one of %s",
                        option, name, dc_probe_secret_names(names, sizeof names));
        return -1;
    }
    if (dc_engine_secret(&run->engine, name)) {
        cli_usage_error(cmd, "%s: the %s secret is given twice", option, name);
        return -1;
    }
    struct dc_diag diag = {{0}};
    char *text = NULL;
    if (dc_secret_read_lines(path, option, 1, probe->secret_lines, &text, &diag)) {
        fprintf(stderr, "dmsconn %s: %s\n", cmd, diag.msg);
        free(text);
        return -1;
    }
    const char *form = probe->secret_check ? probe->secret_check(text) : NULL;
    struct dc_secret *grown =
        form ? NULL : realloc(run->secrets, (run->nsecrets + 1) * sizeof *grown);
    if (!grown) {
        if (form)
            fprintf(stderr, "dmsconn %s: %s %s: expected %s\n", cmd, option, path, form);
        explicit_bzero(text, strlen(text));
        free(text);
        return -1;
    }
    run->secrets = grown;
    grown[run->nsecrets++] = (struct dc_secret){.name = probe->secret, .path = path, .text = text};
    run->engine.secrets = run->secrets; /* they live for the process */
    run->engine.nsecrets = run->nsecrets;
    return 1;
}

int cli_run_option(struct cli_run *run, int opt, const char *arg, const char *cmd)
{
    switch (opt) {
    case OPT_TIMEOUT:
        if (!parse_double(arg, 0.01, 3600, &run->engine.timeout_s)) {
            cli_usage_error(cmd, "--timeout '%s': expected seconds, 0.01 to 3600", arg);
            return -1;
        }
        return 1;
    case OPT_CONCURRENCY:
        if (!parse_uint(arg, 1, 100000, &run->engine.concurrency)) {
            cli_usage_error(cmd, "--concurrency '%s': expected 1 to 100000", arg);
            return -1;
        }
        return 1;
    case OPT_PER_NODE:
        if (!parse_uint(arg, 1, 100000, &run->engine.per_node)) {
            cli_usage_error(cmd, "--per-node '%s': expected 1 to 100000", arg);
            return -1;
        }
        return 1;
    case OPT_SLOW_MS:
        if (!parse_double(arg, 0, 1e6, &run->verdict.slow_ms)) {
            cli_usage_error(cmd, "--slow-ms '%s': expected milliseconds >= 0", arg);
            return -1;
        }
        return 1;
    case OPT_JSON: run->json = arg; return 1;
    case OPT_QUIET: run->quiet = true; return 1;
    case OPT_ALL: run->all = true; return 1;
    case OPT_NO_COLOR: run->no_color = true; return 1;
    case OPT_TLS_INSECURE: run->engine.tls_insecure = true; return 1;
    case OPT_CSV: run->csv = arg; return 1;
    /* the older names of --secret */
    case OPT_OPENSEARCH_CREDENTIALS:
        return add_secret(run, "opensearch", arg, "--opensearch-credentials", cmd);
    case OPT_NATS_CREDS: return add_secret(run, "nats", arg, "--nats-creds", cmd);
    case OPT_SNMP_COMMUNITY_FILE: return add_secret(run, "snmp", arg, "--snmp-community-file", cmd);
    case OPT_SECRET: {
        const char *eq = strchr(arg, '=');
        char name[64];
        if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name || !eq[1]) {
            cli_usage_error(cmd, "--secret '%s': expected NAME=FILE", arg);
            return -1;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
        return add_secret(run, name, eq + 1, "--secret", cmd);
    }
    case OPT_JUNIT: run->junit = arg; return 1;
    case OPT_PROM: run->prom = arg; return 1;
    case OPT_HTML: run->html = arg; return 1;
    case OPT_BASELINE: run->baseline = arg; return 1;
    case OPT_HISTORY: run->history = arg; return 1;
    case OPT_KEEP:
        if (!parse_uint(arg, 1, 100000, &run->keep)) {
            cli_usage_error(cmd, "--keep '%s': expected 1 to 100000 runs", arg);
            return -1;
        }
        return 1;
    case OPT_FORMAT:
        if (cli_format_parse(arg, &run->format)) {
            cli_usage_error(cmd,
                            "--format '%s': expected text, json, csv, junit, prometheus, "
                            "html or none",
                            arg);
            return -1;
        }
        return 1;
    case OPT_CA: run->engine.ca_file = arg; return 1;
    default: return 0;
    }
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
    struct dc_diag diag = {{0}};
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    const char *dir = src->dataminer_dir;
    bool any = dir || src->dms || src->db || src->inventory || src->nnodes;
    if (!any && dc_os_dataminer_dir_default()) {
        dir = dc_os_dataminer_dir_default(); /* on a DMA: its own folder */
        any = true;
    }
    if (!any)
        return cli_usage_error(cmd, "no nodes: expected --dataminer-dir, --dms, --db, "
                                    "--inventory or --node");
    if (dir && (src->dms || src->db))
        return cli_usage_error(cmd, "--dataminer-dir reads DMS.xml and DB.xml itself: not "
                                    "with --dms or --db");
    int rc = dc_cluster_new(&cluster);
    if (!rc && dir)
        rc = dc_inventory_read_dataminer_dir(cluster, dir, &diag);
    /* DMS.xml first: DB.xml's "localhost" means every DMA, so the DMAs must be known. */
    if (!rc && src->dms)
        rc = dc_inventory_read_dmsxml(cluster, src->dms, &diag);
    if (!rc && src->inventory)
        rc = dc_inventory_read_yaml(cluster, src->inventory, &diag);
    for (size_t i = 0; !rc && i < src->nnodes; i++)
        rc = dc_inventory_add_flag(cluster, src->nodes[i], &diag);
    if (!rc && src->db)
        rc = dc_inventory_read_dbxml(cluster, src->db, &diag);
    if (!rc && src->staas_endpoint)
        rc = add_staas_endpoint(cluster, src->staas_endpoint, &diag);
    for (const char *const *n = src->no_agent; !rc && n && *n; n++) {
        long i = dc_cluster_find(cluster, *n);
        if (i < 0) {
            dc_diag_set(&diag, "--no-agent: no node named '%s'", *n);
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
        rc = dc_profile_read_yaml(profile, src->profile, &diag);
    if (rc) {
        fprintf(stderr, "dmsconn %s: %s\n", cmd, diag.msg[0] ? diag.msg : dc_strerror(rc));
        dc_cluster_free(cluster);
        dc_profile_free(profile);
        return DC_RUN_UNKNOWN;
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
    if (!run->quiet && isatty(STDERR_FILENO) && !eopts.on_result) {
        eopts.on_result = on_progress;
        eopts.ud = &progress;
        drawing = pthread_create(&drawer, NULL, draw_progress, &progress) == 0;
    }
    clock_gettime(CLOCK_REALTIME, &rep.started);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = run->coordinate
                 ? dc_coordinator_run(cluster, profile, plan, run->local, &eopts, &run->coord,
                                      results, texts, &rep.interrupted, &diag)
                 : dc_engine_run(cluster, profile, plan, &eopts, results, texts, &rep.interrupted,
                                 &diag);
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
    return cli_judge_and_write(&rep, results, texts, run, rc != 0);
}

int cli_judge_and_write(struct dc_report *rep, struct dc_result *results, struct dc_texts *texts,
                        const struct cli_run *run, bool failed)
{
    enum dc_run_verdict verdict =
        dc_verdict_run_all(rep->cluster, rep->profile, rep->plan, &run->verdict, results, texts);
    rep->verdict = failed ? DC_RUN_UNKNOWN : verdict;
    return cli_outputs(rep, run);
}
