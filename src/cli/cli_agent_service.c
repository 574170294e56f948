/* dmsconn agent --install-service / --uninstall-service: the agent as a Windows service
 * (dmsconn-agent). The service's command line is this one's, with --as-service in place of
 * --install-service, so the service runs exactly the agent that was asked for; relative
 * paths are made absolute first (a service starts in the system folder). */
#include "cli_options.h"

#include "base/os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE_NAME "dmsconn-agent"

/* Options whose value is a path the service must find from anywhere. */
static bool takes_path(const char *word)
{
    static const char *const paths[] = {"--token-file",
                                        "--tls-cert",
                                        "--tls-key",
                                        "--tls-auto",
                                        "--inventory",
                                        "--dms",
                                        "--db",
                                        "--profile",
                                        "--dataminer-dir",
                                        "--secret",
                                        "--ca",
                                        "--nats-creds",
                                        "--snmp-community-file",
                                        "--opensearch-credentials",
                                        NULL};
    for (size_t i = 0; paths[i]; i++) {
        if (strcmp(word, paths[i]) == 0)
            return true;
    }
    return false;
}

/* An absolute path for a relative one (--secret's NAME=FILE keeps its NAME=), into buf. */
static const char *absolute(const char *value, bool named, char *buf, size_t cap)
{
    const char *eq = named ? strchr(value, '=') : NULL;
    const char *path = eq ? eq + 1 : value;
    char cwd[1024];
    size_t len = sizeof cwd;
    bool relative = path[0] && path[0] != '/' && path[0] != '\\' && !(path[0] && path[1] == ':');
    if (!relative || uv_cwd(cwd, &len) != 0)
        return value;
    snprintf(buf, cap, "%.*s%s/%s", (int)(path - value), value, cwd, path);
    return buf;
}

int cli_agent_service(int argc, char **argv, const struct cli_args *a)
{
    char why[256];
    if (a->uninstall_service) {
        if (dci_os_service_uninstall(SERVICE_NAME, why, sizeof why) != 0) {
            fprintf(stderr, "dmsconn agent: cannot remove the service %s: %s\n", SERVICE_NAME, why);
            return DC_RUN_UNKNOWN;
        }
        printf("dmsconn agent: the service %s is removed (sc.exe delete %s does the same)\n",
               SERVICE_NAME, SERVICE_NAME);
        return 0;
    }
    /* argv[0] is "agent"; the service runs "agent --as-service" and the other words */
    const char **args = calloc((size_t)argc + 2, sizeof *args);
    char(*copies)[1200] = calloc((size_t)argc + 1, sizeof *copies);
    if (!args || !copies) {
        free(args);
        free(copies);
        return DC_RUN_UNKNOWN;
    }
    size_t n = 0;
    args[n++] = "agent";
    args[n++] = "--as-service";
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (strcmp(w, "--install-service") == 0)
            continue;
        if (strcmp(w, "--service-account") == 0 && i + 1 < argc) {
            i++; /* the account is the service's, not the agent's */
            continue;
        }
        if (strncmp(w, "--service-account=", 18) == 0)
            continue;
        args[n++] = w;
        if (takes_path(w) && i + 1 < argc) {
            i++;
            args[n++] = absolute(argv[i], strcmp(w, "--secret") == 0, copies[i], sizeof copies[i]);
        }
    }
    int rc = dci_os_service_install(SERVICE_NAME, "dmsconn agent", args, n, a->service_account, why,
                                    sizeof why);
    if (rc == 0) {
        printf("dmsconn agent: the service %s is installed (starts at boot, as %s); start it "
               "now with: sc.exe start %s\n",
               SERVICE_NAME, a->service_account ? a->service_account : "NT AUTHORITY\\LocalService",
               SERVICE_NAME);
    } else {
        fprintf(stderr, "dmsconn agent: cannot install the service %s: %s\n", SERVICE_NAME, why);
        rc = DC_RUN_UNKNOWN;
    }
    free(args);
    free(copies);
    return rc;
}
