/* The matrix from per-node reports: each node's `dmsconn check --from-here --json`, made by
 * a scheduled task and copied anywhere, fills its row of the plan; no agent, no open port. */
#ifndef DMSCONN_MERGE_H
#define DMSCONN_MERGE_H

#include <time.h>

#include "dmsconn/error.h"
#include "dmsconn/model.h"
#include "dmsconn/plan.h"
#include "dmsconn/texts.h"

/* Where one row came from. */
struct dc_merge_row {
    const char *file; /* the report that gave it (NULL: none) */
    time_t started;   /* when that report's run started */
    bool stale;       /* older than max_age_h: its cells are unknown */
};

struct dc_merge_opts {
    double max_age_h; /* a report older than this is stale (0: 26 h, a nightly run's margin) */
    time_t now;       /* 0: the clock's */
};

/* What a merge made: the plan of the full matrix, one result per task, one row per node. */
struct dc_merge_out {
    struct dc_plan *plan;
    struct dc_result *results;
    struct dc_merge_row *rows;
};

/* Reads the reports (one in memory at a time), adopts the HTTPS-name destinations their rows
 * checked (a DMA's own <HTTPS name>), plans the full matrix and fills it (strings in texts). A
 * report of another cluster or profile, one that is no dmsconn report, or two reports giving the
 * same row: an error naming the file (exit 3). A row without a report (or with a stale one) is
 * unknown, its cause in agent_failure (DC_AGENT_NO_REPORT, DC_AGENT_STALE); notes on cluster say
 * what was read. `out` is the caller's to free (dc_merge_out_free) whatever the result. */
int dc_merge_run(struct dc_cluster *cluster, const struct dc_profile *profile,
                 const char *const *paths, size_t npaths, const struct dc_merge_opts *opts,
                 struct dc_merge_out *out, struct dc_texts *texts, struct dc_diag *diag);
void dc_merge_out_free(struct dc_merge_out *out);

/* One report's text (origin names it in messages) into results and rows, as
 * dc_merge_run does for each file, without marking the rows no report gave (the
 * readers' fuzz target). */
int dc_merge_text(struct dc_cluster *cluster, const struct dc_profile *profile,
                  const struct dc_plan *plan, const char *data, size_t len, const char *origin,
                  struct dc_result *results, struct dc_texts *texts, struct dc_merge_row *rows,
                  struct dc_diag *diag);

#endif
