/* The model every module shares (docs/architecture.md): the node list, what is checked, what
 * was found. Each part has its own header; this one is all three. */
#ifndef DMSCONN_MODEL_H
#define DMSCONN_MODEL_H

#include "dmsconn/check.h"
#include "dmsconn/node.h"
#include "dmsconn/result.h"

#endif
