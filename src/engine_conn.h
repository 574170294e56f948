/* Internal to the engine: its state, and the per-probe connection driver. */
#ifndef DMSCONN_ENGINE_CONN_H
#define DMSCONN_ENGINE_CONN_H

#include <uv.h>

#include "queue.h"

#include "dmsconn/engine.h"

enum dest_state { DEST_IDLE, DEST_RESOLVING, DEST_READY, DEST_FAILED };

/* One destination node: its resolved address and the FIFO of its tasks. */
struct dest {
    struct engine *engine;
    uint32_t node;
    enum dest_state state;
    struct sockaddr_storage addr; /* port 0; each probe sets its own */
    char address[64];
    const char *address_text; /* address, in the run's text pool (what results point at) */
    char why[192];            /* last resolution failure */
    const char *name;         /* the node's name that was resolved (NULL: a numeric address) */
    size_t try_index;
    uv_getaddrinfo_t gai;
    uint32_t *queue;
    size_t qhead;
    size_t qlen;
    unsigned active;
    bool in_ring;
};

struct conn;
struct snmp_probe;
struct dc_curl_uv;

struct engine {
    uv_loop_t loop;
    uv_async_t stop_async; /* dc_stopper_fire from another thread */
    bool stop_ready;       /* stop_async was initialised */
    const struct dc_cluster *cluster;
    const struct dc_profile *profile;
    const struct dc_plan *plan;
    struct dc_engine_opts opts;
    struct dc_result *results;
    struct dc_texts *texts; /* the results' strings */
    uint64_t timeout_ms;
    struct dest *dests;
    size_t ndests;
    struct sockaddr_storage *sources; /* per node, with bind_source; family 0: none */
    uint32_t *queue_store;
    uint32_t *ring; /* destinations with work and spare capacity */
    size_t ring_head;
    size_t ring_len;
    unsigned active;
    size_t done;
    size_t resolving;
    bool stopping;
    bool interrupted;
    bool signals;
    uv_signal_t sigint;
    uv_signal_t sigterm;
    uv_timer_t resolve_timer;
    uv_timer_t budget_timer; /* opts.budget_s */
    bool out_of_budget;
    /* Dialogue probes in flight, oldest first: all share one timeout, so the oldest has the
     * earliest deadline and one timer serves them all (no timer handle per probe). */
    struct dci_queue live;
    struct dci_queue in_library; /* probes whose library step runs on the thread pool */
    uv_timer_t deadline_timer;
    /* Finished probes whose handles close after the poll phase (engine_conn.c says why). */
    struct dci_queue closing;
    uv_check_t closing_check;
    uv_idle_t closing_idle;     /* keeps the poll from blocking while handles wait to close */
    struct dc_curl_uv *curl;    /* the HTTP driver's, made on first use */
    struct dci_queue snmp_live; /* SNMP probes in flight, for an interrupt */
    struct ssl_ctx_st *ssl_ctx; /* the TLS dialogues', made on first use */
    const char **peer_names;    /* the NATS servers of the cluster, for HTTP judges */
    const char **peer_addresses;
    size_t npeers;
    struct dci_queue free_list; /* finished probes' memory, reused */
    const char **facts;         /* per task, what a judge kept for its probe's revise (lazy) */
    /* The scheduler's (engine.c), once a probe towards dest has ended. */
    void (*on_dest_idle)(struct engine *e, struct dest *dest);
};

/* engine.c: the scheduler */
void dci_engine_pump(struct engine *e);
/* engine_results.c: what the drivers tell the engine */
void dci_engine_result_done(struct engine *e, uint32_t task);
/* Writes task's outcome into its result (texts copied into the run's pool; NULL: ""),
 * measured unless the state is unknown; the caller then reports it (dci_engine_result_done). */
void dci_engine_settle(struct engine *e, uint32_t task, enum dc_state state, const char *address,
                       const char *detail, const char *evidence);
