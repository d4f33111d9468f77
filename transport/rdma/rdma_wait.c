/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_wait.c - what an idle NVMe/RDMA poll group and the listeners wait on.
 *
 * A group's wait fd is an epoll fd holding its CM event channel and, per
 * device, the non-blocking completion channel of its CQ. Before a sleep
 * every CQ is armed (ibv_req_notify_cq); the poll group then polls once
 * more, so a completion that came before the arming is not left waiting
 * for an event that will not come. After the sleep each channel's pending
 * event is read and acknowledged at once (a CQ is destroyed only with all
 * its events acknowledged), and the CQ is armed again before the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "transport/rdma/rdma_internal.h"
#include "util.h"

/* Connections closing: their flushes are polled, sleep only briefly. */
#define NVMF_RDMA_CLOSING_SLEEP_US 1000u

static int nvmf_rdma_wait_add(struct nvmf_rdma_group *g, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(g->wait_epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

int nvmf_rdma_wait_init(struct nvmf_rdma_group *g)
{
	int rc;

	g->wait_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (g->wait_epfd < 0)
		return -errno;
	rc = nvmf_rdma_wait_add(g, g->ec->fd);
	if (rc != 0) {
		close(g->wait_epfd);
		g->wait_epfd = -1;
	}
	return rc;
}

int nvmf_rdma_gdev_wait_init(struct nvmf_rdma_group *g, struct nvmf_rdma_gdev *gd)
{
	int fl;

	gd->comp_ch = ibv_create_comp_channel(gd->dev->ctx);
	if (gd->comp_ch == NULL)
		return -errno;
	fl = fcntl(gd->comp_ch->fd, F_GETFL);
	if (fl < 0 || fcntl(gd->comp_ch->fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return nvmf_rdma_wait_add(g, gd->comp_ch->fd);
}

int nvmf_rdma_group_wait_fd(struct nvmf_tgroup *gr)
{
	return ((struct nvmf_rdma_group *)gr)->wait_epfd;
}

uint32_t nvmf_rdma_group_sleep(struct nvmf_tgroup *gr)
{
	struct nvmf_rdma_group *g = (struct nvmf_rdma_group *)gr;
	struct nvmf_rdma_gdev *gd;

	if (!TAILQ_EMPTY(&g->buf_wait))
		return 0;
	TAILQ_FOREACH(gd, &g->gdevs, link)
	{
		if (gd->cq_armed)
			continue;
		if (ibv_req_notify_cq(gd->cq, 0) != 0) {
			log_debug(NVMF_RDMA_LOG, "poll group: cannot arm a CQ: no sleep");
			return 0;
		}
		gd->cq_armed = true;
	}
	return g->nclosing != 0 ? NVMF_RDMA_CLOSING_SLEEP_US : NVMF_SLEEP_FOREVER;
}

void nvmf_rdma_group_woken(struct nvmf_tgroup *gr)
{
	struct nvmf_rdma_group *g = (struct nvmf_rdma_group *)gr;
	struct nvmf_rdma_gdev *gd;
	struct ibv_cq *cq;
	void *ctx;

	TAILQ_FOREACH(gd, &g->gdevs, link)
	{
		/* Non-blocking: -1 (EAGAIN) when this CQ had no event. */
		if (ibv_get_cq_event(gd->comp_ch, &cq, &ctx) != 0)
			continue;
		ibv_ack_cq_events(cq, 1);
		gd->cq_armed = false;
	}
}

int nvmf_rdma_wait_fd(struct nvmf_transport *tr)
{
	return nvmf_rdma_transport_of(tr)->ec->fd;
}
