/* The probe interface: one const table per protocol (probes/registry.c lists them all).
 * A probe never blocks, never prints and reports exactly once through the engine. */
#ifndef DMSCONN_PROBE_H
#define DMSCONN_PROBE_H

#include "dmsconn/model.h"

/* How the engine drives a probe (docs/architecture.md). */
enum dc_driver {
    DC_DRIVER_DIALOGUE, /* engine connects; the probe may send a hello and judge the reply */
    DC_DRIVER_HTTP,     /* libcurl on the engine's loop: GET each path, judge each answer */
    DC_DRIVER_SNMP      /* net-snmp sessions whose sockets the engine's loop watches */
};

/* One HTTP answer, as the HTTP driver hands it to a probe. */
struct dc_http_reply {
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
struct dc_snmp_reply {
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

enum dc_judgement {
    DC_JUDGE_MORE, /* the reply is incomplete: read more (until the deadline) */
    DC_JUDGE_DONE  /* `out` has the final state, detail and evidence */
};

/* What a dialogue probe sees of its task. */
struct dc_probe_ctx {
    const char *host; /* destination address as probed */
    uint16_t port;
    const char *secret; /* the probe's secret text (--secret NAME=FILE), or NULL */
};

/* What a library step sees (it runs on a worker thread and may block, within remaining_ms):
 * the destination, and the same service on the source node (a NATS publish through the
 * source's own server, say). */
struct dc_library_ctx {
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
struct dc_revision {
    const char *dst_name;      /* the destination node */
    const char *facts;         /* what the judge kept there ("" if nothing) */
    struct dc_finding finding; /* in: the result as settled; out: the result revised */
    bool changed;              /* set by revise when `finding` is to replace the result */
};

/* What a protocol does, shared by every probe that speaks it (curl's Curl_handler, which
 * imap and imaps share): the driver that runs it and that driver's callbacks, its judge's
 * self-test, its secret and its revise step. */
struct dc_protocol {
    enum dc_driver driver;
    struct {
        /* Writes the bytes to send once connected into buf; returns their length (0: send
         * nothing). NULL: send nothing. */
        size_t (*hello)(const struct dc_probe_ctx *ctx, uint8_t *buf, size_t cap);
        /* Judges the reply received so far (never NULL, even when len is 0). `closed` is
         * true when the peer closed or the deadline passed: then it must return
         * DC_JUDGE_DONE. NULL: a connect is success. */
        enum dc_judgement (*judge)(const uint8_t *reply, size_t len, bool closed,
                                   struct dc_finding *out);
        /* After the reply was judged ok, a blocking step with a library (libnats) on the
         * loop's thread pool refines the result. NULL: none. */
        void (*library)(const struct dc_library_ctx *ctx, struct dc_finding *out);
    } dialogue;
    struct {
        /* The paths to GET in turn ("/", "/_cluster/health"), NULL-terminated; judge sees
         * the answer to paths[step] and returns DONE, or MORE for the next. */
        const char *const *paths;
        enum dc_judgement (*judge)(unsigned step, const struct dc_http_reply *reply,
                                   struct dc_finding *out);
        bool basic_auth; /* send the probe's secret, USER:PASSWORD, as basic auth */
    } http;
    struct {
        /* The state of what its two sessions saw, once an answer came, the port was
         * unreachable or the deadline passed. */
        void (*judge)(const struct dc_snmp_reply *reply, struct dc_finding *out);
    } snmp;
    size_t max_reply; /* bytes kept for the judge (0: the driver's default) */
    /* A step this build cannot run (the library it needs is not in it), or NULL: what to do
     * instead, for the remedy of its unknown result. */
    const char *const *unavailable;
    /* After the run, for a judgement of one destination that what the others said may
     * change (a NATS route matched to its peer by server identity, which only the peer's own
     * /varz gives): every result of this probe in the run, with the facts its judge kept.
     * Runs on the loop's thread once the loop has ended. NULL: none. */
    void (*revise)(struct dc_revision *rows, size_t n);
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

/* A probe as a profile names it (curl's Curl_scheme): its name, ports and transport,
 * whether it speaks TLS first, and the protocol it speaks. "cql" and "cql-tls" are two
 * probes of one protocol. */
struct dc_probe_ops {
    const char *name;              /* as written in profiles: "tcp" */
    const char *summary;           /* one line for `dmsconn profile show` and --help */
    const uint16_t *default_ports; /* 0-terminated */
    enum dc_transport transport;
    bool tls;         /* TLS first (a dialogue's hello and reply are its plaintext; HTTPS) */
    const char *alpn; /* ... and offer this protocol by ALPN ("h2"), NULL: none */
    bool by_name;     /* HTTPS: the URL names the host by the name it was resolved from, so the
                         certificate is checked against that name (the HTTPS name check) */
    const struct dc_protocol *proto;
};

/* The registry: a NULL-terminated table of every probe. */
extern const struct dc_probe_ops *const dc_probes[];

const struct dc_probe_ops *dc_probe_find(const char *name);
/* The first probe that takes the secret of that name (NULL: none does). */
const struct dc_probe_ops *dc_probe_with_secret(const char *name);
/* "nats (a NATS .creds file, ...), opensearch (...)" for messages and --help, whole
 * whatever the registry holds; the caller frees it (NULL: out of memory). */
char *dc_probe_secret_names(void);
/* "tcp, cql, ..." for messages, every probe of the registry; the caller frees it (NULL: out
 * of memory). */
char *dc_probe_names(void);

#endif
