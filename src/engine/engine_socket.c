/* What the kernel says about a probe's TCP socket, for every driver: the reading of a failed
 * connect, the handshake's round trip, a connection that met itself, the RST that ends a
 * bare connect check. The platform's socket details stay in this file. */
#include "engine_private.h"

#include <fcntl.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

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

/* The handshake's round trip. The kernel measured it (SYN to SYN-ACK) without the delay of
 * a busy loop noticing the connect; elsewhere the loop's own clock is the fallback. */
double dci_tcp_rtt_ms(const uv_tcp_t *tcp, uint64_t started_ns)
{
#ifdef __linux__
    uv_os_fd_t fd;
    struct tcp_info info;
    socklen_t len = sizeof info;
    if (uv_fileno((const uv_handle_t *)tcp, &fd) == 0 &&
        getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_rtt > 0)
        return (double)info.tcpi_rtt / 1000.0;
#endif
    return (double)(uv_hrtime() - started_ns) / 1e6;
}

/* A bare connect check said nothing on the connection: it ends with a RST (as nmap -sT
 * does), which spares the peer a FIN exchange and leaves no TIME_WAIT socket here, so
 * checking thousands of ports again and again never runs short of local ports. */
void dci_tcp_reset_on_close(const uv_tcp_t *tcp)
{
    uv_os_fd_t fd;
    struct linger now = {.l_onoff = 1, .l_linger = 0};
    if (uv_fileno((const uv_handle_t *)tcp, &fd) == 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
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

/* A copy of the connected socket's descriptor (close-on-exec), for a driver that carries on
 * with a library of its own (HTTP); -1 when there is none. */
int dci_tcp_duplicate(const uv_tcp_t *tcp)
{
    uv_os_fd_t fd;
    return uv_fileno((const uv_handle_t *)tcp, &fd) == 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
}
