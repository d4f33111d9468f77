/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_error_test.c - a misbehaving controller: unknown PDU types, wrong
 * HLEN / PLEN, bad header and data digests, data beyond the buffer,
 * unknown CIDs, C2HTermReq, a connection closed mid-PDU and bad ICResps.
 * Each fails the queue pair: poll returns -ENXIO, every outstanding
 * command completes once with Transient Transport Error, later submits
 * get -ENXIO. Nothing leaks (run under SAN=1).
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

#define RD_LEN 1024
#define WR_LEN 4096

struct bad_case {
	const char *name;
	bool hd, dd;
	void (*build)(struct stream *s);
	bool close_after; /* the peer closes the connection after the bytes */
};

static uint8_t g_data[WR_LEN];

static void b_unknown_type(struct stream *s)
{
	struct nvme_tcp_rsp r = {.ch.pdu_type = 0x7F};

	put_pdu(s, &r, 24, NULL, 0, true);
}

static void b_h2c_from_ctrlr(struct stream *s)
{
	struct nvme_tcp_data_hdr h = {.ch.pdu_type = NVME_TCP_PDU_H2C_DATA};

	put_pdu(s, &h, 24, NULL, 0, true);
}

static void b_wrong_hlen(struct stream *s)
{
	struct nvme_tcp_rsp r = {.ch.pdu_type = NVME_TCP_PDU_CAPSULE_RESP};

	put_pdu(s, &r, 24, NULL, 0, true);
	s->buf[2] = 30; /* HLEN */
}

static void b_bad_plen(struct stream *s)
{
	struct nvme_tcp_rsp r = {.ch.pdu_type = NVME_TCP_PDU_CAPSULE_RESP};

	put_pdu(s, &r, 24, NULL, 0, true);
	nvme_put_le32(s->buf + 4, 4096);
}

static void b_bad_hdgst(struct stream *s)
{
	put_resp(s, 0, 0);
	s->buf[24] ^= 0x01; /* first byte of the header digest */
}

static void b_bad_ddgst(struct stream *s)
{
	put_c2h(s, 0, 0, g_data, RD_LEN, NVME_TCP_FLAG_LAST_PDU | NVME_TCP_FLAG_SUCCESS);
	s->buf[s->len - 1] ^= 0x80;
}

static void b_c2h_beyond(struct stream *s)
{
	put_c2h(s, 0, 512, g_data, RD_LEN, NVME_TCP_FLAG_LAST_PDU);
}

static void b_c2h_to_write(struct stream *s)
{
	put_c2h(s, 1, 0, g_data, 512, NVME_TCP_FLAG_LAST_PDU);
}

static void b_c2h_bad_pdo(struct stream *s)
{
	put_c2h(s, 0, 0, g_data, 512, NVME_TCP_FLAG_LAST_PDU);
	s->buf[3] = 8; /* PDO inside the header */
}

static void b_success_not_last(struct stream *s)
{
	put_c2h(s, 0, 0, g_data, RD_LEN, NVME_TCP_FLAG_SUCCESS);
}

static void b_unknown_cid(struct stream *s)
{
	put_resp(s, 5, 0);
}

static void b_resp_twice(struct stream *s)
{
	put_c2h(s, 0, 0, g_data, RD_LEN, NVME_TCP_FLAG_LAST_PDU | NVME_TCP_FLAG_SUCCESS);
	put_resp(s, 0, 0); /* SUCCESS already completed CID 0 */
}

static void b_r2t_beyond(struct stream *s)
{
	put_r2t(s, 1, 1, 2048, 4096);
}

static void b_r2t_for_read(struct stream *s)
{
	put_r2t(s, 0, 1, 0, 512);
}

static void b_icresp_again(struct stream *s)
{
	put_icresp(s, 0, 4096);
}

static void b_term_req(struct stream *s)
{
	struct nvme_tcp_term_req_hdr t = {.ch.pdu_type = NVME_TCP_PDU_C2H_TERM_REQ};
	uint8_t bad_hdr[24] = {0x05};

	t.fes = NVME_TCP_FES_INVALID_HEADER_FIELD;
	t.fei = 2;
	put_pdu(s, &t, 24, bad_hdr, sizeof(bad_hdr), false);
}

static void b_term_req_too_long(struct stream *s)
{
	struct nvme_tcp_term_req_hdr t = {.ch.pdu_type = NVME_TCP_PDU_C2H_TERM_REQ};

	put_pdu(s, &t, 24, g_data, 200, false);
}

static void b_half_pdu(struct stream *s)
{
	put_c2h(s, 0, 0, g_data, RD_LEN, NVME_TCP_FLAG_LAST_PDU);
	s->len = 24 + 100; /* header and part of the data, then the peer closes */
}

static void b_nothing(struct stream *s)
{
	s->len = 0;
}

static const struct bad_case g_cases[] = {
    {"unknown PDU type", false, false, b_unknown_type, false},
    {"H2CData from the controller", false, false, b_h2c_from_ctrlr, false},
    {"wrong HLEN", false, false, b_wrong_hlen, false},
    {"CapsuleResp PLEN", false, false, b_bad_plen, false},
    {"bad header digest", true, false, b_bad_hdgst, false},
    {"bad data digest", true, true, b_bad_ddgst, false},
    {"C2HData beyond the buffer", false, false, b_c2h_beyond, false},
    {"C2HData for a write", false, false, b_c2h_to_write, false},
    {"C2HData PDO", false, false, b_c2h_bad_pdo, false},
    {"SUCCESS without LAST_PDU", false, false, b_success_not_last, false},
    {"unknown CID", false, false, b_unknown_cid, false},
    {"CapsuleResp after SUCCESS", false, false, b_resp_twice, false},
    {"R2T beyond the buffer", false, false, b_r2t_beyond, false},
    {"R2T for a read", false, false, b_r2t_for_read, false},
    {"second ICResp", false, false, b_icresp_again, false},
    {"C2HTermReq", true, true, b_term_req, false},
    {"C2HTermReq PLEN", false, false, b_term_req_too_long, false},
    {"closed mid-PDU", false, false, b_half_pdu, true},
    {"closed between PDUs", false, false, b_nothing, true},
};

