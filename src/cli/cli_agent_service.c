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

/* Does the agent's option `name` (without --) take a path the service must find from
 * anywhere? The option table says: its value is a FILE, a DIR or a NAME=FILE. */
static bool takes_path(const char *name, size_t len, bool *named)
{
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        if (!(o->commands & CLI_AGENT) || !o->value || strlen(o->name) != len ||
            strncmp(o->name, name, len) != 0)
            continue;
        *named = strcmp(o->value, "NAME=FILE") == 0;
        return *named || strcmp(o->value, "FILE") == 0 || strcmp(o->value, "DIR") == 0;
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
        bool named = false;
        const char *eq = strchr(w, '=');
        size_t len = eq ? (size_t)(eq - w) : strlen(w);
        if (strncmp(w, "--", 2) != 0 || !takes_path(w + 2, len - 2, &named)) {
            args[n++] = w;
        } else if (eq) { /* --token-file=FILE */
            char path[1100];
            snprintf(copies[i], sizeof copies[i], "%.*s=%s", (int)len, w,
                     absolute(eq + 1, named, path, sizeof path));
            args[n++] = copies[i];
        } else if (i + 1 < argc) {
            args[n++] = w;
            i++;
            args[n++] = absolute(argv[i], named, copies[i], sizeof copies[i]);
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
