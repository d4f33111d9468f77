/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_recv_test.c - the NVMe/TCP receive state machine and data paths, fed
 * from a socketpair: every split of a captured byte stream, one byte at a
 * time, R2T sequencing, C2HData (with and without SUCCESS), waiting for
 * pool buffers.
 */
#include "tests/unit/transport/tcp_harness.h"

#define OPC_WRITE 0x01
#define OPC_READ 0x02
#define OPC_FLUSH 0x00

static uint8_t pat_a[4096], pat_b[12288];

static void patterns(void)
{
	for (size_t i = 0; i < sizeof(pat_a); i++)
		pat_a[i] = (uint8_t)(i * 13 + 1);
	for (size_t i = 0; i < sizeof(pat_b); i++)
		pat_b[i] = (uint8_t)(i * 31 + 5);
}

/*
 * The stream: ICReq, a 4 KiB in-capsule write (cid 1), a 12 KiB write by
 * R2T (cid 2); after the R2T, its H2CData. @split cuts the first part
 * (or, past it, the second) in two writes with polls between.
 */
static void run_stream(uint8_t dgst, size_t split, bool bytewise)
{
	static uint8_t a[8192], b[16384];
	struct nvmf_transport_opts o;
	struct harness h;
	size_t la, lb;
	uint16_t ttag;
	uint8_t buf[256];

	h_default_opts(&o);
	o.max_queue_depth = 4;
	o.max_aq_depth = 4;
	o.num_shared_buffers = 4;
	h_setup_opts(&h, &o);
	if (getenv("TCP_TEST_LOG"))
		print_message("split %zu\n", split);
	h.hdgst = dgst & NVME_TCP_DGST_HDGST_ENABLE;
	h.ddgst = dgst & NVME_TCP_DGST_DDGST_ENABLE;
	la = h_icreq(a, 0, dgst);
	la += h_capsule(&h, a + la, OPC_WRITE, 1, pat_a, sizeof(pat_a));
	la += h_capsule(&h, a + la, OPC_WRITE, 2, NULL, sizeof(pat_b));
	if (bytewise) {
		for (size_t i = 0; i < la; i++) {
			h_send(&h, a + i, 1);
			h_poll(&h, 1);
		}
	} else {
		size_t k = split < la ? split : la;
		h_send(&h, a, k);
		h_poll(&h, 2);
		h_send(&h, a + k, la - k);
	}
	assert_int_equal(h_recv_pdu(&h, buf, sizeof(buf)), 128);
	assert_int_equal(buf[0], NVME_TCP_PDU_ICRESP);
	h_expect_resp(&h, 1, 0);
	ttag = h_expect_r2t(&h, 2, 0, sizeof(pat_b));
	assert_int_equal(h.nexec, 1);
	assert_int_equal(h.last_len, sizeof(pat_a));
	assert_memory_equal(h.last_data, pat_a, sizeof(pat_a));

	lb = h_h2c(&h, b, 2, ttag, 0, pat_b, sizeof(pat_b));
	if (bytewise) {
		for (size_t i = 0; i < lb; i++) {
			h_send(&h, b + i, 1);
			h_poll(&h, 1);
		}
	} else {
		size_t k = split > la ? split - la : lb;
		h_send(&h, b, k);
		h_poll(&h, 2);
		h_send(&h, b + k, lb - k);
	}
	h_expect_resp(&h, 2, 0);
	assert_int_equal(h.nexec, 2);
	assert_int_equal(h.last_len, sizeof(pat_b));
	assert_memory_equal(h.last_data, pat_b, sizeof(pat_b));
	assert_int_equal(h.closed, 0);
	h_teardown(&h);
}

static size_t stream_len(uint8_t dgst)
{
	size_t d = dgst ? 8 : 0;
	return 128 + (72 + 4096 + d) + (72 + d / 2) + (24 + 12288 + d);
}

static void test_every_split_plain(void **state)
{
	(void)state;
	for (size_t k = 1; k < stream_len(0); k++)
		run_stream(0, k, false);
}

static void test_every_split_digests(void **state)
{
	uint8_t dg = NVME_TCP_DGST_HDGST_ENABLE | NVME_TCP_DGST_DDGST_ENABLE;
	(void)state;
	for (size_t k = 1; k < stream_len(dg); k++)
		run_stream(dg, k, false);
}

static void test_bytewise(void **state)
{
	(void)state;
	run_stream(0, 0, true);
	run_stream(NVME_TCP_DGST_HDGST_ENABLE | NVME_TCP_DGST_DDGST_ENABLE, 0, true);
}

