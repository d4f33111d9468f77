/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_parse_test.c - NVMe/RDMA checks that need no device: the RDMA CM
 * connect request private data (each reject status), the accept / reject
 * private data, and the SGL of a command capsule (keyed, invalidate,
 * in-capsule, refused descriptor types and lengths).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transport/rdma/rdma_internal.h"

static struct nvmf_transport_opts opts;

static int setup(void **state)
{
	(void)state;
	nvmf_transport_opts_init(&opts, NVMF_TRTYPE_RDMA);
	opts.max_queue_depth = 128;
	opts.max_aq_depth = 32;
	opts.max_qpairs_per_ctrlr = 8;
	return 0;
}

static struct nvmf_rdma_request_private_data creq(uint16_t qid, uint16_t hsqsize, uint16_t hrqsize)
{
	struct nvmf_rdma_request_private_data r;

	memset(&r, 0, sizeof(r));
	r.qid = qid;
	r.hsqsize = hsqsize;
	r.hrqsize = hrqsize;
	r.cntlid = 0xFFFF;
	return r;
}

static uint16_t check(const struct nvmf_rdma_request_private_data *r, uint8_t len,
		      struct nvmf_rdma_cm_params *p)
{
	return nvmf_rdma_cm_req_check(r, len, &opts, p);
}

static void test_cm_admin_ok(void **state)
{
	struct nvmf_rdma_request_private_data r = creq(0, 31, 32);
	struct nvmf_rdma_cm_params p;

	(void)state;
	assert_int_equal(check(&r, sizeof(r), &p), 0);
	assert_int_equal(p.qid, 0);
	assert_int_equal(p.depth, 32);
	assert_int_equal(p.hrqsize, 32);
	assert_int_equal(p.cntlid, 0xFFFF);
}

static void test_cm_io_ok_and_longer_data(void **state)
{
	uint8_t buf[56] = {0};
	struct nvmf_rdma_request_private_data r = creq(7, 127, 128);
	struct nvmf_rdma_cm_params p;

	(void)state;
	/* The CM may deliver more private data than the 32 bytes sent. */
	memcpy(buf, &r, sizeof(r));
	assert_int_equal(nvmf_rdma_cm_req_check(buf, sizeof(buf), &opts, &p), 0);
	assert_int_equal(p.qid, 7);
	assert_int_equal(p.depth, 128);
}

static void test_cm_short(void **state)
{
	struct nvmf_rdma_request_private_data r = creq(1, 31, 32);
	struct nvmf_rdma_cm_params p;

	(void)state;
	assert_int_equal(check(&r, 31, &p), NVMF_RDMA_REJECT_INVALID_PRIVATE_DATA_LENGTH);
	assert_int_equal(check(&r, 0, &p), NVMF_RDMA_REJECT_INVALID_PRIVATE_DATA_LENGTH);
	assert_int_equal(nvmf_rdma_cm_req_check(NULL, 32, &opts, &p),
			 NVMF_RDMA_REJECT_INVALID_PRIVATE_DATA_LENGTH);
}

static void test_cm_recfmt(void **state)
{
	struct nvmf_rdma_request_private_data r = creq(1, 31, 32);
	struct nvmf_rdma_cm_params p;

	(void)state;
	r.recfmt = 1;
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_RECFMT);
}

static void test_cm_qid(void **state)
{
	struct nvmf_rdma_request_private_data r = creq(8, 31, 32);
	struct nvmf_rdma_cm_params p;

	(void)state;
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_QID);
	r.qid = 0xFFFF;
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_QID);
}

static void test_cm_hsqsize(void **state)
{
	struct nvmf_rdma_request_private_data r;
	struct nvmf_rdma_cm_params p;

	(void)state;
	r = creq(0, 32, 33); /* 33 entries > MaxAdminQueueDepth 32 */
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_HSQSIZE);
	r = creq(1, 128, 129); /* 129 entries > MaxQueueDepth 128 */
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_HSQSIZE);
	r = creq(1, 0, 1); /* one entry: a queue needs two */
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_HSQSIZE);
	r = creq(1, 0xFFFF, 1); /* no wrap to zero */
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_HSQSIZE);
}

static void test_cm_hrqsize(void **state)
{
	struct nvmf_rdma_request_private_data r = creq(1, 31, 0);
	struct nvmf_rdma_cm_params p;

	(void)state;
	assert_int_equal(check(&r, sizeof(r), &p), NVMF_RDMA_REJECT_INVALID_HRQSIZE);
}

