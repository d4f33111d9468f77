/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_batch_test.c - system-call batching of the NVMe/TCP target: many PDUs
 * parsed out of one read, staged bytes beyond the budget handled without
 * new socket data, in-capsule data split between the staging buffer and a
 * direct read, C2HData and CapsuleResp in one send, hot and cold
 * connections.
 */
#include "tests/unit/transport/tcp_harness.h"

#define OPC_WRITE 0x01
#define OPC_READ 0x02
#define OPC_FLUSH 0x00
#define NBURST 40

/* 40 Flush capsules in one write: one recv() for the first poll's 32, the
 * other 8 on the next poll from the staging buffer, 40 responses. */
static void test_burst_beyond_budget(void **state)
{
	static uint8_t buf[NBURST * 72];
	struct nvmf_transport_opts o;
	struct harness h;
	size_t len = 0;
	uint64_t sc0;

	(void)state;
	h_default_opts(&o);
	o.max_queue_depth = 64; /* the host may have all 40 outstanding */
	h_setup_opts(&h, &o);
	h_connect(&h, 0);
	for (uint16_t cid = 0; cid < NBURST; cid++)
		len += h_capsule(&h, buf + len, OPC_FLUSH, cid, NULL, 0);
	h_send(&h, buf, len);
	sc0 = h.c->rx_syscalls;
	h_poll(&h, 1);
	assert_int_equal(h.nexec, TCP_RECV_PDU_BUDGET);
	assert_int_equal(h.c->rx_syscalls - sc0, 1);
	assert_true(nvmf_tcp_recv_staged(h.c));
	h_poll(&h, 1);
	assert_int_equal(h.nexec, NBURST);
	assert_false(nvmf_tcp_recv_staged(h.c));
	for (uint16_t cid = 0; cid < NBURST; cid++)
		h_expect_resp(&h, cid, 0);
	h_teardown(&h);
}

/* More 4 KiB in-capsule writes in one write than the staging buffer holds,
 * held by the core: every command gets exactly its own data, wherever it
 * was read. @return how many were lent (h2c_lent) at exec(). */
#define NWB ((int)(TCP_RX_STAGE_SIZE / (72 + 4096) + 2))
static int write_burst(uint8_t dgst)
{
	static uint8_t buf[NWB * (72 + 4096 + 4)], pat[NWB][4096];
	static uint64_t one[(72 + 4096 + 8) / 8];
	struct harness h;
	size_t len = 0, n;
	int lent;

	h_setup(&h);
	h_connect(&h, dgst);
	for (int i = 0; i < NWB; i++) {
		for (int j = 0; j < 4096; j++)
			pat[i][j] = (uint8_t)(j * (i + 3) + i + dgst);
		/* Built aligned, then packed: with digests they are 4172 bytes long. */
		n = h_capsule(&h, (uint8_t *)one, OPC_WRITE, (uint16_t)(10 + i), pat[i], 4096);
		memcpy(buf + len, one, n);
		len += n;
	}
	assert_true(len > TCP_RX_STAGE_SIZE);
	h.hold = true;
	h_send(&h, buf, len);
	h_poll(&h, 4);
	assert_int_equal(h.nheld, NWB);
	for (int i = 0; i < NWB; i++) {
		struct nvmf_request *r = h.held[i];

		assert_int_equal(r->cmd.cid, 10 + i);
		assert_int_equal(r->iovcnt, 1);
		assert_int_equal(r->iov[0].iov_len, 4096);
		assert_false(r->h2c_lent);
		assert_memory_equal(r->iov[0].iov_base, pat[i], 4096);
	}
	for (int i = 0; i < NWB; i++)
		h_complete_held(&h, i);
	h.nheld = 0;
	for (int i = 0; i < NWB; i++)
		h_expect_resp(&h, (uint16_t)(10 + i), 0);
	lent = h.lent;
	h_teardown(&h);
	return lent;
}

/* Payloads that were all staged with their header are lent, and a core
 * that holds them keeps them (req_keep_data) before the stage is reused. */
static void test_write_burst_data(void **state)
{
	(void)state;
	assert_true(write_burst(0) >= 4);
}

/* With data digests nothing is lent: the digest is read after the data. */
static void test_write_burst_digests(void **state)
{
	(void)state;
	assert_int_equal(write_burst(NVME_TCP_DGST_DDGST_ENABLE), 0);
}

