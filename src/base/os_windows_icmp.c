/* ICMP echo on Windows: IcmpSendEcho2Ex (IPv4) and Icmp6SendEcho2 (IPv6) from iphlpapi, the
 * API Windows gives a normal user (it has no ICMP socket for one). Each echo request has its
 * own reply buffer (a slot: its sequence number, as Windows picks the echo's identifier and
 * sequence itself) and completes by an APC. APCs run only on a thread in an alertable wait,
 * which the loop never is: one thread of this file's, for the whole process, waits alertably
 * and does nothing else. Requests reach it as APCs (QueueUserAPC: in order, so a channel's
 * close comes after its sends), it sends them, and each reply's APC marks its slot and wakes
 * the loop with uv_async_send; the loop reads the replies (IcmpParseReplies). So no thread
 * blocks per ping, and the loop waits for nothing it does not own. A completion by event
 * instead would be simpler, but Wine frees the request's status block while an event-signalled
 * request is still out (dlls/iphlpapi, IcmpSendEcho2Ex: only an APC's is kept), and the write
 * at its completion corrupts the heap. A channel is freed once its handle is closed and every
 * request it sent has completed (closing the handle cancels them). */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <icmpapi.h>

#include "os.h"
#include "os_windows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAYLOAD "dmsconn echo 1.0" /* 16 bytes */

/* Not in MinGW's icmpapi.h and ipexport.h (Windows Vista and later have them); its
 * Icmp6SendEcho2 takes the same APC as a FARPROC. */
typedef VOID(NTAPI *icmp_apc_fn)(PVOID context, PVOID io_status, ULONG reserved);
DWORD WINAPI IcmpSendEcho2Ex(HANDLE icmp, HANDLE event, icmp_apc_fn apc, PVOID apc_context,
                             IPAddr source, IPAddr destination, LPVOID data, WORD size,
                             PIP_OPTION_INFORMATION options, LPVOID reply, DWORD reply_size,
                             DWORD timeout);
struct icmpv6_reply {
    IPV6_ADDRESS_EX Address;
    ULONG Status;
    unsigned int RoundTripTime;
};

/* a reply and room for the ICMP error that may come instead (the API's rule: its structure,
 * the request's data, 8 bytes more) */
#define REPLY_SIZE (sizeof(ICMP_ECHO_REPLY) + sizeof(struct icmpv6_reply) + sizeof PAYLOAD + 64)

enum { SLOT_FREE, SLOT_OUT, SLOT_DONE, SLOT_READ };

struct dci_icmp;
struct slot {
    struct dci_icmp *icmp;
    volatile LONG state;
    DWORD timeout_ms;
    uint64_t sent_ns, done_ns; /* timed on the ICMP thread: the loop's delays are not in it */
    _Alignas(8) unsigned char reply[REPLY_SIZE];
};

struct dci_icmp {
    uv_async_t async;
    HANDLE handle; /* used on the ICMP thread only, once open */
    int family;
    struct sockaddr_storage peer, source;
    bool has_source;
    struct slot slots[DCI_ICMP_ECHOES_MAX];
    volatile LONG out;           /* requests sent, not completed */
    volatile LONG handle_closed; /* the ICMP thread has closed the handle */
    bool closing;                /* loop thread: dci_os_icmp_close was called */
    dci_icmp_cb ready, closed;
    void *ud;
};

static HANDLE icmp_thread;
static INIT_ONCE icmp_thread_once = INIT_ONCE_STATIC_INIT;

static DWORD WINAPI icmp_thread_main(void *arg)
{
    (void)arg;
    while (SleepEx(INFINITE, TRUE) == WAIT_IO_COMPLETION || true)
        ; /* runs the APCs: requests, then their replies */
    return 0;
}

