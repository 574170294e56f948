/* Fuzz target: the YAML inventory, then --node flags made of the same bytes. */
#include "dmsconn/inventory.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dc_cluster *c;
    struct dc_diag diag = {{0}};
    if (dc_cluster_new(&c))
        return 0;
    dc_inventory_parse_yaml(c, (const char *)data, size, "fuzz", &diag);
    char *flag = fuzz_text(data, size);
    if (flag)
        dc_inventory_add_flag(c, flag, &diag);
    free(flag);
    dc_cluster_free(c);
    return 0;
}
