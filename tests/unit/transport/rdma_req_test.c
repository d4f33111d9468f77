/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_req_test.c - the NVMe/RDMA request state machine (transport/rdma/
 * rdma_req.c): every transition of the life cycle it documents is accepted
 * by nvmf_rdma_req_set_state(), and every other one stops the process
 * (checked in a child, which must die of SIGABRT with its state unchanged
 * until then). The expected transitions are written out here from the
 * documented life cycle, not read from the table under test.
 *
 * Abort (nvmf_rdma_req_abort), on one connection built in memory with a
 * fake verbs context that records what is posted: a Write waiting for a
 * data buffer is answered at once with Command Abort Requested; one whose
 * RDMA READ is posted is answered only after the READ completes, never
 * reaches the core, and gives its buffer back exactly once.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport/rdma/rdma_internal.h"

#define NSTATES NVMF_RDMA_REQ_NSTATES

/* legal[from][to]: the life cycle of rdma_req.c's header comment. */
static bool legal[NSTATES][NSTATES];

static void allow(enum nvmf_rdma_req_state from, enum nvmf_rdma_req_state to)
{
	legal[from][to] = true;
}

static int setup(void **state)
{
	(void)state;
	memset(legal, 0, sizeof(legal));
	/* Any state may end in FREE: done, failed, or the connection closing. */
	for (int s = 0; s < NSTATES; s++)
		allow((enum nvmf_rdma_req_state)s, NVMF_RDMA_REQ_FREE);
	/* No data or in-capsule data: straight to the core. */
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_EXEC);
	/* Host data by RDMA READ: buffers, maybe a wait for credits, READ. */
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_NEED_BUF);
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_NEED_READ);
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_READING);
	allow(NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_READING);
	allow(NVMF_RDMA_REQ_READING, NVMF_RDMA_REQ_EXEC);
	/* Controller data: buffers, then the core. */
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_EXEC);
	/* The response, maybe after a wait for send queue slots; a request
	 * failed before the core saw it answers from FREE. */
	allow(NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING);
	allow(NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_NEED_SEND);
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_SENDING);
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_NEED_SEND);
	allow(NVMF_RDMA_REQ_NEED_SEND, NVMF_RDMA_REQ_SENDING);
	/* Aborted before the core: answered from where it waited or read. */
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_SENDING);
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_NEED_SEND);
	allow(NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_SENDING);
	allow(NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_NEED_SEND);
	allow(NVMF_RDMA_REQ_READING, NVMF_RDMA_REQ_SENDING);
	allow(NVMF_RDMA_REQ_READING, NVMF_RDMA_REQ_NEED_SEND);
	return 0;
}

static void req_init(struct nvmf_rdma_req *req, enum nvmf_rdma_req_state s)
{
	memset(req, 0, sizeof(*req));
	req->idx = 5;
	req->state = s;
}

static void test_legal_accepted(void **state)
{
	struct nvmf_rdma_req req;
	int n = 0;

	(void)state;
	for (int from = 0; from < NSTATES; from++) {
		for (int to = 0; to < NSTATES; to++) {
			if (!legal[from][to])
				continue;
			req_init(&req, (enum nvmf_rdma_req_state)from);
			nvmf_rdma_req_set_state(&req, (enum nvmf_rdma_req_state)to);
			assert_int_equal(req.state, to);
			n++;
		}
	}
	/* 7 ways into FREE and the 18 steps of the life cycle. */
	assert_int_equal(n, NSTATES + 18);
}

/* In a child: @from -> @to. @return true when the child died of SIGABRT. */
static bool change_aborts(enum nvmf_rdma_req_state from, enum nvmf_rdma_req_state to)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct nvmf_rdma_req req;
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDERR_FILENO); /* the refusal's log line */
		req_init(&req, from);
		nvmf_rdma_req_set_state(&req, to);
		_exit(req.state == to ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_illegal_refused(void **state)
{
	int n = 0;

	(void)state;
	for (int from = 0; from < NSTATES; from++) {
		for (int to = 0; to < NSTATES; to++) {
			if (legal[from][to])
				continue;
			if (!change_aborts((enum nvmf_rdma_req_state)from,
					   (enum nvmf_rdma_req_state)to))
				fail_msg("state change %d -> %d was accepted", from, to);
			n++;
		}
	}
	assert_int_equal(n, NSTATES * NSTATES - (NSTATES + 18));
}

/* The paths of the documented life cycle, one request walking each. */
static void test_life_cycles(void **state)
{
	static const enum nvmf_rdma_req_state paths[][7] = {
	    {NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_READING,
	     NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_READING, NVMF_RDMA_REQ_EXEC,
	     NVMF_RDMA_REQ_NEED_SEND, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_SEND, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_FREE},
	};
	struct nvmf_rdma_req req;

	(void)state;
	req_init(&req, NVMF_RDMA_REQ_FREE);
	for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
		/* Each path ends in FREE (as do the zeroed entries after it). */
		for (size_t i = 0; i < 7; i++) {
			nvmf_rdma_req_set_state(&req, paths[p][i]);
			assert_int_equal(req.state, paths[p][i]);
			if (paths[p][i] == NVMF_RDMA_REQ_FREE)
				break;
		}
		assert_int_equal(req.state, NVMF_RDMA_REQ_FREE);
	}
}

