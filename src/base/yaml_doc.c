/* Typed lookups over a libyaml document, with messages that name file and line. */
#include "yaml_doc.h"
#include "text_utf8.h"

#include "dmsconn/cluster.h"
#include "dmsconn/model.h"
#include "base/base_private.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* libyaml has no nesting limit, and its scanner slows down quadratically with the depth of
 * flow collections ("[[[[..."): 100,000 levels take minutes. Inventories and profiles are
 * flat, so anything nested deeper than this is refused before libyaml sees it. */
#define MAX_FLOW_DEPTH 64

static int precheck(const char *data, size_t len, const char *origin, struct dc_diag *diag)
{
    unsigned depth = 0;
    unsigned long line = 1;
    char quote = 0;
    bool comment = false;
    for (size_t i = 0; i < len; i++) {
        char ch = data[i];
        if (ch == '\n') {
            line++;
            comment = false;
            continue;
        }
        if (ch == '\0') {
            bool utf16 = dci_text_looks_utf16(data, len);
            dc_diag_set(diag, "%s:%lu: %s", origin, line,
                        utf16 ? "UTF-16 without a byte order mark: save it as UTF-8"
                              : "a NUL byte; expected YAML text");
            return DC_EPARSE;
        }
        if (comment)
            continue;
        if (quote) {
            if (ch == quote)
                quote = 0;
            else if (ch == '\\' && quote == '"' && i + 1 < len)
                i++;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '#') {
            comment = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > MAX_FLOW_DEPTH) {
                dc_diag_set(diag, "%s:%lu: nested deeper than %d levels; expected a flat file",
                            origin, line, MAX_FLOW_DEPTH);
                return DC_EPARSE;
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

int dci_yaml_load(struct dci_yaml *y, const char *data, size_t len, const char *origin,
                  struct dc_diag *diag)
{
    memset(y, 0, sizeof *y);
    y->origin = origin;
    int pre = precheck(data, len, origin, diag);
    if (pre)
        return pre;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return DC_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    int rc = 0;
    if (!yaml_parser_load(&parser, &y->doc)) {
        dc_diag_set(diag, "%s:%lu:%lu: %s%s%s; expected valid YAML", origin,
                    (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1,
                    parser.problem ? parser.problem : "malformed YAML", parser.context ? " " : "",
                    parser.context ? parser.context : "");
        rc = DC_EPARSE;
    } else {
        y->loaded = true;
        if (!yaml_document_get_root_node(&y->doc)) {
            dc_diag_set(diag, "%s: the file is empty; expected a YAML mapping", origin);
            rc = DC_EPARSE;
        }
    }
    yaml_parser_delete(&parser);
    return rc;
}

void dci_yaml_free(struct dci_yaml *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = false;
}

yaml_node_t *dci_yaml_root(struct dci_yaml *y)
{
    return yaml_document_get_root_node(&y->doc);
}

unsigned long dci_yaml_line(const yaml_node_t *node)
{
    return node ? (unsigned long)node->start_mark.line + 1 : 0;
}

yaml_node_t *dci_yaml_get(struct dci_yaml *y, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(&y->doc, p->value);
    }
    return NULL;
}

int dci_yaml_only_keys(struct dci_yaml *y, yaml_node_t *map, const char *const *allowed,
                       const char *what, struct dc_diag *diag)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
        const char *name =
            k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, name) == 0;
        if (!known) {
            char list[256] = "";
            for (const char *const *a = allowed; *a; a++) {
                strncat(list, *a, sizeof list - strlen(list) - 1);
                if (a[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            dc_diag_set(diag, "%s:%lu: unknown key '%s' in %s; expected one of: %s", y->origin,
                        dci_yaml_line(k), name, what, list);
            return DC_EPARSE;
        }
    }
    return 0;
}

const char *dci_yaml_scalar(struct dci_yaml *y, yaml_node_t *node, const char *what,
                            struct dc_diag *diag)
{
    if (!node || node->type != YAML_SCALAR_NODE) {
        dc_diag_set(diag, "%s:%lu: %s: expected a single value", y->origin, dci_yaml_line(node),
                    what);
        return NULL;
    }
    return (const char *)node->data.scalar.value;
}

int dci_yaml_port(struct dci_yaml *y, yaml_node_t *node, const char *what, uint16_t *out,
                  struct dc_diag *diag)
{
    const char *s = dci_yaml_scalar(y, node, what, diag);
    if (!s)
        return DC_EPARSE;
    if (!dc_port_parse(s, DC_TO_NUL, out)) {
        dc_diag_set(diag, "%s:%lu: %s '%s': expected a port number 1-65535", y->origin,
                    dci_yaml_line(node), what, s);
        return DC_EINVAL;
    }
    return 0;
}

int dci_yaml_bool(struct dci_yaml *y, yaml_node_t *node, const char *what, bool *out,
                  struct dc_diag *diag)
{
    const char *s = dci_yaml_scalar(y, node, what, diag);
    if (!s)
        return DC_EPARSE;
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0) {
        *out = true;
    } else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0) {
        *out = false;
    } else {
        dc_diag_set(diag, "%s:%lu: %s '%s': expected true or false", y->origin, dci_yaml_line(node),
                    what, s);
        return DC_EINVAL;
    }
    return 0;
}

struct roles_ctx {
    struct dci_yaml *y;
    struct dc_diag *diag;
    bool allow_any;
    uint32_t roles;
};

static int collect_role(const char *value, yaml_node_t *at, void *ud)
{
    struct roles_ctx *ctx = ud;
    uint32_t role;
    if (dci_role_parse(value, ctx->allow_any, &role)) {
        dc_diag_set(ctx->diag, "%s:%lu: unknown role '%s'; expected %s%s", ctx->y->origin,
                    dci_yaml_line(at), value, ctx->allow_any ? "any, " : "", DC_ROLE_NAMES);
        return DC_EINVAL;
    }
    ctx->roles |= role;
    return 0;
}

int dci_yaml_roles(struct dci_yaml *y, yaml_node_t *node, bool allow_any, uint32_t *out,
                   struct dc_diag *diag)
{
    struct roles_ctx ctx = {y, diag, allow_any, 0};
    int rc = dci_yaml_each_scalar(y, node, "roles", collect_role, &ctx, diag);
    *out = ctx.roles;
    return rc;
}

yaml_node_t *dci_yaml_item(struct dci_yaml *y, yaml_node_t *seq, size_t i)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return NULL;
    yaml_node_item_t *it = seq->data.sequence.items.start + i;
    if (it >= seq->data.sequence.items.top)
        return NULL;
    return yaml_document_get_node(&y->doc, *it);
}

int dci_yaml_each_scalar(struct dci_yaml *y, yaml_node_t *node, const char *what,
                         int (*fn)(const char *value, yaml_node_t *at, void *ud), void *ud,
                         struct dc_diag *diag)
{
    if (node && node->type == YAML_SCALAR_NODE)
        return fn((const char *)node->data.scalar.value, node, ud);
    if (!node || node->type != YAML_SEQUENCE_NODE) {
        dc_diag_set(diag, "%s:%lu: %s: expected a value or a list [a, b]", y->origin,
                    dci_yaml_line(node), what);
        return DC_EPARSE;
    }
    yaml_node_t *item;
    for (size_t i = 0; (item = dci_yaml_item(y, node, i)) != NULL; i++) {
        const char *s = dci_yaml_scalar(y, item, what, diag);
        if (!s)
            return DC_EPARSE;
        int rc = fn(s, item, ud);
        if (rc)
            return rc;
    }
    return 0;
}
