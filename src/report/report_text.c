/* The terminal view: a source x destination matrix, then every failure with its remedy. */
#include "dmsconn/report.h"
#include "base/base_private.h"
#include "base/os.h"
#include "report/report_private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_MAX_COLS 18
#define CELL_MIN_COLS 9

static const char *const GREEN = "\033[32m", *const YELLOW = "\033[33m", *const RED = "\033[31m",
                         *const GREY = "\033[90m", *const BOLD = "\033[1m",
                         *const RESET = "\033[0m";

/* A name longer than its column keeps its head and its tail around a '~': names of one
 * cluster share a prefix and differ at the end (orion-dataminer-agent-01, -02). */
static void fit(const char *name, char *buf, size_t width)
{
    size_t n = strlen(name);
    if (n <= width) {
        snprintf(buf, width + 1, "%s", name);
        return;
    }
    size_t tail = (width - 1) / 2, head = width - 1 - tail;
    snprintf(buf, width + 1, "%.*s~%s", (int)head, name, name + n - tail);
}

/* Whether every shown node's label, cut to width, is told apart from the others. */
static bool labels_distinct(const struct dc_cluster *cl, const bool *shown, size_t width)
{
    char a[64], b[64];
    for (size_t i = 0; i < cl->nnodes; i++) {
        if (!shown[i])
            continue;
        fit(cl->nodes[i].name, a, width);
        for (size_t j = i + 1; j < cl->nnodes; j++) {
            if (shown[j] && (fit(cl->nodes[j].name, b, width), strcmp(a, b) == 0))
                return false;
        }
    }
    return true;
}

static void cell_text(const struct dc_cell *c, char *buf, size_t cap, const char **color)
{
    static const char *const *const colors[DC_RANKS] = {&GREEN, &YELLOW, &YELLOW, &RED};
    int worst = dc_cell_worst(c);
    dc_cell_label(c, buf, cap);
    *color = worst < 0 ? GREY : *colors[worst];
}

static void print_padded(FILE *out, const char *text, size_t width, const char *color, bool use)
{
    fprintf(out, "%s%-*s%s", use ? color : "", (int)width, text, use ? RESET : "");
}

static void print_matrix(const struct dc_report *rep, const struct dc_text_opts *opts, FILE *out)
{
    const struct dc_cluster *cl = rep->cluster;
    size_t n = cl->nnodes;
    struct dc_cell *cells = calloc(n * n, sizeof *cells);
    bool *is_src = calloc(n, sizeof *is_src), *is_dst = calloc(n, sizeof *is_dst);
    if (!cells || !is_src || !is_dst)
        goto out;
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_result *r = &rep->results[i];
        is_src[t->from] = is_dst[t->to] = true;
        dc_cell_add(&cells[t->from * n + t->to], r);
    }
    size_t ndst = 0, cell_w = CELL_MIN_COLS;
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        ndst += is_dst[i];
    }
    for (size_t k = 0; k < n * n; k++) {
        const char *color;
        cell_text(&cells[k], buf, sizeof buf, &color);
        cell_w = strlen(buf) + 1 > cell_w ? strlen(buf) + 1 : cell_w;
    }
    size_t row_w = 9, col_w = cell_w;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(cl->nodes[i].name);
        if (is_src[i] && len > row_w)
            row_w = len;
        if (is_dst[i] && len + 1 > col_w)
            col_w = len + 1;
    }
    row_w = row_w > NAME_MAX_COLS ? NAME_MAX_COLS : row_w;
    col_w = col_w > NAME_MAX_COLS ? NAME_MAX_COLS : col_w;
    size_t width = opts->width ? opts->width : 100;
    /* Too wide for the terminal: the columns fold into blocks that fit, rather than lines
     * that wrap. Short keys (#1, #2, ...) stand for the names only when cut names could not
     * be told apart. */
    bool *named = calloc(n, sizeof *named);
    for (size_t i = 0; named && i < n; i++)
        named[i] = is_src[i] || is_dst[i];
    bool keyed = !named || !labels_distinct(cl, named, (row_w < col_w - 1 ? row_w : col_w - 1));
    free(named);
    if (keyed) {
        row_w = 9;
        col_w = cell_w > 5 ? cell_w : 5;
        fputs("key:", out);
        for (size_t i = 0, k = 0; i < n; i++) {
            if (is_src[i] || is_dst[i])
                fprintf(out, "%s #%zu %s", k++ ? "," : "", i + 1, cl->nodes[i].name);
        }
        fputs("\n", out);
    }
    size_t per_block = width > row_w + 1 + col_w ? (width - row_w - 1) / col_w : 1;
    size_t first = 0;
    while (first < n) {
        /* the destinations of this block: the next per_block of them */
        size_t last = first, shown = 0;
        while (last < n && shown < per_block)
            shown += is_dst[last++];
        if (shown == 0)
            break;
        if (first > 0)
            fputc('\n', out);
        fprintf(out, "%-*s ", (int)row_w, "from\\to");
        for (size_t d = first; d < last; d++) {
            if (!is_dst[d])
                continue;
            if (keyed)
                snprintf(buf, sizeof buf, "#%zu", d + 1);
            else
                fit(cl->nodes[d].name, buf, col_w - 1);
            print_padded(out, buf, col_w, BOLD, opts->color);
        }
        fputc('\n', out);
        for (size_t src = 0; src < n; src++) {
            if (!is_src[src])
                continue;
            if (keyed)
                snprintf(buf, sizeof buf, "#%zu", src + 1);
            else
                fit(cl->nodes[src].name, buf, row_w);
            print_padded(out, buf, row_w, BOLD, opts->color);
            fputc(' ', out);
            for (size_t d = first; d < last; d++) {
                if (!is_dst[d])
                    continue;
                const char *color;
                cell_text(&cells[src * n + d], buf, sizeof buf, &color);
                print_padded(out, buf, col_w, color, opts->color);
            }
            fputc('\n', out);
        }
        first = last;
    }
