/* Verdicts: expected x observed -> pass/warn/fail, with a remedy a person can act on. */
#ifndef DMSCONN_VERDICT_H
#define DMSCONN_VERDICT_H

#include "dmsconn/model.h"
#include "dmsconn/plan.h"

struct dc_verdict_opts {
    double slow_ms;      /* a working path slower than this is a warning (BPA: 50 ms) */
    double clock_warn_s; /* a node's clock further off than this warns (BPA: 1 s) */
    double clock_fail_s; /* ... and than this fails (BPA: 5 s) */
    /* a certificate that expires within this many days warns (SLDataGateway: 30) ... */
    double cert_warn_days;
    double cert_fail_days; /* ... within this many fails (SLDataGateway: 7) */
    double now_s;          /* the time certificates are judged at (epoch s); 0: the clock's */
};

void dc_verdict_opts_default(struct dc_verdict_opts *opts);

/* Fills result->verdict. opts NULL: the defaults. */
void dc_verdict_judge(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct dc_task *task, const struct dc_verdict_opts *opts,
                      struct dc_result *result);

/* The remedy for a judged result, written into buf ("" for a clean pass). */
void dc_verdict_remedy(const struct dc_cluster *cluster, const struct dc_profile *profile,
                       const struct dc_task *task, const struct dc_verdict_opts *opts,
                       const struct dc_result *result, char *buf, size_t cap);

/* The run's verdict: CRITICAL if anything failed, else UNKNOWN if something could not be
 * measured, else WARNING if anything warned, else OK. */
enum dc_run_verdict dc_verdict_run(const struct dc_result *results, size_t n);

struct dc_texts;
/* The judging stage of a run, once its results are in: every result's verdict and remedy
 * (kept in texts), then the run's verdict; the renderers and the exit code only read it. */
enum dc_run_verdict dc_verdict_run_all(const struct dc_cluster *cluster,
                                       const struct dc_profile *profile, const struct dc_plan *plan,
                                       const struct dc_verdict_opts *opts,
                                       struct dc_result *results, struct dc_texts *texts);

#endif
