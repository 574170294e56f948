/* The connect stage, which every socket driver starts with: a non-blocking connect with a
 * deadline; then the driver that asked carries on on the connection (struct
 * dci_socket_user). Each probe owns a TCP handle (one engine timer serves every probe's
 * deadline, oldest first); its memory returns to a free list once libuv has closed it (the
 * close-callback rule). */
#include "dmsconn/probe.h"
#include "base/os.h"
#include "engine_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct conn *first(struct dci_queue *head)
{
    return DCI_QUEUE_DATA(head->next, struct conn, node);
}

static struct conn *conn_alloc(struct engine *e)
{
    struct dci_connect_state *cs = &e->connect;
    struct conn *c = NULL;
    if (!dci_queue_empty(&cs->free_list)) {
        c = first(&cs->free_list);
        dci_queue_remove(&c->node);
        memset(c, 0, sizeof *c); /* the base only: what a user hung on it is the user's */
    } else {
        c = calloc(1, sizeof *c);
    }
    if (c)
        dci_queue_init(&c->node);
    return c;
}

/* A connection of `user`'s for task towards dest, about to connect (the probe's first
 * attempt or a later one). */
static struct conn *conn_for(struct engine *e, struct dest *dest, uint32_t task,
                             const struct dci_socket_user *user)
{
    struct conn *c = conn_alloc(e);
    if (c) {
        c->engine = e;
        c->dest = dest;
        c->task = task;
        c->probe = dci_task_probe(e, task);
        c->user = user;
        c->stage = CONN_CONNECTING;
        c->latency_ms = DCI_NO_LATENCY;
    }
    return c;
}

static bool in_live(const struct conn *c)
{
    return c->stage <= CONN_TALKING;
}

void dci_conn_unlink(struct conn *c)
{
    struct dci_connect_state *cs = &c->engine->connect;
    if (!in_live(c))
        return;
    dci_queue_remove(&c->node); /* the caller's next stage says where it goes */
    if (dci_queue_empty(&cs->live))
        uv_timer_stop(&cs->deadline_timer);
}

static void on_deadlines(uv_timer_t *timer);

/* Arms the engine's timer for the oldest probe's deadline. */
static void arm_deadline(struct engine *e)
{
    struct dci_connect_state *cs = &e->connect;
    if (dci_queue_empty(&cs->live)) {
        uv_timer_stop(&cs->deadline_timer);
        return;
    }
    uint64_t now = uv_hrtime();
    uint64_t due = first(&cs->live)->deadline_ns;
    uv_timer_start(&cs->deadline_timer, on_deadlines,
                   due > now ? (due - now + 999999) / 1000000 : 0, 0);
}

static void close_finished(uv_check_t *check);
static void on_closed(uv_handle_t *handle);

void dci_connect_init(struct engine *e)
{
    struct dci_connect_state *cs = &e->connect;
    dci_queue_init(&cs->live);
    dci_queue_init(&cs->failing);
    dci_queue_init(&cs->closing);
    dci_queue_init(&cs->free_list);
}

void dci_connect_open(struct engine *e)
{
    struct dci_connect_state *cs = &e->connect;
    uv_timer_init(&e->loop, &cs->deadline_timer);
    cs->deadline_timer.data = e;
    uv_check_init(&e->loop, &cs->closing_check);
    cs->closing_check.data = e;
    uv_idle_init(&e->loop, &cs->closing_idle);
}

void dci_connect_close(struct engine *e)
{
    uv_close((uv_handle_t *)&e->connect.deadline_timer, NULL);
    uv_close((uv_handle_t *)&e->connect.closing_check, NULL);
    uv_close((uv_handle_t *)&e->connect.closing_idle, NULL);
}

static void no_wait(uv_idle_t *idle)
{
    (void)idle; /* being active is its job: the poll that follows does not block */
}

/* libuv's uv_close, called while the loop handles a batch of epoll events, scans that whole
 * batch (up to 1,024 events) for the closed descriptor: thousands of probes ending in one
 * batch made closing quadratic, a fifth of a 5,000-probe run's instructions. Handles are
 * closed from a check callback instead, right after the batch; an idle handle makes sure
 * that poll does not block first when the probe ended in another phase (a timer). */
static void wake_after_poll(struct dci_connect_state *cs)
{
    if (!uv_is_active((uv_handle_t *)&cs->closing_check)) {
        uv_check_start(&cs->closing_check, close_finished);
        uv_idle_start(&cs->closing_idle, no_wait);
    }
}

static void close_later(struct engine *e, struct conn *c)
{
    struct dci_connect_state *cs = &e->connect;
    dci_queue_insert_tail(&cs->closing, &c->node);
    wake_after_poll(cs);
}

