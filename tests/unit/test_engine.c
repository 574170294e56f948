/* The engine against real sockets on loopback: open, closed, dropped (a full accept queue:
 * the kernel drops SYNs to a listener whose queue is full, as a DROP rule would, and that
 * needs no root — the netns test does the same with real iptables rules), a dialogue probe
 * judging what a server says, and an interrupted run. Every wait is bounded by the probe
 * timeout. */
#include "test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "dmsconn/engine.h"
#include "dmsconn/inventory.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "engine/engine_private.h"
#include "probes/probe.h"

static int listen_on(int backlog, uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    if (backlog >= 0)
        assert_int_equal(listen(fd, backlog), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* A test-only dialogue probe: says PING, wants PONG. */
static size_t ping_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    assert_true(cap >= 5);
    memcpy(buf, "PING\n", 5);
    return 5;
}

static enum dci_judgement ping_judge(const uint8_t *reply, size_t len, bool closed,
                                     struct dc_finding *out)
{
    if (len >= 5 && memcmp(reply, "PONG\n", 5) == 0) {
        out->state = DC_STATE_OK;
        snprintf(out->detail, sizeof out->detail, "pong");
        snprintf(out->evidence, sizeof out->evidence, "server said PONG");
        return DCI_JUDGE_DONE;
    }
    if (len < 5 && !closed)
        return DCI_JUDGE_MORE;
    out->state = DC_STATE_WRONG_SERVICE;
    snprintf(out->detail, sizeof out->detail, len ? "unexpected reply" : "no reply");
    return DCI_JUDGE_DONE;
}

static const struct dci_protocol ping_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = ping_hello, .judge = ping_judge},
    .max_reply = 64,
};

static const struct dc_probe_ops ping_probe = {
    .name = "ping-test",
    .summary = "test",
    .transport = DC_TRANSPORT_TCP,
    .proto = &ping_protocol,
};

/* A server thread: accepts `n` connections and answers each with `reply` (NULL: silence). */
struct server {
    int fd;
    int n;
    const char *reply;
    pthread_t thread;
    int accepted[8];
};

static void *serve(void *arg)
{
    struct server *s = arg;
    for (int i = 0; i < s->n; i++) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            break;
        s->accepted[i] = c;
        char buf[16];
        if (s->reply && read(c, buf, sizeof buf) > 0)
            (void)!write(c, s->reply, strlen(s->reply));
    }
    return NULL;
}

struct fixture {
    struct dc_cluster *cluster;
    struct dc_profile *profile;
    struct dc_plan *plan;
    struct dc_result results[16];
    struct dc_texts *texts;
};

static void fixture_init(struct fixture *f)
{
    struct dc_diag diag = {{0}};
    memset(f, 0, sizeof *f);
    f->texts = dc_texts_new();
    assert_non_null(f->texts);
    assert_int_equal(dc_cluster_new(&f->cluster), 0);
    assert_int_equal(dc_profile_new("test", &f->profile), 0);
    assert_int_equal(dc_inventory_add_flag(f->cluster, "local=127.0.0.1:dma", &diag), 0);
    f->plan = calloc(1, sizeof *f->plan);
    f->plan->tasks = calloc(16, sizeof *f->plan->tasks);
    f->plan->cap = 16;
}

/* One check per port, named after it; `probe` NULL is the tcp probe. */
static void add_task(struct fixture *f, const struct dc_probe_ops *probe, uint16_t port)
{
    char name[32];
    snprintf(name, sizeof name, "check-%zu", f->plan->ntasks);
    struct dc_check c = {.name = name,
                         .probe = probe ? probe : dc_probe_find("tcp"),
                         .port = port,
                         .from_roles = DC_ROLE_ANY,
                         .to_roles = DC_ROLE_ANY};
    assert_int_equal(dc_profile_put(f->profile, &c), 0);
    f->plan->tasks[f->plan->ntasks++] =
        (struct dc_task){0, 0, (uint32_t)f->profile->nchecks - 1, port};
}

static void fixture_free(struct fixture *f)
{
    dc_plan_free(f->plan);
    dc_profile_free(f->profile);
    dc_cluster_free(f->cluster);
    dc_texts_free(f->texts);
}

static void run_with(struct fixture *f, const struct dc_engine_opts *opts, bool *interrupted)
{
    struct dc_diag diag = {{0}};
    assert_int_equal(dc_engine_run(f->cluster, f->profile, f->plan, opts, f->results, f->texts,
                                   interrupted, &diag),
                     0);
}

static void run(struct fixture *f, double timeout, bool *interrupted)
{
    struct dc_engine_opts opts;
    dc_engine_opts_default(&opts);
    opts.timeout_s = timeout;
    run_with(f, &opts, interrupted);
}

