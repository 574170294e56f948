/* The parser and the usage printer over the option table (cli_option_table.c): getopt_long
 * reads the words; the table says whether the command takes the option and where its
 * value goes. */
#include "cli_options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Names of the CLI_* bits, in bit order. */
static const char *const command_names[] = {"check", "agent",   "plan", "merge",
                                            "demo",  "profile", "diff"};

#define MAX_OPTIONS 128
#define HELP_COLUMN 22

void cli_args_init(struct cli_args *a)
{
    memset(a, 0, sizeof *a);
    cli_run_defaults(&a->run);
    a->plan = CLI_TEXT;
}

void cli_args_free(struct cli_args *a)
{
    cli_sources_free(&a->src);
    cli_run_free(&a->run);
    free(a->checks);
    free(a->from);
    free(a->to);
    a->checks = a->from = a->to = NULL;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static bool parse_uint(const char *s, double lo, double hi, unsigned *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < (long)lo || v > (long)hi)
        return false;
    *out = (unsigned)v;
    return true;
}

/* The entry of `name` the command takes, else NULL (and *other: one another command takes). */
static const struct cli_option *lookup(const char *name, unsigned bit,
                                       const struct cli_option **other)
{
    *other = NULL;
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        if (strcmp(o->name, name) != 0)
            continue;
        if (o->commands & bit)
            return o;
        if (!*other)
            *other = o;
    }
    return NULL;
}

static const char *first_command(unsigned bits)
{
    for (size_t i = 0; i < sizeof command_names / sizeof command_names[0]; i++) {
        if (bits & (1u << i))
            return command_names[i];
    }
    return "?";
}

static int apply(const struct cli_option *o, const char *value, struct cli_args *a, const char *cmd)
{
    void *field = (char *)a + o->offset;
    switch (o->kind) {
    case CLI_KIND_FLAG: *(bool *)field = true; return 0;
    case CLI_KIND_TEXT: *(const char **)field = value; return 0;
    case CLI_KIND_ONCE: {
        const char **text = field;
        if (*text)
            return cli_usage_error(cmd, "--%s given twice (%s, %s); expected one", o->name, *text,
                                   value);
        *text = value;
        return 0;
    }
    case CLI_KIND_LIST: {
        const char ***list = field;
        free(*list);
        *list = cli_split_list(value);
        return *list ? 0 : cli_usage_error(cmd, "--%s: out of memory", o->name);
    }
    case CLI_KIND_DOUBLE:
        return parse_double(value, o->lo, o->hi, field)
                   ? 0
                   : cli_usage_error(cmd, "--%s '%s': expected %s", o->name, value, o->expected);
    case CLI_KIND_UINT:
        return parse_uint(value, o->lo, o->hi, field)
                   ? 0
                   : cli_usage_error(cmd, "--%s '%s': expected %s", o->name, value, o->expected);
    case CLI_KIND_CUSTOM: return o->set(a, o, value, cmd) ? DC_RUN_UNKNOWN : 0;
    case CLI_KIND_HELP: return 0;
    }
    return 0;
}

int cli_parse(int argc, char **argv, const struct cli_command *cmd, struct cli_args *a)
{
    /* getopt_long's table: each name once (a name may have an entry per command) */
    static struct option longopts[MAX_OPTIONS + 1];
    size_t n = 0;
    for (size_t i = 0; i < cli_noptions && n < MAX_OPTIONS; i++) {
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(longopts[k].name, cli_options[i].name) == 0;
        if (!seen)
            longopts[n++] = (struct option){cli_options[i].name,
                                            cli_options[i].value ? required_argument : no_argument,
                                            NULL, (int)(1000 + i)};
    }
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    int opt, which = -1;
    optind = 1;
    opterr = 0; /* one message, ours */
    while ((opt = getopt_long(argc, argv, "h", longopts, &which)) != -1) {
        const char *name = opt == 'h' ? "help" : opt >= 1000 ? longopts[which].name : NULL;
        if (!name)
            return cli_bad_option(cmd->name, argv);
        const struct cli_option *other = NULL;
        const struct cli_option *o = lookup(name, cmd->bit, &other);
        if (!o)
            return cli_usage_error(cmd->name,
                                   "--%s is an option of 'dmsconn %s', not of 'dmsconn %s'%s%s",
                                   name, first_command(other->commands), cmd->name,
                                   cmd->why_not ? ": " : "", cmd->why_not ? cmd->why_not : "");
        if (o->kind == CLI_KIND_HELP) {
            cli_usage_print(cmd, stdout);
            return CLI_HELP_SHOWN;
        }
        int rc = apply(o, optarg, a, cmd->name);
        if (rc)
            return rc;
    }
    a->words = argv + optind;
    a->nwords = argc - optind;
    if (!cmd->takes_words && a->nwords > 0)
        return cli_usage_error(cmd->name, "unexpected argument '%s'", a->words[0]);
    return 0;
}

static const char *const section_titles[CLI_NSECTIONS] = {
    [CLI_SEC_AGENT] = "The agent",
    [CLI_SEC_NODES] = "Node list (several may be combined)",
    [CLI_SEC_AGENTS] = "Agents (the full matrix)",
    [CLI_SEC_CHECKS] = "Which checks",
    [CLI_SEC_RUN] = "Run",
    [CLI_SEC_OUTPUT] = "Output",
    [CLI_SEC_SECRETS] = "Secrets and TLS",
    [CLI_SEC_OTHER] = "Other",
};

static void print_option(const struct cli_option *o, FILE *out)
{
    int w = fprintf(out, "  --%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
    if (w >= HELP_COLUMN) { /* no room for one space */
        fputc('\n', out);
        w = 0;
    }
    fprintf(out, "%*s", HELP_COLUMN - w, "");
    for (const char *p = o->help; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', out);
}

void cli_options_each(const struct cli_command *cmd, void *ud,
                      void (*section)(enum cli_section s, void *ud),
                      void (*option)(const struct cli_option *o, void *ud))
{
    for (int s = 0; s < CLI_NSECTIONS; s++) {
        bool titled = false;
        for (size_t i = 0; i < cli_noptions; i++) {
            const struct cli_option *o = &cli_options[i];
            if (o->section != (enum cli_section)s || !(o->commands & cmd->bit) ||
                o->kind == CLI_KIND_HELP)
                continue;
            if (!titled)
                section((enum cli_section)s, ud);
            titled = true;
            option(o, ud);
        }
    }
}

const char *cli_section_title(enum cli_section s)
{
    return section_titles[s];
}

static void usage_section(enum cli_section s, void *ud)
{
    fprintf(ud, "\n%s:\n", section_titles[s]);
}

static void usage_option(const struct cli_option *o, void *ud)
{
    print_option(o, ud);
}

void cli_usage_print(const struct cli_command *cmd, FILE *out)
{
    fputs(cmd->synopsis, out);
    cli_options_each(cmd, out, usage_section, usage_option);
    if (cmd->epilogue)
        fprintf(out, "\n%s", cmd->epilogue);
}
