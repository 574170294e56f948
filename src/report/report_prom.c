/* Prometheus text exposition (format 0.0.4) for node_exporter's textfile collector: per
 * result a pass gauge, a state gauge (state as a label, value 1) and the latency; per run
 * its duration, verdict and time. Written atomically, as the collector requires. */
#include "dmsconn/report.h"
#include "base/base_private.h"
#include "report/report_private.h"
#include "probes/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Label values escape backslash, double quote and line feed. */
static void label(FILE *f, const char *name, const char *value, bool first)
{
    fprintf(f, "%s%s=\"", first ? "" : ",", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            fputc('\\', f);
        if (*p == '\n')
            fputs("\\n", f);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void cell_labels(FILE *f, const struct dc_report *rep, size_t i)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    char port[8];
    snprintf(port, sizeof port, "%u", t->port);
    label(f, "from", rep->cluster->nodes[t->from].name, true);
    label(f, "to", rep->cluster->nodes[t->to].name, false);
    label(f, "check", rep->profile->checks[t->check].name, false);
    label(f, "port", port, false);
}

/* Each TLS endpoint's certificate once: when it expires (an alert rule compares it with
 * time()), and whether the sources could verify it. */
static void certs(FILE *f, const struct dc_report *rep)
{
    size_t n = 0;
    struct dci_cert_entry *list = dci_cert_list(rep, &n);
    static const char *const metric[] = {"dmsconn_cert_expiry_timestamp_seconds",
                                         "dmsconn_cert_verified"};
    static const char *const help[] = {
        "When the TLS endpoint's certificate expires (Unix time).",
        "1 when the endpoint's certificate is trusted here and names the address it was "
        "reached by."};
    for (int m = 0; m < 2; m++) {
        fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", metric[m], help[m], metric[m]);
        for (size_t k = 0; k < n; k++) {
            char port[8];
            const char *node, *check;
            if (list[k].agent >= 0) { /* an agent's own HTTPS: its expiry only (curl judged) */
                if (m == 1)
                    continue;
                const struct dc_node *a = &rep->cluster->nodes[list[k].agent];
                const char *colon = a->agent ? strrchr(a->agent, ':') : NULL;
                snprintf(port, sizeof port, "%s", colon ? colon + 1 : "");
                if (!colon)
                    snprintf(port, sizeof port, "%u", rep->agent_port);
                node = a->name;
                check = "agent";
            } else {
                const struct dc_task *t = &rep->plan->tasks[list[k].first];
                snprintf(port, sizeof port, "%u", t->port);
                node = rep->cluster->nodes[t->to].name;
                check = rep->profile->checks[t->check].name;
            }
            fprintf(f, "%s{", metric[m]);
            label(f, "node", node, true);
            label(f, "port", port, false);
            label(f, "check", check, false);
            label(f, "subject", list[k].cert.subject, false);
            label(f, "issuer", list[k].cert.issuer, false);
            if (m == 0)
                fprintf(f, "} %lld\n", (long long)list[k].cert.not_after);
            else
                fprintf(f, "} %d\n", list[k].cert.trusted && list[k].cert.names_ok);
        }
    }
    free(list);
}

/* What only a long run has (check --every): its rounds, and per path how often it changed
 * and when it last did, for a rate() or a "changed in the last hour" alert. */
static void watch_counts(FILE *f, const struct dc_report *rep)
{
    const struct dc_report_watch *w = rep->watch;
    fprintf(f,
            "# HELP dmsconn_watch_rounds_total Rounds run since continuous mode started.\n"
            "# TYPE dmsconn_watch_rounds_total counter\n"
            "dmsconn_watch_rounds_total %lu\n"
            "# HELP dmsconn_watch_start_timestamp_seconds When continuous mode started (Unix "
            "time).\n"
            "# TYPE dmsconn_watch_start_timestamp_seconds gauge\n"
            "dmsconn_watch_start_timestamp_seconds %lld\n",
            w->rounds, (long long)w->started);
    fputs("# HELP dmsconn_check_changes_total Times the path's state changed from one round to "
          "the next.\n"
          "# TYPE dmsconn_check_changes_total counter\n",
          f);
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        fputs("dmsconn_check_changes_total{", f);
        cell_labels(f, rep, i);
        fprintf(f, "} %lu\n", w->changes[i]);
    }
    fputs("# HELP dmsconn_check_last_change_timestamp_seconds When the path's state last "
          "changed (Unix time); absent while it never has.\n"
          "# TYPE dmsconn_check_last_change_timestamp_seconds gauge\n",
          f);
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        if (!w->last_change[i])
            continue;
        fputs("dmsconn_check_last_change_timestamp_seconds{", f);
        cell_labels(f, rep, i);
        fprintf(f, "} %lld\n", (long long)w->last_change[i]);
    }
}

