/* The ICMP driver: a few echo requests per probe (ICMP_ECHOES, spaced within the probe's
 * timeout, a second apart at most as ping does), on one channel per probe that the OS layer
 * opens and watches (dci_os_icmp_*: a socket under uv_poll on Linux, IcmpSendEcho2's events on
 * Windows), telling the driver when there is something to read. The probe ends when every echo is
 * answered, on an ICMP error about it, or at the deadline: ok with the round trips when a reply
 * came, unreachable on an ICMP error, filtered when nothing came. What it measured travels as
 * the result's evidence (probes/probe_icmp.c writes and reads it), the average round trip as
 * its latency. A socket that cannot be opened (no ping group, no CAP_NET_RAW) makes the probe
 * unknown, settled on the loop's next turn, not inside its start. */
#include "dmsconn/probe.h"
#include "base/os.h"
#include "engine_private.h"
#include "probes/probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ICMP_ECHOES 3 /* at most DCI_ICMP_ECHOES_MAX */
#define ICMP_SPACING_MAX_MS 1000

/* The driver's state (struct engine's icmp): only this file knows it. */
struct dci_icmp_state {
    struct dci_queue live; /* ICMP probes in flight, for an interrupt */
    uint16_t next_id;      /* echo identifiers, one per probe of the run */
};

struct icmp_probe {
    struct engine *engine;
    struct dest *dest;
    uint32_t task;
    struct dci_icmp *icmp; /* NULL: it could not be opened */
    uv_timer_t timer;      /* the next echo, then the deadline */
    int open_handles;
    bool reported;
    uint64_t started_ns, spacing_ms;
    unsigned sent;
    uint64_t sent_ns[ICMP_ECHOES];
    bool answered[ICMP_ECHOES];
    struct dci_icmp_stats stats;
    char error[128]; /* an ICMP error about an echo ("" none) */
    char why[320];   /* the socket could not be opened */
    struct dci_queue node;
};

/* The timer's and the channel's: the last to close frees the probe. */
static void closed(void *ud)
{
    struct icmp_probe *p = ud;
    if (--p->open_handles > 0)
        return;
    struct engine *e = p->engine;
    struct dest *dest = p->dest;
    free(p);
    dci_engine_dest_idle(e, dest);
}

static void timer_closed(uv_handle_t *handle)
{
    closed(handle->data);
}

static void finish(struct icmp_probe *p, bool interrupted)
{
    if (p->reported)
        return;
    p->reported = true;
    struct engine *e = p->engine;
    struct dci_icmp_stats *s = &p->stats;
    s->sent = p->sent;
    char detail[192], evidence[128] = "";
    enum dc_state state;
    double latency = DCI_NO_LATENCY;
    if (interrupted || p->why[0]) {
        state = DC_STATE_UNKNOWN;
        snprintf(detail, sizeof detail, "%s", p->why[0] ? p->why : "interrupted before an answer");
    } else if (s->received > 0) {
        state = DC_STATE_OK;
        /* to the microsecond, as the evidence writes them: the JSON's icmp block (read back
         * from the evidence) and the latency then say the same number */
        s->rtt_min_ms = round(s->rtt_min_ms * 1e3) / 1e3;
        s->rtt_avg_ms = round(s->rtt_avg_ms * 1e3) / 1e3;
        s->rtt_max_ms = round(s->rtt_max_ms * 1e3) / 1e3;
        latency = s->rtt_avg_ms;
        snprintf(detail, sizeof detail, "%u of %u echo requests answered, round trip %.2f ms",
                 s->received, s->sent, s->rtt_avg_ms);
    } else if (p->error[0]) {
        state = DC_STATE_UNREACHABLE;
        snprintf(detail, sizeof detail, "no echo reply: %s", p->error);
    } else {
        state = DC_STATE_FILTERED;
        snprintf(detail, sizeof detail,
                 "no echo reply to %u requests within %.1f s: ICMP filtered, or the node is "
                 "down",
                 s->sent, (double)e->timeout_ms / 1000.0);
    }
    if (state != DC_STATE_UNKNOWN)
        dci_icmp_stats_format(s, evidence, sizeof evidence);
    struct dci_outcome o = {.state = state,
                            .address = p->dest->address_text,
                            .detail = detail,
                            .evidence = evidence,
                            .latency_ms = latency};
    dci_engine_settle(e, p->task, &o);
    dci_queue_remove(&p->node);
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, timer_closed);
    if (p->icmp)
        dci_os_icmp_close(p->icmp, closed);
}

