/* ICMP echo on Windows: not built yet. Windows gives no ICMP socket to a normal user; its
 * API is IcmpSendEcho2 (iphlpapi), which the next step wraps here (an event per probe that the
 * loop waits on). Until then an ICMP check is not measured on Windows, and says why. */
#include "os.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int dci_os_icmp_open(struct dci_icmp *icmp, const struct sockaddr *peer,
                     const struct sockaddr *source, uint16_t id, char *why, size_t cap)
{
    (void)peer;
    (void)source;
    memset(icmp, 0, sizeof *icmp);
    icmp->id = id;
    snprintf(why, cap,
             "ICMP echo is not in dmsconn's Windows build yet: run this row from a Linux "
             "node, or ping from this one");
    return -ENOSYS;
}

int dci_os_icmp_send(struct dci_icmp *icmp, uint16_t seq)
{
    (void)icmp;
    (void)seq;
    return -ENOSYS;
}

enum dci_icmp_event dci_os_icmp_recv(struct dci_icmp *icmp, uint16_t *seq, char *detail, size_t cap)
{
    (void)icmp;
    (void)seq;
    (void)detail;
    (void)cap;
    return DCI_ICMP_NONE;
}

void dci_os_icmp_close(struct dci_icmp *icmp)
{
    (void)icmp;
}
