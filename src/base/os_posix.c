/* The OS layer on Linux (and other POSIX systems): os.h says what each function is for. */
#include "os.h"

#include <errno.h>
#include <openssl/ssl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#ifdef __linux__
#include <netinet/tcp.h>
#endif

const char *dci_os_dataminer_dir_default(void)
{
    return NULL;
}

int dci_os_replace_file(const char *tmp, const char *path, char *why, size_t cap)
{
    if (rename(tmp, path) == 0)
        return 0;
    snprintf(why, cap, "%s", strerror(errno));
    return -1;
}

bool dci_os_output_in_place(const char *path)
{
    struct stat st; /* the link itself: /dev/stdout may lead to a regular file */
    return lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

bool dci_os_file_private(const char *path, char *why, size_t cap)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(why, cap, "cannot read it: %s", strerror(errno));
        return false;
    }
    if (st.st_mode & 077) {
        bool dir = S_ISDIR(st.st_mode);
        snprintf(why, cap, "the %s is open to others (mode %04o); expected %s (chmod %s %s)",
                 dir ? "folder" : "file", (unsigned)(st.st_mode & 07777), dir ? "0700" : "0600",
                 dir ? "700" : "600", path);
        return false;
    }
    /* a 0600 file of another user is that user's secret, or one planted for us */
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        snprintf(why, cap, "the file belongs to user %u; expected root or this user (%u)",
                 (unsigned)st.st_uid, (unsigned)geteuid());
        return false;
    }
    return true;
}

int dci_os_create_private(const char *path, const void *data, size_t len, char *why, size_t cap)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, cap, "%s", strerror(errno));
        return -1;
    }
    bool ok = write(fd, data, len) == (ssize_t)len;
    int err = ok ? 0 : errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        snprintf(why, cap, "%s", strerror(err ? err : EIO));
        unlink(path);
        return -1;
    }
    return 0;
}

int dci_os_mkdir_private(const char *dir, char *why, size_t cap)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    snprintf(why, cap, "%s", strerror(errno));
    return -1;
}

unsigned dci_os_fd_budget(unsigned wanted)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return wanted;
    rlim_t spare = rl.rlim_cur > 64 ? rl.rlim_cur - 64 : 1;
    return wanted < spare ? wanted : (unsigned)spare;
}

double dci_os_tcp_rtt_ms(uv_os_sock_t sock)
{
#ifdef __linux__
    struct tcp_info info;
    socklen_t len = sizeof info;
    if (getsockopt(sock, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_rtt > 0)
        return (double)info.tcpi_rtt / 1000.0;
#else
    (void)sock;
#endif
    return -1;
}

void dci_os_tcp_before_connect(uv_os_sock_t sock, unsigned rto_ms)
{
    (void)sock; /* the kernel's own SYN retransmission and its RST and ICMP reports serve */
    (void)rto_ms;
}

void dci_os_reset_on_close(uv_os_sock_t sock)
{
    struct linger now = {.l_onoff = 1, .l_linger = 0};
    (void)setsockopt(sock, SOL_SOCKET, SO_LINGER, &now, sizeof now);
}

uv_os_sock_t dci_os_sock_duplicate(uv_os_sock_t sock)
{
    return fcntl(sock, F_DUPFD_CLOEXEC, 0);
}

bool dci_os_sock_valid(uv_os_sock_t sock)
{
    return sock >= 0;
}

uv_os_sock_t dci_os_sock_invalid(void)
{
    return -1;
}

uv_os_sock_t dci_os_sock_open(int family, int type, int protocol)
{
    return socket(family, type | SOCK_CLOEXEC, protocol);
}

int dci_os_sock_close(uv_os_sock_t sock)
{
    return close(sock);
}

int dci_os_sock_shutdown(uv_os_sock_t sock)
{
    return shutdown(sock, SHUT_RDWR);
}

bool dci_os_sock_has_peer(uv_os_sock_t sock)
{
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    return getpeername(sock, (struct sockaddr *)&peer, &len) == 0;
}

int dci_os_sock_error(uv_os_sock_t sock)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return 0;
    return err ? uv_translate_sys_error(err) : 0;
}

