/* The command line, from one table (cli_option_table.c): each option's name, value, the
 * commands that take it, its help line and where its value goes. Each command's parsing,
 * its usage text and the refusal of an option it does not use all come from that table. */
#ifndef DMSCONN_CLI_OPTIONS_H
#define DMSCONN_CLI_OPTIONS_H

#include <stddef.h>

#include "cli.h"

/* The commands, as bits of struct cli_option.commands. */
enum cli_command_bit {
    CLI_CHECK = 1u << 0,
    CLI_AGENT = 1u << 1,
    CLI_PLAN = 1u << 2,
    CLI_MERGE = 1u << 3,
    CLI_DEMO = 1u << 4,
    CLI_PROFILE = 1u << 5,
    CLI_DIFF = 1u << 6,
};

/* What every option of every command can set; each command reads its part. */
struct cli_args {
    struct cli_sources src;
    struct cli_run run;
    const char *token_file;
    const char *as;
    bool from_here;
    bool all_targets;
    const char **checks; /* --check, --from, --to: NULL-terminated lists */
    const char **from;
    const char **to;
    const char *listen; /* the agent's */
    const char *tls_cert;
    const char *tls_key;
    const char *tls_auto;
    bool install_service; /* the agent as a Windows service */
    bool uninstall_service;
    bool as_service;
    const char *service_account;
    double max_age_h;     /* merge */
    enum cli_format plan; /* plan's --format: text, json or csv */
    bool yaml;            /* profile show */
    char **words;         /* what follows the options */
    int nwords;
};

/* A command's usage around its options. */
struct cli_command {
    const char *name;
    const char *summary; /* one line, for the program's usage and the manual */
    unsigned bit;
    const char *synopsis; /* the usage lines and what it does */
    const char *epilogue; /* after the options (exit codes...), or NULL */
    bool takes_words;     /* words after the options (else each is refused) */
    const char *why_not;  /* said when an option of another command is given, or NULL */
};

/* Where an option's value goes. */
enum cli_kind {
    CLI_KIND_FLAG,   /* bool = true */
    CLI_KIND_TEXT,   /* const char * = the value (the last one given wins) */
    CLI_KIND_ONCE,   /* const char * = the value, refused when given twice */
    CLI_KIND_LIST,   /* const char ** = the value split at commas */
    CLI_KIND_DOUBLE, /* double within [lo, hi] */
    CLI_KIND_UINT,   /* unsigned within [lo, hi] */
    CLI_KIND_CUSTOM, /* set() */
    CLI_KIND_HELP,
};

/* How the usage groups options. */
enum cli_section {
    CLI_SEC_AGENT,
    CLI_SEC_NODES,
    CLI_SEC_AGENTS,
    CLI_SEC_CHECKS,
    CLI_SEC_RUN,
    CLI_SEC_OUTPUT,
    CLI_SEC_SECRETS,
    CLI_SEC_OTHER,
    CLI_NSECTIONS
};

struct cli_option {
    const char *name;  /* without the leading -- */
    const char *value; /* the value's name in the usage; NULL: a flag */
    unsigned commands; /* the CLI_* bits of the commands that take it */
    enum cli_section section;
    enum cli_kind kind;
    size_t offset;        /* of the field in struct cli_args */
    double lo, hi;        /* CLI_DOUBLE, CLI_UINT */
    const char *expected; /* what a bad value is told to be */
    /* CLI_CUSTOM: 0, or -1 with the message said */
    int (*set)(struct cli_args *a, const struct cli_option *o, const char *value, const char *cmd);
    const char *help; /* continuation lines after '\n' */
};

extern const struct cli_option cli_options[];
extern const size_t cli_noptions;

/* The defaults every command starts from. */
void cli_args_init(struct cli_args *a);
void cli_args_free(struct cli_args *a);

/* What cli_parse returns after --help: the usage was printed, nothing is to run (exit 0).
 * Not an exit code (1 is a WARNING run). */
#define CLI_HELP_SHOWN (-1)

/* Parses argv (argv[0] is the command's name) into a: 0; CLI_HELP_SHOWN after --help;
 * DC_RUN_UNKNOWN with one line said for an unknown option, one of another command, a bad
 * value or too many words. */
int cli_parse(int argc, char **argv, const struct cli_command *cmd, struct cli_args *a);

/* Unknown names in --check, --from, --to are typos: refused (one line said, 3) rather than
 * silently running nothing. cli_common.c */
int cli_check_filters(const struct dc_cluster *cluster, const struct dc_profile *profile,
                      const struct cli_args *a, const char *cmd);

/* --install-service / --uninstall-service of the agent or of check --every (cli_service.c):
 * the service `name`, running COMMAND --as-service and the other options; the exit code. */
int cli_service(const struct cli_command *cmd, const char *name, int argc, char **argv,
                const struct cli_args *a);
/* --as-service: run(a) as the service `name` under the Service Control Manager, until its
 * stop control; run's exit code. */
int cli_as_service(const struct cli_command *cmd, const char *name, int (*run)(struct cli_args *a),
                   struct cli_args *a);

/* Each command's description (cli_check.c, cli_agent.c...), and all of them in the order the
 * usage and the manual list them (cli_commands.c). */
extern const struct cli_command cli_check_command, cli_agent_command, cli_plan_command,
    cli_merge_command, cli_diff_command, cli_demo_command, cli_profile_command;
struct cli_entry {
    const struct cli_command *cmd;
    int (*run)(int argc, char **argv);
};
extern const struct cli_entry cli_commands[];
extern const size_t cli_ncommands;

/* A section's title, as the usage and the manual give it ("Node list (several may be
 * combined)"). */
const char *cli_section_title(enum cli_section s);
/* Calls `option` for each option the command takes, section by section in the usage's order,
 * and `section` before the first of each section (the usage and the manual list them so). */
void cli_options_each(const struct cli_command *cmd, void *ud,
                      void (*section)(enum cli_section s, void *ud),
                      void (*option)(const struct cli_option *o, void *ud));

/* The command's usage, generated from the table. */
void cli_usage_print(const struct cli_command *cmd, FILE *out);

#endif
