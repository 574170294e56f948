/* What differs between the platforms dmsconn runs on, in one place: the engine, the probes
 * and the readers never test for a platform themselves. os_posix.c is Linux's, os_windows.c
 * the Windows build's (CMake compiles one of them). */
#ifndef DMSCONN_OS_H
#define DMSCONN_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <uv.h>

/* DataMiner's folder on this machine when it is a DataMiner Agent (Windows), else NULL: on
 * Linux there is no default, the folder is always named. */
const char *dci_os_dataminer_dir_default(void);

/* Replaces `path` by `tmp` in one step (readers see the old file or the new one, never a
 * part): 0, or -1 with errno-like text in why. */
int dci_os_replace_file(const char *tmp, const char *path, char *why, size_t cap);
/* Whether an output to `path` is written through it rather than replaced: it names a
 * device, a FIFO or a symbolic link (/dev/null, /dev/stdout, a pipe a collector reads; NUL
 * on Windows). A rename there would put a regular file in its place — as root, in /dev. */
bool dci_os_output_in_place(const char *path);

/* May only the file's owner (and, on Windows, SYSTEM and Administrators) read it, and is that
 * owner root (Administrators, SYSTEM) or the running user? true; else false with what is open
 * to whom in why ("mode 0644; expected 0600 (chmod 600 FILE)"). A folder is checked the same
 * way: only its owner may enter it. */
bool dci_os_file_private(const char *path, char *why, size_t cap);

/* Creates a new file (never replacing one) that only its owner may read, with `data`: 0, or
 * -1 with the reason in why (the file is then not left behind). */
int dci_os_create_private(const char *path, const void *data, size_t len, char *why, size_t cap);
/* Makes a folder only its owner may enter (one that exists is fine): 0, or -1 with why. */
int dci_os_mkdir_private(const char *dir, char *why, size_t cap);

/* gmtime_r: t as UTC; NULL when it cannot be. */
struct tm *dci_os_gmtime(time_t t, struct tm *out);
/* Wipes a secret from memory in a way the compiler cannot drop. */
void dci_os_secure_zero(void *p, size_t n);

/* A FILE that writes into memory (open_memstream): open, write, then close to get the text
 * (NUL-terminated, the caller frees it; NULL on failure, with nothing to free). */
struct dci_memstream {
    FILE *f;
    char *data;
    size_t len;
};
FILE *dci_memstream_open(struct dci_memstream *m);
char *dci_memstream_close(struct dci_memstream *m, size_t *len);

/* Once, first thing in main: a peer that resets mid-write is a result, not the end of the
 * process (SIGPIPE); as many descriptors as the hard limit allows; on Windows, a console
 * that understands colours. */
void dci_os_process_init(void);
/* Is the stream a terminal (for colour and the progress line)? Its width in columns, 0 when
 * unknown. */
bool dci_os_is_terminal(FILE *f);
int dci_os_terminal_columns(FILE *f);
/* The agent's way to wait for its stop: blocks the stop signals (SIGINT, SIGTERM; on Windows
 * the console's Ctrl+C and close) before any thread starts, then waits for one and says
 * which ("signal 15", "Ctrl+C") in what. */
void dci_os_stop_block(void);
void dci_os_stop_wait(char *what, size_t cap);
/* Ends a dci_os_stop_wait of this process's own accord (a stop signal to itself). */
void dci_os_stop_raise(void);

/* The system's trusted roots for a TLS context without --ca (an SSL_CTX): OpenSSL's default
 * paths on Linux, Windows' certificate store (ROOT) on Windows: 0, or -1. And the libcurl
 * SSL options that do the same for curl (CURLSSLOPT_NATIVE_CA on Windows, 0 elsewhere). */
struct ssl_ctx_st;
int dci_os_trust_system_roots(struct ssl_ctx_st *ctx);
long dci_os_curl_ssl_options(void);

/* The Service Control Manager (Windows). Install registers the service `name` to start at
 * boot as `account` (NULL: NT AUTHORITY\LocalService), running this program with `args`
 * (nargs words after the program's own path); uninstall stops and removes it. 0, or -1 with
 * why (elsewhere: what to use instead). */
int dci_os_service_install(const char *name, const char *display, const char *const *args,
                           size_t nargs, const char *account, char *why, size_t cap);
int dci_os_service_uninstall(const char *name, char *why, size_t cap);
/* When the Service Control Manager started this process: runs fn(ud) as the service `name`
 * (its stop control ends dci_os_stop_wait; stderr goes to a log file under ProgramData) and
 * returns true once fn has returned; false with why when not started so. */
bool dci_os_service_run(const char *name, void (*fn)(void *ud), void *ud, char *why, size_t cap);

/* Gives freed heap pages back to the system where the allocator keeps them (glibc). */
void dci_os_release_memory(void);
/* Every block of at least `bytes` is mapped on its own and given back to the system when
 * freed: glibc otherwise raises that threshold after the first large free, and a thread's
 * arena then keeps a freed 16 MiB body for good (malloc_trim does not reach a thread arena's
 * top). A long-running server's choice; the Windows heap gives such blocks back itself. */
