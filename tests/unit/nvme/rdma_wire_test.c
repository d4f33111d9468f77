/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_wire_test.c - NVMe/RDMA host wire pieces, checked byte by byte: the
 * CM connect request private data of admin and I/O queues, the reject
 * private data (NVMe/RDMA statuses, foreign and short data), the SGL
 * descriptors of commands (none, keyed, in-capsule) and the in-capsule
 * data limit derived from IOCCSZ.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nvme/rdma/rdma_internal.h"

static void test_cm_req_admin(void **state)
{
	static const uint8_t want[32] = {0x00, 0x00, 0x00, 0x00, 0x20,
					 0x00, 0x1f, 0x00, 0xff, 0xff};
	struct nvmf_rdma_request_private_data pd;

	(void)state;
	memset(&pd, 0xA5, sizeof(pd));
	/* The admin queue asks for a dynamic controller whatever it is given. */
	nvme_rdma_cm_req_data(&pd, 0, 32, 0x1234);
	assert_memory_equal(&pd, want, sizeof(want));
}

static void test_cm_req_io(void **state)
{
	static const uint8_t want[32] = {0x00, 0x00, 0x03, 0x00, 0x80,
					 0x00, 0x7f, 0x00, 0x02, 0x01};
	struct nvmf_rdma_request_private_data pd;

	(void)state;
	memset(&pd, 0x5A, sizeof(pd));
	nvme_rdma_cm_req_data(&pd, 3, 128, 0x0102);
	assert_memory_equal(&pd, want, sizeof(want));
}

static void test_cm_req_large_queue(void **state)
{
	struct nvmf_rdma_request_private_data pd;
	const uint8_t *b = (const uint8_t *)&pd;

	(void)state;
	nvme_rdma_cm_req_data(&pd, 65534, 1024, 7);
	assert_int_equal(b[2] | b[3] << 8, 65534);
	assert_int_equal(b[4] | b[5] << 8, 1024); /* HRQSIZE: 1-based */
	assert_int_equal(b[6] | b[7] << 8, 1023); /* HSQSIZE: 0-based, = SQSIZE */
	assert_int_equal(b[8] | b[9] << 8, 7);
}

static void test_reject_nvme_status(void **state)
{
	uint8_t bad_hsq[4] = {0x00, 0x00, 0x04, 0x00};
	uint8_t no_rsc[4] = {0x00, 0x00, 0x06, 0x00};
	uint8_t bad_cntlid[4] = {0x00, 0x00, 0x09, 0x00};
	uint16_t sts = 0xFFFF;

	(void)state;
	assert_int_equal(nvme_rdma_cm_reject_parse(bad_hsq, 4, &sts), -EPROTO);
	assert_int_equal(sts, NVMF_RDMA_REJECT_INVALID_HSQSIZE);
	assert_int_equal(nvme_rdma_cm_reject_parse(no_rsc, 4, &sts), -ECONNREFUSED);
	assert_int_equal(sts, NVMF_RDMA_REJECT_NO_RESOURCES);
	assert_int_equal(nvme_rdma_cm_reject_parse(bad_cntlid, 4, &sts), -EPROTO);
	assert_int_equal(sts, NVMF_RDMA_REJECT_INVALID_CNTLID);
}

static void test_reject_padded(void **state)
{
	/* InfiniBand CM pads reject private data to 148 bytes. */
	uint8_t pad[148] = {0x00, 0x00, 0x03, 0x00};
	uint16_t sts = 0;

	(void)state;
	memset(pad + 4, 0xEE, sizeof(pad) - 4);
	assert_int_equal(nvme_rdma_cm_reject_parse(pad, sizeof(pad), &sts), -EPROTO);
	assert_int_equal(sts, NVMF_RDMA_REJECT_INVALID_QID);
}

static void test_reject_not_nvme(void **state)
{
	uint8_t other_fmt[4] = {0x01, 0x00, 0x04, 0x00};
	uint8_t zero_sts[4] = {0};
	uint8_t short_data[3] = {0x00, 0x00, 0x04};
	uint16_t sts = 0xFFFF;

	(void)state;
	assert_int_equal(nvme_rdma_cm_reject_parse(NULL, 0, &sts), -ECONNREFUSED);
	assert_int_equal(sts, 0);
	sts = 0xFFFF;
	assert_int_equal(nvme_rdma_cm_reject_parse(short_data, 3, &sts), -ECONNREFUSED);
	assert_int_equal(sts, 0);
	sts = 0xFFFF;
	assert_int_equal(nvme_rdma_cm_reject_parse(other_fmt, 4, &sts), -ECONNREFUSED);
	assert_int_equal(sts, 0);
	sts = 0xFFFF;
	assert_int_equal(nvme_rdma_cm_reject_parse(zero_sts, 4, &sts), -ECONNREFUSED);
	assert_int_equal(sts, 0);
}

