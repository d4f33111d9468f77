/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport_ops.c - one-line wrappers around the transport ops table, with
 * the defaults of optional ops. Generic code calls only these.
 */
#include <errno.h>
#include <string.h>

#include "nvmf/nvmf_internal.h"

struct nvmf_transport *nvmf_tr_create(struct nvmf_tr *tr, const struct nvmf_transport_upcalls *up)
{
	return tr->ops->create(&tr->opts, up);
}

void nvmf_tr_destroy(struct nvmf_tr *tr)
{
	tr->ops->destroy(tr->t);
}

struct nvmf_tgroup *nvmf_tr_group_create(struct nvmf_tr *tr)
{
	return tr->ops->group_create(tr->t);
}

void nvmf_tr_group_destroy(struct nvmf_tr *tr, struct nvmf_tgroup *g)
{
	tr->ops->group_destroy(g);
}

int nvmf_tr_group_add(struct nvmf_tr *tr, struct nvmf_tgroup *g, struct nvmf_qpair *qp)
{
	return tr->ops->group_add(g, qp);
}

int nvmf_tr_group_poll(struct nvmf_tr *tr, struct nvmf_tgroup *g)
{
	return tr->ops->group_poll(g);
}

int nvmf_tr_group_flush(struct nvmf_tr *tr, struct nvmf_tgroup *g)
{
	return tr->ops->group_flush ? tr->ops->group_flush(g) : NVMF_POLL_IDLE;
}

int nvmf_tr_group_wait_fd(struct nvmf_tr *tr, struct nvmf_tgroup *g)
{
	return tr->ops->group_wait_fd ? tr->ops->group_wait_fd(g) : -1;
}

uint32_t nvmf_tr_group_sleep(struct nvmf_tr *tr, struct nvmf_tgroup *g)
{
	return tr->ops->group_sleep ? tr->ops->group_sleep(g) : NVMF_SLEEP_FOREVER;
}

void nvmf_tr_group_woken(struct nvmf_tr *tr, struct nvmf_tgroup *g)
{
	if (tr->ops->group_woken)
		tr->ops->group_woken(g);
}

int nvmf_tr_wait_fd(struct nvmf_tr *tr)
{
	if (tr->ops->accept == NULL)
		return -ENOENT;
	return tr->ops->wait_fd ? tr->ops->wait_fd(tr->t) : -ENOTSUP;
}

int nvmf_tr_listen(struct nvmf_tr *tr, const struct nvmf_listen_addr *addr)
{
	return tr->ops->listen ? tr->ops->listen(tr->t, addr) : -ENOTSUP;
}

int nvmf_tr_stop_listen(struct nvmf_tr *tr, const struct nvmf_listen_addr *addr)
{
	return tr->ops->stop_listen ? tr->ops->stop_listen(tr->t, addr) : 0;
}

int nvmf_tr_accept(struct nvmf_tr *tr)
{
	return tr->ops->accept ? tr->ops->accept(tr->t) : NVMF_POLL_IDLE;
}

void nvmf_tr_req_keep_data(struct nvmf_request *req)
{
	if (req->h2c_lent)
		req->qpair->transport->ops->req_keep_data(req);
}

void nvmf_tr_req_complete(struct nvmf_request *req)
{
	req->qpair->transport->ops->req_complete(req);
}

void nvmf_tr_qpair_close(struct nvmf_qpair *qp)
{
	qp->transport->ops->qpair_close(qp);
}

void nvmf_tr_qpair_free(struct nvmf_qpair *qp)
{
	if (qp->transport->ops->qpair_free)
		qp->transport->ops->qpair_free(qp);
}

void nvmf_tr_discovery_entry(struct nvmf_tr *tr, const struct nvmf_listen_addr *addr,
			     struct nvmf_discovery_log_entry *e)
{
	if (tr->ops->discovery_entry)
		tr->ops->discovery_entry(tr->t, addr, e);
}

const char *nvmf_tr_name(const struct nvmf_tr *tr)
{
	return tr->ops->name;
}

struct nvmf_tr *nvmf_tgt_tr_find(struct nvmf_tgt *tgt, uint8_t trtype)
{
	for (uint32_t i = 0; i < tgt->ntr; i++) {
		if (tgt->tr[i].ops->trtype == trtype)
			return &tgt->tr[i];
	}
	return NULL;
}

struct nvmf_tr *nvmf_tgt_tr_of(struct nvmf_tgt *tgt, const struct nvmf_transport *t)
{
	for (uint32_t i = 0; i < tgt->ntr; i++) {
		if (tgt->tr[i].t == t)
			return &tgt->tr[i];
	}
	return NULL;
}
