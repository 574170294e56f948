/* Fuzz target: what an agent reads (a batch of tasks) and what the coordinator reads (an
 * agent's results); the first byte says how many results to expect. */
#include "dmsconn/wire.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    struct dc_wire_batch *batch = NULL;
    if (dc_wire_parse_request((const char *)data, size, &batch, why, sizeof why) == 0)
        dc_wire_batch_free(batch);
    if (size < 1)
        return 0;
    size_t n = data[0] % 8;
    struct dc_result results[8];
    struct dc_texts *texts = dc_texts_new();
    struct dc_wire_settings settings;
    dc_wire_parse_results((const char *)data + 1, size - 1, results, n, texts, &settings, why,
                          sizeof why);
    dc_texts_free(texts);
    return 0;
}
