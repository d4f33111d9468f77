/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_qpair.c - PCIe queue pairs: ring memory, submission (SQ tail
 * doorbell after a write barrier), completion by phase tag with one CQ head
 * doorbell per batch, and Create / Delete I/O CQ and SQ.
 *
 * Flow control needs no SQ head tracking: a queue of N entries has N - 1
 * requests (generic layer), and a command that completed was fetched, so
 * its SQ slot is free again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/pcie/pcie_internal.h"
#include "util.h"

/* Power-of-two alignment >= @size: the ring never crosses a hugepage. */
static size_t ring_align(size_t size)
{
	size_t a = NVME_PCIE_PAGE;

	while (a < size)
		a <<= 1;
	return a;
}

static int qpair_alloc_prp(struct nvme_pcie_qpair *pq)
{
	uint32_t n = pq->base.num_reqs * NVME_PCIE_PRP_PAGES, i;
	uint8_t *base;

	pq->prp_pages = env_dma_zalloc((size_t)n * NVME_PCIE_PAGE, NVME_PCIE_PAGE);
	pq->prp_iovas = calloc(n, sizeof(*pq->prp_iovas));
	if (pq->prp_pages == NULL || pq->prp_iovas == NULL)
		return -ENOMEM;
	base = (uint8_t *)pq->prp_pages;
	for (i = 0; i < n; i++) {
		pq->prp_iovas[i] = env_iova(base + (size_t)i * NVME_PCIE_PAGE);
		if (pq->prp_iovas[i] == ENV_IOVA_INVALID)
			return -EFAULT;
	}
	for (i = 0; i < pq->base.num_reqs; i++) {
		pq->tr[i].prp_list =
		    (uint64_t *)(base + (size_t)i * NVME_PCIE_PRP_PAGES * NVME_PCIE_PAGE);
		pq->tr[i].prp_iova = &pq->prp_iovas[i * NVME_PCIE_PRP_PAGES];
	}
	return 0;
}

int nvme_pcie_qpair_init(struct nvme_pcie_qpair *pq, struct nvme_pcie_ctrlr *pc, uint16_t qid,
			 uint32_t entries)
{
	size_t sq_bytes = (size_t)entries * sizeof(struct nvme_cmd);
	size_t cq_bytes = (size_t)entries * sizeof(struct nvme_cpl);
	uint32_t cq_db = nvme_doorbell_offset(qid, true, pc->dstrd);
	int rc;

	if ((uint64_t)cq_db + 4 > pc->bar_size)
		return -EINVAL;
	rc = nvme_qpair_init(&pq->base, &pc->base, qid, entries);
	if (rc != 0)
		return rc;
	pq->sq = env_dma_zalloc(sq_bytes, ring_align(sq_bytes));
	pq->cq = env_dma_zalloc(cq_bytes, ring_align(cq_bytes));
	pq->tr = calloc(pq->base.num_reqs, sizeof(*pq->tr));
	if (pq->sq == NULL || pq->cq == NULL || pq->tr == NULL) {
		rc = -ENOMEM;
		goto err_fini;
	}
	pq->sq_iova = env_iova(pq->sq);
	pq->cq_iova = env_iova(pq->cq);
	rc = qpair_alloc_prp(pq);
	if (rc != 0)
		goto err_fini;
	pq->sq_db = (volatile uint32_t *)(pc->bar + nvme_doorbell_offset(qid, false, pc->dstrd));
	pq->cq_db = (volatile uint32_t *)(pc->bar + cq_db);
	pq->generation = nvme_pcie_generation(pc);
	nvme_pcie_qpair_reset_rings(pq);
	return 0;

err_fini:
	nvme_pcie_qpair_fini(pq);
	return rc;
}

