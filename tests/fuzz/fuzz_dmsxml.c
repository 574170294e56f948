/* Fuzz target: DataMiner's DMS.xml reader. */
#include "dmsconn/inventory.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dc_cluster *c;
    struct dc_diag diag = {{0}};
    if (dc_cluster_new(&c))
        return 0;
    dc_inventory_parse_dmsxml(c, (const char *)data, size, "fuzz", &diag);
    dc_cluster_free(c);
    return 0;
}
