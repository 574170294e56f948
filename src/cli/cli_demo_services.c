/* The demo's services: each listener answers like the service it stands for (NATS greets
 * with INFO, SLNet Remoting names itself in its Server header, Cassandra answers OPTIONS
 * with SUPPORTED, the OpenSearch transport echoes its ping, Telnet negotiates), so the
 * demo shows the protocol probes at work. One acceptor thread, one short-lived thread per
 * connection; every read is bounded by a receive timeout. */
#include "cli_demo_services.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct demo_services {
    int fds[64];
    enum demo_kind kinds[64];
    size_t n;
    int wake[2];
    pthread_t acceptor;
    bool started;
};

struct session {
    int fd;
    enum demo_kind kind;
};

/* Reads until `n` bytes or the peer stops; the receive timeout bounds it. */
static void drain(int fd, size_t n)
{
    char buf[1024];
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf, sizeof buf < n - got ? sizeof buf : n - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
}

static void reply(int fd, const void *data, size_t len)
{
    (void)!send(fd, data, len, MSG_NOSIGNAL);
}

/* Answers one HTTP request by its path, as the kind's service would. */
static void serve_http(int fd, enum demo_kind kind)
{
    char head[2048];
    size_t len = 0;
    while (len < sizeof head - 1 && !memmem(head, len, "\r\n\r\n", 4)) {
        ssize_t r = recv(fd, head + len, sizeof head - 1 - len, 0);
        if (r <= 0)
            return;
        len += (size_t)r;
    }
    head[len] = '\0';
    const char *path = strchr(head, ' ');
    path = path ? path + 1 : "";
    const char *body = "{}";
    int status = 404;
    if (kind == DEMO_NAS && strncmp(path, "/jwt/v1/accounts/ ", 18) == 0) {
        status = 200;
        body = "[]";
    } else if (kind == DEMO_OPENSEARCH && strncmp(path, "/ ", 2) == 0) {
        status = 200;
        body = "{\"cluster_name\":\"demo-search\",\"version\":{\"distribution\":"
               "\"opensearch\",\"number\":\"2.11.1\"}}";
    } else if (kind == DEMO_OPENSEARCH && strncmp(path, "/_cluster/health ", 17) == 0) {
        status = 200;
        body = "{\"status\":\"green\"}";
    } else if (kind == DEMO_WEB) {
        body = "";
    }
    /* the NATS Account Server is Go's net/http: no Server header */
    char server[40] = "";
    if (kind != DEMO_NAS)
        snprintf(server, sizeof server, "Server: %s\r\n",
                 kind == DEMO_WEB ? "nginx/1.22.1" : "demo");
    char answer[512];
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 %d %s\r\n%sContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status, status == 200 ? "OK" : "Not Found", server, strlen(body), body);
    reply(fd, answer, (size_t)n);
}

static void *serve_session(void *arg)
{
    struct session s = *(struct session *)arg;
    free(arg);
    struct timeval tv = {2, 0};
    setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static const char info[] = "INFO {\"server_id\":\"DEMO\",\"server_name\":\"demo\","
                               "\"version\":\"2.10.0\",\"cluster\":\"demo\"}\r\n";
    static const char remoting[] = "HTTP/1.1 400 Bad Request\r\n"
                                   "Server: MS .NET Remoting, MS .NET CLR 4.0.30319.42000\r\n"
                                   "Content-Length: 0\r\n\r\n";
    /* SUPPORTED: {CQL_VERSION: [3.4.5]} (native_protocol_v4.spec 4.2.4) */
    static const unsigned char supported[] = {
        0x84, 0,   0,   0,   0x06, 0,   0,   0, 0x18, 0, 1, 0,   11,  'C', 'Q', 'L', '_',
        'V',  'E', 'R', 'S', 'I',  'O', 'N', 0, 1,    0, 5, '3', '.', '4', '.', '5'};
    static const unsigned char ping[] = {'E', 'S', 0xff, 0xff, 0xff, 0xff};
    static const unsigned char iac[] = {0xff, 0xfd, 0x18, 0xff, 0xfb, 0x01};
    switch (s.kind) {
    case DEMO_NATS: reply(s.fd, info, sizeof info - 1); break;
    case DEMO_TELNET: reply(s.fd, iac, sizeof iac); break;
    case DEMO_REMOTING:
        drain(s.fd, 1);
        reply(s.fd, remoting, sizeof remoting - 1);
        break;
    case DEMO_CQL:
        drain(s.fd, 9);
        reply(s.fd, supported, sizeof supported);
        break;
    case DEMO_TRANSPORT:
        drain(s.fd, 6);
        reply(s.fd, ping, sizeof ping);
        break;
    case DEMO_WEB:
    case DEMO_NAS:
    case DEMO_OPENSEARCH: serve_http(s.fd, s.kind); break;
    case DEMO_PLAIN: break;
    }
    drain(s.fd, 1); /* until the probe closes, or the timeout */
    close(s.fd);
    return NULL;
}

static void *accept_loop(void *arg)
{
    struct demo_services *ds = arg;
    struct pollfd pfd[65];
    for (size_t i = 0; i < ds->n; i++)
        pfd[i] = (struct pollfd){.fd = ds->fds[i], .events = POLLIN};
    pfd[ds->n] = (struct pollfd){.fd = ds->wake[0], .events = POLLIN};
    for (;;) {
        if (poll(pfd, ds->n + 1, -1) < 0)
            continue;
        if (pfd[ds->n].revents)
            return NULL;
        for (size_t i = 0; i < ds->n; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            int fd = accept(ds->fds[i], NULL, NULL);
            struct session *s = fd >= 0 ? malloc(sizeof *s) : NULL;
            pthread_t t;
            if (!s) {
                if (fd >= 0)
                    close(fd);
                continue;
            }
            *s = (struct session){fd, ds->kinds[i]};
            if (pthread_create(&t, NULL, serve_session, s) == 0) {
                pthread_detach(t);
            } else {
                close(fd);
                free(s);
            }
        }
    }
}

int demo_services_start(const int *fds, const enum demo_kind *kinds, size_t n,
                        struct demo_services **out)
{
    struct demo_services *ds = calloc(1, sizeof *ds);
    if (!ds || n > 64 || pipe(ds->wake) != 0) {
        free(ds);
        return -1;
    }
    memcpy(ds->fds, fds, n * sizeof *fds);
    memcpy(ds->kinds, kinds, n * sizeof *kinds);
    ds->n = n;
    if (pthread_create(&ds->acceptor, NULL, accept_loop, ds) != 0) {
        close(ds->wake[0]);
        close(ds->wake[1]);
        free(ds);
        return -1;
    }
    ds->started = true;
    *out = ds;
    return 0;
}

void demo_services_stop(struct demo_services *ds)
{
    if (!ds)
        return;
    (void)!write(ds->wake[1], "x", 1);
    pthread_join(ds->acceptor, NULL);
    close(ds->wake[0]);
    close(ds->wake[1]);
    free(ds);
}
