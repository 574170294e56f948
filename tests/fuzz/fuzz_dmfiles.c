/* Fuzz target: the DataMiner folder's other readers (ClusterEndpoints.json and
 * ConnectionSettings.txt with their UTF-8 step, MaintenanceSettings.xml, SLNet.exe.config,
 * SLCloud.xml, DataMiner.xml, DBConfiguration.xml); the first byte picks the reader, the rest is
 * the file. */
#include "base/text_utf8.h"
#include "dmsconn/cluster.h"
#include "dmsconn/inventory.h"
#include "fuzz_util.h"

#include <stdlib.h>
#include <string.h>

typedef int (*parse_fn)(struct dc_cluster *, const char *, size_t, const char *, struct dc_diag *);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const parse_fn readers[] = {
        dc_inventory_parse_endpoints,           dc_inventory_parse_maintenance,
        dc_inventory_parse_slnet_config,        dc_inventory_parse_slcloud,
        dc_inventory_parse_dataminer_xml,       dc_inventory_parse_dbconfig,
        dc_inventory_parse_connection_settings,
    };
    if (size < 1)
        return 0;
    parse_fn parse = readers[data[0] % (sizeof readers / sizeof readers[0])];
    size_t len = size - 1;
    char *text = malloc(len + 1);
    struct dc_cluster *c = NULL;
    struct dc_diag diag = {{0}};
    if (!text || dc_cluster_new(&c)) {
        free(text);
        return 0;
    }
    memcpy(text, data + 1, len);
    text[len] = '\0';
    int rc =
        parse == dc_inventory_parse_endpoints || parse == dc_inventory_parse_connection_settings
            ? dci_text_to_utf8(&text, &len, "fuzz", &diag)
            : 0;
    if (rc == 0 && parse(c, text, len, "fuzz", &diag) == 0)
        dc_cluster_finish(c, true);
    dc_cluster_free(c);
    free(text);
    return 0;
}
