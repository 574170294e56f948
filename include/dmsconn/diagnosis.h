/* The diagnosis: the judged matrix read whole, its failed and warned cells explained by as few
 * causes as the evidence allows (docs/diagnosis.md). Its rules run in a fixed order and a cell
 * goes to the first that explains it, so every failed or warned cell has exactly one cause and
 * the same matrix always gives the same causes, in the same order. */
#ifndef DMSCONN_DIAGNOSIS_H
#define DMSCONN_DIAGNOSIS_H

#include "dmsconn/model.h"
#include "dmsconn/plan.h"

/* The kinds, in the order their rules run (JSON uses the names, docs/diagnosis.md each). */
enum dc_cause_kind {
    DC_CAUSE_NODE_UNREACHABLE, /* a destination silent on every port, its agent silent too */
    DC_CAUSE_SERVICE_DOWN,     /* a destination's port refused (RST) by every source asked */
    DC_CAUSE_INBOUND_BLOCKED,  /* a destination drops ports from every source, while it is up */
    DC_CAUSE_OUTBOUND_BLOCKED, /* a source gets nothing on a port that others reach */
    DC_CAUSE_SEGMENT_BLOCKED,  /* a group of sources fails a port to a group of destinations */
    DC_CAUSE_PATH_BLOCKED,     /* one source to one destination on a port or a few */
    DC_CAUSE_NAME_UNRESOLVED,  /* a destination's name does not resolve */
    DC_CAUSE_CERTIFICATE,      /* a TLS endpoint's certificate: expiring, untrusted, misnamed */
    DC_CAUSE_SERVICE_FAULT,    /* the service answers, wrongly (TLS, credentials, unhealthy) */
    DC_CAUSE_PORT_OPEN,        /* a port that must be closed, or is no longer used, answers */
    DC_CAUSE_SLOW,             /* paths to a destination slower than the run's threshold */
    DC_CAUSE_NOT_MEASURED,     /* a row (or checks of it) that could not be measured */
    DC_CAUSE_KINDS
};

#define DC_NO_CAUSE UINT32_MAX
#define DC_NO_NODE UINT32_MAX

/* A port of a cause and the checks of its cells that use it ("slnet-grpc, brokergateway"). */
struct dc_cause_port {
    uint16_t port;
    enum dc_transport transport;
    char *checks;
};

struct dc_cause {
    enum dc_cause_kind kind;
    uint32_t from; /* node index; DC_NO_NODE when the cause is not at one source */
    uint32_t to;   /* node index; DC_NO_NODE when not at one destination */
    /* segment_blocked: the two groups, ascending node indexes, and the subnet that holds each
     * group and no other node of the cluster ("10.1.2.0/24"), NULL when none does */
    uint32_t *from_group, *to_group;
    size_t nfrom_group, nto_group;
    char *from_net, *to_net;
    struct dc_cause_port *ports; /* ascending */
    size_t nports;
    size_t *cells; /* task indexes, ascending */
    size_t ncells;
    size_t nfail;          /* how many of the cells failed (the others warned) */
    bool one_direction;    /* path_blocked: the reverse pair passes the same checks */
    uint32_t alternatives; /* bits (1u << kind): what the evidence cannot rule out */
    char *summary;         /* one line */
    char *evidence;        /* what the matrix shows, for people */
    char *remedy;          /* the one thing that fixes every cell of it */
};

struct dc_diagnosis {
    struct dc_cause *causes;
    size_t n;
    uint32_t *cause_of; /* per task of the plan: index into causes, DC_NO_CAUSE for a pass */
    size_t ntasks;
    size_t nfail, nwarn; /* the failed and warned cells, every one explained */
};

/* Reads the results once they are judged (dc_verdict_run_all) and fills *out; the caller frees
 * it with dc_diagnosis_free. 0, or DC_ENOMEM. */
int dc_diagnose(const struct dc_cluster *cluster, const struct dc_profile *profile,
                const struct dc_plan *plan, const struct dc_result *results,
                struct dc_diagnosis **out);
void dc_diagnosis_free(struct dc_diagnosis *diagnosis);

const char *dc_cause_kind_name(enum dc_cause_kind kind);

#endif
