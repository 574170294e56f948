/* The demo's protocol-speaking listeners (cli_demo_services.c). */
#ifndef DMSCONN_CLI_DEMO_SERVICES_H
#define DMSCONN_CLI_DEMO_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

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

/* Serves the listening sockets fds[i] as kinds[i] until stop (at most 64). */
int demo_services_start(const int *fds, const enum demo_kind *kinds, size_t n,
                        struct demo_services **out);
void demo_services_stop(struct demo_services *ds);

#endif
