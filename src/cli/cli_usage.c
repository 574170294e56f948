/* How the program says a command line is wrong, and the small word helpers every command's
 * parsing uses. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "dmsconn %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try 'dmsconn %s --help')\n", cmd);
    return DC_RUN_UNKNOWN;
}

int cli_bad_option(const char *cmd, char **argv)
{
    /* getopt_long leaves the offending word just before optind */
    const char *word = optind > 0 ? argv[optind - 1] : "";
    return cli_usage_error(cmd, "unknown option, or one missing its value: '%s'", word);
}

const char **cli_split_list(const char *arg)
{
    size_t n = 1;
    for (const char *p = arg; *p; p++)
        n += *p == ',';
    /* The strings live right after the pointers, so one free() releases both. */
    const char **list = malloc((n + 1) * sizeof *list + strlen(arg) + 1);
    if (!list)
        return NULL;
    char *store = (char *)(list + n + 1);
    strcpy(store, arg);
    size_t i = 0;
    char *save = NULL;
    for (char *tok = strtok_r(store, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        list[i++] = tok;
    list[i] = NULL;
    return list;
}
