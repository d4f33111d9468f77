/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_conn.c - NVMe/RDMA host connections: the ops table; address and
 * route resolution, PD / CQ / QP and registered capsule and response
 * slots, connect with the NVMe/RDMA private data, all bounded by the
 * controller options' timeout; CM events of an established connection;
 * teardown with drain. Queue pair and controller create / destroy.
 *
 *   create_id -> resolve_addr (ADDR_RESOLVED) -> resolve_route
 *   (ROUTE_RESOLVED) -> PD, CQ, QP, receives posted -> connect
 *   (ESTABLISHED | REJECTED with the controller's reject status) ->
 *   the generic code sends the fabrics Connect command.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "env.h"
#include "nvme/rdma/rdma_internal.h"
#include "util.h"

#define CM_WAIT_SLICE_MS 100

/* ------------------------------------------------------------ MR cache ops */

static int mr_reg(void *ctx, void *addr, size_t len, int access, struct nvme_rdma_mr *mr)
{
	struct nvme_rdma_qpair *rq = ctx;
	struct ibv_mr *m = ibv_reg_mr(rq->pd, addr, len, access);

	if (m == NULL)
		return errno ? -errno : -ENOMEM;
	mr->handle = m;
	mr->lkey = m->lkey;
	mr->rkey = m->rkey;
	return 0;
}

static void mr_dereg(void *ctx, void *handle)
{
	(void)ctx;
	ibv_dereg_mr(handle);
}

static const struct nvme_rdma_mr_ops g_mr_ops = {.reg = mr_reg, .dereg = mr_dereg};

/* ------------------------------------------------------------- CM events */

static uint32_t ms_left(uint64_t deadline)
{
	uint64_t now = env_ticks(), hz = env_ticks_hz();

	return now >= deadline ? 0 : (uint32_t)((deadline - now) * 1000 / hz) + 1;
}

static int cm_rejected(struct nvme_rdma_qpair *rq, const struct rdma_cm_event *ev)
{
	uint16_t sts;
	int rc = nvme_rdma_cm_reject_parse(ev->param.conn.private_data,
					   ev->param.conn.private_data_len, &sts);

	if (sts != 0)
		log_error(NVME_RDMA_LOG,
			  "%s: connection rejected by the controller: status %u (%s)", rq->name,
			  sts, nvme_rdma_reject_str(sts));
	else
		log_error(NVME_RDMA_LOG,
			  "%s: connection rejected (reason %d): is an NVMe/RDMA listener there?",
			  rq->name, ev->status);
	return rc;
}

static void cm_established(struct nvme_rdma_qpair *rq, const struct rdma_cm_event *ev)
{
	struct nvmf_rdma_accept_private_data acc;

	rq->connected = true;
	if (ev->param.conn.private_data == NULL || ev->param.conn.private_data_len < sizeof(acc))
		return;
	memcpy(&acc, ev->param.conn.private_data, sizeof(acc));
	if (acc.crqsize != 0 && acc.crqsize < rq->base.num_entries)
		log_warn(NVME_RDMA_LOG, "%s: controller receive queue %u smaller than the queue %u",
			 rq->name, acc.crqsize, rq->base.num_entries);
}

/* One CM event while connecting: 0 = @want arrived, 1 = keep waiting, or an errno. */
static int cm_event(struct nvme_rdma_qpair *rq, const struct rdma_cm_event *ev,
		    enum rdma_cm_event_type want)
{
	if (ev->event == want) {
		if (want == RDMA_CM_EVENT_ESTABLISHED)
			cm_established(rq, ev);
		return 0;
	}
	switch (ev->event) {
	case RDMA_CM_EVENT_REJECTED:
		return cm_rejected(rq, ev);
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		log_error(NVME_RDMA_LOG, "%s: %s (status %d)", rq->name, rdma_event_str(ev->event),
			  ev->status);
		return ev->status == -ETIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED;
	default:
		log_error(NVME_RDMA_LOG, "%s: unexpected CM event %s while waiting for %s",
			  rq->name, rdma_event_str(ev->event), rdma_event_str(want));
		return -ECONNREFUSED;
	}
}

/* Wait for CM event @want until @deadline. */
static int cm_wait(struct nvme_rdma_qpair *rq, enum rdma_cm_event_type want, uint64_t deadline)
{
	struct pollfd pfd = {.fd = rq->ec->fd, .events = POLLIN};
	struct rdma_cm_event *ev;
	uint32_t left;
	int rc;

	for (;;) {
		if (rdma_get_cm_event(rq->ec, &ev) == 0) {
			rc = cm_event(rq, ev, want);
			rdma_ack_cm_event(ev);
			if (rc <= 0)
				return rc;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		left = ms_left(deadline);
		if (left == 0) {
			log_error(NVME_RDMA_LOG, "%s: no %s in time", rq->name,
				  rdma_event_str(want));
			return -ETIMEDOUT;
		}
		poll(&pfd, 1, left < CM_WAIT_SLICE_MS ? (int)left : CM_WAIT_SLICE_MS);
	}
}

int nvme_rdma_cm_poll(struct nvme_rdma_qpair *rq)
{
	struct rdma_cm_event *ev;
	enum rdma_cm_event_type type;
	int i;

	for (i = 0; i < 8 && rdma_get_cm_event(rq->ec, &ev) == 0; i++) {
		type = ev->event;
		rdma_ack_cm_event(ev);
		if (type == RDMA_CM_EVENT_ESTABLISHED || type == RDMA_CM_EVENT_TIMEWAIT_EXIT)
			continue;
		if (type == RDMA_CM_EVENT_DISCONNECTED)
			rq->connected = false;
		return nvme_rdma_fail(rq, "connection event %s", rdma_event_str(type));
	}
	return 0;
}

/* ------------------------------------------------------------ connection */

static int resolve(struct nvme_rdma_qpair *rq, const struct nvme_trid *trid, uint32_t timeout_ms,
		   uint64_t deadline)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai;
	int rc, fl;

	hints.ai_family = trid->adrfam == NVMF_ADRFAM_IPV6 ? AF_INET6 : AF_INET;
	rc = getaddrinfo(trid->traddr, trid->trsvcid, &hints, &ai);
	if (rc != 0) {
		log_error(NVME_RDMA_LOG, "%s: cannot resolve: %s", rq->name, gai_strerror(rc));
		return -EINVAL;
	}
	rq->ec = rdma_create_event_channel();
	if (rq->ec == NULL) {
		freeaddrinfo(ai);
		log_error(NVME_RDMA_LOG, "%s: no RDMA CM event channel: %s", rq->name,
			  strerror(errno));
		return -ENODEV;
	}
	fl = fcntl(rq->ec->fd, F_GETFL);
	if (fl < 0 || fcntl(rq->ec->fd, F_SETFL, fl | O_NONBLOCK) < 0)
		rc = -errno;
	if (rc == 0 && rdma_create_id(rq->ec, &rq->id, rq, RDMA_PS_TCP) != 0)
		rc = -errno;
	if (rc == 0 && rdma_resolve_addr(rq->id, NULL, ai->ai_addr, (int)timeout_ms) != 0)
		rc = -errno;
	freeaddrinfo(ai);
	if (rc == 0)
		rc = cm_wait(rq, RDMA_CM_EVENT_ADDR_RESOLVED, deadline);
	if (rc == 0 && rdma_resolve_route(rq->id, (int)timeout_ms) != 0)
		rc = -errno;
	if (rc == 0)
		rc = cm_wait(rq, RDMA_CM_EVENT_ROUTE_RESOLVED, deadline);
	return rc;
}

static int qp_create(struct nvme_rdma_qpair *rq, const struct ibv_device_attr *attr)
{
	struct ibv_qp_init_attr qa = {0};
	uint32_t n = rq->base.num_entries;

	if (n > (uint32_t)attr->max_qp_wr || 2 * n > (uint32_t)attr->max_cqe) {
		log_error(NVME_RDMA_LOG,
			  "%s: %u entries exceed the device (max_qp_wr %d, max_cqe %d)", rq->name,
			  n, attr->max_qp_wr, attr->max_cqe);
		return -EINVAL;
	}
	rq->pd = ibv_alloc_pd(rq->id->verbs);
	if (rq->pd == NULL)
		return -ENOMEM;
	rq->cq = ibv_create_cq(rq->id->verbs, (int)(2 * n), rq, NULL, 0);
	if (rq->cq == NULL)
		return -ENOMEM;
	qa.qp_context = rq;
	qa.send_cq = rq->cq;
	qa.recv_cq = rq->cq;
	qa.cap.max_send_wr = n;
	qa.cap.max_recv_wr = n;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	qa.qp_type = IBV_QPT_RC;
	if (rdma_create_qp(rq->id, rq->pd, &qa) != 0)
		return errno ? -errno : -ENOMEM;
	rq->qp = rq->id->qp;
	return 0;
}

static int slots_create(struct nvme_rdma_qpair *rq)
{
	size_t clen = (size_t)rq->base.num_reqs * rq->capsule_size;
	size_t rlen = (size_t)rq->base.num_entries * sizeof(struct nvme_cpl);
	uint32_t i;
	int rc;

	rq->rreqs = calloc(rq->base.num_reqs, sizeof(*rq->rreqs));
	rq->capsules = calloc(1, clen);
	rq->rsps = calloc(1, rlen);
	if (rq->rreqs == NULL || rq->capsules == NULL || rq->rsps == NULL)
		return -ENOMEM;
	rq->capsule_mr = ibv_reg_mr(rq->pd, rq->capsules, clen, IBV_ACCESS_LOCAL_WRITE);
	rq->rsp_mr = ibv_reg_mr(rq->pd, rq->rsps, rlen, IBV_ACCESS_LOCAL_WRITE);
	if (rq->capsule_mr == NULL || rq->rsp_mr == NULL)
		return -ENOMEM;
	for (i = 0; i < rq->base.num_entries; i++) {
		rc = nvme_rdma_post_recv(rq, i);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static uint8_t rd_atom(int dev_max)
{
	if (dev_max <= 0)
		return 0;
	return (uint8_t)((uint32_t)dev_max < NVME_RDMA_RD_ATOM_MAX ? (uint32_t)dev_max
								   : NVME_RDMA_RD_ATOM_MAX);
}

static int connect_queue(struct nvme_rdma_qpair *rq, uint64_t deadline)
{
	struct nvmf_rdma_request_private_data pd;
	struct rdma_conn_param cp = {0};
	struct ibv_device_attr attr;
	int rc;

	if (ibv_query_device(rq->id->verbs, &attr) != 0)
		return -ENODEV;
	rc = qp_create(rq, &attr);
	if (rc == 0)
		rc = slots_create(rq);
	if (rc != 0) {
		log_error(NVME_RDMA_LOG, "%s: cannot set up the queue pair: %s", rq->name,
			  strerror(-rc));
		return rc;
	}
	nvme_rdma_cm_req_data(&pd, rq->base.qid, rq->base.num_entries, rq->base.ctrlr->cntlid);
	cp.private_data = &pd;
	cp.private_data_len = sizeof(pd);
	/* The controller READs write data from us; we never READ from it. */
	cp.responder_resources = rd_atom(attr.max_qp_rd_atom);
	cp.initiator_depth = rd_atom(attr.max_qp_init_rd_atom);
	cp.flow_control = 1;
	cp.retry_count = 7;
	cp.rnr_retry_count = 7;
	if (rdma_connect(rq->id, &cp) != 0)
		return -errno;
	return cm_wait(rq, RDMA_CM_EVENT_ESTABLISHED, deadline);
}

/* Undo whatever of the set-up was done, in reverse order; frees @rq. */
static void qpair_teardown(struct nvme_rdma_qpair *rq)
{
	if (rq->connected)
		rdma_disconnect(rq->id);
	if (rq->qp != NULL) {
		struct ibv_qp_attr qa = {.qp_state = IBV_QPS_ERR};

		ibv_modify_qp(rq->qp, &qa, IBV_QP_STATE);
		nvme_rdma_drain(rq, NVME_RDMA_DRAIN_MS);
		rdma_destroy_qp(rq->id);
		rq->qp = NULL;
	}
	nvme_rdma_reqs_release(rq);
	nvme_rdma_mr_cache_fini(&rq->mrs);
	if (rq->rsp_mr != NULL)
		ibv_dereg_mr(rq->rsp_mr);
	if (rq->capsule_mr != NULL)
		ibv_dereg_mr(rq->capsule_mr);
	free(rq->rsps);
	free(rq->capsules);
	free(rq->rreqs);
	if (rq->cq != NULL)
		ibv_destroy_cq(rq->cq);
	if (rq->pd != NULL)
		ibv_dealloc_pd(rq->pd);
	if (rq->id != NULL)
		rdma_destroy_id(rq->id);
	if (rq->ec != NULL)
		rdma_destroy_event_channel(rq->ec);
	nvme_qpair_fini(&rq->base);
	free(rq);
}

static int nvme_rdma_qpair_create(struct nvme_ctrlr *ctrlr, uint16_t qid, uint32_t size,
				  struct nvme_qpair **qpair)
{
	const struct nvme_ctrlr_opts *o = &ctrlr->opts;
	uint64_t deadline = env_ticks() + nvme_ms_to_ticks(o->timeout_ms);
	struct nvme_rdma_qpair *rq;
	int rc;

	rq = calloc(1, sizeof(*rq));
	if (rq == NULL)
		return -ENOMEM;
	rc = nvme_qpair_init(&rq->base, ctrlr, qid, size);
	if (rc != 0) {
		free(rq);
		return rc;
	}
	snprintf(rq->name, sizeof(rq->name), "%.64s:%.32s queue %u", ctrlr->trid.traddr,
		 ctrlr->trid.trsvcid, qid);
	rq->icd_max = nvme_rdma_icd_max(qid, ctrlr->id.ioccsz);
	rq->capsule_size = NVME_SQE_SIZE + rq->icd_max;
	nvme_rdma_mr_cache_init(&rq->mrs, &g_mr_ops, rq, NVME_RDMA_MR_CACHE_MAX,
				IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
				    IBV_ACCESS_REMOTE_WRITE);
	rc = resolve(rq, &ctrlr->trid, o->timeout_ms, deadline);
	if (rc == 0)
		rc = connect_queue(rq, deadline);
	if (rc != 0) {
		qpair_teardown(rq);
		return rc;
	}
	*qpair = &rq->base;
	return 0;
}

static void nvme_rdma_qpair_destroy(struct nvme_qpair *q)
{
	qpair_teardown(nvme_rdma_qpair(q));
}

const struct nvme_transport_ops nvme_rdma_ops = {
    .name = "RDMA",
    .trtype = NVMF_TRTYPE_RDMA,
    .fabrics = true,
    .qpair_create = nvme_rdma_qpair_create,
    .qpair_destroy = nvme_rdma_qpair_destroy,
    .qpair_submit = nvme_rdma_submit,
    .qpair_poll = nvme_rdma_poll,
};
