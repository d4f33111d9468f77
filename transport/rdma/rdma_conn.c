/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_conn.c - NVMe/RDMA connections.
 *
 * Life of a connection:
 *   main thread: CONNECT_REQUEST checked -> nvmf_rdma_conn_create() -> new_qpair;
 *   group thread, group_add: the group's resources on the device, the queue
 *   pair on the group's CQ (and SRQ), request slots, the CM id moved to the
 *   group's event channel, then rdma_accept with CRQSIZE. Commands flow.
 *   Teardown, whatever started it (DISCONNECTED / DEVICE_REMOVAL event, a
 *   failed work completion, a protocol error, ops.qpair_close):
 *   nvmf_rdma_conn_close(): rdma_disconnect and the queue pair to ERR, requests
 *   without posted work released, state CLOSING; every posted work request
 *   then completes (flushed); once none is left (or after a timeout when
 *   the device is gone) group_poll calls upcalls.qpair_closed, state CLOSED;
 *   requests the core still owns come back through req_complete and are only
 *   recycled; ops.qpair_free destroys the queue pair and the CM id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "transport/rdma/rdma_internal.h"
#include "util.h"

struct nvmf_rdma_conn *nvmf_rdma_conn_create(struct nvmf_rdma_transport *t, struct rdma_cm_id *id,
					     const struct nvmf_rdma_cm_params *p, uint8_t ird,
					     uint8_t ord, const struct nvmf_listen_addr *local)
{
	struct nvmf_rdma_conn *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->base.transport = &t->base;
	c->base.local = *local;
	c->id = id;
	c->dev = nvmf_rdma_device_get(t, id->verbs);
	if (c->dev == NULL) {
		free(c);
		return NULL;
	}
	nvmf_rdma_device_hold(c->dev);
	c->params = *p;
	c->ird = ird;
	c->ord = ord;
	c->state = NVMF_RDMA_CONN_NEW;
	atomic_init(&c->cm_gone, false);
	TAILQ_INIT(&c->free_reqs);
	TAILQ_INIT(&c->read_wait);
	TAILQ_INIT(&c->send_wait);
	id->context = c;
	return c;
}

/* Work requests one request may post at once: READs, or WRITEs + SEND. */
static uint32_t nvmf_rdma_conn_wr_per_req(struct nvmf_rdma_conn *c)
{
	uint32_t max_iov = nvmf_rdma_conn_transport(c)->max_iov;

	return (max_iov + c->max_sge - 1) / c->max_sge + 1;
}

static int nvmf_rdma_conn_qp(struct nvmf_rdma_conn *c, struct nvmf_rdma_gdev *gd)
{
	struct ibv_qp_init_attr qa = {0};
	uint32_t nreqs = 2u * c->params.depth, sq, cqe;

	c->max_sge = (uint32_t)c->dev->attr.max_sge < NVMF_RDMA_MAX_SGE
			 ? (uint32_t)c->dev->attr.max_sge
			 : NVMF_RDMA_MAX_SGE;
	sq = nreqs * nvmf_rdma_conn_wr_per_req(c);
	if (sq > (uint32_t)c->dev->attr.max_qp_wr)
		sq = (uint32_t)c->dev->attr.max_qp_wr;
	c->nrecv = gd->srq ? 0 : c->params.depth;
	cqe = sq + c->nrecv;
	if (gd->cq_used + cqe > gd->cq_size) {
		log_warn(NVMF_RDMA_LOG,
			 "poll group: completion queue full (%u of %u entries in use)", gd->cq_used,
			 gd->cq_size);
		return -ENOSPC;
	}
	qa.qp_context = c;
	qa.send_cq = gd->cq;
	qa.recv_cq = gd->cq;
	qa.srq = gd->srq;
	qa.cap.max_send_wr = sq;
	qa.cap.max_recv_wr = c->nrecv;
	qa.cap.max_send_sge = c->max_sge;
	qa.cap.max_recv_sge = 1;
	qa.qp_type = IBV_QPT_RC;
	qa.sq_sig_all = 0;
	if (rdma_create_qp(c->id, c->dev->pd, &qa) != 0)
		return -errno;
	c->qp = c->id->qp;
	c->sq_size = sq;
	c->cq_reserved = cqe;
	gd->cq_used += cqe;
	return 0;
}

