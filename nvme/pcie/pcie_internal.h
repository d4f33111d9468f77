/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_internal.h - the PCIe host transport: a local NVMe controller driven
 * from user space, polled (no interrupts), through env's PCI and DMA API.
 *
 *   pcie_ctrlr.c  probe and attach (BAR0), register access, controller
 *                 disable and admin queue set-up, shutdown, the ops table
 *   pcie_qpair.c  queue memory, SQ submit (tail doorbell), CQ reaping by
 *                 phase tag (one head doorbell per batch), Create / Delete
 *                 I/O queues, admin bounce buffers
 *   pcie_prp.c    PRP entries and (chained) PRP lists from env IOVAs
 *   pcie_claim.c  the per-address claim lock file (one owner per drive)
 *   pcie_reset.c  health (CSTS.CFS, all-ones reads), command time-outs:
 *                 Abort, then controller reset and I/O queue re-creation
 *
 * Memory: each queue pair preallocates, in DMA-able memory, its SQ and CQ
 * rings and NVME_PCIE_PRP_PAGES list pages per request; per-command state
 * lives in a tracker array indexed by CID. Nothing is allocated per I/O
 * (admin commands with a caller's non-DMA buffer bounce through an
 * env_dma_zalloc'd copy; so does the DSM range list the generic layer
 * copies with malloc).
 *
 * Threads: an I/O queue pair is polled by its owner only. The admin queue
 * is also reached from I/O threads (Abort and reset after a time-out, queue
 * creation from poll groups), so every admin-queue access made by this
 * transport holds the controller's (recursive) admin_lock.
 *
 * Reset (nvme_ctrlr_reset() or a command time-out), without touching any
 * I/O queue pair from the resetting thread:
 *   resetting thread, admin_lock held throughout:
 *     generation++ (odd: "reset in progress"), CC.EN=0, wait RDY=0, admin
 *     rings emptied and reprogrammed (its outstanding commands aborted),
 *     CC.EN=1, wait RDY=1, Set Features number of queues, generation++
 *     (even again; dead set first when any step failed)
 *   each I/O queue pair, on its owner's thread:
 *     submit: generation differs from the one its queues were created in
 *       -> -EAGAIN ("queue full": poll and retry)
 *     poll: generation differs -> try admin_lock (busy: return 0, try on
 *       the next poll, so a poll never waits for a reset); under the lock
 *       read the generation, empty the rings, Create I/O CQ + SQ again,
 *       remember the generation, unlock; then complete every command it
 *       had outstanding with Aborted due to SQ Deletion (SCT 0, SC 0x08,
 *       DNR clear: retriable), exactly once. Callbacks may resubmit at once:
 *       the queue already exists again.
 * Shared state: generation and dead are only read and written with
 * __atomic builtins (release on write, acquire on read); everything else a
 * reset touches is the admin queue, under admin_lock. Reading the
 * generation and creating the queues under the same lock means a queue
 * pair can never record a generation its queues were not created in.
 * A command submitted just before the first bump may still be rung into
 * the old SQ while the controller goes down: it is outstanding like the
 * others and aborted the same way (a doorbell write to a queue that no
 * longer exists is ignored by the controller, at most reported as an
 * asynchronous event).
 */
#ifndef NVMF_TGT_NVME_PCIE_INTERNAL_H
#define NVMF_TGT_NVME_PCIE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "nvme/nvme_internal.h"
#include "util.h"

#define NVME_PCIE_LOG "nvme_pcie"
#define NVME_PCIE_PAGE 4096u           /* CC.MPS 0 */
#define NVME_PCIE_PRP_PER_PAGE 512u    /* 8-byte entries in one list page */
#define NVME_PCIE_MAX_XFER (2u << 20)  /* largest transfer we build PRPs for */
#define NVME_PCIE_MAX_QSIZE 1024u      /* entries per I/O queue */
#define NVME_PCIE_TIMEOUT_MS 30000u    /* default command time-out */
#define NVME_PCIE_HEALTH_MS 10u        /* CSTS / time-out check period */
#define NVME_PCIE_REMOVAL_MS 100u      /* period of the look for a removal by the kernel */
#define NVME_PCIE_SHUTDOWN_MS 10000u   /* shutdown bound when RTD3E is 0 */
#define NVME_PCIE_CLASS_CODE 0x010802u /* mass storage, NVM, NVMe */

/* List pages per request: one entry per page after the first, 511 data
 * entries in a page that chains, 512 in the last one. */
