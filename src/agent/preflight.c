/* Pre-flight listeners (preflight.h): plain listening sockets, no accept needed. */
#include "dmsconn/preflight.h"

#include <string.h>

#include "base/os.h"
#include "dmsconn/error.h"
#include "agent/agent_private.h"

/* A listening socket on address:port (0, or a libuv error: UV_EADDRINUSE when something
 * listens there already, UV_EINVAL for an address that is none). */
static int listen_on(const char *address, uint16_t port, uv_os_sock_t *out)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (uv_ip4_addr(address, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(address, port, (struct sockaddr_in6 *)&ss) != 0)
        return UV_EINVAL;
    return dci_os_listen((const struct sockaddr *)&ss, 512, out);
}

int dci_preflight_open(const char *address, const uint16_t *ports, size_t n,
                       struct dc_preflight *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n && i < DC_PREFLIGHT_MAX_PORTS; i++) {
        uv_os_sock_t sock;
        int rc = listen_on(address, ports[i], &sock);
        if (rc == 0) {
            out->socks[out->nopened] = (intptr_t)sock;
            out->opened[out->nopened++] = ports[i];
        } else if (rc == UV_EADDRINUSE) {
            out->in_use[out->nin_use++] = ports[i];
        } else if (rc == UV_EINVAL) {
            dci_preflight_close(out);
            return DC_EINVAL;
        }
        /* other failures (a privileged port without the right): not opened, not in use */
    }
    return 0;
}

void dci_preflight_close(struct dc_preflight *pf)
{
    for (size_t i = 0; i < pf->nopened; i++) {
        dci_os_sock_close((uv_os_sock_t)pf->socks[i]);
    }
    pf->nopened = 0;
}
