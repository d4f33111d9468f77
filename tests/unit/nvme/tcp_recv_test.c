/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_recv_test.c - the NVMe/TCP host transport against a socketpair that
 * plays the controller: the ICReq on the wire, the ICResp and a canned
 * controller byte stream (C2HData with and without SUCCESS, CapsuleResp,
 * R2T) delivered at every split point and byte by byte, with and without
 * digests; what the host sent back (capsules, in-capsule data, H2CData
 * split by MAXH2CDATA with LAST_PDU) is checked byte for byte.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "nvme/tcp/tcp_internal.h"
#include "tests/unit/nvme/tcp_fixture.h"

/* ------------------------------------------------------------ ICReq / ICResp */

static void check_icreq(struct fx *f, bool hd, bool dd)
{
	struct nvme_tcp_icreq ic;

	assert_int_equal(peer_read(f, &ic, sizeof(ic)), 0);
	assert_int_equal(ic.ch.pdu_type, NVME_TCP_PDU_ICREQ);
	assert_int_equal(ic.ch.hlen, 128);
	assert_int_equal(ic.ch.plen, 128);
	assert_int_equal(ic.pfv, 0);
	assert_int_equal(ic.hpda, 0);
	assert_int_equal(ic.maxr2t, 0);
	assert_int_equal(ic.dgst, (hd ? 1 : 0) | (dd ? 2 : 0));
}

static void test_icresp_every_split(void **state)
{
	struct stream s;
	size_t k;

	(void)state;
	stream_reset(&s, false, false);
	put_icresp(&s, NVME_TCP_DGST_HDGST_ENABLE | NVME_TCP_DGST_DDGST_ENABLE, 8192);
	for (k = 0; k <= s.len; k++) {
		struct fx f;

		fx_open(&f, true, true);
		assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), 0);
		check_icreq(&f, true, true);
		peer_write(&f, s.buf, k);
		assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), 0);
		assert_int_equal(f.tq->state == NVME_TCP_Q_READY, k == s.len);
		peer_write(&f, s.buf + k, s.len - k);
		assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), 0);
		assert_int_equal(f.tq->state, NVME_TCP_Q_READY);
		assert_true(f.tq->hdgst && f.tq->ddgst);
		assert_int_equal(f.tq->maxh2cdata, 8192);
		fx_close(&f);
	}
}

static void test_icresp_digest_declined(void **state)
{
	struct stream s;
	struct fx f;

	(void)state;
	fx_open(&f, true, true);
	assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), 0);
	check_icreq(&f, true, true);
	stream_reset(&s, false, false);
	put_icresp(&s, 0, 4096);
	peer_write(&f, s.buf, s.len);
	assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), 0);
	assert_int_equal(f.tq->state, NVME_TCP_Q_READY);
	assert_false(f.tq->hdgst || f.tq->ddgst);
	fx_close(&f);
}

/* ------------------------------------------------------- the canned stream */

#define RD0_LEN 2048  /* CID 0: two C2HData, the last with SUCCESS */
#define RD1_LEN 700   /* CID 1: one C2HData, then CapsuleResp */
#define WR2_LEN 10000 /* CID 2: R2T, three H2CData at MAXH2CDATA 4096 */
#define WR3_LEN 512   /* CID 3: in-capsule, CapsuleResp */
#define ICD_MAX 1024

struct io_set {
	uint8_t rd0[RD0_LEN], rd1[RD1_LEN], wr2[WR2_LEN], wr3[WR3_LEN];
	uint8_t want0[RD0_LEN], want1[RD1_LEN];
	struct done done[4];
};

static void io_submit(struct fx *f, struct io_set *io)
{
	struct nvme_qpair *q = &f->tq->base;
	struct nvme_cmd rd = {.opc = NVME_OPC_READ, .nsid = 1};
	struct nvme_cmd wr = {.opc = NVME_OPC_WRITE, .nsid = 1};

	f->tq->icd_max = ICD_MAX;
	assert_int_equal(nvme_qpair_submit_raw(q, &rd, io->rd0, RD0_LEN, on_done, &io->done[0]), 0);
	assert_int_equal(nvme_qpair_submit_raw(q, &rd, io->rd1, RD1_LEN, on_done, &io->done[1]), 0);
	assert_int_equal(nvme_qpair_submit_raw(q, &wr, io->wr2, WR2_LEN, on_done, &io->done[2]), 0);
	assert_int_equal(nvme_qpair_submit_raw(q, &wr, io->wr3, WR3_LEN, on_done, &io->done[3]), 0);
	assert_int_equal(nvme_qpair_outstanding(q), 4);
}

static void io_stream(struct stream *s, struct io_set *io)
{
	put_c2h(s, 0, 0, io->want0, 1024, 0);
	put_c2h(s, 0, 1024, io->want0 + 1024, 1024, NVME_TCP_FLAG_LAST_PDU | NVME_TCP_FLAG_SUCCESS);
	put_r2t(s, 2, 0x77, 0, WR2_LEN);
	put_c2h(s, 1, 0, io->want1, RD1_LEN, NVME_TCP_FLAG_LAST_PDU);
	put_resp(s, 1, 0);
	put_resp(s, 3, NVME_STATUS_GENERIC(NVME_SC_LBA_OUT_OF_RANGE));
}

