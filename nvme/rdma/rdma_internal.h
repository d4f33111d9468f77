/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_internal.h - the NVMe/RDMA host transport.
 *
 *   rdma_wire.c  pure pieces, no device: CM private data (request built,
 *                reject parsed), SGL descriptors, in-capsule data limit
 *   rdma_mr.c    a per queue pair cache of memory registrations, looked up
 *                by containment of [addr, addr + len)
 *   rdma_conn.c  ops table; address / route resolution, PD, CQ, QP,
 *                connect with the CM private data; teardown with drain
 *   rdma_io.c    submit (SEND of the command capsule), poll (CQ: sends and
 *                response capsules), failure
 *
 * One connection per queue pair, each with its own CM event channel
 * (non-blocking), PD, CQ (sends and receives) and RC QP. A queue pair is
 * used by one thread, so nothing is shared and nothing is locked.
 *
 * Command capsules: one registered slot per CID of 64 bytes plus the
 * in-capsule data limit (I/O queues, from IOCCSZ; writes that fit are
 * copied after the SQE). Any other data is described by one keyed SGL
 * (address, length, rkey; subtype address: no invalidation asked for) and
 * moved by the controller with RDMA READ / WRITE. Response capsules: one
 * posted receive of 16 bytes per queue entry, posted again as soon as the
 * CQE is copied out.
 *
 * A command completes when both its SEND has completed and its response
 * arrived (in either order), so a capsule slot or a buffer is never reused
 * while the device may still read it.
 *
 * Memory registrations: memory from env_dma_zalloc() / env pools stays
 * mapped for the life of the process, so its registrations are cached in
 * the queue pair (bounded; deregistered at teardown). Any other buffer is
 * registered for one command and deregistered at its completion.
 *
 * Failure (a work completion in error, DISCONNECTED or another CM event, a
 * malformed or unexpected response): the queue pair is marked failed, its
 * QP moved to the error state (every posted work request is flushed), and
 * poll / submit return -ENXIO; the generic code then completes what is
 * outstanding with Transient Transport Error. Teardown waits (bounded)
 * until every posted work request has been flushed before destroying the
 * QP.
 */
#ifndef NVMF_TGT_NVME_RDMA_INTERNAL_H
#define NVMF_TGT_NVME_RDMA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme/nvme_internal.h"
#include "util.h"

#define NVME_RDMA_LOG "nvme_rdma"
#define NVME_RDMA_ICD_CAP 8192u        /* in-capsule data used at most */
#define NVME_RDMA_MR_CACHE_MAX 4096u   /* cached registrations per queue pair */
#define NVME_RDMA_WC_BATCH 32          /* work completions per ibv_poll_cq() */
#define NVME_RDMA_CM_POLL_EVERY 64u    /* polls between two looks at CM events */
#define NVME_RDMA_DRAIN_MS 2000u       /* teardown: wait for flushed work at most */
#define NVME_RDMA_RD_ATOM_MAX 16u      /* RDMA READ depth offered / asked for */
#define NVME_RDMA_WR_RECV (1ull << 63) /* wr_id of a receive: this bit | slot */

/* ------------------------------------------------------------ rdma_wire.c */

/**
 * Fill the CM connect request private data of queue @qid with @entries
 * entries: RECFMT 0, HRQSIZE = @entries, HSQSIZE = @entries - 1 (the
 * Connect SQSIZE), CNTLID = NVMF_CNTLID_DYNAMIC for the admin queue and
 * @cntlid (the admin queue's controller) for an I/O queue.
 */
void nvme_rdma_cm_req_data(struct nvmf_rdma_request_private_data *pd, uint16_t qid,
			   uint32_t entries, uint16_t cntlid);

/**
 * Interpret the private data of a CM reject. @sts receives the NVMe/RDMA
 * reject status (0 when there is none: not an NVMe/RDMA reject).
 * @return -ECONNREFUSED when nothing listens / no private data / the
 *         controller has no resources, -EPROTO when it refused our
 *         parameters.
 */
int nvme_rdma_cm_reject_parse(const void *pdata, uint8_t len, uint16_t *sts);

/** Name of an NVMe/RDMA reject status, for log lines. */
const char *nvme_rdma_reject_str(uint16_t sts);

/** SGL of a command without data: keyed, length 0, key 0. */
void nvme_rdma_sgl_none(struct nvme_cmd *cmd);

/** SGL of data in host memory: keyed data block, subtype address. */
void nvme_rdma_sgl_keyed(struct nvme_cmd *cmd, uint64_t addr, uint32_t len, uint32_t rkey);

/** SGL of @len bytes of in-capsule data right after the SQE (offset 0). */
void nvme_rdma_sgl_incapsule(struct nvme_cmd *cmd, uint32_t len);

