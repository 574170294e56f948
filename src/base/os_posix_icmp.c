/* ICMP echo on Linux: an unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP) where
 * net.ipv4.ping_group_range lets this user in, else a raw socket (CAP_NET_RAW). A ping socket
 * is connected to the peer: the kernel picks the echo's identifier, hands it only its own
 * replies and puts the ICMP errors about its echoes on its error queue (IP_RECVERR). A raw
 * socket sees every ICMP message of the host: replies are told by identifier and source,
 * errors by the echo they quote (RFC 792; RFC 4443 for ICMPv6). The loop watches the socket
 * with a uv_poll that this file owns. A reply's round trip is the kernel's: from the time it
 * was sent to the receive timestamp the kernel gives it (SO_TIMESTAMPNS, as ping does), so a
 * loop busy with other probes when the reply comes does not lengthen it. */
#include "os.h"

#include <stdlib.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>
#include <linux/filter.h>

#define PAYLOAD "dmsconn echo 1.0" /* 16 bytes */

struct dci_icmp {
    uv_os_sock_t sock;
    int family;
    bool raw;    /* a raw socket: it sees every ICMP message, told apart by `id` */
    uint16_t id; /* the echo's identifier (a ping socket's kernel picks its own) */
    struct sockaddr_storage peer;
    uv_poll_t poll;
    bool closing;
    dci_icmp_cb ready, closed;
    void *ud;
    struct timespec sent[DCI_ICMP_ECHOES_MAX]; /* CLOCK_REALTIME, the timestamps' clock */
};

static uint16_t checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void on_poll(uv_poll_t *poll, int status, int events)
{
    struct dci_icmp *icmp = poll->data;
    (void)events;
    icmp->ready(icmp->ud);
    /* a ping socket's queued error stops libuv's poll (POLLERR): once read, go on */
    if (status < 0 && !icmp->closing)
        uv_poll_start(&icmp->poll, UV_READABLE, on_poll);
}

/* A raw socket is handed a copy of every ICMP message of the host: with a thousand probes
 * out, each reply would wake a thousand sockets. A socket filter (classic BPF, as iputils'
 * ping installs on its raw socket) lets through only the replies carrying this channel's
 * identifier and the errors (which quote the echo: told apart below); the kernel drops the
 * rest before anyone is woken. IPv4 raw sockets see the IP header first, ICMPv6 ones do not. */
static void only_ours(int fd, int family, uint16_t id)
{
    bool v6 = family == AF_INET6;
    uint8_t reply = v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
    uint8_t unreach = v6 ? ICMP6_DST_UNREACH : ICMP_DEST_UNREACH;
    uint8_t exceeded = v6 ? ICMP6_TIME_EXCEEDED : ICMP_TIME_EXCEEDED;
    struct sock_filter code[] = {
        /* 0: X = where the ICMP header starts: after the IPv4 header (ICMPv6: at 0) */
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),              /* 1: its type */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, reply, 0, 2),   /* 2: a reply? else 5 */
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),              /* 3: its identifier */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, id, 2, 3),      /* 4: ours? 7, else 8 */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, unreach, 1, 0), /* 5: an error? 7 */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, exceeded, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0xffff), /* 7: ours, or an error that may quote ours */
        BPF_STMT(BPF_RET | BPF_K, 0),      /* 8: someone else's */
    };
    if (v6)
        code[0] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_IMM, 0);
    struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
    /* without it (a kernel that refuses it) the socket still works: the checks below tell */
    setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static int open_socket(struct dci_icmp *icmp, const struct sockaddr *peer,
                       const struct sockaddr *source, char *why, size_t cap)
{
    int family = peer->sa_family;
    int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    icmp->family = family;
    memcpy(&icmp->peer, peer, len);
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    int dgram_err = fd < 0 ? errno : 0;
    if (fd < 0) {
        fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
        icmp->raw = true;
    }
    if (fd < 0) {
        /* short: it is the result's detail; the remedy says what allows one */
        snprintf(why, cap, "no ICMP socket here: ping socket %s, raw socket %s",
                 strerror(dgram_err), strerror(errno));
        return -errno;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on); /* each reply's arrival */
    if (icmp->raw)
        only_ours(fd, family, icmp->id);
    if (!icmp->raw) /* ICMP errors about our echoes, on the error queue */
        setsockopt(fd, family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
                   family == AF_INET6 ? IPV6_RECVERR : IP_RECVERR, &on, sizeof on);
    if ((source && bind(fd, source, len) != 0) || (!icmp->raw && connect(fd, peer, len) != 0)) {
        int err = errno;
        snprintf(why, cap, "ICMP socket: %s", strerror(err));
        close(fd);
        return -err;
    }
    icmp->sock = fd;
    return 0;
}

