/* What keeps an agent's connection slots for its coordinators. A client that sends a request
 * slowly (a header line every few seconds) used to hold a slot for as long as it liked, the
 * idle timeout never firing: sixteen of them, from two addresses, and the coordinator's row
 * read unknown. Two rules, as nginx has them (client_header_timeout and client_body_timeout
 * over a whole request; limit_conn per zone):
 *  - a request must arrive whole within DEADLINE seconds of its connection's start (or of the
 *    end of its previous request); a watchdog thread ends a connection that takes longer by
 *    shutting its socket down, which its own thread then sees and closes;
 *  - clients whose address is none of the node list's share at most a few connections; the
 *    other slots are the cluster nodes', where coordinators run.
 * A request's processing (a batch that runs for its timeout) does not count: the clock stops
 * once the request has arrived. */
#include "agent/agent_guard.h"
#include "base/os.h"
#include "inputs/inputs_private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct guard_conn {
    struct guard_conn *prev, *next;
    struct dci_agent_guard *guard;
    /* a duplicate of the connection's socket, the guard's own until the connection has
     * closed: a shutdown through it never reaches a descriptor number the system has given
     * to another socket since */
    uv_os_sock_t sock;
    uint64_t since_ns; /* the start of the request under way */
    bool received;     /* its request has arrived: the clock is stopped */
    bool outside;      /* its address is none of the node list's */
    bool cut;          /* shut down by the watchdog */
};

struct dci_agent_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stopping;
    struct guard_conn live; /* list head */
    unsigned outside;       /* connections from outside the node list */
    unsigned outside_max;
    uint64_t deadline_ns;
    const struct dc_cluster *cluster;
};

static bool is_node_address(const struct dc_cluster *cluster, const struct sockaddr *sa)
{
    return dci_cluster_node_at(cluster, sa) >= 0;
}

static void *watch(void *arg)
{
    struct dci_agent_guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stopping) {
        struct timespec at;
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_nsec += 250 * 1000000L; /* a quarter of a second's grain */
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &at);
        uint64_t now = uv_hrtime();
        for (struct guard_conn *c = g->live.next; c != &g->live; c = c->next) {
            if (!c->received && !c->cut && now - c->since_ns > g->deadline_ns) {
                c->cut = true;
                dci_os_sock_shutdown(c->sock);
            }
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int dci_agent_guard_start(const struct dc_cluster *cluster, double deadline_s, unsigned outside_max,
                          struct dci_agent_guard **out)
{
    struct dci_agent_guard *g = calloc(1, sizeof *g);
    if (!g)
        return DC_ENOMEM;
    g->cluster = cluster;
    g->outside_max = outside_max;
    g->deadline_ns = (uint64_t)(deadline_s * 1e9);
    g->live.next = g->live.prev = &g->live;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&g->mu, NULL);
    if (pthread_create(&g->thread, NULL, watch, g) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        free(g);
        return DC_ENOMEM;
    }
    *out = g;
    return 0;
}

void dci_agent_guard_stop(struct dci_agent_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stopping = true;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

enum MHD_Result dci_agent_guard_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    struct dci_agent_guard *g = cls;
    (void)len;
    if (is_node_address(g->cluster, addr))
        return MHD_YES;
    pthread_mutex_lock(&g->mu);
    bool room = g->outside < g->outside_max;
    pthread_mutex_unlock(&g->mu);
    return room ? MHD_YES : MHD_NO;
}

void dci_agent_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe)
{
    struct dci_agent_guard *g = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct guard_conn *c = calloc(1, sizeof *c);
        *socket_context = c;
        if (!c)
            return; /* unguarded: the idle timeout still holds */
        c->guard = g;
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *peer =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        c->sock = fd ? dci_os_sock_duplicate((uv_os_sock_t)fd->connect_fd) : dci_os_sock_invalid();
        c->outside = !peer || !is_node_address(g->cluster, peer->client_addr);
        c->since_ns = uv_hrtime();
        /* without a socket of its own it cannot be cut: leave it to the idle timeout */
        c->received = !dci_os_sock_valid(c->sock);
        pthread_mutex_lock(&g->mu);
        c->next = &g->live;
        c->prev = g->live.prev;
        g->live.prev->next = c;
        g->live.prev = c;
        g->outside += c->outside;
        pthread_mutex_unlock(&g->mu);
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        struct guard_conn *c = *socket_context;
        pthread_mutex_lock(&g->mu);
        c->prev->next = c->next;
        c->next->prev = c->prev;
        g->outside -= c->outside;
        pthread_mutex_unlock(&g->mu);
        if (dci_os_sock_valid(c->sock))
            dci_os_sock_close(c->sock);
        free(c);
        *socket_context = NULL;
    }
}

static struct guard_conn *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void dci_agent_guard_received(struct MHD_Connection *conn)
{
    struct guard_conn *c = conn_of(conn);
    if (!c)
        return;
    struct dci_agent_guard *g = c->guard;
    pthread_mutex_lock(&g->mu);
    c->received = true;
    pthread_mutex_unlock(&g->mu);
}

void dci_agent_guard_next_request(struct MHD_Connection *conn)
{
    struct guard_conn *c = conn_of(conn);
    if (!c)
        return;
    struct dci_agent_guard *g = c->guard;
    pthread_mutex_lock(&g->mu);
    c->received = false;
    c->since_ns = uv_hrtime();
    pthread_mutex_unlock(&g->mu);
}
