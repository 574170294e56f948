/* libcurl's multi interface on a libuv loop: curl says which sockets to watch and when to
 * wake it (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION); uv_poll and uv_timer do it. */
#include "curl_uv.h"
#include "queue.h"

#include <stdbool.h>
#include <stdlib.h>

#include "dmsconn/error.h"

struct dci_curl_uv {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    int open_handles; /* the timer and every poll handle, until their close callbacks */
    bool closing;
    struct dci_queue transfers; /* running, for abort (curl 7.88 cannot list them) */
};

/* One watched socket. */
struct watch {
    uv_poll_t poll;
    curl_socket_t fd;
    struct dci_curl_uv *cu;
};

/* Per transfer, kept in CURLOPT_PRIVATE. */
struct transfer {
    CURL *easy;
    dc_curl_done_fn done;
    void *ud;
    struct dci_queue node; /* in transfers */
};

static void release(struct dci_curl_uv *cu)
{
    if (--cu->open_handles == 0 && cu->closing) {
        curl_multi_cleanup(cu->multi);
        free(cu);
    }
}

static void on_handle_closed(uv_handle_t *handle)
{
    struct dci_curl_uv *cu;
    if (handle->type == UV_POLL) {
        struct watch *w = handle->data; /* a poll's data is its watch; the timer's is cu */
        cu = w->cu;
        free(w);
    } else {
        cu = handle->data;
    }
    release(cu);
}

static void finish(struct dci_curl_uv *cu, CURL *easy, CURLcode result)
{
    struct transfer *t = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
    curl_multi_remove_handle(cu->multi, easy);
    dci_queue_remove(&t->node);
    dc_curl_done_fn done = t->done;
    void *ud = t->ud;
    free(t);
    done(easy, result, ud);
}

static void drain(struct dci_curl_uv *cu)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(cu->multi, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE)
            finish(cu, msg->easy_handle, msg->data.result);
    }
}

static void on_poll(uv_poll_t *poll, int status, int events)
{
    struct watch *w = poll->data;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    int running;
    curl_multi_socket_action(w->cu->multi, w->fd, flags, &running);
    drain(w->cu);
}

static void on_timeout(uv_timer_t *timer)
{
    struct dci_curl_uv *cu = timer->data;
    int running;
    curl_multi_socket_action(cu->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain(cu);
}

static int on_timer_change(CURLM *multi, long timeout_ms, void *userp)
{
    struct dci_curl_uv *cu = userp;
    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&cu->timer);
    else
        uv_timer_start(&cu->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct dci_curl_uv *cu = userp;
    struct watch *w = socketp;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (w) {
            uv_poll_stop(&w->poll);
            curl_multi_assign(cu->multi, fd, NULL);
            uv_close((uv_handle_t *)&w->poll, on_handle_closed);
        }
        return 0;
    }
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w || uv_poll_init_socket(cu->loop, &w->poll, fd) != 0) {
            free(w);
            return -1;
        }
        w->fd = fd;
        w->cu = cu;
        w->poll.data = w;
        cu->open_handles++;
        curl_multi_assign(cu->multi, fd, w);
    }
    int events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= UV_WRITABLE;
    /* a watch that cannot start leaves curl waiting for nothing: its timer still ends the
     * transfer at the deadline, so the failure is the transfer's, not a hang */
    return uv_poll_start(&w->poll, events, on_poll) == 0 ? 0 : -1;
}

int dci_curl_uv_new(uv_loop_t *loop, struct dci_curl_uv **out)
{
    struct dci_curl_uv *cu = calloc(1, sizeof *cu);
    if (!cu)
        return DC_ENOMEM;
    cu->loop = loop;
    dci_queue_init(&cu->transfers);
    cu->multi = curl_multi_init();
    if (!cu->multi) {
        free(cu);
        return DC_ENOMEM;
    }
    bool ok = uv_timer_init(loop, &cu->timer) == 0;
    if (!ok) {
        curl_multi_cleanup(cu->multi);
        free(cu);
        return DC_EIO;
    }
    cu->timer.data = cu;
    cu->open_handles = 1;
    ok = ok && curl_multi_setopt(cu->multi, CURLMOPT_SOCKETFUNCTION, on_socket) == CURLM_OK;
    ok = ok && curl_multi_setopt(cu->multi, CURLMOPT_SOCKETDATA, cu) == CURLM_OK;
    ok = ok && curl_multi_setopt(cu->multi, CURLMOPT_TIMERFUNCTION, on_timer_change) == CURLM_OK;
    ok = ok && curl_multi_setopt(cu->multi, CURLMOPT_TIMERDATA, cu) == CURLM_OK;
    if (!ok) { /* without its callbacks the multi handle would never run a transfer */
        dci_curl_uv_close(cu);
        return DC_EIO;
    }
    *out = cu;
    return 0;
}

int dci_curl_uv_add(struct dci_curl_uv *cu, CURL *easy, dc_curl_done_fn done, void *ud)
{
    struct transfer *t = malloc(sizeof *t);
    if (!t)
        return DC_ENOMEM;
    *t = (struct transfer){.easy = easy, .done = done, .ud = ud};
    if (curl_easy_setopt(easy, CURLOPT_PRIVATE, t) != CURLE_OK ||
        curl_multi_add_handle(cu->multi, easy) != CURLM_OK) {
        free(t);
        return DC_EIO;
    }
    dci_queue_insert_tail(&cu->transfers, &t->node);
    return 0;
}

void dci_curl_uv_abort(struct dci_curl_uv *cu)
{
    while (!dci_queue_empty(&cu->transfers))
        finish(cu, DCI_QUEUE_DATA(cu->transfers.next, struct transfer, node)->easy,
               CURLE_ABORTED_BY_CALLBACK);
}

void dci_curl_uv_close(struct dci_curl_uv *cu)
{
    if (!cu)
        return;
    dci_curl_uv_abort(cu);
    cu->closing = true;
    uv_timer_stop(&cu->timer);
    uv_close((uv_handle_t *)&cu->timer, on_handle_closed);
}

struct curl_slist *dci_curl_header(struct curl_slist *list, const char *header)
{
    struct curl_slist *more = curl_slist_append(list, header);
    if (!more)
        curl_slist_free_all(list);
    return more;
}
