/* Comparing two JSON reports (schema dmsconn.report/1): what broke, what healed, what
 * changed state, what appeared or went. Cells are matched by (from, to, check, port). */
#ifndef DMSCONN_DIFF_H
#define DMSCONN_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "dmsconn/error.h"

enum dc_change {
    DC_CHANGE_BROKE,   /* fails now, did not before (or is new and fails) */
    DC_CHANGE_HEALED,  /* failed before, does not now */
    DC_CHANGE_CHANGED, /* another state, neither of the above */
    DC_CHANGE_ADDED,   /* a new cell that does not fail */
    DC_CHANGE_REMOVED, /* gone from the new report */
    DC_CHANGE_COUNT
};

struct dc_diff_entry {
    enum dc_change change;
    char from[128];
    char to[128];
    char check[64];
    unsigned port;
    char old_state[24]; /* "" when absent */
    char new_state[24];
    char detail[192]; /* the new detail, or the old one for a removed cell */
};

struct dc_diff {
    struct dc_diff_entry *entries;
    size_t n;
    size_t counts[DC_CHANGE_COUNT];
};

/* Parses both reports; `old_name`/`new_name` name them in messages. */
int dc_diff_reports(const char *old_json, size_t old_len, const char *old_name,
                    const char *new_json, size_t new_len, const char *new_name,
                    struct dc_diff **out, struct dc_diag *diag);
void dc_diff_free(struct dc_diff *diff);
/* "what broke / healed / changed" for people; nothing when there is no change. */
void dc_diff_print(const struct dc_diff *diff, const char *baseline, bool color, FILE *out);

#endif
