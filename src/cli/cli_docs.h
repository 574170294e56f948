/* The manual page and the shell completion, from the command and option tables. */
#ifndef DMSCONN_CLI_DOCS_H
#define DMSCONN_CLI_DOCS_H

#include <stdio.h>

/* dmsconn(1) in roff (man(7) macros); `date` is the page's date (the release's, so that two
 * builds of one source give the same page). */
void cli_docs_man(FILE *out, const char *version, const char *date);

/* A bash completion script for dmsconn: its commands, each command's options, file and
 * directory names after the options that take them. */
void cli_docs_bash_completion(FILE *out);

#endif
