/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_internal.h - the host driver's generic core and the contract between
 * it and the host transports (nvme/tcp, nvme/pcie, nvme/rdma).
 *
 * Layout
 *   ctrlr.c      connect / bring-up / shutdown, accessors, keep alive
 *   ctrlr_ns.c   Identify namespaces, Set Features number of queues,
 *                I/O queue pair allocation, discovery log
 *   fabrics.c    fabrics commands: Connect (+ errno mapping), Property
 *                Get / Set (the reg_* ops of every fabrics transport)
 *   qpair.c      request pool, submit, completion, abort, sync execution
 *   ns.c         Read / Write / Flush / Write Zeroes / DSM
 *   trid.c       transport ID parse / format
 *   transport.c  the table of transports, looked up by trtype
 *
 * Transports plug in behind struct nvme_transport_ops (designated
 * initializers, one table per transport). Generic code never names a
 * transport. Each transport embeds struct nvme_ctrlr / struct nvme_qpair as
 * the first member "base" of its own objects and recovers them with
 * container_of().
 *
 * Requests: each qpair owns a preallocated array of struct nvme_request
 * (size = queue entries - 1, the most a queue with flow control can hold)
 * and a LIFO free list; the CID of a command is its index in that array.
 * Nothing is allocated per I/O. The transport keeps any per-command state
 * of its own in a parallel array indexed by CID.
 *
 * Completion: the transport calls nvme_qpair_complete() with the CQE; the
 * request goes back to the free list before the callback runs, so callbacks
 * may submit again. When a transport finds its connection broken it sets
 * qpair->failed and returns -ENXIO from qpair_poll / qpair_submit; the
 * generic code then completes every outstanding request with
 * NVME_SC_TRANSIENT_TRANSPORT_ERROR (SCT 0, SC 0x22). Freeing a qpair with
 * commands outstanding completes them with NVME_SC_ABORTED_SQ_DELETION
 * (SCT 0, SC 0x08).
 *
 * Controller bring-up (generic, ctrlr.c):
 *   ops->ctrlr_create (transport: connection for the admin queue, sets
 *   ctrlr->adminq) -> fabrics: Connect on the admin queue (hostid,
 *   cntlid 0xFFFF, subnqn, hostnqn, KATO) -> CAP, VS -> CC (EN=1, IOSQES 6,
 *   IOCQES 4) -> CSTS.RDY within CAP.TO -> Identify controller -> I/O
 *   controllers: active namespace list, Identify namespace each, Set
 *   Features number of queues. I/O qpair: ops->qpair_create (new
 *   connection) then, for fabrics, Connect with the qid and cntlid.
 *   Keep Alive from nvme_ctrlr_poll_admin() whenever KATO/2 has elapsed.
 *   Disconnect: CC.SHN=01b, wait for CSTS.SHST complete (bounded), close.
 *
 * Threads: a qpair is used by one thread; nothing here takes a lock.
 */
#ifndef NVMF_TGT_NVME_INTERNAL_H
#define NVMF_TGT_NVME_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "nvme.h"

#define NVME_LOG "nvme"
#define NVME_DISCOVERY_NQN "nqn.2014-08.org.nvmexpress.discovery"

struct nvme_request {
	struct nvme_cmd cmd;
	nvme_cb cb;
	void *arg;
	void *buf;
	uint32_t len;
	uint8_t dir; /* enum nvme_data_transfer */
	bool active;
	uint16_t status; /* NVME_STATUS() of the completion */
	uint64_t submit_ticks;
	void *copy; /* malloc'd copy of the data (DSM ranges), freed at completion */
	struct nvme_request *next_free;
};

struct nvme_qpair {
	struct nvme_ctrlr *ctrlr;
	uint16_t qid;
	uint32_t num_entries;      /* queue entries (SQSIZE + 1) */
	uint32_t num_reqs;         /* num_entries - 1 */
	struct nvme_request *reqs; /* indexed by CID */
	struct nvme_request *free; /* free list */
	uint32_t outstanding;
	bool failed;                   /* transport broken: every call gives -ENXIO */
	bool aborted;                  /* outstanding requests were completed with an error */
	struct nvme_qpair_stats stats; /* completions (nvme_qpair_get_stats) */
	struct nvme_qpair *next_io;    /* the controller's list of I/O qpairs */
};