/* A connect that failed before a packet left: out of the deadline list, settled after the
 * poll phase (libuv's delayed_error: never inside the start that made it). */
static void fail_later(struct conn *c, int status)
{
    struct dci_connect_state *cs = &c->engine->connect;
    c->early_status = status;
    dci_queue_remove(&c->node);
    if (dci_queue_empty(&cs->live))
        uv_timer_stop(&cs->deadline_timer);
    dci_queue_insert_tail(&cs->failing, &c->node);
    wake_after_poll(cs);
}

static void fail_connect(struct conn *c, int status);

static void close_finished(uv_check_t *check)
{
    struct engine *e = check->data;
    struct dci_connect_state *cs = &e->connect;
    /* connects that failed at once: their results now, their handles with the others */
    while (!dci_queue_empty(&cs->failing))
        fail_connect(first(&cs->failing), first(&cs->failing)->early_status);
    uv_check_stop(check);
    uv_idle_stop(&cs->closing_idle);
    while (!dci_queue_empty(&cs->closing)) {
        struct conn *c = first(&cs->closing);
        dci_queue_remove(&c->node);
        uv_close((uv_handle_t *)&c->tcp, on_closed);
    }
}

static void on_closed(uv_handle_t *handle)
{
    struct conn *c = handle->data;
    struct engine *e = c->engine;
    struct dest *dest = c->dest;
    /* else the taker (another driver, or the next attempt) holds the destination's slot */
    bool slot_passed_on = c->stage == CONN_HANDED_OVER || c->stage == CONN_SUPERSEDED;
    if (c->user->released)
        c->user->released(c);
    dci_queue_insert_tail(&e->connect.free_list, &c->node);
    if (!slot_passed_on)
        dci_engine_dest_idle(e, dest);
}

void dci_conn_finish(struct conn *c, enum dc_state state, const char *detail)
{
    if (c->stage >= CONN_HANDED_OVER)
        return;
    struct engine *e = c->engine;
    dci_conn_unlink(c);
    c->stage = CONN_REPORTED;
    struct dci_outcome o = {.state = state,
                            .address = c->dest->address_text,
                            .detail = detail,
                            .evidence = c->evidence,
                            .tls = c->tls,
                            .latency_ms = c->latency_ms,
                            .severe = c->severe};
    dci_engine_settle(e, c->task, &o);
    uv_read_stop((uv_stream_t *)&c->tcp); /* nothing more is read until the handle closes */
    close_later(e, c);
}

uv_os_sock_t dci_conn_hand_over(struct conn *c)
{
    uv_os_sock_t copy = dci_tcp_duplicate(&c->tcp);
    if (!dci_os_sock_valid(copy))
        return copy;
    dci_conn_unlink(c);
    c->stage = CONN_HANDED_OVER;
    uv_close((uv_handle_t *)&c->tcp, on_closed);
    return copy;
}

static void fail_connect(struct conn *c, int status)
{
    char detail[192];
    enum dc_state state = dci_engine_connect_state(status, detail, sizeof detail);
    dci_conn_finish(c, state, detail);
}

static bool retry_lost_syn(struct conn *c, int status);

static void on_connect(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    if (c->stage != CONN_CONNECTING)
        return; /* UV_ECANCELED after the deadline closed the handle */
    if (status < 0) {
        if (!retry_lost_syn(c, status))
            fail_connect(c, status);
        return;
    }
    if (dci_tcp_met_itself(&c->tcp, c->engine->plan->tasks[c->task].port)) {
        dci_conn_finish(c, DC_STATE_REFUSED,
                        "nothing listens (the connection met itself: same source and destination "
                        "port on this machine)");
        return;
    }
    c->stage = CONN_TALKING;
    c->latency_ms = dci_tcp_rtt_ms(&c->tcp, c->attempt_ns);
    c->user->connected(c);
}

/* Every probe whose deadline has come, oldest first; then the timer waits for the next. */
static void on_deadlines(uv_timer_t *timer)
{
    struct engine *e = timer->data;
    struct dci_connect_state *cs = &e->connect;
    uint64_t now = uv_hrtime() + 1000000; /* the timer fires at millisecond grain */
    while (!dci_queue_empty(&cs->live) && first(&cs->live)->deadline_ns <= now) {
        struct conn *c = first(&cs->live);
        if (c->stage == CONN_CONNECTING || !c->user->expired) {
            char detail[160];
            dci_engine_silence(e, DCI_SILENT_PATH, detail, sizeof detail);
            dci_conn_finish(c, DC_STATE_FILTERED, detail);
        } else {
            c->user->expired(c);
        }
        dci_conn_unlink(c); /* the user always settles or moves it on; this only makes sure */
    }
    arm_deadline(e);
}

