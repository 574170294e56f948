/* What a probe does, the library's own (a program embedding dmsconn sees only
 * include/dmsconn/probe.h): the driver that runs a protocol, that driver's callbacks, what
 * each driver hands a judge, the protocol's self-test, secret and revise step. A probe's file
 * includes this; so do the engine's drivers and the tests of the judges. */
#ifndef DMSCONN_PROBES_PROBE_H
#define DMSCONN_PROBES_PROBE_H

#include "dmsconn/model.h"
#include "dmsconn/probe.h"

/* How the engine drives a probe (docs/architecture.md). */
enum dci_driver_kind {
    DCI_DRIVER_DIALOGUE, /* engine connects; the probe may send a hello and judge the reply */
    DCI_DRIVER_HTTP,     /* libcurl on the engine's loop: GET each path, judge each answer */
    DCI_DRIVER_SNMP,     /* net-snmp sessions whose sockets the engine's loop watches */
    DCI_DRIVER_ICMP      /* echo requests on an ICMP socket the OS layer opens */
};

/* What a few ICMP echoes measured (probes/probe_icmp.c): it travels as the result's evidence,
 * "3 sent, 3 received, round trip min/avg/max 0.041/0.052/0.067 ms", which reports read back
 * for their `icmp` block. */
struct dci_icmp_stats {
    unsigned sent, received;
    double rtt_min_ms, rtt_avg_ms, rtt_max_ms;
};
void dci_icmp_stats_format(const struct dci_icmp_stats *s, char *buf, size_t cap);
/* false: not such a text */
bool dci_icmp_stats_parse(const char *text, struct dci_icmp_stats *out);

/* One HTTP answer, as the HTTP driver hands it to a probe. */
struct dci_http_reply {
    long status;
    const char *server;           /* the Server header, "" if none */
    const char *content_type;     /* "" if none */
    const char *www_authenticate; /* the WWW-Authenticate header (a 401's challenge), "" */
    const char *body;             /* NUL-terminated, at most max_reply bytes */
    size_t body_len;
    /* The run's node list, for judges that compare what the server says of its peers with
     * it (nats-monitor), and the destination's address as probed. */
    const struct dc_cluster *cluster;
    const char *address;
};

/* What the SNMP driver saw, for the probe's judge: the v2c answer (if any), whether the
 * v3 discovery was answered, whether the port was unreachable (ICMP). */
struct dci_snmp_reply {
    bool answered;        /* a v2c GetResponse arrived */
    long error_status;    /* its error-status (0: noError) */
    const char *error;    /* that status as net-snmp names it */
    const uint8_t *descr; /* sysDescr.0's octets (NULL: not in the answer) */
    size_t descr_len;
    bool has_uptime;
    unsigned long uptime_ticks; /* sysUpTime.0, hundredths of a second */
    bool v3_report;             /* the engine-ID discovery was answered: an agent is there */
    bool unreachable;           /* ICMP port unreachable */
};

enum dci_judgement {
    DCI_JUDGE_MORE, /* the reply is incomplete: read more (until the deadline) */
    DCI_JUDGE_DONE  /* `out` has the final state, detail and evidence */
};

/* What a dialogue probe sees of its task. */
struct dci_probe_ctx {
    const char *host; /* destination address as probed */
    uint16_t port;
    const char *secret; /* the probe's secret text (--secret NAME=FILE), or NULL */
};

/* What a library step sees (it runs on a worker thread and may block, within remaining_ms):
 * the destination, and the same service on the source node (a NATS publish through the
 * source's own server, say). */
struct dci_library_ctx {
    const char *dst_host;
    uint16_t dst_port;
    const char *src_name;
    const char *dst_name;
    const char *src_host; /* NULL when the source has no numeric address */
    uint16_t src_port;
    uint64_t remaining_ms;
    const char *credentials; /* the probe's secret file (--secret NAME=FILE), or NULL */
    const char *secret;      /* ... and its text, read once at start-up, or NULL */
    const char *ca_file;     /* --ca: the certificates a TLS server must chain to, or NULL */
    bool tls_insecure;       /* --tls-insecure: any certificate */
};

