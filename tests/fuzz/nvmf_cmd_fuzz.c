/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_cmd_fuzz.c - libFuzzer target: arbitrary NVMe commands into the
 * target core (nvmf/), through a fake transport, on a controller that is
 * connected and enabled with one I/O queue and one RAM namespace.
 *
 * The input is a sequence of records:
 *   ctl (1 byte): bit 0 I/O queue (else admin), bits 1-2 data direction
 *                 (0 none, 1 host to controller, 2 controller to host)
 *   len (2 bytes, little endian): data length
 *   the 64-byte command
 *   for host-to-controller data, up to len bytes of it (zero-padded)
 * Each command's buffer is an exact-size heap block (ASan sees any access
 * past it). A request completes at most once; after the target is
 * destroyed every request has completed and every queue pair was freed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvmf.h"
#include "nvmf/nvmf_internal.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_NREQ 8
#define FZ_SSNQN "nqn.2016-06.io.example:fuzz"
#define FZ_HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"

struct fz_qp {
	struct nvmf_qpair qp;
	struct nvmf_request reqs[FZ_NREQ];
	void *bufs[FZ_NREQ];
	bool busy[FZ_NREQ];
	bool adopted;
	bool close_asked;
	bool closed;
	bool freed;
};

/* The fake transport keeps its connections here; one target at a time. */
static struct fz_qp *g_qps[2];

static void fz_check(bool ok)
{
	if (!ok)
		abort();
}

/* ------------------------------------------------------- fake transport */

static struct nvmf_transport *fz_tr_create(const struct nvmf_transport_opts *opts,
					   const struct nvmf_transport_upcalls *up);

static void fz_tr_destroy(struct nvmf_transport *t)
{
	free(t);
}

static int fz_listen(struct nvmf_transport *t, const struct nvmf_listen_addr *a)
{
	(void)t;
	(void)a;
	return 0;
}

static int fz_accept(struct nvmf_transport *t)
{
	(void)t;
	return NVMF_POLL_IDLE;
}

static struct nvmf_tgroup *fz_group_create(struct nvmf_transport *t)
{
	struct nvmf_tgroup *g = calloc(1, sizeof(*g));

	if (g != NULL)
		g->transport = t;
	return g;
}

static void fz_group_destroy(struct nvmf_tgroup *g)
{
	free(g);
}

static int fz_group_add(struct nvmf_tgroup *g, struct nvmf_qpair *qp)
{
	qp->tgroup = g;
	((struct fz_qp *)qp)->adopted = true;
	return 0;
}

/* Report the closes the core asked for, from the poll as the contract says. */
static int fz_group_poll(struct nvmf_tgroup *g)
{
	int i, busy = NVMF_POLL_IDLE;

	for (i = 0; i < 2; i++) {
		struct fz_qp *q = g_qps[i];

		if (q != NULL && q->qp.tgroup == g && q->close_asked && !q->closed) {
			q->closed = true;
			g->transport->up.qpair_closed(&q->qp);
			busy = NVMF_POLL_BUSY;
		}
	}
	return busy;
}

static void fz_req_complete(struct nvmf_request *req)
{
	struct fz_qp *q = (struct fz_qp *)req->qpair;
	long i = req - q->reqs;

	fz_check(i >= 0 && i < FZ_NREQ && q->busy[i]); /* completed twice */
	q->busy[i] = false;
	free(q->bufs[i]);
	q->bufs[i] = NULL;
}

static void fz_qpair_close(struct nvmf_qpair *qp)
{
	((struct fz_qp *)qp)->close_asked = true;
}

static void fz_qpair_free(struct nvmf_qpair *qp)
{
	struct fz_qp *q = (struct fz_qp *)qp;

	fz_check(q->closed && !q->freed);
	q->freed = true;
}

static const struct nvmf_transport_ops fz_ops = {
    .name = "TCP",
    .trtype = NVMF_TRTYPE_TCP,
    .create = fz_tr_create,
    .destroy = fz_tr_destroy,
    .listen = fz_listen,
    .stop_listen = fz_listen,
    .accept = fz_accept,
    .group_create = fz_group_create,
    .group_destroy = fz_group_destroy,
    .group_add = fz_group_add,
    .group_poll = fz_group_poll,
    .req_complete = fz_req_complete,
    .qpair_close = fz_qpair_close,
    .qpair_free = fz_qpair_free,
};

