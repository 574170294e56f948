/* The OS layer on Windows, its Service Control Manager part (os.h): the agent and continuous
 * mode installed, removed, and run as services. */
#include <winsock2.h>
#include <windows.h>

#include "os.h"
#include "os_windows.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Appends one word to a command line as CommandLineToArgvW reads it back: in quotes, a quote
 * escaped, the backslashes before a quote or the closing quote doubled. */
static bool append_word(char *line, size_t cap, const char *word)
{
    size_t n = strlen(line);
    if (n && n + 1 < cap)
        line[n++] = ' ';
    if (n + 1 >= cap)
        return false;
    line[n++] = '"';
    for (const char *p = word;; p++) {
        size_t slashes = 0;
        while (*p == '\\') {
            slashes++;
            p++;
        }
        size_t times = !*p || *p == '"' ? slashes * 2 : slashes;
        for (size_t i = 0; i < times; i++) {
            if (n + 1 >= cap)
                return false;
            line[n++] = '\\';
        }
        if (!*p)
            break;
        if (*p == '"') {
            if (n + 1 >= cap)
                return false;
            line[n++] = '\\';
        }
        if (n + 1 >= cap)
            return false;
        line[n++] = *p;
    }
    if (n + 2 >= cap)
        return false;
    line[n++] = '"';
    line[n] = '\0';
    return true;
}

int dci_os_service_install(const char *name, const char *display, const char *const *args,
                           size_t nargs, const char *account, char *why, size_t cap)
{
    char exe[MAX_PATH], line[8192] = "";
    DWORD got = GetModuleFileNameA(NULL, exe, sizeof exe);
    bool ok = got > 0 && got < sizeof exe && append_word(line, sizeof line, exe);
    for (size_t i = 0; ok && i < nargs; i++)
        ok = append_word(line, sizeof line, args[i]);
    if (!ok) {
        snprintf(why, cap, "the service's command line is too long");
        return -1;
    }
    SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CREATE_SERVICE);
    if (!scm) {
        dci_os_win_error(GetLastError(), why, cap);
        return -1;
    }
    SC_HANDLE svc =
        CreateServiceA(scm, name, display, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
                       SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, line, NULL, NULL, NULL,
                       account ? account : "NT AUTHORITY\\LocalService", NULL);
    DWORD err = svc ? 0 : GetLastError();
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    if (err) {
        dci_os_win_error(err, why, cap);
        return -1;
    }
    return 0;
}

int dci_os_service_uninstall(const char *name, char *why, size_t cap)
{
    SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE svc = scm ? OpenServiceA(scm, name, SERVICE_STOP | DELETE) : NULL;
    DWORD err = svc ? 0 : GetLastError();
    if (svc) {
        SERVICE_STATUS status;
        ControlService(svc, SERVICE_CONTROL_STOP, &status); /* not running: nothing to stop */
        if (!DeleteService(svc))
            err = GetLastError();
        CloseServiceHandle(svc);
    }
    if (scm)
        CloseServiceHandle(scm);
    if (err) {
        dci_os_win_error(err, why, cap);
        return -1;
    }
    return 0;
}

static struct {
    const char *name;
    void (*fn)(void *ud);
    void *ud;
    SERVICE_STATUS_HANDLE handle;
} service;

static void report(DWORD state)
{
    SERVICE_STATUS st = {.dwServiceType = SERVICE_WIN32_OWN_PROCESS,
                         .dwCurrentState = state,
                         .dwControlsAccepted = state == SERVICE_RUNNING
                                                   ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN
                                                   : 0,
                         .dwWaitHint = state == SERVICE_RUNNING ? 0 : 10000};
    SetServiceStatus(service.handle, &st);
}

static DWORD WINAPI on_control(DWORD control, DWORD type, void *data, void *ctx)
{
    (void)type, (void)data, (void)ctx;
    if (control != SERVICE_CONTROL_STOP && control != SERVICE_CONTROL_SHUTDOWN)
        return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
    report(SERVICE_STOP_PENDING);
    dci_os_win_stop(DCI_STOP_BY_SERVICE);
    return NO_ERROR;
}

static void WINAPI service_main(DWORD argc, char **argv)
{
    (void)argc, (void)argv;
    service.handle = RegisterServiceCtrlHandlerExA(service.name, on_control, NULL);
    if (!service.handle)
        return;
    report(SERVICE_RUNNING);
    service.fn(service.ud);
    report(SERVICE_STOPPED);
}

bool dci_os_service_run(const char *name, void (*fn)(void *ud), void *ud, char *why, size_t cap)
{
    /* a service has no console: what it says goes to ProgramData */
    char dir[MAX_PATH], log[MAX_PATH + 64];
    DWORD n = GetEnvironmentVariableA("ProgramData", dir, sizeof dir);
    if (n == 0 || n >= sizeof dir) /* a service account's environment may not say */
        n = (DWORD)snprintf(dir, sizeof dir, "C:\\ProgramData");
    {
        snprintf(log, sizeof log, "%s\\dmsconn", dir);
        CreateDirectoryA(log, NULL);
        snprintf(log, sizeof log, "%s\\dmsconn\\%s.log", dir, name);
        /* a service has no standard streams (their descriptors say -2, and freopen on them
         * trips the CRT's invalid-parameter check): the log becomes descriptors 1 and 2, so
         * stdout (a round's line, check --every) and stderr write into it */
        int fd = _open(log, _O_WRONLY | _O_APPEND | _O_CREAT | _O_BINARY, _S_IREAD | _S_IWRITE);
        if (fd >= 0) {
            _dup2(fd, 1);
            _dup2(fd, 2);
            if (fd > 2)
                _close(fd);
#ifndef _UCRT
            /* msvcrt marked the two streams "no console" (descriptor -2) at its start; they
             * are descriptors 1 and 2 now, as any console program's */
            stdout->_file = _fileno(stdout) < 0 ? 1 : stdout->_file;
            stderr->_file = _fileno(stderr) < 0 ? 2 : stderr->_file;
#endif
        }
        setvbuf(stderr, NULL, _IONBF, 0);
    }
    dci_os_win_stop(-1); /* the event, before the stop control can come */
    service.name = name;
    service.fn = fn;
    service.ud = ud;
    SERVICE_TABLE_ENTRYA table[] = {{(char *)name, service_main}, {NULL, NULL}};
    if (StartServiceCtrlDispatcherA(table))
        return true;
    dci_os_win_error(GetLastError(), why, cap);
    return false;
}
