/* Small helpers over libyaml's document API: typed lookups whose errors name file:line. */
#ifndef DMSCONN_YAML_DOC_H
#define DMSCONN_YAML_DOC_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "dmsconn/error.h"

struct dci_yaml {
    yaml_document_t doc;
    const char *origin;
    bool loaded;
};

/* Loads the first document; an empty file is an error. */
int dci_yaml_load(struct dci_yaml *y, const char *data, size_t len, const char *origin,
                  struct dc_diag *diag);
void dci_yaml_free(struct dci_yaml *y);

yaml_node_t *dci_yaml_root(struct dci_yaml *y);
/* 1-based line of a node, for messages. */
unsigned long dci_yaml_line(const yaml_node_t *node);
/* The value of `key` in a mapping, or NULL. */
yaml_node_t *dci_yaml_get(struct dci_yaml *y, yaml_node_t *map, const char *key);
/* Fails (with diag) when the mapping has a key outside the NULL-terminated `allowed`. */
int dci_yaml_only_keys(struct dci_yaml *y, yaml_node_t *map, const char *const *allowed,
                       const char *what, struct dc_diag *diag);
/* The scalar's text, or NULL (diag) when the node is not a scalar. */
const char *dci_yaml_scalar(struct dci_yaml *y, yaml_node_t *node, const char *what,
                            struct dc_diag *diag);
int dci_yaml_port(struct dci_yaml *y, yaml_node_t *node, const char *what, uint16_t *out,
                  struct dc_diag *diag);
int dci_yaml_bool(struct dci_yaml *y, yaml_node_t *node, const char *what, bool *out,
                  struct dc_diag *diag);
/* A scalar or a sequence of scalars; calls fn for each. */
int dci_yaml_each_scalar(struct dci_yaml *y, yaml_node_t *node, const char *what,
                         int (*fn)(const char *value, yaml_node_t *at, void *ud), void *ud,
                         struct dc_diag *diag);
/* A role or a list of roles (model.c's names; "any" where allow_any) as a bit set. */
int dci_yaml_roles(struct dci_yaml *y, yaml_node_t *node, bool allow_any, uint32_t *out,
                   struct dc_diag *diag);
/* The i-th item of a sequence, or NULL past the end. */
yaml_node_t *dci_yaml_item(struct dci_yaml *y, yaml_node_t *seq, size_t i);

#endif
