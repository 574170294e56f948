/* Reports: views of one run. JSON is the contract (schema dmsconn.report/1). */
#ifndef DMSCONN_REPORT_H
#define DMSCONN_REPORT_H

#include <stdio.h>
#include <time.h>

#include "dmsconn/clock.h"
#include "dmsconn/diagnosis.h"
#include "dmsconn/diff.h"
#include "dmsconn/merge.h"
#include "dmsconn/model.h"
#include "dmsconn/plan.h"
#include "dmsconn/verdict.h"

/* Continuous mode's counts, which only a long run has (check --every; src/report/report_watch.c
 * keeps them): per result of this round, how often its cell changed since the watch began
 * and when it last did. */
struct dc_report_watch {
    unsigned long rounds;         /* rounds run, this one included */
    time_t started;               /* the watch's start (wall clock) */
    const unsigned long *changes; /* per result */
    const time_t *last_change;    /* per result; 0: never */
};

struct dc_report {
    const struct dc_cluster *cluster;
    const struct dc_profile *profile;
    const struct dc_plan *plan;
    const struct dc_result *results;
    struct timespec started; /* wall clock */
    double duration_ms;
    enum dc_run_verdict verdict;
    bool interrupted;
    const struct dc_verdict_opts *verdict_opts; /* how results were judged (NULL: defaults) */
    const struct dc_diff *diff;                 /* against a previous run, or NULL */
    const char *baseline;                       /* that run's file, for people */
    const struct dc_merge_row *rows;            /* dmsconn merge: per node, the report of its row */
    const struct dc_diagnosis *diagnosis;       /* the causes of its failures, or NULL */
    const struct dc_clock *clocks; /* per node (cluster->nnodes), judged; NULL: none measured */
    const struct dc_report_watch *watch; /* continuous mode's counts, or NULL */
    /* per node (cluster->nnodes): the certificate its agent's HTTPS showed (dc_cert text), or
     * NULL; the array NULL when none was read. Judged with the endpoints' (a pinned key's
     * dates are shown, not judged: the pin ignores them) */
    const char *const *agent_certs;
    unsigned agent_port; /* the agents' default port, for where such a certificate was seen */
    double refresh_s;    /* the HTML page reloads itself this often (a live page); 0: never */
};

/* What keeps those counts from round to round: a cell is known by (from, to, check, port),
 * as the diff knows it, so a profile or node list edited between rounds keeps the counts of
 * the cells that stay. */
struct dc_watch_counts;
struct dc_watch_counts *dc_watch_counts_new(time_t started);
/* Counts this round: `diff` is against the previous round (NULL in the first); points
 * report->watch at the counts, valid until the next call. 0 or DC_ENOMEM (then
 * report->watch is NULL: this round's counters are left out, not made up). */
int dc_watch_counts_round(struct dc_watch_counts *counts, struct dc_report *report,
                          const struct dc_diff *diff, time_t now);
void dc_watch_counts_free(struct dc_watch_counts *counts);

/* The run's verdict raised by the agents' certificates (report->agent_certs): one that a
 * CA verified and that expires within the failure threshold makes it critical, within the
 * warning threshold a warning. src/report/report_certs.c */
enum dc_run_verdict dc_report_agent_certs_verdict(const struct dc_report *report,
                                                  enum dc_run_verdict verdict);

/* Compares a previous JSON report with this run's results (no JSON of the run is made). */
int dc_diff_run(const char *old_json, size_t old_len, const char *old_name,
                const struct dc_report *report, struct dc_diff **out, struct dc_diag *diag);

/* Returns a malloc'd JSON document (caller frees), or NULL when out of memory. */
char *dc_report_json(const struct dc_report *report);
/* Writes the JSON to path ("-" is stdout), atomically for files. 0 or -errno. */
int dc_report_json_write(const struct dc_report *report, const char *path);

struct dc_text_opts {
    bool color;
    bool all;     /* list passing results too, not only failures and warnings */
    size_t width; /* columns to fit the matrix in (0: 100); wider clusters fold */
};

void dc_report_text(const struct dc_report *report, const struct dc_text_opts *opts, FILE *out);
/* The failed gRPC and Remoting paths between DMAs in the words of DataMiner's BPA, one line
 * per source Agent; nothing when none failed. src/report/report_bpa.c */
void dc_report_bpa(const struct dc_report *report, FILE *out);

/* One row per result, RFC 4180 quoting. 0 or -errno. */
int dc_report_csv_write(const struct dc_report *report, const char *path);
/* JUnit XML: a testcase per result (class: source node; name: to:check:port); failures
 * carry the remedy. 0 or -errno. */
int dc_report_junit_write(const struct dc_report *report, const char *path);
/* Prometheus text exposition, for node_exporter's textfile collector. 0 or -errno. */
int dc_report_prom_write(const struct dc_report *report, const char *path);
/* A self-contained HTML page: heatmaps, details, failures with remedies. 0 or -errno. */
int dc_report_html_write(const struct dc_report *report, const char *path);
/* The same two in memory (a malloc'd text the caller frees, its length in *len), for a page
 * served: NULL when out of memory. */
char *dc_report_prom(const struct dc_report *report, size_t *len);
char *dc_report_html(const struct dc_report *report, size_t *len);

/* One CSV field as RFC 4180 quotes it; `last` ends the row with CRLF. */
void dc_csv_field(FILE *f, const char *s, bool last);

/* A matrix cell (src/report/report_cell.c): each result ranks pass < warn < not measured < fail;
 * the cell shows its worst rank and how many of its checks have it. */
enum { DC_RANK_PASS, DC_RANK_WARN, DC_RANK_UNMEASURED, DC_RANK_FAIL, DC_RANKS };
struct dc_cell {
    unsigned total;
    unsigned ranks[DC_RANKS];
};
void dc_cell_add(struct dc_cell *cell, const struct dc_result *r);
/* The worst rank of the cell, -1 when it has no check. */
int dc_cell_worst(const struct dc_cell *cell);
/* ".", "ok 8", "warn 1/8", "? 2/8", "FAIL 1/8". */
void dc_cell_label(const struct dc_cell *cell, char *buf, size_t cap);

#endif