/* ---------------------------------------------------------------- abort */

#define HX_REQS 4
#define HX_BUFS 4
#define HX_UNIT 4096u
#define HX_POSTED 16

/* One running connection on a fake device; what it posts is recorded. */
struct hx {
	struct nvmf_rdma_transport t;
	struct nvmf_rdma_device dev;
	struct nvmf_rdma_group g;
	struct nvmf_rdma_gdev gd;
	struct nvmf_rdma_conn c;
	struct ibv_context ctx;
	struct ibv_qp qp;
	struct ibv_srq srq;
	struct ibv_mr mr;
	struct nvmf_rdma_req reqs[HX_REQS];
	struct nvme_cpl rsp[HX_REQS];
	struct nvmf_rdma_recv recv[HX_REQS];
	uint8_t capsule[HX_REQS][NVME_SQE_SIZE];
	void *buf_free[HX_BUFS];
	uint8_t *bufs;
};

static struct {
	enum ibv_wr_opcode op[HX_POSTED];
	uint64_t wr_id[HX_POSTED];
	unsigned nposted;
	unsigned recvs; /* capsule buffers posted back to the SRQ */
	unsigned execs; /* commands given to the core */
} g_hx;

static int hx_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr, struct ibv_send_wr **bad)
{
	(void)qp;
	(void)bad;
	for (; wr != NULL; wr = wr->next) {
		assert_true(g_hx.nposted < HX_POSTED);
		g_hx.op[g_hx.nposted] = wr->opcode;
		g_hx.wr_id[g_hx.nposted++] = wr->wr_id;
	}
	return 0;
}

static int hx_post_srq_recv(struct ibv_srq *srq, struct ibv_recv_wr *wr, struct ibv_recv_wr **bad)
{
	(void)srq;
	(void)wr;
	(void)bad;
	g_hx.recvs++;
	return 0;
}

static void hx_exec(struct nvmf_request *req)
{
	(void)req;
	g_hx.execs++;
}

static void hx_up(struct hx *h, uint32_t nbufs, uint8_t ord)
{
	memset(h, 0, sizeof(*h));
	memset(&g_hx, 0, sizeof(g_hx));
	h->ctx.ops.post_send = hx_post_send;
	h->ctx.ops.post_srq_recv = hx_post_srq_recv;
	h->qp.context = &h->ctx;
	h->srq.context = &h->ctx;
	h->mr.lkey = 0x1234;
	h->t.base.opts.io_unit_size = HX_UNIT;
	h->t.base.opts.max_io_size = HX_UNIT * HX_BUFS;
	h->t.base.up.exec = hx_exec;
	h->bufs = calloc(HX_BUFS, HX_UNIT);
	assert_non_null(h->bufs);
	for (uint32_t i = 0; i < nbufs; i++)
		h->buf_free[i] = h->bufs + i * HX_UNIT;
	h->gd.buf_free = h->buf_free;
	h->gd.nbuf_free = nbufs;
	h->gd.nbuf = HX_BUFS;
	h->gd.buf_mr = &h->mr;
	h->gd.recv_mr = &h->mr;
	h->gd.srq = &h->srq;
	TAILQ_INIT(&h->g.buf_wait);
	h->c.base.transport = &h->t.base;
	h->c.base.qid = 1;
	h->c.dev = &h->dev;
	h->c.group = &h->g;
	h->c.gdev = &h->gd;
	h->c.state = NVMF_RDMA_CONN_RUNNING;
	h->c.qp = &h->qp;
	h->c.sq_size = 16;
	h->c.max_sge = 4;
	h->c.ord = ord;
	h->c.rsp_mr = &h->mr;
	h->c.reqs = h->reqs;
	h->c.nreqs = HX_REQS;
	TAILQ_INIT(&h->c.free_reqs);
	TAILQ_INIT(&h->c.read_wait);
	TAILQ_INIT(&h->c.send_wait);
	for (uint16_t i = 0; i < HX_REQS; i++) {
		struct nvmf_rdma_req *r = &h->reqs[i];

		r->conn = &h->c;
		r->idx = i;
		r->base.qpair = &h->c.base;
		r->rsp = &h->rsp[i];
		r->send_ctx.type = NVMF_RDMA_WR_SEND;
		r->read_ctx.type = NVMF_RDMA_WR_READ;
		r->write_ctx.type = NVMF_RDMA_WR_WRITE;
		TAILQ_INSERT_TAIL(&h->c.free_reqs, r, link);
	}
}

