/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fixture.h - shared helpers of the target core's unit tests (header only,
 * included by each unit test of nvmf/ that drives the core):
 *
 *   - a fake transport whose req_complete records the completion and whose
 *     group_poll reports closes asked with qpair_close;
 *   - a RAM test backend behind struct nvmf_backend_ops (synchronous);
 *   - a target with one subsystem, one listener and one namespace, started
 *     on the single fake core; commands go in through the upcalls and the
 *     test polls the main core until they complete.
 */
#ifndef NVMF_TEST_FIXTURE_H
#define NVMF_TEST_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "nvmf.h"
#include "env.h"
#include "nvmf/nvmf_internal.h"

#define FX_UNUSED __attribute__((unused))
#define FX_SSNQN "nqn.2016-06.io.example:ss1"
#define FX_HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define FX_HOSTNQN2 "nqn.2014-08.org.nvmexpress:uuid:99999999-2222-3333-4444-555555555555"
#define FX_NREQ 8
#define FX_BLOCKS 256
#define FX_BS 512

/* ------------------------------------------------------- fake transport */

struct fx_transport {
	struct nvmf_transport base;
	int listens;
	int stop_listens;
};

struct fx_tgroup {
	struct nvmf_tgroup base;
	struct fx_qp *qps[64];
	int nqps;
};

struct fx_qp {
	struct nvmf_qpair qp;
	struct fx_tgroup *g;
	struct nvmf_request reqs[FX_NREQ];
	bool busy[FX_NREQ];
	bool done[FX_NREQ];
	int completions;
	bool c2h_any;  /* requests say the transport sends from any memory */
	bool lend;     /* requests carry lent host data (h2c_lent) */
	int keeps;     /* req_keep_data calls */
	uint8_t cattr; /* CATTR of the Connect commands it sends */
	bool close_asked;
	bool closed_reported;
	bool freed;
	bool holding;      /* the transport holds a command (waiting for data) */
	uint16_t held_cid; /* ... with this CID, until req_abort takes it */
};

static struct nvmf_transport *fx_tr_create(const struct nvmf_transport_opts *opts,
					   const struct nvmf_transport_upcalls *up);
static void fx_tr_destroy(struct nvmf_transport *t)
{
	free(t);
}
static int fx_listen(struct nvmf_transport *t, const struct nvmf_listen_addr *a)
{
	(void)a;
	((struct fx_transport *)t)->listens++;
	return 0;
}
static int fx_stop_listen(struct nvmf_transport *t, const struct nvmf_listen_addr *a)
{
	(void)a;
	((struct fx_transport *)t)->stop_listens++;
	return 0;
}
static int fx_accept(struct nvmf_transport *t)
{
	(void)t;
	return NVMF_POLL_IDLE;
}
static struct nvmf_tgroup *fx_group_create(struct nvmf_transport *t)
{
	struct fx_tgroup *g = calloc(1, sizeof(*g));

