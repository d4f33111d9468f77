/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_req.c - NVMe/TCP requests: slots, data buffers, R2T sequencing,
 * completion.
 *
 * Request states (every change through nvmf_tcp_req_set_state()):
 *
 *   FREE -> RECV_ICD -> EXEC -> SENDING -> FREE      in-capsule write / no data
 *   FREE -> NEED_BUF -> R2T_SENDING -> H2C -> (R2T_SENDING -> H2C)* -> EXEC
 *   FREE -> NEED_BUF -> EXEC -> SENDING (C2HData...) -> FREE            reads
 *   any transport-owned state -> SENDING (error completed here) / FREE (close)
 *
 * NEED_BUF is left at once when buffers are there; otherwise the request
 * waits on the group's list and group_poll retries (never dropped, never
 * malloc). One R2T per request is outstanding at a time: the next one goes
 * out when the previous window's data is all in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "transport/tcp/tcp_internal.h"
#include "util.h"

#define S(x) (1u << TCP_REQ_##x)
/* Legal predecessors of each state. */
static const uint32_t tcp_req_from[TCP_REQ_NSTATES] = {
    [TCP_REQ_FREE] = ~0u,
    [TCP_REQ_RECV_ICD] = S(FREE),
    [TCP_REQ_NEED_BUF] = S(FREE),
    [TCP_REQ_R2T_SENDING] = S(NEED_BUF) | S(H2C),
    [TCP_REQ_H2C] = S(R2T_SENDING),
    [TCP_REQ_EXEC] = S(FREE) | S(RECV_ICD) | S(NEED_BUF) | S(H2C),
    [TCP_REQ_SENDING] = S(FREE) | S(RECV_ICD) | S(NEED_BUF) | S(H2C) | S(EXEC),
};
#undef S

void nvmf_tcp_req_set_state(struct tcp_req *req, enum tcp_req_state s)
{
	if (!(tcp_req_from[s] & (1u << req->state))) {
		log_error(TCP_LOG, "request %u: illegal state change %d -> %d", req->ttag,
			  req->state, s);
		abort();
	}
	req->state = s;
}

int nvmf_tcp_reqs_alloc(struct tcp_conn *c)
{
	struct tcp_transport *t = nvmf_tcp_conn_transport(c);
	uint32_t i, n = t->base.opts.max_queue_depth;

	if (n < t->base.opts.max_aq_depth)
		n = t->base.opts.max_aq_depth;
	c->reqs = calloc(n, sizeof(*c->reqs));
	if (c->reqs == NULL)
		return -ENOMEM;
	c->icd_mem = env_dma_zalloc((size_t)n * t->icd_buf_size, 4096);
	if (c->icd_mem == NULL) {
		free(c->reqs);
		c->reqs = NULL;
		return -ENOMEM;
	}
	c->nreqs = n;
	for (i = 0; i < n; i++) {
		struct tcp_req *r = &c->reqs[i];

		r->conn = c;
		r->ttag = (uint16_t)i;
		r->icd = c->icd_mem + (size_t)i * t->icd_buf_size;
		r->base.qpair = &c->base;
		r->rsp.req = r;
		r->c2h.req = r;
		TAILQ_INSERT_TAIL(&c->free_reqs, r, link);
	}
	return 0;
}

void nvmf_tcp_reqs_free(struct tcp_conn *c)
{
	uint32_t i;

	for (i = 0; c->reqs != NULL && i < c->nreqs; i++) {
		if (c->reqs[i].state != TCP_REQ_FREE)
			nvmf_tcp_req_recycle(&c->reqs[i]);
	}
	env_dma_free(c->icd_mem);
	free(c->reqs);
	c->icd_mem = NULL;
	c->reqs = NULL;
}

struct tcp_req *nvmf_tcp_req_get(struct tcp_conn *c)
{
	struct tcp_req *r = TAILQ_FIRST(&c->free_reqs);

	if (r == NULL)
		return NULL;
	TAILQ_REMOVE(&c->free_reqs, r, link);
	memset(&r->base.cpl, 0, sizeof(r->base.cpl));
	r->base.length = 0;
	r->base.xfer = NVMF_XFER_NONE;
	r->base.iovcnt = 0;
	/*
	 * sendmsg() copies from wherever the data is, but a data digest is
	 * computed when the PDU is built, before the copy: only private
	 * buffers keep the two in step under a concurrent write.
	 */
	r->base.c2h_any = !c->ddgst;
	r->base.c2h_iov = NULL;
	r->base.c2h_iovcnt = 0;
	r->base.h2c_lent = false;
	r->nbufs = 0;
	r->h2c_done = 0;
	r->r2t_off = 0;
	r->r2t_len = 0;
	r->c2h_off = 0;
	r->ddgst_error = false;
	r->aborted = false;
	return r;
}

