/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_queue_test.c - PCIe queue pairs against a controller simulated in
 * memory (BAR0 is a plain buffer; the test plays the device: reads SQ
 * entries, writes CQEs with the phase tag). Checks the SQ tail doorbell,
 * completion by phase with wrap-around, one CQ head doorbell per poll
 * batch, the poll budget, non-DMA buffers (-EINVAL on I/O queues, bounced
 * on the admin queue), and CSTS.CFS / all-ones -> -ENXIO with the
 * outstanding commands failed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nvme/pcie/pcie_internal.h"

#define BAR_SIZE 0x2000u

struct sim {
	struct nvme_pcie_ctrlr *pc;
	struct nvme_pcie_qpair *pq;
	uint8_t *bar;
	uint16_t dev_cq_tail; /* where the "device" writes its next CQE */
	uint8_t dev_phase;
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

static void sim_open(struct sim *s, uint16_t qid, uint32_t entries)
{
	pthread_mutexattr_t attr;

	memset(s, 0, sizeof(*s));
	s->bar = calloc(1, BAR_SIZE);
	s->pc = calloc(1, sizeof(*s->pc));
	s->pq = calloc(1, sizeof(*s->pq));
	assert_non_null(s->bar);
	s->pc->base.ops = &nvme_pcie_ops;
	s->pc->bar = s->bar;
	s->pc->bar_size = BAR_SIZE;
	s->pc->base.opts.timeout_ms = 1000;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->pc->admin_lock, &attr);
	assert_int_equal(nvme_pcie_qpair_init(s->pq, s->pc, qid, entries), 0);
	if (qid == 0)
		s->pc->base.adminq = &s->pq->base;
	s->dev_phase = 1;
}

static void sim_close(struct sim *s)
{
	nvme_qpair_abort_all(&s->pq->base, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	nvme_pcie_qpair_fini(s->pq);
	pthread_mutex_destroy(&s->pc->admin_lock);
	free(s->pq);
	free(s->pc);
	free(s->bar);
}

static uint32_t db(const struct sim *s, bool cq)
{
	return *(const uint32_t *)(s->bar + nvme_doorbell_offset(s->pq->base.qid, cq, 0));
}

/* The device completes command @cid with @status. */
static void dev_complete(struct sim *s, uint16_t cid, uint16_t status)
{
	struct nvme_cpl cpl;

	memset(&cpl, 0, sizeof(cpl));
	cpl.cid = cid;
	cpl.sqid = s->pq->base.qid;
	nvme_cpl_set_status(&cpl, status);
	cpl.status.raw = (uint16_t)((cpl.status.raw & ~1u) | s->dev_phase);
	s->pq->cq[s->dev_cq_tail] = cpl;
	if (++s->dev_cq_tail == s->pq->base.num_entries) {
		s->dev_cq_tail = 0;
		s->dev_phase ^= 1u;
	}
}

static int submit_read(struct sim *s, void *buf, uint32_t len, struct done *d)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_READ, .nsid = 1};

	return nvme_qpair_submit(&s->pq->base, &cmd, buf, len, NVME_DATA_CONTROLLER_TO_HOST,
				 on_done, d);
}

static void test_submit_rings_sq_doorbell(void **state)
{
	uint8_t *buf = env_dma_zalloc(8192, 4096);
	struct done d = {0};
	struct sim s;

	(void)state;
	sim_open(&s, 1, 8);
	assert_int_equal(submit_read(&s, buf + 16, 4096, &d), 0);
	assert_int_equal(db(&s, false), 1);
	assert_int_equal(s.pq->sq[0].opc, NVME_OPC_READ);
	assert_int_equal(s.pq->sq[0].dptr.prp.prp1, (uint64_t)(uintptr_t)(buf + 16));
	assert_int_equal(s.pq->sq[0].dptr.prp.prp2, (uint64_t)(uintptr_t)(buf + 4096));
	assert_int_equal(submit_read(&s, buf, 512, &d), 0);
	assert_int_equal(db(&s, false), 2);
	assert_int_equal(s.pq->sq_db_writes, 2);
	/* Nothing completed: poll finds nothing, rings no CQ doorbell. */
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 0);
	assert_int_equal(s.pq->cq_db_writes, 0);
	sim_close(&s);
	env_dma_free(buf);
}

static void test_batch_one_cq_doorbell(void **state)
{
	uint8_t *buf = env_dma_zalloc(4096, 4096);
	struct done d[5] = {0};
	struct sim s;
	int i;

	(void)state;
	sim_open(&s, 1, 8);
	for (i = 0; i < 5; i++)
		assert_int_equal(submit_read(&s, buf, 512, &d[i]), 0);
	for (i = 0; i < 5; i++)
		dev_complete(&s, s.pq->sq[i].cid, i == 3 ? NVME_STATUS_GENERIC(0x02) : 0);
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 5);
	assert_int_equal(s.pq->cq_db_writes, 1);
	assert_int_equal(db(&s, true), 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(d[i].calls, 1);
	assert_int_equal(d[3].status, NVME_STATUS_GENERIC(0x02));
	assert_int_equal(nvme_qpair_outstanding(&s.pq->base), 0);
	sim_close(&s);
	env_dma_free(buf);
}

