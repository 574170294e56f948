/* dmsconn agent|check --install-service / --uninstall-service: the agent, or continuous
 * mode's rounds, as a Windows service (dmsconn-agent, dmsconn-watch). The service's command
 * line is this one's, with --as-service in place of --install-service, so the service runs
 * exactly the command that was asked for; relative paths are made absolute first (a service
 * starts in the system folder). */
#include "cli_options.h"

#include "base/os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the command's option `name` (without --) take a path the service must find from
 * anywhere? The option table says: its value is a FILE, a DIR or a NAME=FILE. */
static bool takes_path(unsigned command, const char *name, size_t len, bool *named)
{
    for (size_t i = 0; i < cli_noptions; i++) {
        const struct cli_option *o = &cli_options[i];
        if (!(o->commands & command) || !o->value || strlen(o->name) != len ||
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

int cli_service(const struct cli_command *cmd, const char *name, int argc, char **argv,
                const struct cli_args *a)
{
    char why[256], display[64];
    if (a->install_service && a->uninstall_service)
        return cli_usage_error(cmd->name, "--install-service or --uninstall-service, not both");
    snprintf(display, sizeof display, "dmsconn %s", cmd->name);
    if (a->uninstall_service) {
        if (dci_os_service_uninstall(name, why, sizeof why) != 0) {
            fprintf(stderr, "dmsconn %s: cannot remove the service %s: %s\n", cmd->name, name, why);
            return DC_RUN_UNKNOWN;
        }
        printf("dmsconn %s: the service %s is removed (sc.exe delete %s does the same)\n",
               cmd->name, name, name);
        return 0;
    }
    /* argv[0] is the command; the service runs "COMMAND --as-service" and the other words */
    const char **args = calloc((size_t)argc + 2, sizeof *args);
    char(*copies)[1200] = calloc((size_t)argc + 1, sizeof *copies);
    if (!args || !copies) {
        free(args);
        free(copies);
        return DC_RUN_UNKNOWN;
    }
    size_t n = 0;
    args[n++] = cmd->name;
    args[n++] = "--as-service";
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (strcmp(w, "--install-service") == 0)
            continue;
        if (strcmp(w, "--service-account") == 0 && i + 1 < argc) {
            i++; /* the account is the service's, not the command's */
            continue;
        }
        if (strncmp(w, "--service-account=", 18) == 0)
            continue;
        bool named = false;
        const char *eq = strchr(w, '=');
        size_t len = eq ? (size_t)(eq - w) : strlen(w);
        if (strncmp(w, "--", 2) != 0 || !takes_path(cmd->bit, w + 2, len - 2, &named)) {
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
    int rc = dci_os_service_install(name, display, args, n, a->service_account, why, sizeof why);
    if (rc == 0) {
        printf("dmsconn %s: the service %s is installed (starts at boot, as %s); start it "
               "now with: sc.exe start %s\n",
               cmd->name, name,
               a->service_account ? a->service_account : "NT AUTHORITY\\LocalService", name);
    } else {
        fprintf(stderr, "dmsconn %s: cannot install the service %s: %s\n", cmd->name, name, why);
        rc = DC_RUN_UNKNOWN;
    }
    free(args);
    free(copies);
    return rc;
}

struct service_run {
    int (*run)(struct cli_args *a);
    struct cli_args *a;
    int rc;
};

static void service_main(void *ud)
{
    struct service_run *sr = ud;
    sr->rc = sr->run(sr->a);
}

int cli_as_service(const struct cli_command *cmd, const char *name, int (*run)(struct cli_args *a),
                   struct cli_args *a)
{
    struct service_run sr = {.run = run, .a = a, .rc = 0};
    char why[256];
    if (!dci_os_service_run(name, service_main, &sr, why, sizeof why)) {
        fprintf(stderr, "dmsconn %s: --as-service: %s\n", cmd->name, why);
        return DC_RUN_UNKNOWN;
    }
    return sr.rc;
}
