/* The demo's protocol-speaking listeners (cli_demo_services.c). */
#ifndef DMSCONN_CLI_DEMO_SERVICES_H
#define DMSCONN_CLI_DEMO_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

enum demo_kind {
    DEMO_PLAIN,
    DEMO_NATS,
    DEMO_REMOTING,
    DEMO_CQL,
    DEMO_TRANSPORT,
    DEMO_TELNET,
    DEMO_WEB,       /* some other web server */
    DEMO_NAS,       /* NATS Account Server */
    DEMO_OPENSEARCH /* OpenSearch REST, health green */
};

struct demo_services;

/* Serves the listening sockets socks[i] as kinds[i] (the loop then owns them) until stop
 * (at most 64). */
int demo_services_start(const uv_os_sock_t *socks, const enum demo_kind *kinds, size_t n,
                        struct demo_services **out);
void demo_services_stop(struct demo_services *ds);

#endif
