/* The SNMP driver, on net-snmp's single-session API (thread safe once initialised): per
 * probe two sessions whose sockets the engine's loop watches with uv_poll —
 *  - v2c GET sysDescr.0 and sysUpTime.0 with the community: the answer proves an agent;
 *  - an SNMPv3 engine-ID discovery (no credentials): any agent answers it with a Report,
 *    which tells "agent, but the community is refused" (auth) from "nothing answers"
 *    (docs/libraries.md: v2c gives a timeout for all three).
 * Both sockets are connected to the peer, so an ICMP port-unreachable surfaces as
 * ECONNREFUSED: a closed UDP port is `refused` rather than `filtered`. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "dmsconn/probe.h"
#include "base/os.h"
#include "engine_private.h"
#include "probes/probe.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { V2 = 0, V3 = 1 };

/* The driver's state (struct engine's snmp): only this file knows it. */
struct dci_snmp_state {
    struct dci_queue live; /* SNMP probes in flight, for an interrupt */
};

struct snmp_probe {
    struct engine *engine;
    struct dest *dest;
    uint32_t task;
    void *sess[2];
    uv_poll_t poll[2];
    bool polling[2];
    uv_timer_t timer;
    int open_handles;
    bool reported;
    bool v3_report; /* the discovery was answered: an agent is there */
    bool refused;   /* ICMP port unreachable */
    uint64_t started_ns;
    double rtt_ms;
    struct dci_queue node; /* in the engine's snmp_live */
};

static pthread_once_t snmp_once = PTHREAD_ONCE_INIT;

static void snmp_init_once(void)
{
    /* the standard MIB files are not installed (docs/libraries.md): numeric OIDs, no MIB loading,
     * no config or persistent files of the library's own */
    setenv("MIBS", "", 0);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 1);
    init_snmp("dmsconn");
}

static void on_closed(uv_handle_t *handle)
{
    struct snmp_probe *p = handle->data;
    if (--p->open_handles > 0)
        return;
    for (int i = 0; i < 2; i++) {
        if (p->sess[i])
            snmp_sess_close(p->sess[i]);
    }
    struct engine *e = p->engine;
    struct dest *dest = p->dest;
    free(p);
    dci_engine_dest_idle(e, dest);
}

static void finish(struct snmp_probe *p, enum dc_state state, const char *detail,
                   const char *evidence)
{
    if (p->reported)
        return;
    p->reported = true;
    struct engine *e = p->engine;
    struct dci_outcome o = {.state = state,
                            .address = p->dest->address_text,
                            .detail = detail,
                            .evidence = evidence,
                            .latency_ms = p->rtt_ms};
    dci_engine_settle(e, p->task, &o);
    dci_queue_remove(&p->node);
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, on_closed);
    for (int i = 0; i < 2; i++) {
        if (p->polling[i]) {
            uv_poll_stop(&p->poll[i]);
            uv_close((uv_handle_t *)&p->poll[i], on_closed);
        }
    }
}

/* The probe says what the sessions saw (probes/probe_snmp.c). */
static void judge(struct snmp_probe *p, const struct dci_snmp_reply *reply)
{
    struct dc_finding f = {0};
    dci_task_probe(p->engine, p->task)->proto->snmp.judge(reply, &f);
    finish(p, f.state, f.detail, f.evidence);
}

/* sysDescr and sysUpTime of a v2c answer, for the probe's judge. */
static void judge_response(struct snmp_probe *p, netsnmp_pdu *pdu)
{
    struct dci_snmp_reply reply = {
        .answered = true, .error_status = pdu->errstat, .v3_report = p->v3_report};
    if (pdu->errstat != SNMP_ERR_NOERROR)
        reply.error = snmp_errstring((int)pdu->errstat);
    for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) {
        if (v->type == ASN_OCTET_STR) {
            reply.descr = v->val.string;
            reply.descr_len = v->val_len;
        } else if (v->type == ASN_TIMETICKS && v->val.integer) {
            reply.has_uptime = true;
            reply.uptime_ticks = (unsigned long)*v->val.integer;
        }
    }
    judge(p, &reply);
}