out:
    free(cells);
    free(is_src);
    free(is_dst);
}

/* LEAD then TEXT, wrapped at word boundaries to the terminal's width, continuation lines under
 * the text; a word longer than a line stands on its own. */
static void print_wrapped(FILE *out, const char *lead, size_t indent, const char *text,
                          size_t width)
{
    size_t room = width > indent + 20 ? width - indent : 60, used = 0;
    fputs(lead, out);
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        size_t word = strcspn(p, " ");
        if (word == 0)
            break;
        if (used > 0 && used + 1 + word > room) {
            fprintf(out, "\n%*s", (int)indent, "");
            used = 0;
        } else if (used > 0) {
            fputc(' ', out);
            used++;
        }
        fwrite(p, 1, word, out);
        used += word;
        p += word;
    }
    fputc('\n', out);
}

static void print_remedy(FILE *out, const char *text, size_t width)
{
    static const char lead[] = "       remedy: ";
    print_wrapped(out, lead, sizeof lead - 1, text, width);
}

/* The causes first: "3 causes explain 20 failed checks", each with its evidence and the one
 * remedy for all its cells; the per-cell list follows. */
static void print_diagnosis(const struct dc_report *rep, const struct dc_text_opts *opts, FILE *out)
{
    const struct dc_diagnosis *d = rep->diagnosis;
    if (!d || d->n == 0)
        return;
    size_t width = opts->width ? opts->width : 100;
    char headline[128];
    dci_diagnosis_headline(d, headline, sizeof headline);
    fprintf(out, "\nDiagnosis: %s:\n", headline);
    for (size_t c = 0; c < d->n; c++) {
        const struct dc_cause *s = &d->causes[c];
        static const char evidence[] = "       evidence: ";
        char lead[96];
        /* the kind in colour, its width counted without the escapes */
        int n = snprintf(lead, sizeof lead, "  %zu. %s: ", c + 1, dc_cause_kind_name(s->kind));
        snprintf(lead, sizeof lead, "  %zu. %s%s%s: ", c + 1,
                 opts->color ? (s->nfail ? RED : YELLOW) : "", dc_cause_kind_name(s->kind),
                 opts->color ? RESET : "");
        print_wrapped(out, lead, (size_t)n, s->summary, width);
        print_wrapped(out, evidence, sizeof evidence - 1, s->evidence, width);
        print_remedy(out, s->remedy, width);
    }
}

static void print_result(const struct dc_report *rep, size_t i, const struct dc_text_opts *opts,
                         FILE *out)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    const struct dc_result *r = &rep->results[i];
    const struct dc_check *c = &rep->profile->checks[t->check];
    const char *color = r->verdict == DC_VERDICT_FAIL   ? RED
                        : r->verdict == DC_VERDICT_WARN ? YELLOW
                                                        : GREEN;
    char latency[32] = "";
    if (r->latency_ms >= 0)
        snprintf(latency, sizeof latency, ", %.*f ms", r->latency_ms < 10 ? 2 : 0, r->latency_ms);
    char port[16];
    fprintf(out, "  %s%-4s%s %s -> %s %s %s: %s (%s%s)%s\n", opts->color ? color : "",
            r->verdict == DC_VERDICT_FAIL   ? "FAIL"
            : r->verdict == DC_VERDICT_WARN ? "WARN"
                                            : "ok",
            opts->color ? RESET : "", rep->cluster->nodes[t->from].name,
            rep->cluster->nodes[t->to].name, c->name,
            dci_port_label(c->transport, t->port, port, sizeof port), dc_state_name(r->state),
            r->detail, latency, r->preflight ? " [pre-flight]" : "");
    const char *remedy = rep->results[i].remedy;
    if (remedy[0])
        print_remedy(out, remedy, opts->width ? opts->width : 100);
}