int dci_os_icmp_open(uv_loop_t *loop, const struct sockaddr *peer, const struct sockaddr *source,
                     uint16_t id, dci_icmp_cb ready, void *ud, struct dci_icmp **out, char *why,
                     size_t cap)
{
    struct dci_icmp *icmp = calloc(1, sizeof *icmp);
    if (!icmp) {
        snprintf(why, cap, "local failure: out of memory");
        return -ENOMEM;
    }
    icmp->id = id;
    icmp->ready = ready;
    icmp->ud = ud;
    int rc = open_socket(icmp, peer, source, why, cap);
    if (rc == 0 && uv_poll_init_socket(loop, &icmp->poll, icmp->sock) != 0) {
        snprintf(why, cap, "local failure: cannot watch the ICMP socket");
        close(icmp->sock);
        rc = -EIO;
    }
    if (rc) {
        free(icmp);
        return rc;
    }
    icmp->poll.data = icmp;
    uv_poll_start(&icmp->poll, UV_READABLE, on_poll);
    *out = icmp;
    return 0;
}

int dci_os_icmp_send(struct dci_icmp *icmp, uint16_t seq, unsigned timeout_ms)
{
    (void)timeout_ms; /* the socket waits for nothing: the driver's deadline ends the wait */
    uint8_t pkt[8 + sizeof PAYLOAD - 1];
    bool v6 = icmp->family == AF_INET6;
    pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
    pkt[1] = 0;
    pkt[2] = pkt[3] = 0;
    pkt[4] = (uint8_t)(icmp->id >> 8);
    pkt[5] = (uint8_t)icmp->id;
    pkt[6] = (uint8_t)(seq >> 8);
    pkt[7] = (uint8_t)seq;
    memcpy(pkt + 8, PAYLOAD, sizeof PAYLOAD - 1);
    if (!v6) { /* ICMPv6's checksum covers a pseudo-header: the kernel computes it */
        uint16_t sum = checksum(pkt, sizeof pkt);
        pkt[2] = (uint8_t)(sum >> 8);
        pkt[3] = (uint8_t)sum;
    }
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (seq < DCI_ICMP_ECHOES_MAX)
        clock_gettime(CLOCK_REALTIME, &icmp->sent[seq]);
    ssize_t n = icmp->raw ? sendto(icmp->sock, pkt, sizeof pkt, 0,
                                   (const struct sockaddr *)&icmp->peer, len)
                          : send(icmp->sock, pkt, sizeof pkt, 0);
    return n == (ssize_t)sizeof pkt ? 0 : -errno;
}

/* A message to receive into iov, with its sender and its control messages. */
static struct msghdr message(struct iovec *iov, struct sockaddr_storage *from, void *control,
                             size_t cap)
{
    return (struct msghdr){.msg_name = from,
                           .msg_namelen = sizeof *from,
                           .msg_iov = iov,
                           .msg_iovlen = 1,
                           .msg_control = control,
                           .msg_controllen = cap};
}

/* An ICMP error from the ping socket's error queue. */
static enum dci_icmp_event read_error(struct dci_icmp *icmp, char *detail, size_t cap)
{
    uint8_t data[256], control[512];
    struct sockaddr_storage from;
    struct iovec iov = {data, sizeof data};
    struct msghdr msg = message(&iov, &from, control, sizeof control);
    if (recvmsg(icmp->sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
        return DCI_ICMP_NONE;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
        bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
        if (!v4 && !v6)
            continue;
        const struct sock_extended_err *e = (const struct sock_extended_err *)CMSG_DATA(c);
        if (e->ee_origin != SO_EE_ORIGIN_ICMP && e->ee_origin != SO_EE_ORIGIN_ICMP6)
            continue;
        char by[64] = "";
        const struct sockaddr *off = SO_EE_OFFENDER(e);
        if (off->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)off)->sin_addr, by, sizeof by);
        else if (off->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)off)->sin6_addr, by, sizeof by);
        snprintf(detail, cap, "ICMP%s type %u code %u (%s)%s%s", v6 ? "v6" : "", e->ee_type,
                 e->ee_code, strerror((int)e->ee_errno), by[0] ? " from " : "", by);
        return DCI_ICMP_ERROR;
    }
    return DCI_ICMP_NONE;
}

