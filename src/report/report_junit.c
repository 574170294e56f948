/* JUnit XML, written with libxml2's xmlTextWriter: one testsuite per source node, one
 * testcase per result (classname: source; name: to:check:port). A fail is a <failure> whose
 * text is the remedy; a result that could not be measured is an <error>; a warning passes
 * with the remedy in <system-out> — for pipelines that validate a firewall change. The
 * measured clocks are a testsuite "clocks" of their own (a testcase per node, classname
 * "clocks", name the node): one that fails is a failure, one that warns says so. */
#include "dmsconn/report.h"
#include "base/base_private.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counts {
    size_t tests;
    size_t failures;
    size_t errors;
};

static void count(struct counts *c, const struct dc_result *r)
{
    c->tests++;
    if (r->verdict == DC_VERDICT_FAIL)
        c->failures++;
    else if (r->state == DC_STATE_UNKNOWN || r->state == DC_STATE_ERROR)
        c->errors++;
}

static void write_counts(xmlTextWriterPtr w, const struct counts *c)
{
    /* formatted here: libxml2's own formatting is the C library's, and Windows' knows no %zu */
    char n[3][24];
    snprintf(n[0], sizeof n[0], "%zu", c->tests);
    snprintf(n[1], sizeof n[1], "%zu", c->failures);
    snprintf(n[2], sizeof n[2], "%zu", c->errors);
    xmlTextWriterWriteAttribute(w, BAD_CAST "tests", BAD_CAST n[0]);
    xmlTextWriterWriteAttribute(w, BAD_CAST "failures", BAD_CAST n[1]);
    xmlTextWriterWriteAttribute(w, BAD_CAST "errors", BAD_CAST n[2]);
}

static void write_case(xmlTextWriterPtr w, const struct dc_report *rep, size_t i)
{
    const struct dc_task *t = &rep->plan->tasks[i];
    const struct dc_result *r = &rep->results[i];
    const struct dc_check *c = &rep->profile->checks[t->check];
    char name[300], message[300];
    snprintf(name, sizeof name, "%s:%s:%u", rep->cluster->nodes[t->to].name, c->name, t->port);
    snprintf(message, sizeof message, "%s: %s", dc_state_name(r->state), r->detail);
    xmlTextWriterStartElement(w, BAD_CAST "testcase");
    xmlTextWriterWriteAttribute(w, BAD_CAST "classname",
                                BAD_CAST rep->cluster->nodes[t->from].name);
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST name);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.6f",
                                      r->latency_ms > 0 ? r->latency_ms / 1000.0 : 0.0);
    if (rep->diagnosis && rep->diagnosis->cause_of[i] != DC_NO_CAUSE) {
        /* the cause the diagnosis gives the cell: its kind and its index in the JSON's findings */
        uint32_t cause = rep->diagnosis->cause_of[i];
        xmlTextWriterStartElement(w, BAD_CAST "properties");
        xmlTextWriterStartElement(w, BAD_CAST "property");
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "finding");
        xmlTextWriterWriteAttribute(
            w, BAD_CAST "value", BAD_CAST dc_cause_kind_name(rep->diagnosis->causes[cause].kind));
        xmlTextWriterEndElement(w);
        xmlTextWriterStartElement(w, BAD_CAST "property");
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "finding_index");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "value", "%u", cause);
        xmlTextWriterEndElement(w);
        xmlTextWriterEndElement(w);
    }
    bool unmeasured = r->state == DC_STATE_UNKNOWN || r->state == DC_STATE_ERROR;
    const char *remedy = rep->results[i].remedy;
    if (r->verdict == DC_VERDICT_FAIL || unmeasured) {
        xmlTextWriterStartElement(w, BAD_CAST(r->verdict == DC_VERDICT_FAIL ? "failure" : "error"));
        xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST message);
        xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST dc_state_name(r->state));
        xmlTextWriterWriteString(w, BAD_CAST(remedy[0] ? remedy : r->detail));
        xmlTextWriterEndElement(w);
    } else if (r->verdict == DC_VERDICT_WARN) {
        char out[900];
        snprintf(out, sizeof out, "warning: %s\nremedy: %s", message, remedy);
        xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST out);
    }
    xmlTextWriterEndElement(w);
}