/* A row whose agent gave nothing is said once, with its count and the remedy for the cause,
 * not once per task (an agent that refused the token made 18 identical lines). Tasks are
 * grouped by source, so the row is the run of tasks from i with the same source. */
static size_t print_agent_row(const struct dc_report *rep, size_t i,
                              const struct dc_text_opts *opts, FILE *out)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    size_t n = 0, end = i;
    for (; end < rep->plan->ntasks && rep->plan->tasks[end].from == t->from; end++)
        n += rep->results[end].agent_failure != DC_AGENT_OK;
    fprintf(out, "  %s%-4s%s %s's row: %zu check%s not measured: %s\n", opts->color ? YELLOW : "",
            "WARN", opts->color ? RESET : "", rep->cluster->nodes[t->from].name, n,
            n == 1 ? "" : "s", rep->results[i].detail);
    const char *remedy = rep->results[i].remedy;
    if (remedy[0])
        print_remedy(out, remedy, opts->width ? opts->width : 100);
    return end;
}

/* Each measured clock against this machine's, as the BPA "DataMiner Agent Minimum
 * Requirements" judges it; nothing when no agent told its clock. */
static void print_clocks(const struct dc_report *rep, const struct dc_text_opts *opts, FILE *out)
{
    size_t measured = 0;
    for (size_t n = 0; rep->clocks && n < rep->cluster->nnodes; n++)
        measured +=
            rep->clocks[n].source != DC_CLOCK_NONE && rep->clocks[n].source != DC_CLOCK_REFERENCE;
    if (!measured)
        return;
    const struct dc_verdict_opts *v = rep->verdict_opts;
    fprintf(out, "\nClocks against this machine's (warn over %g s, fail over %g s):\n",
            v ? v->clock_warn_s : 1.0, v ? v->clock_fail_s : 5.0);
    for (size_t n = 0; n < rep->cluster->nnodes; n++) {
        const struct dc_clock *c = &rep->clocks[n];
        if (c->source == DC_CLOCK_NONE)
            continue;
        const char *color = c->verdict == DC_VERDICT_FAIL   ? RED
                            : c->verdict == DC_VERDICT_WARN ? YELLOW
                                                            : GREEN;
        fprintf(out, "  %s%-4s%s %-18s %+10.3f s  +/- %.1f ms  (%s)\n", opts->color ? color : "",
                c->verdict == DC_VERDICT_FAIL   ? "FAIL"
                : c->verdict == DC_VERDICT_WARN ? "WARN"
                                                : "ok",
                opts->color ? RESET : "", rep->cluster->nodes[n].name, c->offset_ms / 1000.0,
                c->uncertainty_ms, dc_clock_source_name(c->source));
    }
}

/* The TLS endpoints' certificates, soonest expiry first, as DataMiner's SLDataGateway judges
 * its databases' (10.5.9): those that need something, then the next few to expire, unless
 * --all lists every one. */
static void print_certs(const struct dc_report *rep, const struct dc_text_opts *opts, FILE *out)
{
    size_t n = 0, passing = 0, shown = 0;
    struct dci_cert_entry *list = dci_cert_list(rep, &n);
    if (!n) {
        free(list);
        return;
    }
    const struct dc_verdict_opts *v = rep->verdict_opts;
    double now = dci_verdict_now(v);
    fprintf(out, "\nCertificates, soonest expiry first (warn within %g days, fail within %g):\n",
            v ? v->cert_warn_days : 30, v ? v->cert_fail_days : 7);
    for (size_t k = 0; k < n; k++) {
        const struct dci_cert_entry *e = &list[k];
        bool pass = e->verdict == DC_VERDICT_PASS;
        if (pass && !opts->all && passing++ >= 3)
            continue;
        shown++;
        const char *color = e->verdict == DC_VERDICT_FAIL   ? RED
                            : e->verdict == DC_VERDICT_WARN ? YELLOW
                                                            : GREEN;
        char where[160], day[16];
        struct tm tm;
        dci_os_gmtime((time_t)e->cert.not_after, &tm);
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
        dci_cert_entry_where(rep, e, where, sizeof where);
        fprintf(
            out, "  %s%-4s%s %s: %s (%.1f days), %s, %s, issued by %s\n", opts->color ? color : "",
            e->verdict == DC_VERDICT_FAIL   ? "FAIL"
            : e->verdict == DC_VERDICT_WARN ? "WARN"
                                            : "ok",
            opts->color ? RESET : "", where, day, dc_cert_days_left(&e->cert, now), e->cert.version,
            e->cert.subject[0] ? e->cert.subject : "(no subject)", e->cert.issuer);
        if (e->problems[0])
            fprintf(out, "       %s\n", e->problems);
    }
    if (shown < n)
        fprintf(out, "  ... and %zu more valid beyond %g days (--all lists them)\n", n - shown,
                v ? v->cert_warn_days : 30);
    free(list);
}

