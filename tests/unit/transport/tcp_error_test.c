/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_error_test.c - bad input to the NVMe/TCP receiver: each case gets the
 * spec's answer (a C2HTermReq with the right FES/FEI and a close, or a
 * command status with the connection kept), executes nothing, and leaks
 * nothing.
 */
#include "tests/unit/transport/tcp_harness.h"

#define OPC_WRITE 0x01
#define OPC_READ 0x02
#define OPC_FLUSH 0x00
#define DG_BOTH (NVME_TCP_DGST_HDGST_ENABLE | NVME_TCP_DGST_DDGST_ENABLE)

/* A test that runs once per case of a table, named after the case. */
#define CASE_TEST(name, fn, c)                                                                     \
	{                                                                                          \
		name, fn, NULL, NULL, (void *)(c)                                                  \
	}

static uint8_t data[20480];
static uint8_t pdu[40960];

/* A good command still works on @h. */
static void still_works(struct harness *h, uint16_t cid)
{
	h_send(h, pdu, h_capsule(h, pdu, OPC_WRITE, cid, data, 512));
	h_expect_resp(h, cid, 0);
	assert_int_equal(h->last_cid, cid);
}

/* The answer is a C2HTermReq @fes / @fei and a close; nothing ran. */
static void expect_term_end(struct harness *h, uint16_t fes, uint32_t fei)
{
	h_expect_term(h, fes, fei);
	assert_int_equal(h->nexec, 0);
	h_teardown(h);
}

/* The answer is status @st for @cid; nothing ran and the connection serves on. */
static void expect_status_end(struct harness *h, uint16_t cid, uint16_t st)
{
	h_expect_resp(h, cid, st);
	assert_int_equal(h->nexec, 0);
	still_works(h, (uint16_t)(cid + 1));
	h_teardown(h);
}

/* ------------------------------------------- a Flush capsule with one bad byte */

struct bad_byte {
	uint8_t dgst;  /* digests negotiated */
	uint32_t at;   /* offset of the byte changed */
	uint8_t value; /* its new value, when flip is 0 */
	uint8_t flip;  /* bits flipped instead */
	uint16_t fes;
	uint32_t fei;
};

static struct bad_byte g_wrong_hlen = {0, 2, 70, 0, NVME_TCP_FES_INVALID_HEADER_FIELD, 2};
static struct bad_byte g_unknown_type = {0, 0, 0x08, 0, NVME_TCP_FES_INVALID_HEADER_FIELD, 0};
/* A PDU the controller sends (CapsuleResp) is not one a host may send. */
static struct bad_byte g_controller_type = {
    0, 0, NVME_TCP_PDU_CAPSULE_RESP, 0, NVME_TCP_FES_INVALID_HEADER_FIELD, 0};
/* PLEN 60, below the header's 72 bytes (which are sent). */
static struct bad_byte g_plen_below_hlen = {0, 4, 60, 0, NVME_TCP_FES_INVALID_HEADER_FIELD, 4};
static struct bad_byte g_bad_header_digest = {
    DG_BOTH, 72, 0, 0x5a, NVME_TCP_FES_HEADER_DIGEST_ERROR, 0};

static void test_bad_byte(void **state)
{
	const struct bad_byte *c = *state;
	struct harness h;
	size_t n;

	h_start(&h, c->dgst);
	n = h_capsule(&h, pdu, OPC_FLUSH, 1, NULL, 0);
	pdu[c->at] = c->flip != 0 ? (uint8_t)(pdu[c->at] ^ c->flip) : c->value;
	h_send(&h, pdu, n);
	expect_term_end(&h, c->fes, c->fei);
}

/* ------------------------------------------------------------ PDU sequence */

static void test_capsule_before_icreq(void **state)
{
	struct harness h;

	(void)state;
	h_setup(&h);
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_FLUSH, 1, NULL, 0));
	expect_term_end(&h, NVME_TCP_FES_PDU_SEQUENCE_ERROR, 0);
}

static void test_second_icreq(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h, 0);
	h_send(&h, pdu, h_icreq(pdu, 0, 0));
	expect_term_end(&h, NVME_TCP_FES_PDU_SEQUENCE_ERROR, 0);
}

static void test_bad_pfv(void **state)
{
	struct harness h;

	(void)state;
	h_setup(&h);
	h_icreq(pdu, 0, 0);
	pdu[8] = 1;
	h_send(&h, pdu, 128);
	expect_term_end(&h, NVME_TCP_FES_UNSUPPORTED_PARAMETER, 8);
}

/* ---------------------------------------------------------------- data */

/* In-capsule data over what the queue accepts (8192 on the admin queue). */
static void test_icd_over_limit(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h, 0);
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_WRITE, 1, data, 12288));
	expect_term_end(&h, NVME_TCP_FES_DATA_LIMIT_EXCEEDED, 4);
}

