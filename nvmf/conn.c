/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.c - the core's side of a connection: the transport upcalls, command
 * dispatch by queue state, and the connection's life cycle.
 *
 *   new_qpair (main) -> adopt (group) -> Connect (group -> main -> group)
 *   -> commands ... -> qpair_closed (group) -> detach (group -> main -> group)
 *   -> qpair_free when the core owns no request.
 *
 * The states and their legal changes: enum nvmf_conn_state
 * (nvmf_internal.h) and conn_from[] below.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "nvmf/auth.h"
#include "nvmf/nvmf_internal.h"

#define S(x) (1u << NVMF_CONN_##x)
/* Legal predecessors of each state. */
static const uint32_t conn_from[NVMF_CONN_NSTATES] = {
    [NVMF_CONN_NEW] = S(CONNECTING),
    [NVMF_CONN_CONNECTING] = S(NEW),
    [NVMF_CONN_LIVE] = S(CONNECTING),
    [NVMF_CONN_CLOSING] = S(NEW) | S(CLOSING_CONNECTING),
    [NVMF_CONN_CLOSING_CONNECTING] = S(CONNECTING) | S(CLOSING),
    [NVMF_CONN_CLOSING_LIVE] = S(LIVE) | S(CLOSING_CONNECTING),
    [NVMF_CONN_CLOSED] = S(NEW) | S(CLOSING) | S(CLOSED_CONNECTING) | S(DETACHING),
    [NVMF_CONN_CLOSED_CONNECTING] = S(CONNECTING) | S(CLOSING_CONNECTING),
    [NVMF_CONN_CLOSED_LIVE] = S(LIVE) | S(CLOSING_LIVE) | S(CLOSED_CONNECTING),
    [NVMF_CONN_DETACHING] = S(CLOSED_LIVE),
};
#undef S

bool nvmf_conn_state_change_ok(enum nvmf_conn_state from, enum nvmf_conn_state to)
{
	return from < NVMF_CONN_NSTATES && to < NVMF_CONN_NSTATES &&
	       (conn_from[to] & (1u << from)) != 0;
}

/* A change the life cycle does not have: a bug here or in the transport. */
static __attribute__((noreturn)) void conn_illegal(const struct nvmf_conn *c, int to)
{
	log_error("nvmf", "connection from %s (qid %u): illegal state change %d -> %d",
		  c->qp->peer.traddr, c->qp->qid, c->state, to);
	abort();
}

/* Count @c in its group's attached queue pairs: @d is +1 or -1. */
static void conn_count_attached(struct nvmf_conn *c, int d)
{
	ptrdiff_t tr = c->tr != NULL && c->pg->tgt != NULL ? c->tr - c->pg->tgt->tr : -1;

	nvmf_pg_stats_attach(c->pg, c->qp->qid == 0, (int)tr, d);
}

void nvmf_conn_set_state(struct nvmf_conn *c, enum nvmf_conn_state s)
{
	bool was_attached = nvmf_conn_is_attached(c);

	if (!nvmf_conn_state_change_ok(c->state, s))
		conn_illegal(c, s);
	c->state = s;
	if (was_attached != nvmf_conn_is_attached(c))
		conn_count_attached(c, was_attached ? -1 : 1);
	c->qp->closing = s >= NVMF_CONN_CLOSING;
	c->pg->conn_states[s]++;
}

bool nvmf_conn_is_closed(const struct nvmf_conn *c)
{
	return c->state >= NVMF_CONN_CLOSED;
}

bool nvmf_conn_is_attached(const struct nvmf_conn *c)
{
	return c->state == NVMF_CONN_LIVE || c->state == NVMF_CONN_CLOSING_LIVE ||
	       c->state == NVMF_CONN_CLOSED_LIVE || c->state == NVMF_CONN_DETACHING;
}

bool nvmf_conn_may_connect(const struct nvmf_conn *c)
{
	return c->state == NVMF_CONN_NEW || c->state == NVMF_CONN_CLOSING;
}