/* A clock's testcase: the BPA's verdict on its offset (dmsconn/clock.h). */
static void write_clock(xmlTextWriterPtr w, const struct dc_report *rep, size_t n)
{
    const struct dc_clock *c = &rep->clocks[n];
    char text[200];
    snprintf(text, sizeof text, "%+.3f s against the coordinator's clock (+/- %.1f ms, %s)",
             c->offset_ms / 1000.0, c->uncertainty_ms, dc_clock_source_name(c->source));
    xmlTextWriterStartElement(w, BAD_CAST "testcase");
    xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST "clocks");
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST rep->cluster->nodes[n].name);
    if (c->verdict == DC_VERDICT_FAIL) {
        xmlTextWriterStartElement(w, BAD_CAST "failure");
        xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST text);
        xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "clock");
        xmlTextWriterWriteString(w, BAD_CAST "set the node's clock right (NTP)");
        xmlTextWriterEndElement(w);
    } else if (c->verdict == DC_VERDICT_WARN) {
        xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST text);
    }
    xmlTextWriterEndElement(w);
}

static bool clock_measured(const struct dc_report *rep, size_t n)
{
    return rep->clocks && rep->clocks[n].source != DC_CLOCK_NONE &&
           rep->clocks[n].source != DC_CLOCK_REFERENCE;
}

static int write_xml_to(void *ctx, const char *data, int len)
{
    return fwrite(data, 1, (size_t)len, ctx) == (size_t)len ? len : -1;
}

/* Streamed to the file as it is written: a report of 300,000 results is never held whole.
 * One pass counts per source, one writes: the plan is ordered by source node. */
static int write_junit(FILE *f, void *ud)
{
    const struct dc_report *rep = ud;
    size_t nnodes = rep->cluster->nnodes;
    struct counts all = {0}, *per = calloc(nnodes ? nnodes : 1, sizeof *per);
    xmlOutputBufferPtr out = per ? xmlOutputBufferCreateIO(write_xml_to, NULL, f, NULL) : NULL;
    xmlTextWriterPtr w = out ? xmlNewTextWriter(out) : NULL; /* owns out from here */
    if (!w) {
        if (out)
            xmlOutputBufferClose(out);
        free(per);
        return -ENOMEM;
    }
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        count(&all, &rep->results[i]);
        count(&per[rep->plan->tasks[i].from], &rep->results[i]);
    }
    struct counts clocks = {0};
    for (size_t n = 0; n < nnodes; n++) {
        clocks.tests += clock_measured(rep, n);
        clocks.failures += clock_measured(rep, n) && rep->clocks[n].verdict == DC_VERDICT_FAIL;
    }
    all.tests += clocks.tests;
    all.failures += clocks.failures;
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "testsuites");
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "dmsconn");
    write_counts(w, &all);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", rep->duration_ms / 1000.0);
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        uint32_t s = rep->plan->tasks[i].from;
        if (i == 0 || rep->plan->tasks[i - 1].from != s) {
            if (i > 0)
                xmlTextWriterEndElement(w);
            xmlTextWriterStartElement(w, BAD_CAST "testsuite");
            xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST rep->cluster->nodes[s].name);
            write_counts(w, &per[s]);
        }
        write_case(w, rep, i);
    }
    if (rep->plan->ntasks > 0)
        xmlTextWriterEndElement(w);
    if (clocks.tests) {
        xmlTextWriterStartElement(w, BAD_CAST "testsuite");
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "clocks");
        write_counts(w, &clocks);
        for (size_t n = 0; n < nnodes; n++) {
            if (clock_measured(rep, n))
                write_clock(w, rep, n);
        }
        xmlTextWriterEndElement(w);
    }
    int rc = xmlTextWriterEndDocument(w) < 0 ? -EIO : 0;
    xmlFreeTextWriter(w);
    free(per);
    return rc || ferror(f) ? -EIO : 0;
}

int dc_report_junit_write(const struct dc_report *rep, const char *path)
{
    return dci_output_stream(path, write_junit, (void *)rep);
}
