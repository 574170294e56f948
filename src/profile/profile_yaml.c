/* A YAML profile file: replaces, adds or removes checks of a base profile. */
#include "dmsconn/inventory.h"
#include "dmsconn/probe.h"
#include "dmsconn/profile.h"
#include "base/yaml_doc.h"
#include "base/base_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_roles(struct dci_yaml *y, yaml_node_t *item, const char *key, uint32_t *out,
                      struct dc_diag *diag)
{
    yaml_node_t *node = dci_yaml_get(y, item, key);
    if (!node) {
        dc_diag_set(diag, "%s:%lu: a check without '%s'; expected %s: [ROLE, ...] or [any]",
                    y->origin, dci_yaml_line(item), key, key);
        return DC_EPARSE;
    }
    return dci_yaml_roles(y, node, true, out, diag);
}

/* Reads an optional enumerated value with its parser; `def` stays when the key is absent. */
static int read_enum(struct dci_yaml *y, yaml_node_t *item, const char *key,
                     int (*parse)(const char *, void *), void *out, const char *expected,
                     struct dc_diag *diag)
{
    yaml_node_t *node = dci_yaml_get(y, item, key);
    if (!node)
        return 0;
    const char *s = dci_yaml_scalar(y, node, key, diag);
    if (!s)
        return DC_EPARSE;
    if (parse(s, out)) {
        dc_diag_set(diag, "%s:%lu: %s '%s': expected %s", y->origin, dci_yaml_line(node), key, s,
                    expected);
        return DC_EINVAL;
    }
    return 0;
}

static int parse_expect(const char *s, void *out)
{
    return dci_expect_parse(s, out);
}
static int parse_when(const char *s, void *out)
{
    return dci_when_parse(s, out);
}
static int parse_pairs(const char *s, void *out)
{
    return dci_pairs_parse(s, out);
}

static int parse_family(const char *s, void *out)
{
    return dci_family_parse(s, out);
}

static int parse_transport(const char *s, void *out)
{
    enum dc_transport *t = out;
    if (strcmp(s, "tcp") == 0)
        *t = DC_TRANSPORT_TCP;
    else if (strcmp(s, "udp") == 0)
        *t = DC_TRANSPORT_UDP;
    else if (strcmp(s, "icmp") == 0)
        *t = DC_TRANSPORT_ICMP;
    else
        return DC_EINVAL;
    return 0;
}

static int read_check(struct dc_profile *profile, struct dci_yaml *y, yaml_node_t *item,
                      struct dc_diag *diag)
{
    static const char *const keys[] = {"name",   "service", "probe",  "port", "transport",
                                       "from",   "to",      "expect", "when", "pairs",
                                       "family", "enabled", NULL};
    unsigned long line = dci_yaml_line(item);
    if (item->type != YAML_MAPPING_NODE) {
        dc_diag_set(diag, "%s:%lu: a check: expected a mapping with probe, port, from, to",
                    y->origin, line);
        return DC_EPARSE;
    }
    int rc = dci_yaml_only_keys(y, item, keys, "a check", diag);
    if (rc)
        return rc;
    char derived_name[64];
    const char *name = NULL;
    yaml_node_t *name_node = dci_yaml_get(y, item, "name");
    if (name_node && !(name = dci_yaml_scalar(y, name_node, "name", diag)))
        return DC_EPARSE;
    if (name && strlen(name) > DC_CHECK_NAME_MAX) {
        dc_diag_set(diag, "%s:%lu: a check name of at most %d characters was expected", y->origin,
                    line, DC_CHECK_NAME_MAX);
        return DC_EPARSE;
    }

    bool enabled = true;
    yaml_node_t *enabled_node = dci_yaml_get(y, item, "enabled");
    if (enabled_node && (rc = dci_yaml_bool(y, enabled_node, "enabled", &enabled, diag)))
        return rc;
    if (!enabled) {
        if (!name) {
            dc_diag_set(diag, "%s:%lu: 'enabled: false' needs the 'name' of the check to remove",
                        y->origin, line);
            return DC_EPARSE;
        }
        if (dc_profile_remove(profile, name)) {
            dc_diag_set(diag, "%s:%lu: no check named '%s' to disable in profile '%s'", y->origin,
                        line, name, profile->name);
            return DC_ENOTFOUND;
        }
        return 0;
    }

