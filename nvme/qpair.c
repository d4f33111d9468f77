/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qpair.c - the generic queue pair: preallocated requests (CID = index),
 * submission through the transport, completion, abort and synchronous
 * execution with a deadline.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvme_internal.h"
#include "util.h"

uint64_t nvme_ms_to_ticks(uint64_t ms)
{
	return ms * env_ticks_hz() / 1000;
}

int nvme_qpair_init(struct nvme_qpair *q, struct nvme_ctrlr *ctrlr, uint16_t qid,
		    uint32_t num_entries)
{
	uint32_t i;

	if (num_entries < 2 || num_entries > 65536)
		return -EINVAL;
	q->ctrlr = ctrlr;
	q->qid = qid;
	q->num_entries = num_entries;
	q->num_reqs = num_entries - 1;
	q->reqs = calloc(q->num_reqs, sizeof(*q->reqs));
	if (q->reqs == NULL)
		return -ENOMEM;
	q->free = NULL;
	for (i = q->num_reqs; i-- > 0;) {
		q->reqs[i].next_free = q->free;
		q->free = &q->reqs[i];
	}
	q->outstanding = 0;
	q->failed = false;
	q->aborted = false;
	return 0;
}

void nvme_qpair_fini(struct nvme_qpair *q)
{
	free(q->reqs);
	q->reqs = NULL;
	q->free = NULL;
}

int nvme_qpair_submit(struct nvme_qpair *q, const struct nvme_cmd *cmd, void *buf, uint32_t len,
		      uint8_t dir, nvme_cb cb, void *arg)
{
	const struct nvme_transport_ops *ops = q->ctrlr->ops;
	struct nvme_request *req = q->free;
	int rc;

	if (q->failed)
		return -ENXIO;
	if (req == NULL)
		return -EAGAIN; /* queue full */
	q->free = req->next_free;
	req->cmd = *cmd;
	req->cmd.cid = (uint16_t)(req - q->reqs);
	req->cb = cb;
	req->arg = arg;
	req->buf = buf;
	req->len = buf != NULL ? len : 0;
	req->dir = req->len != 0 ? dir : NVME_DATA_NONE;
	req->status = 0;
	req->active = true;
	req->submit_ticks = env_ticks();
	req->copy = NULL;
	q->outstanding++;
	rc = ops->qpair_submit(q, req);
	if (rc != 0) {
		req->active = false;
		req->next_free = q->free;
		q->free = req;
		q->outstanding--;
	}
	return rc;
}

int nvme_qpair_submit_copy(struct nvme_qpair *q, const struct nvme_cmd *cmd, const void *data,
			   uint32_t len, nvme_cb cb, void *arg)
{
	void *copy = malloc(len);
	struct nvme_request *req = q->free;
	int rc;

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, data, len);
	rc = nvme_qpair_submit(q, cmd, copy, len, NVME_DATA_HOST_TO_CONTROLLER, cb, arg);
	if (rc != 0) {
		free(copy);
		return rc;
	}
	req->copy = copy;
	return 0;
}

/* Give @req back and call its callback with @cpl. */
static void qpair_finish(struct nvme_qpair *q, struct nvme_request *req, const struct nvme_cpl *cpl)
{
	nvme_cb cb = req->cb;
	void *arg = req->arg;

	req->status = nvme_cpl_get_status(cpl);
	req->active = false;
	free(req->copy);
	req->copy = NULL;
	req->next_free = q->free;
	q->free = req;
	q->outstanding--;
	if (cb != NULL)
		cb(arg, cpl);
}

void nvme_qpair_complete(struct nvme_qpair *q, struct nvme_request *req, const struct nvme_cpl *cpl)
{
	q->stats.completions++;
	qpair_finish(q, req, cpl);
}

void nvme_qpair_abort_all(struct nvme_qpair *q, uint16_t status)
{
	struct nvme_cpl cpl;
	uint32_t i;

	for (i = 0; i < q->num_reqs; i++) {
		struct nvme_request *req = &q->reqs[i];

		if (!req->active)
			continue;
		memset(&cpl, 0, sizeof(cpl));
		cpl.cid = req->cmd.cid;
		cpl.sqid = q->qid;
		nvme_cpl_set_status(&cpl, status);
		qpair_finish(q, req, &cpl); /* not the controller's: not counted */
	}
}

