/* libcurl's multi interface driven by a libuv loop (socket and timer callbacks), so HTTP
 * transfers share the loop with every other probe. One instance per loop. */
#ifndef DMSCONN_CURL_UV_H
#define DMSCONN_CURL_UV_H

#include <curl/curl.h>
#include <uv.h>

struct dci_curl_uv;

/* Called once per transfer, on the loop thread, after the easy handle left the multi
 * handle (the callee owns `easy` again). */
typedef void (*dc_curl_done_fn)(CURL *easy, CURLcode result, void *ud);

int dci_curl_uv_new(uv_loop_t *loop, struct dci_curl_uv **out);
/* Starts a transfer; `done` fires exactly once unless this fails. */
int dci_curl_uv_add(struct dci_curl_uv *cu, CURL *easy, dc_curl_done_fn done, void *ud);
/* Ends every transfer still running: `done` fires for each with CURLE_ABORTED_BY_CALLBACK. */
void dci_curl_uv_abort(struct dci_curl_uv *cu);
/* Closes the loop handles; the memory goes once libuv has closed them. Call after abort or
 * when no transfer is left. */
void dci_curl_uv_close(struct dci_curl_uv *cu);

/* Appends a header; on failure frees the whole list and returns NULL (curl_slist_append
 * keeps the old list then, which every caller here would leak). */
struct curl_slist *dci_curl_header(struct curl_slist *list, const char *header);

#endif
