/* Port profiles: which node must reach which on which port. `dataminer` is built in. */
#ifndef DMSCONN_PROFILE_H
#define DMSCONN_PROFILE_H

#include "dmsconn/error.h"
#include "dmsconn/model.h"

int dc_profile_new(const char *name, struct dc_profile **out);
void dc_profile_free(struct dc_profile *profile);

/* The built-in profile: DataMiner's port table (docs/dataminer.md), by generation. */
int dc_profile_dataminer(struct dc_profile **out);

/* Adds a check, or replaces the one with the same name. Copies the strings. */
int dc_profile_put(struct dc_profile *profile, const struct dc_check *check);
/* Removes the check with this name; DC_ENOTFOUND if there is none. */
int dc_profile_remove(struct dc_profile *profile, const char *name);
long dc_profile_find(const struct dc_profile *profile, const char *name);

/* A YAML profile file (README: "Profiles") applied on top of `base` (which it may replace
 * entirely with `base: none`). */
int dc_profile_apply_yaml(struct dc_profile *profile, const char *data, size_t len,
                          const char *origin, struct dc_diag *diag);
int dc_profile_read_yaml(struct dc_profile *profile, const char *path, struct dc_diag *diag);

#endif
