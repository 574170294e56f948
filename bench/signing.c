/* What request signing costs (agent.h, docs/security.md): N requests signed as the
 * coordinator does, then their heads verified and bodies checked as the agent does, with a
 * body the size of a 1,000-task row. Prints microseconds per request for each side.
 * Usage: bench_signing [N] */
#include "dmsconn/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static const char *value(const char *line)
{
    return strchr(line, ':') + 2;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    if (n < 1)
        n = 1;
    size_t len = 60 * 1000; /* ~60 bytes a task in the grouped wire form */
    char *body = malloc(len);
    struct dc_signed_headers *h = malloc((size_t)n * sizeof *h);
    if (!body || !h)
        return 1;
    memset(body, 'x', len);
    const char *token = "bench-token-0123456789abcdef";
    time_t t = time(NULL);
    double t0 = now_us();
    for (long i = 0; i < n; i++)
        if (dc_sign_request(token, "POST", "/v1/run", "dma1", body, len, t, &h[i]) != 0)
            return 1;
    double t1 = now_us();
    long skew;
    for (long i = 0; i < n; i++) {
        struct dc_sign_head head = {.node = value(h[i].node),
                                    .authorization = value(h[i].authorization),
                                    .date = value(h[i].date),
                                    .nonce = value(h[i].nonce),
                                    .content = value(h[i].content)};
        if (dc_sign_verify_head(token, "POST", "/v1/run", "dma1", &head, t, DC_SIGN_WINDOW_S,
                                &skew) != DC_SIGN_OK ||
            !dc_sign_body_matches(&head, body, len))
            return 1;
    }
    double t2 = now_us();
    printf("signing: %ld requests with a %zu-byte body: sign %.1f us, verify %.1f us a request "
           "(hashing the body included)\n",
           n, len, (t1 - t0) / (double)n, (t2 - t1) / (double)n);
    free(h);
    free(body);
    return 0;
}
