/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_req.c - NVMe/RDMA requests: capsule -> (data buffers -> RDMA READ)
 * -> exec -> (RDMA WRITE ->) SEND of the response.
 *
 * States (every change through nvmf_rdma_req_set_state()):
 *
 *   FREE -> EXEC -> SENDING -> FREE                 no data / in-capsule data
 *   FREE -> NEED_BUF -> [NEED_READ ->] READING -> EXEC -> SENDING -> FREE
 *   FREE -> NEED_BUF -> EXEC -> SENDING (WRITEs + SEND) -> FREE     reads
 *   EXEC / FREE (error) -> NEED_SEND -> SENDING         send queue full
 *   NEED_BUF / NEED_READ / READING -> [NEED_SEND ->] SENDING
 *                                    aborted (Abort): Command Abort Requested
 *   any waiting state -> FREE                           connection closing
 *
 * Waits never drop a request: NEED_BUF sits on the group's list until data
 * buffers return; NEED_READ on the connection's list until READ credits
 * (the negotiated initiator depth) and send queue slots are there;
 * NEED_SEND until send queue slots are. READs are all signaled; WRITEs are
 * unsignaled and chained before the signaled SEND, whose completion
 * releases the slots of the whole chain. Slots hold a request from the 2 *
 * depth of the connection: the host may reuse a command slot as soon as it
 * sees the response, before the SEND completion is polled here.
 *
 * Abort (ops.req_abort) of a command still here, before the core: waiting
 * for buffers or READ credits, it is answered at once; with READs posted,
 * the NIC still writes into its buffers, so it is only marked and answered
 * when the last READ completes, instead of going to the core. Its buffers
 * go back with the SEND completion, as always.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "transport/rdma/rdma_internal.h"
#include "util.h"

#define S(x) (1u << NVMF_RDMA_REQ_##x)
/* Legal predecessors of each state. */
static const uint32_t nvmf_rdma_req_from[NVMF_RDMA_REQ_NSTATES] = {
    [NVMF_RDMA_REQ_FREE] = ~0u,
    [NVMF_RDMA_REQ_NEED_BUF] = S(FREE),
    [NVMF_RDMA_REQ_NEED_READ] = S(NEED_BUF),
    [NVMF_RDMA_REQ_READING] = S(NEED_BUF) | S(NEED_READ),
    [NVMF_RDMA_REQ_EXEC] = S(FREE) | S(NEED_BUF) | S(READING),
    [NVMF_RDMA_REQ_NEED_SEND] = S(FREE) | S(NEED_BUF) | S(NEED_READ) | S(READING) | S(EXEC),
    [NVMF_RDMA_REQ_SENDING] =
	S(FREE) | S(NEED_BUF) | S(NEED_READ) | S(READING) | S(EXEC) | S(NEED_SEND),
};
#undef S

void nvmf_rdma_req_set_state(struct nvmf_rdma_req *req, enum nvmf_rdma_req_state s)
{
	if (!(nvmf_rdma_req_from[s] & (1u << req->state))) {
		log_error(NVMF_RDMA_LOG, "request %u: illegal state change %d -> %d", req->idx,
			  req->state, s);
		abort();
	}
	req->state = s;
}

int nvmf_rdma_reqs_alloc(struct nvmf_rdma_conn *c)
{
	uint32_t i, n = 2u * c->params.depth;

	c->reqs = calloc(n, sizeof(*c->reqs));
	c->rsp_mem = env_dma_zalloc((size_t)n * sizeof(struct nvme_cpl), 64);
	if (c->reqs == NULL || c->rsp_mem == NULL)
		return -ENOMEM;
	c->rsp_mr = ibv_reg_mr(c->dev->pd, c->rsp_mem, (size_t)n * sizeof(struct nvme_cpl),
			       IBV_ACCESS_LOCAL_WRITE);
	if (c->rsp_mr == NULL)
		return -ENOMEM;
	c->nreqs = n;
	for (i = 0; i < n; i++) {
		struct nvmf_rdma_req *r = &c->reqs[i];

		r->conn = c;
		r->idx = (uint16_t)i;
		r->base.qpair = &c->base;
		r->rsp = &c->rsp_mem[i];
		r->send_ctx.type = NVMF_RDMA_WR_SEND;
		r->read_ctx.type = NVMF_RDMA_WR_READ;
		r->write_ctx.type = NVMF_RDMA_WR_WRITE;
		TAILQ_INSERT_TAIL(&c->free_reqs, r, link);
	}
	return 0;
}

