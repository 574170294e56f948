/* The dmsconn program (not the library): subcommands and what they share. */
#ifndef DMSCONN_CLI_H
#define DMSCONN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "dmsconn/agent.h"
#include "dmsconn/coordinator.h"
#include "dmsconn/secret.h"
#include "dmsconn/engine.h"
#include "dmsconn/report.h"
#include "dmsconn/verdict.h"

/* Where the node list and the profile come from (--dataminer-dir, --dms, --db, --inventory,
 * --node, --profile, --staas-endpoint). */
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
};

/* Options shared by subcommands: 1 when `opt` was theirs and valid, 0 when it is not theirs,
 * -1 when its value is invalid (the message is printed; exit 3). */
int cli_source_option(struct cli_sources *src, int opt, const char *arg);
void cli_sources_free(struct cli_sources *src);
int cli_run_option(struct cli_run *run, int opt, const char *arg, const char *cmd);
void cli_run_defaults(struct cli_run *run);
/* Wipes and frees what the options kept (the secrets' texts). */
void cli_run_free(struct cli_run *run);

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

int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

/* Long options shared by check and agent (their values are in cli_common.c). */
enum {
    OPT_DMS = 1000,
    OPT_DB,
    OPT_INVENTORY,
    OPT_NODE,
    OPT_PROFILE,
    OPT_TIMEOUT,
    OPT_CONCURRENCY,
    OPT_PER_NODE,
    OPT_SLOW_MS,
    OPT_JSON,
    OPT_QUIET,
    OPT_ALL,
    OPT_NO_COLOR,
    OPT_TLS_INSECURE,
    OPT_CSV,
    OPT_JUNIT,
    OPT_PROM,
    OPT_HTML,
    OPT_FORMAT,
    OPT_BASELINE,
    OPT_HISTORY,
    OPT_KEEP,
    OPT_SNMP_COMMUNITY_FILE,
    OPT_NATS_CREDS,
    OPT_OPENSEARCH_CREDENTIALS,
    OPT_SECRET,
    OPT_CA,
    OPT_FROM_HERE,
    OPT_ALL_TARGETS,
    OPT_AS,
    OPT_CHECK,
    OPT_FROM,
    OPT_TO,
    OPT_TOKEN_FILE_CHECK,
    OPT_AGENT_PORT,
    OPT_AGENT_TLS,
    OPT_AGENT_CA,
    OPT_AGENT_INSECURE,
    OPT_PREFLIGHT,
    OPT_DATAMINER_DIR,
    OPT_STAAS_ENDPOINT,
    OPT_NO_AGENT,
};

/* One option per line reads better than the formatter's layout. */
/* clang-format off */
#define CLI_SOURCE_LONGOPTS                                                                    \
    {"dataminer-dir", required_argument, NULL, OPT_DATAMINER_DIR},                             \
    {"staas-endpoint", required_argument, NULL, OPT_STAAS_ENDPOINT},                           \
    {"no-agent", required_argument, NULL, OPT_NO_AGENT},                                       \
    {"dms", required_argument, NULL, OPT_DMS},                                                 \
    {"db", required_argument, NULL, OPT_DB},                                                   \
    {"inventory", required_argument, NULL, OPT_INVENTORY},                                     \
    {"node", required_argument, NULL, OPT_NODE},                                               \
    {"profile", required_argument, NULL, OPT_PROFILE}

#define CLI_RUN_LONGOPTS                                                                       \
    {"timeout", required_argument, NULL, OPT_TIMEOUT},                                         \
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},                                 \
    {"per-node", required_argument, NULL, OPT_PER_NODE},                                       \
    {"slow-ms", required_argument, NULL, OPT_SLOW_MS},                                         \
    {"json", required_argument, NULL, OPT_JSON},                                               \
    {"quiet", no_argument, NULL, OPT_QUIET},                                                   \
    {"all", no_argument, NULL, OPT_ALL},                                                       \
    {"no-color", no_argument, NULL, OPT_NO_COLOR},                                             \
    {"tls-insecure", no_argument, NULL, OPT_TLS_INSECURE},                                     \
    {"ca", required_argument, NULL, OPT_CA},                                                   \
    {"csv", required_argument, NULL, OPT_CSV},                                                 \
    {"junit", required_argument, NULL, OPT_JUNIT},                                             \
    {"prom", required_argument, NULL, OPT_PROM},                                               \
    {"html", required_argument, NULL, OPT_HTML},                                               \
    {"format", required_argument, NULL, OPT_FORMAT},                                           \
    {"baseline", required_argument, NULL, OPT_BASELINE},                                       \
    {"history", required_argument, NULL, OPT_HISTORY},                                         \
    {"keep", required_argument, NULL, OPT_KEEP},                                               \
    {"snmp-community-file", required_argument, NULL, OPT_SNMP_COMMUNITY_FILE},                 \
    {"nats-creds", required_argument, NULL, OPT_NATS_CREDS},                                   \
    {"opensearch-credentials", required_argument, NULL, OPT_OPENSEARCH_CREDENTIALS},            \
    {"secret", required_argument, NULL, OPT_SECRET}
/* clang-format on */

#endif
