/* One rule for a matrix cell, shared by the terminal and the HTML page: each result ranks as
 * pass, warn, not measured or fail; a cell shows its worst rank and how many of its checks
 * have that rank ("FAIL 1/8": one of eight checks fails, whatever the others are). */
#include "dmsconn/report.h"
#include "report/report_private.h"

#include <stdio.h>

int dci_result_rank(const struct dc_result *r)
{
    if (r->verdict == DC_VERDICT_FAIL)
        return DC_RANK_FAIL;
    if (r->state == DC_STATE_UNKNOWN || r->state == DC_STATE_ERROR)
        return DC_RANK_UNMEASURED;
    return r->verdict == DC_VERDICT_WARN ? DC_RANK_WARN : DC_RANK_PASS;
}

void dc_cell_add(struct dc_cell *c, const struct dc_result *r)
{
    c->total++;
    c->ranks[dci_result_rank(r)]++;
}

int dc_cell_worst(const struct dc_cell *c)
{
    for (int k = DC_RANKS - 1; k > 0; k--) {
        if (c->ranks[k])
            return k;
    }
    return c->total ? DC_RANK_PASS : -1;
}

void dc_cell_label(const struct dc_cell *c, char *buf, size_t cap)
{
    static const char *const word[DC_RANKS] = {"ok", "warn", "?", "FAIL"};
    int worst = dc_cell_worst(c);
    if (worst < 0)
        snprintf(buf, cap, ".");
    else if (worst == DC_RANK_PASS)
        snprintf(buf, cap, "ok %u", c->total);
    else
        snprintf(buf, cap, "%s %u/%u", word[worst], c->ranks[worst], c->total);
}