static void nvmf_rdma_req_recycle(struct nvmf_rdma_req *req);

void nvmf_rdma_reqs_free(struct nvmf_rdma_conn *c)
{
	uint32_t i;

	for (i = 0; c->reqs != NULL && i < c->nreqs; i++) {
		if (c->reqs[i].state != NVMF_RDMA_REQ_FREE)
			nvmf_rdma_req_recycle(&c->reqs[i]);
	}
	if (c->rsp_mr != NULL)
		ibv_dereg_mr(c->rsp_mr);
	env_dma_free(c->rsp_mem);
	free(c->reqs);
	c->rsp_mr = NULL;
	c->rsp_mem = NULL;
	c->reqs = NULL;
}

static void nvmf_rdma_req_unwait(struct nvmf_rdma_req *req)
{
	struct nvmf_rdma_conn *c = req->conn;

	if (!req->in_wait)
		return;
	if (req->state == NVMF_RDMA_REQ_NEED_BUF)
		TAILQ_REMOVE(&c->group->buf_wait, req, link);
	else if (req->state == NVMF_RDMA_REQ_NEED_READ)
		TAILQ_REMOVE(&c->read_wait, req, link);
	else
		TAILQ_REMOVE(&c->send_wait, req, link);
	req->in_wait = false;
}

static void nvmf_rdma_req_recycle(struct nvmf_rdma_req *req)
{
	struct nvmf_rdma_conn *c = req->conn;
	struct nvmf_rdma_recv *r = req->recv;
	void *bufs[NVMF_REQ_MAX_IOV];
	uint32_t i;

	nvmf_rdma_req_unwait(req);
	for (i = 0; i < req->nbufs; i++)
		bufs[i] = req->base.iov[i].iov_base;
	if (req->nbufs > 0)
		nvmf_rdma_bufs_put(c->gdev, bufs, req->nbufs);
	req->nbufs = 0;
	req->base.iovcnt = 0;
	if (req->state == NVMF_RDMA_REQ_EXEC)
		c->core_owned--;
	req->recv = NULL;
	/* The capsule buffer goes back: to the SRQ always, to the QP while it runs. */
	if (r != NULL && (r->conn == NULL || c->state == NVMF_RDMA_CONN_RUNNING) &&
	    nvmf_rdma_recv_post(r) != 0)
		log_warn(NVMF_RDMA_LOG, "cannot post a receive buffer again");
	nvmf_rdma_req_set_state(req, NVMF_RDMA_REQ_FREE);
	TAILQ_INSERT_HEAD(&c->free_reqs, req, link);
}

static void nvmf_rdma_req_exec(struct nvmf_rdma_req *req)
{
	struct nvmf_rdma_conn *c = req->conn;

	nvmf_rdma_req_set_state(req, NVMF_RDMA_REQ_EXEC);
	c->core_owned++;
	c->base.transport->up.exec(&req->base);
}

/* Work requests to move @req's data with at most max_sge entries each. */
static uint32_t nvmf_rdma_req_nwr(const struct nvmf_rdma_req *req)
{
	uint32_t sge = req->conn->max_sge;

	return (req->base.iovcnt + sge - 1) / sge;
}

/*
 * Chain READs or WRITEs over req's buffers into @wr (room for nwr), local
 * SGEs in @sge; the remote side is one contiguous keyed region.
 */
static void nvmf_rdma_req_build_rw(struct nvmf_rdma_req *req, enum ibv_wr_opcode op,
				   struct ibv_send_wr *wr, struct ibv_sge *sge)
{
	struct nvmf_rdma_conn *c = req->conn;
	uint32_t nwr = nvmf_rdma_req_nwr(req), i, k = 0;
	uint64_t raddr = req->sgl.addr;

