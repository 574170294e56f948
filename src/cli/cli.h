/* The dmsconn program (not the library): subcommands and what they share. */
#ifndef DMSCONN_CLI_H
#define DMSCONN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "dmsconn/agent.h"
#include "dmsconn/coordinator.h"
#include "dmsconn/secret.h"
#include "dmsconn/engine.h"
#include "dmsconn/metrics.h"
#include "dmsconn/report.h"
#include "dmsconn/verdict.h"

/* Where the node list and the profile come from (--dataminer-dir, --dms, --db, --inventory,
 * --node, --profile, --staas-endpoint, --no-agent). */
struct cli_sources {
    const char *dataminer_dir;
    const char *dms;
    const char *db;
    const char *inventory;
    const char *profile;
    const char *staas_endpoint;
    const char **nodes;
    size_t nnodes;
    bool nats_credentials; /* --nats-creds was given: NATS messaging can be tested */
    const char **no_agent; /* --no-agent LIST: nodes without an agent, as `agent: none` */
};

/* What goes to standard output. */
enum cli_format { CLI_TEXT, CLI_JSON, CLI_CSV, CLI_JUNIT, CLI_PROM, CLI_HTML, CLI_NONE };
int cli_format_parse(const char *name, enum cli_format *out);

/* How a run goes and what it writes. */
struct cli_run {
    struct dc_engine_opts engine;
    struct dc_verdict_opts verdict;
    const char *json; /* NULL, a path, or "-" */
    const char *csv;
    const char *junit;
    const char *prom;
    const char *html;
    const char *baseline; /* a previous JSON report to compare with */
    const char *history;  /* a directory of past JSON reports (the latest is the baseline) */
    unsigned keep;        /* how many reports history keeps */
    enum cli_format format;
    bool quiet;
    bool all;
    bool no_color;
    /* The full matrix: rows of other nodes go to their agents; `local` is this machine's
     * node (-1: none, every row goes to an agent). */
    bool coordinate;
    long local;
    struct dc_coordinator_opts coord;
    struct dc_secret *secrets; /* --secret NAME=FILE (engine.secrets points here) */
    size_t nsecrets;
    double every_s;                 /* check --every: seconds between rounds (0: one run) */
    struct dc_metrics_opts metrics; /* --metrics: listen NULL when not asked */
    struct cli_watch *watch;        /* while rounds run: what one round leaves the next */
};

/* Continuous mode's state across rounds (check --every), which the outputs read and update:
 * the diff is against the previous round, the history keeps the rounds that changed
 * something, and a terminal shows the view in place. */
struct cli_watch {
    char *previous; /* the previous round's JSON report, NULL before the first */
    size_t previous_len;
    unsigned long round;
    double every_s;
    struct timespec last_change;    /* wall clock; 0 before any change */
    size_t changes;                 /* changes seen between rounds so far */
    bool in_place;                  /* standard output is a terminal: redrawn in place */
    bool interrupted;               /* this round was cut short by a stop */
    char note[600];                 /* why this round's inputs are the last good ones, or "" */
    struct dc_watch_counts *counts; /* the long run's counters (/metrics, --prom) */
    struct dc_metrics *server;      /* --metrics, or NULL */
};

/* The options' defaults and what they kept (cli_options.h parses them). */
void cli_sources_free(struct cli_sources *src);
void cli_run_defaults(struct cli_run *run);
/* Wipes and frees what the options kept (the secrets' texts). */
void cli_run_free(struct cli_run *run);

/* Reads the node list and the profile: 0, or an error code with the message in diag (no
 * output). */
int cli_load_quiet(const struct cli_sources *src, struct dc_cluster **cluster,
                   struct dc_profile **profile, struct dc_diag *diag);
/* Reads the node list and the profile; on failure prints the message and returns 3. */
int cli_load(const struct cli_sources *src, struct dc_cluster **cluster,
             struct dc_profile **profile, const char *cmd);

/* Runs a plan, judges it, writes the reports; returns the exit code. */
int cli_execute(const struct dc_cluster *cluster, const struct dc_profile *profile,
                const struct dc_plan *plan, const struct cli_run *run);

/* The same, into the caller's results (plan->ntasks of them) and texts, for callers that
 * look at them afterwards. */
int cli_execute_into(const struct dc_cluster *cluster, const struct dc_profile *profile,
                     const struct dc_plan *plan, const struct cli_run *run,
                     struct dc_result *results, struct dc_texts *texts);

/* The judging stage (dc_verdict_run_all: every verdict and remedy, into the report's
 * writable results and their texts), the run's verdict (unknown when `failed`), then the
 * outputs, which only read what was judged; returns the exit code. */
struct dc_texts;
int cli_judge_and_write(struct dc_report *report, struct dc_result *results, struct dc_texts *texts,
                        const struct cli_run *run, bool failed);
/* Writes every requested output of a judged run (the diff against a baseline or the
 * history's last run included); returns the exit code. cli_outputs.c */
int cli_outputs(struct dc_report *report, const struct cli_run *run);
/* Before a run: every output path can be written, --baseline is a readable file, --history
 * is (or can become) a folder; else the message and 3. cli_outputs.c */
int cli_run_validate(const struct cli_run *run, const char *cmd);

int cli_usage_error(const char *cmd, const char *fmt, ...) DC_PRINTF(2, 3);
/* getopt_long said '?' (opterr is 0 in every command): one line naming the word. */
int cli_bad_option(const char *cmd, char **argv);
/* Splits "a,b,c" into a NULL-terminated list (the strings point into a copy it owns). */
const char **cli_split_list(const char *arg);

int cmd_agent(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