/* Read what the host sent after the ICReq and check it. */
static void check_host_stream(struct fx *f, struct io_set *io, bool hd, bool dd)
{
	struct nvme_tcp_cmd c;
	uint8_t data[WR3_LEN];
	uint32_t off = 0;
	int i;

	for (i = 0; i < 4; i++) {
		peer_read_pdu_hdr(f, &c, sizeof(c), hd);
		assert_int_equal(c.ch.pdu_type, NVME_TCP_PDU_CAPSULE_CMD);
		assert_int_equal(c.ccsqe.cid, i);
		assert_int_equal(c.ccsqe.psdt, NVME_PSDT_SGL_MPTR_CONTIG);
		if (i < 3) {
			assert_int_equal(c.ch.plen, 72 + (hd ? 4 : 0));
			assert_int_equal(nvme_sgl_type(&c.ccsqe.dptr.sgl1), 0x5);
			assert_int_equal(nvme_sgl_subtype(&c.ccsqe.dptr.sgl1), 0xA);
		} else {
			assert_int_equal(c.ch.plen, 72 + (hd ? 4 : 0) + WR3_LEN + (dd ? 4 : 0));
			assert_int_equal(nvme_sgl_type(&c.ccsqe.dptr.sgl1), 0x0);
			assert_int_equal(nvme_sgl_subtype(&c.ccsqe.dptr.sgl1), 0x1);
			assert_int_equal(c.ccsqe.dptr.sgl1.unkeyed.length, WR3_LEN);
			peer_read_data(f, data, WR3_LEN, dd);
			assert_memory_equal(data, io->wr3, WR3_LEN);
		}
	}
	for (i = 0; i < 3; i++) {
		struct nvme_tcp_data_hdr h;
		uint8_t buf[4096];

		peer_read_pdu_hdr(f, &h, sizeof(h), hd);
		assert_int_equal(h.ch.pdu_type, NVME_TCP_PDU_H2C_DATA);
		assert_int_equal(h.cccid, 2);
		assert_int_equal(h.ttag, 0x77);
		assert_int_equal(h.datao, off);
		assert_int_equal(h.datal, i < 2 ? 4096 : WR2_LEN - 8192);
		assert_int_equal(!!(h.ch.flags & NVME_TCP_FLAG_LAST_PDU), i == 2);
		peer_read_data(f, buf, h.datal, dd);
		assert_memory_equal(buf, io->wr2 + off, h.datal);
		off += h.datal;
	}
}

static void check_io_done(struct io_set *io)
{
	assert_int_equal(io->done[0].calls, 1);
	assert_int_equal(io->done[0].status, 0);
	assert_memory_equal(io->rd0, io->want0, RD0_LEN);
	assert_int_equal(io->done[1].calls, 1);
	assert_int_equal(io->done[1].status, 0);
	assert_memory_equal(io->rd1, io->want1, RD1_LEN);
	assert_int_equal(io->done[2].calls, 1);
	assert_int_equal(io->done[2].status, 0);
	assert_int_equal(io->done[3].calls, 1);
	assert_int_equal(io->done[3].status, NVME_STATUS_GENERIC(NVME_SC_LBA_OUT_OF_RANGE));
}

static void io_fill(struct io_set *io)
{
	size_t i;

	memset(io, 0, sizeof(*io));
	for (i = 0; i < RD0_LEN; i++)
		io->want0[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < RD1_LEN; i++)
		io->want1[i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < WR2_LEN; i++)
		io->wr2[i] = (uint8_t)(i * 3 + 11);
	for (i = 0; i < WR3_LEN; i++)
		io->wr3[i] = (uint8_t)(i ^ 0x5A);
}

/*
 * Deliver the stream cut at @cut (and, when @bytewise, one byte per poll),
 * polling in between; the write's CapsuleResp comes once its H2CData is out.
 */
static void run_stream(bool hd, bool dd, size_t cut, bool bytewise)
{
	static struct io_set io;
	struct stream s;
	struct fx f;
	size_t i;

	io_fill(&io);
	fx_open_ready(&f, hd, dd, 4096);
	io_submit(&f, &io);
	stream_reset(&s, hd, dd);
	io_stream(&s, &io);
	if (bytewise) {
		for (i = 0; i < s.len; i++) {
			peer_write(&f, s.buf + i, 1);
			assert_true(nvme_qpair_poll(&f.tq->base, 0) >= 0);
		}
	} else {
		peer_write(&f, s.buf, cut);
		assert_true(nvme_qpair_poll(&f.tq->base, 0) >= 0);
		peer_write(&f, s.buf + cut, s.len - cut);
		assert_true(nvme_qpair_poll(&f.tq->base, 0) >= 0);
	}
	assert_true(nvme_qpair_poll(&f.tq->base, 0) >= 0);
	assert_int_equal(io.done[2].calls, 0); /* the write waits for its CapsuleResp */
	stream_reset(&s, hd, dd);
	put_resp(&s, 2, 0);
	peer_write(&f, s.buf, s.len);
	assert_int_equal(nvme_qpair_poll(&f.tq->base, 0), 1);
	check_io_done(&io);
	assert_int_equal(nvme_qpair_outstanding(&f.tq->base), 0);
	check_host_stream(&f, &io, hd, dd);
	fx_close(&f);
}

static void every_split(bool hd, bool dd)
{
	static struct io_set io;
	struct stream s;
	size_t k;

	io_fill(&io);
	stream_reset(&s, hd, dd);
	io_stream(&s, &io);
	for (k = 0; k <= s.len; k++)
		run_stream(hd, dd, k, false);
	run_stream(hd, dd, 0, true);
}

static void test_stream_plain(void **state)
{
	(void)state;
	every_split(false, false);
}

static void test_stream_digests(void **state)
{
	(void)state;
	every_split(true, true);
}

static void test_stream_hdgst_only(void **state)
{
	(void)state;
	every_split(true, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_icresp_every_split),
	    cmocka_unit_test(test_icresp_digest_declined),
	    cmocka_unit_test(test_stream_plain),
	    cmocka_unit_test(test_stream_digests),
	    cmocka_unit_test(test_stream_hdgst_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
