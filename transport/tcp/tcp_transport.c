/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_transport.c - NVMe/TCP target transport: create/destroy, listeners,
 * accept, discovery entries, and the ops table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "env.h"
#include "transport/tcp/tcp_internal.h"
#include "util.h"

static struct nvmf_transport *tcp_create(const struct nvmf_transport_opts *opts,
					 const struct nvmf_transport_upcalls *up)
{
	struct tcp_transport *t;
	uint32_t min_unit;

	if (opts->max_queue_depth < 2 || opts->max_aq_depth < 2 || opts->io_unit_size == 0 ||
	    opts->max_io_size == 0 || opts->num_shared_buffers == 0) {
		log_error(TCP_LOG, "transport options invalid (queue depth, io unit, buffers)");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->listen_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->listen_epfd < 0) {
		free(t);
		return NULL;
	}
	t->base.ops = &nvmf_tcp_ops;
	t->base.opts = *opts;
	t->base.up = *up;
	TAILQ_INIT(&t->listeners);
	t->c2h_success = true;
	t->icd_buf_size = opts->in_capsule_data_size > TCP_ADMIN_ICD_SIZE
			      ? opts->in_capsule_data_size
			      : TCP_ADMIN_ICD_SIZE;
	/* A request must fit into NVMF_REQ_MAX_IOV buffers of io_unit_size. */
	min_unit = (opts->max_io_size + NVMF_REQ_MAX_IOV - 2) / (NVMF_REQ_MAX_IOV - 1);
	min_unit = (min_unit + 4095) & ~4095u;
	if (t->base.opts.io_unit_size < min_unit) {
		log_notice(TCP_LOG, "IOUnitSize %u too small for MaxIOSize %u: using %u",
			   opts->io_unit_size, opts->max_io_size, min_unit);
		t->base.opts.io_unit_size = min_unit;
	}
	return &t->base;
}

static void tcp_destroy(struct nvmf_transport *tr)
{
	struct tcp_transport *t = nvmf_tcp_transport_of(tr);
	struct tcp_listener *l;

	while ((l = TAILQ_FIRST(&t->listeners)) != NULL) {
		TAILQ_REMOVE(&t->listeners, l, link);
		close(l->fd);
		free(l);
	}
	nvmf_tcp_tls_ctx_free(t);
	close(t->listen_epfd);
	free(t);
}

static int tcp_sockaddr(const struct nvmf_listen_addr *addr, struct sockaddr_storage *ss,
			socklen_t *len)
{
	struct addrinfo hints = {0}, *res;
	int rc;

	hints.ai_family = addr->adrfam == NVMF_ADRFAM_IPV6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(addr->traddr[0] ? addr->traddr : NULL, addr->trsvcid, &hints, &res);
	if (rc != 0)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int tcp_socket_tune(int fd)
{
	int one = 1;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

static int tcp_listen_socket(const struct nvmf_listen_addr *addr, int *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd, rc;

	if (addr->adrfam != NVMF_ADRFAM_IPV4 && addr->adrfam != NVMF_ADRFAM_IPV6)
		return -EINVAL;
	rc = tcp_sockaddr(addr, &ss, &len);
	if (rc != 0)
		return rc;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto err_close;
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto err_close;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 512) < 0)
		goto err_close;
	*out = fd;
	return 0;
err_close:
	rc = -errno;
	close(fd);
	return rc;
}

static int tcp_listen(struct nvmf_transport *tr, const struct nvmf_listen_addr *addr)
{
	struct tcp_transport *t = nvmf_tcp_transport_of(tr);
	struct tcp_listener *l;
	int rc, fd = -1;

	TAILQ_FOREACH(l, &t->listeners, link)
	{
		if (nvmf_listen_addr_eq(&l->addr, addr))
			return -EEXIST;
	}
	if (addr->secure == NVMF_LISTEN_SECURE_TLS && (rc = nvmf_tcp_tls_ctx(t)) != 0) {
		log_error(TCP_LOG, "listen on %s:%s: TLS context: %s", addr->traddr, addr->trsvcid,
			  strerror(-rc));
		return rc;
	}
	rc = tcp_listen_socket(addr, &fd);
	if (rc != 0) {
		log_error(TCP_LOG, "listen on %s:%s failed: %s", addr->traddr, addr->trsvcid,
			  strerror(-rc));
		return rc;
	}
	l = calloc(1, sizeof(*l));
	rc = l == NULL ? -ENOMEM : nvmf_tcp_listen_watch(t, fd);
	if (rc != 0) {
		free(l);
		close(fd);
		return rc;
	}
	l->fd = fd;
	l->addr = *addr;
	TAILQ_INSERT_TAIL(&t->listeners, l, link);
	return 0;
}

