/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_reset.c - controller health, command time-outs and controller reset.
 *
 * Every NVME_PCIE_HEALTH_MS a polled queue pair reads CSTS: all ones means
 * the device is gone (surprise removal, bus error), CFS a fatal controller
 * error; either marks the controller dead and every queue's poll returns
 * -ENXIO (the generic layer then fails their outstanding commands). A
 * drive that no queue pair polls (no I/O, its poll groups asleep, or no
 * I/O queue pair yet) is looked at the same way by nvme_pcie_check(),
 * which the owner of the admin queue calls from a timer; whichever sees
 * it first marks it dead and calls the removed callback, once.
 *
 * Time-outs (I/O queues; the admin queue's synchronous commands have their
 * own deadline in the generic layer):
 *   command older than the time-out      -> Abort (admin) for its SQID/CID
 *   still there a time-out after Abort   -> controller reset
 *
 * Reset (the same for a time-out and for nvme_ctrlr_reset()): see the
 * design in pcie_internal.h. The resetting thread only touches the
 * registers and the admin queue; each I/O queue pair re-creates its queues
 * and aborts its commands itself, on its own thread (recover below).
 */
#include <errno.h>
#include <string.h>

#include "nvme/pcie/pcie_internal.h"
#include "util.h"

bool nvme_pcie_csts_fatal(struct nvme_pcie_ctrlr *pc)
{
	uint32_t csts = nvme_pcie_mmio_read4(pc, NVME_REG_CSTS);

	return csts == UINT32_MAX || NVME_REG_GET(csts, CSTS_CFS);
}

int nvme_pcie_wait_csts(struct nvme_pcie_ctrlr *pc, uint32_t mask, uint32_t want, uint32_t ms)
{
	uint64_t deadline = env_ticks() + nvme_ms_to_ticks(ms);
	uint32_t csts;

	for (;;) {
		csts = nvme_pcie_mmio_read4(pc, NVME_REG_CSTS);
		if (csts == UINT32_MAX)
			return -ENXIO;
		if ((csts & mask) == want)
			return 0;
		if (env_ticks() > deadline)
			return -ETIMEDOUT;
		env_delay_us(1000);
	}
}

static void abort_done(void *arg, const struct nvme_cpl *cpl)
{
	struct nvme_pcie_ctrlr *pc = arg;

	log_warn(NVME_PCIE_LOG, "%s: Abort %s (status 0x%04x, cdw0 0x%x)", pc->base.trid.traddr,
		 !nvme_cpl_is_error(cpl) && (cpl->cdw0 & 1u) == 0 ? "accepted" : "not performed",
		 nvme_cpl_get_status(cpl), cpl->cdw0);
}

static void send_abort(struct nvme_pcie_qpair *pq, struct nvme_request *req, uint64_t now)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(pq->base.ctrlr);
	struct nvme_cmd cmd = {.opc = NVME_OPC_ABORT};
	struct nvme_pcie_tracker *tr = &pq->tr[req->cmd.cid];
	int rc;

	cmd.cdw10 = ((uint32_t)req->cmd.cid << 16) | pq->base.qid;
	log_warn(NVME_PCIE_LOG, "%s: queue %u: command opc 0x%02x cid %u timed out; aborting it",
		 pc->base.trid.traddr, pq->base.qid, req->cmd.opc, req->cmd.cid);
	pthread_mutex_lock(&pc->admin_lock);
	rc = nvme_qpair_submit(pc->base.adminq, &cmd, NULL, 0, NVME_DATA_NONE, abort_done, pc);
	pthread_mutex_unlock(&pc->admin_lock);
	if (rc != 0)
		log_warn(NVME_PCIE_LOG, "%s: cannot send Abort (%d); will reset if it stays stuck",
			 pc->base.trid.traddr, rc);
	tr->abort_sent = true;
	tr->abort_ticks = now;
}

/* Reap Abort completions (nobody else may be polling the admin queue). */
static void reap_admin(struct nvme_pcie_ctrlr *pc)
{
	if (pthread_mutex_trylock(&pc->admin_lock) != 0)
		return;
	if (pc->base.adminq->outstanding != 0)
		(void)nvme_pcie_cq_process(nvme_pcie_qpair(pc->base.adminq), 0);
	pthread_mutex_unlock(&pc->admin_lock);
}

