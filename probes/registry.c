/* The one table of probes, from probe_list.h: adding a protocol is its file plus its line
 * there. */
#include "dmsconn/probe.h"
#include "probe_list.h"
#include "probes/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DCI_PROBE_ENTRY(name) &dci_probe_##name,
const struct dc_probe_ops *const dc_probes[] = {DCI_PROBE_LIST(DCI_PROBE_ENTRY) NULL};
#undef DCI_PROBE_ENTRY

const struct dc_probe_ops *dc_probe_find(const char *name)
{
    for (const struct dc_probe_ops *const *p = dc_probes; *p; p++) {
        if (strcmp((*p)->name, name) == 0)
            return *p;
    }
    return NULL;
}

/* Appends ", " (unless first) and text to *buf (grown as needed); false when out of memory. */
static bool append(char **buf, size_t *len, size_t *cap, const char *text)
{
    size_t need = *len + 2 + strlen(text) + 1;
    if (need > *cap) {
        size_t grown = need * 2;
        char *bigger = realloc(*buf, grown);
        if (!bigger)
            return false;
        *buf = bigger;
        *cap = grown;
    }
    *len += (size_t)sprintf(*buf + *len, "%s%s", *len ? ", " : "", text);
    return true;
}

char *dc_probe_names(void)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (const struct dc_probe_ops *const *p = dc_probes; *p; p++) {
        if (!append(&buf, &len, &cap, (*p)->name)) {
            free(buf);
            return NULL;
        }
    }
    return buf ? buf : calloc(1, 1);
}

const struct dc_probe_ops *dc_probe_with_secret(const char *name)
{
    for (size_t i = 0; name && dc_probes[i]; i++) {
        if (dc_probes[i]->proto->secret && strcmp(dc_probes[i]->proto->secret, name) == 0)
            return dc_probes[i];
    }
    return NULL;
}

char *dc_probe_secret_names(void)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (size_t i = 0; dc_probes[i]; i++) {
        const struct dc_probe_ops *p = dc_probes[i];
        if (!p->proto->secret || dc_probe_with_secret(p->proto->secret) != p)
            continue; /* each name once */
        char one[256];
        snprintf(one, sizeof one, "%s (%s)", p->proto->secret,
                 p->proto->secret_form ? p->proto->secret_form : "a secret");
        if (!append(&buf, &len, &cap, one)) {
            free(buf);
            return NULL;
        }
    }
    return buf ? buf : calloc(1, 1);
}

const char *dc_probe_secret_name(const struct dc_probe_ops *probe)
{
    return probe->proto->secret;
}

bool dc_probe_secret_is_file(const struct dc_probe_ops *probe)
{
    return probe->proto->secret_lines;
}

const char *dc_probe_secret_check(const struct dc_probe_ops *probe, const char *text)
{
    return probe->proto->secret_check ? probe->proto->secret_check(text) : NULL;
}