static void hx_down(struct hx *h)
{
	free(h->bufs);
}

/* A Write of @len bytes with command @cid arrives, its data in host memory (keyed SGL). */
static struct nvmf_rdma_req *hx_write(struct hx *h, uint16_t cid, uint32_t len)
{
	struct nvmf_rdma_req *req = TAILQ_FIRST(&h->c.free_reqs);
	struct nvmf_rdma_recv *r = &h->recv[req->idx];
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_WRITE;
	cmd.cid = cid;
	cmd.nsid = 1;
	cmd.psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	nvme_sgl_set_keyed(&cmd.dptr.sgl1, NVME_SGL_SUBTYPE_ADDRESS, 0x10000, len, 0x77);
	memcpy(h->capsule[req->idx], &cmd, sizeof(cmd));
	r->ctx.type = NVMF_RDMA_WR_RECV;
	r->gdev = &h->gd;
	r->buf = h->capsule[req->idx];
	r->size = NVME_SQE_SIZE;
	r->byte_len = NVME_SQE_SIZE;
	nvmf_rdma_req_recv(&h->c, r);
	return req;
}

/* A successful completion of @req's work request of @type. */
static void hx_wc(struct nvmf_rdma_req *req, enum nvmf_rdma_wr_type type)
{
	struct ibv_wc wc;

	memset(&wc, 0, sizeof(wc));
	wc.status = IBV_WC_SUCCESS;
	nvmf_rdma_req_wc(req, type, &wc);
}

/* The response of @req went out (last post a SEND) with Command Abort Requested. */
static void assert_abort_response(struct nvmf_rdma_req *req, uint16_t cid)
{
	uint16_t st = nvme_cpl_get_status(req->rsp);

	assert_true(g_hx.nposted > 0);
	assert_int_equal(g_hx.op[g_hx.nposted - 1], IBV_WR_SEND);
	assert_int_equal(g_hx.wr_id[g_hx.nposted - 1], (uintptr_t)&req->send_ctx);
	assert_int_equal(req->state, NVMF_RDMA_REQ_SENDING);
	assert_int_equal(req->rsp->cid, cid);
	assert_int_equal(nvme_status_sct(st), NVME_SCT_GENERIC);
	assert_int_equal(nvme_status_sc(st), NVME_SC_ABORTED_BY_REQUEST);
}

static void test_abort_waiting_for_buffer(void **state)
{
	struct nvmf_rdma_req *req;
	struct hx h;

	(void)state;
	hx_up(&h, 0, 4); /* no data buffer free */
	req = hx_write(&h, 9, HX_UNIT);
	assert_int_equal(req->state, NVMF_RDMA_REQ_NEED_BUF);
	assert_int_equal(g_hx.nposted, 0);
	/* Another CID, or another queue's command: not here. */
	assert_false(nvmf_rdma_req_abort(&h.c.base, 8));
	assert_true(nvmf_rdma_req_abort(&h.c.base, 9));
	/* Answered at once, off the buffer wait list, never at the core. */
	assert_int_equal(g_hx.nposted, 1);
	assert_abort_response(req, 9);
	assert_true(TAILQ_EMPTY(&h.g.buf_wait));
	assert_false(req->in_wait);
	assert_false(nvmf_rdma_req_abort(&h.c.base, 9)); /* once */
	/* Buffers coming back later do not wake it. */
	h.buf_free[0] = h.bufs;
	h.gd.nbuf_free = 1;
	assert_int_equal(nvmf_rdma_req_retry_bufs(&h.g), NVMF_POLL_IDLE);
	assert_int_equal(g_hx.nposted, 1);
	hx_wc(req, NVMF_RDMA_WR_SEND);
	assert_int_equal(req->state, NVMF_RDMA_REQ_FREE);
	assert_int_equal(h.gd.nbuf_free, 1);
	assert_int_equal(h.c.sq_used, 0);
	assert_int_equal(g_hx.execs, 0);
	assert_int_equal(g_hx.recvs, 1); /* the capsule buffer went back */
	hx_down(&h);
}

