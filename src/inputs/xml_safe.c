/* Safe XML parsing (see xml_safe.h): DataMiner's files are read, never trusted. */
#include "xml_safe.h"
#include "base/portable.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Refuses every external entity and DTD, whatever the document asks for (XXE). */
static xmlParserInputPtr refuse_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int dci_xml_parse(const char *data, size_t len, const char *origin, xmlDoc **out,
                  struct dc_diag *diag)
{
    int rc = 0;
    if (len == 0) {
        dc_diag_set(diag, "%s: the file is empty; expected an XML document", origin);
        return DC_EPARSE;
    }
    if (len > INT32_MAX) {
        dc_diag_set(diag, "%s: too large", origin);
        return DC_EINVAL;
    }
    xmlSetExternalEntityLoader(refuse_external);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return DC_ENOMEM;
    xmlSetGenericErrorFunc(NULL, quiet);
    /* No NOENT (entities stay unexpanded), no DTDLOAD, no network; HUGE stays off so
     * libxml2's limits against entity expansion apply. */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, data, (int)len, origin, NULL, options);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *err = xmlCtxtGetLastError(ctxt);
        char reason[200] = "not well-formed XML";
        if (err && err->message) {
            snprintf(reason, sizeof reason, "%s", err->message);
            size_t n = strlen(reason);
            while (n > 0 && isspace((unsigned char)reason[n - 1]))
                reason[--n] = '\0';
        }
        dc_diag_set(diag, "%s:%d: %s; expected well-formed XML", origin, err ? err->line : 0,
                    reason);
        xmlFreeDoc(doc);
        rc = DC_EPARSE;
        goto out;
    }
    if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) {
        /* DataMiner never writes entity declarations: a file with them is hostile or broken. */
        dc_diag_set(diag, "%s: the document declares entities; expected none in a DataMiner file",
                    origin);
        xmlFreeDoc(doc);
        rc = DC_EPARSE;
        goto out;
    }
    *out = doc;
out:
    xmlFreeParserCtxt(ctxt);
    return rc;
}

int dci_xml_parse_root(const char *data, size_t len, const char *origin, const char *root_name,
                       xmlDoc **doc, const xmlNode **root, struct dc_diag *diag)
{
    int rc = dci_xml_parse(data, len, origin, doc, diag);
    if (rc)
        return rc;
    *root = xmlDocGetRootElement(*doc);
    if (!dci_xml_is(*root, root_name)) {
        dc_diag_set(diag, "%s:%ld: root element <%s>; expected <%s>", origin,
                    *root ? xmlGetLineNo(*root) : 0L, *root ? (const char *)(*root)->name : "",
                    root_name);
        xmlFreeDoc(*doc);
        *doc = NULL;
        return DC_EPARSE;
    }
    return 0;
}

bool dci_xml_is(const xmlNode *node, const char *local_name)
{
    return node && node->type == XML_ELEMENT_NODE &&
           strcasecmp((const char *)node->name, local_name) == 0;
}

char *dci_xml_attr(const xmlNode *node, const char *name)
{
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (strcasecmp((const char *)a->name, name) == 0)
            return (char *)xmlNodeGetContent((const xmlNode *)a);
    }
    return NULL;
}

static char *trimmed_copy(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return dci_strndup(s, n);
}

const xmlNode *dci_xml_child(const xmlNode *parent, const char *name)
{
    for (const xmlNode *c = parent ? parent->children : NULL; c; c = c->next) {
        if (dci_xml_is(c, name))
            return c;
    }
    return NULL;
}

char *dci_xml_child_text(const xmlNode *node, const char *name)
{
    const xmlNode *c = dci_xml_child(node, name);
    if (!c)
        return NULL;
    xmlChar *text = xmlNodeGetContent(c);
    char *copy = trimmed_copy(text ? (const char *)text : "");
    xmlFree(text);
    return copy;
}

bool dci_xml_true(const char *value)
{
    return value && strcasecmp(value, "true") == 0;
}
