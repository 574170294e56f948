/* The command line's one option table (src/cli/cli_option_table.c): every entry well formed,
 * values landing where each command reads them, an option of another command or a bad value
 * refused, and each command's generated usage listing exactly the options it takes. */
#include "test_util.h"

#include "base/os.h"
#include "cli/cli_options.h"

#include <stdlib.h>

static const unsigned all_commands[] = {CLI_CHECK, CLI_AGENT,   CLI_PLAN, CLI_MERGE,
                                        CLI_DEMO,  CLI_PROFILE, CLI_DIFF};
#define NCOMMANDS (sizeof all_commands / sizeof all_commands[0])

static void table_well_formed(void **state)
{
    (void)state;
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        assert_non_null(o->name);
        assert_true(o->name[0] && o->name[0] != '-');
        assert_true(o->help && o->help[0]);
        assert_int_not_equal(o->commands, 0);
        bool flag = o->kind == CLI_KIND_FLAG || o->kind == CLI_KIND_HELP;
        if (flag != (o->value == NULL))
            fail_msg("--%s: a flag has no value, every other option one", o->name);
        if (o->kind == CLI_KIND_CUSTOM && !o->set)
            fail_msg("--%s: a custom option needs its setter", o->name);
        if ((o->kind == CLI_KIND_DOUBLE || o->kind == CLI_KIND_UINT) &&
            (!o->expected || !(o->lo <= o->hi)))
            fail_msg("--%s: a number needs its range and the words for it", o->name);
        if (o->kind != CLI_KIND_CUSTOM && o->kind != CLI_KIND_HELP)
            assert_true(o->offset < sizeof(struct cli_args));
        for (size_t k = i + 1; k < cli_noptions; k++) {
            if (strcmp(cli_options[k].name, o->name) == 0 &&
                (cli_options[k].commands & o->commands))
                fail_msg("--%s has two entries for one command", o->name);
        }
    }
}

/* Parses a copy of the words (getopt permutes them) for cmd. */
static int parse(const struct cli_command *cmd, struct cli_args *a, char **copy, int argc,
                 const char *const *argv)
{
    for (int i = 0; i < argc; i++)
        copy[i] = (char *)argv[i];
    copy[argc] = NULL;
    cli_args_init(a);
    return cli_parse(argc, copy, cmd, a);
}

#define PARSE(cmd, a, ...)                                                                         \
    ({                                                                                             \
        static const char *const words_[] = {__VA_ARGS__};                                         \
        static char *copy_[sizeof words_ / sizeof words_[0] + 1];                                  \
        parse(cmd, a, copy_, (int)(sizeof words_ / sizeof words_[0]), words_);                     \
    })

static const struct cli_command check = {.name = "check", .bit = CLI_CHECK, .synopsis = "s\n"};
static const struct cli_command agent = {.name = "agent", .bit = CLI_AGENT, .synopsis = "s\n"};
static const struct cli_command merge = {
    .name = "merge", .bit = CLI_MERGE, .synopsis = "s\n", .takes_words = true};
static const struct cli_command plan = {.name = "plan", .bit = CLI_PLAN, .synopsis = "s\n"};

static void values_land(void **state)
{
    (void)state;
    struct cli_args a;
    assert_int_equal(PARSE(&check, &a, "check", "--from-here", "--node", "a=127.0.0.1", "--node",
                           "b=127.0.0.2", "--timeout", "0.5", "--check", "x,y", "--json", "-",
                           "--agent-port", "8000", "--no-color", "--concurrency", "7"),
                     0);
    assert_true(a.from_here);
    assert_int_equal(a.src.nnodes, 2);
    assert_string_equal(a.src.nodes[1], "b=127.0.0.2");
    assert_true(a.run.engine.timeout_s == 0.5);
    assert_string_equal(a.checks[1], "y");
    assert_null(a.checks[2]);
    assert_string_equal(a.run.json, "-");
    assert_int_equal(a.run.coord.agent_port, 8000);
    assert_true(a.run.no_color);
    assert_int_equal(a.run.engine.concurrency, 7);
    cli_args_free(&a);

    assert_int_equal(PARSE(&plan, &a, "plan", "--format", "csv", "--nats-creds", "/nonexistent"),
                     0);
    assert_int_equal(a.plan, CLI_CSV);
    assert_true(a.src.nats_credentials);
    cli_args_free(&a);

    assert_int_equal(PARSE(&merge, &a, "merge", "r1.json", "--max-age", "2", "r2.json"), 0);
    assert_true(a.max_age_h == 2);
    assert_int_equal(a.nwords, 2);
    assert_string_equal(a.words[1], "r2.json");
    cli_args_free(&a);
}

static void refusals(void **state)
{
    (void)state;
    struct cli_args a;
    /* another command's option, said as such */
    assert_int_equal(PARSE(&agent, &a, "agent", "--token-file", "t", "--json", "x"),
                     DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&merge, &a, "merge", "--timeout", "1", "r.json"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&plan, &a, "plan", "--format", "html"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    /* bad values, twice-given files, strays, unknown words */
    assert_int_equal(PARSE(&check, &a, "check", "--timeout", "0"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&check, &a, "check", "--keep", "0"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&check, &a, "check", "--agent-port", "70000"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&check, &a, "check", "--dms", "a", "--dms", "b"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&check, &a, "check", "stray"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&check, &a, "check", "--bogus"), DC_RUN_UNKNOWN);
    cli_args_free(&a);
    assert_int_equal(PARSE(&check, &a, "check", "--json"), DC_RUN_UNKNOWN); /* no value */
    cli_args_free(&a);
}

/* "  --NAME" followed by a space or the line's end: --from is not --from-here. */
static bool lists(const char *usage, const char *name)
{
    char needle[80];
    int n = snprintf(needle, sizeof needle, "  --%s", name);
    for (const char *p = strstr(usage, needle); p; p = strstr(p + 1, needle)) {
        if (p[n] == ' ' || p[n] == '\n')
            return true;
    }
    return false;
}

static bool takes(const char *name, unsigned bit)
{
    for (size_t i = 0; i < cli_noptions; i++) {
        if (strcmp(cli_options[i].name, name) == 0 && (cli_options[i].commands & bit))
            return true;
    }
    return false;
}

static void usage_lists_what_the_command_takes(void **state)
{
    (void)state;
    for (size_t c = 0; c < NCOMMANDS; c++) {
        const struct cli_command cmd = {.name = "x", .bit = all_commands[c], .synopsis = "s\n"};
        struct dci_memstream m;
        FILE *out = dci_memstream_open(&m);
        assert_non_null(out);
        cli_usage_print(&cmd, out);
        char *text = dci_memstream_close(&m, NULL);
        assert_non_null(text);
        for (size_t i = 0; i < cli_noptions; i++) {
            const struct cli_option *o = &cli_options[i];
            if (o->kind == CLI_KIND_HELP)
                continue;
            if (lists(text, o->name) != takes(o->name, cmd.bit))
                fail_msg("command bit %u: --%s %s", cmd.bit, o->name,
                         takes(o->name, cmd.bit) ? "missing from its usage"
                                                 : "in the usage of a command without it");
        }
        free(text);
        /* and --help is every command's */
        struct cli_args a;
        char *argv[] = {"x", "--help", NULL};
        cli_args_init(&a);
        int rc = cli_parse(2, argv, &cmd, &a); /* the usage goes to stdout */
        assert_int_equal(rc, CLI_HELP_SHOWN);
        cli_args_free(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_well_formed),
        cmocka_unit_test(values_land),
        cmocka_unit_test(refusals),
        cmocka_unit_test(usage_lists_what_the_command_takes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
