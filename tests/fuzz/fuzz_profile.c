/* Fuzz target: a YAML profile applied to the built-in one. */
#include "dmsconn/profile.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dc_profile *p;
    struct dc_diag diag = {{0}};
    if (dc_profile_dataminer(&p))
        return 0;
    dc_profile_apply_yaml(p, (const char *)data, size, "fuzz", &diag);
    dc_profile_free(p);
    return 0;
}