static int tcp_stop_listen(struct nvmf_transport *tr, const struct nvmf_listen_addr *addr)
{
	struct tcp_transport *t = nvmf_tcp_transport_of(tr);
	struct tcp_listener *l;

	TAILQ_FOREACH(l, &t->listeners, link)
	{
		if (nvmf_listen_addr_eq(&l->addr, addr)) {
			TAILQ_REMOVE(&t->listeners, l, link);
			close(l->fd);
			free(l);
			return 0;
		}
	}
	return -ENOENT;
}

static void tcp_addr_fmt(const struct sockaddr_storage *ss, uint8_t trtype,
			 struct nvmf_listen_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->trtype = trtype;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		out->adrfam = NVMF_ADRFAM_IPV6;
		inet_ntop(AF_INET6, &s6->sin6_addr, out->traddr, sizeof(out->traddr));
		snprintf(out->trsvcid, sizeof(out->trsvcid), "%u", ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		out->adrfam = NVMF_ADRFAM_IPV4;
		inet_ntop(AF_INET, &s4->sin_addr, out->traddr, sizeof(out->traddr));
		snprintf(out->trsvcid, sizeof(out->trsvcid), "%u", ntohs(s4->sin_port));
	}
}

static int tcp_accept_one(struct tcp_transport *t, struct tcp_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct nvmf_listen_addr peer;
	struct tcp_conn *c;
	int fd;

	fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	tcp_addr_fmt(&ss, NVMF_TRTYPE_TCP, &peer);
	if (tcp_socket_tune(fd) != 0) {
		close(fd);
		return 0;
	}
	c = nvmf_tcp_conn_create(t, fd, &peer, &l->addr);
	if (c == NULL) {
		log_error(TCP_LOG, "connection from %s:%s dropped: out of memory", peer.traddr,
			  peer.trsvcid);
		close(fd);
		return 0;
	}
	log_info(TCP_LOG, "connection from %s:%s on %s:%s", peer.traddr, peer.trsvcid,
		 l->addr.traddr, l->addr.trsvcid);
	t->base.up.new_qpair(t->base.up.ctx, &c->base);
	return 0;
}

static int tcp_accept(struct nvmf_transport *tr)
{
	struct tcp_transport *t = nvmf_tcp_transport_of(tr);
	struct tcp_listener *l;
	int busy = NVMF_POLL_IDLE, i;
	uint64_t now = env_ticks();

	/* accept() is a system call that nearly always says EAGAIN: not every poll. */
	if (now < t->next_accept)
		return NVMF_POLL_IDLE;
	TAILQ_FOREACH(l, &t->listeners, link)
	{
		/* At most 16 per listener per poll: bounded work on the main thread. */
		for (i = 0; i < 16; i++) {
			if (tcp_accept_one(t, l) != 0)
				break;
			busy = NVMF_POLL_BUSY;
		}
	}
	/* Connections come in bursts (one per queue): look again at once after one. */
	if (busy == NVMF_POLL_IDLE)
		t->next_accept = now + env_ticks_hz() * TCP_ACCEPT_PERIOD_US / 1000000;
	return busy;
}

static void tcp_discovery_entry(struct nvmf_transport *t, const struct nvmf_listen_addr *addr,
				struct nvmf_discovery_log_entry *e)
{
	(void)t;
	/* TSAS for TCP: SECTYPE "no security" (0) or TLS 1.3; the rest reserved. */
	memset(&e->tsas, 0, sizeof(e->tsas));
	e->tsas.tcp.sectype =
	    addr->secure == NVMF_LISTEN_SECURE_TLS ? NVMF_TCP_SECTYPE_TLS13 : NVMF_TCP_SECTYPE_NONE;
}

const struct nvmf_transport_ops nvmf_tcp_ops = {
    .name = "TCP",
    .trtype = NVMF_TRTYPE_TCP,
    .create = tcp_create,
    .destroy = tcp_destroy,
    .listen = tcp_listen,
    .stop_listen = tcp_stop_listen,
    .accept = tcp_accept,
    .wait_fd = nvmf_tcp_wait_fd,
    .group_wait_fd = nvmf_tcp_group_wait_fd,
    .group_sleep = nvmf_tcp_group_sleep,
    .group_create = nvmf_tcp_group_create,
    .group_destroy = nvmf_tcp_group_destroy,
    .group_add = nvmf_tcp_group_add,
    .group_poll = nvmf_tcp_group_poll,
    .group_flush = nvmf_tcp_group_flush,
    .req_keep_data = nvmf_tcp_req_keep_data,
    .req_complete = nvmf_tcp_req_complete,
    .req_abort = nvmf_tcp_req_abort,
    .qpair_close = nvmf_tcp_qpair_close,
    .qpair_free = nvmf_tcp_qpair_free,
    .discovery_entry = tcp_discovery_entry,
};
