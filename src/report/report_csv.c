/* CSV: one row per result with a header row; fields quoted as RFC 4180 says (double quotes
 * around any field with a comma, quote or line break; quotes doubled). */
#include "dmsconn/probe.h"
#include "dmsconn/report.h"
#include "base/base_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dc_csv_field(FILE *f, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static int write_csv(FILE *f, void *ud)
{
    const struct dc_report *rep = ud;
    static const char *const header[] = {"from",      "to",         "check",   "port",
                                         "transport", "probe",      "state",   "expect",
                                         "verdict",   "latency_ms", "address", "detail",
                                         "evidence",  "remedy",     "finding", "finding_index"};
    size_t ncols = sizeof header / sizeof header[0];
    for (size_t i = 0; i < ncols; i++)
        dc_csv_field(f, header[i], i + 1 == ncols);
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_result *r = &rep->results[i];
        const struct dc_check *c = &rep->profile->checks[t->check];
        char port[8], latency[32] = "", index[16] = "";
        const char *kind = "";
        if (rep->diagnosis && rep->diagnosis->cause_of[i] != DC_NO_CAUSE) {
            uint32_t cause = rep->diagnosis->cause_of[i];
            kind = dc_cause_kind_name(rep->diagnosis->causes[cause].kind);
            snprintf(index, sizeof index, "%u", cause);
        }
        const char *remedy = rep->results[i].remedy;
        snprintf(port, sizeof port, "%u", t->port);
        if (r->latency_ms >= 0)
            snprintf(latency, sizeof latency, "%.3f", r->latency_ms);
        const char *row[] = {rep->cluster->nodes[t->from].name,
                             rep->cluster->nodes[t->to].name,
                             c->name,
                             port,
                             dc_transport_name(c->transport),
                             c->probe->name,
                             dc_state_name(r->state),
                             dc_expect_name(c->expect),
                             dc_verdict_name(r->verdict),
                             latency,
                             r->address,
                             r->detail,
                             r->evidence,
                             remedy,
                             kind,
                             index};
        for (size_t k = 0; k < ncols; k++)
            dc_csv_field(f, row[k], k + 1 == ncols);
    }
    return ferror(f) ? -EIO : 0;
}

int dc_report_csv_write(const struct dc_report *rep, const char *path)
{
    return dci_output_stream(path, write_csv, (void *)rep);
}