	g->base.transport = t;
	return &g->base;
}
static void fx_group_destroy(struct nvmf_tgroup *g)
{
	free(g);
}
static int fx_group_add(struct nvmf_tgroup *tg, struct nvmf_qpair *qp)
{
	struct fx_tgroup *g = (struct fx_tgroup *)tg;
	struct fx_qp *q = (struct fx_qp *)qp;

	qp->tgroup = tg;
	g->qps[g->nqps++] = q;
	__atomic_store_n(&q->g, g, __ATOMIC_RELEASE);
	return 0;
}
static int fx_group_poll(struct nvmf_tgroup *tg)
{
	struct fx_tgroup *g = (struct fx_tgroup *)tg;
	int busy = NVMF_POLL_IDLE;

	for (int i = 0; i < g->nqps; i++) {
		struct fx_qp *q = g->qps[i];
		if (q->close_asked && !q->closed_reported) {
			q->closed_reported = true;
			tg->transport->up.qpair_closed(&q->qp);
			busy = NVMF_POLL_BUSY;
		}
	}
	return busy;
}
static void fx_req_complete(struct nvmf_request *req)
{
	struct fx_qp *q = (struct fx_qp *)req->qpair;
	int i = (int)(req - q->reqs);

	q->busy[i] = false;
	q->completions++;
	/* Release: a test thread may wait for it while another core polls. */
	__atomic_store_n(&q->done[i], true, __ATOMIC_RELEASE);
}
static void fx_req_keep_data(struct nvmf_request *req)
{
	((struct fx_qp *)req->qpair)->keeps++;
	req->h2c_lent = false; /* the test's buffer outlives the request anyway */
}
static bool fx_req_abort(struct nvmf_qpair *qp, uint16_t cid)
{
	struct fx_qp *q = (struct fx_qp *)qp;

	if (!q->holding || q->held_cid != cid)
		return false;
	q->holding = false;
	return true;
}
static void fx_qpair_close(struct nvmf_qpair *qp)
{
	((struct fx_qp *)qp)->close_asked = true;
}
static void fx_qpair_free(struct nvmf_qpair *qp)
{
	struct fx_qp *q = (struct fx_qp *)qp;

	q->freed = true;
	for (int i = 0; i < q->g->nqps; i++) {
		if (q->g->qps[i] == q) {
			q->g->qps[i] = q->g->qps[--q->g->nqps];
			break;
		}
	}
}
/* The TCP transport's own TSAS (it reads nothing of the transport object). */
extern const struct nvmf_transport_ops nvmf_tcp_ops;

static void fx_discovery_entry(struct nvmf_transport *t, const struct nvmf_listen_addr *a,
			       struct nvmf_discovery_log_entry *e)
{
	nvmf_tcp_ops.discovery_entry(t, a, e);
}

static const struct nvmf_transport_ops fx_ops = {
    .name = "TCP",
    .trtype = NVMF_TRTYPE_TCP,
    .create = fx_tr_create,
    .destroy = fx_tr_destroy,
    .listen = fx_listen,
    .stop_listen = fx_stop_listen,
    .accept = fx_accept,
    .group_create = fx_group_create,
    .group_destroy = fx_group_destroy,
    .group_add = fx_group_add,
    .group_poll = fx_group_poll,
    .req_keep_data = fx_req_keep_data,
    .req_complete = fx_req_complete,
    .req_abort = fx_req_abort,
    .qpair_close = fx_qpair_close,
    .qpair_free = fx_qpair_free,
    .discovery_entry = fx_discovery_entry,
};

static struct nvmf_transport *fx_tr_create(const struct nvmf_transport_opts *opts,
					   const struct nvmf_transport_upcalls *up)
{
	struct fx_transport *t = calloc(1, sizeof(*t));

	t->base.ops = &fx_ops;
	t->base.opts = *opts;
	t->base.up = *up;
	return &t->base;
}

/* ------------------------------------------------------- test backend */

struct fx_backend {
	struct nvmf_backend base;
	uint8_t *data;
	int flushes;
	int fua_writes;
	int deallocs;
	int fail_next; /* next submit returns this errno (negative) */
	bool busy;     /* every submit returns -EAGAIN (the request parks) */
};

struct fx_channel {
	struct nvmf_bchannel base;
};

