/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_group.c - NVMe/TCP poll groups.
 *
 * Receiving: a connection that received something in its last
 * TCP_HOT_POLLS polls is hot and is read directly every poll (one recv()
 * that usually brings data); the others wait for epoll, level-triggered
 * EPOLLIN on every connection. epoll_wait() runs every poll when no
 * connection is hot or more than TCP_DIRECT_MAX are (then only epoll finds
 * them), else every TCP_EPOLL_EVERY polls, so a group with one busy queue
 * pair makes one receive system call per poll and no epoll_wait(). Bytes
 * already read into a connection's staging buffer (budget reached) are
 * parsed on the next poll whatever epoll says.
 * Output needs no EPOLLOUT: connections with queued PDUs sit on the group's
 * send list and are flushed at the end of every poll (batching all the
 * responses produced since the previous poll into one sendmsg), and again
 * by group_flush, which the poll group calls after polling its backend
 * channels: a read that a local SSD or a file completed there goes out in
 * the same loop.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "env.h"
#include "transport/tcp/tcp_internal.h"
#include "util.h"

struct nvmf_tgroup *nvmf_tcp_group_create(struct nvmf_transport *tr)
{
	static atomic_uint pool_seq;
	struct tcp_group *g;
	char name[32];

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->base.transport = tr;
	TAILQ_INIT(&g->conns);
	TAILQ_INIT(&g->send_list);
	TAILQ_INIT(&g->close_list);
	TAILQ_INIT(&g->buf_wait);
	g->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (g->epfd < 0)
		goto err_free;
	snprintf(name, sizeof(name), "tcp_buf_%u", atomic_fetch_add(&pool_seq, 1));
	g->buf_pool = env_pool_create(name, tr->opts.num_shared_buffers, tr->opts.io_unit_size,
				      TCP_BUF_CACHE);
	if (g->buf_pool == NULL) {
		log_error(TCP_LOG, "poll group: no memory for %u buffers of %u bytes",
			  tr->opts.num_shared_buffers, tr->opts.io_unit_size);
		goto err_close;
	}
	return &g->base;
err_close:
	close(g->epfd);
err_free:
	free(g);
	return NULL;
}

void nvmf_tcp_group_destroy(struct nvmf_tgroup *gr)
{
	struct tcp_group *g = (struct tcp_group *)gr;

	if (g == NULL)
		return;
	if (!TAILQ_EMPTY(&g->conns))
		log_warn(TCP_LOG, "poll group destroyed with connections still in it");
	env_pool_free(g->buf_pool);
	close(g->epfd);
	free(g);
}

int nvmf_tcp_group_add(struct nvmf_tgroup *gr, struct nvmf_qpair *q)
{
	struct tcp_group *g = (struct tcp_group *)gr;
	struct tcp_conn *c = nvmf_tcp_conn_of(q);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};

	if (epoll_ctl(g->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		return -errno;
	c->group = g;
	c->base.tgroup = gr;
	c->in_group = true;
	TAILQ_INSERT_TAIL(&g->conns, c, link);
	if (c->tls_phase > TCP_TLS_ON)
		g->nhandshakes++;
	return 0;
}

void nvmf_tcp_group_want_send(struct tcp_conn *c)
{
	if (c->in_send_list || c->group == NULL || c->state >= TCP_CONN_CLOSING)
		return;
	c->in_send_list = true;
	TAILQ_INSERT_TAIL(&c->group->send_list, c, send_link);
}

/* Write every connection's queued output; close those that asked for it. */
static int tcp_group_send(struct tcp_group *g)
{
	struct tcp_conn *c, *next;
	int busy = NVMF_POLL_IDLE;

	for (c = TAILQ_FIRST(&g->send_list); c != NULL; c = next) {
		next = TAILQ_NEXT(c, send_link);
		busy |= nvmf_tcp_send_flush(c);
		if (c->in_send_list && TAILQ_EMPTY(&c->sendq)) {
			TAILQ_REMOVE(&g->send_list, c, send_link);
			c->in_send_list = false;
		}
		if (c->close_pending && c->state < TCP_CONN_CLOSING)
			nvmf_tcp_conn_close(c);
	}
	return busy;
}

/* Tell the core about closed connections: here only, never inside an op. */
static int tcp_group_reap(struct tcp_group *g)
{
	struct tcp_conn *c;
	int busy = NVMF_POLL_IDLE;

	while ((c = TAILQ_FIRST(&g->close_list)) != NULL) {
		TAILQ_REMOVE(&g->close_list, c, close_link);
		c->state = TCP_CONN_CLOSED;
		c->base.transport->up.qpair_closed(&c->base);
		busy = NVMF_POLL_BUSY;
	}
	return busy;
}

/* Receive on @c once per poll. */
static int tcp_group_recv(struct tcp_group *g, struct tcp_conn *c)
{
	if (c->polled_at == g->npolls || c->state >= TCP_CONN_CLOSING)
		return NVMF_POLL_IDLE;
	c->polled_at = g->npolls;
	return nvmf_tcp_recv_poll(c);
}

/* Hot connections and staged bytes, without epoll. @return NVMF_POLL_*. */
static int tcp_group_recv_direct(struct tcp_group *g, bool direct)
{
	struct tcp_conn *c;
	int busy = NVMF_POLL_IDLE;
	uint32_t nhot = 0;

	TAILQ_FOREACH(c, &g->conns, link)
	{
		bool hot = c->rx_idle_polls < TCP_HOT_POLLS && c->state < TCP_CONN_CLOSING;

		nhot += hot;
		if ((direct && hot) || (nvmf_tcp_recv_staged(c) && c->rstate != TCP_RECV_ERROR))
			busy |= tcp_group_recv(g, c);
	}
	g->nhot = nhot;
	return busy;
}

static int tcp_group_recv_epoll(struct tcp_group *g)
{
	struct epoll_event ev[TCP_EPOLL_EVENTS];
	int n, i, busy = NVMF_POLL_IDLE;

	n = epoll_wait(g->epfd, ev, TCP_EPOLL_EVENTS, 0);
	for (i = 0; i < n; i++)
		busy |= tcp_group_recv(g, ev[i].data.ptr);
	return busy;
}

int nvmf_tcp_group_poll(struct nvmf_tgroup *gr)
{
	struct tcp_group *g = (struct tcp_group *)gr;
	bool direct = g->nhot > 0 && g->nhot <= TCP_DIRECT_MAX;
	int busy;

	g->npolls++;
	busy = nvmf_tcp_req_retry_waiters(g);
	busy |= tcp_group_recv_direct(g, direct);
	if (!direct || g->npolls % TCP_EPOLL_EVERY == 0)
		busy |= tcp_group_recv_epoll(g);
	if (g->nhandshakes != 0)
		busy |= nvmf_tcp_tls_sweep(g);
	busy |= tcp_group_send(g);
	busy |= tcp_group_reap(g);
	return busy;
}

int nvmf_tcp_group_flush(struct nvmf_tgroup *gr)
{
	return tcp_group_send((struct tcp_group *)gr);
}