/* More in-capsule data than the SGL announces: Data SGL Length Invalid. */
static void test_icd_longer_than_sgl(void **state)
{
	struct harness h;
	struct nvme_tcp_cmd *cmd = (struct nvme_tcp_cmd *)pdu;
	size_t n;

	(void)state;
	h_start(&h, 0);
	n = h_capsule(&h, pdu, OPC_WRITE, 1, data, 4096);
	cmd->ccsqe.dptr.sgl1.unkeyed.length = 512;
	h_send(&h, pdu, n);
	expect_status_end(&h, 1, NVME_STATUS_GENERIC(NVME_SC_DATA_SGL_LENGTH_INVALID));
}

/* A data digest error is not fatal: Transient Transport Error, no exec. */
static void test_bad_data_digest_capsule(void **state)
{
	struct harness h;
	size_t n;

	(void)state;
	h_start(&h, DG_BOTH);
	n = h_capsule(&h, pdu, OPC_WRITE, 1, data, 1024);
	pdu[n - 1] ^= 0xff;
	h_send(&h, pdu, n);
	expect_status_end(&h, 1, NVME_STATUS_GENERIC(NVME_SC_TRANSIENT_TRANSPORT_ERROR));
}

static void test_bad_data_digest_h2c(void **state)
{
	struct harness h;
	uint16_t ttag;
	size_t n;

	(void)state;
	h_start(&h, DG_BOTH);
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_WRITE, 1, NULL, 16384));
	ttag = h_expect_r2t(&h, 1, 0, 16384);
	n = h_h2c(&h, pdu, 1, ttag, 0, data, 16384);
	pdu[40] ^= 1;
	h_send(&h, pdu, n);
	expect_status_end(&h, 1, NVME_STATUS_GENERIC(NVME_SC_TRANSIENT_TRANSPORT_ERROR));
}

/* H2CData must match its R2T: tag, command id, offset, length. */
enum h2c_field { H2C_TTAG, H2C_CCCID, H2C_DATAO, H2C_DATAL };

struct h2c_mismatch {
	enum h2c_field field;
	uint16_t fes;
	uint32_t fei;
};

static struct h2c_mismatch g_h2c_ttag = {H2C_TTAG, NVME_TCP_FES_INVALID_HEADER_FIELD, 10};
static struct h2c_mismatch g_h2c_cccid = {H2C_CCCID, NVME_TCP_FES_INVALID_HEADER_FIELD, 8};
static struct h2c_mismatch g_h2c_datao = {H2C_DATAO, NVME_TCP_FES_DATA_OUT_OF_RANGE, 12};
static struct h2c_mismatch g_h2c_datal = {H2C_DATAL, NVME_TCP_FES_DATA_OUT_OF_RANGE, 16};

static void test_h2c_mismatch(void **state)
{
	const struct h2c_mismatch *c = *state;
	struct harness h;
	uint16_t ttag;
	size_t n = 0;

	h_start(&h, 0);
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_WRITE, 7, NULL, 16384));
	ttag = h_expect_r2t(&h, 7, 0, 16384);
	switch (c->field) {
	case H2C_TTAG:
		n = h_h2c(&h, pdu, 7, (uint16_t)(ttag + 1), 0, data, 4096);
		break;
	case H2C_CCCID:
		n = h_h2c(&h, pdu, 8, ttag, 0, data, 4096);
		break;
	case H2C_DATAO:
		n = h_h2c(&h, pdu, 7, ttag, 4096, data, 4096);
		break;
	case H2C_DATAL:
		n = h_h2c(&h, pdu, 7, ttag, 0, data, 16384 + 4);
		break;
	}
	h_send(&h, pdu, n);
	expect_term_end(&h, c->fes, c->fei);
}

/* H2CData with no R2T outstanding at all. */
static void test_h2c_unsolicited(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h, 0);
	h_send(&h, pdu, h_h2c(&h, pdu, 1, 0, 0, data, 512));
	expect_term_end(&h, NVME_TCP_FES_INVALID_HEADER_FIELD, 10);
}

static void test_transfer_over_mdts(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h, 0);
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_READ, 3, NULL, 65536 + 512));
	expect_status_end(&h, 3, NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD));
}

static void test_bidirectional_rejected(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h, 0);
	h_send(&h, pdu, h_capsule(&h, pdu, 0x83, 3, NULL, 4096));
	expect_status_end(&h, 3, NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD));
}

/* ------------------------------------------------------------- the end */