void nvmf_conn_connect_begin(struct nvmf_conn *c)
{
	nvmf_conn_set_state(c, c->state == NVMF_CONN_CLOSING ? NVMF_CONN_CLOSING_CONNECTING
							     : NVMF_CONN_CONNECTING);
}

void nvmf_conn_connect_end(struct nvmf_conn *c, bool bound)
{
	switch (c->state) {
	case NVMF_CONN_CONNECTING:
		nvmf_conn_set_state(c, bound ? NVMF_CONN_LIVE : NVMF_CONN_NEW);
		break;
	case NVMF_CONN_CLOSING_CONNECTING:
		nvmf_conn_set_state(c, bound ? NVMF_CONN_CLOSING_LIVE : NVMF_CONN_CLOSING);
		break;
	case NVMF_CONN_CLOSED_CONNECTING:
		nvmf_conn_set_state(c, bound ? NVMF_CONN_CLOSED_LIVE : NVMF_CONN_CLOSED);
		break;
	default:
		conn_illegal(c, bound ? NVMF_CONN_LIVE : NVMF_CONN_NEW); /* no Connect was out */
	}
}

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
	qp->closing = false; /* kept in step with c->state from here on */
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
	switch (c->state) {
	case NVMF_CONN_NEW:
		nvmf_conn_set_state(c, NVMF_CONN_CLOSING);
		break;
	case NVMF_CONN_CONNECTING:
		nvmf_conn_set_state(c, NVMF_CONN_CLOSING_CONNECTING);
		break;
	case NVMF_CONN_LIVE:
		nvmf_conn_set_state(c, NVMF_CONN_CLOSING_LIVE);
		break;
	default:
		return; /* asked already, or closed */
	}
	nvmf_tr_qpair_close(c->qp);
}

void nvmf_conn_maybe_free(struct nvmf_conn *c)
{
	struct nvmf_poll_group *pg = c->pg;

	if (c->qp->outstanding > 0)
		return;
	if (c->state == NVMF_CONN_CLOSED_LIVE) {
		if (c->qp->qid == 0)
			nvmf_ctrlr_admin_closed(c); /* bound after the close was seen */
		nvmf_conn_set_state(c, NVMF_CONN_DETACHING);
		nvmf_ctrlr_conn_detach(c);
		return;
	}
	if (c->state != NVMF_CONN_CLOSED)
		return; /* open, Connect on the main thread, or detaching */
	TAILQ_REMOVE(&pg->conns, c, link);
	pg->nconns--;
	nvmf_auth_closed(c);
	c->qp->conn = NULL;
	c->qp->ctrlr = NULL;
	nvmf_tr_qpair_free(c->qp);
	atomic_fetch_sub(&pg->tgt->live_conns, 1);
	nvmf_auth_free(c->auth);
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
	} else if (!nvmf_auth_ok(nvmf_conn_of(qp))) {
		nvmf_req_complete(req,
				  NVME_STATUS_CMD(NVME_SC_FABRICS_AUTH_REQUIRED) | NVME_STATUS_DNR);
	} else if (qp->qid == 0) {
		nvmf_admin_exec(req);
	} else {
		nvmf_io_exec(req);
	}
}

void nvmf_upcall_qpair_closed(struct nvmf_qpair *qp)
{
	struct nvmf_conn *c = nvmf_conn_of(qp);

	switch (c->state) {
	case NVMF_CONN_CONNECTING:
	case NVMF_CONN_CLOSING_CONNECTING:
		nvmf_conn_set_state(c, NVMF_CONN_CLOSED_CONNECTING);
		break;
	case NVMF_CONN_LIVE:
	case NVMF_CONN_CLOSING_LIVE:
		nvmf_conn_set_state(c, NVMF_CONN_CLOSED_LIVE);
		break;
	case NVMF_CONN_NEW:
	case NVMF_CONN_CLOSING:
		nvmf_conn_set_state(c, NVMF_CONN_CLOSED);
		break;
	default:
		conn_illegal(c, NVMF_CONN_CLOSED); /* qpair_closed twice */
	}
	if (nvmf_conn_is_attached(c) && qp->qid == 0)
		nvmf_ctrlr_admin_closed(c);
	nvmf_conn_maybe_free(c);
}