void nvmf_tcp_req_recycle(struct tcp_req *req)
{
	struct tcp_conn *c = req->conn;
	uint32_t i;

	if (req->in_buf_wait) {
		TAILQ_REMOVE(&c->group->buf_wait, req, link);
		req->in_buf_wait = false;
	}
	for (i = 0; i < req->nbufs; i++)
		env_pool_put(c->group->buf_pool, req->base.iov[i].iov_base);
	/* The core's memory the data was sent from: no longer ours to read. */
	if (req->base.c2h_iov != NULL && c->base.transport->up.c2h_release != NULL)
		c->base.transport->up.c2h_release(&req->base);
	req->base.c2h_iov = NULL;
	req->base.c2h_iovcnt = 0;
	req->nbufs = 0;
	req->base.iovcnt = 0;
	if (req->state == TCP_REQ_EXEC)
		c->core_owned--;
	nvmf_tcp_req_set_state(req, TCP_REQ_FREE);
	TAILQ_INSERT_HEAD(&c->free_reqs, req, link);
}

void nvmf_tcp_req_fail(struct tcp_req *req, uint8_t sct, uint8_t sc)
{
	struct nvme_cpl *cpl = &req->base.cpl;

	memset(cpl, 0, sizeof(*cpl));
	cpl->cid = req->base.cmd.cid;
	cpl->sqid = req->conn->base.qid;
	cpl->sqhd = req->conn->base.sq_head;
	nvme_cpl_set_status(cpl, NVME_STATUS(sct, sc) | NVME_STATUS_DNR);
	if (sc == NVME_SC_TRANSIENT_TRANSPORT_ERROR)
		nvme_cpl_set_status(cpl, NVME_STATUS(sct, sc));
	nvmf_tcp_req_set_state(req, TCP_REQ_SENDING);
	nvmf_tcp_send_resp(req);
}

void nvmf_tcp_req_keep_data(struct nvmf_request *r)
{
	struct tcp_req *req = nvmf_tcp_req_of(r);

	if (!r->h2c_lent)
		return;
	memcpy(req->icd, r->iov[0].iov_base, r->iov[0].iov_len);
	r->iov[0].iov_base = req->icd;
	r->h2c_lent = false;
}

void nvmf_tcp_req_exec(struct tcp_req *req)
{
	struct tcp_conn *c = req->conn;

	nvmf_tcp_req_set_state(req, TCP_REQ_EXEC);
	c->core_owned++;
	c->base.transport->up.exec(&req->base);
	if (req->state == TCP_REQ_EXEC && req->base.h2c_lent) {
		/*
		 * A core bug: it kept the request without req_keep_data(). Copy
		 * before the stage is refilled; a backend that already took the
		 * stage's address would still see it change.
		 */
		log_error(TCP_LOG, "request kept lent data past exec");
		nvmf_tcp_req_keep_data(&req->base);
	}
}

static void tcp_req_next_r2t(struct tcp_req *req)
{
	uint32_t left = req->base.length - req->h2c_done;

	req->r2t_off = req->h2c_done;
	req->r2t_len = left < TCP_MAXH2CDATA ? left : TCP_MAXH2CDATA;
	nvmf_tcp_req_set_state(req, TCP_REQ_R2T_SENDING);
	nvmf_tcp_send_r2t(req);
}

/* Buffers are in place: start the host data transfer or execute. */
static void tcp_req_buffers_ready(struct tcp_req *req)
{
	if (req->base.xfer == NVMF_XFER_H2C)
		tcp_req_next_r2t(req);
	else
		nvmf_tcp_req_exec(req);
}

static int tcp_req_take_buffers(struct tcp_req *req)
{
	struct tcp_conn *c = req->conn;
	uint32_t unit = c->base.transport->opts.io_unit_size;
	uint32_t len = req->base.length, n, i;
	void *bufs[NVMF_REQ_MAX_IOV];

	if (len <= nvmf_tcp_conn_transport(c)->icd_buf_size) {
		/* Small transfers use the slot's own buffer: no pool round trip. */
		req->base.iov[0].iov_base = req->icd;
		req->base.iov[0].iov_len = len;
		req->base.iovcnt = 1;
		return 0;
	}
	n = (len + unit - 1) / unit;
	if (env_pool_get_bulk(c->group->buf_pool, bufs, n) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		req->base.iov[i].iov_base = bufs[i];
		req->base.iov[i].iov_len = len > unit ? unit : len;
		len -= req->base.iov[i].iov_len;
	}
	req->base.iovcnt = n;
	req->nbufs = n;
	return 0;
}