static void test_budget(void **state)
{
	uint8_t *buf = env_dma_zalloc(4096, 4096);
	struct done d = {0};
	struct sim s;
	int i;

	(void)state;
	sim_open(&s, 1, 8);
	for (i = 0; i < 4; i++)
		assert_int_equal(submit_read(&s, buf, 512, &d), 0);
	for (i = 0; i < 4; i++)
		dev_complete(&s, s.pq->sq[i].cid, 0);
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 3), 3);
	assert_int_equal(db(&s, true), 3);
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 3), 1);
	assert_int_equal(db(&s, true), 4);
	assert_int_equal(s.pq->cq_db_writes, 2);
	assert_int_equal(d.calls, 4);
	sim_close(&s);
	env_dma_free(buf);
}

/* A 4-entry queue, driven round many times: tail, head and phase wrap. */
static void test_wrap_around(void **state)
{
	uint8_t *buf = env_dma_zalloc(4096, 4096);
	struct done d = {0};
	uint16_t tail = 0;
	struct sim s;
	int round, i;

	(void)state;
	sim_open(&s, 1, 4);
	for (round = 0; round < 7; round++) {
		uint16_t cids[3];

		for (i = 0; i < 3; i++) {
			assert_int_equal(submit_read(&s, buf, 512, &d), 0);
			cids[i] = s.pq->sq[tail].cid;
			tail = (uint16_t)((tail + 1) % 4);
			assert_int_equal(db(&s, false), tail);
		}
		/* Queue holds 3 (entries - 1): the next submit is refused. */
		assert_int_equal(submit_read(&s, buf, 512, &d), -EAGAIN);
		/* Complete two, poll, then the third: stale entries never count. */
		dev_complete(&s, cids[0], 0);
		dev_complete(&s, cids[1], 0);
		assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 2);
		assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 0);
		dev_complete(&s, cids[2], 0);
		assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 1);
		assert_int_equal(db(&s, true), s.dev_cq_tail);
	}
	assert_int_equal(d.calls, 21);
	assert_int_equal(s.pq->phase, s.dev_phase);
	sim_close(&s);
	env_dma_free(buf);
}

static void test_non_dma_io_buffer(void **state)
{
	uint8_t *plain = malloc(4096);
	struct done d = {0};
	struct sim s;

	(void)state;
	sim_open(&s, 1, 8);
	assert_int_equal(submit_read(&s, plain, 512, &d), -EINVAL);
	assert_int_equal(db(&s, false), 0);
	assert_int_equal(nvme_qpair_outstanding(&s.pq->base), 0);
	sim_close(&s);
	free(plain);
}

static void test_admin_bounce(void **state)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_IDENTIFY, .cdw10 = 1};
	uint8_t *plain = calloc(1, 4096);
	struct done d = {0};
	uint8_t *dev_buf;
	struct sim s;

	(void)state;
	sim_open(&s, 0, 8);
	assert_int_equal(nvme_qpair_submit(&s.pq->base, &cmd, plain, 4096,
					   NVME_DATA_CONTROLLER_TO_HOST, on_done, &d),
			 0);
	dev_buf = (uint8_t *)(uintptr_t)s.pq->sq[0].dptr.prp.prp1;
	assert_ptr_not_equal(dev_buf, plain);
	assert_int_not_equal(env_iova(dev_buf), ENV_IOVA_INVALID);
	memset(dev_buf, 0x5A, 4096); /* the device writes the data */
	dev_complete(&s, s.pq->sq[0].cid, 0);
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 1);
	assert_int_equal(d.calls, 1);
	assert_int_equal(plain[0], 0x5A);
	assert_int_equal(plain[4095], 0x5A);
	assert_null(s.pq->tr[0].bounce);
	sim_close(&s);
	free(plain);
}

static void fatal_case(uint32_t csts)
{
	uint8_t *buf = env_dma_zalloc(4096, 4096);
	struct done d = {0};
	struct sim s;

	sim_open(&s, 1, 8);
	assert_int_equal(submit_read(&s, buf, 512, &d), 0);
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 0);
	*(uint32_t *)(s.bar + NVME_REG_CSTS) = csts;
	s.pq->next_health = 0; /* the check is due now */
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), -ENXIO);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, NVME_STATUS_GENERIC(NVME_SC_TRANSIENT_TRANSPORT_ERROR));
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), -ENXIO);
	assert_int_equal(submit_read(&s, buf, 512, &d), -ENXIO);
	assert_true(s.pc->dead);
	sim_close(&s);
	env_dma_free(buf);
}

static void test_cfs_fails_io(void **state)
{
	(void)state;
	fatal_case(1u << NVME_CSTS_CFS_SHIFT | 1u);
}

static void test_all_ones_fails_io(void **state)
{
	(void)state;
	fatal_case(UINT32_MAX);
}

static void test_healthy_csts_keeps_going(void **state)
{
	uint8_t *buf = env_dma_zalloc(4096, 4096);
	struct done d = {0};
	struct sim s;

	(void)state;
	sim_open(&s, 1, 8);
	*(uint32_t *)(s.bar + NVME_REG_CSTS) = 1; /* RDY */
	assert_int_equal(submit_read(&s, buf, 512, &d), 0);
	s.pq->next_health = 0;
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 0);
	assert_false(s.pc->dead);
	dev_complete(&s, s.pq->sq[0].cid, 0);
	assert_int_equal(nvme_qpair_poll(&s.pq->base, 0), 1);
	sim_close(&s);
	env_dma_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_submit_rings_sq_doorbell),
	    cmocka_unit_test(test_batch_one_cq_doorbell),
	    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_wrap_around),
	    cmocka_unit_test(test_non_dma_io_buffer),
	    cmocka_unit_test(test_admin_bounce),
	    cmocka_unit_test(test_cfs_fails_io),
	    cmocka_unit_test(test_all_ones_fails_io),
	    cmocka_unit_test(test_healthy_csts_keeps_going),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
