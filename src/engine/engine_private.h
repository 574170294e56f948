/* Internal to the engine: its state, the interface every driver has, and what the drivers
 * tell the engine. Drivers include this header (and the connect stage's, engine_conn.h) and
 * never each other's files. */
#ifndef DMSCONN_ENGINE_PRIVATE_H
#define DMSCONN_ENGINE_PRIVATE_H

#include <uv.h>

#include "base/queue.h"

#include "dmsconn/engine.h"
#include "probes/probe.h"

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
    bool gave_back; /* in the next turn's list of destinations that gave a slot back */
};

/* A probe that could not start (out of memory...): settled on the scheduler's next turn. */
struct dci_failed_start {
    struct dest *dest;
    uint32_t task;
    const char *detail; /* in the run's text pool */
};

struct dci_curl_uv;
struct engine;

/* One driver: how a probe of its kind runs (struct dci_protocol.driver picks it). Whatever
 * happens to a probe it starts, the driver settles its result once (dci_engine_settle) and,
 * once its handles are closed, gives the destination's slot back (dci_engine_dest_idle). */
struct dci_driver {
    /* Before the run: the driver's own state (only its file knows it), 0 or DC_ENOMEM.
     * NULL: it has none. */
    int (*init)(struct engine *e);
    void (*start)(struct engine *e, struct dest *dest, uint32_t task);
    /* Ends every probe of this driver in flight now; each settles unknown (not measured). */
    void (*abort_all)(struct engine *e);
    /* Once the loop has run dry: closes the driver's own handles (the loop then runs their
     * close callbacks). NULL: it has none. */
    void (*close)(struct engine *e);
    /* After the loop has closed: frees the driver's memory. NULL: nothing to free. */
    void (*release)(struct engine *e);
};

extern const struct dci_driver dci_driver_dialogue; /* engine_dialogue.c */
extern const struct dci_driver dci_driver_http;     /* engine_http.c */
extern const struct dci_driver dci_driver_snmp;     /* engine_snmp.c */
extern const struct dci_driver dci_driver_icmp;     /* engine_icmp.c */

/* The connect stage's (engine_connect.c), which the dialogue and HTTP drivers share. */
struct dci_connect_state {
    /* Probes connecting or talking, oldest first: all share one timeout, so the oldest has
     * the earliest deadline and one timer serves them all (no timer handle per probe). */
    struct dci_queue live;
    uv_timer_t deadline_timer;
    /* Connects that failed before a packet left (no route, no descriptor): settled after the
     * poll phase, never inside the start that made them. */
    struct dci_queue failing;
    /* Finished probes whose handles close after the poll phase (engine_connect.c says why). */
    struct dci_queue closing;
    uv_check_t closing_check;
    uv_idle_t closing_idle;     /* keeps the poll from blocking while handles wait to close */
    struct dci_queue free_list; /* finished probes' memory, reused */
};

struct engine {
    uv_loop_t loop;
    uv_async_t stop_async; /* dci_stopper_fire from another thread */
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
    const char **facts; /* per task, what a judge kept for its probe's revise (lazy) */
    /* The scheduler's next turn: what the drivers gave back since the last one, handled by
     * the scheduler's own check callback after the loop's poll phase (engine.c), never inside
     * the driver that reported it (libuv's rule: a failure reports on the next loop turn).
     * The idle handle only keeps that poll from blocking while a turn is wanted. */
    struct {
        uv_check_t check;
        uv_idle_t idle;
        bool wanted;
        uint32_t *dests; /* destinations that gave a slot back, each once (ndests at most) */
        size_t ndests;
        struct dci_failed_start *failed; /* at most opts.concurrency: each holds a slot */
        size_t nfailed;
    } turn;
    /* The connect stage's, which the dialogue and HTTP drivers share (engine_connect.c). */
    struct dci_connect_state connect;
    /* Each driver's own state, made by its init: the type is defined in its file only. */
    struct dci_dialogue_state *dialogue; /* engine_dialogue.c */
    struct dci_http_state *http;         /* engine_http.c */
    struct dci_snmp_state *snmp;         /* engine_snmp.c */
    struct dci_icmp_state *icmp;         /* engine_icmp.c */
    /* The TLS drivers' context and roots (engine_cert.c), made on first use. */
    struct ssl_ctx_st *tls_ctx;
};

/* What a probe found, whole, as its driver settles it: a probe in flight keeps its own
 * (latency, evidence, severity) and hands it over once; no driver writes a result. */
struct dci_outcome {
    enum dc_state state;
    const char *address;  /* the address probed, NULL: none */
    const char *detail;   /* NULL: "" */
    const char *evidence; /* NULL: "" */
    const char *tls;      /* the peer's certificate (dci_cert_keep), NULL: none */
    double latency_ms;    /* the connect's round trip; < 0: none */
    bool severe;          /* a degraded service that counts as a failure */
};
#define DCI_NO_LATENCY (-1.0)

/* engine_results.c: the one file that writes a result. */
/* A probe's outcome becomes its result (strings copied into the run's pool). A result is
 * measured unless its state is unknown (interrupted before an answer); a measured one counts
 * as done and is reported (opts.on_result), an unmeasured one is not. */
void dci_engine_settle(struct engine *e, uint32_t task, const struct dci_outcome *o);
/* After the loop, when the run's budget ran out: what was queued or in flight says so, not
 * "interrupted". */
void dci_engine_mark_out_of_budget(struct engine *e);
/* After the loop, a revise step's new finding for a settled result (not counted again). */
void dci_engine_amend(struct engine *e, uint32_t task, const struct dc_finding *f);
/* Keeps what a judge wrote into its finding's facts for the run's revise step. */
void dci_engine_keep_facts(struct engine *e, uint32_t task, const char *facts);
/* A probe that could not even start (out of memory...): on the scheduler's next turn its
 * result says so and its slot towards dest is free again. */
void dci_engine_local_failure(struct engine *e, struct dest *dest, uint32_t task,
                              const char *detail);
/* A probe towards dest has released its handles: its slot is the scheduler's again on its
 * next turn. */
void dci_engine_dest_idle(struct engine *e, struct dest *dest);
/* The probe a task runs. */
const struct dc_probe_ops *dci_task_probe(const struct engine *e, uint32_t task);
/* engine_revise.c: once the loop has ended, each probe with a revise step sees all its
 * results of the run and may rewrite them. */
void dci_engine_revise(struct engine *e);

/* What a failed connect (a libuv error: a negated errno) says about the path. */
enum dc_state dci_engine_connect_state(int err, char *detail, size_t cap);

/* What the deadline means, in one wording for every driver: nothing answered (dropped on the
 * way), a TLS handshake that never finished, an HTTP server that never answered. */
enum dci_silence { DCI_SILENT_PATH, DCI_SILENT_TLS, DCI_SILENT_HTTP };
void dci_engine_silence(const struct engine *e, enum dci_silence what, char *detail, size_t cap);

/* engine_socket.c: the kernel's word on a probe's TCP socket. */
double dci_tcp_rtt_ms(const uv_tcp_t *tcp, uint64_t started_ns);
void dci_tcp_reset_on_close(const uv_tcp_t *tcp);
bool dci_tcp_met_itself(const uv_tcp_t *tcp, uint16_t port);
uv_os_sock_t dci_tcp_duplicate(const uv_tcp_t *tcp);

#endif