void nvme_qpair_fail(struct nvme_qpair *q)
{
	q->failed = true;
	if (q->aborted)
		return;
	q->aborted = true;
	nvme_qpair_abort_all(q, NVME_STATUS_GENERIC(NVME_SC_TRANSIENT_TRANSPORT_ERROR));
}

bool nvme_qpair_vmark_failed(struct nvme_qpair *q, const char *component, const char *name,
			     const char *fmt, va_list ap)
{
	char msg[256];

	if (q->failed)
		return false;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_error(component, "%s: %s; queue pair failed", name, msg);
	q->failed = true;
	return true;
}

/* ------------------------------------------------------ synchronous execution */

struct sync_ctx {
	bool done;
	struct nvme_cpl cpl;
};

static void sync_done(void *arg, const struct nvme_cpl *cpl)
{
	struct sync_ctx *s = arg;

	s->cpl = *cpl;
	s->done = true;
}

/*
 * A command that outlives its deadline leaves the controller in an unknown
 * state: the queue pair is failed, which completes the command (and every
 * other one) before the stack context goes away.
 */
int nvme_qpair_exec_sync(struct nvme_qpair *q, const struct nvme_cmd *cmd, void *buf, uint32_t len,
			 uint8_t dir, struct nvme_cpl *cpl, uint32_t timeout_ms)
{
	const struct nvme_transport_ops *ops = q->ctrlr->ops;
	struct sync_ctx s = {.done = false};
	uint64_t deadline = env_ticks() + nvme_ms_to_ticks(timeout_ms);
	int rc;

	rc = nvme_qpair_submit(q, cmd, buf, len, dir, sync_done, &s);
	if (rc != 0)
		return rc;
	while (!s.done) {
		rc = ops->qpair_poll(q, 0);
		if (rc < 0) {
			nvme_qpair_fail(q);
			return -ENXIO;
		}
		if (!s.done && env_ticks() > deadline) {
			log_error(NVME_LOG, "queue %u: command opc 0x%02x timed out after %u ms",
				  q->qid, cmd->opc, timeout_ms);
			nvme_qpair_fail(q);
			return -ETIMEDOUT;
		}
	}
	if (cpl != NULL)
		*cpl = s.cpl;
	return 0;
}

/* ------------------------------------------------------------- public I/O */

int nvme_qpair_submit_raw(struct nvme_qpair *qpair, const struct nvme_cmd *cmd, void *buf,
			  uint32_t len, nvme_cb cb, void *arg)
{
	return nvme_qpair_submit(qpair, cmd, buf, len, nvmf_cmd_data_transfer(cmd), cb, arg);
}

int nvme_qpair_poll(struct nvme_qpair *qpair, uint32_t max)
{
	int rc;

	if (qpair->failed) {
		nvme_qpair_fail(qpair);
		return -ENXIO;
	}
	rc = qpair->ctrlr->ops->qpair_poll(qpair, max);
	if (rc < 0) {
		nvme_qpair_fail(qpair);
		return -ENXIO;
	}
	return rc;
}

uint32_t nvme_qpair_outstanding(const struct nvme_qpair *qpair)
{
	return qpair->outstanding;
}

uint16_t nvme_qpair_qid(const struct nvme_qpair *qpair)
{
	return qpair->qid;
}

uint32_t nvme_qpair_cids_of(const struct nvme_qpair *qpair, const void *arg, uint16_t *cids,
			    uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < qpair->num_reqs && n < max; i++)
		if (qpair->reqs[i].active && qpair->reqs[i].arg == arg)
			cids[n++] = qpair->reqs[i].cmd.cid;
	return n;
}

void nvme_qpair_get_stats(const struct nvme_qpair *qpair, struct nvme_qpair_stats *st)
{
	*st = qpair->stats;
}
