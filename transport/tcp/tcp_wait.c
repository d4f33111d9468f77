/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_wait.c - what an idle NVMe/TCP poll group and the listeners wait on.
 *
 * A group's wait fd is its epoll fd, which already holds every connection's
 * socket (EPOLLIN, level-triggered). Only work that no socket announces
 * keeps the group awake: queued output (a full send buffer: sent again each
 * poll, without EPOLLOUT), bytes staged in a connection's buffer, requests
 * waiting for data buffers and closings not yet reported. A TLS handshake
 * in progress allows short sleeps only.
 */
#include <errno.h>
#include <sys/epoll.h>

#include "transport/tcp/tcp_internal.h"

#define TCP_HANDSHAKE_SLEEP_US 1000u

int nvmf_tcp_group_wait_fd(struct nvmf_tgroup *gr)
{
	return ((struct tcp_group *)gr)->epfd;
}

uint32_t nvmf_tcp_group_sleep(struct nvmf_tgroup *gr)
{
	struct tcp_group *g = (struct tcp_group *)gr;
	struct tcp_conn *c;

	if (!TAILQ_EMPTY(&g->send_list) || !TAILQ_EMPTY(&g->buf_wait) ||
	    !TAILQ_EMPTY(&g->close_list))
		return 0;
	TAILQ_FOREACH(c, &g->conns, link)
	{
		if (nvmf_tcp_recv_staged(c) && c->rstate != TCP_RECV_ERROR)
			return 0;
	}
	return g->nhandshakes != 0 ? TCP_HANDSHAKE_SLEEP_US : NVMF_SLEEP_FOREVER;
}

int nvmf_tcp_wait_fd(struct nvmf_transport *tr)
{
	return nvmf_tcp_transport_of(tr)->listen_epfd;
}

int nvmf_tcp_listen_watch(struct tcp_transport *t, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(t->listen_epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}