static int write_prom(FILE *f, void *ud)
{
    const struct dc_report *rep = ud;
    size_t n = rep->plan->ntasks;
    fputs("# HELP dmsconn_check_pass 1 when the path's verdict is pass, 0 otherwise.\n"
          "# TYPE dmsconn_check_pass gauge\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs("dmsconn_check_pass{", f);
        cell_labels(f, rep, i);
        fprintf(f, "} %d\n", rep->results[i].verdict == DC_VERDICT_PASS);
    }
    fputs("# HELP dmsconn_check_fail 1 when the path's verdict is fail (a required path that "
          "does not work, a forbidden one that does), 0 otherwise: what to alert on.\n"
          "# TYPE dmsconn_check_fail gauge\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs("dmsconn_check_fail{", f);
        cell_labels(f, rep, i);
        fprintf(f, "} %d\n", rep->results[i].verdict == DC_VERDICT_FAIL);
    }
    fputs("# HELP dmsconn_check_state The path's observed state (the state label), always 1.\n"
          "# TYPE dmsconn_check_state gauge\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs("dmsconn_check_state{", f);
        cell_labels(f, rep, i);
        label(f, "state", dc_state_name(rep->results[i].state), false);
        fputs("} 1\n", f);
    }
    fputs("# HELP dmsconn_check_latency_seconds The TCP handshake round trip of the path.\n"
          "# TYPE dmsconn_check_latency_seconds gauge\n",
          f);
    for (size_t i = 0; i < n; i++) {
        if (rep->results[i].latency_ms < 0)
            continue;
        fputs("dmsconn_check_latency_seconds{", f);
        cell_labels(f, rep, i);
        fprintf(f, "} %.6f\n", rep->results[i].latency_ms / 1000.0);
    }
    fputs("# HELP dmsconn_icmp_loss_ratio Of the path's ICMP echo requests, the share that got "
          "no reply (its round trip is dmsconn_check_latency_seconds).\n"
          "# TYPE dmsconn_icmp_loss_ratio gauge\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const struct dc_check *c = &rep->profile->checks[rep->plan->tasks[i].check];
        struct dci_icmp_stats icmp;
        if (c->transport != DC_TRANSPORT_ICMP ||
            !dci_icmp_stats_parse(rep->results[i].evidence, &icmp) || !icmp.sent)
            continue;
        fputs("dmsconn_icmp_loss_ratio{", f);
        cell_labels(f, rep, i);
        fprintf(f, "} %.3f\n", (double)(icmp.sent - icmp.received) / icmp.sent);
    }
    const struct dc_diagnosis *d = rep->diagnosis;
    fputs("# HELP dmsconn_check_finding The kind of the cause the diagnosis gives a failed or "
          "warned path (the finding label), always 1.\n"
          "# TYPE dmsconn_check_finding gauge\n",
          f);
    for (size_t i = 0; d && i < n; i++) {
        if (d->cause_of[i] == DC_NO_CAUSE)
            continue;
        fputs("dmsconn_check_finding{", f);
        cell_labels(f, rep, i);
        label(f, "finding", dc_cause_kind_name(d->causes[d->cause_of[i]].kind), false);
        fputs("} 1\n", f);
    }
    size_t kinds[DC_CAUSE_KINDS] = {0};
    for (size_t c = 0; d && c < d->n; c++)
        kinds[d->causes[c].kind]++;
    fputs("# HELP dmsconn_findings Causes the diagnosis found, by kind.\n"
          "# TYPE dmsconn_findings gauge\n",
          f);
    for (int k = 0; k < DC_CAUSE_KINDS; k++)
        fprintf(f, "dmsconn_findings{kind=\"%s\"} %zu\n", dc_cause_kind_name((enum dc_cause_kind)k),
                kinds[k]);
    fputs("# HELP dmsconn_clock_offset_seconds A node's clock minus the coordinator's, measured "
          "over the exchange with its agent.\n"
          "# TYPE dmsconn_clock_offset_seconds gauge\n",
          f);
    for (size_t k = 0; rep->clocks && k < rep->cluster->nnodes; k++) {
        if (rep->clocks[k].source == DC_CLOCK_NONE)
            continue;
        fputs("dmsconn_clock_offset_seconds{", f);
        label(f, "node", rep->cluster->nodes[k].name, true);
        fprintf(f, "} %.6f\n", rep->clocks[k].offset_ms / 1000.0);
    }
    fputs("# HELP dmsconn_clock_uncertainty_seconds Half the round trip of that exchange: the "
          "offset is within it.\n"
          "# TYPE dmsconn_clock_uncertainty_seconds gauge\n",
          f);
    for (size_t k = 0; rep->clocks && k < rep->cluster->nnodes; k++) {
        if (rep->clocks[k].source == DC_CLOCK_NONE)
            continue;
        fputs("dmsconn_clock_uncertainty_seconds{", f);
        label(f, "node", rep->cluster->nodes[k].name, true);
        fprintf(f, "} %.6f\n", rep->clocks[k].uncertainty_ms / 1000.0);
    }
    certs(f, rep);
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        counts[rep->results[i].verdict]++;
    fputs("# HELP dmsconn_results Results of the run by verdict.\n"
          "# TYPE dmsconn_results gauge\n",
          f);
    for (int v = 0; v < 3; v++)
        fprintf(f, "dmsconn_results{verdict=\"%s\"} %zu\n", dc_verdict_name((enum dc_verdict)v),
                counts[v]);
    fprintf(f,
            "# HELP dmsconn_run_duration_seconds Wall time of the run.\n"
            "# TYPE dmsconn_run_duration_seconds gauge\n"
            "dmsconn_run_duration_seconds %.3f\n"
            "# HELP dmsconn_run_verdict The run's verdict as its exit code: 0 ok, 1 warning, "
            "2 critical, 3 unknown.\n"
            "# TYPE dmsconn_run_verdict gauge\n"
            "dmsconn_run_verdict %d\n"
            "# HELP dmsconn_run_timestamp_seconds When the run started (Unix time).\n"
            "# TYPE dmsconn_run_timestamp_seconds gauge\n"
            "dmsconn_run_timestamp_seconds %lld\n",
            rep->duration_ms / 1000.0, (int)rep->verdict, (long long)rep->started.tv_sec);
    if (rep->watch)
        watch_counts(f, rep);
    return ferror(f) ? -EIO : 0;
}

int dc_report_prom_write(const struct dc_report *rep, const char *path)
{
    return dci_output_stream(path, write_prom, (void *)rep);
}

char *dc_report_prom(const struct dc_report *rep, size_t *len)
{
    return dci_output_memory(write_prom, (void *)rep, len);
}
