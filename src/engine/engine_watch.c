/* Continuous mode's rounds (dmsconn/watch.h): the stop signals blocked and waited for by a
 * thread of their own (dci_os_stop_wait, as the agent waits for its stop), which fires the
 * rounds' stopper and wakes the wait between rounds; the rounds themselves on the calling
 * thread. */
#include "dmsconn/watch.h"

#include "base/os.h"
#include "dmsconn/error.h"
#include "engine/engine_stopper.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct watch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;  /* a stop signal came */
    bool ended; /* the rounds are over: a stop now is the watch's own, to end the waiter */
    char what[64];
    struct dc_stopper *stopper;
};

static void *wait_for_stop(void *arg)
{
    struct watch *w = arg;
    char what[64];
    dci_os_stop_wait(what, sizeof what);
    pthread_mutex_lock(&w->mu);
    if (!w->ended)
        snprintf(w->what, sizeof w->what, "%s", what);
    w->stop = true;
    dci_stopper_fire(w->stopper);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static double now_ms(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Waits, w->mu held, until the monotonic clock reaches next_ms or a stop; the condition's
 * deadline is the wall clock's, taken a second at most at a time, so that a wall clock
 * set back or forth shifts no round. */
static void wait_until(struct watch *w, double next_ms)
{
    double left;
    while (!w->stop && (left = next_ms - now_ms(CLOCK_MONOTONIC)) > 0) {
        double until = now_ms(CLOCK_REALTIME) + (left < 1000 ? left : 1000);
        struct timespec t = {.tv_sec = (time_t)(until / 1e3),
                             .tv_nsec =
                                 (long)((until - (double)(time_t)(until / 1e3) * 1e3) * 1e6)};
        pthread_cond_timedwait(&w->cv, &w->mu, &t);
    }
}

int dc_watch_run(double every_s, dc_watch_round_fn round, void *ud, struct dc_watch_result *out)
{
    struct watch w = {.stop = false};
    memset(out, 0, sizeof *out);
    if (dci_stopper_new(&w.stopper) != 0)
        return DC_ENOMEM;
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    dci_os_stop_block();
    pthread_t waiter;
    int rc = 0;
    if (pthread_create(&waiter, NULL, wait_for_stop, &w) != 0) {
        rc = DC_ENOMEM;
        goto out;
    }
    for (unsigned long n = 1;; n++) {
        double start = now_ms(CLOCK_MONOTONIC);
        int end = round(ud, w.stopper, n);
        out->rounds = n;
        pthread_mutex_lock(&w.mu);
        if (!end)
            wait_until(&w, start + every_s * 1e3);
        bool stop = w.stop || end;
        pthread_mutex_unlock(&w.mu);
        if (stop)
            break;
    }
    /* the waiter still waits when a round ended the watch: a stop of our own ends it */
    pthread_mutex_lock(&w.mu);
    w.ended = true;
    bool waiting = !w.stop;
    snprintf(out->stopped_by, sizeof out->stopped_by, "%s", w.what);
    pthread_mutex_unlock(&w.mu);
    if (waiting)
        dci_os_stop_raise();
    pthread_join(waiter, NULL);
out:
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    dci_stopper_free(w.stopper);
    return rc;
}