/* Scan @pq's commands for time-outs. @return true when a reset is needed. */
static bool check_timeouts(struct nvme_pcie_qpair *pq, uint64_t now)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(pq->base.ctrlr);
	uint32_t i;

	if (pq->base.outstanding == 0 || pc->timeout_ticks == 0)
		return false;
	for (i = 0; i < pq->base.num_reqs; i++) {
		struct nvme_request *req = &pq->base.reqs[i];
		struct nvme_pcie_tracker *tr = &pq->tr[i];

		if (!req->active || now - req->submit_ticks < pc->timeout_ticks)
			continue;
		if (!tr->abort_sent) {
			send_abort(pq, req, now);
			continue;
		}
		if (now - tr->abort_ticks >= pc->timeout_ticks)
			return true;
		reap_admin(pc);
	}
	return false;
}

static void mark_dead(struct nvme_pcie_ctrlr *pc, const char *why)
{
	nvme_ctrlr_mark_removed(&pc->base); /* seen by whoever then sees dead */
	if (__atomic_exchange_n(&pc->dead, true, __ATOMIC_ACQ_REL))
		return;
	log_error(NVME_PCIE_LOG, "%s: controller %s: failing all its I/O", pc->base.trid.traddr,
		  why);
	nvme_ctrlr_removed(&pc->base);
}

/* Has the kernel removed the function (or asked for it back)? Looked at every NVME_PCIE_REMOVAL_MS. */
static bool removal_requested(struct nvme_pcie_ctrlr *pc, uint64_t now)
{
	if (now < __atomic_load_n(&pc->next_removal_check, __ATOMIC_RELAXED))
		return false;
	__atomic_store_n(&pc->next_removal_check, now + nvme_ms_to_ticks(NVME_PCIE_REMOVAL_MS),
			 __ATOMIC_RELAXED);
	return env_pci_removal_requested(pc->dev);
}

/* CSTS and the kernel's removal request: dead when gone or failed. @return dead? */
static bool ctrlr_check(struct nvme_pcie_ctrlr *pc, uint64_t now)
{
	uint32_t csts;

	if (nvme_pcie_is_dead(pc))
		return true;
	csts = nvme_pcie_mmio_read4(pc, NVME_REG_CSTS);
	if (csts == UINT32_MAX)
		mark_dead(pc, "reads as all ones (gone from the bus)");
	else if (NVME_REG_GET(csts, CSTS_CFS))
		mark_dead(pc, "reports fatal status (CSTS.CFS)");
	else if (removal_requested(pc, now))
		mark_dead(pc, "was removed by the kernel (hot-unplug)");
	return nvme_pcie_is_dead(pc);
}

int nvme_pcie_check(struct nvme_ctrlr *ctrlr)
{
	if (ctrlr == NULL || ctrlr->ops != &nvme_pcie_ops)
		return -EINVAL;
	return ctrlr_check(nvme_pcie_ctrlr(ctrlr), env_ticks()) ? -ENXIO : 0;
}

int nvme_pcie_qpair_check(struct nvme_pcie_qpair *pq)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(pq->base.ctrlr);
	uint64_t now = env_ticks();

	if (ctrlr_check(pc, now))
		return -ENXIO;
	if (pq->base.qid == 0 || !check_timeouts(pq, now))
		return 0;
	pthread_mutex_lock(&pc->admin_lock);
	/* Reset unless another thread just did. */
	if (pq->generation == nvme_pcie_generation(pc))
		(void)nvme_pcie_ctrlr_reset(pc);
	pthread_mutex_unlock(&pc->admin_lock);
	return nvme_pcie_is_dead(pc) ? -ENXIO : 0;
}

static int reset_set_num_queues(struct nvme_pcie_ctrlr *pc)
{
	uint32_t n = pc->base.num_io_queues;
	struct nvme_cmd cmd = {.opc = NVME_OPC_SET_FEATURES};
	struct nvme_cpl cpl;
	int rc;

	if (n == 0)
		return 0;
	cmd.cdw10 = NVME_FEAT_NUMBER_OF_QUEUES;
	cmd.cdw11 = NVME_FEAT_NUM_QUEUES(n - 1, n - 1);
	rc = nvme_qpair_exec_sync(pc->base.adminq, &cmd, NULL, 0, NVME_DATA_NONE, &cpl,
				  pc->base.opts.timeout_ms);
	return rc != 0 ? rc : nvme_cpl_is_error(&cpl) ? -EPROTO : 0;
}