#define NVME_PCIE_PRP_PAGES                                                                        \
	((NVME_PCIE_MAX_XFER / NVME_PCIE_PAGE + NVME_PCIE_PRP_PER_PAGE - 3) /                      \
	 (NVME_PCIE_PRP_PER_PAGE - 1))

/** Per-command transport state, indexed by CID. */
struct nvme_pcie_tracker {
	uint64_t *prp_list;       /* this command's list pages (NVME_PCIE_PRP_PAGES) */
	const uint64_t *prp_iova; /* their IOVAs */
	void *bounce;             /* env_dma_zalloc'd copy of a non-DMA buffer */
	bool abort_sent;
	bool stale; /* outstanding when the controller was reset */
	uint64_t abort_ticks;
};

struct nvme_pcie_ctrlr {
	struct nvme_ctrlr base;
	struct env_pci_dev *dev;
	volatile uint8_t *bar;
	uint64_t bar_size;
	uint32_t dstrd;
	uint64_t timeout_ticks;
	pthread_mutex_t admin_lock;  /* recursive */
	uint32_t generation;         /* __atomic only: odd while a reset runs */
	uint64_t next_removal_check; /* __atomic only: ticks */
	bool dead;                   /* __atomic only: fatal status or gone, all fail */
	bool claimed;                /* claim_fd holds this address's claim lock */
	int claim_fd;
};

struct nvme_pcie_qpair {
	struct nvme_qpair base;
	struct nvme_cmd *sq;
	struct nvme_cpl *cq;
	uint64_t sq_iova, cq_iova;
	volatile uint32_t *sq_db, *cq_db;
	uint16_t sq_tail;
	uint16_t cq_head;
	uint8_t phase;
	uint32_t generation;  /* the controller's, when the queues were created */
	uint64_t next_health; /* ticks of the next CSTS / time-out check */
	struct nvme_pcie_tracker *tr;
	uint64_t *prp_pages; /* DMA: num_reqs * NVME_PCIE_PRP_PAGES pages */
	uint64_t *prp_iovas; /* their IOVAs, one per page */
	/* statistics (the unit tests check the doorbell discipline with them) */
	uint64_t sq_db_writes;
	uint64_t cq_db_writes;
};

static inline struct nvme_pcie_ctrlr *nvme_pcie_ctrlr(struct nvme_ctrlr *c)
{
	return container_of(c, struct nvme_pcie_ctrlr, base);
}

static inline struct nvme_pcie_qpair *nvme_pcie_qpair(struct nvme_qpair *q)
{
	return container_of(q, struct nvme_pcie_qpair, base);
}

static inline uint32_t nvme_pcie_generation(const struct nvme_pcie_ctrlr *pc)
{
	return __atomic_load_n(&pc->generation, __ATOMIC_ACQUIRE);
}

static inline bool nvme_pcie_is_dead(const struct nvme_pcie_ctrlr *pc)
{
	return __atomic_load_n(&pc->dead, __ATOMIC_ACQUIRE);
}

/*
 * Barriers. wmb: the SQ entry (and PRP list) stores must be visible in
 * memory before the doorbell store tells the device to fetch them. rmb:
 * the CQE's other fields must be read after the load that saw its phase
 * tag flip, or we could read a stale entry the device is still writing.
 */
static inline void nvme_pcie_wmb(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("sfence" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

static inline void nvme_pcie_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline uint32_t nvme_pcie_mmio_read4(const struct nvme_pcie_ctrlr *pc, uint32_t off)
{
	return *(const volatile uint32_t *)(pc->bar + off);
}

static inline void nvme_pcie_mmio_write4(struct nvme_pcie_ctrlr *pc, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(pc->bar + off) = v;
}

/* pcie_ctrlr.c */
extern const struct nvme_transport_ops nvme_pcie_ops;
int nvme_pcie_reg_read4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t *val);
int nvme_pcie_reg_read8(struct nvme_ctrlr *ctrlr, uint32_t off, uint64_t *val);
int nvme_pcie_reg_write4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t val);
/** CC.EN=0 and wait for CSTS.RDY=0 within CAP.TO. */
int nvme_pcie_ctrlr_disable(struct nvme_pcie_ctrlr *pc);
/** Program AQA/ASQ/ACQ and CC (fields, EN=0) for the admin queue. */
void nvme_pcie_ctrlr_program_admin(struct nvme_pcie_ctrlr *pc);
/** Shut down (CC.SHN normal) and wait for SHST complete; logs the result. */
int nvme_pcie_ctrlr_shutdown(struct nvme_pcie_ctrlr *pc);