static int fx_ch_create(struct nvmf_backend *b, struct nvmf_bchannel **ch)
{
	struct fx_channel *c = calloc(1, sizeof(*c));

	c->base.backend = b;
	*ch = &c->base;
	return 0;
}
static void fx_ch_destroy(struct nvmf_bchannel *ch)
{
	free(ch);
}
static void fx_iov_xfer(uint8_t *mem, const struct iovec *iov, uint32_t iovcnt, uint64_t len,
			bool to_mem)
{
	uint64_t off = 0;

	for (uint32_t i = 0; i < iovcnt && off < len; i++) {
		uint64_t n = iov[i].iov_len < len - off ? iov[i].iov_len : len - off;
		if (to_mem)
			memcpy(mem + off, iov[i].iov_base, n);
		else
			memcpy(iov[i].iov_base, mem + off, n);
		off += n;
	}
}
static int fx_submit(struct nvmf_bchannel *ch, struct nvmf_bio *bio)
{
	struct fx_backend *b = (struct fx_backend *)ch->backend;
	uint8_t *p = b->data + bio->offset;

	if (b->busy)
		return -EAGAIN;
	if (b->fail_next) {
		int rc = b->fail_next;
		b->fail_next = 0;
		return rc;
	}
	if (bio->op != NVMF_BIO_FLUSH && bio->offset + bio->len > b->base.size)
		return -ERANGE;
	switch (bio->op) {
	case NVMF_BIO_READ:
		fx_iov_xfer(p, bio->iov, bio->iovcnt, bio->len, false);
		break;
	case NVMF_BIO_WRITE:
		fx_iov_xfer(p, bio->iov, bio->iovcnt, bio->len, true);
		b->fua_writes += bio->fua;
		break;
	case NVMF_BIO_FLUSH:
		b->flushes++;
		break;
	case NVMF_BIO_WRITE_ZEROES:
		memset(p, 0, bio->len);
		break;
	case NVMF_BIO_DEALLOCATE:
		memset(p, 0, bio->len);
		b->deallocs++;
		break;
	}
	bio->cb(bio, 0);
	return 0;
}
static void fx_backend_destroy(struct nvmf_backend *b)
{
	free(((struct fx_backend *)b)->data);
	free(b);
}

static const struct nvmf_backend_ops fx_backend_ops = {
    .type = "test",
    .channel_create = fx_ch_create,
    .channel_destroy = fx_ch_destroy,
    .submit = fx_submit,
    .destroy = fx_backend_destroy,
};

static FX_UNUSED struct fx_backend *fx_backend_add(struct nvmf_tgt *tgt, const char *name,
						   uint64_t blocks, uint32_t bs, bool vwc)
{
	struct fx_backend *b = calloc(1, sizeof(*b));

	b->base.ops = &fx_backend_ops;
	snprintf(b->base.name, sizeof(b->base.name), "%s", name);
	b->base.size = blocks * bs;
	b->base.block_size = bs;
	b->base.volatile_cache = vwc;
	b->base.supports_dealloc = true;
	b->data = calloc(1, b->base.size);
	assert_int_equal(nvmf_tgt_backend_register(tgt, &b->base), 0);
	return b;
}

/* ------------------------------------------------------------- target */

struct fx {
	struct nvmf_tgt *tgt;
	struct nvmf_subsystem *ss;
	struct fx_backend *be;
	struct nvmf_listen_addr addr;
	struct nvmf_transport_opts topts;
	struct fx_qp *qps[32];
	int nqps;
};

/* Wall-clock deadline for waits on other threads: generous, so a loaded
 * machine never fails a test that is only slow. */
#define FX_WAIT_SECONDS 30

static FX_UNUSED double fx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static FX_UNUSED void fx_addr(struct nvmf_listen_addr *a, const char *ip, const char *port)
{
	memset(a, 0, sizeof(*a));
	a->trtype = NVMF_TRTYPE_TCP;
	a->adrfam = NVMF_ADRFAM_IPV4;
	snprintf(a->traddr, sizeof(a->traddr), "%s", ip);
	snprintf(a->trsvcid, sizeof(a->trsvcid), "%s", port);
}

/* Target, transport, backend "ram0" (256 x 512 B), subsystem FX_SSNQN with
 * one listener and namespace 1; not started. */