void nvme_pcie_qpair_fini(struct nvme_pcie_qpair *pq)
{
	uint32_t i;

	for (i = 0; pq->tr != NULL && i < pq->base.num_reqs; i++)
		env_dma_free(pq->tr[i].bounce);
	env_dma_free(pq->prp_pages);
	free(pq->prp_iovas);
	free(pq->tr);
	env_dma_free(pq->sq);
	env_dma_free(pq->cq);
	pq->prp_pages = NULL;
	pq->prp_iovas = NULL;
	pq->tr = NULL;
	pq->sq = NULL;
	pq->cq = NULL;
	nvme_qpair_fini(&pq->base);
}

void nvme_pcie_qpair_reset_rings(struct nvme_pcie_qpair *pq)
{
	memset(pq->cq, 0, (size_t)pq->base.num_entries * sizeof(*pq->cq));
	pq->sq_tail = 0;
	pq->cq_head = 0;
	pq->phase = 1;
}

/* ---------------------------------------------------------------- submit */

static bool qpair_may_bounce(const struct nvme_pcie_qpair *pq, const struct nvme_request *req)
{
	/* Admin commands and the DSM range copy; never caller I/O buffers. */
	return pq->base.qid == 0 || req->copy != NULL;
}

/* Data pointer of @req: PRPs of its buffer, or of a bounce copy. */
static int qpair_map_data(struct nvme_pcie_qpair *pq, struct nvme_request *req)
{
	struct nvme_pcie_tracker *tr = &pq->tr[req->cmd.cid];
	void *buf = req->buf;

	if (req->len == 0)
		return 0; /* dptr as the caller set it (Create I/O queue) */
	if (env_iova(buf) == ENV_IOVA_INVALID) {
		if (!qpair_may_bounce(pq, req))
			return -EINVAL;
		tr->bounce = env_dma_zalloc(req->len, NVME_PCIE_PAGE);
		if (tr->bounce == NULL)
			return -ENOMEM;
		if (req->dir == NVME_DATA_HOST_TO_CONTROLLER)
			memcpy(tr->bounce, buf, req->len);
		buf = tr->bounce;
	}
	return nvme_pcie_prp_build(&req->cmd, buf, req->len, tr->prp_list, tr->prp_iova,
				   NVME_PCIE_PRP_PAGES);
}

static void qpair_lock(struct nvme_pcie_qpair *pq)
{
	if (pq->base.qid == 0)
		pthread_mutex_lock(&nvme_pcie_ctrlr(pq->base.ctrlr)->admin_lock);
}

static void qpair_unlock(struct nvme_pcie_qpair *pq)
{
	if (pq->base.qid == 0)
		pthread_mutex_unlock(&nvme_pcie_ctrlr(pq->base.ctrlr)->admin_lock);
}

int nvme_pcie_qpair_submit(struct nvme_qpair *q, struct nvme_request *req)
{
	struct nvme_pcie_qpair *pq = nvme_pcie_qpair(q);
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(q->ctrlr);
	struct nvme_pcie_tracker *tr = &pq->tr[req->cmd.cid];
	int rc;

	if (nvme_pcie_is_dead(pc))
		return -ENXIO;
	if (q->qid != 0 && pq->generation != nvme_pcie_generation(pc))
		return -EAGAIN; /* reset: poll (re-creates the queues), then retry */
	tr->abort_sent = false;
	rc = qpair_map_data(pq, req);
	if (rc != 0) {
		env_dma_free(tr->bounce);
		tr->bounce = NULL;
		return rc;
	}
	qpair_lock(pq);
	pq->sq[pq->sq_tail] = req->cmd;
	if (++pq->sq_tail == q->num_entries)
		pq->sq_tail = 0;
	/* The entry (and its PRP list) must reach memory before the device
	 * sees the new tail and fetches it. */
	nvme_pcie_wmb();
	*pq->sq_db = pq->sq_tail;
	pq->sq_db_writes++;
	qpair_unlock(pq);
	return 0;
}

/* ------------------------------------------------------------ completion */

