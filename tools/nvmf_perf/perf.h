/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf.h - nvmf_perf internals: options, the objects of a run and the
 * functions the files of the tool share.
 *
 * Objects: a run has controllers (one per -r), namespaces (every active one
 * of every controller) and workers (one per core of -c). Each worker owns
 * -P queue pairs per namespace; each queue pair owns a disjoint LBA region
 * of its namespace, cut into -q I/O contexts, each with its own buffer
 * (allocated once) and, with --verify, its own slots of the region, so no
 * two I/Os ever overlap in flight.
 *
 * Multipath: -r entries naming the same subsystem NQN (fabrics only) are
 * paths of one subsystem: each namespace is one perf_ns with a path per
 * such -r, and each queue pair has an nvme qpair per path. I/O goes to an
 * optimized path (non-optimized when none is), as the paths' ANA logs
 * say; an I/O completing with an ANA path status is submitted again on
 * another usable path (a failover) and the logs are read again.
 */
#ifndef NVMF_PERF_H
#define NVMF_PERF_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme.h"
#include "util_histogram.h"

#define PERF_MAX_TRIDS 16
#define PERF_MAX_NS 64
#define PERF_MAX_CORES 128
#define PERF_MAX_PATHS 4

/* Exit statuses. */
#define PERF_EXIT_FAIL 1  /* connect failure, lost connection, I/O or verify errors */
#define PERF_EXIT_USAGE 2 /* bad options */

struct perf_args {
	struct nvme_trid trids[PERF_MAX_TRIDS];
	unsigned num_trids;
	uint32_t qd;          /* -q */
	uint32_t io_size;     /* -o, bytes */
	const char *workload; /* -w, as given */
	bool random;          /* rand* workloads */
	unsigned read_pct;    /* 100 read, 0 write, -M for rw */
	unsigned seconds;     /* -t */
	unsigned warmup;      /* -a */
	const char *core_mask;
	char default_mask[24];  /* the last core we may run on, when -c is not given */
	unsigned qpairs_per_ns; /* -P */
	bool hdgst, ddgst;
	bool sq_flow_control;           /* --sq-flow-control */
	const char *dhchap_secret;      /* --dhchap-secret, or NULL */
	const char *dhchap_ctrl_secret; /* --dhchap-ctrl-secret, or NULL */
	const char *tls_key;            /* --tls-key, NULL: plain */
	int tls_identity;               /* --tls-identity */
	int tls_kdf;                    /* --tls-kdf: enum tls_psk_kdf */
	bool verify;
	bool json;
	bool reset;        /* --reset-at given */
	unsigned reset_at; /* --reset-at: seconds into the measured run */
	unsigned pause_ms; /* --pause-ms: idle time between an I/O and the next */
};

/**
 * Parse the command line into @a. @return 0, 1 after printing help, or
 * -EINVAL after printing the usage to stderr.
 */
int perf_parse_args(int argc, char **argv, struct perf_args *a);

/** Statistics of one (worker, namespace) or one queue pair. */
struct perf_stats {
	uint64_t ios;
	uint64_t reads;
	uint64_t writes;
	uint64_t bytes;
	uint64_t io_errors;
	/*
	 * Verification is a check, not a measurement: these two cover the whole
	 * run, warm-up and drain included (perf_stats_restart keeps them).
	 */
	uint64_t verify_errors;
	uint64_t verified;    /* reads compared against a known pattern */
	uint64_t retried;     /* I/Os resubmitted after a retriable abort */
	uint64_t failovers;   /* I/Os resubmitted after an ANA path status */
	struct histogram lat; /* ticks */
};

void perf_stats_init(struct perf_stats *s);
/** Start measuring again: zero everything but the verify counts. */
void perf_stats_restart(struct perf_stats *s);
void perf_stats_merge(struct perf_stats *dst, const struct perf_stats *src);

struct perf_qpair;

