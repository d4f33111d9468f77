/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_reset_test.c - nvme_ctrlr_reset() on a PCIe controller simulated in
 * memory. A device thread plays the controller: CSTS.RDY follows CC.EN, a
 * disable forgets every queue, the admin queue comes from AQA/ASQ/ACQ, and
 * it executes Create / Delete I/O CQ and SQ (refusing a queue that already
 * exists) and Set Features; I/O commands are completed at once or, while
 * auto_io is off, fetched and never completed (so a reset must abort them).
 *
 * Checks: outstanding I/O completes with Aborted due to SQ Deletion (DNR
 * clear) exactly once, on the queue pair's own poll, after its queues were
 * created again; submit gives -EAGAIN until then; callbacks may resubmit
 * at once; the queue pair works afterwards; a controller that does not come
 * back fails every queue pair cleanly; resets from one thread while
 * another thread submits and polls lose and duplicate nothing; a drive
 * that fails while no queue is polled is seen by nvme_pcie_check(), and
 * its removal raised once.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nvme/pcie/nvme_pcie.h"
#include "nvme/pcie/pcie_internal.h"

#define BAR_SIZE 0x2000u
#define DEV_QUEUES 4
#define IO_ENTRIES 8 /* 7 commands in flight at most */

/* ------------------------------------------------------------ the device */

struct dev_queue {
	struct nvme_cmd *sq;
	struct nvme_cpl *cq;
	uint32_t sq_n, cq_n;
	uint32_t sq_head, cq_tail;
	uint8_t phase;
	bool live; /* SQ created */
};

struct dev {
	uint8_t *bar;
	pthread_t thread;
	int stop;                       /* __atomic: end the thread */
	int auto_io;                    /* __atomic: complete I/O commands */
	int refuse_ready;               /* __atomic: ignore CC.EN=1 */
	unsigned enables;               /* __atomic: times RDY went 1 */
	unsigned creates;               /* __atomic: Create I/O SQ done */
	unsigned held;                  /* __atomic: I/O fetched, not completed */
	struct dev_queue q[DEV_QUEUES]; /* device thread only */
};

static uint32_t reg_rd(struct dev *d, uint32_t off)
{
	return __atomic_load_n((uint32_t *)(d->bar + off), __ATOMIC_ACQUIRE);
}

static void reg_wr(struct dev *d, uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(d->bar + off), v, __ATOMIC_RELEASE);
}

static uint64_t reg_rd8(struct dev *d, uint32_t off)
{
	return (uint64_t)reg_rd(d, off + 4) << 32 | reg_rd(d, off);
}

static void dev_post(struct dev *d, uint16_t qid, uint16_t cid, uint16_t status, uint32_t cdw0)
{
	struct dev_queue *q = &d->q[qid];
	struct nvme_cpl *e = &q->cq[q->cq_tail];
	struct nvme_cpl cpl;

	memset(&cpl, 0, sizeof(cpl));
	nvme_cpl_set_status(&cpl, status);
	e->cdw0 = cdw0;
	e->sqhd = (uint16_t)q->sq_head;
	e->sqid = qid;
	e->cid = cid;
	/* The phase tag last: the host reads the rest only after seeing it. */
	__atomic_store_n(&e->status.raw, (uint16_t)((cpl.status.raw & ~1u) | q->phase),
			 __ATOMIC_RELEASE);
	if (++q->cq_tail == q->cq_n) {
		q->cq_tail = 0;
		q->phase ^= 1u;
	}
}

static uint16_t dev_create(struct dev *d, const struct nvme_cmd *cmd)
{
	uint16_t qid = (uint16_t)cmd->cdw10;
	uint32_t n = (cmd->cdw10 >> 16) + 1;
	struct dev_queue *q = &d->q[qid];
	void *ring = (void *)(uintptr_t)cmd->dptr.prp.prp1;

	if (qid == 0 || qid >= DEV_QUEUES)
		return NVME_STATUS_CMD(0x01) | NVME_STATUS_DNR; /* invalid queue identifier */
	if (cmd->opc == NVME_OPC_CREATE_IO_CQ) {
		if (q->cq != NULL)
			return NVME_STATUS_CMD(0x01) | NVME_STATUS_DNR;
		q->cq = ring;
		q->cq_n = n;
		q->cq_tail = 0;
		q->phase = 1;
		return 0;
	}
	if (q->live || q->cq == NULL)
		return NVME_STATUS_CMD(0x01) | NVME_STATUS_DNR;
	q->sq = ring;
	q->sq_n = n;
	q->sq_head = 0;
	reg_wr(d, nvme_doorbell_offset(qid, false, 0), 0);
	q->live = true;
	__atomic_add_fetch(&d->creates, 1, __ATOMIC_RELAXED);
	return 0;
}

