/* dmsconn check: plan the checks of the node list and run them. */
#include "cli_options.h"
#include "dmsconn/cluster.h"
#include "dmsconn/profile.h"
#include "dmsconn/watch.h"
#include "base/os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct cli_command cli_check_command = {
    .name = "check",
    .summary = "check the paths the profile requires and print the matrix",
    .bit = CLI_CHECK,
    .synopsis =
        "usage: dmsconn check --token-file FILE NODE-LIST [OPTIONS]      (the full matrix)\n"
        "       dmsconn check --from-here [--as NAME] [--all-targets] NODE-LIST [OPTIONS]\n"
        "\n"
        "Checks every path the profile requires and prints the source x destination matrix:\n"
        "this machine's row here, every other row on that node's 'dmsconn agent', all at once.\n"
        "An agent that cannot be asked makes its row unknown; the rest of the report stands.\n",
    .epilogue =
        "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage, configuration or internal error).\n",
};

static int pick_source(struct dc_cluster *cluster, const struct cli_args *a, uint32_t *source)
{
    if (a->as) {
        long idx = dc_cluster_find(cluster, a->as);
        if (idx >= 0) {
            *source = (uint32_t)idx;
            return 0;
        }
        if (!a->all_targets)
            return cli_usage_error("check", "--as %s: no node has this name or address", a->as);
        return dc_cluster_add_here(cluster, a->as, source) ? DC_RUN_UNKNOWN : 0;
    }
    long idx = dc_engine_local_node(cluster);
    if (idx >= 0) {
        *source = (uint32_t)idx;
        return 0;
    }
    if (!a->all_targets)
        return cli_usage_error("check", "this machine has none of the nodes' addresses: "
                                        "expected --as NAME, or --all-targets");
    char host[256] = "here";
    size_t len = sizeof host;
    if (uv_os_gethostname(host, &len) != 0)
        snprintf(host, sizeof host, "here");
    return dc_cluster_add_here(cluster, host, source) ? DC_RUN_UNKNOWN : 0;
}

/* An agent's own MaintenanceSettings.xml against the coordinator's: DataMiner wants
 * EnableDotNetRemoting the same on every Agent. Runs on the loop thread, during the run;
 * the notes are read when the report is written, after it. */
static void compare_settings(void *ud, uint32_t node, const struct dc_wire_settings *s)
{
    struct dc_cluster *cluster = ud;
    const struct dc_generation *g = &cluster->gen;
    if (s->remoting_disabled < 0 || !g->remoting_from ||
        s->remoting_disabled == g->remoting_disabled)
        return;
    dc_cluster_add_note(cluster,
                        "%s's MaintenanceSettings.xml has EnableDotNetRemoting %s, %s has %s: "
                        "DataMiner needs the same setting on every Agent",
                        cluster->nodes[node].name, s->remoting_disabled ? "false" : "true",
                        g->remoting_from, g->remoting_disabled ? "false" : "true");
}

/* The full matrix: this machine's row (if it is a node) here, every other row on agents. */
static int run_matrix(struct dc_cluster *cluster, const struct dc_profile *profile,
                      struct cli_args *a)
{
    long local = -1;
    if (a->as) {
        local = dc_cluster_find(cluster, a->as);
        if (local < 0)
            return cli_usage_error("check", "--as %s: no node has this name or address", a->as);
    } else {
        local = dc_engine_local_node(cluster);
    }
    struct dc_plan_filter filter = {.checks = a->checks,
                                    .from = a->from,
                                    .to = a->to,
                                    .here = local >= 0 ? &cluster->nodes[local] : NULL};
    struct dc_plan *plan = NULL;
    char *token = NULL;
    struct dc_diag diag = {{0}};
    int rc = 0;
    if (dc_plan_build(cluster, profile, &filter, &plan)) {
        fprintf(stderr, "dmsconn check: out of memory while planning\n");
        return DC_RUN_UNKNOWN;
    }
    bool remote = false;
    for (size_t i = 0; i < plan->ntasks && !remote; i++)
        remote = (long)plan->tasks[i].from != local;
    if (plan->ntasks == 0) {
        fprintf(stderr,
                "dmsconn check: nothing to check: no check of profile '%s' applies to "
                "these nodes\n",
                profile->name);
        rc = DC_RUN_UNKNOWN;
    } else if (remote && !a->token_file) {
        rc = cli_usage_error("check",
                             "rows of other nodes run on their agents: expected "
                             "--token-file FILE (or --from-here for this machine's row only)");
    } else if (remote && dc_token_read(a->token_file, &token, &diag)) {
        fprintf(stderr, "dmsconn check: %s\n", diag.msg);
        rc = DC_RUN_UNKNOWN;
    } else {
        a->run.coordinate = true;
        a->run.local = local;
        a->run.coord.token = token;
        a->run.coord.on_settings = compare_settings;
        a->run.coord.settings_ud = cluster;
        rc = cli_execute(cluster, profile, plan, &a->run);
    }
    if (token)
        dci_os_secure_zero(token, strlen(token));
    free(token);
    dc_plan_free(plan);
    return rc;
}