	for (i = 0; i < nwr; i++) {
		struct ibv_send_wr *w = &wr[i];
		uint32_t j;

		memset(w, 0, sizeof(*w));
		w->opcode = op;
		w->sg_list = &sge[k];
		w->wr.rdma.remote_addr = raddr;
		w->wr.rdma.rkey = req->sgl.key;
		for (j = 0; j < c->max_sge && k < req->base.iovcnt; j++, k++) {
			sge[k].addr = (uintptr_t)req->base.iov[k].iov_base;
			sge[k].length = (uint32_t)req->base.iov[k].iov_len;
			sge[k].lkey = c->gdev->buf_mr->lkey;
			raddr += sge[k].length;
		}
		w->num_sge = (int)j;
		if (op == IBV_WR_RDMA_READ) {
			w->wr_id = (uintptr_t)&req->read_ctx;
			w->send_flags = IBV_SEND_SIGNALED;
		} else {
			w->wr_id = (uintptr_t)&req->write_ctx;
		}
		w->next = i + 1 < nwr ? &wr[i + 1] : NULL;
	}
}

/* Work requests before @bad in the chain @wr (all when @bad is NULL). */
static uint32_t nvmf_rdma_wr_posted(struct ibv_send_wr *wr, struct ibv_send_wr *bad)
{
	uint32_t n = 0;

	for (; wr != NULL && wr != bad; wr = wr->next)
		n++;
	return n;
}

/* Post the READs of @req if credits and slots allow. @return 0 or -EAGAIN. */
static int nvmf_rdma_req_try_read(struct nvmf_rdma_req *req)
{
	struct nvmf_rdma_conn *c = req->conn;
	struct ibv_send_wr wr[NVMF_REQ_MAX_IOV], *bad = NULL;
	struct ibv_sge sge[NVMF_REQ_MAX_IOV];
	uint32_t nwr = nvmf_rdma_req_nwr(req), posted;
	int rc;

	if (c->reads_out + nwr > c->ord || c->sq_used + nwr > c->sq_size)
		return -EAGAIN;
	nvmf_rdma_req_build_rw(req, IBV_WR_RDMA_READ, wr, sge);
	rc = ibv_post_send(c->qp, wr, &bad);
	posted = rc == 0 ? nwr : nvmf_rdma_wr_posted(wr, bad);
	nvmf_rdma_req_set_state(req, NVMF_RDMA_REQ_READING);
	req->reads_left = posted;
	c->reads_out += posted;
	c->sq_used += posted;
	c->wr_out += posted;
	if (rc != 0) {
		req->wr_error = true;
		nvmf_rdma_conn_close(c, "cannot post an RDMA READ");
		if (posted == 0)
			nvmf_rdma_req_recycle(req);
	}
	return 0;
}

/*
 * Post @req by @try_post unless others wait on @wait before it; when they do
 * (or @try_post finds no room), queue it there in state @st, in order.
 */
static void nvmf_rdma_req_post_or_wait(struct nvmf_rdma_req *req, struct nvmf_rdma_req_list *wait,
				       int (*try_post)(struct nvmf_rdma_req *req),
				       enum nvmf_rdma_req_state st)
{
	if (TAILQ_EMPTY(wait) && try_post(req) == 0)
		return;
	nvmf_rdma_req_set_state(req, st);
	TAILQ_INSERT_TAIL(wait, req, link);
	req->in_wait = true;
}

static void nvmf_rdma_req_start_read(struct nvmf_rdma_req *req)
{
	nvmf_rdma_req_post_or_wait(req, &req->conn->read_wait, nvmf_rdma_req_try_read,
				   NVMF_RDMA_REQ_NEED_READ);
}

