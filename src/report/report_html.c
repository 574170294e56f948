/* The HTML report: one self-contained page (no external scripts, fonts or images) that
 * works offline and as an e-mail attachment. Verdict and counts on top; a heatmap per
 * protocol group and one combined (rows: source, columns: destination; a cell's colour is
 * its worst verdict; hover shows a summary, a click the checks of that pair); the failures
 * with their remedies, sortable and filterable; a legend; a print style. The tables are
 * plain HTML, so the page reads without JavaScript too. */
#include "dmsconn/probe.h"
#include "dmsconn/report.h"
#include "base/json_write.h"
#include "base/os.h"
#include "base/base_private.h"
#include "report/report_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* The protocol group a check belongs to, for one heatmap each. */
/* A check's heatmap: its family's (the probe declares it, a check may say otherwise). */
static const char *group_of(const struct dc_check *c)
{
    return dc_family_name(c->family);
}

static const char *const rank_class[] = {"pass", "warn", "unknown", "fail"};

static void heatmap(FILE *f, const struct dc_report *rep, const char *group, const bool *is_src,
                    const bool *is_dst)
{
    const struct dc_cluster *cl = rep->cluster;
    size_t n = cl->nnodes, total = 0;
    for (size_t i = 0; i < rep->plan->ntasks; i++)
        total += !group ||
                 strcmp(group_of(&rep->profile->checks[rep->plan->tasks[i].check]), group) == 0;
    if (total == 0)
        return;
    fprintf(f,
            "<section class=\"map\"><h2>%s</h2><table class=\"heat\" data-group=\"%s\">"
            "<thead><tr><th class=\"corner\">from \\ to</th>",
            group ? group : "All checks", group ? group : "all");
    for (size_t d = 0; d < n; d++) {
        if (!is_dst[d])
            continue;
        fputs("<th scope=\"col\">", f);
        esc(f, cl->nodes[d].name);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>", f);
    for (size_t s = 0; s < n; s++) {
        if (!is_src[s])
            continue;
        fputs("<tr><th scope=\"row\">", f);
        esc(f, cl->nodes[s].name);
        fputs("</th>", f);
        for (size_t d = 0; d < n; d++) {
            if (!is_dst[d])
                continue;
            struct dc_cell cell = {0};
            struct dci_memstream titles;
            FILE *t = dci_memstream_open(&titles);
            for (size_t i = 0; i < rep->plan->ntasks; i++) {
                const struct dc_task *task = &rep->plan->tasks[i];
                const struct dc_check *c = &rep->profile->checks[task->check];
                if (task->from != s || task->to != d || (group && strcmp(group_of(c), group)))
                    continue;
                const struct dc_result *r = &rep->results[i];
                dc_cell_add(&cell, r);
                /* each check says its verdict: a passing one inside a FAIL cell says pass */
                char port[16];
                if (t)
                    fprintf(t, "%s %s: %s, %s\n", c->name,
                            dci_port_label(c->transport, task->port, port, sizeof port),
                            dc_state_name(r->state), dc_verdict_name(r->verdict));
            }
            char *title = dci_memstream_close(&titles, NULL);
            int worst = dc_cell_worst(&cell);
            if (worst < 0) {
                fputs("<td class=\"none\">&middot;</td>", f);
            } else {
                fprintf(f,
                        "<td class=\"cell %s\" data-from=\"%zu\" data-to=\"%zu\" "
                        "data-group=\"%s\" tabindex=\"0\" title=\"",
                        rank_class[worst], s, d, group ? group : "");
                esc(f, title ? title : "");
                char label[48];
                dc_cell_label(&cell, label, sizeof label);
                fprintf(f, "\">%s</td>", label);
            }
            free(title);
        }
        fputs("</tr>", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* The causes first, each with the cells it explains counted and its one remedy. */
static void diagnosis(FILE *f, const struct dc_report *rep)
{
    const struct dc_diagnosis *d = rep->diagnosis;
    if (!d || d->n == 0)
        return;
    char headline[128];
    dci_diagnosis_headline(d, headline, sizeof headline);
    fprintf(f, "<section id=\"diagnosis\"><h2>Diagnosis: %s</h2><ol class=\"causes\">", headline);
    for (size_t c = 0; c < d->n; c++) {
        const struct dc_cause *s = &d->causes[c];
        fprintf(f, "<li class=\"%s\" id=\"cause-%zu\"><p><strong>%s</strong> ",
                s->nfail ? "fail" : "warn", c + 1, dc_cause_kind_name(s->kind));
        esc(f, s->summary);
        fprintf(f, " <span class=\"meta\">(%zu check%s)</span></p><p>evidence: ", s->ncells,
                s->ncells == 1 ? "" : "s");
        esc(f, s->evidence);
        fputs("</p><p>remedy: ", f);
        esc(f, s->remedy);
        fputs("</p></li>", f);
    }
    fputs("</ol></section>\n", f);
}

/* Every TLS endpoint's certificate, soonest expiry first. */
static void certs(FILE *f, const struct dc_report *rep)
{
    size_t n = 0;
    struct dci_cert_entry *list = dci_cert_list(rep, &n);
    if (!n) {
        free(list);
        return;
    }
    double now = dci_verdict_now(rep->verdict_opts);
    fputs("<section id=\"certificates\"><h2>Certificates</h2><table class=\"list\"><thead><tr>"
          "<th>endpoint</th><th>expires</th><th>days left</th><th>verdict</th><th>TLS</th>"
          "<th>subject</th><th>issuer</th><th>names</th><th>problems</th></tr></thead><tbody>",
          f);
    for (size_t k = 0; k < n; k++) {
        const struct dci_cert_entry *e = &list[k];
        static const char *const cls[] = {"pass", "warn", "fail"};
        char where[160], day[32];
        struct tm tm;
        dci_os_gmtime((time_t)e->cert.not_after, &tm);
        strftime(day, sizeof day, "%Y-%m-%d %H:%M UTC", &tm);
        dci_cert_entry_where(rep, e, where, sizeof where);
        fprintf(f, "<tr class=\"%s\"><td>", cls[e->verdict]);
        esc(f, where);
        fprintf(f, "</td><td>%s</td><td>%.1f</td><td>%s</td><td>", day,
                dc_cert_days_left(&e->cert, now), dc_verdict_name(e->verdict));
        const char *cells[] = {e->cert.version, e->cert.subject, e->cert.issuer, e->cert.san,
                               e->problems};
        for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
            esc(f, cells[c]);
            fputs(c + 1 < sizeof cells / sizeof cells[0] ? "</td><td>" : "</td></tr>", f);
        }
    }
    fputs("</tbody></table></section>\n", f);
    free(list);
}

/* Each measured clock against the coordinator's, as the BPA judges it. */
static void clocks(FILE *f, const struct dc_report *rep)
{
    size_t measured = 0;
    for (size_t n = 0; rep->clocks && n < rep->cluster->nnodes; n++)
        measured += rep->clocks[n].source != DC_CLOCK_NONE;
    if (measured < 2) /* the coordinator's own alone says nothing */
        return;
    fputs("<section id=\"clocks\"><h2>Clocks</h2><table class=\"list\"><thead><tr>"
          "<th>node</th><th>offset</th><th>uncertainty</th><th>verdict</th><th>source</th>"
          "</tr></thead><tbody>",
          f);
    for (size_t n = 0; n < rep->cluster->nnodes; n++) {
        const struct dc_clock *c = &rep->clocks[n];
        if (c->source == DC_CLOCK_NONE)
            continue;
        static const char *const cls[] = {"pass", "warn", "fail"};
        fprintf(f, "<tr class=\"%s\"><td>", cls[c->verdict]);
        esc(f, rep->cluster->nodes[n].name);
        fprintf(f, "</td><td>%+.3f s</td><td>%.1f ms</td><td>%s</td><td>%s</td></tr>",
                c->offset_ms / 1000.0, c->uncertainty_ms, dc_verdict_name(c->verdict),
                dc_clock_source_name(c->source));
    }
    fputs("</tbody></table></section>\n", f);
}

static void failures(FILE *f, const struct dc_report *rep)
{
    fputs("<section id=\"failures\"><h2>Failures and warnings</h2>"
          "<input id=\"filter\" type=\"search\" placeholder=\"filter by node, check, state...\" "
          "aria-label=\"filter\">"
          "<table id=\"fail-table\" class=\"list\"><thead><tr>"
          "<th data-sort=\"0\">verdict</th><th data-sort=\"1\">from</th>"
          "<th data-sort=\"2\">to</th><th data-sort=\"3\">check</th>"
          "<th data-sort=\"4\">port</th><th data-sort=\"5\">state</th>"
          "<th>detail</th><th>remedy</th><th data-sort=\"8\">cause</th></tr></thead><tbody>",
          f);
    size_t shown = 0;
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        const struct dc_result *r = &rep->results[i];
        if (r->verdict == DC_VERDICT_PASS)
            continue;
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_check *c = &rep->profile->checks[t->check];
        shown++;
        fprintf(f, "<tr class=\"%s\"><td>%s</td><td>", rank_class[dci_result_rank(r)],
                dc_verdict_name(r->verdict));
        esc(f, rep->cluster->nodes[t->from].name);
        fputs("</td><td>", f);
        esc(f, rep->cluster->nodes[t->to].name);
        fputs("</td><td>", f);
        esc(f, c->name);
        char port[16];
        fprintf(f, "</td><td>%s</td><td>%s</td><td>",
                dci_port_label(c->transport, t->port, port, sizeof port), dc_state_name(r->state));
        esc(f, r->detail);
        fputs("</td><td>", f);
        const char *remedy = rep->results[i].remedy;
        esc(f, remedy);
        fputs("</td><td>", f);
        if (rep->diagnosis && rep->diagnosis->cause_of[i] != DC_NO_CAUSE) {
            uint32_t cause = rep->diagnosis->cause_of[i];
            fprintf(f, "<a href=\"#cause-%u\">%u %s</a>", cause + 1, cause + 1,
                    dc_cause_kind_name(rep->diagnosis->causes[cause].kind));
        }
        fputs("</td></tr>", f);
    }
    if (shown == 0)
        fputs("<tr><td colspan=\"9\">None: every path passed.</td></tr>", f);
    fputs("</tbody></table></section>\n", f);
}

static void diff_section(FILE *f, const struct dc_report *rep)
{
    const struct dc_diff *d = rep->diff;
    fputs("<section id=\"diff\"><h2>Since ", f);
    esc(f, rep->baseline ? rep->baseline : "the baseline");
    fprintf(f, ": %zu broke, %zu healed, %zu changed</h2><table class=\"list\"><tbody>",
            d->counts[DC_CHANGE_BROKE], d->counts[DC_CHANGE_HEALED], d->counts[DC_CHANGE_CHANGED]);
    static const char *const cls[] = {"fail", "pass", "warn", "none", "none"};
    for (size_t i = 0; i < d->n; i++) {
        const struct dc_diff_entry *e = &d->entries[i];
        fprintf(f, "<tr class=\"%s\"><td>%s</td><td>", cls[e->change], dci_change_name(e->change));
        esc(f, e->from);
        fputs(" &rarr; ", f);
        esc(f, e->to);
        fputs("</td><td>", f);
        esc(f, e->check);
        fprintf(f, "/%u</td><td>%s &rarr; %s</td><td>", e->port,
                e->old_state[0] ? e->old_state : "(new)",
                e->new_state[0] ? e->new_state : "(gone)");
        esc(f, e->detail);
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* Writes the buffer's text with every "<" as "\u003c" (the same string to JSON), so no
 * text a peer sent can end the script element or open a comment in it; then empties the
 * buffer. */
static void put_script_safe(FILE *f, struct json_buf *b)
{
    const char *p = b->data, *end = b->data + b->len, *run = p;
    for (; p < end; p++) {
        if (*p == '<') {
            fwrite(run, 1, (size_t)(p - run), f);
            fputs("\\u003c", f);
            run = p + 1;
        }
    }
    fwrite(run, 1, (size_t)(end - run), f);
    b->len = 0;
}

/* The results as JSON for the detail panel, written a result at a time (a page of 100,000
 * results peaked at 195 MiB with a cJSON tree and its text, 22 MiB now). */
static void data_block(FILE *f, const struct dc_report *rep)
{
    struct json_buf b = {0};
    fputs("<script type=\"application/json\" id=\"data\">", f);
    dci_json_raw(&b, "{\"nodes\":[", 10);
    for (size_t i = 0; i < rep->cluster->nnodes; i++) {
        if (i)
            dci_json_raw(&b, ",", 1);
        dci_json_string(&b, rep->cluster->nodes[i].name);
    }
    dci_json_raw(&b, "],\"results\":[", 13);
    for (size_t i = 0; i < rep->plan->ntasks && !b.failed; i++) {
        const struct dc_task *t = &rep->plan->tasks[i];
        const struct dc_result *r = &rep->results[i];
        const struct dc_check *c = &rep->profile->checks[t->check];
        dci_json_raw(&b, i ? ",{" : "{", i ? 2 : 1);
        dci_json_field_uint(&b, true, "f", t->from);
        dci_json_field_uint(&b, false, "t", t->to);
        dci_json_field_string(&b, false, "g", group_of(c));
        dci_json_field_string(&b, false, "check", c->name);
        dci_json_field_uint(&b, false, "port", t->port);
        dci_json_field_string(&b, false, "state", dc_state_name(r->state));
        dci_json_field_string(&b, false, "verdict", dc_verdict_name(r->verdict));
        dci_json_field_millis(&b, false, "latency", r->latency_ms);
        dci_json_field_string(&b, false, "detail", r->detail);
        const char *remedy = rep->results[i].remedy;
        dci_json_field_string(&b, false, "remedy", remedy);
        dci_json_raw(&b, "}", 1);
        if (b.len >= 65536)
            put_script_safe(f, &b);
    }
    dci_json_raw(&b, "]}", 2);
    if (b.failed)
        fputs("{}", f); /* out of memory: the page shows the matrix, not the details */
    else
        put_script_safe(f, &b);
    fputs("</script>\n", f);
    dci_json_buf_free(&b);
}

#include "report_html_assets.h"

static int write_html(FILE *f, void *ud)
{
    const struct dc_report *rep = ud;
    size_t n = rep->cluster->nnodes;
    bool *is_src = calloc(n ? n : 1, sizeof *is_src), *is_dst = calloc(n ? n : 1, sizeof *is_dst);
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < rep->plan->ntasks && is_src && is_dst; i++) {
        is_src[rep->plan->tasks[i].from] = is_dst[rep->plan->tasks[i].to] = true;
        counts[rep->results[i].verdict]++;
    }
    char started[32];
    struct tm tm;
    dci_os_gmtime(rep->started.tv_sec, &tm);
    strftime(started, sizeof started, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
          f);
    if (rep->refresh_s > 0) /* a live page (check --every --metrics): the next round's */
        fprintf(f, "<meta http-equiv=\"refresh\" content=\"%.0f\">",
                rep->refresh_s < 1 ? 1 : rep->refresh_s);
    fputs("<title>dmsconn: ", f);
    esc(f, rep->cluster->name ? rep->cluster->name : "cluster");
    fprintf(f, "</title><style>%s</style></head><body>\n", dc_html_css);
    fprintf(f, "<header><h1>dmsconn &middot; ");
    esc(f, rep->cluster->name ? rep->cluster->name : "(unnamed cluster)");
    fprintf(f,
            "</h1><p class=\"verdict v-%s\" id=\"verdict\">%s</p>"
            "<p class=\"meta\">profile ",
            dc_run_verdict_name(rep->verdict), dc_run_verdict_name(rep->verdict));
    esc(f, rep->profile->name);
    fprintf(f,
            " &middot; %s &middot; %.2f s &middot; <span id=\"counts\">%zu checks: %zu pass, "
            "%zu warn, %zu fail</span>%s</p></header>\n",
            started, rep->duration_ms / 1000.0, rep->plan->ntasks, counts[0], counts[1], counts[2],
            rep->interrupted ? " &middot; <strong>interrupted: partial</strong>" : "");
    fputs("<ul class=\"legend\"><li class=\"pass\">pass</li><li class=\"warn\">warning</li>"
          "<li class=\"unknown\">not measured</li><li class=\"fail\">fail</li>"
          "<li class=\"none\">no check</li></ul>\n",
          f);
    if (is_src && is_dst) {
        heatmap(f, rep, NULL, is_src, is_dst);
        fputs("<div class=\"groups\">", f);
        /* each family's heatmap, "Other" last */
        for (int g = DC_FAMILY_OTHER + 1; g <= DC_FAMILY_COUNT; g++)
            heatmap(f, rep, dc_family_name((enum dc_family)(g % DC_FAMILY_COUNT)), is_src, is_dst);
        fputs("</div>\n", f);
    }
    fputs("<aside id=\"detail\" hidden><h2 id=\"detail-title\"></h2><table class=\"list\">"
          "<thead><tr><th>check</th><th>port</th><th>state</th><th>latency</th><th>detail</th>"
          "<th>remedy</th></tr></thead><tbody id=\"detail-body\"></tbody></table></aside>\n",
          f);
    diagnosis(f, rep);
    if (rep->diff)
        diff_section(f, rep);
    failures(f, rep);
    clocks(f, rep);
    certs(f, rep);
    for (size_t i = 0; i < rep->cluster->nnotes; i++) {
        fputs("<p class=\"note\">note: ", f);
        esc(f, rep->cluster->notes[i]);
        fputs("</p>", f);
    }
    data_block(f, rep);
    fprintf(f, "<script>%s</script>\n</body></html>\n", dc_html_js);
    free(is_src);
    free(is_dst);
    return ferror(f) ? -EIO : 0;
}

int dc_report_html_write(const struct dc_report *rep, const char *path)
{
    return dci_output_stream(path, write_html, (void *)rep);
}

char *dc_report_html(const struct dc_report *rep, size_t *len)
{
    return dci_output_memory(write_html, (void *)rep, len);
}
