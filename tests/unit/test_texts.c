/* The text pool: equal strings share one copy, pointers survive growth, edge cases. */
#include "test_util.h"

#include <stdlib.h>

#include "dmsconn/texts.h"

static void equal_strings_share_one_copy(void **state)
{
    (void)state;
    struct dc_texts *t = dc_texts_new();
    assert_non_null(t);
    char a[] = "connection refused (RST): nothing listens";
    char b[] = "connection refused (RST): nothing listens";
    const char *pa = dc_texts_add(t, a);
    const char *pb = dc_texts_add(t, b);
    assert_ptr_equal(pa, pb);
    assert_ptr_not_equal(pa, a); /* a copy, not the caller's buffer */
    a[0] = 'X';
    assert_string_equal(pa, "connection refused (RST): nothing listens");
    assert_ptr_not_equal(dc_texts_add(t, "other"), pa);
    assert_int_equal(dc_texts_count(t), 2);
    dc_texts_free(t);
}

static void empty_and_null_are_the_empty_string(void **state)
{
    (void)state;
    struct dc_texts *t = dc_texts_new();
    assert_string_equal(dc_texts_add(t, NULL), "");
    assert_string_equal(dc_texts_add(t, ""), "");
    assert_int_equal(dc_texts_count(t), 0);
    /* no pool (allocation failed earlier): never NULL, and says what happened */
    assert_string_equal(dc_texts_add(NULL, ""), "");
    assert_non_null(strstr(dc_texts_add(NULL, "x"), "out of memory"));
    dc_texts_free(t);
    dc_texts_free(NULL);
}

/* 20,000 distinct strings: the index grows many times and chunks fill up; every pointer
 * handed out earlier still reads its string, and each is found again. */
static void pointers_survive_growth(void **state)
{
    (void)state;
    enum { N = 20000 };
    struct dc_texts *t = dc_texts_new();
    const char **seen = calloc(N, sizeof *seen);
    assert_non_null(seen);
    char buf[64];
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "delivered in %d.%d ms", i / 10, i % 10);
        seen[i] = dc_texts_add(t, buf);
    }
    assert_int_equal(dc_texts_count(t), N);
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "delivered in %d.%d ms", i / 10, i % 10);
        assert_string_equal(seen[i], buf);
        assert_ptr_equal(dc_texts_add(t, buf), seen[i]);
    }
    assert_int_equal(dc_texts_count(t), N);
    free(seen);
    dc_texts_free(t);
}

static void long_strings(void **state)
{
    (void)state;
    struct dc_texts *t = dc_texts_new();
    size_t len = 40000; /* longer than a chunk */
    char *big = malloc(len + 1);
    memset(big, 'a', len);
    big[len] = '\0';
    const char *p = dc_texts_add(t, big);
    assert_int_equal(strlen(p), len);
    assert_ptr_equal(dc_texts_add(t, big), p);
    assert_string_equal(dc_texts_add(t, "after the big one"), "after the big one");
    assert_int_equal(dc_texts_count(t), 2);
    free(big);
    dc_texts_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_strings_share_one_copy),
        cmocka_unit_test(empty_and_null_are_the_empty_string),
        cmocka_unit_test(pointers_survive_growth),
        cmocka_unit_test(long_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
