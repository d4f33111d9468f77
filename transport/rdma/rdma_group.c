/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_group.c - NVMe/RDMA poll groups.
 *
 * A group owns, per device it has connections on (struct nvmf_rdma_gdev,
 * created on first use on the group thread): one completion queue shared by
 * all its queue pairs on that device; a shared receive queue with its
 * registered receive buffers when the device has SRQs; and its data
 * buffers, io_unit_size each, carved from one DMA-able area registered once
 * (a free-list stack, never malloc per I/O).
 *
 * group_poll: CM events of the group's connections, then completions
 * (bounded batches per CQ), then requests waiting for data buffers, then
 * closing connections whose work has all flushed (qpair_closed), then the
 * resources on a removed device that no connection uses any more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "transport/rdma/rdma_internal.h"
#include "util.h"

struct nvmf_tgroup *nvmf_rdma_group_create(struct nvmf_transport *tr)
{
	struct nvmf_rdma_group *g;

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->base.transport = tr;
	TAILQ_INIT(&g->gdevs);
	TAILQ_INIT(&g->conns);
	TAILQ_INIT(&g->buf_wait);
	g->ec = nvmf_rdma_event_channel_create();
	if (g->ec == NULL) {
		free(g);
		return NULL;
	}
	if (nvmf_rdma_wait_init(g) != 0) {
		rdma_destroy_event_channel(g->ec);
		free(g);
		return NULL;
	}
	return &g->base;
}

static void nvmf_rdma_gdev_destroy(struct nvmf_rdma_gdev *gd)
{
	if (gd->srq != NULL && ibv_destroy_srq(gd->srq) != 0)
		log_warn(NVMF_RDMA_LOG, "poll group: shared receive queue still in use");
	if (gd->recv_mr != NULL)
		ibv_dereg_mr(gd->recv_mr);
	if (gd->buf_mr != NULL)
		ibv_dereg_mr(gd->buf_mr);
	if (gd->cq != NULL && ibv_destroy_cq(gd->cq) != 0)
		log_warn(NVMF_RDMA_LOG, "poll group: completion queue still in use");
	if (gd->comp_ch != NULL)
		ibv_destroy_comp_channel(gd->comp_ch);
	env_dma_free(gd->recv_mem);
	env_dma_free(gd->buf_mem);
	free(gd->recvs);
	free(gd->buf_free);
	nvmf_rdma_device_put(gd->dev);
	free(gd);
}

void nvmf_rdma_group_destroy(struct nvmf_tgroup *gr)
{
	struct nvmf_rdma_group *g = (struct nvmf_rdma_group *)gr;
	struct nvmf_rdma_gdev *gd;

	if (g == NULL)
		return;
	if (!TAILQ_EMPTY(&g->conns))
		log_warn(NVMF_RDMA_LOG, "poll group destroyed with connections still in it");
	while ((gd = TAILQ_FIRST(&g->gdevs)) != NULL) {
		TAILQ_REMOVE(&g->gdevs, gd, link);
		nvmf_rdma_gdev_destroy(gd);
	}
	rdma_destroy_event_channel(g->ec);
	close(g->wait_epfd);
	free(g);
}

int nvmf_rdma_recv_post(struct nvmf_rdma_recv *r)
{
	struct ibv_recv_wr wr = {0}, *bad;
	struct ibv_sge sge;
	struct ibv_mr *mr = r->conn ? r->conn->recv_mr : r->gdev->recv_mr;
	int rc;

	sge.addr = (uintptr_t)r->buf;
	sge.length = r->size;
	sge.lkey = mr->lkey;
	wr.wr_id = (uintptr_t)&r->ctx;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	if (r->conn == NULL)
		rc = ibv_post_srq_recv(r->gdev->srq, &wr, &bad);
	else
		rc = ibv_post_recv(r->conn->qp, &wr, &bad);
	if (rc == 0 && r->conn != NULL)
		r->conn->recv_out++;
	return -rc;
}

/* Registered receive buffers: @n of @size bytes, one MR. */
static int nvmf_rdma_recvs_make(struct ibv_pd *pd, uint32_t n, uint32_t size,
				struct nvmf_rdma_recv **recvs, uint8_t **mem, struct ibv_mr **mr)
{
	*recvs = calloc(n, sizeof(**recvs));
	*mem = env_dma_zalloc((size_t)n * size, 4096);
	if (*recvs == NULL || *mem == NULL)
		return -ENOMEM;
	*mr = ibv_reg_mr(pd, *mem, (size_t)n * size, IBV_ACCESS_LOCAL_WRITE);
	if (*mr == NULL)
		return -errno ? -errno : -ENOMEM;
	return 0;
}

