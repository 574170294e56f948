/* A stand-in for `tc qdisc add dev lo root netem delay D`, for kernels built without
 * sch_netem: every packet an NFQUEUE rule hands over is held D milliseconds, then accepted.
 * One delay for all, so packets leave in the order they came. Benchmarks only (root, in a
 * namespace of their own): bench/nmap.sh builds and starts it.
 * Usage: delay_queue QUEUE-NUMBER DELAY-MS    (prints "ready" once bound) */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnfnetlink/libnfnetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define HELD_MAX (1u << 20)

struct held {
    uint32_t id;
    uint64_t due_ns;
};

static struct held held[HELD_MAX];
static size_t head, count;
static uint64_t delay_ns;
static volatile sig_atomic_t stopping;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data)
{
    (void)msg;
    (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph)
        return 0;
    uint32_t id = ntohl(ph->packet_id);
    if (count == HELD_MAX) /* more than a million in flight: let it through at once */
        return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    held[(head + count++) % HELD_MAX] = (struct held){id, now_ns() + delay_ns};
    return 0;
}

static void release_due(struct nfq_q_handle *qh)
{
    uint64_t now = now_ns();
    while (count && held[head].due_ns <= now) {
        nfq_set_verdict(qh, held[head].id, NF_ACCEPT, 0, NULL);
        head = (head + 1) % HELD_MAX;
        count--;
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: delay_queue QUEUE-NUMBER DELAY-MS\n");
        return 2;
    }
    delay_ns = (uint64_t)(atof(argv[2]) * 1e6);
    struct nfq_handle *h = nfq_open();
    struct nfq_q_handle *qh =
        h ? nfq_create_queue(h, (uint16_t)atoi(argv[1]), on_packet, NULL) : NULL;
    if (!qh || nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
        fprintf(stderr, "delay_queue: cannot bind queue %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    nfq_set_queue_maxlen(qh, 1 << 20);
    /* thousands of SYNs arrive at once: a small socket buffer would lose queued packets
     * (ENOBUFS), which a benchmark would then count as dropped ports */
    nfnl_rcvbufsiz(nfq_nfnlh(h), 256u << 20);
    int on = 1;
    setsockopt(nfq_fd(h), SOL_NETLINK, NETLINK_NO_ENOBUFS, &on, sizeof on);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int fd = nfq_fd(h);
    char buf[65536];
    printf("ready\n");
    fflush(stdout);
    while (!stopping) {
        int wait_ms = -1;
        if (count) {
            uint64_t now = now_ns(), due = held[head].due_ns;
            wait_ms = due > now ? (int)((due - now + 999999) / 1000000) : 0;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, wait_ms) > 0) {
            ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            while (n > 0) {
                nfq_handle_packet(h, buf, (int)n);
                n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            }
        }
        release_due(qh);
    }
    while (count) { /* never leave packets stranded */
        nfq_set_verdict(qh, held[head].id, NF_ACCEPT, 0, NULL);
        head = (head + 1) % HELD_MAX;
        count--;
    }
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