/* Keeps what a judge wrote into its finding's facts for the run's revise step. */
void dci_engine_keep_facts(struct engine *e, uint32_t task, const char *facts);
/* engine_revise.c: once the loop has ended, each probe with a revise step sees all its
 * results of the run and may rewrite them. */
void dci_engine_revise(struct engine *e);
/* A probe that could not even start (out of memory...): its result says so, its slot
 * towards dest is free again. */
void dci_engine_local_failure(struct engine *e, struct dest *dest, uint32_t task,
                              const char *detail);
/* A probe towards dest has released its handles. */
void dci_engine_dest_idle(struct engine *e, struct dest *dest);

/* engine_conn.c: the socket-dialogue driver. */
void dci_conn_start(struct engine *e, struct dest *dest, uint32_t task);
void dci_conn_abort_all(struct engine *e);
void dci_conn_pool_free(struct engine *e);
void dci_conn_deadlines_init(struct engine *e);
/* The dialogue driver's lists, empty: before anything can end or be freed. */
void dci_conn_lists_init(struct engine *e);
/* What a failed connect (a libuv error: a negated errno) says about the path. */
enum dc_state dci_engine_connect_state(int err, char *detail, size_t cap);

/* engine_snmp.c: the SNMP driver. */
void dci_snmp_start(struct engine *e, struct dest *dest, uint32_t task);
void dci_snmp_abort_all(struct engine *e);

/* engine_http.c: the HTTP driver. The dialogue driver connects (dci_conn_start) and hands the
 * connected socket `fd` over; the probe's deadline still counts from started_ns. */
void dci_http_start_connected(struct engine *e, struct dest *dest, uint32_t task, int fd,
                              uint64_t started_ns);
void dci_http_abort_all(struct engine *e);
void dci_http_close(struct engine *e);

/* The dialogue driver's connection (engine_conn.c), shared with its library step
 * (engine_library.c). */
#define HELLO_MAX 192 /* the longest hello: Remoting's GET with an IPv6 Host header */
#define REPLY_DEFAULT 4096

struct conn {
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_write_t write_req;
    struct engine *engine;
    struct dest *dest;
    const struct dc_probe_ops *probe;
    uint32_t task;
    uint64_t started_ns;
    uint64_t deadline_ns;
    int open_handles;
    bool in_live; /* linked into e->live (else into e->in_library, or nowhere) */
    bool reported;
    bool connected;
    bool handed_off; /* an HTTP probe carries on with a copy of the socket (engine_http.c) */
    uint8_t *reply;
    size_t reply_len;
    size_t reply_cap;
    struct dc_tls *tls; /* the probe speaks TLS over this connection */
    bool handshaken;
    bool in_library;          /* a library step runs on the thread pool: the conn waits for it */
    struct library_step *lib; /* only for probes with one: most connections never need it */
    uint8_t hello[HELLO_MAX];
    struct dci_queue node; /* in live, in_library, closing or free_list: one at a time */
};

/* Reports exactly once, then closes the handles. */
void dci_conn_finish(struct conn *c, enum dc_state state, const char *detail);
/* Takes c out of the deadline list. */
void dci_live_unlink(struct engine *e, struct conn *c);
/* Starts the probe's library step on a probe out of the deadline list; `done` reports it
 * when the step ends. false when it cannot start (then nothing happened). */
typedef void (*dci_library_done_fn)(struct conn *c, enum dc_state state, const char *detail);
bool dci_library_start(struct conn *c, dci_library_done_fn done);
/* Cancels the step if the thread pool has not started it (library_done then reports). */
void dci_library_cancel(struct conn *c);

/* engine_socket.c: the kernel's word on a probe's TCP socket. */
double dci_tcp_rtt_ms(const uv_tcp_t *tcp, uint64_t started_ns);
void dci_tcp_reset_on_close(const uv_tcp_t *tcp);
bool dci_tcp_met_itself(const uv_tcp_t *tcp, uint16_t port);

#endif
