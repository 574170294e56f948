/* The portable C library functions (src/base/portable.c) against glibc's own, and the OS
 * layer's memory stream: what the Windows build uses in their place must agree with Linux. */
#include "test_util.h"

#include "base/os.h"
#include "base/portable.h"

#include <stdlib.h>
#include <time.h>

static void timegm_agrees(void **state)
{
    (void)state;
    /* every day from 1969 to 2100 at a few times of day, leap days included */
    for (time_t t = -86400 * 366; t < 4102444800; t += 86400 + 3607) {
        struct tm tm;
        gmtime_r(&t, &tm);
        if (dci_timegm(&tm) != timegm(&tm))
            fail_msg("%lld: %lld, glibc %lld", (long long)t, (long long)dci_timegm(&tm),
                     (long long)timegm(&tm));
    }
}

static void parse_utc(void **state)
{
    (void)state;
    time_t t = 0;
    assert_true(dci_parse_utc("2026-12-01T11:50:00.123Z", &t));
    assert_int_equal(t, 1796125800);
    assert_true(dci_parse_utc("2024-02-29T23:59:59Z", &t));
    assert_int_equal(t, 1709251199);
    static const char *const bad[] = {
        "",  "2026-12-01", "2026-13-01T00:00:00Z", "2026-12-01 11:50:00", "x026-12-01T11:50:00",
        NULL};
    for (size_t i = 0; bad[i]; i++) {
        if (dci_parse_utc(bad[i], &t))
            fail_msg("'%s' read as a time", bad[i]);
    }
    assert_false(dci_parse_utc(NULL, &t));
}

static void strings(void **state)
{
    (void)state;
    char *s = dci_strndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = dci_strndup("ab", 10);
    assert_string_equal(s, "ab");
    free(s);
    const char *h = "Basic realm=\"OpenSearch Security\"";
    assert_ptr_equal(dci_strcasestr(h, "opensearch security"),
                     strcasestr(h, "opensearch security"));
    assert_null(dci_strcasestr(h, "elastic"));
    assert_ptr_equal(dci_strcasestr(h, ""), h);
}

static void memstream(void **state)
{
    (void)state;
    struct dci_memstream m;
    FILE *f = dci_memstream_open(&m);
    assert_non_null(f);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d\n", i);
    size_t len = 0;
    char *text = dci_memstream_close(&m, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    assert_true(strncmp(text, "line 0\nline 1\n", 14) == 0);
    assert_non_null(strstr(text, "line 999\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timegm_agrees),
        cmocka_unit_test(parse_utc),
        cmocka_unit_test(strings),
        cmocka_unit_test(memstream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