static void test_digests_not_allowed(void **state)
{
	struct nvmf_transport_opts o;
	struct harness h;
	uint8_t buf[256];
	struct nvme_tcp_icresp *r = (struct nvme_tcp_icresp *)buf;

	(void)state;
	h_default_opts(&o);
	o.hdgst_allowed = false;
	h_setup_opts(&h, &o);
	h_send(&h, buf, h_icreq(buf, 0, NVME_TCP_DGST_HDGST_ENABLE | NVME_TCP_DGST_DDGST_ENABLE));
	assert_int_equal(h_recv_pdu(&h, buf, sizeof(buf)), 128);
	assert_int_equal(r->dgst, NVME_TCP_DGST_DDGST_ENABLE);
	h_teardown(&h);
}

/* A 40 KiB write needs one R2T per MAXH2CDATA window; here one window of 40 KiB
 * sent as several H2CData PDUs, each checked against the window. */
static void test_r2t_multiple_h2c(void **state)
{
	static uint8_t data[40960], pdu[16384];
	struct harness h;
	uint8_t buf[128];
	uint16_t ttag;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	h_setup(&h);
	h_connect(&h, NVME_TCP_DGST_DDGST_ENABLE);
	h_send(&h, buf, h_capsule(&h, buf, OPC_WRITE, 9, NULL, sizeof(data)));
	ttag = h_expect_r2t(&h, 9, 0, sizeof(data));
	for (uint32_t off = 0; off < sizeof(data); off += 10240)
		h_send(&h, pdu, h_h2c(&h, pdu, 9, ttag, off, data + off, 10240));
	h_expect_resp(&h, 9, 0);
	assert_int_equal(h.last_len, sizeof(data));
	assert_memory_equal(h.last_data, data, sizeof(data));
	h_teardown(&h);
}

/* Read C2HData PDUs of @len bytes for @cid; check pattern, flags of the last. */
static void read_c2h(struct harness *h, uint16_t cid, uint32_t len, uint8_t last_flags)
{
	static uint8_t buf[TCP_MAX_C2H_PDU + 256];
	struct nvme_tcp_data_hdr *d = (struct nvme_tcp_data_hdr *)buf;
	uint32_t got = 0;

	while (got < len) {
		int plen = h_recv_pdu(h, buf, sizeof(buf));
		uint32_t dd = h->ddgst ? 4 : 0;

		assert_true(plen > 0);
		assert_int_equal(d->ch.pdu_type, NVME_TCP_PDU_C2H_DATA);
		assert_int_equal(d->cccid, cid);
		assert_int_equal(d->datao, got);
		assert_int_equal((uint32_t)plen, d->ch.pdo + d->datal + dd);
		if (dd)
			assert_int_equal(nvme_get_le32(buf + d->ch.pdo + d->datal),
					 crc32c(0, buf + d->ch.pdo, d->datal));
		for (uint32_t i = 0; i < d->datal; i++)
			assert_int_equal(buf[d->ch.pdo + i], (uint8_t)((got + i) * 7 + cid));
		got += d->datal;
		if (got == len)
			assert_int_equal(d->ch.flags &
					     (NVME_TCP_FLAG_LAST_PDU | NVME_TCP_FLAG_SUCCESS),
					 last_flags);
		else
			assert_int_equal(d->ch.flags & NVME_TCP_FLAG_LAST_PDU, 0);
	}
}

/* Three 64 KiB reads need 24 buffers of a 16-buffer pool: the third waits,
 * then runs once the first completes. */
static void test_read_pool_exhausted(void **state)
{
	struct harness h;
	uint8_t buf[128];
	struct tcp_group *g;

	(void)state;
	h_setup(&h);
	g = (struct tcp_group *)h.g;
	h_connect(&h, NVME_TCP_DGST_HDGST_ENABLE | NVME_TCP_DGST_DDGST_ENABLE);
	h.hold = true;
	for (uint16_t cid = 1; cid <= 3; cid++)
		h_send(&h, buf, h_capsule(&h, buf, OPC_READ, cid, NULL, 65536));
	h_poll(&h, 5);
	assert_int_equal(h.nexec, 2);
	assert_int_equal(env_pool_avail(g->buf_pool), 0);
	h_complete_held(&h, 0);
	read_c2h(&h, 1, 65536, NVME_TCP_FLAG_LAST_PDU);
	h_expect_resp(&h, 1, 0);
	h_poll(&h, 2);
	assert_int_equal(h.nexec, 3);
	h_complete_held(&h, 1);
	read_c2h(&h, 2, 65536, NVME_TCP_FLAG_LAST_PDU);
	h_expect_resp(&h, 2, 0);
	h_complete_held(&h, 2);
	read_c2h(&h, 3, 65536, NVME_TCP_FLAG_LAST_PDU);
	h_expect_resp(&h, 3, 0);
	h.nheld = 0;
	h_teardown(&h);
}

