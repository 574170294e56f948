/* Pre-flight listeners (preflight.h): plain listening sockets, no accept needed. */
#include "dmsconn/preflight.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dmsconn/error.h"

static int listen_on(const char *address, uint16_t port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    if (inet_pton(AF_INET, address, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        len = sizeof *a4;
    } else if (inet_pton(AF_INET6, address, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        len = sizeof *a6;
    } else {
        return -EINVAL;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 512) != 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    return fd;
}

int dc_preflight_open(const char *address, const uint16_t *ports, size_t n,
                      struct dc_preflight *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n && i < DC_PREFLIGHT_MAX_PORTS; i++) {
        int fd = listen_on(address, ports[i]);
        if (fd >= 0) {
            out->fds[out->nopened] = fd;
            out->opened[out->nopened++] = ports[i];
        } else if (fd == -EADDRINUSE) {
            out->in_use[out->nin_use++] = ports[i];
        } else if (fd == -EINVAL) {
            dc_preflight_close(out);
            return DC_EINVAL;
        }
        /* other failures (a privileged port without the right): not opened, not in use */
    }
    return 0;
}

void dc_preflight_close(struct dc_preflight *pf)
{
    for (size_t i = 0; i < pf->nopened; i++) {
        if (pf->fds[i] >= 0)
            close(pf->fds[i]);
        pf->fds[i] = -1;
    }
    pf->nopened = 0;
}
