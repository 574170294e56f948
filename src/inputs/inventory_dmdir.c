/* A DataMiner folder (C:\Skyline DataMiner on an Agent, or a copy), read as DataMiner's own
 * VerifyClusterPorts does: the DMAs from Configurations/ClusterEndpoints.json when it exists,
 * else from DMS.xml; then the files that say how the cluster works, then the databases.
 * Missing files are normal (a note lists what was read); a malformed one is an error. */
#include "dmsconn/inventory.h"
#include "base/base_private.h"
#include "inputs/inputs_private.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef int (*parse_fn)(struct dc_cluster *, const char *, size_t, const char *, struct dc_diag *);

/* Finds `rel` ("Files/SLNet.exe.config") under dir, each part compared without case: a copy
 * of a Windows folder keeps whatever case the admin's tool gave it. */
static bool find_ci(const char *dir, const char *rel, char *out, size_t cap)
{
    char at[4096];
    snprintf(at, sizeof at, "%s", dir);
    char part[256];
    const char *p = rel;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 0 || n >= sizeof part)
            return false;
        memcpy(part, p, n);
        part[n] = '\0';
        p += n + (p[n] == '/');
        DIR *d = opendir(at);
        if (!d)
            return false;
        bool found = false;
        for (struct dirent *e = readdir(d); e && !found; e = readdir(d)) {
            if (strcasecmp(e->d_name, part) == 0) {
                size_t len = strlen(at);
                snprintf(at + len, sizeof at - len, "/%s", e->d_name);
                found = true;
            }
        }
        closedir(d);
        if (!found)
            return false;
    }
    struct stat st;
    if (stat(at, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    snprintf(out, cap, "%s", at);
    return true;
}

struct reading {
    struct dc_cluster *cluster;
    const char *dir;
    char read[1024]; /* "DMS.xml, DB.xml" for the note */
    struct dc_diag *diag;
};

/* Reads one file when it is there; *present says whether it was. */
static int read_one(struct reading *r, const char *rel, parse_fn parse, bool *present)
{
    char path[4096];
    *present = find_ci(r->dir, rel, path, sizeof path);
    if (!*present)
        return 0;
    char *data = NULL;
    size_t len = 0;
    /* libxml2 detects the XML files' encodings itself; JSON and text need UTF-8 */
    bool text = strstr(rel, ".json") || strstr(rel, ".txt");
    int rc = text ? dci_read_text_file(path, &data, &len, r->diag)
                  : dc_read_file(path, &data, &len, r->diag);
    if (!rc)
        rc = parse(r->cluster, data, len, path, r->diag);
    free(data);
    size_t used = strlen(r->read);
    snprintf(r->read + used, sizeof r->read - used, "%s%s", used ? ", " : "", rel);
    return rc;
}

int dc_inventory_read_dataminer_dir(struct dc_cluster *cluster, const char *dir,
                                    struct dc_diag *diag)
{
    struct stat st;
    bool exists = stat(dir, &st) == 0;
    if (!exists || !S_ISDIR(st.st_mode)) {
        dc_diag_set(diag, "--dataminer-dir %s: %s; expected DataMiner's folder (or a copy)", dir,
                    exists            ? "not a directory"
                    : errno == ENOENT ? "no such directory"
                                      : strerror(errno));
        return DC_EIO;
    }
    struct reading r = {.cluster = cluster, .dir = dir, .diag = diag};
    bool endpoints = false, dms = false, present = false;
    int rc = read_one(&r, "Configurations/ClusterEndpoints.json", dc_inventory_parse_endpoints,
                      &endpoints);
    if (!rc && endpoints) {
        cluster->gen.broker_gateway = true;
        cluster->gen.nats_auth = true; /* BrokerGateway hands out NATS credentials */
        rc = dci_set_text(&cluster->gen.nats_from, "Configurations/ClusterEndpoints.json present");
    }
    if (!rc)
        rc = read_one(&r, "DMS.xml",
                      endpoints ? dci_inventory_parse_dmsxml_redirects : dc_inventory_parse_dmsxml,
                      &dms);
    if (!rc && !endpoints && !dms) {
        dc_diag_set(diag,
                    "--dataminer-dir %s: neither Configurations/ClusterEndpoints.json nor DMS.xml; "
                    "expected DataMiner's folder (C:\\Skyline DataMiner) or a copy of it",
                    dir);
        return DC_ENOTFOUND;
    }
    static const struct {
        const char *rel;
        parse_fn parse;
    } settings[] = {
        {"MaintenanceSettings.xml", dc_inventory_parse_maintenance},
        {"Files/SLNet.exe.config", dc_inventory_parse_slnet_config},
        {"Webpages/ConnectionSettings.txt", dc_inventory_parse_connection_settings},
        {"SLCloud.xml", dc_inventory_parse_slcloud},
        {"DataMiner.xml", dc_inventory_parse_dataminer_xml},
        /* before DB.xml: when present, its search clusters replace DB.xml's */
        {"Database/DBConfiguration.xml", dc_inventory_parse_dbconfig},
        {"DB.xml", dc_inventory_parse_dbxml},
    };
    for (size_t i = 0; !rc && i < sizeof settings / sizeof settings[0]; i++)
        rc = read_one(&r, settings[i].rel, settings[i].parse, &present);
    if (!rc)
        rc = dc_cluster_add_note(cluster, "read from %s: %s", dir, r.read);
    cluster->upgrade_known = true; /* every file VerifyGRPCConnection reads was looked for */
    if (!rc && cluster->nupgrade == 0)
        rc = dc_cluster_add_note(cluster,
                                 "%s: VerifyGRPCConnection (the upgrade prerequisite of "
                                 "10.5.10/10.6.0) finds no setting to refuse in its files "
                                 "(its other half: every DMA reaching every other on HTTPS "
                                 "443, the slnet-grpc checks)",
                                 dir);
    return rc;
}