static int on_snmp(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu, void *magic)
{
    struct snmp_probe *p = magic;
    (void)reqid;
    if (p->reported)
        return 1;
    if (session->version == SNMP_VERSION_3 || !pdu)
        return 1; /* the discovery's Report: seen on its socket already (on_readable) */
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu->command == SNMP_MSG_RESPONSE) {
        p->rtt_ms = (double)(uv_hrtime() - p->started_ns) / 1e6;
        judge_response(p, pdu);
    }
    return 1;
}

static void on_deadline(uv_timer_t *timer);

static void on_readable(uv_poll_t *poll, int status, int events)
{
    struct snmp_probe *p = poll->data;
    (void)events;
    int which = poll == &p->poll[V2] ? V2 : V3;
    int fd = snmp_sess_transport(p->sess[which])->sock;
    if (dci_os_sock_error(fd) == UV_ECONNREFUSED || status == UV_ECONNREFUSED) {
        p->refused = true;
        judge(p, &(struct dci_snmp_reply){.unreachable = true, .v3_report = p->v3_report});
        return;
    }
    if (which == V3 && !p->v3_report) {
        /* The discovery socket is connected to the peer: whatever arrives on it came from
         * an SNMP agent (net-snmp's USM swallows the Report itself). Give the v2c answer a
         * few round trips more, then conclude. */
        p->v3_report = true;
        uint64_t spent = (uv_hrtime() - p->started_ns) / 1000000u;
        uint64_t grace = spent * 4 + 100;
        if (spent + grace < p->engine->timeout_ms)
            uv_timer_start(&p->timer, on_deadline, grace, 0);
    }
    /* net-snmp's large set: with thousands of probes in flight the descriptor can be past
     * FD_SETSIZE, where FD_SET on a plain fd_set would write beyond it */
    netsnmp_large_fd_set fds;
    netsnmp_large_fd_set_init(&fds, fd + 1);
    NETSNMP_LARGE_FD_SET(fd, &fds);
    snmp_sess_read2(p->sess[which], &fds); /* calls on_snmp */
    netsnmp_large_fd_set_cleanup(&fds);
}

static void on_deadline(uv_timer_t *timer)
{
    struct snmp_probe *p = timer->data;
    judge(p, &(struct dci_snmp_reply){.v3_report = p->v3_report});
}

static void *open_session(struct snmp_probe *p, int version, const struct sockaddr *peer,
                          const char *peername, const char *community, const char *source)
{
    netsnmp_session s;
    snmp_sess_init(&s);
    s.version = version;
    s.peername = (char *)peername;
    s.localname = (char *)source; /* --bind-source: the source node's address, or NULL */
    s.timeout = (long)(p->engine->opts.timeout_s * 1e6); /* our timer decides; no retries */
    s.retries = 0;
    s.callback = on_snmp;
    s.callback_magic = p;
    if (version == SNMP_VERSION_3) {
        /* discovery: any user name, no authentication; the agent's Report is the answer */
        s.securityName = (char *)"dmsconn";
        s.securityNameLen = 7;
        s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
        s.securityModel = SNMP_SEC_MODEL_USM;
        s.flags |= SNMP_FLAGS_DONT_PROBE;
        /* A made-up engine ID: net-snmp then sends at once instead of probing for the real
         * one with a blocking exchange, and the agent answers usmStatsUnknownEngineIDs. */
        static u_char bogus_engine[] = {0x80, 0x00, 0x1f, 0x88, 0x04, 'd', 'm', 's', 'c'};
        s.securityEngineID = bogus_engine;
        s.securityEngineIDLen = sizeof bogus_engine;
    } else {
        s.community = (u_char *)community;
        s.community_len = strlen(community);
    }
    void *sess = snmp_sess_open(&s);
    if (!sess)
        return NULL;
    /* so an ICMP port-unreachable reaches us as ECONNREFUSED */
    dci_os_sock_connect(snmp_sess_transport(sess)->sock, peer);
    return sess;
}

