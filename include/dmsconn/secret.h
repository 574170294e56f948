/* Secret files: the agents' token, credentials, communities (src/agent/agent_token.c). */
#ifndef DMSCONN_SECRET_H
#define DMSCONN_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "dmsconn/error.h"

/* Reads a bearer token: a regular file readable by its owner only, at least 16 characters
 * (trailing whitespace ignored). */
int dc_token_read(const char *path, char **token, struct dc_diag *diag);
/* The same, the whole file when `lines` (a NATS .creds file spans several). */
int dc_secret_read_lines(const char *path, const char *option, size_t min_len, bool lines,
                         char **secret, struct dc_diag *diag);

#endif
