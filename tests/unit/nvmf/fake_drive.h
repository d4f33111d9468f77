/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_drive.h - a local drive for the unit tests of the "nvme" backend
 * (header only): the host driver's generic controller and queue pair code
 * on a fake transport that records every command and completes them from
 * its poll.
 *
 * I/O commands complete in order with success (a budget per poll), or,
 * while hold_io is set, stay at the drive. Abort (admin) is answered with
 * CDW0 abort_cdw0: 0 means the drive aborted the command named by its
 * CDW10 (SQID, CID), which then completes on its own queue with Command
 * Abort Requested on that queue's next poll, held or not; 1 means it did
 * not, and the command runs on.
 */
#ifndef NVMF_TEST_FAKE_DRIVE_H
#define NVMF_TEST_FAKE_DRIVE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/nvme_internal.h"

#define FK_MAX 512
#define FK_BS 512
#define FK_BLOCKS (1u << 20)
#define FK_IOS 256 /* bios a channel holds at once */
#define FK_ADMIN_ENTRIES 8

struct fk_cmd {
	uint8_t opc;
	uint16_t qid;
	uint16_t cid;
	uint32_t cdw10;
	uint64_t slba;
	uint32_t nlb;
	void *buf;
	bool fua;
};

/* What the fake drive saw and how it behaves. */
static struct {
	struct nvme_request *queued[FK_MAX]; /* submitted, not completed, in order */
	struct nvme_qpair *queued_q[FK_MAX]; /* ... and on which queue */
	uint16_t queued_st[FK_MAX];          /* ... the status it completes with */
	unsigned nqueued;
	struct fk_cmd log[FK_MAX];
	unsigned nlog;
	unsigned submits;   /* qpair_submit calls */
	unsigned refuse_at; /* that submit call (1-based) fails with refuse_rc */
	int refuse_rc;
	unsigned budget;     /* completions per poll, 0 = all */
	bool fail;           /* qpair_poll: the connection is lost */
	int qpairs;          /* I/O queue pairs alive */
	bool hold_io;        /* I/O commands stay at the drive */
	uint32_t abort_cdw0; /* CDW0 of the answer to Abort: bit 0 clear = aborted */
	unsigned aborts;     /* Abort commands answered */
} g_fk;

static int fk_reg_read4(struct nvme_ctrlr *c, uint32_t off, uint32_t *val)
{
	(void)c;
	*val = off == NVME_REG_CSTS ? NVME_CSTS_SHST_COMPLETE << NVME_CSTS_SHST_SHIFT : 0;
	return 0;
}

static int fk_reg_read8(struct nvme_ctrlr *c, uint32_t off, uint64_t *val)
{
	(void)off;
	*val = c->cap;
	return 0;
}

static int fk_reg_write4(struct nvme_ctrlr *c, uint32_t off, uint32_t val)
{
	(void)c;
	(void)off;
	(void)val;
	return 0;
}

static int fk_qpair_create(struct nvme_ctrlr *c, uint16_t qid, uint32_t size,
			   struct nvme_qpair **out)
{
	struct nvme_qpair *q = calloc(1, sizeof(*q));

	assert_non_null(q);
	assert_int_equal(nvme_qpair_init(q, c, qid, size), 0);
	g_fk.qpairs++;
	*out = q;
	return 0;
}

static void fk_qpair_destroy(struct nvme_qpair *q)
{
	g_fk.qpairs--;
	nvme_qpair_fini(q);
	free(q);
}

static int fk_qpair_submit(struct nvme_qpair *q, struct nvme_request *req)
{
	struct fk_cmd *c = &g_fk.log[g_fk.nlog];

	if (++g_fk.submits == g_fk.refuse_at)
		return g_fk.refuse_rc;
	assert_true(g_fk.nlog < FK_MAX && g_fk.nqueued < FK_MAX);
	memset(c, 0, sizeof(*c));
	c->opc = req->cmd.opc;
	c->qid = q->qid;
	c->cid = req->cmd.cid;
	c->cdw10 = req->cmd.cdw10;
	c->buf = req->buf;
	c->fua = (req->cmd.cdw12 & NVME_RW_FUA) != 0;
	if (q->qid == 0) {
		/* admin: nothing more to note */
	} else if (c->opc == NVME_OPC_DATASET_MANAGEMENT) {
		const struct nvme_dsm_range *r = req->buf;
		c->slba = r->slba;
		c->nlb = r->length;
	} else if (c->opc != NVME_OPC_FLUSH) {
		c->slba = nvme_cmd_slba(&req->cmd);
		c->nlb = nvme_cmd_nlb(&req->cmd);
	}
	g_fk.nlog++;
	g_fk.queued_q[g_fk.nqueued] = q;
	g_fk.queued_st[g_fk.nqueued] = NVME_STATUS_SUCCESS;
	g_fk.queued[g_fk.nqueued++] = req;
	return 0;
}

