/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.c - the core's side of a connection: the transport upcalls, command
 * dispatch by queue state, and the connection's life cycle.
 *
 *   new_qpair (main) -> adopt (group) -> Connect (group -> main -> group)
 *   -> commands ... -> qpair_closed (group) -> detach (group -> main -> group)
 *   -> qpair_free when the core owns no request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "nvmf/nvmf_internal.h"

static uint32_t tr_index(struct nvmf_tgt *tgt, const struct nvmf_tr *tr)
{
	return (uint32_t)(tr - tgt->tr);
}

static void conn_adopt(void *arg)
{
	struct nvmf_conn *c = arg;
	struct nvmf_poll_group *pg = c->pg;
	struct nvmf_tgroup *tg = pg->tgroups[tr_index(pg->tgt, c->tr)];
	int rc = tg ? nvmf_tr_group_add(c->tr, tg, c->qp) : -ENODEV;

	if (rc != 0) {
		log_error("nvmf", "poll group %u: cannot adopt a connection from %s: error %d",
			  pg->idx, c->qp->peer.traddr, rc);
		nvmf_tr_qpair_free(c->qp);
		atomic_fetch_sub(&pg->tgt->live_conns, 1);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&pg->conns, c, link);
	pg->nconns++;
}

void nvmf_upcall_new_qpair(void *ctx, struct nvmf_qpair *qp)
{
	struct nvmf_tgt *tgt = ctx;
	struct nvmf_conn *c = calloc(1, sizeof(*c));
	struct nvmf_poll_group *pg;

	if (c == NULL || tgt->ngroups == 0) {
		log_error("nvmf", "cannot accept a connection from %s: out of memory",
			  qp->peer.traddr);
		free(c);
		nvmf_tr_qpair_free(qp);
		return;
	}
	pg = tgt->groups[tgt->next_group++ % tgt->ngroups];
	c->qp = qp;
	c->pg = pg;
	c->tr = nvmf_tgt_tr_of(tgt, qp->transport);
	qp->conn = c;
	qp->ctrlr = NULL;
	qp->qid = 0;
	qp->sqsize = 0;
	qp->sq_head = 0;
	qp->connected = false;
	qp->sq_flow_disabled = false;
	qp->closing = false;
	qp->outstanding = 0;
	atomic_fetch_add(&tgt->live_conns, 1);
	if (nvmf_msg_send(pg, conn_adopt, c) != 0) {
		atomic_fetch_sub(&tgt->live_conns, 1);
		nvmf_tr_qpair_free(qp);
		free(c);
	}
}

void nvmf_conn_close(struct nvmf_conn *c)
{
	if (c->closed || c->close_asked)
		return;
	c->close_asked = true;
	c->qp->closing = true;
	nvmf_tr_qpair_close(c->qp);
}

void nvmf_conn_maybe_free(struct nvmf_conn *c)
{
	struct nvmf_poll_group *pg = c->pg;

	if (!c->closed || c->connecting || c->qp->outstanding > 0)
		return;
	if (c->attached) {
		if (c->qp->qid == 0)
			nvmf_ctrlr_admin_closed(c); /* bound after the close was seen */
		if (!c->detaching) {
			c->detaching = true;
			nvmf_ctrlr_conn_detach(c);
		}
		return;
	}
	TAILQ_REMOVE(&pg->conns, c, link);
	pg->nconns--;
	c->qp->conn = NULL;
	c->qp->ctrlr = NULL;
	nvmf_tr_qpair_free(c->qp);
	atomic_fetch_sub(&pg->tgt->live_conns, 1);
	free(c);
}

void nvmf_upcall_exec(struct nvmf_request *req)
{
	struct nvmf_qpair *qp = req->qpair;

	memset(&req->cpl, 0, sizeof(req->cpl));
	qp->outstanding++;
	if (qp->connected && qp->sqsize > 0)
		qp->sq_head = (uint16_t)((qp->sq_head + 1u) % (qp->sqsize + 1u));
	if (req->h2c_lent && (!qp->connected || qp->qid == 0 || req->cmd.opc != NVME_OPC_WRITE))
		nvmf_tr_req_keep_data(req); /* only I/O-queue Writes use it in place */
	if (req->cmd.opc == NVME_OPC_FABRICS) {
		nvmf_fabrics_exec(req);
	} else if (!qp->connected) {
		nvmf_req_complete(req, NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR) |
					   NVME_STATUS_DNR);
		nvmf_conn_close(nvmf_conn_of(qp));
	} else if (qp->qid == 0) {
		nvmf_admin_exec(req);
	} else {
		nvmf_io_exec(req);
	}
}

void nvmf_upcall_qpair_closed(struct nvmf_qpair *qp)
{
	struct nvmf_conn *c = nvmf_conn_of(qp);

	c->closed = true;
	qp->closing = true;
	if (c->attached && qp->qid == 0)
		nvmf_ctrlr_admin_closed(c);
	nvmf_conn_maybe_free(c);
}