/* Disable, empty and reprogram the admin queue, enable, number of queues. */
static int reset_steps(struct nvme_pcie_ctrlr *pc)
{
	struct nvme_pcie_qpair *aq = nvme_pcie_qpair(pc->base.adminq);
	uint32_t cc, to_ms = nvme_cap_timeout_ms(pc->base.cap);
	int rc;

	rc = nvme_pcie_ctrlr_disable(pc);
	if (rc != 0)
		return rc;
	/* The controller forgot its queues: what the admin queue held is gone. */
	nvme_pcie_qpair_abort_outstanding(aq, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	nvme_pcie_qpair_reset_rings(aq);
	nvme_pcie_ctrlr_program_admin(pc);
	cc = nvme_pcie_mmio_read4(pc, NVME_REG_CC);
	nvme_pcie_mmio_write4(pc, NVME_REG_CC, NVME_REG_SET(cc, CC_EN, 1));
	rc = nvme_pcie_wait_csts(pc, NVME_CSTS_RDY_MASK << NVME_CSTS_RDY_SHIFT, 1,
				 to_ms ? to_ms : 500);
	if (rc == 0)
		rc = reset_set_num_queues(pc);
	return rc;
}

int nvme_pcie_ctrlr_reset(struct nvme_pcie_ctrlr *pc)
{
	int rc;

	if (nvme_pcie_is_dead(pc))
		return -ENXIO;
	log_warn(NVME_PCIE_LOG, "%s: resetting the controller", pc->base.trid.traddr);
	/* Odd: I/O queue pairs stop submitting until they re-create their queues. */
	__atomic_add_fetch(&pc->generation, 1, __ATOMIC_RELEASE);
	rc = reset_steps(pc);
	if (rc != 0) {
		log_error(NVME_PCIE_LOG, "%s: reset failed: %s", pc->base.trid.traddr,
			  strerror(-rc));
		mark_dead(pc, "did not come back from a reset");
	} else {
		log_notice(NVME_PCIE_LOG, "%s: controller reset done", pc->base.trid.traddr);
	}
	/* Even again: every I/O queue pair re-creates itself on its next poll
	 * (or sees dead, which the release orders before this). */
	__atomic_add_fetch(&pc->generation, 1, __ATOMIC_RELEASE);
	return rc;
}

int nvme_pcie_ctrlr_reset_op(struct nvme_ctrlr *ctrlr)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(ctrlr);
	int rc;

	pthread_mutex_lock(&pc->admin_lock);
	rc = nvme_pcie_ctrlr_reset(pc);
	pthread_mutex_unlock(&pc->admin_lock);
	return rc;
}

/* Under admin_lock: empty the rings, create the queues in this generation. */
static int recreate_queues(struct nvme_pcie_qpair *pq)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(pq->base.ctrlr);
	uint32_t gen = nvme_pcie_generation(pc);
	int rc;

	if (nvme_pcie_is_dead(pc))
		return -ENXIO;
	nvme_pcie_qpair_reset_rings(pq);
	rc = nvme_pcie_io_queues_create(pq);
	if (rc != 0) {
		log_error(NVME_PCIE_LOG, "%s: queue %u: cannot re-create after reset (%d)",
			  pc->base.trid.traddr, pq->base.qid, rc);
		return -ENXIO;
	}
	pq->generation = gen;
	return 0;
}

int nvme_pcie_qpair_recover(struct nvme_pcie_qpair *pq)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(pq->base.ctrlr);
	int rc;

	/* Busy: a reset (or another queue's re-creation) runs; next poll. */
	if (pthread_mutex_trylock(&pc->admin_lock) != 0)
		return 0;
	rc = recreate_queues(pq);
	pthread_mutex_unlock(&pc->admin_lock);
	if (rc != 0)
		return rc; /* the generic layer fails what is outstanding */
	return (int)nvme_pcie_qpair_abort_outstanding(
	    pq, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
}
