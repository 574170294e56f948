/* What the report writers share: a cell's rank, a change's name, the JSON stream. */
#ifndef DMSCONN_REPORT_REPORT_PRIVATE_H
#define DMSCONN_REPORT_REPORT_PRIVATE_H

#include "dmsconn/diff.h"
#include "dmsconn/report.h"

const char *dci_change_name(enum dc_change change);

/* Writes the JSON document to f, one result at a time. 0 or -errno. */
int dci_report_json_stream(const struct dc_report *report, FILE *f);

int dci_result_rank(const struct dc_result *r);

/* "4 causes explain 20 failed checks and 2 warnings" (diagnosis_words.c). */
void dci_diagnosis_headline(const struct dc_diagnosis *d, char *buf, size_t cap);

/* "db1 (10.0.0.21)", the name alone when it is its address (the address probed, or NULL for
 * the node's first), "this machine (NAME)" for the source of --all-targets. verdict.c */
void dci_node_describe(const struct dc_node *node, const char *address, char *buf, size_t cap);

#endif
