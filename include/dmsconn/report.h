/* Reports: views of one run. JSON is the contract (schema dmsconn.report/1). */
#ifndef DMSCONN_REPORT_H
#define DMSCONN_REPORT_H

#include <stdio.h>
#include <time.h>

#include "dmsconn/model.h"
#include "dmsconn/plan.h"

struct dc_report {
    const struct dc_cluster *cluster;
    const struct dc_profile *profile;
    const struct dc_plan *plan;
    const struct dc_result *results;
    struct timespec started; /* wall clock */
    double duration_ms;
    enum dc_run_verdict verdict;
    bool interrupted;
};

/* Returns a malloc'd JSON document (caller frees), or NULL when out of memory. */
char *dc_report_json(const struct dc_report *report);
/* Writes the JSON to path ("-" is stdout), atomically for files. 0 or -errno. */
int dc_report_json_write(const struct dc_report *report, const char *path);

struct dc_text_opts {
    bool color;
    bool all; /* list passing results too, not only failures and warnings */
};

void dc_report_text(const struct dc_report *report, const struct dc_text_opts *opts, FILE *out);

#endif