static FX_UNUSED void fx_init(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	assert_int_equal(nvmf_tgt_create(NULL, &fx->tgt), 0);
	memset(&fx->topts, 0, sizeof(fx->topts));
	fx->topts.trtype = NVMF_TRTYPE_TCP;
	fx->topts.max_queue_depth = 128;
	fx->topts.max_aq_depth = 32;
	fx->topts.max_qpairs_per_ctrlr = 4;
	fx->topts.in_capsule_data_size = 4096;
	fx->topts.max_io_size = 131072;
	fx->topts.io_unit_size = 8192;
	assert_int_equal(nvmf_tgt_add_transport_ops(fx->tgt, &fx_ops, &fx->topts), 0);
	fx->be = fx_backend_add(fx->tgt, "ram0", FX_BLOCKS, FX_BS, true);
	assert_int_equal(nvmf_subsystem_create(fx->tgt, FX_SSNQN, &fx->ss), 0);
	nvmf_subsystem_set_allow_any_host(fx->ss, true);
	fx_addr(&fx->addr, "127.0.0.1", "4420");
	assert_int_equal(nvmf_subsystem_add_listener(fx->ss, &fx->addr), 0);
	assert_int_equal(nvmf_subsystem_add_ns(fx->ss, "ram0", NULL), 1);
}

static FX_UNUSED void fx_start(struct fx *fx)
{
	assert_int_equal(nvmf_tgt_start(fx->tgt), 0);
}

static FX_UNUSED void fx_poll(struct fx *fx, int n)
{
	for (int i = 0; i < n; i++)
		nvmf_tgt_poll(fx->tgt);
}

static FX_UNUSED void fx_fini(struct fx *fx)
{
	nvmf_tgt_destroy(fx->tgt);
	for (int i = 0; i < fx->nqps; i++) {
		assert_true(fx->qps[i]->freed);
		free(fx->qps[i]);
	}
}

/* A new connection, adopted by a poll group. */
static FX_UNUSED struct fx_qp *fx_qp_new(struct fx *fx)
{
	struct fx_qp *q = calloc(1, sizeof(*q));
	struct nvmf_tr *tr = nvmf_tgt_tr_find(fx->tgt, NVMF_TRTYPE_TCP);

	q->qp.transport = tr->t;
	q->qp.local = fx->addr;
	fx_addr(&q->qp.peer, "127.0.0.1", "50000");
	for (int i = 0; i < FX_NREQ; i++)
		q->reqs[i].qpair = &q->qp;
	tr->t->up.new_qpair(tr->t->up.ctx, &q->qp);
	fx->qps[fx->nqps++] = q;
	fx_poll(fx, 2);
	for (double end = fx_now() + FX_WAIT_SECONDS;
	     __atomic_load_n(&q->g, __ATOMIC_ACQUIRE) == NULL && fx_now() < end;)
		fx_poll(fx, 1); /* adopted by another core */
	assert_non_null(q->g);
	return q;
}

static void fx_exec_msg(void *arg)
{
	struct nvmf_request *req = arg;

	req->qpair->transport->up.exec(req);
}

/* Submit @cmd with @len bytes of @buf; returns the request (not waited for). */
static FX_UNUSED struct nvmf_request *fx_submit_cmd(struct fx_qp *q, const struct nvme_cmd *cmd,
						    void *buf, uint32_t len, enum nvmf_xfer xfer)
{
	int i;

	for (i = 0; i < FX_NREQ && q->busy[i]; i++)
		;
	assert_true(i < FX_NREQ);
	struct nvmf_request *req = &q->reqs[i];
	q->busy[i] = true;
	q->done[i] = false;
	req->cmd = *cmd;
	req->length = len;
	req->xfer = len ? xfer : NVMF_XFER_NONE;
	req->iovcnt = len ? 1 : 0;
	req->iov[0].iov_base = buf;
	req->iov[0].iov_len = len;
	req->c2h_any = q->c2h_any;
	req->h2c_lent = q->lend && xfer == NVMF_XFER_H2C && len > 0;
	req->c2h_iov = NULL;
	req->c2h_iovcnt = 0;
	if (nvmf_conn_of(&q->qp)->pg->idx == 0)
		q->qp.transport->up.exec(req);
	else /* a qpair of another core: exec on its thread, as its transport would */
		assert_int_equal(nvmf_msg_send(nvmf_conn_of(&q->qp)->pg, fx_exec_msg, req), 0);
	return req;
}