/* H2CTermReq from the host: the connection closes, no TermReq back. */
static void test_host_term_req(void **state)
{
	struct harness h;
	struct nvme_tcp_term_req_hdr *t = (struct nvme_tcp_term_req_hdr *)pdu;

	(void)state;
	h_start(&h, 0);
	memset(t, 0, sizeof(*t));
	t->ch.pdu_type = NVME_TCP_PDU_H2C_TERM_REQ;
	t->ch.hlen = 24;
	t->ch.plen = 24;
	t->fes = NVME_TCP_FES_PDU_SEQUENCE_ERROR;
	h_send(&h, pdu, 24);
	assert_true(h_eof(&h));
	h_poll(&h, 2);
	assert_int_equal(h.closed, 1);
	h_teardown(&h);
}

/* The peer goes away mid-PDU with an R2T transfer and a read in flight:
 * qpair_closed once, every buffer back in the pool (checked in teardown). */
static void test_peer_reset_mid_pdu(void **state)
{
	struct harness h;
	uint16_t ttag;
	size_t n;

	(void)state;
	h_start(&h, 0);
	h.hold = true;
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_READ, 1, NULL, 32768));
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_WRITE, 2, NULL, 16384));
	ttag = h_expect_r2t(&h, 2, 0, 16384);
	n = h_h2c(&h, pdu, 2, ttag, 0, data, 16384);
	h_send(&h, pdu, n / 2);
	h_poll(&h, 2);
	close(h.host);
	h.host = -1;
	h_poll(&h, 3);
	assert_int_equal(h.closed, 1);
	assert_int_equal(h.nheld, 1);
	/* The core's read completes after the close: only recycled. */
	h_teardown(&h);
}

/* Abort of a write waiting for its data: the window's data is taken, the
 * command fails with Command Abort Requested and never reaches the core. */
static void test_abort_waiting_for_data(void **state)
{
	static uint8_t data[16384], pdu[16384 + 128];
	struct harness h;
	uint16_t ttag;
	int nexec;

	(void)state;
	h_start(&h, 0);
	nexec = h.nexec;
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_WRITE, 5, NULL, sizeof(data)));
	ttag = h_expect_r2t(&h, 5, 0, sizeof(data));
	assert_false(h.ops->req_abort(&h.c->base, 6));
	assert_true(h.ops->req_abort(&h.c->base, 5));
	assert_false(h.ops->req_abort(&h.c->base, 5)); /* once */
	h_send(&h, pdu, h_h2c(&h, pdu, 5, ttag, 0, data, sizeof(data)));
	h_expect_resp(&h, 5, NVME_STATUS_GENERIC(NVME_SC_ABORTED_BY_REQUEST));
	assert_int_equal(h.nexec, nexec); /* never reached the core */
	/* The slot serves the next command. */
	h_send(&h, pdu, h_capsule(&h, pdu, OPC_WRITE, 5, NULL, sizeof(data)));
	ttag = h_expect_r2t(&h, 5, 0, sizeof(data));
	h_send(&h, pdu, h_h2c(&h, pdu, 5, ttag, 0, data, sizeof(data)));
	h_expect_resp(&h, 5, 0);
	assert_int_equal(h.nexec, nexec + 1);
	h_teardown(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    CASE_TEST("test_wrong_hlen", test_bad_byte, &g_wrong_hlen),
	    CASE_TEST("test_unknown_type", test_bad_byte, &g_unknown_type),
	    CASE_TEST("test_controller_type_from_host", test_bad_byte, &g_controller_type),
	    cmocka_unit_test(test_capsule_before_icreq),
	    cmocka_unit_test(test_second_icreq),
	    cmocka_unit_test(test_bad_pfv),
	    CASE_TEST("test_plen_below_hlen", test_bad_byte, &g_plen_below_hlen),
	    cmocka_unit_test(test_icd_over_limit),
	    cmocka_unit_test(test_icd_longer_than_sgl),
	    CASE_TEST("test_bad_header_digest", test_bad_byte, &g_bad_header_digest),
	    cmocka_unit_test(test_bad_data_digest_capsule),
	    cmocka_unit_test(test_bad_data_digest_h2c),
	    CASE_TEST("test_h2c_wrong_ttag", test_h2c_mismatch, &g_h2c_ttag),
	    CASE_TEST("test_h2c_wrong_cccid", test_h2c_mismatch, &g_h2c_cccid),
	    CASE_TEST("test_h2c_wrong_offset", test_h2c_mismatch, &g_h2c_datao),
	    CASE_TEST("test_h2c_too_long", test_h2c_mismatch, &g_h2c_datal),
	    cmocka_unit_test(test_h2c_unsolicited),
	    cmocka_unit_test(test_transfer_over_mdts),
	    cmocka_unit_test(test_bidirectional_rejected),
	    cmocka_unit_test(test_host_term_req),
	    cmocka_unit_test(test_peer_reset_mid_pdu),
	    cmocka_unit_test(test_abort_waiting_for_data),
	};

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 3);
	log_set_level(getenv("TCP_TEST_LOG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