/* Where the OS layer leaves resending a lost SYN to the engine (Windows), the wait the
 * first SYN is given: RFC 6298's initial RTO (2.1) as the round-trip estimate, doubled
 * for each next attempt, as Linux's own schedule (SYNs at 0, 1, 3, 7 s). */
enum { FIRST_RTO_MS = 1000, SYN_ATTEMPTS_MAX = 6 };
/* A new attempt needs time left for a SYN and its answer. */
#define ATTEMPT_ROOM_NS (100 * 1000000ull)

/* One connect attempt on a fresh socket, made first so that the OS layer can ready it
 * before its SYN goes out. A failure settles the result (once the handle is up). */
static void begin_attempt(struct conn *c)
{
    struct engine *e = c->engine;
    const struct dc_task *t = &e->plan->tasks[c->task];
    struct sockaddr_storage addr = c->dest->addr;
    if (addr.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&addr)->sin6_port = htons(t->port);
    else
        ((struct sockaddr_in *)&addr)->sin_port = htons(t->port);

    c->tcp.data = c->connect_req.data = c;
    c->attempt_ns = uv_hrtime();
    int rc = uv_tcp_init_ex(&e->loop, &c->tcp, addr.ss_family);
    if (rc < 0) { /* no socket (descriptors run out): a handle without one, to settle on */
        uv_tcp_init(&e->loop, &c->tcp);
        fail_later(c, rc);
        return;
    }
    uv_os_fd_t fd;
    if (uv_fileno((const uv_handle_t *)&c->tcp, &fd) == 0)
        dci_os_tcp_before_connect((uv_os_sock_t)(uintptr_t)fd,
                                  FIRST_RTO_MS << (c->syn_attempt - 1));
    if (e->sources && e->sources[t->from].ss_family == addr.ss_family)
        rc = uv_tcp_bind(&c->tcp, (const struct sockaddr *)&e->sources[t->from], 0);
    if (rc == 0)
        rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&addr, on_connect);
    if (rc < 0)
        fail_later(c, rc); /* e.g. no route: connect() fails at once */
}

/* The kernel gave up on a lost SYN before the probe's deadline: where the OS layer turned
 * the kernel's retransmissions off (Windows), or where they are set low. The next SYN goes
 * out on a new socket (a closed one cannot connect again), which takes c's place in the
 * deadline list and its destination's slot; c closes without a result. */
static bool retry_lost_syn(struct conn *c, int status)
{
    struct engine *e = c->engine;
    if (status != UV_ETIMEDOUT || c->syn_attempt >= SYN_ATTEMPTS_MAX ||
        uv_hrtime() + ATTEMPT_ROOM_NS >= c->deadline_ns)
        return false;
    struct conn *next = conn_for(e, c->dest, c->task, c->user);
    if (!next)
        return false;
    next->syn_attempt = (uint8_t)(c->syn_attempt + 1);
    next->started_ns = c->started_ns;
    next->deadline_ns = c->deadline_ns;
    dci_queue_insert_tail(&c->node, &next->node); /* just before c: the deadline order holds */
    dci_queue_remove(&c->node);
    c->stage = CONN_SUPERSEDED;
    close_later(e, c);
    begin_attempt(next);
    return true;
}

void dci_connect_start(struct engine *e, struct dest *dest, uint32_t task,
                       const struct dci_socket_user *user)
{
    struct conn *c = conn_for(e, dest, task, user);
    if (!c) {
        dci_engine_local_failure(e, dest, task, "local failure: out of memory");
        return;
    }
    c->syn_attempt = 1;
    c->started_ns = uv_hrtime();
    c->deadline_ns = c->started_ns + e->timeout_ms * 1000000u;
    dci_queue_insert_tail(&e->connect.live, &c->node);
    if (!uv_is_active((uv_handle_t *)&e->connect.deadline_timer))
        arm_deadline(e);
    begin_attempt(c);
}

void dci_connect_abort_all(struct engine *e, const struct dci_socket_user *user)
{
    struct dci_queue *head = &e->connect.live;
    for (struct dci_queue *q = head->next; q != head;) {
        struct conn *c = DCI_QUEUE_DATA(q, struct conn, node);
        q = q->next; /* finish takes c out of the list */
        if (c->user == user)
            dci_conn_finish(c, DC_STATE_UNKNOWN, "interrupted before an answer");
    }
}

void dci_connect_release(struct engine *e)
{
    while (!dci_queue_empty(&e->connect.free_list)) {
        struct conn *c = first(&e->connect.free_list);
        dci_queue_remove(&c->node);
        free(c);
    }
}