static void qpair_complete_one(struct nvme_pcie_qpair *pq, const struct nvme_cpl *cpl)
{
	struct nvme_qpair *q = &pq->base;
	struct nvme_request *req;
	struct nvme_pcie_tracker *tr;

	if (cpl->cid >= q->num_reqs || !q->reqs[cpl->cid].active) {
		log_warn(NVME_PCIE_LOG, "%s: queue %u: completion for unknown CID %u ignored",
			 q->ctrlr->trid.traddr, q->qid, cpl->cid);
		return;
	}
	req = &q->reqs[cpl->cid];
	tr = &pq->tr[cpl->cid];
	if (tr->bounce != NULL) {
		if (req->dir == NVME_DATA_CONTROLLER_TO_HOST && !nvme_cpl_is_error(cpl))
			memcpy(req->buf, tr->bounce, req->len);
		env_dma_free(tr->bounce);
		tr->bounce = NULL;
	}
	tr->abort_sent = false;
	nvme_qpair_complete(q, req, cpl);
}

uint32_t nvme_pcie_qpair_abort_outstanding(struct nvme_pcie_qpair *pq, uint16_t status)
{
	struct nvme_qpair *q = &pq->base;
	struct nvme_cpl cpl;
	uint32_t i, n = 0;

	/* Mark first: a callback may submit, and must not be aborted here. */
	for (i = 0; i < q->num_reqs; i++)
		pq->tr[i].stale = q->reqs[i].active;
	for (i = 0; i < q->num_reqs; i++) {
		if (!pq->tr[i].stale)
			continue;
		pq->tr[i].stale = false;
		memset(&cpl, 0, sizeof(cpl));
		cpl.cid = (uint16_t)i;
		cpl.sqid = q->qid;
		nvme_cpl_set_status(&cpl, status);
		qpair_complete_one(pq, &cpl);
		n++;
	}
	return n;
}

uint32_t nvme_pcie_cq_process(struct nvme_pcie_qpair *pq, uint32_t max)
{
	uint32_t n = 0;

	while (max == 0 || n < max) {
		volatile struct nvme_cpl *e = &pq->cq[pq->cq_head];
		struct nvme_cpl cpl;

		if ((e->status.raw & 1u) != pq->phase)
			break;
		/* Read the rest of the entry only after seeing its phase tag. */
		nvme_pcie_rmb();
		memcpy(&cpl, (const void *)e, sizeof(cpl));
		if (++pq->cq_head == pq->base.num_entries) {
			pq->cq_head = 0;
			pq->phase ^= 1u;
		}
		n++;
		qpair_complete_one(pq, &cpl);
	}
	if (n != 0) {
		/* One head doorbell for the whole batch. */
		*pq->cq_db = pq->cq_head;
		pq->cq_db_writes++;
	}
	return n;
}

int nvme_pcie_qpair_poll(struct nvme_qpair *q, uint32_t max)
{
	struct nvme_pcie_qpair *pq = nvme_pcie_qpair(q);
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(q->ctrlr);
	uint64_t now;
	int rc = 0, aborted = 0;

	if (nvme_pcie_is_dead(pc))
		return -ENXIO;
	if (q->qid != 0 && pq->generation != nvme_pcie_generation(pc)) {
		aborted = nvme_pcie_qpair_recover(pq);
		if (aborted < 0 || pq->generation != nvme_pcie_generation(pc))
			return aborted; /* failed, or not yet: the old CQ holds nothing */
	}
	qpair_lock(pq);
	rc = aborted + (int)nvme_pcie_cq_process(pq, max);
	now = env_ticks();
	if (now >= pq->next_health) {
		pq->next_health = now + nvme_ms_to_ticks(NVME_PCIE_HEALTH_MS);
		if (nvme_pcie_qpair_check(pq) != 0)
			rc = -ENXIO;
	}
	qpair_unlock(pq);
	return rc;
}

/* ------------------------------------------------------- I/O queue admin */

static int admin_exec(struct nvme_pcie_ctrlr *pc, struct nvme_cmd *cmd, const char *what,
		      uint16_t qid)
{
	struct nvme_cpl cpl;
	int rc;

	rc = nvme_qpair_exec_sync(pc->base.adminq, cmd, NULL, 0, NVME_DATA_NONE, &cpl,
				  pc->base.opts.timeout_ms);
	if (rc == 0 && nvme_cpl_is_error(&cpl)) {
		log_error(NVME_PCIE_LOG, "%s: %s of queue %u failed: status 0x%04x",
			  pc->base.trid.traddr, what, qid, nvme_cpl_get_status(&cpl));
		rc = -EPROTO;
	}
	return rc;
}