static bool send_get(void *sess, bool with_vars, struct snmp_probe *p)
{
    static const oid sys_descr[] = {1, 3, 6, 1, 2, 1, 1, 1, 0};
    static const oid sys_uptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    if (!pdu)
        return false;
    if (with_vars) {
        snmp_add_null_var(pdu, sys_descr, sizeof sys_descr / sizeof sys_descr[0]);
        snmp_add_null_var(pdu, sys_uptime, sizeof sys_uptime / sizeof sys_uptime[0]);
    }
    if (!snmp_sess_async_send(sess, pdu, on_snmp, p)) {
        snmp_free_pdu(pdu);
        return false;
    }
    return true;
}

/* A session that could not open: settled on the loop's next turn, not inside the start. */
static void on_failed_start(uv_timer_t *timer)
{
    finish(timer->data, DC_STATE_ERROR, "local failure: cannot open an SNMP session", NULL);
}

static void snmp_start(struct engine *e, struct dest *dest, uint32_t task)
{
    pthread_once(&snmp_once, snmp_init_once);
    const struct dc_task *t = &e->plan->tasks[task];
    struct snmp_probe *p = calloc(1, sizeof *p);
    if (!p) {
        dci_engine_local_failure(e, dest, task, "local failure: out of memory");
        return;
    }
    *p = (struct snmp_probe){
        .engine = e, .dest = dest, .task = task, .rtt_ms = -1, .started_ns = uv_hrtime()};
    dci_queue_insert_tail(&e->snmp->live, &p->node);
    struct sockaddr_storage peer = dest->addr;
    bool v6 = peer.ss_family == AF_INET6;
    if (v6)
        ((struct sockaddr_in6 *)&peer)->sin6_port = htons(t->port);
    else
        ((struct sockaddr_in *)&peer)->sin_port = htons(t->port);
    char peername[96];
    snprintf(peername, sizeof peername, v6 ? "udp6:[%s]:%u" : "udp:%s:%u", dest->address, t->port);
    const struct dc_secret *secret =
        dc_engine_secret(&e->opts, dci_task_probe(e, task)->proto->secret);
    const char *community = secret ? secret->text : "public";
    uv_timer_init(&e->loop, &p->timer);
    p->timer.data = p;
    p->open_handles = 1;
    uv_timer_start(&p->timer, on_deadline, e->timeout_ms, 0);
    /* --bind-source: the packets leave from the source node's address, as TCP probes do */
    char source[64] = "";
    if (e->sources && e->sources[t->from].ss_family == peer.ss_family)
        uv_ip_name((const struct sockaddr *)&e->sources[t->from], source, sizeof source);
    const char *from = source[0] ? source : NULL;
    p->sess[V2] =
        open_session(p, SNMP_VERSION_2c, (struct sockaddr *)&peer, peername, community, from);
    p->sess[V3] = open_session(p, SNMP_VERSION_3, (struct sockaddr *)&peer, peername, NULL, from);
    for (int i = 0; i < 2; i++) {
        if (!p->sess[i] ||
            uv_poll_init_socket(&e->loop, &p->poll[i], snmp_sess_transport(p->sess[i])->sock) != 0)
            continue;
        p->poll[i].data = p;
        p->polling[i] = true;
        p->open_handles++;
        uv_poll_start(&p->poll[i], UV_READABLE, on_readable);
    }
    if (!p->polling[V2] || !send_get(p->sess[V2], true, p)) {
        uv_timer_start(&p->timer, on_failed_start, 0, 0); /* instead of the deadline */
        return;
    }
    if (p->polling[V3])
        send_get(p->sess[V3], false, p);
}

static void snmp_abort_all(struct engine *e)
{
    while (!dci_queue_empty(&e->snmp->live)) {
        struct snmp_probe *p = DCI_QUEUE_DATA(e->snmp->live.next, struct snmp_probe, node);
        finish(p, DC_STATE_UNKNOWN, "interrupted before an answer", NULL);
    }
}

static int snmp_init(struct engine *e)
{
    e->snmp = calloc(1, sizeof *e->snmp);
    if (!e->snmp)
        return DC_ENOMEM;
    dci_queue_init(&e->snmp->live);
    return 0;
}

static void snmp_release(struct engine *e)
{
    free(e->snmp);
    e->snmp = NULL;
}

const struct dci_driver dci_driver_snmp = {
    .init = snmp_init, .start = snmp_start, .abort_all = snmp_abort_all, .release = snmp_release};