/* An Abort of (@sqid, @cid) was accepted: that command ends aborted. */
static void fk_abort_victim(uint16_t sqid, uint16_t cid)
{
	for (unsigned i = 0; i < g_fk.nqueued; i++)
		if (g_fk.queued_q[i]->qid == sqid && g_fk.queued[i]->cmd.cid == cid)
			g_fk.queued_st[i] = NVME_STATUS_GENERIC(NVME_SC_ABORTED_BY_REQUEST);
}

/* May entry @i of the queue complete on a poll of @q now? */
static bool fk_ready(unsigned i, struct nvme_qpair *q)
{
	return g_fk.queued_q[i] == q &&
	       (q->qid == 0 || !g_fk.hold_io || g_fk.queued_st[i] != NVME_STATUS_SUCCESS);
}

/* Complete @q's queued commands in order: see the header for which and how. */
static int fk_qpair_poll(struct nvme_qpair *q, uint32_t max)
{
	unsigned n = 0, i = 0;

	if (g_fk.fail) {
		g_fk.nqueued = 0; /* the generic code aborts them */
		return -ENXIO;
	}
	while (i < g_fk.nqueued && (g_fk.budget == 0 || n < g_fk.budget) && (max == 0 || n < max)) {
		struct nvme_request *req = g_fk.queued[i];
		uint16_t st = g_fk.queued_st[i];
		struct nvme_cpl cpl;

		if (!fk_ready(i, q)) {
			i++;
			continue;
		}
		g_fk.nqueued--;
		memmove(g_fk.queued + i, g_fk.queued + i + 1,
			(g_fk.nqueued - i) * sizeof(g_fk.queued[0]));
		memmove(g_fk.queued_q + i, g_fk.queued_q + i + 1,
			(g_fk.nqueued - i) * sizeof(g_fk.queued_q[0]));
		memmove(g_fk.queued_st + i, g_fk.queued_st + i + 1,
			(g_fk.nqueued - i) * sizeof(g_fk.queued_st[0]));
		memset(&cpl, 0, sizeof(cpl));
		cpl.cid = req->cmd.cid;
		cpl.sqid = q->qid;
		if (q->qid == 0 && req->cmd.opc == NVME_OPC_ABORT) {
			g_fk.aborts++;
			cpl.cdw0 = g_fk.abort_cdw0;
			if ((g_fk.abort_cdw0 & 1u) == 0)
				fk_abort_victim((uint16_t)(req->cmd.cdw10 & 0xffffu),
						(uint16_t)(req->cmd.cdw10 >> NVME_ABORT_CID_SHIFT));
		}
		nvme_cpl_set_status(&cpl, st);
		nvme_qpair_complete(q, req, &cpl);
		n++;
	}
	return (int)n;
}

static void fk_ctrlr_destroy(struct nvme_ctrlr *c)
{
	nvme_qpair_fini(c->adminq);
	free(c->adminq);
	free(c);
}

static const struct nvme_transport_ops fk_ops = {
    .name = "fake",
    .ctrlr_destroy = fk_ctrlr_destroy,
    .reg_read4 = fk_reg_read4,
    .reg_read8 = fk_reg_read8,
    .reg_write4 = fk_reg_write4,
    .qpair_create = fk_qpair_create,
    .qpair_destroy = fk_qpair_destroy,
    .qpair_submit = fk_qpair_submit,
    .qpair_poll = fk_qpair_poll,
};

/* A connected controller with namespace 1; I/O queues of @entries. */
static struct nvme_ctrlr *fk_ctrlr_new(uint32_t entries, uint32_t max_io_blocks)
{
	struct nvme_ctrlr *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->ops = &fk_ops;
	snprintf(c->trid.traddr, sizeof(c->trid.traddr), "fake0");
	c->opts.timeout_ms = 1000;
	c->cap = NVME_REG_SET(c->cap, CAP_MQES, entries - 1);
	c->adminq = calloc(1, sizeof(*c->adminq));
	assert_non_null(c->adminq);
	assert_int_equal(nvme_qpair_init(c->adminq, c, 0, FK_ADMIN_ENTRIES), 0);
	c->num_io_queues = 2;
	c->qid_used = calloc(c->num_io_queues + 1, 1);
	c->ns = calloc(1, sizeof(*c->ns));
	assert_true(c->qid_used != NULL && c->ns != NULL);
	c->num_ns = 1;
	c->ns[0].ns.ctrlr = c;
	c->ns[0].ns.nsid = 1;
	c->ns[0].ns.block_size = FK_BS;
	c->ns[0].ns.num_blocks = FK_BLOCKS;
	c->ns[0].ns.max_io_blocks = max_io_blocks;
	c->id.vwc = 1;
	c->id.oncs = NVME_CTRL_ONCS_DSM;
	return c;
}

#endif /* NVMF_TEST_FAKE_DRIVE_H */