void dci_os_unmap_large_blocks(size_t bytes);

/* How many descriptors a run may hold at once, below `wanted`: the process's limit with a
 * margin (no such limit on Windows). */
unsigned dci_os_fd_budget(unsigned wanted);

/* A connected TCP socket's round trip as the kernel measured it (SYN to SYN-ACK), in
 * milliseconds; < 0 when the platform does not say. */
double dci_os_tcp_rtt_ms(uv_os_sock_t sock);
/* Readies a TCP socket, before its connect, so that the first answer to its SYN is the
 * verdict. Windows retries a SYN after a RST (about 2 s before connect fails, so a closed
 * port would read filtered) and after an ICMP error: there the socket gets no SYN
 * retransmission and `rto_ms` as its first round-trip estimate (Windows derives the
 * retransmission timeout from it), so a RST or an ICMP error ends the connect at once and
 * a lost SYN ends it with a time-out (the engine then sends the next SYN on a new socket).
 * Elsewhere nothing: Linux reports a RST or an ICMP error at once and retransmits a lost
 * SYN itself. */
void dci_os_tcp_before_connect(uv_os_sock_t sock, unsigned rto_ms);
/* The next close sends a RST (SO_LINGER 0): no FIN exchange, no TIME_WAIT left here. */
void dci_os_reset_on_close(uv_os_sock_t sock);
/* A copy of the socket that stays open when the original is closed (not inherited by child
 * processes); an invalid socket (dci_os_sock_valid false) when there is none. */
uv_os_sock_t dci_os_sock_duplicate(uv_os_sock_t sock);
bool dci_os_sock_valid(uv_os_sock_t sock);
uv_os_sock_t dci_os_sock_invalid(void);
/* A new socket (not inherited by child processes). */
uv_os_sock_t dci_os_sock_open(int family, int type, int protocol);
int dci_os_sock_close(uv_os_sock_t sock);
/* Ends both directions of a connection another thread owns (its owner then sees the end and
 * closes it): safe where closing it under that thread would not be. */
int dci_os_sock_shutdown(uv_os_sock_t sock);
/* Connects a UDP socket to its peer (IPv4 or IPv6), so its errors are the peer's. */
int dci_os_sock_connect(uv_os_sock_t sock, const struct sockaddr *peer);
/* A TCP socket listening on `addr` (the kernel completes handshakes; nothing needs to
 * accept): 0, or a libuv error (UV_EADDRINUSE: something listens there already). The port
 * is taken exclusively: on Windows, another socket could otherwise bind it too. */
int dci_os_listen(const struct sockaddr *addr, int backlog, uv_os_sock_t *out);
/* The local port a socket is bound to (0: none). */
unsigned dci_os_sock_port(uv_os_sock_t sock);
/* Does the socket have a peer (did its connect complete)? */
bool dci_os_sock_has_peer(uv_os_sock_t sock);
/* The socket's pending error: 0, or a libuv error (UV_ECONNREFUSED for an ICMP port
 * unreachable on a connected UDP socket). */
int dci_os_sock_error(uv_os_sock_t sock);

/* ICMP echo, one channel per probe, whose waiting the OS layer owns: on Linux a ping or raw
 * socket under uv_poll (os_posix_icmp.c); on Windows IcmpSendEcho2's requests, each with an
 * event that the thread pool's wait watches and that wakes the loop through a uv_async
 * (os_windows_icmp.c: no thread per ping, no socket to poll). */
struct dci_icmp;
enum dci_icmp_event { DCI_ICMP_NONE, DCI_ICMP_REPLY, DCI_ICMP_ERROR };
typedef void (*dci_icmp_cb)(void *ud);
/* The most echo requests one channel sends. */
#define DCI_ICMP_ECHOES_MAX 8
/* Opens a channel on loop towards peer (from `source`, NULL: any); `ready(ud)` runs on the
 * loop whenever dci_os_icmp_recv may have something. 0, or a negative errno with `why` naming
 * what would allow one (where nothing does: the probe cannot run here). */
int dci_os_icmp_open(uv_loop_t *loop, const struct sockaddr *peer, const struct sockaddr *source,
                     uint16_t id, dci_icmp_cb ready, void *ud, struct dci_icmp **out, char *why,
                     size_t cap);
/* Sends echo request `seq` (below DCI_ICMP_ECHOES_MAX), awaited timeout_ms at most. 0 or a
 * negative errno. */
int dci_os_icmp_send(struct dci_icmp *icmp, uint16_t seq, unsigned timeout_ms);
/* One thing that came: our echo's reply (*seq, and its round trip as the system timed it:
 * from the send to the reply's arrival, however late the loop reads it), an ICMP error about
 * our echo (detail says which and from whom), or NONE (nothing more, or someone else's). */
enum dci_icmp_event dci_os_icmp_recv(struct dci_icmp *icmp, uint16_t *seq, double *rtt_ms,
                                     char *detail, size_t cap);
/* Stops the channel; `closed(ud)` runs on the loop once its handles are closed and it is
 * freed (`ready` never runs again). */
void dci_os_icmp_close(struct dci_icmp *icmp, dci_icmp_cb closed);

#endif