static void run_case(const struct bad_case *c)
{
	static struct stream s;
	static uint8_t rd[RD_LEN], wr[WR_LEN];
	struct nvme_cmd rcmd = {.opc = NVME_OPC_READ, .nsid = 1};
	struct nvme_cmd wcmd = {.opc = NVME_OPC_WRITE, .nsid = 1};
	struct done d[2] = {{0, 0}, {0, 0}};
	uint16_t tte = NVME_STATUS_GENERIC(NVME_SC_TRANSIENT_TRANSPORT_ERROR);
	struct nvme_qpair *q;
	struct fx f;
	int rc;

	print_message("case: %s\n", c->name);
	fx_open_ready(&f, c->hd, c->dd, 4096);
	q = &f.tq->base;
	f.tq->icd_max = 1024;
	assert_int_equal(nvme_qpair_submit_raw(q, &rcmd, rd, RD_LEN, on_done, &d[0]), 0);
	assert_int_equal(nvme_qpair_submit_raw(q, &wcmd, wr, WR_LEN, on_done, &d[1]), 0);
	assert_int_equal(nvme_qpair_poll(q, 0), 0);
	stream_reset(&s, c->hd, c->dd);
	c->build(&s);
	peer_write(&f, s.buf, s.len);
	if (c->close_after)
		shutdown(f.peer, SHUT_WR);
	rc = nvme_qpair_poll(q, 0);
	if (rc >= 0) /* a completion may come first; the failure then follows */
		rc = nvme_qpair_poll(q, 0);
	assert_int_equal(rc, -ENXIO);
	assert_int_equal(d[0].calls, 1);
	assert_int_equal(d[1].calls, 1);
	assert_int_equal(d[1].status, tte);
	if (c->build != b_resp_twice)
		assert_int_equal(d[0].status, tte);
	assert_int_equal(nvme_qpair_outstanding(q), 0);
	assert_int_equal(nvme_qpair_submit_raw(q, &rcmd, rd, RD_LEN, on_done, &d[0]), -ENXIO);
	assert_int_equal(nvme_qpair_poll(q, 0), -ENXIO);
	assert_int_equal(d[0].calls, 1);
	assert_int_equal(d[1].calls, 1);
	fx_close(&f);
}

static void test_bad_input(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(g_cases); i++)
		run_case(&g_cases[i]);
}

static void bad_icresp(void (*mutate)(struct nvme_tcp_icresp *ic), bool hd)
{
	struct nvme_tcp_icresp ic = {.ch.pdu_type = NVME_TCP_PDU_ICRESP};
	struct nvme_tcp_icreq req;
	struct fx f;

	ic.ch.hlen = 128;
	ic.ch.plen = 128;
	ic.maxh2cdata = 8192;
	mutate(&ic);
	fx_open(&f, hd, false);
	assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), 0);
	assert_int_equal(peer_read(&f, &req, sizeof(req)), 0);
	peer_write(&f, &ic, sizeof(ic));
	assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), -ENXIO);
	assert_true(f.tq->base.failed);
	assert_int_not_equal(f.tq->state, NVME_TCP_Q_READY);
	fx_close(&f);
}

static void m_pfv(struct nvme_tcp_icresp *ic)
{
	ic->pfv = 1;
}
static void m_maxh2c_small(struct nvme_tcp_icresp *ic)
{
	ic->maxh2cdata = 1000;
}
static void m_maxh2c_unaligned(struct nvme_tcp_icresp *ic)
{
	ic->maxh2cdata = 8190;
}
static void m_cpda(struct nvme_tcp_icresp *ic)
{
	ic->cpda = 32;
}
static void m_dgst_not_asked(struct nvme_tcp_icresp *ic)
{
	ic->dgst = NVME_TCP_DGST_DDGST_ENABLE;
}
static void m_plen(struct nvme_tcp_icresp *ic)
{
	ic->ch.plen = 132;
}
static void m_capsule_resp_first(struct nvme_tcp_icresp *ic)
{
	ic->ch.pdu_type = NVME_TCP_PDU_CAPSULE_RESP;
}

static void test_bad_icresp(void **state)
{
	(void)state;
	bad_icresp(m_pfv, false);
	bad_icresp(m_maxh2c_small, false);
	bad_icresp(m_maxh2c_unaligned, false);
	bad_icresp(m_cpda, false);
	bad_icresp(m_dgst_not_asked, true);
	bad_icresp(m_plen, false);
	bad_icresp(m_capsule_resp_first, false);
}

/* The qpair does not outlive a peer that never answers: no ICResp, no hang. */
static void test_peer_gone_before_icresp(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f, false, false);
	close(f.peer);
	f.peer = -1;
	assert_int_equal(nvme_tcp_poll(&f.tq->base, 0), -ENXIO);
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_bad_icresp),
	    cmocka_unit_test(test_peer_gone_before_icresp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
