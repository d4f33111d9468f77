/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_io.c - NVMe/RDMA host data path: command capsules posted as SENDs
 * (data in the capsule or described by a keyed SGL), the completion queue
 * (SEND completions and response capsules), failure and drain.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "env.h"
#include "nvme/rdma/rdma_internal.h"
#include "util.h"

int nvme_rdma_fail(struct nvme_rdma_qpair *rq, const char *fmt, ...)
{
	struct ibv_qp_attr qa = {.qp_state = IBV_QPS_ERR};
	va_list ap;
	bool first;

	va_start(ap, fmt);
	first = nvme_qpair_vmark_failed(&rq->base, NVME_RDMA_LOG, rq->name, fmt, ap);
	va_end(ap);
	/* No more data moves into or out of buffers the caller gets back now. */
	if (first && rq->qp != NULL)
		ibv_modify_qp(rq->qp, &qa, IBV_QP_STATE);
	return -ENXIO;
}

int nvme_rdma_post_recv(struct nvme_rdma_qpair *rq, uint32_t idx)
{
	struct ibv_sge sge = {
	    .addr = (uintptr_t)&rq->rsps[idx],
	    .length = sizeof(struct nvme_cpl),
	    .lkey = rq->rsp_mr->lkey,
	};
	struct ibv_recv_wr wr = {.wr_id = NVME_RDMA_WR_RECV | idx, .sg_list = &sge, .num_sge = 1};
	struct ibv_recv_wr *bad;
	int rc;

	rc = ibv_post_recv(rq->qp, &wr, &bad);
	if (rc != 0)
		return -rc;
	rq->recvs_posted++;
	return 0;
}

/* ------------------------------------------------------------------ submit */

static void req_mr_release(struct nvme_rdma_req *t)
{
	if (t->mr.handle != NULL)
		ibv_dereg_mr(t->mr.handle);
	t->mr.handle = NULL;
}

void nvme_rdma_reqs_release(struct nvme_rdma_qpair *rq)
{
	uint32_t i;

	for (i = 0; rq->rreqs != NULL && i < rq->base.num_reqs; i++)
		req_mr_release(&rq->rreqs[i]);
}

/* Keys for @req's buffer: cached for env memory, else for this command only. */
static int req_map(struct nvme_rdma_qpair *rq, struct nvme_rdma_req *t,
		   const struct nvme_request *req, uint32_t *rkey)
{
	struct nvme_rdma_mr mr;
	struct ibv_mr *m;
	int access, rc = -ENOSPC;

	if (nvme_rdma_mr_cache_find(&rq->mrs, req->buf, req->len, &mr)) {
		*rkey = mr.rkey;
		return 0;
	}
	if (req->copy == NULL && env_iova(req->buf) != ENV_IOVA_INVALID &&
	    env_iova((const uint8_t *)req->buf + req->len - 1) != ENV_IOVA_INVALID) {
		rc = nvme_rdma_mr_cache_get(&rq->mrs, req->buf, req->len, &mr);
		if (rc == 0) {
			*rkey = mr.rkey;
			return 0;
		}
	}
	if (rc != -ENOSPC)
		return rc;
	access = req->dir == NVME_DATA_HOST_TO_CONTROLLER
		     ? IBV_ACCESS_REMOTE_READ
		     : IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	m = ibv_reg_mr(rq->pd, req->buf, req->len, access);
	if (m == NULL)
		return errno ? -errno : -ENOMEM;
	t->mr.handle = m;
	*rkey = m->rkey;
	return 0;
}

static bool use_in_capsule(const struct nvme_rdma_qpair *rq, const struct nvme_request *req)
{
	return req->dir == NVME_DATA_HOST_TO_CONTROLLER && req->len <= rq->icd_max;
}

/* Fill the capsule slot of @req; @return bytes to send or a negative errno. */
static int capsule_build(struct nvme_rdma_qpair *rq, struct nvme_rdma_req *t,
			 const struct nvme_request *req, uint8_t *slot)
{
	struct nvme_cmd *cmd = (struct nvme_cmd *)slot;
	uint32_t rkey;
	int rc;

	*cmd = req->cmd;
	if (req->len == 0) {
		nvme_rdma_sgl_none(cmd);
		return NVME_SQE_SIZE;
	}
	if (use_in_capsule(rq, req)) {
		memcpy(slot + NVME_SQE_SIZE, req->buf, req->len);
		nvme_rdma_sgl_incapsule(cmd, req->len);
		return (int)(NVME_SQE_SIZE + req->len);
	}
	rc = req_map(rq, t, req, &rkey);
	if (rc != 0) {
		log_error(NVME_RDMA_LOG, "%s: cannot register %u bytes at %p: %s", rq->name,
			  req->len, req->buf, strerror(-rc));
		return rc;
	}
	nvme_rdma_sgl_keyed(cmd, (uintptr_t)req->buf, req->len, rkey);
	return NVME_SQE_SIZE;
}