int nvmf_tcp_req_start_buffers(struct tcp_req *req)
{
	nvmf_tcp_req_set_state(req, TCP_REQ_NEED_BUF);
	if (TAILQ_EMPTY(&req->conn->group->buf_wait) && tcp_req_take_buffers(req) == 0) {
		tcp_req_buffers_ready(req);
		return 0;
	}
	TAILQ_INSERT_TAIL(&req->conn->group->buf_wait, req, link);
	req->in_buf_wait = true;
	return -ENOMEM;
}

int nvmf_tcp_req_retry_waiters(struct tcp_group *g)
{
	struct tcp_req *req;
	int busy = NVMF_POLL_IDLE, budget = 32;

	while (budget-- > 0 && (req = TAILQ_FIRST(&g->buf_wait)) != NULL) {
		if (tcp_req_take_buffers(req) != 0)
			break;
		TAILQ_REMOVE(&g->buf_wait, req, link);
		req->in_buf_wait = false;
		tcp_req_buffers_ready(req);
		busy = NVMF_POLL_BUSY;
	}
	return busy;
}

void nvmf_tcp_req_r2t_sent(struct tcp_req *req)
{
	if (req->state == TCP_REQ_R2T_SENDING)
		nvmf_tcp_req_set_state(req, TCP_REQ_H2C);
}

void nvmf_tcp_req_h2c_window_done(struct tcp_req *req)
{
	if (req->ddgst_error) {
		nvmf_tcp_req_fail(req, NVME_SCT_GENERIC, NVME_SC_TRANSIENT_TRANSPORT_ERROR);
		return;
	}
	if (req->aborted) { /* the host's data of this window is in: no more R2T */
		nvmf_tcp_req_fail(req, NVME_SCT_GENERIC, NVME_SC_ABORTED_BY_REQUEST);
		return;
	}
	if (req->h2c_done == req->base.length)
		nvmf_tcp_req_exec(req);
	else
		tcp_req_next_r2t(req);
}

void nvmf_tcp_req_sent(struct tcp_req *req)
{
	nvmf_tcp_req_recycle(req);
}

/*
 * Waiting for buffers: answered at once. An R2T out (or going out): the
 * host sends that window's data anyway, so the request takes it and then
 * fails instead of going to the core (h2c_window_done).
 */
bool nvmf_tcp_req_abort(struct nvmf_qpair *qp, uint16_t cid)
{
	struct tcp_conn *c = nvmf_tcp_conn_of(qp);

	for (uint32_t i = 0; i < c->nreqs; i++) {
		struct tcp_req *r = &c->reqs[i];

		if (r->base.cmd.cid != cid || r->aborted)
			continue;
		if (r->state == TCP_REQ_NEED_BUF && r->in_buf_wait) {
			TAILQ_REMOVE(&c->group->buf_wait, r, link);
			r->in_buf_wait = false;
			nvmf_tcp_req_fail(r, NVME_SCT_GENERIC, NVME_SC_ABORTED_BY_REQUEST);
			return true;
		}
		if (r->state == TCP_REQ_R2T_SENDING || r->state == TCP_REQ_H2C) {
			r->aborted = true;
			return true;
		}
	}
	return false;
}

void nvmf_tcp_reqs_abort(struct tcp_conn *c)
{
	uint32_t i;

	for (i = 0; i < c->nreqs; i++) {
		struct tcp_req *r = &c->reqs[i];

		if (r->state != TCP_REQ_FREE && r->state != TCP_REQ_EXEC)
			nvmf_tcp_req_recycle(r);
	}
	c->rx_req = NULL;
}

void nvmf_tcp_req_complete(struct nvmf_request *r)
{
	struct tcp_req *req = nvmf_tcp_req_of(r);
	struct tcp_conn *c = req->conn;

	if (req->state != TCP_REQ_EXEC) {
		log_error(TCP_LOG, "req_complete on request %u not with the core (state %d)",
			  req->ttag, req->state);
		return;
	}
	if (c->state >= TCP_CONN_CLOSING) {
		nvmf_tcp_req_recycle(req);
		return;
	}
	nvmf_tcp_req_set_state(req, TCP_REQ_SENDING);
	c->core_owned--;
	if (req->base.xfer == NVMF_XFER_C2H && req->base.length > 0 &&
	    !nvme_cpl_is_error(&req->base.cpl))
		nvmf_tcp_send_c2h(req);
	else
		nvmf_tcp_send_resp(req);
}
