/* What the diagnosis's rules (diagnosis.c) hand its words (diagnosis_words.c): the matrix as
 * tallies per destination port and per source port. */
#ifndef DMSCONN_REPORT_DIAGNOSIS_PRIVATE_H
#define DMSCONN_REPORT_DIAGNOSIS_PRIVATE_H

#include "dmsconn/diagnosis.h"

/* What a measured cell shows of its path, whatever its verdict. */
enum dci_obs {
    DCI_OBS_NONE,     /* not measured: no evidence */
    DCI_OBS_ANSWERED, /* a service answered (rightly or not) */
    DCI_OBS_REFUSED,  /* RST */
    DCI_OBS_SILENT,   /* dropped, or ICMP unreachable */
    DCI_OBS_NAME      /* the name did not resolve: nothing was sent */
};

/* Why a failed or warned cell is bad; the rules that may explain it follow from it. */
enum dci_bad {
    DCI_BAD_NONE, /* a pass */
    DCI_BAD_SILENT,
    DCI_BAD_REFUSED,
    DCI_BAD_NAME,
    DCI_BAD_CERT,  /* answered, with a certificate that is the verdict's reason */
    DCI_BAD_FAULT, /* answered wrongly */
    DCI_BAD_OPEN,  /* answered where it must not */
    DCI_BAD_SLOW,
    DCI_BAD_UNMEASURED
};

/* The measured cells of one (node, port): towards a destination, or from a source. `peers`
 * counts the distinct nodes at the other end. */
struct dci_tally {
    uint32_t peers;
    uint32_t last_peer; /* for counting them: cells of one peer come together */
    uint32_t answered, refused, silent;
    uint32_t bad_refused, bad_silent; /* of those, cells that failed or warned */
};

struct dci_diag_ctx {
    const struct dc_cluster *cluster;
    const struct dc_profile *profile;
    const struct dc_plan *plan;
    const struct dc_result *results;
    size_t nnodes, nkeys, ntasks;
    const size_t *order;    /* the tasks by source, then destination */
    uint8_t *obs, *bad;     /* per task: enum dci_obs, enum dci_bad */
    uint32_t *key;          /* per task: its port's index */
    uint16_t *key_port;     /* per port index */
    uint8_t *key_transport; /* per port index: enum dc_transport */
    struct dci_tally *in;   /* per (destination, port index) */
    struct dci_tally *out;  /* per (source, port index) */
    bool *row_measured;     /* a source with at least one measured cell */
    bool *is_source;        /* a source of the plan */
    uint32_t *reached;      /* per node: cells towards it that answered or were refused */
    uint32_t *port_reached; /* the same on its ports only: an ICMP echo answered says the node
                             * is up, not that it lets any port in */
    uint32_t *asked;        /* per node: distinct sources with a measured cell towards it */
    uint32_t *last_asker;   /* per node: the last of them (the only one when asked is 1) */
    bool *reaches;          /* per source: some cell of its row was answered or refused */
};

/* The state of a diagnosis in progress: the context its words read, and what it builds. */
struct dci_diag_run {
    struct dci_diag_ctx x;
    struct dc_diagnosis *d;
    size_t cap;
    uint32_t *scratch;  /* nodes x ports, a cause index per entry, reset by each rule */
    uint32_t *per_node; /* nodes, likewise */
    bool failed;
};

/* Runs the rules in order: every failed or warned cell gets its cause (cause_of), the causes
 * their kind, nodes, groups and alternatives; silent_in: per node, its silent failed cells;
 * open: nodes x ports of scratch. r->failed on a failed allocation. diagnosis_rules.c */
void dci_diag_rules(struct dci_diag_run *r, const uint32_t *silent_in, struct dci_tally *open);

/* Not measured: an agent that gave nothing, a probe interrupted or that could not run. */
bool dci_result_unmeasured(const struct dc_result *r);
/* Counts a cell of `peer` (the node at its other end) in a tally. */
void dci_tally_add(struct dci_tally *t, uint32_t peer, enum dci_obs o);

/* Writes the cause's summary, evidence and remedy (its cells, ports and groups are set).
 * 0 or DC_ENOMEM. */
int dci_cause_words(const struct dci_diag_ctx *x, struct dc_cause *cause);

#endif