static void dev_admin(struct dev *d, const struct nvme_cmd *cmd)
{
	uint16_t qid = (uint16_t)cmd->cdw10, status = 0;
	uint32_t cdw0 = 0;

	switch (cmd->opc) {
	case NVME_OPC_CREATE_IO_CQ:
	case NVME_OPC_CREATE_IO_SQ:
		status = dev_create(d, cmd);
		break;
	case NVME_OPC_DELETE_IO_SQ:
		if (qid < DEV_QUEUES)
			d->q[qid].live = false;
		break;
	case NVME_OPC_DELETE_IO_CQ:
		if (qid < DEV_QUEUES)
			d->q[qid].cq = NULL;
		break;
	case NVME_OPC_SET_FEATURES:
		cdw0 = cmd->cdw11;
		break;
	default:
		status = NVME_STATUS_GENERIC(NVME_SC_INVALID_OPCODE) | NVME_STATUS_DNR;
	}
	dev_post(d, 0, cmd->cid, status, cdw0);
}

static void dev_fetch(struct dev *d, uint16_t qid)
{
	struct dev_queue *q = &d->q[qid];
	uint32_t tail = reg_rd(d, nvme_doorbell_offset(qid, false, 0));
	struct nvme_cmd cmd;

	while (q->live && q->sq_head != tail && tail < q->sq_n) {
		cmd = q->sq[q->sq_head];
		q->sq_head = (q->sq_head + 1) % q->sq_n;
		if (qid == 0)
			dev_admin(d, &cmd);
		else if (__atomic_load_n(&d->auto_io, __ATOMIC_ACQUIRE))
			dev_post(d, qid, cmd.cid, 0, 0);
		else /* fetched and never completed: only a reset ends it */
			__atomic_add_fetch(&d->held, 1, __ATOMIC_RELEASE);
	}
}

static void dev_enable(struct dev *d)
{
	uint32_t aqa = reg_rd(d, NVME_REG_AQA);
	struct dev_queue *a = &d->q[0];

	a->sq = (struct nvme_cmd *)(uintptr_t)reg_rd8(d, NVME_REG_ASQ);
	a->cq = (struct nvme_cpl *)(uintptr_t)reg_rd8(d, NVME_REG_ACQ);
	a->sq_n = (aqa & 0xFFFu) + 1;
	a->cq_n = ((aqa >> NVME_AQA_ACQS_SHIFT) & 0xFFFu) + 1;
	a->sq_head = 0;
	a->cq_tail = 0;
	a->phase = 1;
	a->live = true;
	__atomic_add_fetch(&d->enables, 1, __ATOMIC_RELAXED);
	reg_wr(d, NVME_REG_CSTS, 1);
}

/* A disable forgets every queue; doorbells read as 0 again. */
static void dev_disable(struct dev *d)
{
	for (uint16_t qid = 0; qid < DEV_QUEUES; qid++)
		reg_wr(d, nvme_doorbell_offset(qid, false, 0), 0);
	memset(d->q, 0, sizeof(d->q));
	__atomic_store_n(&d->held, 0, __ATOMIC_RELEASE);
	reg_wr(d, NVME_REG_CSTS, 0);
}

static void *dev_main(void *arg)
{
	struct dev *d = arg;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		bool en = reg_rd(d, NVME_REG_CC) & 1u, rdy = reg_rd(d, NVME_REG_CSTS) & 1u;

		if (en && !rdy && !__atomic_load_n(&d->refuse_ready, __ATOMIC_ACQUIRE))
			dev_enable(d);
		else if (!en && rdy)
			dev_disable(d);
		else if (rdy)
			for (uint16_t qid = 0; qid < DEV_QUEUES; qid++)
				dev_fetch(d, qid);
		sched_yield();
	}
	return NULL;
}

/* ------------------------------------------------------------- the host */

struct sim {
	struct dev dev;
	struct nvme_pcie_ctrlr *pc;
	struct nvme_qpair *q; /* I/O queue pair 1 */
	uint8_t *buf;
};

