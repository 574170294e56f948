/* How the agent answers: JSON, signed when it is a run's answer, every answer with this
 * machine's clock (X-Dmsconn-Clock), the connection guard told it was answered. */
#include "agent/agent_respond.h"
#include "agent/agent_guard.h"
#include "dmsconn/sign.h"
#include "base/portable.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Queues the JSON answer (taken: freed either way), with its signature when given. Every
 * answer says this machine's time (X-Dmsconn-Clock, milliseconds): a refusal too, so a node
 * whose clock is too far off to accept a signed request still has it measured. */
static enum MHD_Result respond_with(struct MHD_Connection *conn, unsigned status, char *json,
                                    const char *signature)
{
    if (!json)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(json);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(resp, "WWW-Authenticate", "DMSCONN-HMAC-SHA256");
    if (signature)
        MHD_add_response_header(resp, "X-Dmsconn-Signature", signature);
    char clock[32];
    snprintf(clock, sizeof clock, "%.3f", dci_wall_ms());
    MHD_add_response_header(resp, "X-Dmsconn-Clock", clock);
    dci_agent_guard_received(conn); /* answered: whatever is left of it is not read */
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

enum MHD_Result dci_agent_respond(struct MHD_Connection *conn, unsigned status, char *json)
{
    return respond_with(conn, status, json, NULL);
}

/* A 200 answer signed for the request's nonce (X-Dmsconn-Signature), so that the
 * coordinator knows an agent with the token made it for this very request. */
enum MHD_Result dci_agent_respond_signed(const char *token, struct MHD_Connection *conn,
                                         const char *nonce, char *json)
{
    char mac[65];
    if (!json || !dc_sign_response(token, nonce, json, strlen(json), mac)) {
        free(json);
        return MHD_NO;
    }
    return respond_with(conn, MHD_HTTP_OK, json, mac);
}

/* {"error": why} */
enum MHD_Result dci_agent_respond_error(struct MHD_Connection *conn, unsigned status,
                                        const char *why)
{
    /* a reason may quote the request (a node name, a check): printable ASCII only, never a
     * byte the request brought that is not valid text */
    char text[320];
    size_t n = 0;
    for (; why[n] && n + 1 < sizeof text; n++)
        text[n] = (why[n] >= 0x20 && why[n] < 0x7f) ? why[n] : '?';
    text[n] = '\0';
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", text);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return dci_agent_respond(conn, status, json);
}