static void test_abort_waiting_for_read_credit(void **state)
{
	struct nvmf_rdma_req *req;
	struct hx h;

	(void)state;
	hx_up(&h, HX_BUFS, 0); /* buffers, but no READ may be outstanding */
	req = hx_write(&h, 4, 2 * HX_UNIT);
	assert_int_equal(req->state, NVMF_RDMA_REQ_NEED_READ);
	assert_int_equal(h.gd.nbuf_free, HX_BUFS - 2);
	assert_true(nvmf_rdma_req_abort(&h.c.base, 4));
	assert_int_equal(g_hx.nposted, 1); /* the SEND only, no READ */
	assert_abort_response(req, 4);
	assert_true(TAILQ_EMPTY(&h.c.read_wait));
	hx_wc(req, NVMF_RDMA_WR_SEND);
	assert_int_equal(req->state, NVMF_RDMA_REQ_FREE);
	assert_int_equal(h.gd.nbuf_free, HX_BUFS);
	assert_int_equal(g_hx.execs, 0);
	hx_down(&h);
}

static void test_abort_while_reading(void **state)
{
	struct nvmf_rdma_req *req;
	struct hx h;

	(void)state;
	hx_up(&h, HX_BUFS, 4);
	req = hx_write(&h, 5, HX_UNIT);
	assert_int_equal(req->state, NVMF_RDMA_REQ_READING);
	assert_int_equal(g_hx.nposted, 1);
	assert_int_equal(g_hx.op[0], IBV_WR_RDMA_READ);
	assert_int_equal(h.gd.nbuf_free, HX_BUFS - 1);
	assert_true(nvmf_rdma_req_abort(&h.c.base, 5));
	/* The NIC still writes into the buffer: nothing answered, nothing freed. */
	assert_int_equal(g_hx.nposted, 1);
	assert_int_equal(req->state, NVMF_RDMA_REQ_READING);
	assert_int_equal(h.gd.nbuf_free, HX_BUFS - 1);
	assert_false(nvmf_rdma_req_abort(&h.c.base, 5)); /* once */
	/* The READ completes: answered with Command Abort Requested, not executed. */
	hx_wc(req, NVMF_RDMA_WR_READ);
	assert_int_equal(g_hx.execs, 0);
	assert_int_equal(g_hx.nposted, 2);
	assert_abort_response(req, 5);
	assert_int_equal(h.c.reads_out, 0);
	assert_int_equal(h.gd.nbuf_free, HX_BUFS - 1); /* until the SEND completes */
	hx_wc(req, NVMF_RDMA_WR_SEND);
	assert_int_equal(req->state, NVMF_RDMA_REQ_FREE);
	assert_int_equal(h.gd.nbuf_free, HX_BUFS); /* released once */
	assert_int_equal(h.c.sq_used, 0);
	/* The slot is reused: a new Write with the same CID runs normally. */
	req = hx_write(&h, 5, HX_UNIT);
	assert_int_equal(req->state, NVMF_RDMA_REQ_READING);
	hx_wc(req, NVMF_RDMA_WR_READ);
	assert_int_equal(req->state, NVMF_RDMA_REQ_EXEC);
	assert_int_equal(g_hx.execs, 1);
	hx_down(&h);
}

static void test_abort_not_held(void **state)
{
	struct nvmf_rdma_req *req;
	struct hx h;

	(void)state;
	hx_up(&h, HX_BUFS, 4);
	req = hx_write(&h, 6, HX_UNIT);
	hx_wc(req, NVMF_RDMA_WR_READ);
	/* With the core: not the transport's to abort. */
	assert_int_equal(req->state, NVMF_RDMA_REQ_EXEC);
	assert_false(nvmf_rdma_req_abort(&h.c.base, 6));
	assert_int_equal(req->state, NVMF_RDMA_REQ_EXEC);
	/* Nothing with that CID at all. */
	assert_false(nvmf_rdma_req_abort(&h.c.base, 7));
	hx_down(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_legal_accepted),
	    cmocka_unit_test(test_illegal_refused),
	    cmocka_unit_test(test_life_cycles),
	    cmocka_unit_test(test_abort_waiting_for_buffer),
	    cmocka_unit_test(test_abort_waiting_for_read_credit),
	    cmocka_unit_test(test_abort_while_reading),
	    cmocka_unit_test(test_abort_not_held),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