struct done {
	int calls;
	uint16_t status;
};

static void on_done(void *arg, const struct nvme_cpl *cpl)
{
	struct done *d = arg;

	d->calls++;
	d->status = nvme_cpl_get_status(cpl);
}

static void sim_open(struct sim *s)
{
	struct nvme_pcie_qpair *aq = calloc(1, sizeof(*aq));
	pthread_mutexattr_t attr;
	uint32_t cc;

	memset(s, 0, sizeof(*s));
	s->dev.bar = calloc(1, BAR_SIZE);
	s->pc = calloc(1, sizeof(*s->pc));
	s->buf = env_dma_zalloc(4096, 4096);
	assert_true(s->dev.bar && s->pc && aq && s->buf);
	s->pc->base.ops = &nvme_pcie_ops;
	s->pc->bar = s->dev.bar;
	s->pc->bar_size = BAR_SIZE;
	s->pc->base.opts.timeout_ms = 2000;
	s->pc->base.num_io_queues = 2;
	strcpy(s->pc->base.trid.traddr, "sim");
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->pc->admin_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	assert_int_equal(nvme_pcie_qpair_init(aq, s->pc, 0, 16), 0);
	s->pc->base.adminq = &aq->base;
	nvme_pcie_ctrlr_program_admin(s->pc);
	assert_int_equal(pthread_create(&s->dev.thread, NULL, dev_main, &s->dev), 0);
	cc = nvme_pcie_mmio_read4(s->pc, NVME_REG_CC);
	nvme_pcie_mmio_write4(s->pc, NVME_REG_CC, cc | 1u);
	assert_int_equal(nvme_pcie_wait_csts(s->pc, 1, 1, 1000), 0);
	assert_int_equal(nvme_pcie_qpair_create(&s->pc->base, 1, IO_ENTRIES, &s->q), 0);
	assert_int_equal(__atomic_load_n(&s->dev.creates, __ATOMIC_RELAXED), 1);
}

static void sim_close(struct sim *s)
{
	struct nvme_pcie_qpair *aq = nvme_pcie_qpair(s->pc->base.adminq);

	nvme_qpair_abort_all(s->q, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	nvme_pcie_qpair_destroy(s->q);
	__atomic_store_n(&s->dev.stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->dev.thread, NULL);
	nvme_qpair_abort_all(&aq->base, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	nvme_pcie_qpair_fini(aq);
	free(aq);
	pthread_mutex_destroy(&s->pc->admin_lock);
	free(s->pc);
	free(s->dev.bar);
	env_dma_free(s->buf);
}

static int submit_read(struct sim *s, nvme_cb cb, void *arg)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_READ, .nsid = 1};

	return nvme_qpair_submit(s->q, &cmd, s->buf, 512, NVME_DATA_CONTROLLER_TO_HOST, cb, arg);
}

/* Poll until @d completed (bounded). */
static void poll_until_done(struct sim *s, const struct done *d)
{
	uint64_t deadline = env_ticks() + env_ticks_hz() * 5;

	while (d->calls == 0 && env_ticks() < deadline)
		assert_true(nvme_qpair_poll(s->q, 0) >= 0);
	assert_int_equal(d->calls, 1);
}

static void set_auto_io(struct sim *s, int on)
{
	__atomic_store_n(&s->dev.auto_io, on, __ATOMIC_RELEASE);
}

static void test_reset_aborts_outstanding_once(void **state)
{
	uint16_t aborted = NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION);
	struct done d[3] = {0}, after = {0}, early = {0};
	struct sim s;
	int i;

	(void)state;
	sim_open(&s);
	for (i = 0; i < 3; i++)
		assert_int_equal(submit_read(&s, on_done, &d[i]), 0);
	assert_int_equal(nvme_qpair_poll(s.q, 0), 0);
	assert_int_equal(nvme_ctrlr_reset(&s.pc->base), 0);
	assert_int_equal(__atomic_load_n(&s.dev.enables, __ATOMIC_RELAXED), 2);
	/* Nothing completes on the resetting thread; submit waits for a poll. */
	for (i = 0; i < 3; i++)
		assert_int_equal(d[i].calls, 0);
	assert_int_equal(submit_read(&s, on_done, &early), -EAGAIN);
	assert_int_equal(nvme_qpair_outstanding(s.q), 3);
	set_auto_io(&s, 1);
	assert_int_equal(nvme_qpair_poll(s.q, 0), 3); /* the aborts count */
	assert_int_equal(__atomic_load_n(&s.dev.creates, __ATOMIC_RELAXED), 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].status, aborted);
		assert_false(nvme_status_dnr(d[i].status));
	}
	assert_int_equal(nvme_qpair_outstanding(s.q), 0);
	/* The queue pair works again, from an empty ring. */
	assert_int_equal(submit_read(&s, on_done, &after), 0);
	assert_int_equal(nvme_pcie_qpair(s.q)->sq_tail, 1);
	poll_until_done(&s, &after);
	assert_int_equal(after.status, 0);
	for (i = 0; i < 10; i++)
		assert_true(nvme_qpair_poll(s.q, 0) >= 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(d[i].calls, 1);
	assert_int_equal(early.calls, 0);
	assert_false(s.pc->dead);
	sim_close(&s);
}

