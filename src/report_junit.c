/* JUnit XML, written with libxml2's xmlTextWriter: one testsuite per source node, one
 * testcase per result (classname: source; name: to:check:port). A fail is a <failure> whose
 * text is the remedy; a result that could not be measured is an <error>; a warning passes
 * with the remedy in <system-out> — for pipelines that validate a firewall change. */
#include "dmsconn/report.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

static void counts_of(const struct dc_report *rep, uint32_t source, size_t *tests, size_t *failures,
                      size_t *errors)
{
    *tests = *failures = *errors = 0;
    for (size_t i = 0; i < rep->plan->ntasks; i++) {
        if (source != UINT32_MAX && rep->plan->tasks[i].from != source)
            continue;
        const struct dc_result *r = &rep->results[i];
        (*tests)++;
        if (r->verdict == DC_VERDICT_FAIL)
            (*failures)++;
        else if (r->state == DC_STATE_UNKNOWN || r->state == DC_STATE_ERROR)
            (*errors)++;
    }
}

static void write_counts(xmlTextWriterPtr w, size_t tests, size_t failures, size_t errors)
{
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", tests);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%zu", failures);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%zu", errors);
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
    bool unmeasured = r->state == DC_STATE_UNKNOWN || r->state == DC_STATE_ERROR;
    char remedy[512];
    dc_report_remedy(rep, i, remedy, sizeof remedy);
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

int dc_report_junit_write(const struct dc_report *rep, const char *path)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (!w) {
        xmlBufferFree(buf);
        return -ENOMEM;
    }
    size_t tests, failures, errors;
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "testsuites");
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "dmsconn");
    counts_of(rep, UINT32_MAX, &tests, &failures, &errors);
    write_counts(w, tests, failures, errors);
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", rep->duration_ms / 1000.0);
    for (uint32_t s = 0; s < rep->cluster->nnodes; s++) {
        counts_of(rep, s, &tests, &failures, &errors);
        if (tests == 0)
            continue;
        xmlTextWriterStartElement(w, BAD_CAST "testsuite");
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST rep->cluster->nodes[s].name);
        write_counts(w, tests, failures, errors);
        for (size_t i = 0; i < rep->plan->ntasks; i++) {
            if (rep->plan->tasks[i].from == s)
                write_case(w, rep, i);
        }
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    int rc =
        dc_output_write(path, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
    xmlBufferFree(buf);
    return rc;
}