/** One I/O in flight (split into commands of at most max_io_blocks). */
struct perf_io {
	struct perf_qpair *pq;
	void *buf;
	uint64_t lba; /* first block */
	uint64_t submit_tsc;
	uint32_t nlb;        /* blocks */
	uint64_t slot;       /* slot index in the region */
	uint32_t gen;        /* verify: generation this write carries */
	uint32_t next_blk;   /* blocks submitted so far */
	uint32_t pending;    /* commands in flight */
	uint64_t seq_cursor; /* verify, sequential: next own slot of this context */
	bool is_read;
	bool failed;
	bool retry;    /* a command was aborted, retriable (controller reset) */
	bool failover; /* ... with an ANA path status: retry on another path */
	uint8_t path;  /* index of the path the I/O was submitted on */
	bool readback; /* verify: the next I/O reads back this write */
	bool paused;   /* --pause-ms: starts again at resume_tsc */
	uint64_t resume_tsc;
};

/** One path to a namespace: the namespace as one controller shows it. */
struct perf_path {
	struct nvme_ns *ns;
	struct nvme_ctrlr *ctrlr;
	uint8_t ana;    /* enum nvme_ana_state, atomic; 0: not known (single path) */
	uint8_t logged; /* the state the last ANA log read gave (main core) */
};

struct perf_ns {
	struct nvme_ns *ns; /* the first path's */
	struct nvme_ctrlr *ctrlr;
	struct perf_path paths[PERF_MAX_PATHS];
	uint32_t npaths;
	int ana_stale;            /* atomic: a path returned an ANA status, read the logs again */
	uint64_t path_wait_ticks; /* an I/O waits this long for a usable path, then fails */
	char name[560];           /* "127.0.0.1:4420 nqn... ns 1" */
	uint32_t io_blocks;       /* blocks per I/O */
	uint32_t cmd_blocks;      /* blocks per command (MDTS) */
	uint64_t slots;           /* I/O-sized slots of the namespace */
};

/** Verify slot states besides a generation number. */
#define PERF_GEN_NONE 0u            /* never written in this run */
#define PERF_GEN_UNKNOWN UINT32_MAX /* a write failed: contents unknown */

struct perf_qpair {
	struct nvme_qpair *qpairs[PERF_MAX_PATHS]; /* one per path of pns */
	uint32_t next_path;                        /* round robin over usable paths */
	struct perf_ns *pns;
	const struct perf_args *args;
	uint64_t slot_base; /* first slot of the region */
	uint64_t nslots;    /* slots in the region */
	uint32_t *slot_gen; /* verify: generation each slot holds */
	uint32_t next_gen;
	uint64_t seed; /* pattern seed of the run */
	uint64_t rng;
	uint32_t ncontexts;
	struct perf_io *ios;
	struct perf_io **retry; /* I/Os waiting for queue space */
	uint32_t nretry;
	uint32_t active;      /* I/Os started and not yet done */
	uint32_t npaused;     /* contexts waiting out --pause-ms */
	uint64_t seq_next;    /* sequential without verify: next slot */
	uint32_t verify_msgs; /* mismatches reported so far */
	int rc;               /* first submit error seen in a callback */
	uint16_t first_error; /* NVMe status of the first failed I/O, 0: none yet */
	bool running;         /* resubmit on completion */
	bool measuring;
	bool dead;
	uint64_t all_ios; /* completed, warm-up included (progress line) */
	uint64_t all_bytes;
	struct perf_stats stats;
};

struct perf_worker {
	uint32_t core;
	struct perf_qpair *qpairs;
	uint32_t nqpairs;
	int rc; /* 0, or -ENXIO when a queue pair failed */
	/* measured ticks, and those spent in polls that completed nothing */
	uint64_t meas_ticks;
	uint64_t idle_ticks;
	/* published for the progress line, written by the worker only */
	uint64_t progress_ios __attribute__((aligned(64)));
	uint64_t progress_bytes;
};