/* What the options say together. */
static int validate_args(const struct cli_args *a)
{
    if (a->from_here && a->from)
        return cli_usage_error("check", "--from selects rows of the full matrix; with "
                                        "--from-here there is one row");
    if (a->from_here && a->run.coord.preflight)
        return cli_usage_error("check", "--preflight needs the agents: not with --from-here");
    if (!a->from_here && a->all_targets)
        return cli_usage_error("check", "--all-targets goes with --from-here");
    const struct dc_metrics_opts *m = &a->run.metrics;
    if (m->listen && a->run.every_s <= 0)
        return cli_usage_error("check", "--metrics serves the rounds of continuous mode: "
                                        "expected --every SECONDS with it");
    if (!m->listen && (m->tls_file || m->user || m->password_file))
        return cli_usage_error("check", "--metrics-%s: expected --metrics ADDR:PORT with it",
                               m->tls_file ? "tls"
                               : m->user   ? "user"
                                           : "password-file");
    return 0;
}

/* What a loaded node list needs before its rounds: the HTTPS names (asked through the agents,
 * or resolved here) and this machine's node for --from-here. */
static int prepare(struct dc_cluster *cluster, const struct dc_profile *profile, struct cli_args *a,
                   uint32_t *source)
{
    int rc = cli_check_filters(cluster, profile, a, "check");
    if (rc)
        return rc;
    if (!a->from_here) {
        dc_cluster_https_name_through_agents(cluster);
        return 0;
    }
    rc = pick_source(cluster, a, source);
    if (rc)
        return rc;
    struct dc_diag diag = {{0}};
    if (dc_cluster_https_name_from_here(cluster, *source, &diag)) {
        fprintf(stderr, "dmsconn check: %s\n", diag.msg);
        return DC_RUN_UNKNOWN;
    }
    return 0;
}

/* One run: the full matrix, or this machine's row. */
static int run_once(struct dc_cluster *cluster, const struct dc_profile *profile,
                    struct cli_args *a, uint32_t source)
{
    if (!a->from_here)
        return run_matrix(cluster, profile, a);
    struct dc_plan_filter filter = {.checks = a->checks, .to = a->to};
    struct dc_plan *plan = NULL;
    int rc;
    if (dc_plan_build_from(cluster, profile, source, a->all_targets, &filter, &plan)) {
        fprintf(stderr, "dmsconn check: out of memory while planning\n");
        rc = DC_RUN_UNKNOWN;
    } else if (plan->ntasks == 0) {
        char roles[128];
        fprintf(stderr,
                "dmsconn check: nothing to check from %s (roles: %s): no check of "
                "profile '%s' starts from these roles (try --all-targets)\n",
                cluster->nodes[source].name,
                dc_roles_format(cluster->nodes[source].roles, roles, sizeof roles), profile->name);
        rc = DC_RUN_UNKNOWN;
    } else {
        rc = cli_execute(cluster, profile, plan, &a->run);
    }
    dc_plan_free(plan);
    return rc;
}

/* check --every: the rounds' inputs, the last good ones kept when an edit breaks them. */
struct rounds {
    struct cli_args *a;
    struct dc_cluster *cluster;
    struct dc_profile *profile;
    uint32_t source;
    size_t notes; /* the loaded cluster's own notes: a round's are dropped before the next */
    unsigned long loaded_in; /* the round whose reading they are */
    struct cli_watch watch;
    int exit_code;
};

/* Reads the node list and profile again (cheap: a few files), so that an edit shows in the
 * next round; one that does not read, or does not suit the options, keeps the last good. */
static void reread(struct rounds *w, unsigned long n)
{
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    struct dc_diag diag = {{0}};
    uint32_t source = 0;
    w->watch.note[0] = '\0';
    if (cli_load_quiet(&w->a->src, &cluster, &profile, &diag) == 0 &&
        prepare(cluster, profile, w->a, &source) == 0) {
        dc_cluster_free(w->cluster);
        dc_profile_free(w->profile);
        *w = (struct rounds){.a = w->a,
                             .cluster = cluster,
                             .profile = profile,
                             .source = source,
                             .notes = cluster->nnotes,
                             .loaded_in = n,
                             .watch = w->watch,
                             .exit_code = w->exit_code};
        return;
    }
    snprintf(w->watch.note, sizeof w->watch.note,
             "%s: the node list and profile read in round %lu are kept until it is mended",
             diag.msg[0] ? diag.msg : "the node list or the profile does not suit the options",
             w->loaded_in);
    dc_cluster_free(cluster);
    dc_profile_free(profile);
}