static void test_cm_accept_reject_data(void **state)
{
	struct nvmf_rdma_accept_private_data acc;
	struct nvmf_rdma_reject_private_data rej;
	uint8_t raw[32];

	(void)state;
	memset(&acc, 0xAA, sizeof(acc));
	nvmf_rdma_cm_accept_data(&acc, 128);
	memcpy(raw, &acc, sizeof(acc));
	assert_int_equal(raw[0] | raw[1] << 8, 0);   /* RECFMT */
	assert_int_equal(raw[2] | raw[3] << 8, 128); /* CRQSIZE */
	for (size_t i = 4; i < sizeof(raw); i++)
		assert_int_equal(raw[i], 0);
	memset(&rej, 0xAA, sizeof(rej));
	nvmf_rdma_cm_reject_data(&rej, NVMF_RDMA_REJECT_INVALID_HSQSIZE);
	memcpy(raw, &rej, sizeof(rej));
	assert_int_equal(raw[0] | raw[1] << 8, 0);
	assert_int_equal(raw[2] | raw[3] << 8, 4);
}

/* ------------------------------------------------------------------- SGL */

static struct nvme_cmd cmd_keyed(uint8_t opc, uint8_t sub, uint64_t addr, uint32_t len,
				 uint32_t key)
{
	struct nvme_cmd c;

	memset(&c, 0, sizeof(c));
	c.opc = opc;
	c.psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	nvme_sgl_set_keyed(&c.dptr.sgl1, sub, addr, len, key);
	return c;
}

static struct nvme_cmd cmd_unkeyed(uint8_t opc, uint8_t type, uint8_t sub, uint64_t addr,
				   uint32_t len)
{
	struct nvme_cmd c;

	memset(&c, 0, sizeof(c));
	c.opc = opc;
	c.psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	nvme_sgl_set_unkeyed(&c.dptr.sgl1, type, sub, addr, len);
	return c;
}

static void test_sgl_keyed_read(void **state)
{
	struct nvme_cmd c = cmd_keyed(NVME_OPC_READ, NVME_SGL_SUBTYPE_ADDRESS, 0x123456789000ull,
				      131072, 0xABCDEF01);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s), NVME_SC_SUCCESS);
	assert_int_equal(s.xfer, NVMF_XFER_C2H);
	assert_int_equal(s.kind, NVMF_RDMA_DATA_KEYED);
	assert_int_equal(s.length, 131072);
	assert_true(s.addr == 0x123456789000ull);
	assert_int_equal(s.key, 0xABCDEF01);
	assert_false(s.invalidate);
}

static void test_sgl_keyed_write_invalidate(void **state)
{
	struct nvme_cmd c =
	    cmd_keyed(NVME_OPC_WRITE, NVME_SGL_SUBTYPE_INVALIDATE_KEY, 0x1000, 4096, 0x77);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s), NVME_SC_SUCCESS);
	assert_int_equal(s.xfer, NVMF_XFER_H2C);
	assert_int_equal(s.kind, NVMF_RDMA_DATA_KEYED);
	assert_true(s.invalidate);
	assert_int_equal(s.key, 0x77);
}

static void test_sgl_keyed_too_long(void **state)
{
	struct nvme_cmd c = cmd_keyed(NVME_OPC_WRITE, 0, 0x1000, (1 << 20) + 512, 1);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s), NVME_SC_DATA_SGL_LENGTH_INVALID);
	/* Keyed data plus in-capsule bytes: which one is meant? */
	c = cmd_keyed(NVME_OPC_WRITE, 0, 0x1000, 512, 1);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 512, 1 << 20, &s),
			 NVME_SC_DATA_SGL_LENGTH_INVALID);
}

static void test_sgl_keyed_bad_subtype(void **state)
{
	struct nvme_cmd c = cmd_keyed(NVME_OPC_WRITE, NVME_SGL_SUBTYPE_OFFSET, 0x1000, 512, 1);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s),
			 NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID);
}

static void test_sgl_incapsule(void **state)
{
	struct nvme_cmd c =
	    cmd_unkeyed(NVME_OPC_WRITE, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET, 0, 4096);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 4096, 1 << 20, &s), NVME_SC_SUCCESS);
	assert_int_equal(s.kind, NVMF_RDMA_DATA_INCAPSULE);
	assert_int_equal(s.xfer, NVMF_XFER_H2C);
	assert_int_equal(s.length, 4096);
	assert_true(s.addr == 0);
	/* An offset into the in-capsule data. */
	c = cmd_unkeyed(NVME_OPC_WRITE, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET, 512,
			1024);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 2048, 1 << 20, &s), NVME_SC_SUCCESS);
	assert_true(s.addr == 512);
}