static int nvmf_rdma_gdev_srq(struct nvmf_rdma_gdev *gd, uint32_t recv_size)
{
	struct ibv_srq_init_attr sa = {0};
	uint32_t i, n = NVMF_RDMA_SRQ_DEPTH;
	int rc;

	if ((uint32_t)gd->dev->attr.max_srq_wr < n)
		n = (uint32_t)gd->dev->attr.max_srq_wr;
	sa.attr.max_wr = n;
	sa.attr.max_sge = 1;
	gd->srq = ibv_create_srq(gd->dev->pd, &sa);
	if (gd->srq == NULL)
		return -ENOMEM;
	gd->nrecv = n;
	rc = nvmf_rdma_recvs_make(gd->dev->pd, n, recv_size, &gd->recvs, &gd->recv_mem,
				  &gd->recv_mr);
	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++) {
		gd->recvs[i].ctx.type = NVMF_RDMA_WR_RECV;
		gd->recvs[i].gdev = gd;
		gd->recvs[i].buf = gd->recv_mem + (size_t)i * recv_size;
		gd->recvs[i].size = recv_size;
		rc = nvmf_rdma_recv_post(&gd->recvs[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int nvmf_rdma_gdev_bufs(struct nvmf_rdma_gdev *gd, uint32_t count, uint32_t unit)
{
	size_t len = (size_t)count * unit;
	uint32_t i;

	gd->buf_mem = env_dma_zalloc(len, 4096);
	gd->buf_free = calloc(count, sizeof(void *));
	if (gd->buf_mem == NULL || gd->buf_free == NULL)
		return -ENOMEM;
	gd->buf_mr =
	    ibv_reg_mr(gd->dev->pd, gd->buf_mem, len,
		       IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_WRITE);
	if (gd->buf_mr == NULL)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		gd->buf_free[i] = gd->buf_mem + (size_t)(count - 1 - i) * unit;
	gd->nbuf = count;
	gd->nbuf_free = count;
	return 0;
}

static struct nvmf_rdma_gdev *nvmf_rdma_gdev_create(struct nvmf_rdma_group *g,
						    struct nvmf_rdma_device *dev)
{
	const struct nvmf_transport *tr = g->base.transport;
	struct nvmf_rdma_transport *t = nvmf_rdma_transport_of(g->base.transport);
	struct nvmf_rdma_gdev *gd;
	int n = NVMF_RDMA_CQ_DEPTH;

	gd = calloc(1, sizeof(*gd));
	if (gd == NULL)
		return NULL;
	gd->dev = dev;
	nvmf_rdma_device_hold(dev);
	if (dev->attr.max_cqe < n)
		n = dev->attr.max_cqe;
	if (nvmf_rdma_gdev_wait_init(g, gd) != 0)
		goto err;
	gd->cq = ibv_create_cq(dev->ctx, n, gd, gd->comp_ch, 0);
	if (gd->cq == NULL)
		goto err;
	gd->cq_size = (uint32_t)gd->cq->cqe;
	if (dev->has_srq && nvmf_rdma_gdev_srq(gd, t->recv_size) != 0)
		goto err;
	if (nvmf_rdma_gdev_bufs(gd, tr->opts.num_shared_buffers, tr->opts.io_unit_size) != 0)
		goto err;
	gd->cq_used = gd->nrecv;
	TAILQ_INSERT_TAIL(&g->gdevs, gd, link);
	return gd;
err:
	log_error(NVMF_RDMA_LOG,
		  "poll group: device %s: cannot set up CQ / SRQ / %u data buffers of %u bytes",
		  ibv_get_device_name(dev->ctx->device), tr->opts.num_shared_buffers,
		  tr->opts.io_unit_size);
	nvmf_rdma_gdev_destroy(gd);
	return NULL;
}

struct nvmf_rdma_gdev *nvmf_rdma_gdev_get(struct nvmf_rdma_group *g, struct nvmf_rdma_device *dev)
{
	struct nvmf_rdma_gdev *gd;

	TAILQ_FOREACH(gd, &g->gdevs, link)
	{
		if (gd->dev == dev)
			return gd;
	}
	return nvmf_rdma_gdev_create(g, dev);
}

int nvmf_rdma_bufs_get(struct nvmf_rdma_gdev *gd, void **bufs, uint32_t n)
{
	uint32_t i;

	if (gd->nbuf_free < n)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		bufs[i] = gd->buf_free[--gd->nbuf_free];
	return 0;
}

void nvmf_rdma_bufs_put(struct nvmf_rdma_gdev *gd, void *const *bufs, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		gd->buf_free[gd->nbuf_free++] = bufs[i];
}

/* A receive completed: a capsule for its connection, or a flushed buffer. */
static void nvmf_rdma_wc_recv(struct nvmf_rdma_group *g, struct nvmf_rdma_recv *r,
			      const struct ibv_wc *wc)
{
	struct nvmf_rdma_conn *c = r->conn;

	if (c != NULL)
		c->recv_out--;
	else
		c = nvmf_rdma_conn_by_qpn(g, wc->qp_num);
	if (wc->status != IBV_WC_SUCCESS) {
		if (c != NULL && wc->status != IBV_WC_WR_FLUSH_ERR)
			nvmf_rdma_conn_close(c, ibv_wc_status_str(wc->status));
		if (r->conn == NULL)
			nvmf_rdma_recv_post(r); /* an SRQ buffer: back to the queue */
		return;
	}
	if (c == NULL || c->state != NVMF_RDMA_CONN_RUNNING) {
		if (r->conn == NULL)
			nvmf_rdma_recv_post(r);
		return;
	}
	r->byte_len = wc->byte_len;
	nvmf_rdma_req_recv(c, r);
}

static void nvmf_rdma_wc_one(struct nvmf_rdma_group *g, const struct ibv_wc *wc)
{
	struct nvmf_rdma_wr_ctx *ctx = (struct nvmf_rdma_wr_ctx *)(uintptr_t)wc->wr_id;
	struct nvmf_rdma_req *req;

	switch (ctx->type) {
	case NVMF_RDMA_WR_RECV:
		nvmf_rdma_wc_recv(g, (struct nvmf_rdma_recv *)ctx, wc);
		return;
	case NVMF_RDMA_WR_SEND:
		req = (struct nvmf_rdma_req *)((char *)ctx -
					       offsetof(struct nvmf_rdma_req, send_ctx));
		break;
	case NVMF_RDMA_WR_READ:
		req = (struct nvmf_rdma_req *)((char *)ctx -
					       offsetof(struct nvmf_rdma_req, read_ctx));
		break;
	case NVMF_RDMA_WR_WRITE:
		req = (struct nvmf_rdma_req *)((char *)ctx -
					       offsetof(struct nvmf_rdma_req, write_ctx));
		break;
	default:
		log_error(NVMF_RDMA_LOG, "completion with unknown work request %p", (void *)ctx);
		return;
	}
	nvmf_rdma_req_wc(req, ctx->type, wc);
}

static int nvmf_rdma_cq_poll(struct nvmf_rdma_group *g, struct nvmf_rdma_gdev *gd)
{
	struct ibv_wc wc[NVMF_RDMA_WC_BATCH];
	int n, i, round, busy = NVMF_POLL_IDLE;

	for (round = 0; round < NVMF_RDMA_WC_ROUNDS; round++) {
		n = ibv_poll_cq(gd->cq, NVMF_RDMA_WC_BATCH, wc);
		if (n <= 0)
			break;
		busy = NVMF_POLL_BUSY;
		for (i = 0; i < n; i++)
			nvmf_rdma_wc_one(g, &wc[i]);
		if (n < NVMF_RDMA_WC_BATCH)
			break;
	}
	return busy;
}

/*
 * On a removed device: close the group's connections, then free what the
 * group holds there once no connection uses it.
 */
static int nvmf_rdma_gdevs_reap(struct nvmf_rdma_group *g)
{
	struct nvmf_rdma_gdev *gd, *next;
	struct nvmf_rdma_conn *c;
	int busy = NVMF_POLL_IDLE;

	for (gd = TAILQ_FIRST(&g->gdevs); gd != NULL; gd = next) {
		next = TAILQ_NEXT(gd, link);
		if (!atomic_load(&gd->dev->removed))
			continue;
		TAILQ_FOREACH(c, &g->conns, link)
		{
			if (c->gdev == gd)
				nvmf_rdma_conn_close(c, "its device was removed");
		}
		if (gd->nconns > 0)
			continue;
		log_info(NVMF_RDMA_LOG,
			 "poll group: device %s removed: its CQ, SRQ and buffers freed",
			 gd->dev->name);
		TAILQ_REMOVE(&g->gdevs, gd, link);
		nvmf_rdma_gdev_destroy(gd);
		busy = NVMF_POLL_BUSY;
	}
	return busy;
}

int nvmf_rdma_group_poll(struct nvmf_tgroup *gr)
{
	struct nvmf_rdma_group *g = (struct nvmf_rdma_group *)gr;
	struct nvmf_rdma_gdev *gd;
	int busy;

	busy = nvmf_rdma_conn_cm_poll(g);
	TAILQ_FOREACH(gd, &g->gdevs, link)
	{
		busy |= nvmf_rdma_cq_poll(g, gd);
	}
	busy |= nvmf_rdma_req_retry_bufs(g);
	busy |= nvmf_rdma_conns_reap(g);
	busy |= nvmf_rdma_gdevs_reap(g);
	return busy;
}