void dc_report_text(const struct dc_report *rep, const struct dc_text_opts *opts, FILE *out)
{
    size_t counts[3] = {0, 0, 0}, unmeasured = 0, advisory = 0;
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        const struct dc_result *r = &rep->results[i];
        counts[r->verdict]++;
        unmeasured += r->agent_failure != DC_AGENT_OK;
        /* an advisory check not measured (ICMP echo without a socket): not in the verdict */
        advisory += r->agent_failure == DC_AGENT_OK && r->state == DC_STATE_UNKNOWN &&
                    rep->profile->checks[rep->plan->tasks[i].check].expect == DC_EXPECT_ADVISORY;
    }
    const char *vcolor[] = {GREEN, YELLOW, RED, YELLOW};
    fprintf(out, "dmsconn: cluster %s, profile %s: %zu checks in %.2f s%s\n",
            rep->cluster->name ? rep->cluster->name : "(unnamed)", rep->profile->name,
            rep->plan->ntasks, rep->duration_ms / 1000.0,
            rep->interrupted ? " (INTERRUPTED: partial results)" : "");
    if (rep->plan->ntasks > 0)
        print_matrix(rep, opts, out);
    print_diagnosis(rep, opts, out);
    bool header = false;
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        if (!opts->all && rep->results[i].verdict == DC_VERDICT_PASS)
            continue;
        if (!header) {
            fprintf(out, "\n%s:\n", opts->all ? "Results" : "Failures and warnings");
            header = true;
        }
        if (rep->results[i].agent_failure != DC_AGENT_OK) {
            i = print_agent_row(rep, i, opts, out) - 1; /* the row is said once */
            continue;
        }
        print_result(rep, i, opts, out);
    }
    dc_report_bpa(rep, out);
    print_clocks(rep, opts, out);
    print_certs(rep, opts, out);
    for (size_t i = 0; i < rep->cluster->nnotes; i++)
        fprintf(out, "%snote: %s\n", i == 0 ? "\n" : "", rep->cluster->notes[i]);
    if (rep->diff)
        dc_diff_print(rep->diff, rep->baseline ? rep->baseline : "the baseline", opts->color, out);
    char apart[160] = "", clocks[64] = "";
    if (unmeasured)
        snprintf(apart, sizeof apart, "; %zu of the warnings not measured (%s)", unmeasured,
                 rep->rows ? "rows without a current report" : "agents");
    if (advisory)
        snprintf(apart + strlen(apart), sizeof apart - strlen(apart),
                 "; %zu advisory check%s (ICMP echo) not measured, not in the verdict", advisory,
                 advisory == 1 ? "" : "s");
    size_t clock_counts[3] = {0, 0, 0};
    for (size_t n = 0; rep->clocks && n < rep->cluster->nnodes; n++)
        clock_counts[rep->clocks[n].verdict]++;
    if (clock_counts[DC_VERDICT_FAIL] || clock_counts[DC_VERDICT_WARN]) /* they count too */
        snprintf(clocks, sizeof clocks, "; clocks: %zu fail, %zu warn",
                 clock_counts[DC_VERDICT_FAIL], clock_counts[DC_VERDICT_WARN]);
    char agents[64] = "";
    size_t agent_counts[3] = {0, 0, 0};
    size_t ncerts = 0;
    struct dci_cert_entry *certs = rep->agent_certs ? dci_cert_list(rep, &ncerts) : NULL;
    for (size_t k = 0; k < ncerts; k++)
        agent_counts[certs[k].verdict] += certs[k].agent >= 0;
    free(certs);
    if (agent_counts[DC_VERDICT_FAIL] || agent_counts[DC_VERDICT_WARN]) /* they count too */
        snprintf(agents, sizeof agents, "; agents' certificates: %zu fail, %zu warn",
                 agent_counts[DC_VERDICT_FAIL], agent_counts[DC_VERDICT_WARN]);
    fprintf(out, "\nverdict: %s%s%s (%zu pass, %zu warn, %zu fail%s%s%s)\n",
            opts->color ? vcolor[rep->verdict] : "", dc_run_verdict_name(rep->verdict),
            opts->color ? RESET : "", counts[DC_VERDICT_PASS], counts[DC_VERDICT_WARN],
            counts[DC_VERDICT_FAIL], apart, clocks, agents);
}
