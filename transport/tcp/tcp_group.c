/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_group.c - NVMe/TCP poll groups.
 *
 * Polling: one epoll instance per group, level-triggered EPOLLIN on every
 * connection, epoll_wait() with timeout 0. Level triggering suits the
 * budgets: the receiver never reads ahead of the current PDU piece, so
 * whatever a budget leaves in the socket is reported again on the next
 * poll, and one syscall finds the ready sockets among many idle ones.
 * Output needs no EPOLLOUT: connections with queued PDUs sit on the group's
 * send list and are flushed once at the end of every poll (batching all the
 * responses produced since the previous poll into one sendmsg).
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

struct nvmf_tgroup *tcp_group_create(struct nvmf_transport *tr)
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
	g->buf_pool = env_pool_create(name, tr->opts.num_shared_buffers, tr->opts.io_unit_size, 0);
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

void tcp_group_destroy(struct nvmf_tgroup *gr)
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

int tcp_group_add(struct nvmf_tgroup *gr, struct nvmf_qpair *q)
{
	struct tcp_group *g = (struct tcp_group *)gr;
	struct tcp_conn *c = tcp_conn_of(q);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};

	if (epoll_ctl(g->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		return -errno;
	c->group = g;
	c->base.tgroup = gr;
	c->in_group = true;
	TAILQ_INSERT_TAIL(&g->conns, c, link);
	return 0;
}

void tcp_group_want_send(struct tcp_conn *c)
{
	if (c->in_send_list || c->group == NULL || c->state >= TCP_CONN_CLOSING)
		return;
	c->in_send_list = true;
	TAILQ_INSERT_TAIL(&c->group->send_list, c, send_link);
}

static int tcp_group_flush(struct tcp_group *g)
{
	struct tcp_conn *c, *next;
	int busy = NVMF_POLL_IDLE;

	for (c = TAILQ_FIRST(&g->send_list); c != NULL; c = next) {
		next = TAILQ_NEXT(c, send_link);
		busy |= tcp_send_flush(c);
		if (c->in_send_list && TAILQ_EMPTY(&c->sendq)) {
			TAILQ_REMOVE(&g->send_list, c, send_link);
			c->in_send_list = false;
		}
		if (c->close_pending && c->state < TCP_CONN_CLOSING)
			tcp_conn_close(c);
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

int tcp_group_poll(struct nvmf_tgroup *gr)
{
	struct tcp_group *g = (struct tcp_group *)gr;
	struct epoll_event ev[TCP_EPOLL_EVENTS];
	int n, i, busy;

	busy = tcp_req_retry_waiters(g);
	n = epoll_wait(g->epfd, ev, TCP_EPOLL_EVENTS, 0);
	for (i = 0; i < n; i++) {
		struct tcp_conn *c = ev[i].data.ptr;

		if (c->state < TCP_CONN_CLOSING)
			busy |= tcp_recv_poll(c);
	}
	busy |= tcp_group_flush(g);
	busy |= tcp_group_reap(g);
	return busy;
}
