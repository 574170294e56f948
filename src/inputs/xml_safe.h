/* Safe XML parsing for DataMiner's files: no network, no external entities, no DTD loading;
 * element and attribute names compared by local name, case-insensitively. */
#ifndef DMSCONN_XML_SAFE_H
#define DMSCONN_XML_SAFE_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "dmsconn/error.h"

/* Parses `data`; on failure diag names origin, line and libxml2's reason. */
int dci_xml_parse(const char *data, size_t len, const char *origin, xmlDoc **out,
                  struct dc_diag *diag);
/* dci_xml_parse, then the root element must be `root_name` (diag says what it found). */
int dci_xml_parse_root(const char *data, size_t len, const char *origin, const char *root_name,
                       xmlDoc **doc, const xmlNode **root, struct dc_diag *diag);
bool dci_xml_is(const xmlNode *node, const char *local_name);
/* The attribute's value (caller frees with xmlFree), or NULL. */
char *dci_xml_attr(const xmlNode *node, const char *name);
/* The first child element with this name, or NULL (parent may be NULL). */
const xmlNode *dci_xml_child(const xmlNode *parent, const char *name);
/* The trimmed text content of the first child element with this name (caller frees with
 * free()), or NULL. */
char *dci_xml_child_text(const xmlNode *node, const char *name);
bool dci_xml_true(const char *value);

#endif