int dci_os_sock_connect(uv_os_sock_t sock, const struct sockaddr *peer)
{
    socklen_t len =
        peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    return connect(sock, peer, len);
}

int dci_os_listen(const struct sockaddr *addr, int backlog, uv_os_sock_t *out)
{
    socklen_t len =
        addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int sock = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return uv_translate_sys_error(errno);
    int one = 1; /* a port left in TIME_WAIT by a run before is free, not busy */
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(sock, addr, len) != 0 || listen(sock, backlog) != 0) {
        int err = uv_translate_sys_error(errno);
        close(sock);
        return err;
    }
    *out = sock;
    return 0;
}

struct tm *dci_os_gmtime(time_t t, struct tm *out)
{
    return gmtime_r(&t, out);
}

void dci_os_secure_zero(void *p, size_t n)
{
    explicit_bzero(p, n);
}

FILE *dci_memstream_open(struct dci_memstream *m)
{
    m->data = NULL;
    m->len = 0;
    m->f = open_memstream(&m->data, &m->len);
    return m->f;
}

char *dci_memstream_close(struct dci_memstream *m, size_t *len)
{
    if (!m->f)
        return NULL;
    bool ok = fclose(m->f) == 0;
    m->f = NULL;
    if (!ok) {
        free(m->data);
        m->data = NULL;
        return NULL;
    }
    if (len)
        *len = m->len;
    return m->data;
}

void dci_os_process_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl; /* every probe holds a descriptor: as many as the hard limit allows */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

bool dci_os_is_terminal(FILE *f)
{
    return isatty(fileno(f));
}

int dci_os_terminal_columns(FILE *f)
{
    struct winsize ws;
    if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0)
        return ws.ws_col;
    return 0;
}

static sigset_t stop_signals(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    return stop;
}

void dci_os_stop_block(void)
{
    /* blocked before any thread starts, so only sigwait sees them */
    sigset_t stop = stop_signals();
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
}

void dci_os_stop_wait(char *what, size_t cap)
{
    sigset_t stop = stop_signals();
    int sig = 0;
    sigwait(&stop, &sig);
    snprintf(what, cap, "signal %d", sig);
}

void dci_os_stop_raise(void)
{
    kill(getpid(), SIGTERM); /* blocked in every thread: the waiter's sigwait takes it */
}

void dci_os_release_memory(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

void dci_os_unmap_large_blocks(size_t bytes)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
    (void)bytes;
#endif
}

unsigned dci_os_sock_port(uv_os_sock_t sock)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(sock, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int dci_os_service_install(const char *name, const char *display, const char *const *args,
                           size_t nargs, const char *account, char *why, size_t cap)
{
    (void)display, (void)args, (void)nargs, (void)account;
    snprintf(why, cap,
             "a Windows service exists only on Windows: here, install the systemd "
             "unit scripts/%s.service (%s)",
             name,
             strcmp(name, "dmsconn-agent") == 0 ? "docs/agent-service.md" : "docs/scheduling.md");
    return -1;
}

int dci_os_service_uninstall(const char *name, char *why, size_t cap)
{
    return dci_os_service_install(name, NULL, NULL, 0, NULL, why, cap);
}

bool dci_os_service_run(const char *name, void (*fn)(void *ud), void *ud, char *why, size_t cap)
{
    (void)name, (void)fn, (void)ud;
    snprintf(why, cap, "--as-service is for Windows' Service Control Manager");
    return false;
}

int dci_os_trust_system_roots(struct ssl_ctx_st *ctx)
{
    return SSL_CTX_set_default_verify_paths(ctx) == 1 ? 0 : -1;
}

long dci_os_curl_ssl_options(void)
{
    return 0; /* libcurl's own CA bundle path is the system's */
}