/* A callback that resubmits its command the first time it is aborted. */
struct retry_ctx {
	struct sim *s;
	int aborts;
	int successes;
	int resubmit_rc;
};

static void on_retry(void *arg, const struct nvme_cpl *cpl)
{
	struct retry_ctx *r = arg;

	if (nvme_cpl_get_status(cpl) == NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION)) {
		r->aborts++;
		r->resubmit_rc = submit_read(r->s, on_retry, r);
	} else if (!nvme_cpl_is_error(cpl)) {
		r->successes++;
	}
}

static void test_resubmit_from_abort_callback(void **state)
{
	struct retry_ctx r[IO_ENTRIES - 1];
	uint64_t deadline;
	struct sim s;
	int i, n = IO_ENTRIES - 1, ok;

	(void)state;
	sim_open(&s);
	memset(r, 0, sizeof(r));
	for (i = 0; i < n; i++) {
		r[i].s = &s;
		assert_int_equal(submit_read(&s, on_retry, &r[i]), 0);
	}
	assert_int_equal(submit_read(&s, on_retry, &r[0]), -EAGAIN); /* full */
	assert_int_equal(nvme_ctrlr_reset(&s.pc->base), 0);
	set_auto_io(&s, 1);
	deadline = env_ticks() + env_ticks_hz() * 5;
	do {
		assert_true(nvme_qpair_poll(s.q, 0) >= 0);
		for (ok = 0, i = 0; i < n; i++)
			ok += r[i].successes;
	} while (ok < n && env_ticks() < deadline);
	for (i = 0; i < n; i++) {
		assert_int_equal(r[i].aborts, 1);
		assert_int_equal(r[i].resubmit_rc, 0);
		assert_int_equal(r[i].successes, 1);
	}
	assert_int_equal(nvme_qpair_outstanding(s.q), 0);
	sim_close(&s);
}

static void test_reset_failure_fails_cleanly(void **state)
{
	struct done d[2] = {0};
	struct sim s;

	(void)state;
	sim_open(&s);
	assert_int_equal(submit_read(&s, on_done, &d[0]), 0);
	assert_int_equal(submit_read(&s, on_done, &d[1]), 0);
	__atomic_store_n(&s.dev.refuse_ready, 1, __ATOMIC_RELEASE);
	assert_int_equal(nvme_ctrlr_reset(&s.pc->base), -ETIMEDOUT);
	assert_true(s.pc->dead);
	assert_int_equal(nvme_qpair_poll(s.q, 0), -ENXIO);
	assert_int_equal(d[0].calls, 1);
	assert_int_equal(d[1].calls, 1);
	assert_int_equal(d[0].status, NVME_STATUS_GENERIC(NVME_SC_TRANSIENT_TRANSPORT_ERROR));
	assert_int_equal(nvme_qpair_poll(s.q, 0), -ENXIO);
	assert_int_equal(d[0].calls, 1);
	assert_int_equal(submit_read(&s, on_done, &d[0]), -ENXIO);
	assert_int_equal(nvme_ctrlr_reset(&s.pc->base), -ENXIO);
	sim_close(&s);
}

/* ------------------------------------------------ resets from another thread */

#define IO_CTXS (IO_ENTRIES - 1)

struct io_thread {
	struct sim *s;
	pthread_t thread;
	int stop;              /* __atomic */
	uint64_t ok_published; /* __atomic: successes, for the main thread */
	uint64_t submitted, successes, aborts, others, twice;
	bool inflight[IO_CTXS];
	struct io_slot {
		struct io_thread *t;
		int idx;
	} slots[IO_CTXS];
};