static void test_sgl_incapsule_bounds(void **state)
{
	struct nvme_cmd c =
	    cmd_unkeyed(NVME_OPC_WRITE, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET, 0, 4096);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 2048, 1 << 20, &s),
			 NVME_SC_DATA_SGL_LENGTH_INVALID);
	c = cmd_unkeyed(NVME_OPC_WRITE, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET, 4097, 1);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 4096, 1 << 20, &s), NVME_SC_INVALID_SGL_OFFSET);
	c = cmd_unkeyed(NVME_OPC_WRITE, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET,
			0xFFFFFFFFFFFFF000ull, 4096);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 4096, 1 << 20, &s), NVME_SC_INVALID_SGL_OFFSET);
	/* Controller-to-host data cannot be in the capsule. */
	c = cmd_unkeyed(NVME_OPC_READ, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET, 0, 512);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 512, 1 << 20, &s),
			 NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID);
	/* A data block with the address subtype is host memory: not for RDMA. */
	c = cmd_unkeyed(NVME_OPC_WRITE, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_ADDRESS, 0, 512);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 512, 1 << 20, &s),
			 NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID);
}

static void test_sgl_segments_refused(void **state)
{
	struct nvme_cmd c =
	    cmd_unkeyed(NVME_OPC_WRITE, NVME_SGL_TYPE_LAST_SEGMENT, NVME_SGL_SUBTYPE_OFFSET, 0, 32);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 32, 1 << 20, &s),
			 NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID);
	c = cmd_unkeyed(NVME_OPC_READ, NVME_SGL_TYPE_SEGMENT, NVME_SGL_SUBTYPE_ADDRESS, 0, 32);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s),
			 NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID);
	c = cmd_unkeyed(NVME_OPC_READ, NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK,
			NVME_SGL_SUBTYPE_TRANSPORT, 0, 512);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s),
			 NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID);
}

static void test_sgl_no_data(void **state)
{
	/* What hosts send for Flush: a keyed block of length 0. */
	struct nvme_cmd c = cmd_keyed(NVME_OPC_FLUSH, 0, 0, 0, 0);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s), NVME_SC_SUCCESS);
	assert_int_equal(s.xfer, NVMF_XFER_NONE);
	assert_int_equal(s.kind, NVMF_RDMA_DATA_NONE);
	assert_int_equal(s.length, 0);
	/* A read of length 0 moves nothing either. */
	c = cmd_keyed(NVME_OPC_READ, 0, 0x1000, 0, 5);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s), NVME_SC_SUCCESS);
	assert_int_equal(s.xfer, NVMF_XFER_NONE);
	/* Bidirectional opcodes (bits 1:0 = 11b) are not supported. */
	c = cmd_keyed(0x03, 0, 0x1000, 512, 5);
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s), NVME_SC_INVALID_FIELD);
}

static void test_sgl_fabrics_connect(void **state)
{
	/* Connect: opcode 7Fh, fctype 01h (host to controller) in byte 4. */
	struct nvme_cmd c = cmd_keyed(NVME_OPC_FABRICS, 0, 0x2000, 1024, 9);
	struct nvmf_rdma_sgl_info s;

	(void)state;
	c.nsid = NVMF_FCTYPE_CONNECT;
	assert_int_equal(nvmf_rdma_sgl_parse(&c, 0, 1 << 20, &s), NVME_SC_SUCCESS);
	assert_int_equal(s.xfer, NVMF_XFER_H2C);
	assert_int_equal(s.kind, NVMF_RDMA_DATA_KEYED);
	assert_int_equal(s.length, 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_cm_admin_ok, setup),
	    cmocka_unit_test_setup(test_cm_io_ok_and_longer_data, setup),
	    cmocka_unit_test_setup(test_cm_short, setup),
	    cmocka_unit_test_setup(test_cm_recfmt, setup),
	    cmocka_unit_test_setup(test_cm_qid, setup),
	    cmocka_unit_test_setup(test_cm_hsqsize, setup),
	    cmocka_unit_test_setup(test_cm_hrqsize, setup),
	    cmocka_unit_test_setup(test_cm_accept_reject_data, setup),
	    cmocka_unit_test(test_sgl_keyed_read),
	    cmocka_unit_test(test_sgl_keyed_write_invalidate),
	    cmocka_unit_test(test_sgl_keyed_too_long),
	    cmocka_unit_test(test_sgl_keyed_bad_subtype),
	    cmocka_unit_test(test_sgl_incapsule),
	    cmocka_unit_test(test_sgl_incapsule_bounds),
	    cmocka_unit_test(test_sgl_segments_refused),
	    cmocka_unit_test(test_sgl_no_data),
	    cmocka_unit_test(test_sgl_fabrics_connect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