static void open_closed_dropped(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    uint16_t open_port, closed_port, full_port;
    int open_fd = listen_on(16, &open_port);
    int closed_fd = listen_on(-1, &closed_port); /* bound, not listening: answers RST */
    int full_fd = listen_on(0, &full_port);
    int filler = connect_to(full_port); /* now the queue is full: SYNs are dropped */
    add_task(&f, NULL, open_port);
    add_task(&f, NULL, closed_port);
    add_task(&f, NULL, full_port);
    bool interrupted = true;
    run(&f, 0.5, &interrupted);
    assert_false(interrupted);
    assert_int_equal(f.results[0].state, DC_STATE_OK);
    assert_true(f.results[0].measured);
    assert_true(f.results[0].latency_ms >= 0 && f.results[0].latency_ms < 500);
    assert_string_equal(f.results[0].address, "127.0.0.1");
    assert_int_equal(f.results[1].state, DC_STATE_REFUSED);
    assert_true(f.results[1].latency_ms < 0);
    assert_int_equal(f.results[2].state, DC_STATE_FILTERED);
    assert_contains(f.results[2].detail, "no answer within 0.5 s");
    close(open_fd);
    close(closed_fd);
    close(full_fd);
    close(filler);
    fixture_free(&f);
}

static void dialogue(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    struct server good = {.n = 1, .reply = "PONG\n"}, junk = {.n = 1, .reply = "HTTP/1.0 400\r\n"},
                  mute = {.n = 1, .reply = NULL};
    uint16_t good_port, junk_port, mute_port;
    good.fd = listen_on(4, &good_port);
    junk.fd = listen_on(4, &junk_port);
    mute.fd = listen_on(4, &mute_port);
    pthread_create(&good.thread, NULL, serve, &good);
    pthread_create(&junk.thread, NULL, serve, &junk);
    pthread_create(&mute.thread, NULL, serve, &mute);
    add_task(&f, &ping_probe, good_port);
    add_task(&f, &ping_probe, junk_port);
    add_task(&f, &ping_probe, mute_port);
    run(&f, 0.5, NULL);
    assert_int_equal(f.results[0].state, DC_STATE_OK);
    assert_string_equal(f.results[0].evidence, "server said PONG");
    assert_int_equal(f.results[1].state, DC_STATE_WRONG_SERVICE);
    assert_string_equal(f.results[1].detail, "unexpected reply");
    assert_int_equal(f.results[2].state, DC_STATE_WRONG_SERVICE); /* silent until the deadline */
    assert_string_equal(f.results[2].detail, "no reply");
    struct server *servers[] = {&good, &junk, &mute};
    for (size_t i = 0; i < 3; i++) {
        pthread_join(servers[i]->thread, NULL);
        close(servers[i]->accepted[0]);
        close(servers[i]->fd);
    }
    fixture_free(&f);
}

static void interrupt_on_first_result(void *ud, size_t index, size_t done, size_t total)
{
    (void)ud;
    (void)index;
    (void)total;
    if (done == 1)
        raise(SIGINT);
}

/* A port that accepts and one whose full accept queue drops SYNs (as a DROP rule would). */
struct open_and_dropped {
    uint16_t open_port, dropped_port;
    int open_fd, full_fd, filler;
};

static struct open_and_dropped open_and_dropped(void)
{
    struct open_and_dropped p;
    p.open_fd = listen_on(16, &p.open_port);
    p.full_fd = listen_on(0, &p.dropped_port);
    p.filler = connect_to(p.dropped_port);
    return p;
}

static void open_and_dropped_close(struct open_and_dropped *p)
{
    close(p->open_fd);
    close(p->full_fd);
    close(p->filler);
}

/* A SIGINT keeps what was measured, marks the rest unmeasured, and ends the run now. */
static void interrupted_run_keeps_results(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    struct open_and_dropped ports = open_and_dropped();
    add_task(&f, NULL, ports.open_port);
    add_task(&f, NULL, ports.dropped_port);
    add_task(&f, NULL, ports.dropped_port);
    struct dc_engine_opts opts;
    dc_engine_opts_default(&opts);
    opts.timeout_s = 30; /* without the interrupt this test would take 30 s */
    opts.handle_signals = true;
    opts.on_result = interrupt_on_first_result;
    bool interrupted = false;
    run_with(&f, &opts, &interrupted);
    assert_true(interrupted);
    assert_int_equal(f.results[0].state, DC_STATE_OK);
    assert_true(f.results[0].measured);
    for (size_t i = 1; i < 3; i++) {
        assert_int_equal(f.results[i].state, DC_STATE_UNKNOWN);
        assert_false(f.results[i].measured);
    }
    open_and_dropped_close(&ports);
    fixture_free(&f);
}

/* A run with a time budget (an agent's) ends when it runs out and keeps what it measured:
 * one probe at a time here, so the first is done, the second in flight, the third queued. */
static void budget_ends_the_run_with_what_was_measured(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    struct open_and_dropped ports = open_and_dropped();
    add_task(&f, NULL, ports.open_port);
    add_task(&f, NULL, ports.dropped_port);
    add_task(&f, NULL, ports.open_port);
    struct dc_engine_opts opts;
    dc_engine_opts_default(&opts);
    opts.timeout_s = 30; /* without the budget this test would take 30 s */
    opts.per_node = 1;
    opts.budget_s = 0.3;
    bool interrupted = true;
    run_with(&f, &opts, &interrupted);
    assert_false(interrupted); /* no signal: the budget */
    assert_int_equal(f.results[0].state, DC_STATE_OK);
    assert_true(f.results[0].measured);
    assert_int_equal(f.results[1].state, DC_STATE_UNKNOWN);
    assert_false(f.results[1].measured);
    assert_contains(f.results[1].detail, "time budget of the run ran out"); /* in flight */
    assert_int_equal(f.results[2].state, DC_STATE_UNKNOWN);
    assert_false(f.results[2].measured);
    assert_contains(f.results[2].detail, "time budget of the run ran out");
    open_and_dropped_close(&ports);
    fixture_free(&f);
}

