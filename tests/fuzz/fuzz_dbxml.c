/* Fuzz target: DataMiner's DB.xml reader, after a DMS.xml so "localhost" has DMAs. */
#include "dmsconn/inventory.h"
#include "fuzz_util.h"

static const char dms[] = "<DMS><DMA ip=\"10.0.0.1\"/><DMA ip=\"10.0.0.2\"/></DMS>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dc_cluster *c;
    struct dc_diag diag = {{0}};
    if (dc_cluster_new(&c))
        return 0;
    if (dc_inventory_parse_dmsxml(c, dms, sizeof dms - 1, "dms", &diag) == 0)
        dc_inventory_parse_dbxml(c, (const char *)data, size, "fuzz", &diag);
    dc_cluster_free(c);
    return 0;
}