static FX_UNUSED bool fx_req_done(struct fx_qp *q, struct nvmf_request *req)
{
	return __atomic_load_n(&q->done[req - q->reqs], __ATOMIC_ACQUIRE);
}

/* Run @cmd to completion. @return the status (NVME_STATUS convention). */
static FX_UNUSED uint16_t fx_cmd(struct fx *fx, struct fx_qp *q, const struct nvme_cmd *cmd,
				 void *buf, uint32_t len, enum nvmf_xfer xfer, struct nvme_cpl *cpl)
{
	struct nvmf_request *req = fx_submit_cmd(q, cmd, buf, len, xfer);

	for (double end = fx_now() + FX_WAIT_SECONDS; !fx_req_done(q, req) && fx_now() < end;)
		fx_poll(fx, 1);
	assert_true(fx_req_done(q, req));
	if (cpl != NULL)
		*cpl = req->cpl;
	return nvme_cpl_get_status(&req->cpl);
}

static FX_UNUSED uint16_t fx_connect_full(struct fx *fx, struct fx_qp *q, uint16_t qid,
					  uint16_t sqsize, const char *subnqn, const char *hostnqn,
					  uint8_t hostid_byte, uint16_t cntlid,
					  struct nvme_cpl *cpl)
{
	struct nvme_cmd cmd;
	struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)&cmd;
	struct nvmf_connect_data data;

	memset(&cmd, 0, sizeof(cmd));
	memset(&data, 0, sizeof(data));
	cc->opcode = NVME_OPC_FABRICS;
	cc->fctype = NVMF_FCTYPE_CONNECT;
	cc->qid = qid;
	cc->sqsize = sqsize;
	cc->cattr = q->cattr;
	cc->kato = qid == 0 ? 10000 : 0;
	memset(data.hostid, hostid_byte, sizeof(data.hostid));
	data.cntlid = cntlid;
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", subnqn);
	snprintf(data.hostnqn, sizeof(data.hostnqn), "%s", hostnqn);
	return fx_cmd(fx, q, &cmd, &data, sizeof(data), NVMF_XFER_H2C, cpl);
}

static FX_UNUSED uint16_t fx_prop_set(struct fx *fx, struct fx_qp *q, uint32_t ofst, uint64_t v)
{
	struct nvme_cmd cmd;
	struct nvmf_property_set_cmd *p = (struct nvmf_property_set_cmd *)&cmd;

	memset(&cmd, 0, sizeof(cmd));
	p->opcode = NVME_OPC_FABRICS;
	p->fctype = NVMF_FCTYPE_PROPERTY_SET;
	p->attrib = NVMF_PROP_SIZE_4;
	p->ofst = ofst;
	p->value = v;
	return fx_cmd(fx, q, &cmd, NULL, 0, NVMF_XFER_NONE, NULL);
}

static FX_UNUSED uint16_t fx_prop_get(struct fx *fx, struct fx_qp *q, uint32_t ofst, uint8_t size,
				      uint64_t *v)
{
	struct nvme_cmd cmd;
	struct nvmf_property_get_cmd *p = (struct nvmf_property_get_cmd *)&cmd;
	struct nvme_cpl cpl;
	uint16_t st;

	memset(&cmd, 0, sizeof(cmd));
	p->opcode = NVME_OPC_FABRICS;
	p->fctype = NVMF_FCTYPE_PROPERTY_GET;
	p->attrib = size;
	p->ofst = ofst;
	st = fx_cmd(fx, q, &cmd, NULL, 0, NVMF_XFER_NONE, &cpl);
	*v = (uint64_t)cpl.cdw0 | (uint64_t)cpl.cdw1 << 32;
	return st;
}

