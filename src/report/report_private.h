/* What the report writers share: a cell's rank, a change's name, the JSON stream. */
#ifndef DMSCONN_REPORT_REPORT_PRIVATE_H
#define DMSCONN_REPORT_REPORT_PRIVATE_H

#include "dmsconn/diff.h"
#include "dmsconn/report.h"

const char *dci_change_name(enum dc_change change);

/* Writes the JSON document to f, one result at a time. 0 or -errno. */
int dci_report_json_stream(const struct dc_report *report, FILE *f);

int dci_result_rank(const struct dc_result *r);

#endif
