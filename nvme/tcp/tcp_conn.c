/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_conn.c - NVMe/TCP host connections: the ops table, TCP connect with a
 * deadline, ICReq/ICResp, queue pair and controller create / destroy.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "env.h"
#include "nvme/tcp/tcp_internal.h"
#include "util.h"

int nvme_tcp_fail(struct nvme_tcp_qpair *tq, const char *fmt, ...)
{
	va_list ap;
	bool first;

	va_start(ap, fmt);
	first = nvme_qpair_vmark_failed(&tq->base, NVME_TCP_LOG, tq->name, fmt, ap);
	va_end(ap);
	if (first) {
		tq->rx.state = NVME_TCP_RX_FAILED;
		if (tq->fd >= 0)
			shutdown(tq->fd, SHUT_RDWR);
	}
	return -ENXIO;
}

int nvme_tcp_sock_error(struct nvme_tcp_qpair *tq, const char *what)
{
	if (errno == EINTR)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return nvme_tcp_fail(tq, "%s failed: %s", what, strerror(errno));
}

int nvme_tcp_qpair_init(struct nvme_tcp_qpair *tq, struct nvme_ctrlr *ctrlr, uint16_t qid,
			uint32_t entries, int fd, bool hdgst, bool ddgst)
{
	uint32_t i, nspdu;
	int rc, fl;

	rc = nvme_qpair_init(&tq->base, ctrlr, qid, entries);
	if (rc != 0)
		return rc;
	tq->fd = fd;
	tq->want_hdgst = hdgst;
	tq->want_ddgst = ddgst;
	tq->state = NVME_TCP_Q_WAIT_ICRESP;
	tq->h2c_head = tq->h2c_tail = NVME_TCP_NO_CID;
	snprintf(tq->name, sizeof(tq->name), "%.64s:%.32s queue %u",
		 ctrlr ? ctrlr->trid.traddr : "", ctrlr ? ctrlr->trid.trsvcid : "", qid);
	if (qid != 0 && ctrlr != NULL && ctrlr->id.ioccsz >= 4)
		tq->icd_max = ctrlr->id.ioccsz * 16u - 64u;
	nspdu = tq->base.num_reqs + NVME_TCP_EXTRA_PDUS;
	tq->treqs = calloc(tq->base.num_reqs, sizeof(*tq->treqs));
	tq->spdus = calloc(nspdu, sizeof(*tq->spdus));
	tq->rx.stage = malloc(NVME_TCP_STAGE_SIZE);
	if (tq->treqs == NULL || tq->spdus == NULL || tq->rx.stage == NULL) {
		tq->fd = -1; /* the caller still owns @fd */
		nvme_tcp_qpair_fini(tq);
		return -ENOMEM;
	}
	for (i = nspdu; i-- > 0;) {
		tq->spdus[i].next = tq->spdu_free;
		tq->spdu_free = &tq->spdus[i];
	}
	tq->rx.state = NVME_TCP_RX_CH;
	tq->rx.need = sizeof(struct nvme_tcp_common_hdr);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		log_warn(NVME_TCP_LOG, "%s: cannot make the socket non-blocking", tq->name);
	return nvme_tcp_queue_icreq(tq);
}

void nvme_tcp_qpair_fini(struct nvme_tcp_qpair *tq)
{
	nvme_tcp_tls_close(tq);
	if (tq->fd >= 0)
		close(tq->fd);
	tq->fd = -1;
	free(tq->rx.stage);
	free(tq->spdus);
	free(tq->treqs);
	tq->rx.stage = NULL;
	tq->spdus = NULL;
	tq->treqs = NULL;
	nvme_qpair_fini(&tq->base);
}

/* --------------------------------------------------------------- connect */

static int wait_connected(int fd, uint32_t timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int err = 0, n;
	socklen_t len = sizeof(err);

	do
		n = poll(&pfd, 1, (int)timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -ETIMEDOUT;
	if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -errno;
	return -err;
}

static int tcp_dial(const struct nvme_trid *trid, uint32_t timeout_ms, int *fdp)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	int fd, rc, one = 1;

	hints.ai_family = trid->adrfam == NVMF_ADRFAM_IPV6 ? AF_INET6 : AF_INET;
	rc = getaddrinfo(trid->traddr, trid->trsvcid, &hints, &ai);
	if (rc != 0) {
		log_error(NVME_TCP_LOG, "%s:%s: cannot resolve: %s", trid->traddr, trid->trsvcid,
			  gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return -errno;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rc = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : -errno;
	freeaddrinfo(ai);
	if (rc == -EINPROGRESS)
		rc = wait_connected(fd, timeout_ms);
	if (rc != 0) {
		log_error(NVME_TCP_LOG, "%s:%s: connect failed: %s", trid->traddr, trid->trsvcid,
			  strerror(-rc));
		close(fd);
		return rc == -ETIMEDOUT || rc == -ECONNREFUSED ? rc : -ECONNREFUSED;
	}
	*fdp = fd;
	return 0;
}

static int wait_icresp(struct nvme_tcp_qpair *tq, uint32_t timeout_ms)
{
	uint64_t deadline = env_ticks() + nvme_ms_to_ticks(timeout_ms);
	struct pollfd pfd = {.fd = tq->fd, .events = POLLIN};

	while (tq->state != NVME_TCP_Q_READY) {
		if (nvme_tcp_poll(&tq->base, 0) < 0)
			return -EPROTO;
		if (tq->state == NVME_TCP_Q_READY)
			break;
		if (env_ticks() > deadline) {
			log_error(NVME_TCP_LOG, "%s: no ICResp within %u ms", tq->name, timeout_ms);
			return -ETIMEDOUT;
		}
		poll(&pfd, 1, 10);
	}
	return 0;
}

static int tcp_qpair_create(struct nvme_ctrlr *ctrlr, uint16_t qid, uint32_t size,
			    struct nvme_qpair **qpair)
{
	const struct nvme_ctrlr_opts *o = &ctrlr->opts;
	struct nvme_tcp_qpair *tq;
	int fd = -1, rc;

	rc = tcp_dial(&ctrlr->trid, o->timeout_ms, &fd);
	if (rc != 0)
		return rc;
	tq = calloc(1, sizeof(*tq));
	rc = tq == NULL ? -ENOMEM : 0;
	if (rc == 0 && o->tls)
		rc = nvme_tcp_tls_connect(tq, ctrlr, fd, o->timeout_ms);
	if (rc != 0) {
		close(fd);
		free(tq);
		return rc;
	}
	rc = nvme_tcp_qpair_init(tq, ctrlr, qid, size, fd, o->hdgst, o->ddgst);
	if (rc == 0)
		rc = wait_icresp(tq, o->timeout_ms);
	if (rc != 0) {
		if (tq->base.reqs == NULL) {
			nvme_tcp_tls_close(tq);
			close(fd); /* init failed before taking the socket */
		} else
			nvme_tcp_qpair_fini(tq);
		free(tq);
		return rc;
	}
	*qpair = &tq->base;
	return 0;
}

static void tcp_qpair_destroy(struct nvme_qpair *q)
{
	struct nvme_tcp_qpair *tq = nvme_tcp_qpair(q);

	nvme_tcp_qpair_fini(tq);
	free(tq);
}

const struct nvme_transport_ops nvme_tcp_ops = {
    .name = "TCP",
    .trtype = NVMF_TRTYPE_TCP,
    .fabrics = true,
    .qpair_create = tcp_qpair_create,
    .qpair_destroy = tcp_qpair_destroy,
    .qpair_submit = nvme_tcp_submit,
    .qpair_poll = nvme_tcp_poll,
};