static struct nvmf_transport *fz_tr_create(const struct nvmf_transport_opts *opts,
					   const struct nvmf_transport_upcalls *up)
{
	struct nvmf_transport *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ops = &fz_ops;
	t->opts = *opts;
	t->up = *up;
	return t;
}

/* ---------------------------------------------------------------- core */

struct fz {
	struct nvmf_tgt *tgt;
	struct nvmf_transport *t;
	struct fz_qp *admin, *io;
};

/* Submit @cmd with a heap copy of @data (@len bytes). @return the slot, or -1. */
static int fz_exec(struct fz *f, struct fz_qp *q, const struct nvme_cmd *cmd, enum nvmf_xfer xfer,
		   const void *data, size_t dlen, uint32_t len)
{
	struct nvmf_request *req;
	int i;

	for (i = 0; i < FZ_NREQ && q->busy[i]; i++)
		;
	if (i == FZ_NREQ || q->closed)
		return -1;
	req = &q->reqs[i];
	memset(req, 0, sizeof(*req));
	req->qpair = &q->qp;
	req->cmd = *cmd;
	req->length = xfer == NVMF_XFER_NONE ? 0 : len;
	req->xfer = req->length == 0 ? NVMF_XFER_NONE : xfer;
	if (req->length > 0) {
		q->bufs[i] = calloc(1, req->length);
		fz_check(q->bufs[i] != NULL);
		memcpy(q->bufs[i], data, dlen < req->length ? dlen : req->length);
		req->iovcnt = 1;
		req->iov[0].iov_base = q->bufs[i];
		req->iov[0].iov_len = req->length;
	}
	q->busy[i] = true;
	f->t->up.exec(req);
	return i;
}

static bool fz_wait(struct fz *f, struct fz_qp *q, int slot)
{
	for (int n = 0; n < 64 && slot >= 0 && q->busy[slot]; n++)
		nvmf_tgt_poll(f->tgt);
	return slot >= 0 && !q->busy[slot];
}

static struct fz_qp *fz_qp_new(struct fz *f, int idx)
{
	struct fz_qp *q = calloc(1, sizeof(*q));

	fz_check(q != NULL);
	g_qps[idx] = q;
	q->qp.transport = f->t;
	f->t->up.new_qpair(f->t->up.ctx, &q->qp);
	for (int n = 0; n < 8 && !q->adopted; n++)
		nvmf_tgt_poll(f->tgt);
	fz_check(q->adopted);
	return q;
}

/* Fabrics Connect of @q as queue @qid; @return the completion's CNTLID. */
static uint16_t fz_connect(struct fz *f, struct fz_qp *q, uint16_t qid, uint16_t cntlid)
{
	struct nvme_cmd cmd;
	struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)&cmd;
	struct nvmf_connect_data d;
	int slot;

	memset(&cmd, 0, sizeof(cmd));
	memset(&d, 0, sizeof(d));
	cc->opcode = NVME_OPC_FABRICS;
	cc->fctype = NVMF_FCTYPE_CONNECT;
	cc->qid = qid;
	cc->sqsize = FZ_NREQ - 1;
	memset(d.hostid, 0xab, sizeof(d.hostid));
	d.cntlid = cntlid;
	snprintf(d.subnqn, sizeof(d.subnqn), "%s", FZ_SSNQN);
	snprintf(d.hostnqn, sizeof(d.hostnqn), "%s", FZ_HOSTNQN);
	slot = fz_exec(f, q, &cmd, NVMF_XFER_H2C, &d, sizeof(d), sizeof(d));
	fz_check(fz_wait(f, q, slot));
	fz_check(nvme_cpl_get_status(&q->reqs[slot].cpl) == 0);
	return (uint16_t)q->reqs[slot].cpl.cdw0;
}