/* Own receive buffers, posted on the queue pair (devices without SRQ). */
static int nvmf_rdma_conn_recvs(struct nvmf_rdma_conn *c)
{
	uint32_t size = nvmf_rdma_conn_transport(c)->recv_size, i;
	size_t len = (size_t)c->nrecv * size;
	int rc;

	c->recvs = calloc(c->nrecv, sizeof(*c->recvs));
	c->recv_mem = env_dma_zalloc(len, 4096);
	if (c->recvs == NULL || c->recv_mem == NULL)
		return -ENOMEM;
	c->recv_mr = ibv_reg_mr(c->dev->pd, c->recv_mem, len, IBV_ACCESS_LOCAL_WRITE);
	if (c->recv_mr == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nrecv; i++) {
		struct nvmf_rdma_recv *r = &c->recvs[i];

		r->ctx.type = NVMF_RDMA_WR_RECV;
		r->gdev = c->gdev;
		r->conn = c;
		r->buf = c->recv_mem + (size_t)i * size;
		r->size = size;
		rc = nvmf_rdma_recv_post(r);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int nvmf_rdma_conn_accept(struct nvmf_rdma_conn *c)
{
	struct nvmf_rdma_accept_private_data acc;
	struct rdma_conn_param cp = {0};

	nvmf_rdma_cm_accept_data(&acc, c->params.depth);
	cp.private_data = &acc;
	cp.private_data_len = sizeof(acc);
	cp.responder_resources = c->ird;
	cp.initiator_depth = c->ord;
	cp.flow_control = 1;
	cp.rnr_retry_count = 7; /* infinite: receives may briefly run out */
	if (rdma_accept(c->id, &cp) != 0)
		return -errno;
	c->accepted = true;
	return 0;
}

int nvmf_rdma_group_add(struct nvmf_tgroup *gr, struct nvmf_qpair *q)
{
	struct nvmf_rdma_group *g = (struct nvmf_rdma_group *)gr;
	struct nvmf_rdma_conn *c = nvmf_rdma_conn_of(q);
	int rc;

	if (atomic_load(&c->cm_gone) || atomic_load(&c->dev->removed))
		return -ECONNRESET;
	c->group = g;
	c->gdev = nvmf_rdma_gdev_get(g, c->dev);
	if (c->gdev == NULL)
		return -ENOMEM;
	c->gdev->nconns++;
	rc = nvmf_rdma_conn_qp(c, c->gdev);
	if (rc == 0)
		rc = nvmf_rdma_reqs_alloc(c);
	if (rc == 0 && c->nrecv > 0)
		rc = nvmf_rdma_conn_recvs(c);
	if (rc != 0)
		return rc;
	/* From here on the group thread gets this id's CM events. */
	if (rdma_migrate_id(c->id, g->ec) != 0)
		return -errno;
	if (atomic_load(&c->cm_gone))
		return -ECONNRESET;
	rc = nvmf_rdma_conn_accept(c);
	if (rc != 0)
		return rc;
	c->state = NVMF_RDMA_CONN_RUNNING;
	c->base.tgroup = gr;
	c->in_group = true;
	TAILQ_INSERT_TAIL(&g->conns, c, link);
	return 0;
}

void nvmf_rdma_conn_close(struct nvmf_rdma_conn *c, const char *why)
{
	struct ibv_qp_attr qa = {.qp_state = IBV_QPS_ERR};

	if (c->state != NVMF_RDMA_CONN_RUNNING)
		return;
	log_info(NVMF_RDMA_LOG, "connection from %s:%s (qid %u): closing: %s", c->base.peer.traddr,
		 c->base.peer.trsvcid, c->params.qid, why);
	c->state = NVMF_RDMA_CONN_CLOSING;
	c->close_ticks = env_ticks();
	c->group->nclosing++;
	rdma_disconnect(c->id);
	/* In case the disconnect did not: ERR flushes every posted work request. */
	if (c->qp != NULL)
		ibv_modify_qp(c->qp, &qa, IBV_QP_STATE);
	nvmf_rdma_reqs_abort(c);
}

void nvmf_rdma_qpair_close(struct nvmf_qpair *q)
{
	nvmf_rdma_conn_close(nvmf_rdma_conn_of(q), "closed by the target");
}

static bool nvmf_rdma_conn_drained(struct nvmf_rdma_conn *c)
{
	uint64_t waited;

	if (c->wr_out == 0 && c->recv_out == 0 && nvmf_rdma_reqs_busy(c) == 0)
		return true;
	waited = (env_ticks() - c->close_ticks) * 1000000u / env_ticks_hz();
	if (waited < NVMF_RDMA_DRAIN_TIMEOUT_US)
		return false;
	log_warn(NVMF_RDMA_LOG,
		 "connection from %s:%s: %u work requests and %u receives never flushed "
		 "(device gone?): freeing it anyway",
		 c->base.peer.traddr, c->base.peer.trsvcid, c->wr_out, c->recv_out);
	return true;
}

int nvmf_rdma_conns_reap(struct nvmf_rdma_group *g)
{
	struct nvmf_rdma_conn *c, *next;
	int busy = NVMF_POLL_IDLE;

	if (g->nclosing == 0)
		return NVMF_POLL_IDLE;
	for (c = TAILQ_FIRST(&g->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->state != NVMF_RDMA_CONN_CLOSING || !nvmf_rdma_conn_drained(c))
			continue;
		c->state = NVMF_RDMA_CONN_CLOSED;
		g->nclosing--;
		busy = NVMF_POLL_BUSY;
		/* May free @c (qpair_free) before returning. */
		c->base.transport->up.qpair_closed(&c->base);
	}
	return busy;
}

int nvmf_rdma_conn_cm_poll(struct nvmf_rdma_group *g)
{
	struct rdma_cm_event *ev;
	struct nvmf_rdma_conn *c;
	enum rdma_cm_event_type type;
	int i;

	for (i = 0; i < NVMF_RDMA_CM_BUDGET; i++) {
		if (rdma_get_cm_event(g->ec, &ev) != 0)
			break;
		c = ev->id->context;
		type = ev->event;
		rdma_ack_cm_event(ev);
		if (c == NULL)
			continue; /* a connection already freed; its id waits for its device */
		switch (type) {
		case RDMA_CM_EVENT_DEVICE_REMOVAL:
			nvmf_rdma_device_removed(c->dev);
			nvmf_rdma_conn_close(c, rdma_event_str(type));
			break;
		case RDMA_CM_EVENT_ESTABLISHED:
			log_debug(NVMF_RDMA_LOG, "connection from %s:%s established",
				  c->base.peer.traddr, c->base.peer.trsvcid);
			break;
		case RDMA_CM_EVENT_TIMEWAIT_EXIT:
			break;
		default:
			nvmf_rdma_conn_close(c, rdma_event_str(type));
			break;
		}
	}
	return i > 0 ? NVMF_POLL_BUSY : NVMF_POLL_IDLE;
}

struct nvmf_rdma_conn *nvmf_rdma_conn_by_qpn(struct nvmf_rdma_group *g, uint32_t qp_num)
{
	struct nvmf_rdma_conn *c;

	TAILQ_FOREACH(c, &g->conns, link)
	{
		if (c->qp != NULL && c->qp->qp_num == qp_num)
			return c;
	}
	return NULL;
}

static void nvmf_rdma_conn_free(struct nvmf_rdma_conn *c)
{
	if (c->in_group) {
		TAILQ_REMOVE(&c->group->conns, c, link);
		if (c->state == NVMF_RDMA_CONN_CLOSING)
			c->group->nclosing--;
	}
	if (c->id != NULL && !c->accepted) {
		struct nvmf_rdma_reject_private_data rej;

		nvmf_rdma_cm_reject_data(&rej, NVMF_RDMA_REJECT_NO_RESOURCES);
		rdma_reject(c->id, &rej, sizeof(rej));
	}
	if (c->qp != NULL) {
		rdma_destroy_qp(c->id);
		c->qp = NULL;
		c->gdev->cq_used -= c->cq_reserved;
	}
	nvmf_rdma_reqs_free(c);
	if (c->recv_mr != NULL)
		ibv_dereg_mr(c->recv_mr);
	env_dma_free(c->recv_mem);
	free(c->recvs);
	/*
	 * Last: waits until the main thread acked any event it holds for this
	 * id. On a removed device the id outlives the PD (rdma_device.c).
	 */
	if (c->id != NULL && !nvmf_rdma_device_bury(c->dev, c->id))
		rdma_destroy_id(c->id);
	if (c->gdev != NULL)
		c->gdev->nconns--;
	nvmf_rdma_device_put(c->dev);
	free(c);
}

void nvmf_rdma_qpair_free(struct nvmf_qpair *q)
{
	struct nvmf_rdma_conn *c = nvmf_rdma_conn_of(q);

	if (c->in_group && c->state != NVMF_RDMA_CONN_CLOSED)
		log_warn(NVMF_RDMA_LOG, "qpair_free before qpair_closed");
	if (c->core_owned != 0)
		log_warn(NVMF_RDMA_LOG, "qpair_free with %u requests still with the core",
			 c->core_owned);
	nvmf_rdma_conn_free(c);
}
