/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_transport.c - NVMe/RDMA target transport: create/destroy, listeners,
 * connect requests (main thread), discovery entries, ops table.
 *
 * Every listener's CM id sits on one non-blocking event channel; accept()
 * drains it within a budget. A CONNECT_REQUEST is checked (private data,
 * READ depths): a bad one is rejected with the NVMe/RDMA reject private
 * data, a good one becomes a connection handed to the core, whose poll
 * group then creates the queue pair and accepts (nvmf_rdma_conn.c). Until then
 * the new id stays on this channel; an event for it here only marks it gone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/rdma/rdma_internal.h"
#include "util.h"

static struct nvmf_transport *nvmf_rdma_tr_create(const struct nvmf_transport_opts *opts,
						  const struct nvmf_transport_upcalls *up)
{
	struct nvmf_rdma_transport *t;
	uint32_t min_unit;

	if (opts->max_queue_depth < 2 || opts->max_aq_depth < 2 || opts->io_unit_size == 0 ||
	    opts->max_io_size == 0 || opts->num_shared_buffers == 0 ||
	    opts->max_queue_depth > 4096) {
		log_error(NVMF_RDMA_LOG,
			  "transport options invalid (queue depth, io unit, buffers)");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->base.ops = &nvmf_rdma_ops;
	t->base.opts = *opts;
	t->base.up = *up;
	TAILQ_INIT(&t->listeners);
	TAILQ_INIT(&t->devices);
	/* A request must fit into NVMF_REQ_MAX_IOV buffers of io_unit_size. */
	min_unit = (opts->max_io_size + NVMF_REQ_MAX_IOV - 2) / (NVMF_REQ_MAX_IOV - 1);
	min_unit = (min_unit + 4095) & ~4095u;
	if (t->base.opts.io_unit_size < min_unit) {
		log_notice(NVMF_RDMA_LOG, "IOUnitSize %u too small for MaxIOSize %u: using %u",
			   opts->io_unit_size, opts->max_io_size, min_unit);
		t->base.opts.io_unit_size = min_unit;
	}
	t->max_iov =
	    (opts->max_io_size + t->base.opts.io_unit_size - 1) / t->base.opts.io_unit_size;
	t->recv_size = NVME_SQE_SIZE + opts->in_capsule_data_size;
	t->ec = nvmf_rdma_event_channel_create();
	if (t->ec == NULL) {
		log_error(NVMF_RDMA_LOG,
			  "cannot create an RDMA CM event channel: %s (is rdma_cm loaded?)",
			  strerror(errno));
		free(t);
		return NULL;
	}
	return &t->base;
}

struct rdma_event_channel *nvmf_rdma_event_channel_create(void)
{
	struct rdma_event_channel *ec = rdma_create_event_channel();
	int fl, err;

	if (ec == NULL)
		return NULL;
	fl = fcntl(ec->fd, F_GETFL);
	if (fl < 0 || fcntl(ec->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		err = errno;
		rdma_destroy_event_channel(ec);
		errno = err;
		return NULL;
	}
	return ec;
}

static void nvmf_rdma_tr_destroy(struct nvmf_transport *tr)
{
	struct nvmf_rdma_transport *t = nvmf_rdma_transport_of(tr);
	struct nvmf_rdma_listener *l;

	/* PDs first: a listener's id may be what keeps its device open. */
	nvmf_rdma_devices_free(t);
	while ((l = TAILQ_FIRST(&t->listeners)) != NULL) {
		TAILQ_REMOVE(&t->listeners, l, link);
		if (l->id != NULL)
			rdma_destroy_id(l->id);
		free(l);
	}
	rdma_destroy_event_channel(t->ec);
	free(t);
}

static int nvmf_rdma_sockaddr(const struct nvmf_listen_addr *addr, struct sockaddr_storage *ss)
{
	struct addrinfo hints = {0}, *res;

	if (addr->adrfam != NVMF_ADRFAM_IPV4 && addr->adrfam != NVMF_ADRFAM_IPV6)
		return -EINVAL;
	hints.ai_family = addr->adrfam == NVMF_ADRFAM_IPV6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(addr->traddr[0] ? addr->traddr : NULL, addr->trsvcid, &hints, &res) != 0)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

int nvmf_rdma_listen_id(struct nvmf_rdma_transport *t, const struct nvmf_listen_addr *addr,
			void *ctx, struct rdma_cm_id **out)
{
	struct sockaddr_storage ss;
	struct rdma_cm_id *id;
	int rc = nvmf_rdma_sockaddr(addr, &ss);

	if (rc != 0)
		return rc;
	if (rdma_create_id(t->ec, &id, ctx, RDMA_PS_TCP) != 0)
		return -errno;
	if (rdma_bind_addr(id, (struct sockaddr *)&ss) != 0 || rdma_listen(id, 128) != 0) {
		rc = -errno;
		rdma_destroy_id(id);
		return rc;
	}
	*out = id;
	return 0;
}

static int nvmf_rdma_tr_listen(struct nvmf_transport *tr, const struct nvmf_listen_addr *addr)
{
	struct nvmf_rdma_transport *t = nvmf_rdma_transport_of(tr);
	struct nvmf_rdma_listener *l;
	int rc;

	TAILQ_FOREACH(l, &t->listeners, link)
	{
		if (nvmf_listen_addr_eq(&l->addr, addr))
			return -EEXIST;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->addr = *addr;
	rc = nvmf_rdma_listen_id(t, addr, l, &l->id);
	if (rc != 0) {
		log_error(NVMF_RDMA_LOG,
			  "listen on %s:%s failed: %s (an RDMA device must own this address)",
			  addr->traddr, addr->trsvcid, strerror(-rc));
		free(l);
		return rc;
	}
	TAILQ_INSERT_TAIL(&t->listeners, l, link);
	return 0;
}

static int nvmf_rdma_tr_stop_listen(struct nvmf_transport *tr, const struct nvmf_listen_addr *addr)
{
	struct nvmf_rdma_transport *t = nvmf_rdma_transport_of(tr);
	struct nvmf_rdma_listener *l;

	TAILQ_FOREACH(l, &t->listeners, link)
	{
		if (nvmf_listen_addr_eq(&l->addr, addr)) {
			TAILQ_REMOVE(&t->listeners, l, link);
			if (l->id != NULL)
				rdma_destroy_id(l->id);
			free(l);
			return 0;
		}
	}
	return -ENOENT;
}

static void nvmf_rdma_peer_addr(struct rdma_cm_id *id, struct nvmf_listen_addr *out)
{
	struct sockaddr *sa = rdma_get_peer_addr(id);

	memset(out, 0, sizeof(*out));
	out->trtype = NVMF_TRTYPE_RDMA;
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		out->adrfam = NVMF_ADRFAM_IPV6;
		inet_ntop(AF_INET6, &s6->sin6_addr, out->traddr, sizeof(out->traddr));
		snprintf(out->trsvcid, sizeof(out->trsvcid), "%u", ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)sa;
		out->adrfam = NVMF_ADRFAM_IPV4;
		inet_ntop(AF_INET, &s4->sin_addr, out->traddr, sizeof(out->traddr));
		snprintf(out->trsvcid, sizeof(out->trsvcid), "%u", ntohs(s4->sin_port));
	}
}

/* Check a connect request; 0 or the reject status. Fills @p, @ird, @ord. */
static uint16_t nvmf_rdma_connect_check(struct nvmf_rdma_transport *t,
					const struct rdma_cm_event *ev,
					struct nvmf_rdma_device *dev, struct nvmf_rdma_cm_params *p,
					uint8_t *ird, uint8_t *ord)
{
	const struct rdma_conn_param *cp = &ev->param.conn;
	uint16_t sts;

	sts = nvmf_rdma_cm_req_check(cp->private_data, cp->private_data_len, &t->base.opts, p);
	if (sts != 0)
		return sts;
	if (dev == NULL)
		return NVMF_RDMA_REJECT_NO_RESOURCES;
	/* Seen from this side: initiator_depth = READs we may issue to the host. */
	if (cp->initiator_depth == 0)
		return NVMF_RDMA_REJECT_INVALID_ORD;
	*ord = cp->initiator_depth;
	if (*ord > dev->attr.max_qp_init_rd_atom)
		*ord = (uint8_t)dev->attr.max_qp_init_rd_atom;
	*ird = cp->responder_resources;
	if (*ird > dev->attr.max_qp_rd_atom)
		*ird = (uint8_t)dev->attr.max_qp_rd_atom;
	if (*ord == 0)
		return NVMF_RDMA_REJECT_INVALID_ORD;
	return 0;
}

static void nvmf_rdma_reject_id(struct rdma_cm_id *id, uint16_t sts)
{
	struct nvmf_rdma_reject_private_data rej;

	nvmf_rdma_cm_reject_data(&rej, sts);
	if (rdma_reject(id, &rej, sizeof(rej)) != 0)
		log_warn(NVMF_RDMA_LOG, "rdma_reject failed: %s", strerror(errno));
}

/* A CONNECT_REQUEST; acks @ev. */
static void nvmf_rdma_connect_request(struct nvmf_rdma_transport *t, struct rdma_cm_event *ev)
{
	struct nvmf_rdma_listener *l = ev->listen_id->context;
	struct rdma_cm_id *id = ev->id;
	struct nvmf_listen_addr peer;
	struct nvmf_rdma_cm_params p;
	struct nvmf_rdma_device *dev;
	struct nvmf_rdma_conn *c = NULL;
	uint8_t ird = 0, ord = 0;
	uint16_t sts;

	nvmf_rdma_peer_addr(id, &peer);
	dev = nvmf_rdma_device_get(t, id->verbs);
	sts = nvmf_rdma_connect_check(t, ev, dev, &p, &ird, &ord);
	if (sts == 0) {
		c = nvmf_rdma_conn_create(t, id, &p, ird, ord, &l->addr);
		if (c == NULL)
			sts = NVMF_RDMA_REJECT_NO_RESOURCES;
	}
	if (sts != 0) {
		log_warn(NVMF_RDMA_LOG, "connect request from %s:%s on %s:%s rejected (status %u)",
			 peer.traddr, peer.trsvcid, l->addr.traddr, l->addr.trsvcid, sts);
		nvmf_rdma_reject_id(id, sts);
		rdma_ack_cm_event(ev);
		rdma_destroy_id(id);
		return;
	}
	c->base.peer = peer;
	rdma_ack_cm_event(ev);
	log_info(NVMF_RDMA_LOG, "connection from %s:%s on %s:%s: qid %u depth %u ird %u ord %u",
		 peer.traddr, peer.trsvcid, l->addr.traddr, l->addr.trsvcid, p.qid, p.depth, ird,
		 ord);
	t->base.up.new_qpair(t->base.up.ctx, &c->base);
}

static struct nvmf_rdma_listener *nvmf_rdma_listener_of(struct nvmf_rdma_transport *t,
							struct rdma_cm_id *id)
{
	struct nvmf_rdma_listener *l;

	TAILQ_FOREACH(l, &t->listeners, link)
	{
		if (l->id == id)
			return l;
	}
	return NULL;
}

static void nvmf_rdma_listener_event(struct nvmf_rdma_transport *t, struct rdma_cm_event *ev)
{
	struct nvmf_rdma_listener *l = nvmf_rdma_listener_of(t, ev->id);
	enum rdma_cm_event_type type = ev->event;
	struct nvmf_rdma_conn *c;

	if (l != NULL) {
		rdma_ack_cm_event(ev);
		if (type == RDMA_CM_EVENT_DEVICE_REMOVAL)
			nvmf_rdma_listener_lost(l);
		else
			log_warn(NVMF_RDMA_LOG, "listener: CM event %s", rdma_event_str(type));
		return;
	}
	if (ev->id->context != NULL) {
		/* A connection not yet adopted by its group: it will not be
		 * accepted. (A buried or lost id has no context.) */
		c = ev->id->context;
		if (type == RDMA_CM_EVENT_DEVICE_REMOVAL)
			nvmf_rdma_device_removed(c->dev);
		atomic_store(&c->cm_gone, true);
	}
	rdma_ack_cm_event(ev);
}

static int nvmf_rdma_accept_poll(struct nvmf_transport *tr)
{
	struct nvmf_rdma_transport *t = nvmf_rdma_transport_of(tr);
	struct rdma_cm_event *ev;
	int i;

	for (i = 0; i < NVMF_RDMA_CM_BUDGET; i++) {
		if (rdma_get_cm_event(t->ec, &ev) != 0)
			break; /* EAGAIN: nothing pending */
		if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
			nvmf_rdma_connect_request(t, ev);
		else
			nvmf_rdma_listener_event(t, ev);
	}
	nvmf_rdma_devices_poll(t);
	return i > 0 ? NVMF_POLL_BUSY : NVMF_POLL_IDLE;
}

static void nvmf_rdma_discovery_entry(struct nvmf_transport *t, const struct nvmf_listen_addr *addr,
				      struct nvmf_discovery_log_entry *e)
{
	(void)t;
	(void)addr;
	memset(&e->tsas, 0, sizeof(e->tsas));
	e->tsas.rdma.qptype = NVMF_RDMA_QPTYPE_RELIABLE_CONNECTED;
	e->tsas.rdma.prtype = NVMF_RDMA_PRTYPE_NONE;
	e->tsas.rdma.cms = NVMF_RDMA_CMS_RDMA_CM;
}

const struct nvmf_transport_ops nvmf_rdma_ops = {
    .name = "RDMA",
    .trtype = NVMF_TRTYPE_RDMA,
    .create = nvmf_rdma_tr_create,
    .destroy = nvmf_rdma_tr_destroy,
    .listen = nvmf_rdma_tr_listen,
    .stop_listen = nvmf_rdma_tr_stop_listen,
    .accept = nvmf_rdma_accept_poll,
    .wait_fd = nvmf_rdma_wait_fd,
    .group_wait_fd = nvmf_rdma_group_wait_fd,
    .group_sleep = nvmf_rdma_group_sleep,
    .group_woken = nvmf_rdma_group_woken,
    .group_create = nvmf_rdma_group_create,
    .group_destroy = nvmf_rdma_group_destroy,
    .group_add = nvmf_rdma_group_add,
    .group_poll = nvmf_rdma_group_poll,
    .req_complete = nvmf_rdma_req_complete,
    .req_abort = nvmf_rdma_req_abort,
    .qpair_close = nvmf_rdma_qpair_close,
    .qpair_free = nvmf_rdma_qpair_free,
    .discovery_entry = nvmf_rdma_discovery_entry,
};