static void on_io(void *arg, const struct nvme_cpl *cpl)
{
	struct io_slot *sl = arg;
	struct io_thread *t = sl->t;
	uint16_t st = nvme_cpl_get_status(cpl);

	if (!t->inflight[sl->idx])
		t->twice++;
	t->inflight[sl->idx] = false;
	if (st == 0)
		t->successes++;
	else if (st == NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION))
		t->aborts++;
	else
		t->others++;
}

static void io_thread_round(struct io_thread *t)
{
	for (int i = 0; i < IO_CTXS; i++) {
		if (t->inflight[i])
			continue;
		if (submit_read(t->s, on_io, &t->slots[i]) != 0)
			break; /* -EAGAIN during a reset: poll, then again */
		t->inflight[i] = true;
		t->submitted++;
	}
	if (nvme_qpair_poll(t->s->q, 0) < 0)
		t->others++;
	__atomic_store_n(&t->ok_published, t->successes, __ATOMIC_RELEASE);
}

static void *io_thread_main(void *arg)
{
	struct io_thread *t = arg;
	uint64_t deadline;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE))
		io_thread_round(t);
	deadline = env_ticks() + env_ticks_hz() * 5;
	while (nvme_qpair_outstanding(t->s->q) != 0 && env_ticks() < deadline)
		(void)nvme_qpair_poll(t->s->q, 0);
	return NULL;
}

/* Wait (bounded) until the device holds a full queue of I/O. */
static void wait_queue_full(struct sim *s)
{
	uint64_t deadline = env_ticks() + env_ticks_hz() * 5;

	while (__atomic_load_n(&s->dev.held, __ATOMIC_ACQUIRE) != IO_CTXS && env_ticks() < deadline)
		sched_yield();
	assert_int_equal(__atomic_load_n(&s->dev.held, __ATOMIC_ACQUIRE), IO_CTXS);
}

/* Wait (bounded) until the I/O thread completes commands again. */
static void wait_successes(struct io_thread *t)
{
	uint64_t deadline = env_ticks() + env_ticks_hz() * 5;
	uint64_t ok = __atomic_load_n(&t->ok_published, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&t->ok_published, __ATOMIC_ACQUIRE) < ok + 20 &&
	       env_ticks() < deadline)
		sched_yield();
	assert_true(__atomic_load_n(&t->ok_published, __ATOMIC_ACQUIRE) >= ok + 20);
}

static void test_reset_while_another_thread_polls(void **state)
{
	struct io_thread *t = calloc(1, sizeof(*t));
	struct sim s;
	int round;

	(void)state;
	assert_non_null(t);
	sim_open(&s);
	t->s = &s;
	for (int i = 0; i < IO_CTXS; i++)
		t->slots[i] = (struct io_slot){.t = t, .idx = i};
	set_auto_io(&s, 1);
	assert_int_equal(pthread_create(&t->thread, NULL, io_thread_main, t), 0);
	for (round = 0; round < 5; round++) {
		/* The device holds what it fetches: the reset must abort it. */
		set_auto_io(&s, 0);
		wait_queue_full(&s);
		assert_int_equal(nvme_ctrlr_reset(&s.pc->base), 0);
		set_auto_io(&s, 1);
		wait_successes(t);
	}
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	pthread_join(t->thread, NULL);
	assert_int_equal(nvme_qpair_outstanding(s.q), 0);
	assert_int_equal(t->twice, 0);
	assert_int_equal(t->others, 0);
	assert_true(t->aborts >= 5 * IO_CTXS);
	assert_true(t->successes >= 5 * 20);
	assert_int_equal(t->successes + t->aborts, t->submitted);
	assert_int_equal(__atomic_load_n(&s.dev.enables, __ATOMIC_RELAXED), 6);
	assert_int_equal(__atomic_load_n(&s.dev.creates, __ATOMIC_RELAXED), 6);
	assert_false(s.pc->dead);
	sim_close(&s);
	free(t);
}

static void on_removed(void *arg)
{
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_ACQ_REL);
}

/* CSTS set to @csts (all ones: gone from the bus; CFS): the removal is
 * raised once, however many polls see it, and I/O fails. */