/* After a Connect that disables SQ flow control, a successful read ends
 * with LAST_PDU|SUCCESS and no CapsuleResp; a failed one gets a response. */
static void test_c2h_success(void **state)
{
	struct harness h;
	static uint8_t connect_data[1024], buf[2048];
	struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)(buf + 8);

	(void)state;
	h_setup(&h);
	h_connect(&h, 0);
	h_capsule(&h, buf, NVME_OPC_FABRICS, 1, connect_data, sizeof(connect_data));
	cc->fctype = NVMF_FCTYPE_CONNECT;
	cc->cattr = NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL;
	h_send(&h, buf, 72 + sizeof(connect_data));
	h_expect_resp(&h, 1, 0);
	h_send(&h, buf, h_capsule(&h, buf, OPC_READ, 2, NULL, 4096));
	read_c2h(&h, 2, 4096, NVME_TCP_FLAG_LAST_PDU | NVME_TCP_FLAG_SUCCESS);
	/* The next PDU is the flush's response: no CapsuleResp for cid 2. */
	h_send(&h, buf, h_capsule(&h, buf, OPC_FLUSH, 3, NULL, 0));
	h_expect_resp(&h, 3, 0);
	h_teardown(&h);
}

/* A connection with data digests whose reads may be 200 KiB long. */
static void setup_big_reads(struct harness *h)
{
	struct nvmf_transport_opts o;

	h_default_opts(&o);
	o.max_io_size = 204800;
	o.num_shared_buffers = 64;
	h_setup_opts(h, &o);
	h_connect(h, NVME_TCP_DGST_DDGST_ENABLE);
}

/* A 200 KiB read goes out as two C2HData PDUs (128 KiB + 72 KiB). */
static void test_c2h_split(void **state)
{
	struct harness h;
	uint8_t buf[128];

	(void)state;
	setup_big_reads(&h);
	h_send(&h, buf, h_capsule(&h, buf, OPC_READ, 4, NULL, 204800));
	read_c2h(&h, 4, 204800, NVME_TCP_FLAG_LAST_PDU);
	h_expect_resp(&h, 4, 0);
	h_teardown(&h);
}

/* A 200 KiB read with h->span set: the data must come out right either way. */
static void span_read(struct harness *h, uint16_t cid)
{
	uint8_t buf[128];

	h->span = malloc(204800);
	assert_non_null(h->span);
	h_send(h, buf, h_capsule(h, buf, OPC_READ, cid, NULL, 204800));
	read_c2h(h, cid, 204800, NVME_TCP_FLAG_LAST_PDU);
	h_expect_resp(h, cid, 0);
	free(h->span);
	h->span = NULL;
}

/* Data the core points at (c2h_iov, a backend's memory) is what is sent,
 * across two C2HData PDUs; the next read on the same slot starts from its
 * own buffers again. With data digests the core is never offered that: the
 * digest is computed before sendmsg() copies the data. */
static void test_c2h_from_span(void **state)
{
	struct nvmf_transport_opts o;
	struct harness h;
	uint8_t buf[128];

	(void)state;
	h_default_opts(&o);
	o.max_io_size = 204800;
	o.num_shared_buffers = 64;
	h_setup_opts(&h, &o);
	h_connect(&h, 0);
	span_read(&h, 5);
	assert_int_equal(h.span_reads, 1);
	h_send(&h, buf, h_capsule(&h, buf, OPC_READ, 6, NULL, 8192));
	read_c2h(&h, 6, 8192, NVME_TCP_FLAG_LAST_PDU);
	h_expect_resp(&h, 6, 0);
	h_teardown(&h);

	setup_big_reads(&h); /* data digests */
	span_read(&h, 7);
	assert_int_equal(h.span_reads, 0);
	h_teardown(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_split_plain), cmocka_unit_test(test_every_split_digests),
	    cmocka_unit_test(test_bytewise),          cmocka_unit_test(test_digests_not_allowed),
	    cmocka_unit_test(test_r2t_multiple_h2c),  cmocka_unit_test(test_read_pool_exhausted),
	    cmocka_unit_test(test_c2h_success),       cmocka_unit_test(test_c2h_split),
	    cmocka_unit_test(test_c2h_from_span),
	};

	patterns();
	log_set_level(getenv("TCP_TEST_LOG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	if (getenv("TCP_TEST_FILTER"))
		cmocka_set_test_filter(getenv("TCP_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