/** In-capsule data limit of queue @qid given the controller's IOCCSZ (0 = none). */
uint32_t nvme_rdma_icd_max(uint16_t qid, uint32_t ioccsz);

/* -------------------------------------------------------------- rdma_mr.c */

/** One registration: [addr, addr + len), its keys and the verbs handle. */
struct nvme_rdma_mr {
	uintptr_t addr;
	size_t len;
	uint32_t lkey;
	uint32_t rkey;
	void *handle; /* NULL: none */
};

/** How to register: ibv_reg_mr() on a PD, or a fake in the tests. */
struct nvme_rdma_mr_ops {
	/** Register @len bytes at @addr with @access (IBV_ACCESS_*); fills @mr. */
	int (*reg)(void *ctx, void *addr, size_t len, int access, struct nvme_rdma_mr *mr);
	void (*dereg)(void *ctx, void *handle);
};

struct nvme_rdma_mr_cache {
	const struct nvme_rdma_mr_ops *ops;
	void *ctx;
	struct nvme_rdma_mr *ents; /* sorted by addr */
	uint32_t n, cap, max;
	size_t max_len; /* longest entry: bounds the backward scan of a lookup */
	int access;     /* of every cached registration */
};

/** Initialise an empty cache of at most @max entries. No allocation yet. */
void nvme_rdma_mr_cache_init(struct nvme_rdma_mr_cache *c, const struct nvme_rdma_mr_ops *ops,
			     void *ctx, uint32_t max, int access);

/** A cached registration containing [@addr, @addr + @len), copied to @out. */
bool nvme_rdma_mr_cache_find(const struct nvme_rdma_mr_cache *c, const void *addr, size_t len,
			     struct nvme_rdma_mr *out);

/**
 * Find, or register [@addr, @addr + @len) and cache it.
 * @return 0 and @out filled, -ENOSPC (cache full: register per command),
 *         -ENOMEM, or the registration's error.
 */
int nvme_rdma_mr_cache_get(struct nvme_rdma_mr_cache *c, void *addr, size_t len,
			   struct nvme_rdma_mr *out);

/** Deregister everything and free the table. */
void nvme_rdma_mr_cache_fini(struct nvme_rdma_mr_cache *c);

/* ---------------------------------------------------------------- objects */

struct rdma_event_channel;
struct rdma_cm_id;
struct ibv_pd;
struct ibv_cq;
struct ibv_qp;
struct ibv_mr;

/** Transport state of one command, indexed by CID. */
struct nvme_rdma_req {
	bool send_busy;         /* SEND posted, its completion not seen yet */
	bool rsp_pending;       /* response arrived first: completes with the SEND */
	struct nvme_cpl cpl;    /* that response */
	struct nvme_rdma_mr mr; /* registration for this command only */
};

struct nvme_rdma_qpair {
	struct nvme_qpair base;
	struct rdma_event_channel *ec;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	bool connected;
	uint32_t icd_max;
	uint32_t capsule_size; /* SQE + icd_max */
	uint8_t *capsules;     /* [num_reqs] slots */
	struct ibv_mr *capsule_mr;
	struct nvme_cpl *rsps; /* [num_entries] receive slots */
	struct ibv_mr *rsp_mr;
	struct nvme_rdma_req *rreqs;
	struct nvme_rdma_mr_cache mrs;
	uint32_t sends_posted;
	uint32_t recvs_posted;
	uint32_t polls;
	uint32_t completions; /* by the current poll */
	char name[112];       /* for log lines: address, port, queue id */
};

static inline struct nvme_rdma_qpair *nvme_rdma_qpair(struct nvme_qpair *q)
{
	return container_of(q, struct nvme_rdma_qpair, base);
}

extern const struct nvme_transport_ops nvme_rdma_ops;

/* rdma_conn.c */
/** Handle pending CM events of an established queue pair. @return 0 or -ENXIO. */
int nvme_rdma_cm_poll(struct nvme_rdma_qpair *rq);

/* rdma_io.c */
/** Log why the queue pair failed (once), mark it failed, QP to error. @return -ENXIO. */
int nvme_rdma_fail(struct nvme_rdma_qpair *rq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** Post the receive of response slot @idx. @return 0 or -errno. */
int nvme_rdma_post_recv(struct nvme_rdma_qpair *rq, uint32_t idx);
/** Teardown: reap flushed work requests until none is posted or @ms elapsed. */
void nvme_rdma_drain(struct nvme_rdma_qpair *rq, uint32_t ms);
/** Drop the per-command registrations still held (teardown). */
void nvme_rdma_reqs_release(struct nvme_rdma_qpair *rq);
int nvme_rdma_submit(struct nvme_qpair *q, struct nvme_request *req);
int nvme_rdma_poll(struct nvme_qpair *q, uint32_t max);

#endif /* NVMF_TGT_NVME_RDMA_INTERNAL_H */
