/* What the kernel says about a probe's TCP socket, for every driver: the reading of a failed
 * connect, the handshake's round trip, a connection that met itself, the RST that ends a
 * bare connect check; the platform's part of it is the OS layer's (base/os.h). */
#include "base/os.h"
#include "engine_private.h"

#include <stdio.h>
#include <string.h>

/* What a failed connect says about the path, for every driver: `err` is a libuv error
 * (a negative errno on Unix), as libuv reports it or as an OS errno negated. */
enum dc_state dci_engine_connect_state(int err, char *detail, size_t cap)
{
    switch (err) {
    case UV_ECONNREFUSED:
        snprintf(detail, cap, "connection refused (RST): nothing listens");
        return DC_STATE_REFUSED;
    case UV_ECONNRESET:
        /* the handshake got through, then a reset: a service or a filter in front of it
         * turns this source away */
        snprintf(detail, cap,
                 "reset right after the connection was accepted: the service "
                 "(or a filter) rejects this source");
        return DC_STATE_REFUSED;
    case UV_ETIMEDOUT:
        snprintf(detail, cap, "connect timed out in the kernel: packets dropped");
        return DC_STATE_FILTERED;
    case UV_EHOSTUNREACH:
        snprintf(detail, cap, "host unreachable (ICMP or no neighbour answer)");
        return DC_STATE_UNREACHABLE;
    case UV_ENETUNREACH:
        snprintf(detail, cap, "network unreachable: no route to the destination");
        return DC_STATE_UNREACHABLE;
    case UV_EPERM:
    case UV_EACCES:
        /* connect() fails this way when a local OUTPUT rule drops or rejects the packet */
        snprintf(detail, cap, "blocked by a firewall rule on the source (%s)", uv_err_name(err));
        return DC_STATE_FILTERED;
    default: snprintf(detail, cap, "local failure: %s", uv_strerror(err)); return DC_STATE_ERROR;
    }
}

/* The socket under a TCP handle (uv_fileno gives Windows' SOCKET as a HANDLE). */
static bool sock_of(const uv_tcp_t *tcp, uv_os_sock_t *sock)
{
    uv_os_fd_t fd;
    if (uv_fileno((const uv_handle_t *)tcp, &fd) != 0)
        return false;
    *sock = (uv_os_sock_t)(uintptr_t)fd;
    return true;
}

/* The handshake's round trip. The kernel measured it (SYN to SYN-ACK) without the delay of
 * a busy loop noticing the connect; where it does not say, the loop's own clock. */
double dci_tcp_rtt_ms(const uv_tcp_t *tcp, uint64_t started_ns)
{
    uv_os_sock_t sock;
    double rtt = sock_of(tcp, &sock) ? dci_os_tcp_rtt_ms(sock) : -1;
    return rtt >= 0 ? rtt : (double)(uv_hrtime() - started_ns) / 1e6;
}

/* A bare connect check said nothing on the connection: it ends with a RST (as nmap -sT
 * does), which spares the peer a FIN exchange and leaves no TIME_WAIT socket here, so
 * checking thousands of ports again and again never runs short of local ports. */
void dci_tcp_reset_on_close(const uv_tcp_t *tcp)
{
    uv_os_sock_t sock;
    if (sock_of(tcp, &sock))
        dci_os_reset_on_close(sock);
}

/* A connect to a closed port of this very machine can meet itself: when the kernel picks the
 * probed port as the source port (it can, inside its ephemeral range), TCP's simultaneous
 * open connects the socket to itself. That is nothing listening, not a silent peer. Ports
 * below 1024 are never ephemeral, so the common case costs nothing. */
bool dci_tcp_met_itself(const uv_tcp_t *tcp, uint16_t port)
{
    if (port < 1024)
        return false;
    struct sockaddr_storage self, peer;
    int ls = sizeof self, lp = sizeof peer;
    if (uv_tcp_getsockname(tcp, (struct sockaddr *)&self, &ls) != 0 ||
        uv_tcp_getpeername(tcp, (struct sockaddr *)&peer, &lp) != 0 || ls != lp)
        return false;
    return memcmp(&self, &peer, (size_t)ls) == 0;
}

/* A copy of the connected socket (not inherited by child processes), for a driver that
 * carries on with a library of its own (HTTP); an invalid socket when there is none. */
uv_os_sock_t dci_tcp_duplicate(const uv_tcp_t *tcp)
{
    uv_os_sock_t sock;
    return sock_of(tcp, &sock) ? dci_os_sock_duplicate(sock) : dci_os_sock_invalid();
}