/* Post (WRITEs and) the SEND of @req if slots allow. @return 0 or -EAGAIN. */
static int nvmf_rdma_req_try_send(struct nvmf_rdma_req *req)
{
	struct nvmf_rdma_conn *c = req->conn;
	struct ibv_send_wr wr[NVMF_REQ_MAX_IOV + 1], *send, *bad = NULL;
	struct ibv_sge sge[NVMF_REQ_MAX_IOV], rsp_sge;
	bool write = req->base.xfer == NVMF_XFER_C2H && req->base.length > 0 &&
		     !nvme_cpl_is_error(&req->base.cpl);
	uint32_t nwr = write ? nvmf_rdma_req_nwr(req) : 0;

	if (c->sq_used + nwr + 1 > c->sq_size)
		return -EAGAIN;
	if (write)
		nvmf_rdma_req_build_rw(req, IBV_WR_RDMA_WRITE, wr, sge);
	send = &wr[nwr];
	memset(send, 0, sizeof(*send));
	if (nwr > 0)
		wr[nwr - 1].next = send;
	*req->rsp = req->base.cpl;
	rsp_sge.addr = (uintptr_t)req->rsp;
	rsp_sge.length = sizeof(*req->rsp);
	rsp_sge.lkey = c->rsp_mr->lkey;
	send->wr_id = (uintptr_t)&req->send_ctx;
	send->sg_list = &rsp_sge;
	send->num_sge = 1;
	send->send_flags = IBV_SEND_SIGNALED;
	send->opcode = IBV_WR_SEND;
	if (req->sgl.invalidate && c->dev->has_inv) {
		send->opcode = IBV_WR_SEND_WITH_INV;
		send->invalidate_rkey = req->sgl.key;
	}
	nvmf_rdma_req_set_state(req, NVMF_RDMA_REQ_SENDING);
	if (ibv_post_send(c->qp, wr, &bad) != 0) {
		nvmf_rdma_conn_close(c, "cannot post a response");
		nvmf_rdma_req_recycle(req);
		return 0;
	}
	req->sq_slots = nwr + 1;
	c->sq_used += nwr + 1;
	c->wr_out++;
	return 0;
}

static void nvmf_rdma_req_respond(struct nvmf_rdma_req *req)
{
	nvmf_rdma_req_post_or_wait(req, &req->conn->send_wait, nvmf_rdma_req_try_send,
				   NVMF_RDMA_REQ_NEED_SEND);
}

/* Complete @req here, unseen by the core, with generic status @sc. */
static void nvmf_rdma_req_fail(struct nvmf_rdma_req *req, uint16_t sc)
{
	struct nvme_cpl *cpl = &req->base.cpl;

	memset(cpl, 0, sizeof(*cpl));
	cpl->cid = req->base.cmd.cid;
	cpl->sqid = req->conn->base.qid;
	cpl->sqhd = req->conn->base.sq_head;
	nvme_cpl_set_status(cpl, NVME_STATUS_GENERIC(sc) | NVME_STATUS_DNR);
	req->base.xfer = NVMF_XFER_NONE;
	req->base.length = 0;
	nvmf_rdma_req_respond(req);
}

static int nvmf_rdma_req_take_buffers(struct nvmf_rdma_req *req)
{
	struct nvmf_rdma_conn *c = req->conn;
	uint32_t unit = c->base.transport->opts.io_unit_size;
	uint32_t len = req->base.length, n = (len + unit - 1) / unit, i;
	void *bufs[NVMF_REQ_MAX_IOV];

	if (nvmf_rdma_bufs_get(c->gdev, bufs, n) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		req->base.iov[i].iov_base = bufs[i];
		req->base.iov[i].iov_len = len > unit ? unit : len;
		len -= (uint32_t)req->base.iov[i].iov_len;
	}
	req->base.iovcnt = n;
	req->nbufs = n;
	return 0;
}

static void nvmf_rdma_req_buffers_ready(struct nvmf_rdma_req *req)
{
	if (req->base.xfer == NVMF_XFER_H2C)
		nvmf_rdma_req_start_read(req);
	else
		nvmf_rdma_req_exec(req);
}