static void on_ready(void *ud)
{
    struct icmp_probe *p = ud;
    uint16_t seq;
    char detail[128];
    double rtt = -1;
    enum dci_icmp_event ev;
    if (p->reported)
        return;
    while ((ev = dci_os_icmp_recv(p->icmp, &seq, &rtt, detail, sizeof detail)) != DCI_ICMP_NONE) {
        if (ev == DCI_ICMP_ERROR) {
            if (!p->error[0])
                snprintf(p->error, sizeof p->error, "%s", detail);
            continue;
        }
        if (seq >= p->sent || p->answered[seq])
            continue; /* not one of ours, or a duplicate */
        p->answered[seq] = true;
        if (rtt < 0) /* the system did not time it: the loop's reading */
            rtt = (double)(uv_hrtime() - p->sent_ns[seq]) / 1e6;
        struct dci_icmp_stats *s = &p->stats;
        s->rtt_min_ms = s->received == 0 || rtt < s->rtt_min_ms ? rtt : s->rtt_min_ms;
        s->rtt_max_ms = rtt > s->rtt_max_ms ? rtt : s->rtt_max_ms;
        s->rtt_avg_ms = (s->rtt_avg_ms * s->received + rtt) / (s->received + 1);
        s->received++;
        rtt = -1;
    }
    bool all_sent = p->sent == ICMP_ECHOES;
    if ((all_sent && p->stats.received == p->sent) || (p->error[0] && p->stats.received == 0))
        finish(p, false);
}

static void send_next(uv_timer_t *timer)
{
    struct icmp_probe *p = timer->data;
    if (p->why[0]) { /* the socket never opened: said on this turn, not in the start */
        finish(p, false);
        return;
    }
    uint64_t elapsed = (uv_hrtime() - p->started_ns) / 1000000u;
    uint64_t left = p->engine->timeout_ms > elapsed ? p->engine->timeout_ms - elapsed : 0;
    if (p->sent < ICMP_ECHOES && left > 0) {
        p->sent_ns[p->sent] = uv_hrtime();
        if (dci_os_icmp_send(p->icmp, (uint16_t)p->sent, (unsigned)left) == 0)
            p->sent++;
        else if (p->sent == 0) {
            snprintf(p->why, sizeof p->why, "cannot send an ICMP echo request");
            finish(p, false);
            return;
        }
    }
    if (p->sent < ICMP_ECHOES && p->spacing_ms < left)
        uv_timer_start(&p->timer, send_next, p->spacing_ms, 0);
    else if (left > 0)
        uv_timer_start(&p->timer, send_next, left, 0); /* the deadline */
    else
        finish(p, false);
}

static void icmp_start(struct engine *e, struct dest *dest, uint32_t task)
{
    const struct dc_task *t = &e->plan->tasks[task];
    struct icmp_probe *p = calloc(1, sizeof *p);
    if (!p) {
        dci_engine_local_failure(e, dest, task, "local failure: out of memory");
        return;
    }
    *p = (struct icmp_probe){.engine = e, .dest = dest, .task = task, .started_ns = uv_hrtime()};
    p->spacing_ms = e->timeout_ms / (ICMP_ECHOES + 1);
    if (p->spacing_ms > ICMP_SPACING_MAX_MS)
        p->spacing_ms = ICMP_SPACING_MAX_MS;
    dci_queue_insert_tail(&e->icmp->live, &p->node);
    uv_timer_init(&e->loop, &p->timer);
    p->timer.data = p;
    p->open_handles = 1;
    /* --bind-source: the echoes leave from the source node's address, as TCP probes do */
    const struct sockaddr *source = NULL;
    if (e->sources && e->sources[t->from].ss_family == dest->addr.ss_family)
        source = (const struct sockaddr *)&e->sources[t->from];
    uint16_t id = e->icmp->next_id++;
    if (dci_os_icmp_open(&e->loop, (const struct sockaddr *)&dest->addr, source, id, on_ready, p,
                         &p->icmp, p->why, sizeof p->why) == 0)
        p->open_handles++;
    uv_timer_start(&p->timer, send_next, 0, 0); /* the first echo, or the failure, next turn */
}

static void icmp_abort_all(struct engine *e)
{
    while (!dci_queue_empty(&e->icmp->live)) {
        struct icmp_probe *p = DCI_QUEUE_DATA(e->icmp->live.next, struct icmp_probe, node);
        finish(p, true);
    }
}

static int icmp_init(struct engine *e)
{
    e->icmp = calloc(1, sizeof *e->icmp);
    if (!e->icmp)
        return DC_ENOMEM;
    dci_queue_init(&e->icmp->live);
    e->icmp->next_id = (uint16_t)(uv_os_getpid() * 2654435761u >> 16);
    return 0;
}

static void icmp_release(struct engine *e)
{
    free(e->icmp);
    e->icmp = NULL;
}

const struct dci_driver dci_driver_icmp = {
    .init = icmp_init, .start = icmp_start, .abort_all = icmp_abort_all, .release = icmp_release};