static void test_reject_str(void **state)
{
	(void)state;
	assert_string_equal(nvme_rdma_reject_str(NVMF_RDMA_REJECT_INVALID_HRQSIZE),
			    "invalid host receive queue size");
	assert_string_equal(nvme_rdma_reject_str(NVMF_RDMA_REJECT_NO_RESOURCES), "no resources");
	assert_string_equal(nvme_rdma_reject_str(0x77), "unknown status");
}

static struct nvme_cmd cmd_template(void)
{
	struct nvme_cmd c;

	memset(&c, 0, sizeof(c));
	c.opc = NVME_OPC_WRITE;
	c.cid = 0x0203;
	c.nsid = 1;
	c.dptr.prp.prp1 = 0xDEADBEEFDEADBEEFull; /* must be overwritten */
	c.dptr.prp.prp2 = 0xDEADBEEFDEADBEEFull;
	c.cdw10 = 0x11223344;
	return c;
}

static void assert_cmd_kept(const struct nvme_cmd *c)
{
	const uint8_t *b = (const uint8_t *)c;

	assert_int_equal(b[0], NVME_OPC_WRITE);
	assert_int_equal(b[1], 0x40); /* PSDT 01b: SGL, metadata pointer contiguous */
	assert_int_equal(b[2] | b[3] << 8, 0x0203);
	assert_int_equal(c->nsid, 1);
	assert_int_equal(c->cdw10, 0x11223344);
}

static void test_sgl_keyed(void **state)
{
	static const uint8_t want[16] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
					 0x56, 0x34, 0x12, 0xDD, 0xCC, 0xBB, 0xAA, 0x40};
	struct nvme_cmd c = cmd_template();

	(void)state;
	nvme_rdma_sgl_keyed(&c, 0x1122334455667788ull, 0x123456, 0xAABBCCDD);
	assert_memory_equal((const uint8_t *)&c + 24, want, 16);
	assert_cmd_kept(&c);
	assert_int_equal(nvme_sgl_type(&c.dptr.sgl1), NVME_SGL_TYPE_KEYED_DATA_BLOCK);
	assert_int_equal(nvme_sgl_subtype(&c.dptr.sgl1), NVME_SGL_SUBTYPE_ADDRESS);
}

static void test_sgl_keyed_max_len(void **state)
{
	static const uint8_t want[8] = {0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x00, 0x40};
	struct nvme_cmd c = cmd_template();

	(void)state;
	nvme_rdma_sgl_keyed(&c, 0x1000, NVME_SGL_KEYED_MAX_LEN, 1);
	assert_memory_equal((const uint8_t *)&c + 32, want, 8);
}

static void test_sgl_none(void **state)
{
	uint8_t want[16] = {0};
	struct nvme_cmd c = cmd_template();

	(void)state;
	want[15] = 0x40;
	nvme_rdma_sgl_none(&c);
	assert_memory_equal((const uint8_t *)&c + 24, want, 16);
	assert_cmd_kept(&c);
}

static void test_sgl_incapsule(void **state)
{
	static const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0x01};
	struct nvme_cmd c = cmd_template();

	(void)state;
	nvme_rdma_sgl_incapsule(&c, 4096);
	assert_memory_equal((const uint8_t *)&c + 24, want, 16);
	assert_cmd_kept(&c);
	assert_int_equal(nvme_sgl_type(&c.dptr.sgl1), NVME_SGL_TYPE_DATA_BLOCK);
	assert_int_equal(nvme_sgl_subtype(&c.dptr.sgl1), NVME_SGL_SUBTYPE_OFFSET);
}

static void test_icd_max(void **state)
{
	(void)state;
	assert_int_equal(nvme_rdma_icd_max(0, 260), 0); /* admin queue: never */
	assert_int_equal(nvme_rdma_icd_max(1, 0), 0);   /* not reported */
	assert_int_equal(nvme_rdma_icd_max(1, 4), 0);   /* SQE only */
	assert_int_equal(nvme_rdma_icd_max(1, 5), 16);  /* one unit of data */
	assert_int_equal(nvme_rdma_icd_max(2, 260), 4096);
	assert_int_equal(nvme_rdma_icd_max(2, 100000), NVME_RDMA_ICD_CAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cm_req_admin),       cmocka_unit_test(test_cm_req_io),
	    cmocka_unit_test(test_cm_req_large_queue), cmocka_unit_test(test_reject_nvme_status),
	    cmocka_unit_test(test_reject_padded),      cmocka_unit_test(test_reject_not_nvme),
	    cmocka_unit_test(test_reject_str),         cmocka_unit_test(test_sgl_keyed),
	    cmocka_unit_test(test_sgl_keyed_max_len),  cmocka_unit_test(test_sgl_none),
	    cmocka_unit_test(test_sgl_incapsule),      cmocka_unit_test(test_icd_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