/* An ICMP error that quotes our echo (raw sockets): the quoted header's identifier. */
static bool quotes_our_echo(const struct dci_icmp *icmp, const uint8_t *quoted, size_t n)
{
    size_t at;
    if (icmp->family == AF_INET6) {
        if (n < 40 + 8 || quoted[6] != IPPROTO_ICMPV6)
            return false;
        at = 40;
        return quoted[at] == ICMP6_ECHO_REQUEST &&
               (uint16_t)(quoted[at + 4] << 8 | quoted[at + 5]) == icmp->id;
    }
    if (n < 20 || quoted[9] != IPPROTO_ICMP)
        return false;
    at = (size_t)(quoted[0] & 0x0f) * 4;
    return n >= at + 8 && quoted[at] == ICMP_ECHO &&
           (uint16_t)(quoted[at + 4] << 8 | quoted[at + 5]) == icmp->id;
}

/* When the kernel received the message (now, if it did not say). */
static struct timespec arrival(struct msghdr *msg)
{
    struct timespec at;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            memcpy(&at, CMSG_DATA(c), sizeof at);
            return at;
        }
    }
    clock_gettime(CLOCK_REALTIME, &at);
    return at;
}

enum dci_icmp_event dci_os_icmp_recv(struct dci_icmp *icmp, uint16_t *seq, double *rtt_ms,
                                     char *detail, size_t cap)
{
    uint8_t buf[1500], control[256];
    struct sockaddr_storage from;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = message(&iov, &from, control, sizeof control);
    ssize_t n = recvmsg(icmp->sock, &msg, MSG_DONTWAIT);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? DCI_ICMP_NONE
                                                       : read_error(icmp, detail, cap);
    bool v6 = icmp->family == AF_INET6;
    const uint8_t *m = buf;
    size_t len = (size_t)n;
    if (icmp->raw && !v6) { /* a raw IPv4 socket gets the IP header too */
        size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
        if (len < ihl + 8)
            return DCI_ICMP_NONE;
        m += ihl;
        len -= ihl;
    }
    if (len < 8)
        return DCI_ICMP_NONE;
    uint8_t reply = v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
    bool from_peer = true;
    if (icmp->raw) {
        from_peer = v6 ? memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr,
                                &((struct sockaddr_in6 *)&icmp->peer)->sin6_addr,
                                sizeof(struct in6_addr)) == 0
                       : ((struct sockaddr_in *)&from)->sin_addr.s_addr ==
                             ((struct sockaddr_in *)&icmp->peer)->sin_addr.s_addr;
    }
    if (m[0] == reply) {
        uint16_t id = (uint16_t)(m[4] << 8 | m[5]);
        if (icmp->raw && (id != icmp->id || !from_peer))
            return DCI_ICMP_NONE;
        *seq = (uint16_t)(m[6] << 8 | m[7]);
        if (*seq < DCI_ICMP_ECHOES_MAX) {
            struct timespec at = arrival(&msg), *sent = &icmp->sent[*seq];
            *rtt_ms = (double)(at.tv_sec - sent->tv_sec) * 1e3 +
                      (double)(at.tv_nsec - sent->tv_nsec) / 1e6;
        }
        return DCI_ICMP_REPLY;
    }
    bool error = v6 ? m[0] == ICMP6_DST_UNREACH || m[0] == ICMP6_TIME_EXCEEDED
                    : m[0] == ICMP_DEST_UNREACH || m[0] == ICMP_TIME_EXCEEDED;
    if (icmp->raw && error && quotes_our_echo(icmp, m + 8, len - 8)) {
        char by[64] = "";
        if (v6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, by, sizeof by);
        else
            inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, by, sizeof by);
        snprintf(detail, cap, "ICMP%s type %u code %u from %s", v6 ? "v6" : "", m[0], m[1], by);
        return DCI_ICMP_ERROR;
    }
    return DCI_ICMP_NONE;
}

static void on_poll_closed(uv_handle_t *handle)
{
    struct dci_icmp *icmp = handle->data;
    dci_icmp_cb closed = icmp->closed;
    void *ud = icmp->ud;
    close(icmp->sock);
    free(icmp);
    if (closed)
        closed(ud);
}

void dci_os_icmp_close(struct dci_icmp *icmp, dci_icmp_cb closed)
{
    icmp->closing = true;
    icmp->closed = closed;
    uv_poll_stop(&icmp->poll);
    uv_close((uv_handle_t *)&icmp->poll, on_poll_closed);
}