static void nvmf_rdma_req_need_buf(struct nvmf_rdma_req *req)
{
	struct nvmf_rdma_group *g = req->conn->group;

	nvmf_rdma_req_set_state(req, NVMF_RDMA_REQ_NEED_BUF);
	if (TAILQ_EMPTY(&g->buf_wait) && nvmf_rdma_req_take_buffers(req) == 0) {
		nvmf_rdma_req_buffers_ready(req);
		return;
	}
	TAILQ_INSERT_TAIL(&g->buf_wait, req, link);
	req->in_wait = true;
}

int nvmf_rdma_req_retry_bufs(struct nvmf_rdma_group *g)
{
	struct nvmf_rdma_req *req;
	int busy = NVMF_POLL_IDLE, budget = 32;

	while (budget-- > 0 && (req = TAILQ_FIRST(&g->buf_wait)) != NULL) {
		if (nvmf_rdma_req_take_buffers(req) != 0)
			break;
		TAILQ_REMOVE(&g->buf_wait, req, link);
		req->in_wait = false;
		nvmf_rdma_req_buffers_ready(req);
		busy = NVMF_POLL_BUSY;
	}
	return busy;
}

void nvmf_rdma_req_retry_sq(struct nvmf_rdma_conn *c)
{
	struct nvmf_rdma_req *req;

	/* Responses first: they give slots back; READs only add work. */
	while (c->state == NVMF_RDMA_CONN_RUNNING && (req = TAILQ_FIRST(&c->send_wait)) != NULL) {
		if (c->sq_used + (req->base.xfer == NVMF_XFER_C2H ? nvmf_rdma_req_nwr(req) : 0) +
			1 >
		    c->sq_size)
			return;
		TAILQ_REMOVE(&c->send_wait, req, link);
		req->in_wait = false;
		nvmf_rdma_req_try_send(req);
	}
	while (c->state == NVMF_RDMA_CONN_RUNNING && (req = TAILQ_FIRST(&c->read_wait)) != NULL) {
		TAILQ_REMOVE(&c->read_wait, req, link);
		req->in_wait = false;
		if (nvmf_rdma_req_try_read(req) != 0) {
			TAILQ_INSERT_HEAD(&c->read_wait, req, link);
			req->in_wait = true;
			return;
		}
	}
}

void nvmf_rdma_req_recv(struct nvmf_rdma_conn *c, struct nvmf_rdma_recv *r)
{
	struct nvmf_rdma_transport *t = nvmf_rdma_conn_transport(c);
	struct nvmf_rdma_req *req = TAILQ_FIRST(&c->free_reqs);
	uint16_t sc;

	if (req == NULL || r->byte_len < NVME_SQE_SIZE) {
		if (r->conn == NULL)
			nvmf_rdma_recv_post(r);
		nvmf_rdma_conn_close(c, req ? "capsule shorter than an SQE"
					    : "more commands than the queue depth");
		return;
	}
	TAILQ_REMOVE(&c->free_reqs, req, link);
	req->recv = r;
	req->nbufs = 0;
	req->reads_left = 0;
	req->sq_slots = 0;
	req->wr_error = false;
	req->aborted = false;
	req->base.iovcnt = 0;
	memset(&req->base.cpl, 0, sizeof(req->base.cpl));
	memcpy(&req->base.cmd, r->buf, NVME_SQE_SIZE);
	sc = nvmf_rdma_sgl_parse(&req->base.cmd, r->byte_len - NVME_SQE_SIZE,
				 t->base.opts.max_io_size, &req->sgl);
	if (sc != NVME_SC_SUCCESS) {
		nvmf_rdma_req_fail(req, sc);
		return;
	}
	req->base.xfer = req->sgl.xfer;
	req->base.length = req->sgl.length;
	switch (req->sgl.kind) {
	case NVMF_RDMA_DATA_INCAPSULE:
		req->base.iov[0].iov_base = r->buf + NVME_SQE_SIZE + req->sgl.addr;
		req->base.iov[0].iov_len = req->sgl.length;
		req->base.iovcnt = 1;
		nvmf_rdma_req_exec(req);
		break;
	case NVMF_RDMA_DATA_KEYED:
		nvmf_rdma_req_need_buf(req);
		break;
	default:
		nvmf_rdma_req_exec(req);
		break;
	}
}

