/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * abort.c - the Abort admin command (08h). The command to abort is found
 * by SQID and CID where it waits before reaching a backend, or at one:
 *
 *   - admin queue (SQID 0): a parked Get Log Page 02h (health.c) or an
 *     Asynchronous Event Request, on the admin group itself;
 *   - an I/O queue: the request parked on its group's pending list (no I/O
 *     context or backend queue space yet), found by a message to that
 *     group (the main thread names the group, as it owns ctrlr->conns;
 *     the queue, attached, is freed only after a later message of it);
 *   - either: a command the transport still holds, waiting for host data
 *     or a buffer (transport op req_abort);
 *   - an I/O queue, last: a command in flight at its backend (backend op
 *     abort, e.g. an Abort to the local drive). The group asks; the
 *     backend's answer may come on any thread, which passes it on to the
 *     admin group. The command itself completes on its own path with the
 *     status the backend gives it.
 *
 * A command found waiting completes with Command Abort Requested and the
 * Abort's CDW0 bit 0 is 0; one at a backend gives 0 only when the backend
 * says it aborted it. Otherwise (not found, a backend that cannot abort,
 * a drive gone or resetting, a command passed through to a drive's admin
 * queue) it runs on, and bit 0 is 1.
 */
#include <stdlib.h>

#include "env.h"
#include "nvmf/nvmf_internal.h"
#include "util.h"

#define ABORT_LOG "nvmf"

struct abort_ctx {
	struct nvmf_request *req; /* the Abort, on the admin group */
	struct nvmf_poll_group *admin_pg;
	struct nvmf_conn *conn; /* the I/O queue, once the main thread named it */
	uint16_t sqid;
	uint16_t cid;
	bool aborted;
};

static void abort_complete(struct nvmf_request *req, bool aborted)
{
	req->cpl.cdw0 = aborted ? 0 : 1;
	nvmf_req_complete(req, NVME_STATUS_SUCCESS);
}

static void abort_victim(struct nvmf_request *victim)
{
	nvmf_req_complete(victim, NVME_STATUS_GENERIC(NVME_SC_ABORTED_BY_REQUEST));
}

/* A command the transport of @qp still holds (group thread of @qp). */
static bool abort_in_transport(struct nvmf_qpair *qp, uint16_t cid)
{
	const struct nvmf_transport_ops *ops = qp->transport->ops;

	return ops->req_abort != NULL && ops->req_abort(qp, cid);
}

/* Admin queue: a parked health log request or an AER (admin group). */
static bool abort_admin_cmd(struct nvmf_ctrlr *ctrlr, struct nvmf_qpair *qp, uint16_t cid)
{
	struct nvmf_request *victim = ctrlr->health_req;

	if (victim != NULL && victim->cmd.cid == cid) {
		ctrlr->health_req = NULL;
		abort_victim(victim);
		return true;
	}
	for (uint32_t i = 0; i < ctrlr->naer; i++) {
		victim = ctrlr->aer[i];
		if (victim->cmd.cid != cid)
			continue;
		ctrlr->aer[i] = ctrlr->aer[--ctrlr->naer];
		abort_victim(victim);
		return true;
	}
	return abort_in_transport(qp, cid);
}

bool nvmf_io_abort_pending(struct nvmf_poll_group *pg, struct nvmf_qpair *qp, uint16_t cid)
{
	struct nvmf_request *victim;

	TAILQ_FOREACH(victim, &pg->pending, core_link)
	{
		if (victim->qpair == qp && victim->cmd.cid == cid) {
			TAILQ_REMOVE(&pg->pending, victim, core_link);
			abort_victim(victim);
			return true;
		}
	}
	return abort_in_transport(qp, cid);
}

/* Back on the admin group: answer the Abort. */
static void abort_done_msg(void *arg)
{
	struct abort_ctx *cx = arg;

	abort_complete(cx->req, cx->aborted);
	free(cx);
}

static void abort_reply(struct abort_ctx *cx)
{
	if (nvmf_msg_send(cx->admin_pg, abort_done_msg, cx) != 0)
		log_error(ABORT_LOG, "Abort: its completion was lost (message ring full)");
}

/* The backend's answer (any thread): on to the admin group. */
static void abort_backend_done(void *arg, bool aborted)
{
	struct abort_ctx *cx = arg;

	cx->aborted = aborted;
	abort_reply(cx);
}

/* On the I/O queue's group: waiting there, else at a backend. */
static void abort_group_msg(void *arg)
{
	struct abort_ctx *cx = arg;
	struct nvmf_conn *c = cx->conn;

	cx->aborted = nvmf_io_abort_pending(c->pg, c->qp, cx->cid);
	if (cx->aborted ||
	    nvmf_io_abort_backend(c->pg, c->qp, cx->cid, abort_backend_done, cx) != 0)
		abort_reply(cx);
	/* else abort_backend_done() replies; cx is not touched here again */
}

/* On the main thread: which group serves the queue. */
static void abort_main_msg(void *arg)
{
	struct abort_ctx *cx = arg;
	struct nvmf_ctrlr *ctrlr = cx->req->qpair->ctrlr;
	struct nvmf_conn *c = ctrlr->conns[cx->sqid];

	cx->conn = c;
	if (c == NULL || nvmf_msg_send(c->pg, abort_group_msg, cx))
		abort_reply(cx);
}

uint16_t nvmf_admin_abort(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint16_t sqid = (uint16_t)(req->cmd.cdw10 & 0xffffu);
	uint16_t cid = (uint16_t)(req->cmd.cdw10 >> NVME_ABORT_CID_SHIFT);
	struct abort_ctx *cx;

	req->cpl.cdw0 = 1; /* not aborted, unless found below */
	if (sqid == 0) {
		req->cpl.cdw0 = abort_admin_cmd(ctrlr, req->qpair, cid) ? 0 : 1;
		return NVME_STATUS_SUCCESS;
	}
	if (sqid >= ctrlr->max_qpairs)
		return NVME_STATUS_SUCCESS;
	cx = calloc(1, sizeof(*cx));
	if (cx == NULL)
		return NVME_STATUS_SUCCESS;
	cx->req = req;
	cx->admin_pg = nvmf_conn_of(req->qpair)->pg;
	cx->sqid = sqid;
	cx->cid = cid;
	if (nvmf_msg_send(nvmf_main_pg(nvmf_conn_of(req->qpair)->pg->tgt), abort_main_msg, cx)) {
		free(cx);
		return NVME_STATUS_SUCCESS;
	}
	return NVMF_STATUS_ASYNC;
}