int nvme_pcie_io_queues_create(struct nvme_pcie_qpair *pq)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(pq->base.ctrlr);
	uint16_t qid = pq->base.qid;
	uint32_t qsize = (pq->base.num_entries - 1u) << 16;
	struct nvme_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_CREATE_IO_CQ;
	cmd.dptr.prp.prp1 = pq->cq_iova;
	cmd.cdw10 = qsize | qid;
	cmd.cdw11 = 0x1; /* PC=1 (contiguous), IEN=0: polled, no interrupt vector */
	pthread_mutex_lock(&pc->admin_lock);
	rc = admin_exec(pc, &cmd, "Create I/O CQ", qid);
	if (rc == 0) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opc = NVME_OPC_CREATE_IO_SQ;
		cmd.dptr.prp.prp1 = pq->sq_iova;
		cmd.cdw10 = qsize | qid;
		cmd.cdw11 = ((uint32_t)qid << 16) | 0x1; /* CQID, QPRIO urgent-less, PC=1 */
		rc = admin_exec(pc, &cmd, "Create I/O SQ", qid);
		if (rc != 0) {
			memset(&cmd, 0, sizeof(cmd));
			cmd.opc = NVME_OPC_DELETE_IO_CQ;
			cmd.cdw10 = qid;
			(void)admin_exec(pc, &cmd, "Delete I/O CQ", qid);
		}
	}
	pthread_mutex_unlock(&pc->admin_lock);
	return rc;
}

static void io_queues_delete(struct nvme_pcie_qpair *pq)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(pq->base.ctrlr);
	struct nvme_cmd cmd;

	if (nvme_pcie_is_dead(pc) || pc->base.adminq->failed ||
	    pq->generation != nvme_pcie_generation(pc))
		return;
	pthread_mutex_lock(&pc->admin_lock);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_DELETE_IO_SQ;
	cmd.cdw10 = pq->base.qid;
	if (admin_exec(pc, &cmd, "Delete I/O SQ", pq->base.qid) == 0) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opc = NVME_OPC_DELETE_IO_CQ;
		cmd.cdw10 = pq->base.qid;
		(void)admin_exec(pc, &cmd, "Delete I/O CQ", pq->base.qid);
	}
	pthread_mutex_unlock(&pc->admin_lock);
}

int nvme_pcie_qpair_create(struct nvme_ctrlr *ctrlr, uint16_t qid, uint32_t size,
			   struct nvme_qpair **qpair)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(ctrlr);
	struct nvme_pcie_qpair *pq;
	int rc;

	if (nvme_pcie_is_dead(pc))
		return -ENXIO;
	if (size > NVME_PCIE_MAX_QSIZE)
		size = NVME_PCIE_MAX_QSIZE;
	pq = calloc(1, sizeof(*pq));
	if (pq == NULL)
		return -ENOMEM;
	rc = nvme_pcie_qpair_init(pq, pc, qid, size);
	if (rc != 0) {
		free(pq);
		return rc;
	}
	/* The generation and the queues it is created in go together: no reset
	 * can run between reading one and creating the other. */
	pthread_mutex_lock(&pc->admin_lock);
	pq->generation = nvme_pcie_generation(pc);
	rc = nvme_pcie_io_queues_create(pq);
	pthread_mutex_unlock(&pc->admin_lock);
	if (rc != 0) {
		nvme_pcie_qpair_fini(pq);
		free(pq);
		return rc;
	}
	*qpair = &pq->base;
	return 0;
}

void nvme_pcie_qpair_destroy(struct nvme_qpair *q)
{
	struct nvme_pcie_qpair *pq = nvme_pcie_qpair(q);

	io_queues_delete(pq);
	nvme_pcie_qpair_fini(pq);
	free(pq);
}