struct nvme_transport_ops;

/** A namespace with its Identify data. */
struct nvme_ns_slot {
	struct nvme_ns ns;
	struct nvme_id_ns id;
};

struct nvme_ctrlr {
	const struct nvme_transport_ops *ops;
	struct nvme_trid trid;
	struct nvme_ctrlr_opts opts;
	struct nvme_qpair *adminq;
	uint16_t cntlid;
	uint64_t cap;
	uint32_t vs;
	struct nvme_id_ctrl id;
	struct nvme_ns_slot *ns; /* active namespaces, ascending nsid */
	uint32_t num_ns;
	uint32_t num_io_queues; /* granted */
	uint8_t *qid_used;      /* [num_io_queues + 1] */
	struct nvme_qpair *io_qpairs;
	uint64_t ka_interval; /* ticks; 0 = no keep alive */
	uint64_t ka_last;
	bool ka_outstanding;
	/* nvme_ctrlr_set_removed_cb(): __atomic, read by any polling thread. */
	nvme_removed_fn removed_cb;
	void *removed_arg;
	bool removed; /* __atomic: gone for good */
};

/** Mark @c gone for good (before failing its commands): nvme_ctrlr_is_removed(). */
static inline void nvme_ctrlr_mark_removed(struct nvme_ctrlr *c)
{
	__atomic_store_n(&c->removed, true, __ATOMIC_RELEASE);
}

/** The controller is gone for good: call its removed callback (PCIe). */
void nvme_ctrlr_removed(struct nvme_ctrlr *c);

/**
 * Host transport operations. Fabrics transports leave ctrlr_create,
 * ctrlr_destroy and reg_read4 / reg_read8 / reg_write4 NULL: the generic
 * layer then uses nvme_fabrics_ctrlr_*() and Property Get / Set
 * (nvme_fabrics_reg_*()). Every op returns 0 or a negative errno unless
 * said otherwise.
 */
struct nvme_transport_ops {
	const char *name;
	uint32_t trtype;
	bool fabrics; /* Connect and Property Get/Set apply */
	/**
	 * Allocate the controller, bring up the admin queue (sets ->adminq).
	 * @ops is this table.
	 */
	int (*ctrlr_create)(const struct nvme_transport_ops *ops, const struct nvme_trid *trid,
			    const struct nvme_ctrlr_opts *opts, struct nvme_ctrlr **ctrlr);
	/** Destroy the admin queue and free the controller. */
	void (*ctrlr_destroy)(struct nvme_ctrlr *ctrlr);
	int (*reg_read4)(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t *val);
	int (*reg_read8)(struct nvme_ctrlr *ctrlr, uint32_t off, uint64_t *val);
	int (*reg_write4)(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t val);
	/** Create I/O queue @qid with @size entries (fabrics: connection only). */
	int (*qpair_create)(struct nvme_ctrlr *ctrlr, uint16_t qid, uint32_t size,
			    struct nvme_qpair **qpair);
	/** Close and free; outstanding requests were completed before. */
	void (*qpair_destroy)(struct nvme_qpair *qpair);
	/** Queue @req (CID set) for sending. -ENXIO when failed. */
	int (*qpair_submit)(struct nvme_qpair *qpair, struct nvme_request *req);
	/** Send queued, process up to @max completions (0 = all). */
	int (*qpair_poll)(struct nvme_qpair *qpair, uint32_t max);
	/**
	 * Optional: reset the controller, keeping it, its namespaces and its
	 * qpairs valid (see nvme_ctrlr_reset()). NULL: -ENOTSUP.
	 */
	int (*ctrlr_reset)(struct nvme_ctrlr *ctrlr);
};

/* transport.c */
const struct nvme_transport_ops *nvme_transport_find(uint32_t trtype);
extern const struct nvme_transport_ops nvme_tcp_ops;

/* qpair.c */
int nvme_qpair_init(struct nvme_qpair *q, struct nvme_ctrlr *ctrlr, uint16_t qid,
		    uint32_t num_entries);
