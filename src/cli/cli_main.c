/* dmsconn: a thin main over the dmsconn_core library; subcommands from one table. */
#include "cli_options.h"
#include "base/os.h"

#include <curl/curl.h>

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: dmsconn COMMAND [OPTIONS]   (dmsconn COMMAND --help for more)\n\n"
                 "Which nodes of a DataMiner System reach which others on every port it needs.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < cli_ncommands; i++)
        fprintf(out, "  %-9s %s\n", cli_commands[i].cmd->name, cli_commands[i].cmd->summary);
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
    for (size_t i = 0; i < cli_ncommands; i++) {
        if (strcmp(argv[1], cli_commands[i].cmd->name) == 0)
            return cli_commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "dmsconn: unknown command '%s' (try 'dmsconn --help')\n", argv[1]);
    return DC_RUN_UNKNOWN;
}