static void removed_once(uint32_t csts)
{
	struct done d = {0};
	uint64_t deadline;
	int removed = 0;
	struct sim s;

	sim_open(&s);
	nvme_ctrlr_set_removed_cb(&s.pc->base, on_removed, &removed);
	assert_int_equal(submit_read(&s, on_done, &d), 0);
	assert_int_equal(nvme_qpair_poll(s.q, 0) >= 0, 1);
	assert_int_equal(__atomic_load_n(&removed, __ATOMIC_ACQUIRE), 0);
	reg_wr(&s.dev, NVME_REG_CSTS, csts);
	deadline = env_ticks() + env_ticks_hz() * 5;
	while (nvme_qpair_poll(s.q, 0) >= 0 && env_ticks() < deadline)
		;
	assert_true(s.pc->dead);
	for (int i = 0; i < 5; i++)
		assert_int_equal(nvme_qpair_poll(s.q, 0), -ENXIO);
	assert_int_equal(nvme_pcie_qpair_check(nvme_pcie_qpair(s.q)), -ENXIO);
	assert_int_equal(__atomic_load_n(&removed, __ATOMIC_ACQUIRE), 1);
	assert_int_equal(submit_read(&s, on_done, &d), -ENXIO);
	reg_wr(&s.dev, NVME_REG_CSTS, 1);
	sim_close(&s);
}

static void test_all_ones_raises_removal_once(void **state)
{
	(void)state;
	removed_once(UINT32_MAX);
}

static void test_cfs_raises_removal_once(void **state)
{
	(void)state;
	removed_once(1u | NVME_CSTS_CFS_MASK << NVME_CSTS_CFS_SHIFT);
}

/*
 * A drive no queue pair polls (no I/O): nvme_pcie_check(), called from a
 * timer, sees CSTS (@csts) and raises the removal once, also when queue
 * polls see it afterwards.
 */
static void idle_check_removed_once(uint32_t csts)
{
	struct nvme_ctrlr other = {0};
	int removed = 0;
	struct sim s;

	sim_open(&s);
	nvme_ctrlr_set_removed_cb(&s.pc->base, on_removed, &removed);
	for (int i = 0; i < 3; i++)
		assert_int_equal(nvme_pcie_check(&s.pc->base), 0);
	assert_int_equal(__atomic_load_n(&removed, __ATOMIC_ACQUIRE), 0);
	assert_false(nvme_ctrlr_is_removed(&s.pc->base));
	reg_wr(&s.dev, NVME_REG_CSTS, csts);
	assert_int_equal(nvme_pcie_check(&s.pc->base), -ENXIO);
	assert_true(s.pc->dead);
	assert_true(nvme_ctrlr_is_removed(&s.pc->base));
	assert_int_equal(__atomic_load_n(&removed, __ATOMIC_ACQUIRE), 1);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(nvme_pcie_check(&s.pc->base), -ENXIO);
		assert_int_equal(nvme_qpair_poll(s.q, 0), -ENXIO);
	}
	assert_int_equal(nvme_pcie_qpair_check(nvme_pcie_qpair(s.q)), -ENXIO);
	assert_int_equal(__atomic_load_n(&removed, __ATOMIC_ACQUIRE), 1);
	/* Not a PCIe controller: nothing to look at. */
	assert_int_equal(nvme_pcie_check(&other), -EINVAL);
	assert_int_equal(nvme_pcie_check(NULL), -EINVAL);
	reg_wr(&s.dev, NVME_REG_CSTS, 1);
	sim_close(&s);
}

static void test_idle_all_ones_raises_removal_once(void **state)
{
	(void)state;
	idle_check_removed_once(UINT32_MAX);
}

static void test_idle_cfs_raises_removal_once(void **state)
{
	(void)state;
	idle_check_removed_once(1u | NVME_CSTS_CFS_MASK << NVME_CSTS_CFS_SHIFT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reset_aborts_outstanding_once),
	    cmocka_unit_test(test_resubmit_from_abort_callback),
	    cmocka_unit_test(test_reset_failure_fails_cleanly),
	    cmocka_unit_test(test_all_ones_raises_removal_once),
	    cmocka_unit_test(test_cfs_raises_removal_once),
	    cmocka_unit_test(test_idle_all_ones_raises_removal_once),
	    cmocka_unit_test(test_idle_cfs_raises_removal_once),
	    cmocka_unit_test(test_reset_while_another_thread_polls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
