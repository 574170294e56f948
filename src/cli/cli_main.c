/* dmsconn: a thin main over the dmsconn_core library; subcommands from one table. */
#include "cli.h"
#include "base/os.h"

#include <curl/curl.h>

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"check", "check the paths the profile requires and print the matrix", cmd_check},
    {"agent", "serve this node's row of the matrix to the coordinator", cmd_agent},
    {"plan", "print every path the profile requires (the firewall rule list); no probe", cmd_plan},
    {"merge", "the matrix from each node's own --from-here report: no agent, no open port",
     cmd_merge},
    {"diff", "compare two JSON reports: what broke, what healed", cmd_diff},
    {"demo", "run a real check against a throwaway cluster on loopback", cmd_demo},
    {"profile", "show the effective port profile", cmd_profile},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: dmsconn COMMAND [OPTIONS]   (dmsconn COMMAND --help for more)\n\n"
                 "Which nodes of a DataMiner System reach which others on every port it needs.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nexit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return DC_RUN_UNKNOWN;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("dmsconn %s\n", DMSCONN_VERSION);
        return 0;
    }
    dci_os_process_init();
    /* libcurl initialises itself (and OpenSSL: 2 MB of pages, a millisecond) on the first
     * transfer, safely from any thread where it says so; a run whose HTTP ports are all
     * closed never needs it. Elsewhere: once, here, before any thread. */
    if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_THREADSAFE))
        curl_global_init(CURL_GLOBAL_DEFAULT);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "dmsconn: unknown command '%s' (try 'dmsconn --help')\n", argv[1]);
    return DC_RUN_UNKNOWN;
}