/* pcie_qpair.c */
/**
 * Set up queue @qid of @entries entries on @pc: rings, trackers and PRP
 * list pages in DMA memory, doorbells from @pc->bar and @pc->dstrd.
 */
int nvme_pcie_qpair_init(struct nvme_pcie_qpair *pq, struct nvme_pcie_ctrlr *pc, uint16_t qid,
			 uint32_t entries);
void nvme_pcie_qpair_fini(struct nvme_pcie_qpair *pq);
/** Empty the rings (after a reset): tail, head 0, phase 1, CQ zeroed. */
void nvme_pcie_qpair_reset_rings(struct nvme_pcie_qpair *pq);
int nvme_pcie_qpair_submit(struct nvme_qpair *q, struct nvme_request *req);
int nvme_pcie_qpair_poll(struct nvme_qpair *q, uint32_t max);
int nvme_pcie_qpair_create(struct nvme_ctrlr *ctrlr, uint16_t qid, uint32_t size,
			   struct nvme_qpair **qpair);
void nvme_pcie_qpair_destroy(struct nvme_qpair *q);
/** Create I/O CQ + SQ @pq on the controller (admin commands). */
int nvme_pcie_io_queues_create(struct nvme_pcie_qpair *pq);
/** Reap completions only (no health check). @return completions. */
uint32_t nvme_pcie_cq_process(struct nvme_pcie_qpair *pq, uint32_t max);
/**
 * Complete every command @pq has outstanding with @status, exactly once:
 * commands submitted from the callbacks meanwhile are not touched.
 * @return the number completed.
 */
uint32_t nvme_pcie_qpair_abort_outstanding(struct nvme_pcie_qpair *pq, uint16_t status);

/* pcie_prp.c */
/**
 * Fill the data pointer of @cmd with PRPs for @len bytes at @buf, using
 * @npages consecutive list pages at @list (the IOVA of each in @list_iova)
 * when more than two pages are touched; a list that fills a page chains to
 * the next one through its last entry.
 * @return 0, -EINVAL (not DMA-able memory, not dword aligned, or more
 *         pages than the lists hold).
 */
int nvme_pcie_prp_build(struct nvme_cmd *cmd, const void *buf, uint32_t len, uint64_t *list,
			const uint64_t *list_iova, uint32_t npages);

/* pcie_claim.c */
/**
 * Take the claim lock of @pc's address (sets claimed, claim_fd); logs who
 * holds it otherwise. @return 0, -EBUSY, or an errno.
 */
int nvme_pcie_claim_ctrlr(struct nvme_pcie_ctrlr *pc);

/* pcie_reset.c */
/**
 * Health and time-outs, called from poll every NVME_PCIE_HEALTH_MS.
 * @return 0, or -ENXIO when the controller is dead (CFS, all ones).
 */
int nvme_pcie_qpair_check(struct nvme_pcie_qpair *pq);
/** True when CSTS reads as fatal (CFS) or all ones (device gone). */
bool nvme_pcie_csts_fatal(struct nvme_pcie_ctrlr *pc);
/**
 * Reset the controller (admin_lock held): disable, admin queue, enable,
 * number of queues; marks it dead when that fails. @return 0 or an errno.
 */
int nvme_pcie_ctrlr_reset(struct nvme_pcie_ctrlr *pc);
/** The ctrlr_reset op: nvme_pcie_ctrlr_reset() under admin_lock. */
int nvme_pcie_ctrlr_reset_op(struct nvme_ctrlr *ctrlr);
/**
 * After a reset, on @pq's thread: re-create its queues, then complete what
 * it had outstanding with Aborted due to SQ Deletion.
 * @return the number of commands so completed (0 also when admin_lock is
 *         busy: nothing done, call again), or -ENXIO (dead, or the queues
 *         could not be created).
 */
int nvme_pcie_qpair_recover(struct nvme_pcie_qpair *pq);
/** Wait until (CSTS & @mask) == @want, at most @ms. -ETIMEDOUT, -ENXIO (all ones). */
int nvme_pcie_wait_csts(struct nvme_pcie_ctrlr *pc, uint32_t mask, uint32_t want, uint32_t ms);

#endif /* NVMF_TGT_NVME_PCIE_INTERNAL_H */