static BOOL CALLBACK start_thread(PINIT_ONCE once, PVOID param, PVOID *context)
{
    (void)once, (void)param, (void)context;
    icmp_thread = CreateThread(NULL, 64 * 1024, icmp_thread_main, NULL,
                               STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    return icmp_thread != NULL;
}

static void on_async(uv_async_t *async);

/* On the ICMP thread: a reply, an error or a timeout came for a slot. */
static VOID NTAPI replied(PVOID context, PVOID io_status, ULONG reserved)
{
    (void)io_status, (void)reserved;
    struct slot *s = context;
    struct dci_icmp *icmp = s->icmp;
    s->done_ns = uv_hrtime();
    InterlockedExchange(&s->state, SLOT_DONE);
    InterlockedDecrement(&icmp->out);
    uv_async_send(&icmp->async);
}

/* On the ICMP thread: a slot's request sent. */
static VOID CALLBACK send_apc(ULONG_PTR param)
{
    struct slot *s = (struct slot *)param;
    struct dci_icmp *icmp = s->icmp;
    char data[] = PAYLOAD;
    DWORD rc;
    s->sent_ns = uv_hrtime();
    if (icmp->family == AF_INET6) {
        struct sockaddr_in6 any = {.sin6_family = AF_INET6};
        rc = Icmp6SendEcho2(icmp->handle, NULL, (FARPROC)(void (*)(void))replied, s,
                            icmp->has_source ? (struct sockaddr_in6 *)&icmp->source : &any,
                            (struct sockaddr_in6 *)&icmp->peer, data, sizeof data - 1, NULL,
                            s->reply, sizeof s->reply, s->timeout_ms);
    } else {
        IPAddr from =
            icmp->has_source ? ((struct sockaddr_in *)&icmp->source)->sin_addr.s_addr : INADDR_ANY;
        rc = IcmpSendEcho2Ex(icmp->handle, NULL, replied, s, from,
                             ((struct sockaddr_in *)&icmp->peer)->sin_addr.s_addr, data,
                             sizeof data - 1, NULL, s->reply, sizeof s->reply, s->timeout_ms);
    }
    /* an APC's request goes on alone (ERROR_IO_PENDING); one refused at once never completes */
    if (rc == 0 && GetLastError() != ERROR_IO_PENDING) {
        memset(s->reply, 0, sizeof s->reply);
        replied(s, NULL, 0);
    }
}

/* On the ICMP thread, after every send the channel queued: the handle closed (requests still
 * out are cancelled, and their APCs come). */
static VOID CALLBACK close_apc(ULONG_PTR param)
{
    struct dci_icmp *icmp = (struct dci_icmp *)param;
    IcmpCloseHandle(icmp->handle);
    InterlockedExchange(&icmp->handle_closed, 1);
    uv_async_send(&icmp->async);
}

int dci_os_icmp_open(uv_loop_t *loop, const struct sockaddr *peer, const struct sockaddr *source,
                     uint16_t id, dci_icmp_cb ready, void *ud, struct dci_icmp **out, char *why,
                     size_t cap)
{
    (void)id; /* Windows picks the echo's identifier */
    if (!InitOnceExecuteOnce(&icmp_thread_once, start_thread, NULL, NULL)) {
        snprintf(why, cap, "local failure: cannot start the ICMP thread");
        return -EIO;
    }
    struct dci_icmp *icmp = calloc(1, sizeof *icmp);
    if (!icmp) {
        snprintf(why, cap, "local failure: out of memory");
        return -ENOMEM;
    }
    icmp->family = peer->sa_family;
    icmp->ready = ready;
    icmp->ud = ud;
    size_t len =
        peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    memcpy(&icmp->peer, peer, len);
    if (source) {
        memcpy(&icmp->source, source, len);
        icmp->has_source = true;
    }
    for (size_t i = 0; i < DCI_ICMP_ECHOES_MAX; i++)
        icmp->slots[i].icmp = icmp;
    icmp->handle = icmp->family == AF_INET6 ? Icmp6CreateFile() : IcmpCreateFile();
    if (icmp->handle == INVALID_HANDLE_VALUE) {
        char err[160];
        dci_os_win_error(GetLastError(), err, sizeof err);
        snprintf(why, cap, "no ICMP%s handle here (%s)", icmp->family == AF_INET6 ? "v6" : "", err);
        free(icmp);
        return -EIO;
    }
    if (uv_async_init(loop, &icmp->async, on_async) != 0) {
        IcmpCloseHandle(icmp->handle);
        free(icmp);
        snprintf(why, cap, "local failure: cannot watch ICMP echoes");
        return -EIO;
    }
    icmp->async.data = icmp;
    *out = icmp;
    return 0;
}

int dci_os_icmp_send(struct dci_icmp *icmp, uint16_t seq, unsigned timeout_ms)
{
    if (seq >= DCI_ICMP_ECHOES_MAX || icmp->slots[seq].state != SLOT_FREE || icmp->closing)
        return -EINVAL;
    struct slot *s = &icmp->slots[seq];
    s->timeout_ms = timeout_ms;
    s->state = SLOT_OUT;
    InterlockedIncrement(&icmp->out);
    if (!QueueUserAPC(send_apc, icmp_thread, (ULONG_PTR)s)) {
        s->state = SLOT_FREE;
        InterlockedDecrement(&icmp->out);
        return -EIO;
    }
    return 0;
}

/* What an echo's status means, in the words of its ICMP message (ICMPv6 gives some values
 * their own names: IP_DEST_NO_ROUTE, IP_DEST_PROHIBITED). */
static const char *status_text(ULONG status, bool v6)
{
    switch (status) {
    case IP_DEST_NET_UNREACHABLE:
        return v6 ? "no route to the destination" : "destination network unreachable";
    case IP_DEST_HOST_UNREACHABLE: return "destination host unreachable";
    case IP_DEST_PROT_UNREACHABLE:
        return v6 ? "communication administratively prohibited"
                  : "destination protocol unreachable";
    case IP_DEST_PORT_UNREACHABLE: return "destination port unreachable";
    case IP_TTL_EXPIRED_TRANSIT: return "time to live exceeded in transit";
    case IP_DEST_UNREACHABLE: return "destination unreachable";
    case IP_TIME_EXCEEDED: return "time exceeded";
    case IP_BAD_ROUTE:
    case IP_BAD_DESTINATION: return "no route to the destination";
    default: return NULL;
    }
}

/* The reply in a slot whose event came: ours, an ICMP error, or nothing (timed out). */
static enum dci_icmp_event parse(struct dci_icmp *icmp, struct slot *s, char *detail, size_t cap)
{
    ULONG status;
    char by[64] = "";
    if (icmp->family == AF_INET6) {
        if (Icmp6ParseReplies(s->reply, sizeof s->reply) == 0)
            return DCI_ICMP_NONE;
        const struct icmpv6_reply *r = (const struct icmpv6_reply *)s->reply;
        status = r->Status;
        uv_inet_ntop(AF_INET6, r->Address.sin6_addr, by, sizeof by);
    } else {
        if (IcmpParseReplies(s->reply, sizeof s->reply) == 0)
            return DCI_ICMP_NONE; /* timed out: the driver's deadline says so */
        const ICMP_ECHO_REPLY *r = (const ICMP_ECHO_REPLY *)s->reply;
        status = r->Status;
        uv_inet_ntop(AF_INET, &r->Address, by, sizeof by);
    }
    if (status == IP_SUCCESS)
        return DCI_ICMP_REPLY;
    const char *text = status_text(status, icmp->family == AF_INET6);
    if (!text)
        return DCI_ICMP_NONE; /* a timeout, or the API's own trouble */
    snprintf(detail, cap, "ICMP%s %s from %s", icmp->family == AF_INET6 ? "v6" : "", text, by);
    return DCI_ICMP_ERROR;
}

enum dci_icmp_event dci_os_icmp_recv(struct dci_icmp *icmp, uint16_t *seq, double *rtt_ms,
                                     char *detail, size_t cap)
{
    for (uint16_t i = 0; i < DCI_ICMP_ECHOES_MAX; i++) {
        struct slot *s = &icmp->slots[i];
        if (InterlockedCompareExchange(&s->state, SLOT_READ, SLOT_DONE) != SLOT_DONE)
            continue;
        enum dci_icmp_event ev = parse(icmp, s, detail, cap);
        if (ev == DCI_ICMP_NONE)
            continue;
        *seq = i;
        *rtt_ms = (double)(s->done_ns - s->sent_ns) / 1e6;
        return ev;
    }
    return DCI_ICMP_NONE;
}

static void on_async_closed(uv_handle_t *handle)
{
    struct dci_icmp *icmp = handle->data;
    dci_icmp_cb closed = icmp->closed;
    void *ud = icmp->ud;
    free(icmp);
    if (closed)
        closed(ud);
}

/* On the loop: replies to read, or a closing channel whose last request has completed. */
static void on_async(uv_async_t *async)
{
    struct dci_icmp *icmp = async->data;
    if (!icmp->closing) {
        icmp->ready(icmp->ud);
        return;
    }
    if (InterlockedCompareExchange(&icmp->handle_closed, 1, 1) == 1 &&
        InterlockedCompareExchange(&icmp->out, 0, 0) == 0 && !uv_is_closing((uv_handle_t *)async))
        uv_close((uv_handle_t *)async, on_async_closed);
}

void dci_os_icmp_close(struct dci_icmp *icmp, dci_icmp_cb closed)
{
    icmp->closed = closed;
    icmp->closing = true;
    /* after the sends already queued (APCs run in order); its APC wakes the loop */
    if (!QueueUserAPC(close_apc, icmp_thread, (ULONG_PTR)icmp))
        close_apc((ULONG_PTR)icmp); /* no thread to wait for: nothing is out either */
}