int nvme_rdma_submit(struct nvme_qpair *q, struct nvme_request *req)
{
	struct nvme_rdma_qpair *rq = nvme_rdma_qpair(q);
	uint16_t cid = req->cmd.cid;
	struct nvme_rdma_req *t = &rq->rreqs[cid];
	uint8_t *slot = rq->capsules + (size_t)cid * rq->capsule_size;
	struct ibv_send_wr wr = {0}, *bad;
	struct ibv_sge sge;
	int len, rc;

	if (q->failed)
		return -ENXIO;
	if (req->dir == NVME_DATA_BIDIRECTIONAL || req->len > NVME_SGL_KEYED_MAX_LEN)
		return -EINVAL;
	req_mr_release(t);
	len = capsule_build(rq, t, req, slot);
	if (len < 0)
		return len == -ENOMEM ? -ENOMEM : -EINVAL;
	sge.addr = (uintptr_t)slot;
	sge.length = (uint32_t)len;
	sge.lkey = rq->capsule_mr->lkey;
	wr.wr_id = cid;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = IBV_WR_SEND;
	wr.send_flags = IBV_SEND_SIGNALED;
	rc = ibv_post_send(rq->qp, &wr, &bad);
	if (rc != 0) {
		req_mr_release(t);
		return nvme_rdma_fail(rq, "cannot post a SEND: %s", strerror(rc));
	}
	t->send_busy = true;
	t->rsp_pending = false;
	rq->sends_posted++;
	return 0;
}

/* ------------------------------------------------------------ completions */

static void req_complete(struct nvme_rdma_qpair *rq, uint16_t cid, const struct nvme_cpl *cpl)
{
	struct nvme_rdma_req *t = &rq->rreqs[cid];

	req_mr_release(t);
	t->rsp_pending = false;
	rq->completions++;
	nvme_qpair_complete(&rq->base, &rq->base.reqs[cid], cpl);
}

static int wc_send(struct nvme_rdma_qpair *rq, const struct ibv_wc *wc)
{
	uint16_t cid = (uint16_t)wc->wr_id;
	struct nvme_rdma_req *t = &rq->rreqs[cid];

	t->send_busy = false;
	if (t->rsp_pending)
		req_complete(rq, cid, &t->cpl);
	return 0;
}

static int wc_recv(struct nvme_rdma_qpair *rq, const struct ibv_wc *wc)
{
	uint32_t idx = (uint32_t)(wc->wr_id & ~NVME_RDMA_WR_RECV);
	struct nvme_cpl cpl = rq->rsps[idx];
	struct nvme_rdma_req *t;
	int rc;

	if (wc->byte_len < sizeof(cpl))
		return nvme_rdma_fail(rq, "response capsule of %u bytes", wc->byte_len);
	rc = nvme_rdma_post_recv(rq, idx);
	if (rc != 0)
		return nvme_rdma_fail(rq, "cannot post a receive: %s", strerror(-rc));
	if (cpl.cid >= rq->base.num_reqs || !rq->base.reqs[cpl.cid].active ||
	    rq->rreqs[cpl.cid].rsp_pending)
		return nvme_rdma_fail(rq, "response for unknown CID %u", cpl.cid);
	t = &rq->rreqs[cpl.cid];
	if (t->send_busy) {
		t->cpl = cpl;
		t->rsp_pending = true;
		return 0;
	}
	req_complete(rq, cpl.cid, &cpl);
	return 0;
}

/* Count @wc off; dispatch it unless the queue pair failed. */
static int wc_handle(struct nvme_rdma_qpair *rq, const struct ibv_wc *wc)
{
	bool recv = (wc->wr_id & NVME_RDMA_WR_RECV) != 0;

	if (recv)
		rq->recvs_posted--;
	else
		rq->sends_posted--;
	if (rq->base.failed)
		return -ENXIO;
	if (wc->status != IBV_WC_SUCCESS)
		return nvme_rdma_fail(rq, "%s work request failed: %s (vendor error 0x%x)",
				      recv ? "receive" : "send", ibv_wc_status_str(wc->status),
				      wc->vendor_err);
	return recv ? wc_recv(rq, wc) : wc_send(rq, wc);
}

int nvme_rdma_poll(struct nvme_qpair *q, uint32_t max)
{
	struct nvme_rdma_qpair *rq = nvme_rdma_qpair(q);
	struct ibv_wc wc[NVME_RDMA_WC_BATCH];
	int n, i;

	if (q->failed)
		return -ENXIO;
	if (++rq->polls % NVME_RDMA_CM_POLL_EVERY == 0 && nvme_rdma_cm_poll(rq) != 0)
		return -ENXIO;
	rq->completions = 0;
	do {
		n = ibv_poll_cq(rq->cq, NVME_RDMA_WC_BATCH, wc);
		if (n < 0)
			return nvme_rdma_fail(rq, "cannot poll the completion queue");
		for (i = 0; i < n; i++)
			wc_handle(rq, &wc[i]);
		if (q->failed)
			return -ENXIO;
	} while (n == NVME_RDMA_WC_BATCH && (max == 0 || rq->completions < max));
	return (int)rq->completions;
}

void nvme_rdma_drain(struct nvme_rdma_qpair *rq, uint32_t ms)
{
	uint64_t deadline = env_ticks() + nvme_ms_to_ticks(ms);
	struct ibv_wc wc[NVME_RDMA_WC_BATCH];
	int n, i;

	if (rq->cq == NULL)
		return;
	while (rq->sends_posted + rq->recvs_posted != 0) {
		n = ibv_poll_cq(rq->cq, NVME_RDMA_WC_BATCH, wc);
		if (n < 0)
			break;
		for (i = 0; i < n; i++) {
			if (wc[i].wr_id & NVME_RDMA_WR_RECV)
				rq->recvs_posted--;
			else
				rq->sends_posted--;
		}
		if (n > 0)
			continue;
		if (env_ticks() > deadline) {
			log_warn(NVME_RDMA_LOG,
				 "%s: %u sends and %u receives never flushed; destroying anyway",
				 rq->name, rq->sends_posted, rq->recvs_posted);
			return;
		}
		env_delay_us(100);
	}
}
