/* Pre-flight: before a service is installed, listen briefly on a port the profile requires
 * so the path through the firewalls can be proven in advance (like DataMiner's own
 * VerifyClusterPorts). The kernel completes handshakes on a listening socket, so nothing
 * needs to accept: a connect that succeeds proves the path. */
#ifndef DMSCONN_PREFLIGHT_H
#define DMSCONN_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>

#define DC_PREFLIGHT_MAX_PORTS 64
#define DC_PREFLIGHT_MAX_HOLD_S 120.0

struct dc_preflight {
    intptr_t socks[DC_PREFLIGHT_MAX_PORTS];  /* the listeners (a socket of the platform) */
    uint16_t opened[DC_PREFLIGHT_MAX_PORTS]; /* listening now */
    size_t nopened;
    uint16_t in_use[DC_PREFLIGHT_MAX_PORTS]; /* something listens already: no need */
    size_t nin_use;
};

#endif
