/* A CSV field as RFC 4180 section 2 writes it: a field holding a comma, a double quote, CR or
 * LF is enclosed in double quotes (rule 6) and each double quote in it is doubled (rule 7);
 * any other field is written as it is; a record ends with CRLF (rule 1). Exact bytes: a
 * backslash escape (\") or a missing quote changes the number of columns a reader sees. */
#include "test_util.h"

#include "base/os.h"

#include "dmsconn/report.h"

#include <stdlib.h>

static void expect_row(const char *const *fields, size_t n, const char *want)
{
    struct dci_memstream m;
    size_t len = 0;
    FILE *f = dci_memstream_open(&m);
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        dc_csv_field(f, fields[i], i + 1 == n);
    char *got = dci_memstream_close(&m, &len);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void plain_fields_stay_as_they_are(void **state)
{
    (void)state;
    const char *const row[] = {"dma1", "", "it's fine; really", "tab\there"};
    expect_row(row, 4, "dma1,,it's fine; really,tab\there\r\n");
}

static void quotes_are_doubled_inside_quotes(void **state)
{
    (void)state;
    const char *const row[] = {"the reply starts \"SSH-2.0\"", "\"", "a\\\"b"};
    expect_row(row, 3, "\"the reply starts \"\"SSH-2.0\"\"\",\"\"\"\",\"a\\\"\"b\"\r\n");
}

static void commas_and_line_breaks_are_quoted(void **state)
{
    (void)state;
    const char *const row[] = {"db1, rack 2", "two\nlines", "crlf\r\nend", "cr\r"};
    expect_row(row, 4, "\"db1, rack 2\",\"two\nlines\",\"crlf\r\nend\",\"cr\r\"\r\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_fields_stay_as_they_are),
        cmocka_unit_test(quotes_are_doubled_inside_quotes),
        cmocka_unit_test(commas_and_line_breaks_are_quoted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