static void fz_enable(struct fz *f)
{
	struct nvme_cmd cmd;
	struct nvmf_property_set_cmd *p = (struct nvmf_property_set_cmd *)&cmd;
	int slot;

	memset(&cmd, 0, sizeof(cmd));
	p->opcode = NVME_OPC_FABRICS;
	p->fctype = NVMF_FCTYPE_PROPERTY_SET;
	p->attrib = NVMF_PROP_SIZE_4;
	p->ofst = NVME_REG_CC;
	p->value = 1 | 6u << 16 | 4u << 20; /* EN, IOSQES 64 B, IOCQES 16 B */
	slot = fz_exec(f, f->admin, &cmd, NVMF_XFER_NONE, NULL, 0, 0);
	fz_check(fz_wait(f, f->admin, slot));
	fz_check(nvme_cpl_get_status(&f->admin->reqs[slot].cpl) == 0);
}

static void fz_setup(struct fz *f)
{
	struct nvmf_transport_opts o;
	struct nvmf_listen_addr a;
	struct nvmf_subsystem *ss;
	uint16_t cntlid;

	memset(f, 0, sizeof(*f));
	log_set_level(getenv("FUZZ_LOG") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	fz_check(nvmf_tgt_create(NULL, &f->tgt) == 0);
	nvmf_transport_opts_init(&o, NVMF_TRTYPE_TCP);
	o.max_queue_depth = FZ_NREQ;
	o.max_aq_depth = FZ_NREQ;
	o.max_qpairs_per_ctrlr = 2;
	o.max_io_size = 65536;
	fz_check(nvmf_tgt_add_transport_ops(f->tgt, &fz_ops, &o) == 0);
	f->t = nvmf_tgt_tr_find(f->tgt, NVMF_TRTYPE_TCP)->t;
	fz_check(nvmf_backend_ram_create(f->tgt, "ram0", 256 * 512, 512) == 0);
	fz_check(nvmf_subsystem_create(f->tgt, FZ_SSNQN, &ss) == 0);
	nvmf_subsystem_set_allow_any_host(ss, true);
	fz_check(nvmf_listen_addr_parse("TCP", "127.0.0.1:4420", &a) == 0);
	fz_check(nvmf_subsystem_add_listener(ss, &a) == 0);
	fz_check(nvmf_subsystem_add_ns(ss, "ram0", NULL) == 1);
	fz_check(nvmf_tgt_start(f->tgt) == 0);
	f->admin = fz_qp_new(f, 0);
	cntlid = fz_connect(f, f->admin, 0, 0xffff);
	fz_enable(f);
	f->io = fz_qp_new(f, 1);
	fz_connect(f, f->io, 1, cntlid);
}

static void fz_teardown(struct fz *f)
{
	nvmf_tgt_destroy(f->tgt);
	for (int i = 0; i < 2; i++) {
		struct fz_qp *q = g_qps[i];

		for (int r = 0; r < FZ_NREQ; r++)
			fz_check(!q->busy[r]); /* the core kept a request */
		fz_check(q->freed);
		free(q);
		g_qps[i] = NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvme_cmd cmd;
	struct fz_qp *q;
	struct fz f;
	int n, slot;

	fz_setup(&f);
	for (n = 0; n < 32 && size >= 3 + sizeof(cmd); n++) {
		uint8_t ctl = data[0];
		uint32_t len = (uint32_t)data[1] | (uint32_t)data[2] << 8;
		enum nvmf_xfer xfer = (enum nvmf_xfer)((ctl >> 1) & 3);
		size_t dlen = 0;

		memcpy(&cmd, data + 3, sizeof(cmd));
		data += 3 + sizeof(cmd);
		size -= 3 + sizeof(cmd);
		if (xfer > NVMF_XFER_C2H)
			xfer = NVMF_XFER_NONE;
		if (xfer == NVMF_XFER_H2C) {
			dlen = size < len ? size : len;
			data += dlen;
			size -= dlen;
		}
		q = ctl & 1 ? f.io : f.admin;
		slot = fz_exec(&f, q, &cmd, xfer, data - dlen, dlen, len);
		if (fz_wait(&f, q, slot) && getenv("FUZZ_LOG") != NULL)
			fprintf(stderr, "fuzz: queue %d opc 0x%02x: status 0x%04x\n", ctl & 1,
				cmd.opc, nvme_cpl_get_status(&q->reqs[slot].cpl));
	}
	fz_teardown(&f);
	return 0;
}
