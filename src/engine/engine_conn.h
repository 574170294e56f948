/* Internal to the engine: a probe's TCP socket, from its connect to its close. The connect
 * stage (engine_connect.c) is what every socket driver starts with; the dialogue driver
 * (engine_dialogue.c) and its library step (engine_library.c) carry on on the connection,
 * the HTTP driver takes it over (dci_conn_hand_over). */
#ifndef DMSCONN_ENGINE_CONN_H
#define DMSCONN_ENGINE_CONN_H

#include "engine_private.h"

/* Where a probe's socket is; each stage says which list holds it. */
enum conn_stage {
    CONN_CONNECTING,  /* in connect.live: connect() under way (in connect.failing when it
                         failed at once: settled after the poll phase) */
    CONN_HANDSHAKING, /* in connect.live: connected, the TLS handshake under way */
    CONN_TALKING,     /* in connect.live: connected, the reply judged as it comes */
    CONN_IN_LIBRARY,  /* in the dialogue's in_library: its library step runs on the pool */
    CONN_HANDED_OVER, /* in no list: another driver carries on with a copy of the socket */
    CONN_SUPERSEDED,  /* in connect.closing: its SYN was lost, a new attempt carries on */
    CONN_REPORTED,    /* result settled; in connect.closing until the handle is closed */
};

struct conn;
struct dci_library_step;

/* What a driver does with a connection the connect stage made for it. */
struct dci_socket_user {
    /* The connection is up (c->stage CONN_TALKING, the latency measured). */
    void (*connected)(struct conn *c);
    /* The deadline came while the connection was up (CONN_HANDSHAKING or CONN_TALKING).
     * NULL: the user never keeps a connection that long (it reads as filtered). */
    void (*expired)(struct conn *c);
    /* The handle has closed: free what the driver hung on c. NULL: nothing. */
    void (*released)(struct conn *c);
};

struct conn {
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_write_t write_req;
    struct engine *engine;
    struct dest *dest;
    const struct dc_probe_ops *probe;
    const struct dci_socket_user *user;
    uint32_t task;
    enum conn_stage stage;
    uint8_t syn_attempt; /* 1, then one more each time the kernel gave up on a lost SYN */
    int early_status;    /* a connect that failed at once (in connect.failing): its error */
    uint64_t started_ns; /* the probe's start: its deadline counts from it */
    uint64_t attempt_ns; /* this attempt's: the loop's measure of the handshake */
    uint64_t deadline_ns;
    /* what the probe found so far, settled with it (dci_conn_finish): the connect's round
     * trip, and what the peer said of itself and whether the service is degraded */
    double latency_ms;
    const char *evidence; /* in the run's text pool, or NULL */
    const char *tls;      /* the peer's certificate (dci_cert_keep), or NULL */
    bool severe;
    /* The user driver's own state of this connection (curl's connection filter's ctx): the
     * connect stage never reads it; the user frees or keeps it in `released`. */
    void *ctx;
    struct dci_queue node; /* in the list its stage names, or in connect.free_list */
};

/* engine_connect.c: its lists (before anything can end or be freed), then its handles on
 * the run's loop. */
void dci_connect_init(struct engine *e);
void dci_connect_open(struct engine *e);
/* Connects a probe of `user`'s towards dest; a failed connect or the deadline before the
 * connection settles the result itself. */
void dci_connect_start(struct engine *e, struct dest *dest, uint32_t task,
                       const struct dci_socket_user *user);
/* Ends `user`'s probes still connecting or talking: unknown, interrupted. */
void dci_connect_abort_all(struct engine *e, const struct dci_socket_user *user);
/* Once the loop has run dry; and once it has closed, the pool of finished probes freed. */
void dci_connect_close(struct engine *e);
void dci_connect_release(struct engine *e);
/* Settles c's result (once: later calls do nothing) and closes its handle; its destination
 * slot is given back once closed. */
void dci_conn_finish(struct conn *c, enum dc_state state, const char *detail);
/* Takes c out of the deadline list (its stage then names where it goes). */
void dci_conn_unlink(struct conn *c);
/* Gives a connected c's socket away: a copy of it, or an invalid socket (then nothing
 * happened). c's handle closes; the taker holds the destination's slot and settles. */
uv_os_sock_t dci_conn_hand_over(struct conn *c);

/* engine_library.c: starts the probe's library step on a probe out of the deadline list,
 * from what the judge found; `done` is called on the loop thread when the step ends (the
 * step is freed then). NULL when it cannot start (then nothing happened). */
typedef void (*dci_library_done_fn)(struct conn *c, enum dc_state state, const char *detail);
struct dci_library_step *dci_library_start(struct conn *c, const struct dc_finding *judged,
                                           dci_library_done_fn done);
/* Cancels the step if the thread pool has not started it (its `done` then says so). */
void dci_library_cancel(struct dci_library_step *step);

#endif
