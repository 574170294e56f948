/* One --node NAME=ADDR[:role,role] flag; IPv6 in brackets when roles follow. */
#include "dmsconn/inventory.h"
#include "base/base_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dc_inventory_add_flag(struct dc_cluster *cluster, const char *spec, struct dc_diag *diag)
{
    int rc = 0;
    char *copy = strdup(spec);
    if (!copy)
        return DC_ENOMEM;
    char *eq = strchr(copy, '=');
    if (!eq || eq == copy || !eq[1]) {
        dc_diag_set(diag, "--node '%s': expected NAME=ADDRESS[:role,role]", spec);
        rc = DC_EPARSE;
        goto out;
    }
    *eq = '\0';
    char *address = eq + 1;
    char *roles = NULL;
    if (*address == '[') {
        char *close = strchr(address, ']');
        if (!close || (close[1] && close[1] != ':')) {
            dc_diag_set(diag, "--node '%s': expected [IPv6]:roles", spec);
            rc = DC_EPARSE;
            goto out;
        }
        *close = '\0';
        roles = close[1] ? close + 2 : NULL;
        address++;
    } else {
        /* Several ':' without brackets is a bare IPv6 address (no roles). */
        char *colon = strchr(address, ':');
        if (colon && !strchr(colon + 1, ':')) {
            *colon = '\0';
            roles = colon + 1;
        }
    }
    if (!dc_address_valid(address)) {
        dc_diag_set(diag,
                    "--node '%s': address '%s': expected an IPv4 or IPv6 address or a "
                    "hostname",
                    spec, address);
        rc = DC_EINVAL;
        goto out;
    }
    uint32_t set = 0;
    char *save = NULL;
    for (char *r = roles ? strtok_r(roles, ",", &save) : NULL; r; r = strtok_r(NULL, ",", &save)) {
        uint32_t bit;
        if (dci_role_parse(r, false, &bit)) {
            dc_diag_set(diag, "--node '%s': unknown role '%s'; expected " DC_ROLE_NAMES, spec, r);
            rc = DC_EINVAL;
            goto out;
        }
        set |= bit;
    }
    if (set == 0)
        set = DC_ROLE_DMA; /* most nodes of a DMS are DMAs */
    char where[300];
    snprintf(where, sizeof where, "--node %s", spec);
    rc = dc_cluster_add(cluster, copy, address, set, where, diag);
out:
    free(copy);
    return rc;
}