/* Admin queue connected to @subnqn as FX_HOSTNQN and enabled. @return CNTLID. */
static FX_UNUSED uint16_t fx_admin_up(struct fx *fx, struct fx_qp **out, const char *subnqn)
{
	struct fx_qp *q = fx_qp_new(fx);
	struct nvme_cpl cpl;

	assert_int_equal(fx_connect_full(fx, q, 0, 31, subnqn, FX_HOSTNQN, 0xab, 0xffff, &cpl), 0);
	assert_int_equal(fx_prop_set(fx, q, NVME_REG_CC, 1), 0);
	*out = q;
	return (uint16_t)cpl.cdw0;
}

/* A discovery controller of @hostnqn, enabled (KATO 10 s, from the Connect). */
static FX_UNUSED struct fx_qp *fx_disc_up(struct fx *fx, const char *hostnqn)
{
	struct fx_qp *q = fx_qp_new(fx);

	assert_int_equal(
	    fx_connect_full(fx, q, 0, 31, NVMF_DISCOVERY_NQN, hostnqn, 0x11, 0xffff, NULL), 0);
	assert_int_equal(fx_prop_set(fx, q, NVME_REG_CC, 1), 0);
	return q;
}

/* An I/O queue @qid of controller @cntlid. */
static FX_UNUSED struct fx_qp *fx_io_up(struct fx *fx, uint16_t cntlid, uint16_t qid)
{
	struct fx_qp *q = fx_qp_new(fx);

	assert_int_equal(fx_connect_full(fx, q, qid, 127, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, NULL),
			 0);
	return q;
}

static FX_UNUSED uint16_t fx_admin(struct fx *fx, struct fx_qp *q, uint8_t opc, uint32_t nsid,
				   uint32_t cdw10, uint32_t cdw11, void *buf, uint32_t len,
				   struct nvme_cpl *cpl)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = opc;
	cmd.nsid = nsid;
	cmd.cdw10 = cdw10;
	cmd.cdw11 = cdw11;
	return fx_cmd(fx, q, &cmd, buf, len, NVMF_XFER_C2H, cpl);
}

static FX_UNUSED uint16_t fx_get_log(struct fx *fx, struct fx_qp *q, uint8_t lid, uint64_t off,
				     void *buf, uint32_t len)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_GET_LOG_PAGE;
	cmd.nsid = NVME_NSID_ALL;
	nvme_glp_set(&cmd, lid, len, off);
	return fx_cmd(fx, q, &cmd, buf, len, NVMF_XFER_C2H, NULL);
}

static FX_UNUSED uint16_t fx_rw(struct fx *fx, struct fx_qp *q, uint8_t opc, uint32_t nsid,
				uint64_t slba, uint32_t nlb, void *buf, uint32_t len)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = opc;
	cmd.nsid = nsid;
	nvme_cmd_set_lba_range(&cmd, slba, nlb);
	return fx_cmd(fx, q, &cmd, buf, len, opc == NVME_OPC_READ ? NVMF_XFER_C2H : NVMF_XFER_H2C,
		      NULL);
}

/* Run @fn(@arg) in a child process (its log to /dev/null). @return true
 * when the child died of SIGABRT, as a refused state change does. */
static FX_UNUSED bool fx_aborts(void (*fn)(void *), void *arg)
{
	pid_t pid;
	int ws = 0;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		fn(arg);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	return WIFSIGNALED(ws) && WTERMSIG(ws) == SIGABRT;
}

#define ST(sct, sc) NVME_STATUS(sct, sc)
#define ST_DNR(sct, sc) ((uint16_t)(NVME_STATUS(sct, sc) | NVME_STATUS_DNR))
/* Compare statuses ignoring DNR. */
#define assert_status(st, sct, sc) assert_int_equal((st)&0x7ff, NVME_STATUS(sct, sc))

#endif /* NVMF_TEST_FIXTURE_H */