/** What every worker reads; set up by main before the workers start. */
struct perf_run {
	const struct perf_args *args;
	uint64_t hz;
	uint64_t t_measure; /* tick at which measuring starts */
	uint64_t t_end;     /* tick at which measuring ends */
	uint64_t t_stopped; /* tick of an early stop, 0 when none */
	volatile int stop;  /* set to end every worker now */
	struct perf_worker *workers;
	uint32_t nworkers;
	struct perf_ns ns[PERF_MAX_NS];
	uint32_t nns;
	struct nvme_ctrlr *ctrlrs[PERF_MAX_TRIDS];
	uint32_t nctrlrs;
	uint64_t ana_next; /* tick of the next periodic ANA log read */
	uint64_t seed;
};

/* io.c */
/** Set up @pq's contexts and buffers. @return 0 or -ENOMEM. */
int perf_qpair_init(struct perf_qpair *pq, struct perf_ns *pns, const struct perf_args *a,
		    uint64_t slot_base, uint64_t nslots, uint64_t seed);
/** Free what perf_qpair_init() allocated (the nvme qpair is freed by the caller). */
void perf_qpair_fini(struct perf_qpair *pq);
/** Start an I/O on every context and set running. @return 0 or a submit errno. */
int perf_qpair_start(struct perf_qpair *pq);
/**
 * Retry I/Os waiting for queue space, then poll up to @budget completions
 * (each resubmits while running). @return completions, or a negative errno
 * (-ENXIO: the queue pair failed).
 */
int perf_qpair_poll(struct perf_qpair *pq, uint32_t budget);

/* worker.c */
/** Worker thread body: @arg is a struct perf_worker of g_run. */
int perf_worker_main(void *arg);
extern struct perf_run g_run;

/* setup.c */
/** Connect every -r, gather namespaces, create queue pairs. @return 0 or errno. */
int perf_setup(struct perf_run *run);
/** Free queue pairs and disconnect. */
void perf_teardown(struct perf_run *run);

/* multipath.c */
/**
 * If @ns's controller names the subsystem of an earlier -r, add @ns as a
 * path of that subsystem's namespace. @return 1 when added, 0 when @ns is
 * a namespace of its own, or -EINVAL (the paths disagree on its format).
 */
int perf_mp_add_path(struct perf_run *run, struct nvme_ns *ns);
/**
 * Read the ANA log of every path of a multipath namespace (all of them
 * with @force, else those marked stale, and all once a second) and print
 * each path whose state changed. Main core only. @return 0, or the errno
 * of a failed read.
 */
int perf_mp_refresh(struct perf_run *run, bool force);
/**
 * The path a new I/O of @pq goes to: an optimized one (round robin),
 * else a non-optimized one. @return its index, or -1 when none is usable.
 */
int perf_mp_pick(struct perf_qpair *pq);
/** Note an ANA path status @st of path @path of @pns (from any worker). */
void perf_mp_path_status(struct perf_ns *pns, uint8_t path, uint16_t st);
/** True when some namespace of @run has more than one path. */
bool perf_multipath(const struct perf_run *run);
/** True when status @st is an ANA path status (SCT 3, SC 01h-03h, DNR clear). */
bool perf_mp_is_ana_status(uint16_t st);

/* report.c */
/** Print the table (or JSON with --json) of @run; @status names how it ended. */
void perf_report(const struct perf_run *run, const char *status, const char *error);
/** Sum of I/O errors and verify mismatches over every queue pair. */
void perf_totals(const struct perf_run *run, uint64_t *io_errors, uint64_t *verify_errors);
/** The NVMe status of the first failed I/O of any queue pair, or 0. */
uint16_t perf_first_error(const struct perf_run *run);
/** One progress line on stderr. */
void perf_progress(const struct perf_run *run, double elapsed_s, uint64_t ios, uint64_t bytes,
		   double interval_s, bool warmup);

#endif /* NVMF_PERF_H */