    struct dc_check c = {.transport = DC_TRANSPORT_TCP, .expect = DC_EXPECT_REQUIRED};
    yaml_node_t *probe = dci_yaml_get(y, item, "probe");
    const char *probe_name = probe ? dci_yaml_scalar(y, probe, "probe", diag) : NULL;
    if (!probe_name) {
        dc_diag_set(diag, "%s:%lu: a check without 'probe'; expected probe: NAME", y->origin, line);
        return DC_EPARSE;
    }
    c.probe = dc_probe_find(probe_name);
    if (!c.probe) {
        char *names = dc_probe_names();
        dc_diag_set(diag, "%s:%lu: unknown probe '%s'; expected one of: %s", y->origin,
                    dci_yaml_line(probe), probe_name, names ? names : "(out of memory)");
        free(names);
        return DC_EINVAL;
    }
    c.transport = c.probe->transport; /* unless the check says */
    yaml_node_t *port = dci_yaml_get(y, item, "port");
    if (c.probe->transport == DC_TRANSPORT_ICMP && port) {
        dc_diag_set(diag, "%s:%lu: probe '%s' has no port (ICMP); expected no 'port'", y->origin,
                    dci_yaml_line(port), c.probe->name);
        return DC_EINVAL;
    }
    if (!port && c.probe->transport != DC_TRANSPORT_ICMP) {
        dc_diag_set(diag, "%s:%lu: a check without 'port'; expected port: 1-65535", y->origin,
                    line);
        return DC_EPARSE;
    }
    rc = port ? dci_yaml_port(y, port, "port", &c.port, diag) : 0;
    if (!rc)
        rc = read_roles(y, item, "from", &c.from_roles, diag);
    if (!rc)
        rc = read_roles(y, item, "to", &c.to_roles, diag);
    if (!rc)
        rc = read_enum(y, item, "expect", parse_expect, &c.expect,
                       "required, optional, must_be_closed, unused or advisory", diag);
    if (!rc)
        rc = read_enum(y, item, "when", parse_when, &c.when,
                       "always, remoting, grpc, cassandra-plain or cassandra-tls", diag);
    if (!rc)
        rc = read_enum(y, item, "pairs", parse_pairs, &c.pairs, "others, all or self", diag);
    if (!rc)
        rc = read_enum(y, item, "transport", parse_transport, &c.transport, "tcp, udp or icmp",
                       diag);
    c.family = c.probe->family; /* unless the check says */
    if (!rc)
        rc = read_enum(y, item, "family", parse_family, &c.family,
                       "slnet, nats, cassandra, opensearch or other", diag);
    if (rc)
        return rc;
    if (c.transport != c.probe->transport) {
        dc_diag_set(diag, "%s:%lu: probe '%s' speaks %s; expected transport: %s", y->origin, line,
                    c.probe->name, dc_transport_name(c.probe->transport),
                    dc_transport_name(c.probe->transport));
        return DC_EINVAL;
    }
    yaml_node_t *service = dci_yaml_get(y, item, "service");
    if (service && !(c.service = (char *)dci_yaml_scalar(y, service, "service", diag)))
        return DC_EPARSE;
    if (!name) {
        if (c.transport == DC_TRANSPORT_ICMP)
            snprintf(derived_name, sizeof derived_name, "%s", c.probe->name);
        else
            snprintf(derived_name, sizeof derived_name, "%s-%u", c.probe->name, c.port);
        name = derived_name;
    }
    c.name = (char *)name;
    return dc_profile_put(profile, &c);
}

int dc_profile_apply_yaml(struct dc_profile *profile, const char *data, size_t len,
                          const char *origin, struct dc_diag *diag)
{
    static const char *const keys[] = {"name", "base", "checks", NULL};
    struct dci_yaml y;
    int rc = dci_yaml_load(&y, data, len, origin, diag);
    if (rc)
        goto out;
    yaml_node_t *root = dci_yaml_root(&y);
    if (root->type != YAML_MAPPING_NODE) {
        dc_diag_set(diag, "%s:%lu: expected a mapping with 'checks'", origin, dci_yaml_line(root));
        rc = DC_EPARSE;
        goto out;
    }
    if ((rc = dci_yaml_only_keys(&y, root, keys, "the profile", diag)))
        goto out;
    yaml_node_t *base = dci_yaml_get(&y, root, "base");
    if (base) {
        const char *s = dci_yaml_scalar(&y, base, "base", diag);
        if (!s || (strcmp(s, "dataminer") != 0 && strcmp(s, "none") != 0)) {
            dc_diag_set(diag, "%s:%lu: base '%s': expected dataminer or none", origin,
                        dci_yaml_line(base), s ? s : "");
            rc = DC_EINVAL;
            goto out;
        }
        if (strcmp(s, "none") == 0) {
            while (profile->nchecks > 0)
                dc_profile_remove(profile, profile->checks[0].name);
        }
    }
    yaml_node_t *name = dci_yaml_get(&y, root, "name");
    if (name) {
        const char *s = dci_yaml_scalar(&y, name, "name", diag);
        char *copy = s ? strdup(s) : NULL;
        if (!copy) {
            rc = s ? DC_ENOMEM : DC_EPARSE;
            goto out;
        }
        free(profile->name);
        profile->name = copy;
    }
    yaml_node_t *checks = dci_yaml_get(&y, root, "checks");
    if (!checks || checks->type != YAML_SEQUENCE_NODE) {
        dc_diag_set(diag, "%s:%lu: expected 'checks:' with a list of checks", origin,
                    dci_yaml_line(checks ? checks : root));
        rc = DC_EPARSE;
        goto out;
    }
    yaml_node_t *item;
    for (size_t i = 0; !rc && (item = dci_yaml_item(&y, checks, i)) != NULL; i++)
        rc = read_check(profile, &y, item, diag);
    if (!rc && profile->nchecks == 0) {
        dc_diag_set(diag, "%s: the profile has no checks left; expected at least one", origin);
        rc = DC_EINVAL;
    }
out:
    dci_yaml_free(&y);
    return rc;
}

int dc_profile_read_yaml(struct dc_profile *profile, const char *path, struct dc_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc = dci_read_text_file(path, &data, &len, diag); /* UTF-16 from Windows too */
    if (!rc)
        rc = dc_profile_apply_yaml(profile, data, len, path, diag);
    free(data);
    return rc;
}