/* What one recv() gets now: the C2HData (LAST_PDU, no SUCCESS) and the
 * CapsuleResp of a 4 KiB read of @cid, all 24 + 4096 + 24 bytes. */
static void expect_read_sent(struct harness *h, uint8_t *buf, uint16_t cid)
{
	struct nvme_tcp_rsp *rsp = (struct nvme_tcp_rsp *)(buf + 24 + 4096);
	ssize_t n = recv(h->host, buf, 8192, MSG_DONTWAIT);

	assert_int_equal(n, 24 + 4096 + 24);
	assert_int_equal(buf[0], NVME_TCP_PDU_C2H_DATA);
	assert_int_equal(buf[1] & NVME_TCP_FLAG_LAST_PDU, NVME_TCP_FLAG_LAST_PDU);
	assert_int_equal(buf[1] & NVME_TCP_FLAG_SUCCESS, 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(buf[24 + i], (uint8_t)(i * 7 + cid));
	assert_int_equal(rsp->ch.pdu_type, NVME_TCP_PDU_CAPSULE_RESP);
	assert_int_equal(rsp->rccqe.cid, cid);
}

/* A read's C2HData and its CapsuleResp leave in the poll that received the
 * command, in one sendmsg(): all 24 + 4096 + 24 bytes after one poll. */
static void test_read_one_send(void **state)
{
	static uint8_t buf[8192];
	struct harness h;
	uint64_t tx0;

	(void)state;
	h_setup(&h);
	h_connect(&h, 0);
	h_send(&h, buf, h_capsule(&h, buf, OPC_READ, 7, NULL, 4096));
	tx0 = h.c->tx_syscalls;
	h_poll(&h, 1);
	assert_int_equal(h.c->tx_syscalls - tx0, 1);
	expect_read_sent(&h, buf, 7);
	h_teardown(&h);
}

/* A read that the core completes after group_poll (an asynchronous backend
 * polled by the poll group) leaves with group_flush, in one sendmsg(), not
 * with the next group_poll; a flush with nothing queued makes no call. */
static void test_flush_after_late_completion(void **state)
{
	static uint8_t buf[8192];
	struct harness h;
	uint64_t tx0;

	(void)state;
	h_setup(&h);
	h_connect(&h, 0);
	h.hold = true;
	h_send(&h, buf, h_capsule(&h, buf, OPC_READ, 9, NULL, 4096));
	h_poll(&h, 1);
	assert_int_equal(h.nheld, 1);
	h_complete_held(&h, 0);
	h.nheld = 0;
	assert_true(recv(h.host, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN);
	tx0 = h.c->tx_syscalls;
	assert_int_equal(h.ops->group_flush(h.g), NVMF_POLL_BUSY);
	assert_int_equal(h.c->tx_syscalls - tx0, 1);
	expect_read_sent(&h, buf, 9);
	assert_int_equal(h.ops->group_flush(h.g), NVMF_POLL_IDLE);
	assert_int_equal(h.c->tx_syscalls - tx0, 1);
	h_teardown(&h);
}

/* An idle connection turns cold (no direct reads); epoll still finds its
 * next command at once, and it is hot again. */
static void test_cold_then_hot(void **state)
{
	uint8_t buf[128];
	struct harness h;
	struct tcp_group *g;
	uint64_t sc0;

	(void)state;
	h_setup(&h);
	g = (struct tcp_group *)h.g;
	h_connect(&h, 0);
	h_poll(&h, TCP_HOT_POLLS + 2);
	assert_int_equal(g->nhot, 0);
	sc0 = h.c->rx_syscalls;
	h_poll(&h, 100);
	assert_int_equal(h.c->rx_syscalls, sc0);
	h_send(&h, buf, h_capsule(&h, buf, OPC_FLUSH, 3, NULL, 0));
	h_poll(&h, 1);
	assert_int_equal(h.nexec, 1);
	h_expect_resp(&h, 3, 0);
	h_poll(&h, 1);
	assert_int_equal(g->nhot, 1);
	assert_int_equal(h.c->rx_idle_polls < TCP_HOT_POLLS, 1);
	h_teardown(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_burst_beyond_budget),
	    cmocka_unit_test(test_write_burst_data),
	    cmocka_unit_test(test_write_burst_digests),
	    cmocka_unit_test(test_read_one_send),
	    cmocka_unit_test(test_cold_then_hot),
	    cmocka_unit_test(test_flush_after_late_completion),
	};

	log_set_level(getenv("TCP_TEST_LOG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