/* Answers every datagram it gets with bytes that are not SNMP, for `*count` datagrams. */
struct udp_echo {
    int fd;
    int count;
    pthread_t thread;
};

static void *udp_answer(void *arg)
{
    struct udp_echo *u = arg;
    for (int i = 0; i < u->count; i++) {
        char buf[2048];
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        struct timeval tv = {2, 0}; /* bounded: the test's probe timeout is 1 s */
        setsockopt(u->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (recvfrom(u->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) < 0)
            break;
        sendto(u->fd, "not snmp", 8, 0, (struct sockaddr *)&from, len);
    }
    return NULL;
}

/* With more than FD_SETSIZE descriptors open, an SNMP probe's socket is numbered past what a
 * plain fd_set holds: reading its answer must not write beyond one (ASan watches). */
static void snmp_past_fd_setsize(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < FD_SETSIZE + 128) {
        skip(); /* cannot open enough descriptors here */
        return;
    }
    rl.rlim_cur = rl.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    int fillers[FD_SETSIZE + 16];
    size_t nfill = 0;
    for (; nfill < sizeof fillers / sizeof fillers[0]; nfill++)
        fillers[nfill] = open("/dev/null", O_RDONLY);
    assert_true(fillers[nfill - 1] >= FD_SETSIZE);

    struct fixture f;
    fixture_init(&f);
    struct udp_echo u = {.fd = socket(AF_INET, SOCK_DGRAM, 0), .count = 2};
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_int_equal(bind(u.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(u.fd, (struct sockaddr *)&sa, &len), 0);
    pthread_create(&u.thread, NULL, udp_answer, &u);
    add_task(&f, dc_probe_find("snmp"), ntohs(sa.sin_port));
    run(&f, 1.0, NULL);
    assert_true(f.results[0].measured); /* what it concluded matters less than getting there */
    pthread_join(u.thread, NULL);
    close(u.fd);
    fixture_free(&f);
    for (size_t i = 0; i < nfill; i++)
        close(fillers[i]);
}

/* A node without any usable address is a dns result, not a crash. */
static void bad_name_without_lookup(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f);
    /* an address no resolver accepts: glibc refuses it before sending any query */
    free(f.cluster->nodes[0].addresses[0]);
    f.cluster->nodes[0].addresses[0] = strdup("bad name!");
    add_task(&f, NULL, 9);
    run(&f, 0.5, NULL);
    assert_true(f.results[0].measured);
    assert_int_equal(f.results[0].state, DC_STATE_DNS);
    assert_contains(f.results[0].detail, "bad name!");
    fixture_free(&f);
}

/* A socket that met itself (TCP simultaneous open, what happens when the kernel picks the
 * probed port as the source port) is told from a real peer: here forced by binding the
 * probed port as the source, which the kernel otherwise does by chance. */
struct self_connect {
    uv_tcp_t tcp;
    uv_connect_t req;
    int status;
    bool done;
};

static void on_self_connect(uv_connect_t *req, int status)
{
    struct self_connect *sc = req->data;
    sc->status = status;
    sc->done = true;
}

static void socket_that_met_itself(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    uint16_t port = 0;
    struct sockaddr_in addr;
    for (unsigned p = 20011; p < 20111 && !port; p++) { /* a free port below the ephemeral range */
        int probe = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(probe, (struct sockaddr *)&a, sizeof a) == 0)
            port = (uint16_t)p;
        close(probe);
    }
    assert_true(port != 0);
    uv_ip4_addr("127.0.0.1", port, &addr);
    struct self_connect sc = {.req.data = &sc};
    assert_int_equal(uv_tcp_init(&loop, &sc.tcp), 0);
    assert_int_equal(uv_tcp_bind(&sc.tcp, (const struct sockaddr *)&addr, 0), 0);
    assert_int_equal(
        uv_tcp_connect(&sc.req, &sc.tcp, (const struct sockaddr *)&addr, on_self_connect), 0);
    while (!sc.done)
        uv_run(&loop, UV_RUN_ONCE);
    assert_int_equal(sc.status, 0); /* connected: to itself */
    assert_true(dci_tcp_met_itself(&sc.tcp, port));
    uv_close((uv_handle_t *)&sc.tcp, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_closed_dropped),
        cmocka_unit_test(dialogue),
        cmocka_unit_test(interrupted_run_keeps_results),
        cmocka_unit_test(bad_name_without_lookup),
        cmocka_unit_test(budget_ends_the_run_with_what_was_measured),
        cmocka_unit_test(snmp_past_fd_setsize),
        cmocka_unit_test(socket_that_met_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
