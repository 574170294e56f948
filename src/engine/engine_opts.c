/* The engine's options: their defaults, and the probes' secrets by name (engine.h). */
#include "dmsconn/engine.h"

#include <string.h>

void dc_engine_opts_default(struct dc_engine_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->timeout_s = 2.0;
    opts->concurrency = 4096;
    opts->per_node = 64;
}

const struct dc_secret *dc_engine_secret(const struct dc_engine_opts *opts, const char *name)
{
    for (size_t i = 0; name && i < opts->nsecrets; i++) {
        if (strcmp(opts->secrets[i].name, name) == 0)
            return &opts->secrets[i];
    }
    return NULL;
}
