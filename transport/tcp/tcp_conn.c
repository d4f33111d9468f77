/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn.c - NVMe/TCP connections: creation, fatal errors, close, free.
 *
 * Teardown, whatever started it (peer closed or reset, fatal protocol
 * error, socket error, ops.qpair_close):
 *   nvmf_tcp_conn_close(): socket shut and closed, queued PDUs dropped, requests
 *   the transport owns recycled (buffers back to the pool), state CLOSING,
 *   connection put on the group's close list;
 *   group_poll: upcalls.qpair_closed() once, state CLOSED;
 *   requests the core still owns come back through req_complete and are
 *   only recycled; ops.qpair_free() frees the memory.
 * A fatal error first queues a C2HTermReq and closes once it is flushed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/tcp/tcp_internal.h"
#include "util.h"

struct tcp_conn *nvmf_tcp_conn_create(struct tcp_transport *t, int fd,
				      const struct nvmf_listen_addr *peer,
				      const struct nvmf_listen_addr *local)
{
	struct tcp_conn *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->base.transport = &t->base;
	if (peer != NULL)
		c->base.peer = *peer;
	if (local != NULL)
		c->base.local = *local;
	c->fd = fd;
	c->state = TCP_CONN_WAIT_ICREQ;
	c->hpda_align = 4;
	TAILQ_INIT(&c->sendq);
	TAILQ_INIT(&c->free_reqs);
	c->rstate = TCP_RECV_CH;
	c->rx_need = 8;
	c->rx_stage = malloc(TCP_RX_STAGE_SIZE);
	if (c->rx_stage == NULL)
		goto err_free_conn;
	if (nvmf_tcp_reqs_alloc(c) != 0)
		goto err_free_stage;
	nvmf_tcp_tls_conn_init(c);
	return c;
err_free_stage:
	free(c->rx_stage);
err_free_conn:
	free(c);
	return NULL;
}

uint32_t nvmf_tcp_conn_icd_limit(struct tcp_conn *c)
{
	uint32_t opt = nvmf_tcp_conn_transport(c)->base.opts.in_capsule_data_size;

	if (!c->base.connected || c->base.qid == 0)
		return opt > TCP_ADMIN_ICD_SIZE ? opt : TCP_ADMIN_ICD_SIZE;
	return opt;
}

void nvmf_tcp_conn_fatal(struct tcp_conn *c, uint16_t fes, uint32_t fei)
{
	if (c->rstate == TCP_RECV_ERROR || c->state >= TCP_CONN_CLOSING)
		return;
	log_warn(TCP_LOG, "connection from %s:%s: fatal error (FES %u, FEI %u): closing",
		 c->base.peer.traddr, c->base.peer.trsvcid, fes, fei);
	nvmf_tcp_send_term(c, fes, fei);
	nvmf_tcp_recv_set_state(c, TCP_RECV_ERROR);
	c->close_pending = true;
	nvmf_tcp_group_want_send(c);
}

void nvmf_tcp_conn_close(struct tcp_conn *c)
{
	char sink[512];
	int i;

	if (c->state >= TCP_CONN_CLOSING)
		return;
	c->state = TCP_CONN_CLOSING;
	log_debug(TCP_LOG,
		  "connection from %s:%s: %" PRIu64 " PDUs and %" PRIu64 " bytes in %" PRIu64
		  " receive calls; %" PRIu64 " PDUs out in %" PRIu64 " sendmsg calls",
		  c->base.peer.traddr, c->base.peer.trsvcid, c->rx_pdus, c->rx_bytes,
		  c->rx_syscalls, c->tx_pdus, c->tx_syscalls);
	if (c->fd >= 0) {
		if (c->group != NULL)
			epoll_ctl(c->group->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		/* close_notify and FIN after what was sent; drain so close() does not reset it away. */
		nvmf_tcp_tls_shutdown(c);
		shutdown(c->fd, SHUT_WR);
		for (i = 0; i < 64 && recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
			;
		close(c->fd);
		c->fd = -1;
	}
	nvmf_tcp_send_drop(c);
	nvmf_tcp_reqs_abort(c);
	if (c->in_send_list) {
		TAILQ_REMOVE(&c->group->send_list, c, send_link);
		c->in_send_list = false;
	}
	if (c->in_group)
		TAILQ_INSERT_TAIL(&c->group->close_list, c, close_link);
}

void nvmf_tcp_qpair_close(struct nvmf_qpair *q)
{
	nvmf_tcp_conn_close(nvmf_tcp_conn_of(q));
}

void nvmf_tcp_conn_free(struct tcp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->in_group)
		TAILQ_REMOVE(&c->group->conns, c, link);
	nvmf_tcp_reqs_free(c);
	nvmf_tcp_tls_free(c);
	free(c->rx_stage);
	free(c);
}

void nvmf_tcp_qpair_free(struct nvmf_qpair *q)
{
	struct tcp_conn *c = nvmf_tcp_conn_of(q);

	if (c->state != TCP_CONN_CLOSED)
		log_warn(TCP_LOG, "qpair_free before qpair_closed");
	if (c->state == TCP_CONN_CLOSING && c->in_group)
		TAILQ_REMOVE(&c->group->close_list, c, close_link);
	if (c->core_owned != 0)
		log_warn(TCP_LOG, "qpair_free with %u requests still with the core", c->core_owned);
	nvmf_tcp_conn_free(c);
}