/* One result of a probe with a `revise` step, as the run ended. */
struct dci_revision {
    const char *dst_name;      /* the destination node */
    const char *facts;         /* what the judge kept there ("" if nothing) */
    struct dc_finding finding; /* in: the result as settled; out: the result revised */
    bool changed;              /* set by revise when `finding` is to replace the result */
};

/* What a protocol does, shared by every probe that speaks it (curl's Curl_handler, which
 * imap and imaps share): the driver that runs it and that driver's callbacks, its judge's
 * self-test, its secret and its revise step. */
struct dci_protocol {
    enum dci_driver_kind driver;
    struct {
        /* Writes the bytes to send once connected into buf; returns their length (0: send
         * nothing). NULL: send nothing. */
        size_t (*hello)(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap);
        /* Judges the reply received so far (never NULL, even when len is 0). `closed` is
         * true when the peer closed or the deadline passed: then it must return
         * DCI_JUDGE_DONE. NULL: a connect is success. */
        enum dci_judgement (*judge)(const uint8_t *reply, size_t len, bool closed,
                                    struct dc_finding *out);
        /* After the reply was judged ok, a blocking step with a library (libnats) on the
         * loop's thread pool refines the result. NULL: none. */
        void (*library)(const struct dci_library_ctx *ctx, struct dc_finding *out);
        /* After a reply judged ok: whether the peer now expects a TLS handshake on this very
         * connection (NATS's INFO with tls_required). Then the driver makes it to read the
         * peer's certificate; the verdict stays the judge's whatever the handshake gives
         * (it is the certificate's dates that are judged, not the upgrade). NULL: never. */
        bool (*tls_next)(const uint8_t *reply, size_t len);
        /* A peer silent this long after the connect may be waiting for the client's TLS
         * handshake first (a NATS route with TLS): the driver makes it, reads the
         * certificate, then judges what comes through TLS. 0: never. */
        unsigned tls_if_silent_ms;
    } dialogue;
    struct {
        /* The paths to GET in turn ("/", "/_cluster/health"), NULL-terminated; judge sees
         * the answer to paths[step] and returns DONE, or MORE for the next. */
        const char *const *paths;
        enum dci_judgement (*judge)(unsigned step, const struct dci_http_reply *reply,
                                    struct dc_finding *out);
        bool basic_auth; /* send the probe's secret, USER:PASSWORD, as basic auth */
    } http;
    struct {
        /* The state of what its two sessions saw, once an answer came, the port was
         * unreachable or the deadline passed. */
        void (*judge)(const struct dci_snmp_reply *reply, struct dc_finding *out);
    } snmp;
    size_t max_reply; /* bytes kept for the judge (0: the driver's default) */
    /* A step this build cannot run (the library it needs is not in it), or NULL: what to do
     * instead, for the remedy of its unknown result. */
    const char *const *unavailable;
    /* After the run, for a judgement of one destination that what the others said may
     * change (a NATS route matched to its peer by server identity, which only the peer's own
     * /varz gives): every result of this probe in the run, with the facts its judge kept.
     * Runs on the loop's thread once the loop has ended. NULL: none. */
    void (*revise)(struct dci_revision *rows, size_t n);
    size_t facts_max; /* bytes of facts the judge may keep per destination (revise only) */
    /* The judge's own test on answers its protocol's specification gives (masscan's
     * per-protocol selftest): NULL when each is judged as it must be, else what went wrong.
     * Every protocol with a judge has one; tests/unit/test_probe_selftests.c runs them all. */
    const char *(*selftest)(void);
    /* A secret the protocol takes (`--secret NAME=FILE`): its name, what it holds for the
     * help, and a check of its text: NULL when it fits, else what was expected. */
    const char *secret;
    const char *secret_form;
    bool secret_lines; /* the secret is a whole file (a NATS .creds), not one line */
    const char *(*secret_check)(const char *text);
};

#endif
