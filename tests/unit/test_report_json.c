/* The JSON report: parsed back with cJSON, field by field, against the contract. */
#include "test_util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

#include "dmsconn/inventory.h"
#include "dmsconn/profile.h"
#include "dmsconn/report.h"
#include "dmsconn/texts.h"
#include "dmsconn/verdict.h"

static void contract(void **state)
{
    (void)state;
    struct dc_cluster *cluster;
    struct dc_profile *profile;
    struct dc_plan *plan;
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_cluster_new(&cluster), 0);
    assert_int_equal(dc_cluster_set_name(cluster, "lab \"quoted\""), 0);
    assert_int_equal(dc_inventory_add_flag(cluster, "dma1=10.0.0.11:dma", &diag), 0);
    assert_int_equal(dc_inventory_add_flag(cluster, "db1=10.0.0.21:cassandra", &diag), 0);
    assert_int_equal(dc_profile_dataminer(&profile), 0);
    const char *only[] = {"cql", NULL};
    struct dc_plan_filter filter = {.checks = only};
    assert_int_equal(dc_plan_build(cluster, profile, &filter, &plan), 0);
    assert_int_equal(plan->ntasks, 1);
    struct dc_result result;
    dc_result_reset(&result, "no answer within 2.0 s");
    result.state = DC_STATE_FILTERED;
    result.measured = true;
    result.address = "10.0.0.21";
    struct dc_verdict_opts vopts;
    dc_verdict_opts_default(&vopts);
    /* the judging stage a run goes through: verdict and remedy, then the run's verdict */
    struct dc_texts *texts = dc_texts_new();
    assert_non_null(texts);
    enum dc_run_verdict verdict =
        dc_verdict_run_all(cluster, profile, plan, &vopts, &result, texts);
    struct dc_report rep = {.cluster = cluster,
                            .profile = profile,
                            .plan = plan,
                            .results = &result,
                            .started = {1764000000, 5000000},
                            .duration_ms = 2001.5,
                            .verdict = verdict};

    char *text = dc_report_json(&rep);
    assert_non_null(text);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "schema")->valuestring, "dmsconn.report/1");
    assert_string_equal(cJSON_GetObjectItem(root, "cluster")->valuestring, "lab \"quoted\"");
    assert_string_equal(cJSON_GetObjectItem(root, "started")->valuestring,
                        "2025-11-24T16:00:00.005Z");
    assert_true(cJSON_GetObjectItem(root, "duration_ms")->valuedouble == 2001.5);
    assert_string_equal(cJSON_GetObjectItem(root, "verdict")->valuestring, "critical");
    cJSON *nodes = cJSON_GetObjectItem(root, "nodes");
    assert_int_equal(cJSON_GetArraySize(nodes), 2);
    cJSON *db1 = cJSON_GetArrayItem(nodes, 1);
    assert_string_equal(cJSON_GetObjectItem(db1, "name")->valuestring, "db1");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(db1, "addresses"), 0)->valuestring,
                        "10.0.0.21");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(db1, "roles"), 0)->valuestring,
                        "cassandra");
    cJSON *results = cJSON_GetObjectItem(root, "results");
    assert_int_equal(cJSON_GetArraySize(results), 1);
    cJSON *r = cJSON_GetArrayItem(results, 0);
    assert_string_equal(cJSON_GetObjectItem(r, "from")->valuestring, "dma1");
    assert_string_equal(cJSON_GetObjectItem(r, "to")->valuestring, "db1");
    assert_string_equal(cJSON_GetObjectItem(r, "check")->valuestring, "cql");
    assert_int_equal(cJSON_GetObjectItem(r, "port")->valueint, 9042);
    assert_string_equal(cJSON_GetObjectItem(r, "transport")->valuestring, "tcp");
    assert_string_equal(cJSON_GetObjectItem(r, "state")->valuestring, "filtered");
    assert_string_equal(cJSON_GetObjectItem(r, "expect")->valuestring, "required");
    assert_string_equal(cJSON_GetObjectItem(r, "verdict")->valuestring, "fail");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "latency_ms")));
    assert_string_equal(cJSON_GetObjectItem(r, "detail")->valuestring, "no answer within 2.0 s");
    assert_contains(cJSON_GetObjectItem(r, "remedy")->valuestring, "allow tcp/9042");
    cJSON_Delete(root);
    free(text);

    /* what a peer said goes out escaped (RFC 8259 section 7) and reads back the same: quotes,
     * backslashes, control characters and UTF-8; a latency keeps its three decimals */
    const char *hostile = "say \"hi\" \\ tab\t nl\n cr\r bell\x07 esc\x1b caf\xc3\xa9";
    result.evidence = hostile;
    result.detail = "\x01\x1f";
    result.latency_ms = 12.3456;
    text = dc_report_json(&rep);
    assert_non_null(text);
    assert_null(strchr(text, '\x07')); /* no raw control character in the document */
    root = cJSON_Parse(text);
    assert_non_null(root);
    r = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), 0);
    assert_string_equal(cJSON_GetObjectItem(r, "evidence")->valuestring, hostile);
    assert_string_equal(cJSON_GetObjectItem(r, "detail")->valuestring, "\x01\x1f");
    assert_true(cJSON_GetObjectItem(r, "latency_ms")->valuedouble == 12.346);
    assert_int_equal(cJSON_GetObjectItem(r, "port")->valueint, 9042);
    cJSON_Delete(root);
    free(text);

    /* to a file: written whole, then renamed into place */
    char path[] = "/tmp/dmsconn-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(dc_report_json_write(&rep, path), 0);
    char *data;
    size_t len;
    assert_int_equal(dc_read_file(path, &data, &len, &diag), 0);
    root = cJSON_Parse(data);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "results")), 1);
    cJSON_Delete(root);
    free(data);
    unlink(path);
    assert_true(dc_report_json_write(&rep, "/nonexistent-dir/report.json") < 0);

    /* the HTML page carries the results as JSON in a script element: text from a peer that
     * says "</script>" must not end it, and must read back the same */
    result.detail = "</script><script>alert(1)</script>";
    char page[] = "/tmp/dmsconn-test-XXXXXX";
    fd = mkstemp(page);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(dc_report_html_write(&rep, page), 0);
    assert_int_equal(dc_read_file(page, &data, &len, &diag), 0);
    assert_null(strstr(data, "<script>alert(1)"));
    const char *open_tag = "<script type=\"application/json\" id=\"data\">";
    char *block = strstr(data, open_tag);
    assert_non_null(block);
    block += strlen(open_tag);
    char *close_tag = strstr(block, "</script>");
    assert_non_null(close_tag);
    *close_tag = '\0';
    root = cJSON_Parse(block);
    assert_non_null(root);
    r = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), 0);
    assert_string_equal(cJSON_GetObjectItem(r, "detail")->valuestring,
                        "</script><script>alert(1)</script>");
    cJSON_Delete(root);
    free(data);
    unlink(page);

    dc_plan_free(plan);
    dc_texts_free(texts);
    dc_profile_free(profile);
    dc_cluster_free(cluster);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
