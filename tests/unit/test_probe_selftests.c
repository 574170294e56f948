/* Every probe that judges what a peer says carries a self-test of its judge on the answers
 * its protocol's specification gives (dc_probe_ops.selftest); this walks the registry and
 * runs them all, so a probe added with a judge and no self-test fails here. */
#include "test_util.h"

#include "dmsconn/probe.h"
#include "probes/probe.h"

static void every_judge_has_a_passing_selftest(void **state)
{
    (void)state;
    size_t tested = 0;
    for (size_t i = 0; dc_probes[i]; i++) {
        const struct dc_probe_ops *ops = dc_probes[i];
        if (!ops->proto->dialogue.judge && !ops->proto->http.judge && !ops->proto->snmp.judge)
            continue; /* a connect, a handshake or a driver of its own decides */
        if (!ops->proto->selftest)
            fail_msg("probe %s judges replies but has no selftest", ops->name);
        const char *why = ops->proto->selftest();
        if (why)
            fail_msg("probe %s: %s", ops->name, why);
        tested++;
    }
    assert_true(tested >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_judge_has_a_passing_selftest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