static void nvmf_rdma_req_read_done(struct nvmf_rdma_req *req, bool ok)
{
	struct nvmf_rdma_conn *c = req->conn;

	c->reads_out--;
	c->sq_used--;
	if (!ok)
		req->wr_error = true;
	if (--req->reads_left > 0)
		return;
	if (c->state != NVMF_RDMA_CONN_RUNNING || req->wr_error)
		nvmf_rdma_req_recycle(req);
	else if (req->aborted) /* the host's data is in: answer instead of the core */
		nvmf_rdma_req_fail(req, NVME_SC_ABORTED_BY_REQUEST);
	else
		nvmf_rdma_req_exec(req);
}

void nvmf_rdma_req_wc(struct nvmf_rdma_req *req, enum nvmf_rdma_wr_type type,
		      const struct ibv_wc *wc)
{
	struct nvmf_rdma_conn *c = req->conn;
	bool ok = wc->status == IBV_WC_SUCCESS;

	if (!ok && wc->status != IBV_WC_WR_FLUSH_ERR)
		nvmf_rdma_conn_close(c, ibv_wc_status_str(wc->status));
	switch (type) {
	case NVMF_RDMA_WR_READ:
		c->wr_out--;
		nvmf_rdma_req_read_done(req, ok);
		break;
	case NVMF_RDMA_WR_SEND:
		c->wr_out--;
		c->sq_used -= req->sq_slots;
		req->sq_slots = 0;
		nvmf_rdma_req_recycle(req);
		break;
	default:
		/* An unsignaled WRITE reports only its failure; the SEND follows. */
		return;
	}
	nvmf_rdma_req_retry_sq(c);
}

bool nvmf_rdma_req_abort(struct nvmf_qpair *qp, uint16_t cid)
{
	struct nvmf_rdma_conn *c = nvmf_rdma_conn_of(qp);

	for (uint32_t i = 0; i < c->nreqs; i++) {
		struct nvmf_rdma_req *r = &c->reqs[i];

		if (r->base.cmd.cid != cid || r->aborted)
			continue;
		if ((r->state == NVMF_RDMA_REQ_NEED_BUF || r->state == NVMF_RDMA_REQ_NEED_READ) &&
		    r->in_wait) {
			nvmf_rdma_req_unwait(r);
			nvmf_rdma_req_fail(r, NVME_SC_ABORTED_BY_REQUEST);
			return true;
		}
		if (r->state == NVMF_RDMA_REQ_READING) {
			r->aborted = true;
			return true;
		}
	}
	return false;
}

void nvmf_rdma_reqs_abort(struct nvmf_rdma_conn *c)
{
	uint32_t i;

	for (i = 0; i < c->nreqs; i++) {
		struct nvmf_rdma_req *r = &c->reqs[i];

		if (r->state == NVMF_RDMA_REQ_NEED_BUF || r->state == NVMF_RDMA_REQ_NEED_READ ||
		    r->state == NVMF_RDMA_REQ_NEED_SEND)
			nvmf_rdma_req_recycle(r);
	}
}

uint32_t nvmf_rdma_reqs_busy(struct nvmf_rdma_conn *c)
{
	uint32_t i, n = 0;

	for (i = 0; i < c->nreqs; i++) {
		if (c->reqs[i].state == NVMF_RDMA_REQ_READING ||
		    c->reqs[i].state == NVMF_RDMA_REQ_SENDING)
			n++;
	}
	return n;
}

void nvmf_rdma_req_complete(struct nvmf_request *r)
{
	struct nvmf_rdma_req *req = nvmf_rdma_req_of(r);
	struct nvmf_rdma_conn *c = req->conn;

	if (req->state != NVMF_RDMA_REQ_EXEC) {
		log_error(NVMF_RDMA_LOG, "req_complete on request %u not with the core (state %d)",
			  req->idx, req->state);
		return;
	}
	if (c->state != NVMF_RDMA_CONN_RUNNING) {
		nvmf_rdma_req_recycle(req);
		return;
	}
	c->core_owned--;
	nvmf_rdma_req_respond(req);
}