void nvme_qpair_fini(struct nvme_qpair *q);
int nvme_qpair_submit(struct nvme_qpair *q, const struct nvme_cmd *cmd, void *buf, uint32_t len,
		      uint8_t dir, nvme_cb cb, void *arg);
/** Submit with a private malloc'd copy of @data (not for the I/O hot path). */
int nvme_qpair_submit_copy(struct nvme_qpair *q, const struct nvme_cmd *cmd, const void *data,
			   uint32_t len, nvme_cb cb, void *arg);
void nvme_qpair_complete(struct nvme_qpair *q, struct nvme_request *req,
			 const struct nvme_cpl *cpl);
void nvme_qpair_abort_all(struct nvme_qpair *q, uint16_t status);
void nvme_qpair_fail(struct nvme_qpair *q);
/**
 * The first failure of transport queue pair @q: log "@name: <@fmt>; queue
 * pair failed" as an error of @component and mark @q failed. @return true
 * then; false when @q had failed already (nothing logged, the transport has
 * torn its connection down before).
 */
bool nvme_qpair_vmark_failed(struct nvme_qpair *q, const char *component, const char *name,
			     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
int nvme_qpair_exec_sync(struct nvme_qpair *q, const struct nvme_cmd *cmd, void *buf, uint32_t len,
			 uint8_t dir, struct nvme_cpl *cpl, uint32_t timeout_ms);

/* auth.c */
/**
 * Authenticate queue @q (its Connect answered with ATR) with the secrets of
 * its controller's opts. @return 0, -EACCES (no secret, refused either
 * way; logged), or the queue's error.
 */
int nvme_auth_queue(struct nvme_qpair *q, const char *hostnqn, const char *subnqn);

/* fabrics.c */
/* @q asks (asked) the controller to disable SQ flow control in its Connect. */
static inline bool nvme_fabrics_sq_flow_disabled(const struct nvme_qpair *q)
{
	return q->qid != 0 && !q->ctrlr->opts.sq_flow_control;
}
int nvme_fabrics_connect(struct nvme_qpair *q, uint16_t cntlid, uint16_t *cntlid_out);
int nvme_fabrics_reg_read4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t *val);
int nvme_fabrics_reg_read8(struct nvme_ctrlr *ctrlr, uint32_t off, uint64_t *val);
int nvme_fabrics_reg_write4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t val);
/** Errno for a failed Connect completion @cpl (-EACCES, -ENOENT, -EPROTO). */
int nvme_fabrics_connect_errno(const struct nvme_cpl *cpl);
/**
 * The controller of a fabrics transport @ops (whose ctrlr_create and
 * ctrlr_destroy are NULL): the generic part alone. Create fills in the
 * defaults (admin queue of 32 entries, 10 s timeout) and opens the admin
 * queue by @ops->qpair_create. @return 0, -ENOMEM, or what qpair_create
 * returned.
 */
int nvme_fabrics_ctrlr_create(const struct nvme_transport_ops *ops, const struct nvme_trid *trid,
			      const struct nvme_ctrlr_opts *opts, struct nvme_ctrlr **ctrlr);
void nvme_fabrics_ctrlr_destroy(struct nvme_ctrlr *ctrlr);
/** The host NQN a fabrics controller connects with (the trid's, else the opts'). */
const char *nvme_fabrics_hostnqn(const struct nvme_ctrlr *ctrlr);
/** The subsystem NQN it connects to (the trid's, else the discovery NQN). */
const char *nvme_fabrics_subnqn(const struct nvme_ctrlr *ctrlr);

/* ctrlr_ns.c */
int nvme_ctrlr_identify_namespaces(struct nvme_ctrlr *ctrlr);
int nvme_ctrlr_set_num_queues(struct nvme_ctrlr *ctrlr);
int nvme_ctrlr_identify(struct nvme_ctrlr *ctrlr, uint8_t cns, uint32_t nsid, void *buf);

/** Ticks of @ms milliseconds. */
uint64_t nvme_ms_to_ticks(uint64_t ms);

#endif /* NVMF_TGT_NVME_INTERNAL_H */
