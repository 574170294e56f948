/* The OS layer on Windows (the DataMiner Agents): os.h says what each function is for. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <wincrypt.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <fcntl.h>
#include <io.h>

#include "os.h"
#include "os_windows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dci_os_dataminer_dir_default(void)
{
    return "C:\\Skyline DataMiner";
}

void dci_os_win_error(DWORD err, char *why, size_t cap)
{
    char text[160] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0, text,
                   sizeof text, NULL);
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\r' || text[n - 1] == '\n' || text[n - 1] == '.'))
        text[--n] = '\0';
    snprintf(why, cap, "%s (Windows error %lu)", text[0] ? text : "error", (unsigned long)err);
}

int dci_os_replace_file(const char *tmp, const char *path, char *why, size_t cap)
{
    /* rename() does not replace an existing file on Windows */
    if (MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return 0;
    dci_os_win_error(GetLastError(), why, cap);
    return -1;
}

bool dci_os_output_in_place(const char *path)
{
    DWORD attributes = GetFileAttributesA(path);
    if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT))
        return true; /* a symbolic link or a junction: MoveFileEx would replace the link */
    /* NUL, CON, a named pipe: what the handle says it is (a file reads FILE_TYPE_DISK) */
    HANDLE h = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return false;
    DWORD type = GetFileType(h);
    CloseHandle(h);
    return type == FILE_TYPE_CHAR || type == FILE_TYPE_PIPE;
}

/* SIDs that may read a secret besides its owner: SYSTEM and the Administrators group. */
static bool trusted_sid(PSID sid, PSID owner)
{
    if (owner && EqualSid(sid, owner))
        return true;
    return IsWellKnownSid(sid, WinLocalSystemSid) ||
           IsWellKnownSid(sid, WinBuiltinAdministratorsSid);
}

/* "Everyone (S-1-1-0)", "DOMAIN\\name (S-...)", or the SID alone. */
static void sid_name(PSID sid, char *buf, size_t cap)
{
    char name[64], domain[64], *text = NULL;
    DWORD nlen = sizeof name, dlen = sizeof domain;
    SID_NAME_USE use;
    ConvertSidToStringSidA(sid, &text);
    if (LookupAccountSidA(NULL, sid, name, &nlen, domain, &dlen, &use))
        snprintf(buf, cap, "%s%s%s (%s)", domain, domain[0] ? "\\" : "", name, text ? text : "?");
    else
        snprintf(buf, cap, "%s", text ? text : "another account");
    LocalFree(text);
}

bool dci_os_file_private(const char *path, char *why, size_t cap)
{
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD rc = GetNamedSecurityInfoA(path, SE_FILE_OBJECT,
                                     OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                                     NULL, &dacl, NULL, &sd);
    if (rc != ERROR_SUCCESS) {
        char text[160];
        dci_os_win_error(rc, text, sizeof text);
        snprintf(why, cap, "cannot read it: %s", text);
        return false;
    }
    bool ok = true;
    if (!dacl) { /* no DACL: everyone has every right */
        snprintf(why, cap,
                 "the file has no access list (everyone may read it); expected one "
                 "that only its owner, SYSTEM and Administrators may read");
        ok = false;
    }
    for (DWORD i = 0; ok && i < dacl->AceCount; i++) {
        ACE_HEADER *ace = NULL;
        if (!GetAce(dacl, i, (void **)&ace) || ace->AceType != ACCESS_ALLOWED_ACE_TYPE)
            continue;
        ACCESS_ALLOWED_ACE *allowed = (ACCESS_ALLOWED_ACE *)ace;
        PSID sid = (PSID)&allowed->SidStart;
        bool reads = allowed->Mask & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL);
        if (reads && !trusted_sid(sid, owner)) {
            char who[160];
            sid_name(sid, who, sizeof who);
            snprintf(why, cap,
                     "the file is open to others (%s may read it); expected only its owner, "
                     "SYSTEM and Administrators (icacls FILE /inheritance:r /grant:r "
                     "\"%%USERNAME%%:R\")",
                     who);
            ok = false;
        }
    }
    LocalFree(sd);
    return ok;
}

/* A security descriptor that gives the current user (and SYSTEM, Administrators) full
 * control and no one else anything, inheritance off. */