static int one_round(void *ud, struct dc_stopper *stopper, unsigned long n)
{
    struct rounds *w = ud;
    if (n == 1 && w->watch.server) { /* its thread starts now: the stop signals are blocked */
        struct dc_diag diag = {{0}};
        if (dc_metrics_listen(w->watch.server, &diag) != 0) {
            fprintf(stderr, "dmsconn check: %s\n", diag.msg);
            w->exit_code = DC_RUN_UNKNOWN;
            return 1;
        }
        const char *url = dc_metrics_url(w->watch.server);
        if (!w->a->run.quiet)
            fprintf(stderr, "dmsconn check: serving %s/metrics and the live page %s/\n", url, url);
    }
    if (n > 1)
        reread(w, n);
    dc_cluster_drop_notes(w->cluster, w->notes);
    if (w->watch.note[0])
        dc_cluster_add_note(w->cluster, "%s", w->watch.note);
    w->a->run.engine.stopper = stopper;
    w->a->run.engine.handle_signals = false; /* the watch waits for them */
    w->a->run.watch = &w->watch;
    w->watch.round = n;
    w->exit_code = run_once(w->cluster, w->profile, w->a, w->source);
    return w->watch.interrupted;
}

static int watch(struct cli_args *a, struct dc_cluster **cluster, struct dc_profile **profile,
                 uint32_t source)
{
    static char view[1 << 20];
    struct rounds w = {.a = a,
                       .cluster = *cluster,
                       .profile = *profile,
                       .source = source,
                       .notes = (*cluster)->nnotes,
                       .loaded_in = 1,
                       .watch = {.every_s = a->run.every_s,
                                 .in_place = !a->run.quiet && a->run.format == CLI_TEXT &&
                                             dci_os_is_terminal(stdout)},
                       .exit_code = DC_RUN_UNKNOWN};
    struct dc_diag diag = {{0}};
    if (a->run.metrics.listen && dc_metrics_new(&a->run.metrics, &w.watch.server, &diag) != 0) {
        fprintf(stderr, "dmsconn check: %s\n", diag.msg[0] ? diag.msg : "out of memory");
        return DC_RUN_UNKNOWN;
    }
    w.watch.counts = dc_watch_counts_new(time(NULL));
    if (!w.watch.counts) {
        dc_metrics_free(w.watch.server);
        fprintf(stderr, "dmsconn check: out of memory\n");
        return DC_RUN_UNKNOWN;
    }
    if (w.watch.in_place) /* each round's view leaves in one write */
        setvbuf(stdout, view, _IOFBF, sizeof view);
    struct dc_watch_result result;
    int rc = dc_watch_run(a->run.every_s, one_round, &w, &result);
    dc_metrics_free(w.watch.server);
    dc_watch_counts_free(w.watch.counts);
    if (w.watch.in_place) {
        fflush(stdout);
        setvbuf(stdout, NULL, _IOLBF, 0);
    }
    if (!a->run.quiet)
        fprintf(stderr, "dmsconn check: %lu round%s%s%s\n", result.rounds,
                result.rounds == 1 ? "" : "s", result.stopped_by[0] ? ", stopped by " : "",
                result.stopped_by);
    free(w.watch.previous);
    *cluster = w.cluster; /* the caller frees the last good ones */
    *profile = w.profile;
    return rc ? DC_RUN_UNKNOWN : w.exit_code;
}

/* Everything after the options: the node list and profile read, one run or the rounds. */
static int check_run(struct cli_args *a)
{
    struct dc_cluster *cluster = NULL;
    struct dc_profile *profile = NULL;
    int rc = cli_run_validate(&a->run, "check");
    if (rc)
        return rc;
    a->src.nats_credentials = dc_engine_secret(&a->run.engine, "nats") != NULL;
    rc = cli_load(&a->src, &cluster, &profile, "check");
    uint32_t source = 0;
    if (!rc)
        rc = prepare(cluster, profile, a, &source);
    if (!rc)
        rc = a->run.every_s > 0 ? watch(a, &cluster, &profile, source)
                                : run_once(cluster, profile, a, source);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    struct cli_args a;
    cli_args_init(&a);
    int rc = cli_parse(argc, argv, &cli_check_command, &a);
    if (rc) {
        rc = rc == CLI_HELP_SHOWN ? 0 : rc;
        goto out;
    }
    rc = validate_args(&a);
    if (!rc && (a.install_service || a.as_service) && a.run.every_s <= 0)
        rc = cli_usage_error("check",
                             "a service runs rounds: expected --every SECONDS with "
                             "--%s",
                             a.install_service ? "install-service" : "as-service");
    if (rc)
        goto out;
    if (a.install_service || a.uninstall_service) {
        rc = cli_run_validate(&a.run, "check");
        if (!rc)
            rc = cli_service(&cli_check_command, "dmsconn-watch", argc, argv, &a);
        goto out;
    }
    /* as the service dmsconn-watch: the rounds until its stop control */
    rc = a.as_service ? cli_as_service(&cli_check_command, "dmsconn-watch", check_run, &a)
                      : check_run(&a);
out:
    cli_args_free(&a);
    return rc;
}