static bool owner_only(SECURITY_ATTRIBUTES *sa)
{
    static const char sddl[] = "D:P(A;;FA;;;OW)(A;;FA;;;SY)(A;;FA;;;BA)";
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorA(sddl, SDDL_REVISION_1, &sd, NULL))
        return false;
    *sa = (SECURITY_ATTRIBUTES){.nLength = sizeof *sa, .lpSecurityDescriptor = sd};
    return true;
}

int dci_os_create_private(const char *path, const void *data, size_t len, char *why, size_t cap)
{
    SECURITY_ATTRIBUTES sa;
    if (!owner_only(&sa)) {
        dci_os_win_error(GetLastError(), why, cap);
        return -1;
    }
    HANDLE h = CreateFileA(path, GENERIC_WRITE, 0, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    LocalFree(sa.lpSecurityDescriptor);
    if (h == INVALID_HANDLE_VALUE) {
        dci_os_win_error(GetLastError(), why, cap);
        return -1;
    }
    DWORD written = 0;
    bool ok = WriteFile(h, data, (DWORD)len, &written, NULL) && written == len;
    DWORD err = ok ? 0 : GetLastError();
    ok = CloseHandle(h) && ok;
    if (!ok) {
        dci_os_win_error(err ? err : GetLastError(), why, cap);
        DeleteFileA(path);
        return -1;
    }
    return 0;
}

int dci_os_mkdir_private(const char *dir, char *why, size_t cap)
{
    SECURITY_ATTRIBUTES sa;
    if (!owner_only(&sa)) {
        dci_os_win_error(GetLastError(), why, cap);
        return -1;
    }
    BOOL made = CreateDirectoryA(dir, &sa);
    DWORD err = made ? 0 : GetLastError();
    LocalFree(sa.lpSecurityDescriptor);
    if (made || err == ERROR_ALREADY_EXISTS)
        return 0;
    dci_os_win_error(err, why, cap);
    return -1;
}

unsigned dci_os_fd_budget(unsigned wanted)
{
    return wanted; /* sockets are not counted against a per-process limit */
}

/* TCP_INFO_v0 and SIO_TCP_INFO as Microsoft documents them (mstcpip.h), which this
 * MinGW-w64's headers do not have yet. */
struct tcp_info_v0 {
    int State;
    ULONG Mss;
    ULONG64 ConnectionTimeMs;
    BOOLEAN TimestampsEnabled;
    ULONG RttUs;
    ULONG MinRttUs;
    ULONG BytesInFlight;
    ULONG Cwnd;
    ULONG SndWnd;
    ULONG RcvWnd;
    ULONG RcvBuf;
    ULONG64 BytesOut;
    ULONG64 BytesIn;
    ULONG BytesReordered;
    ULONG BytesRetrans;
    ULONG FastRetrans;
    ULONG DupAcksIn;
    ULONG TimeoutEpisodes;
    UCHAR SynRetrans;
};
#define DCI_SIO_TCP_INFO _WSAIORW(IOC_VENDOR, 39)

double dci_os_tcp_rtt_ms(uv_os_sock_t sock)
{
    /* SIO_TCP_INFO: Windows 10 1703 / Server 2019 and later; elsewhere the caller's clock */
    struct tcp_info_v0 info;
    DWORD version = 0, got = 0;
    if (WSAIoctl(sock, DCI_SIO_TCP_INFO, &version, sizeof version, &info, sizeof info, &got, NULL,
                 NULL) == 0 &&
        got >= sizeof info && info.RttUs > 0)
        return (double)info.RttUs / 1000.0;
    return -1;
}

/* TCP_FAIL_CONNECT_ON_ICMP_ERROR (ws2ipdef.h of newer SDKs than MinGW's): Windows 10 2004 /
 * Server 2022 and later; older ones refuse it and keep retrying the SYN after an ICMP
 * error, so a rejecting firewall reads filtered there. */
#define DCI_TCP_FAIL_CONNECT_ON_ICMP_ERROR 18

void dci_os_tcp_before_connect(uv_os_sock_t sock, unsigned rto_ms)
{
    /* SIO_TCP_INITIAL_RTO with TCP_INITIAL_RTO_PARAMETERS (mstcpip.h; Windows 8 / Server
     * 2012 and later): libuv does the same for loopback targets only, "instead of waiting
     * for 2s" (src/win/tcp.c). Both calls are best effort: where Windows refuses one, its
     * own retries stand (os.h says what they cost). */
    TCP_INITIAL_RTO_PARAMETERS rto = {
        .Rtt = (USHORT)(rto_ms < 65000 ? rto_ms : 65000),
        .MaxSynRetransmissions = TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS,
    };
    DWORD got = 0, on = 1;
    (void)WSAIoctl(sock, SIO_TCP_INITIAL_RTO, &rto, sizeof rto, NULL, 0, &got, NULL, NULL);
    (void)setsockopt(sock, IPPROTO_TCP, DCI_TCP_FAIL_CONNECT_ON_ICMP_ERROR, (const char *)&on,
                     sizeof on);
}

void dci_os_reset_on_close(uv_os_sock_t sock)
{
    struct linger now = {.l_onoff = 1, .l_linger = 0};
    (void)setsockopt(sock, SOL_SOCKET, SO_LINGER, (const char *)&now, sizeof now);
}

uv_os_sock_t dci_os_sock_duplicate(uv_os_sock_t sock)
{
    WSAPROTOCOL_INFOW info;
    if (WSADuplicateSocketW(sock, GetCurrentProcessId(), &info) != 0)
        return INVALID_SOCKET;
    return WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                      WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

bool dci_os_sock_valid(uv_os_sock_t sock)
{
    return sock != INVALID_SOCKET;
}

uv_os_sock_t dci_os_sock_invalid(void)
{
    return INVALID_SOCKET;
}

uv_os_sock_t dci_os_sock_open(int family, int type, int protocol)
{
    return WSASocketW(family, type, protocol, NULL, 0,
                      WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

int dci_os_sock_close(uv_os_sock_t sock)
{
    return closesocket(sock);
}

int dci_os_sock_shutdown(uv_os_sock_t sock)
{
    return shutdown(sock, SD_BOTH);
}

int dci_os_sock_connect(uv_os_sock_t sock, const struct sockaddr *peer)
{
    int len =
        peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    return connect(sock, peer, len);
}

bool dci_os_sock_has_peer(uv_os_sock_t sock)
{
    struct sockaddr_storage peer;
    int len = sizeof peer;
    return getpeername(sock, (struct sockaddr *)&peer, &len) == 0;
}

int dci_os_sock_error(uv_os_sock_t sock)
{
    int err = 0;
    int len = sizeof err;
    if (getsockopt(sock, SOL_SOCKET, SO_ERROR, (char *)&err, &len) != 0)
        return 0;
    /* an ICMP port unreachable on a UDP socket comes back as WSAECONNRESET */
    if (err == WSAECONNRESET)
        return UV_ECONNREFUSED;
    return err ? uv_translate_sys_error(err) : 0;
}

int dci_os_listen(const struct sockaddr *addr, int backlog, uv_os_sock_t *out)
{
    int len =
        addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    SOCKET sock = dci_os_sock_open(addr->sa_family, SOCK_STREAM, IPPROTO_TCP);
    if (sock == INVALID_SOCKET)
        return uv_translate_sys_error(WSAGetLastError());
    /* without it a second socket could bind a port dmsconn holds (SO_REUSEADDR's meaning on
     * Windows), and a busy port would not read as busy */
    BOOL one = TRUE;
    setsockopt(sock, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&one, sizeof one);
    if (bind(sock, addr, len) != 0 || listen(sock, backlog) != 0) {
        int err = uv_translate_sys_error(WSAGetLastError());
        closesocket(sock);
        return err;
    }
    *out = sock;
    return 0;
}

struct tm *dci_os_gmtime(time_t t, struct tm *out)
{
    return gmtime_s(out, &t) == 0 ? out : NULL;
}

void dci_os_secure_zero(void *p, size_t n)
{
    SecureZeroMemory(p, n);
}

/* Windows' C library has no memory stream: a temporary file, read back at the close. */
FILE *dci_memstream_open(struct dci_memstream *m)
{
    m->data = NULL;
    m->len = 0;
    m->f = tmpfile();
    return m->f;
}

char *dci_memstream_close(struct dci_memstream *m, size_t *len)
{
    if (!m->f)
        return NULL;
    FILE *f = m->f;
    m->f = NULL;
    long size = fflush(f) == 0 && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *data = size >= 0 ? malloc((size_t)size + 1) : NULL;
    bool ok = data && fseek(f, 0, SEEK_SET) == 0 && fread(data, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    if (!ok) {
        free(data);
        return NULL;
    }
    data[size] = '\0';
    if (len)
        *len = (size_t)size;
    return data;
}

void dci_os_process_init(void)
{
    /* ANSI colours in the console (Windows 10 and later) */
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD mode = 0;
    if (out != INVALID_HANDLE_VALUE && GetConsoleMode(out, &mode))
        SetConsoleMode(out, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
    SetConsoleOutputCP(CP_UTF8);
    /* the bytes as written, as on Linux: a text-mode stdout would turn the CSV's CRLF into
     * CR CR LF and every report's LF into CRLF */
    if (_fileno(stdout) >= 0) /* a service has no standard streams: -2, which the CRT's */
        _setmode(_fileno(stdout), _O_BINARY); /* invalid-parameter handler ends the process */
    if (_fileno(stderr) >= 0)
        _setmode(_fileno(stderr), _O_BINARY);
    WSADATA wsa; /* gethostname and the sockets the OS layer opens before libuv does */
    WSAStartup(MAKEWORD(2, 2), &wsa);
}

static HANDLE console_of(FILE *f)
{
    int fd = _fileno(f); /* -2 in a service: no stream, and no handle to ask about */
    return fd >= 0 ? (HANDLE)_get_osfhandle(fd) : INVALID_HANDLE_VALUE;
}

bool dci_os_is_terminal(FILE *f)
{
    DWORD mode;
    return GetConsoleMode(console_of(f), &mode) != 0;
}

int dci_os_terminal_columns(FILE *f)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (!GetConsoleScreenBufferInfo(console_of(f), &info))
        return 0;
    return info.srWindow.Right - info.srWindow.Left + 1;
}

static HANDLE stop_event;
static volatile LONG stop_kind;

void dci_os_win_stop(long kind)
{
    if (!stop_event)
        stop_event = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (kind >= 0) {
        InterlockedExchange(&stop_kind, kind + 1);
        SetEvent(stop_event);
    }
}

static BOOL WINAPI on_console(DWORD kind)
{
    dci_os_win_stop((long)kind);
    return TRUE;
}

void dci_os_stop_block(void)
{
    dci_os_win_stop(-1); /* the event, before anything can signal it */
    SetConsoleCtrlHandler(on_console, TRUE);
}

void dci_os_stop_wait(char *what, size_t cap)
{
    WaitForSingleObject(stop_event, INFINITE);
    LONG kind = InterlockedCompareExchange(&stop_kind, 0, 0) - 1;
    snprintf(what, cap, "%s",
             kind == DCI_STOP_BY_SERVICE ? "the service's stop control"
             : kind == CTRL_C_EVENT      ? "Ctrl+C"
             : kind == CTRL_BREAK_EVENT  ? "Ctrl+Break"
             : kind == CTRL_CLOSE_EVENT  ? "the console closing"
                                         : "a stop request");
}

void dci_os_stop_raise(void)
{
    dci_os_win_stop(DCI_STOP_BY_SERVICE + 1); /* "a stop request" */
}

void dci_os_release_memory(void)
{
    /* the Windows heap gives pages back itself */
}

void dci_os_unmap_large_blocks(size_t bytes)
{
    (void)bytes; /* the Windows heap maps large blocks on their own already */
}

unsigned dci_os_sock_port(uv_os_sock_t sock)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (getsockname(sock, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int dci_os_trust_system_roots(struct ssl_ctx_st *ctx)
{
    /* OpenSSL has no default paths on Windows: the certificates Windows trusts, from its
     * ROOT store, as the Linux build trusts /etc/ssl's */
    HCERTSTORE roots = CertOpenSystemStoreA(0, "ROOT");
    if (!roots)
        return -1;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(roots, NULL); c;
         c = CertEnumCertificatesInStore(roots, c)) {
        const unsigned char *der = c->pbCertEncoded;
        X509 *x = d2i_X509(NULL, &der, (long)c->cbCertEncoded);
        if (x)
            X509_STORE_add_cert(store, x); /* a duplicate is refused, and harmless */
        X509_free(x);
    }
    CertCloseStore(roots, 0);
    return 0; /* an empty store is the machine's choice: every certificate then fails */
}

long dci_os_curl_ssl_options(void)
{
    return CURLSSLOPT_NATIVE_CA; /* curl reads Windows' ROOT store into OpenSSL itself */
}
