/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spec_test.c - run-time checks of the helpers in nvme_spec.h / nvmf_spec.h:
 * little-endian loads and stores, status packing, register fields, doorbell
 * offsets, 128-bit counters, SGL descriptor layout, Get Log Page dwords,
 * a command's data direction and the NVMe/TCP PDU rules.
 * Sizes and offsets are checked at compile time by the headers themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nvme_spec.h"
#include "nvmf_spec.h"

static void test_le_store_byte_order(void **state)
{
	uint8_t b[8];

	(void)state;
	nvme_put_le16(b, 0x1122);
	assert_int_equal(b[0], 0x22);
	assert_int_equal(b[1], 0x11);
	nvme_put_le32(b, 0x11223344);
	assert_int_equal(b[0], 0x44);
	assert_int_equal(b[3], 0x11);
	nvme_put_le64(b, 0x1122334455667788ull);
	assert_int_equal(b[0], 0x88);
	assert_int_equal(b[4], 0x44);
	assert_int_equal(b[7], 0x11);
}

static void test_le_roundtrip_unaligned(void **state)
{
	uint8_t buf[32];
	size_t off;

	(void)state;
	for (off = 1; off < 8; off++) {
		memset(buf, 0xEE, sizeof(buf));
		nvme_put_le16(buf + off, 0xBEEF);
		assert_int_equal(nvme_get_le16(buf + off), 0xBEEF);
		assert_int_equal(buf[off - 1], 0xEE);
		assert_int_equal(buf[off + 2], 0xEE);

		nvme_put_le32(buf + off, 0xDEADBEEFu);
		assert_int_equal(nvme_get_le32(buf + off), 0xDEADBEEFu);
		assert_int_equal(buf[off + 4], 0xEE);

		nvme_put_le64(buf + off, 0x0123456789ABCDEFull);
		assert_true(nvme_get_le64(buf + off) == 0x0123456789ABCDEFull);
		assert_int_equal(buf[off - 1], 0xEE);
		assert_int_equal(buf[off + 8], 0xEE);
	}
	/* loads agree with the structure view of a known byte image */
	const uint8_t img[4] = {0x01, 0x02, 0x03, 0x04};
	assert_int_equal(nvme_get_le32(img), 0x04030201u);
	assert_int_equal(nvme_from_le32(nvme_to_le32(0x04030201u)), 0x04030201u);
}

static void test_le128_add_carry(void **state)
{
	uint8_t raw[17];
	uint8_t *ctr = raw + 1; /* unaligned on purpose */

	(void)state;
	nvme_le128_set(ctr, UINT64_MAX - 1);
	nvme_le128_add(ctr, 5);
	assert_true(nvme_get_le64(ctr) == 3);
	assert_true(nvme_get_le64(ctr + 8) == 1);
	assert_true(nvme_le128_get_sat(ctr) == UINT64_MAX);

	nvme_le128_set(ctr, 10);
	nvme_le128_add(ctr, 32);
	assert_true(nvme_get_le64(ctr) == 42);
	assert_true(nvme_get_le64(ctr + 8) == 0);
	assert_true(nvme_le128_get_sat(ctr) == 42);

	/* full wrap at 2^128 */
	memset(ctr, 0xFF, 16);
	nvme_le128_add(ctr, 1);
	for (int i = 0; i < 16; i++)
		assert_int_equal(ctr[i], 0);
}

static void test_status_pack(void **state)
{
	uint16_t st =
	    NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS) |
	    NVME_STATUS_DNR;

	(void)state;
	assert_int_equal(st, 0x4182);
	assert_int_equal(nvme_status_sct(st), NVME_SCT_COMMAND_SPECIFIC);
	assert_int_equal(nvme_status_sc(st), 0x82);
	assert_true(nvme_status_dnr(st));
	assert_true(nvme_status_is_error(st));
	assert_false(nvme_status_is_error(NVME_STATUS_SUCCESS));
	assert_false(nvme_status_is_error(NVME_STATUS_DNR));
	assert_int_equal(NVME_STATUS_GENERIC(NVME_SC_INVALID_OPCODE), 0x0001);
	assert_int_equal(nvme_status_crd(NVME_STATUS_CRD(2) | st), 2);
}

static void test_status_into_cpl(void **state)
{
	struct nvme_cpl cpl;
	uint16_t st = NVME_STATUS(NVME_SCT_MEDIA_ERROR, NVME_SC_COMPARE_FAILURE) | NVME_STATUS_DNR;

	(void)state;
	memset(&cpl, 0, sizeof(cpl));
	nvme_cpl_set_phase(&cpl, 1);
	nvme_cpl_set_status(&cpl, st);
	assert_int_equal(nvme_cpl_phase(&cpl), 1);
	assert_int_equal(cpl.status.raw, (st << 1) | 1);
	assert_int_equal(cpl.status.bits.sc, NVME_SC_COMPARE_FAILURE);
	assert_int_equal(cpl.status.bits.sct, NVME_SCT_MEDIA_ERROR);
	assert_int_equal(cpl.status.bits.dnr, 1);
	assert_int_equal(cpl.status.bits.m, 0);
	assert_int_equal(nvme_cpl_get_status(&cpl), st);
	assert_true(nvme_cpl_is_error(&cpl));

	/* the wire bytes of the status field (bytes 14-15 of the CQE) */
	const uint8_t *b = (const uint8_t *)&cpl;
	assert_int_equal(nvme_get_le16(b + 14), (st << 1) | 1);

	nvme_cpl_set_phase(&cpl, 0);
	assert_int_equal(nvme_cpl_get_status(&cpl), st);
	nvme_cpl_set_status(&cpl, NVME_STATUS_SUCCESS);
	assert_false(nvme_cpl_is_error(&cpl));
	assert_int_equal(nvme_cpl_phase(&cpl), 0);
	assert_int_equal(cpl.status.raw, 0);
}

static void test_doorbell_offset(void **state)
{
	(void)state;
	assert_int_equal(nvme_doorbell_offset(0, false, 0), 0x1000);
	assert_int_equal(nvme_doorbell_offset(0, true, 0), 0x1004);
	assert_int_equal(nvme_doorbell_offset(1, false, 0), 0x1008);
	assert_int_equal(nvme_doorbell_offset(1, true, 0), 0x100C);
	assert_int_equal(nvme_doorbell_offset(3, true, 2), 0x1000 + 7 * 16);
	assert_int_equal(nvme_doorbell_offset(0xFFFE, false, 0), 0x1000 + 2 * 0xFFFE * 4);
}

static void test_cap_fields(void **state)
{
	/* MQES 1023, CQR, TO 30 (15 s), DSTRD 2, NVM command set, MPSMIN 0, MPSMAX 4 */
	uint64_t cap = 0x3FFull | 1ull << 16 | 30ull << 24 | 2ull << 32 | 1ull << 37 | 4ull << 52;

	(void)state;
	assert_true(cap == 0x004000221E0103FFull);
	assert_int_equal(NVME_REG_GET(cap, CAP_MQES), 1023);
	assert_int_equal(nvme_cap_max_queue_entries(cap), 1024);
	assert_int_equal(NVME_REG_GET(cap, CAP_CQR), 1);
	assert_int_equal(NVME_REG_GET(cap, CAP_AMS), 0);
	assert_int_equal(nvme_cap_timeout_ms(cap), 15000);
	assert_int_equal(nvme_cap_dstrd(cap), 2);
	assert_int_equal(NVME_REG_GET(cap, CAP_NSSRS), 0);
	assert_int_equal(NVME_REG_GET(cap, CAP_CSS), NVME_CAP_CSS_NVM);
	assert_int_equal(NVME_REG_GET(cap, CAP_MPSMIN), 0);
	assert_int_equal(NVME_REG_GET(cap, CAP_MPSMAX), 4);
	assert_true(nvme_cap_min_page_size(cap) == 4096);
	assert_true(nvme_cap_max_page_size(cap) == 65536);

	/* building it field by field gives the same value */
	uint64_t built = 0;
	built = NVME_REG_SET(built, CAP_MQES, 1023);
	built = NVME_REG_SET(built, CAP_CQR, 1);
	built = NVME_REG_SET(built, CAP_TO, 30);
	built = NVME_REG_SET(built, CAP_DSTRD, 2);
	built = NVME_REG_SET(built, CAP_CSS, NVME_CAP_CSS_NVM);
	built = NVME_REG_SET(built, CAP_MPSMAX, 4);
	assert_true(built == cap);
}

static void test_cc_csts_fields(void **state)
{
	uint32_t cc = 0;

	(void)state;
	cc = NVME_REG_SET(cc, CC_EN, 1);
	cc = NVME_REG_SET(cc, CC_IOSQES, NVME_SQES_LOG2);
	cc = NVME_REG_SET(cc, CC_IOCQES, NVME_CQES_LOG2);
	cc = NVME_REG_SET(cc, CC_SHN, NVME_CC_SHN_NORMAL);
	assert_int_equal(cc, 0x00464001);
	assert_int_equal(NVME_REG_GET(cc, CC_EN), 1);
	assert_int_equal(NVME_REG_GET(cc, CC_CSS), NVME_CC_CSS_NVM);
	assert_int_equal(NVME_REG_GET(cc, CC_SHN), NVME_CC_SHN_NORMAL);
	assert_int_equal(NVME_REG_GET(cc, CC_IOSQES), 6);
	assert_int_equal(NVME_REG_GET(cc, CC_IOCQES), 4);
	assert_int_equal(nvme_cc_page_size(cc), 4096);
	cc = NVME_REG_SET(cc, CC_MPS, 1);
	assert_int_equal(nvme_cc_page_size(cc), 8192);
	cc = NVME_REG_SET(cc, CC_EN, 0);
	assert_int_equal(NVME_REG_GET(cc, CC_EN), 0);
	assert_int_equal(NVME_REG_GET(cc, CC_MPS), 1);

	uint32_t csts = 0x9; /* RDY, SHST = 10b complete */
	assert_int_equal(NVME_REG_GET(csts, CSTS_RDY), 1);
	assert_int_equal(NVME_REG_GET(csts, CSTS_CFS), 0);
	assert_int_equal(NVME_REG_GET(csts, CSTS_SHST), NVME_CSTS_SHST_COMPLETE);

	uint32_t aqa = NVME_REG_SET(NVME_REG_SET(0u, AQA_ASQS, 31), AQA_ACQS, 63);
	assert_int_equal(aqa, 0x003F001F);

	uint32_t vs = NVME_VS(1, 4, 0);
	assert_int_equal(vs, 0x00010400);
	assert_int_equal(NVME_REG_GET(vs, VS_MJR), 1);
	assert_int_equal(NVME_REG_GET(vs, VS_MNR), 4);
}

static void test_sgl_layout(void **state)
{
	struct nvme_sgl_desc d;
	const uint8_t *b = (const uint8_t *)&d;

	(void)state;
	nvme_sgl_set_keyed(&d, NVME_SGL_SUBTYPE_INVALIDATE_KEY, 0x1122334455667788ull, 0x123456,
			   0xAABBCCDDu);
	assert_true(nvme_get_le64(b) == 0x1122334455667788ull);
	assert_int_equal(b[8], 0x56);
	assert_int_equal(b[9], 0x34);
	assert_int_equal(b[10], 0x12);
	assert_int_equal(nvme_get_le32(b + 11), 0xAABBCCDDu);
	assert_int_equal(b[15], 0x4F);
	assert_int_equal(nvme_sgl_type(&d), NVME_SGL_TYPE_KEYED_DATA_BLOCK);
	assert_int_equal(nvme_sgl_subtype(&d), NVME_SGL_SUBTYPE_INVALIDATE_KEY);

	nvme_sgl_set_unkeyed(&d, NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK, NVME_SGL_SUBTYPE_TRANSPORT, 0,
			     8192);
	assert_int_equal(nvme_get_le32(b + 8), 8192);
	assert_int_equal(b[15], 0x5A);
	assert_int_equal(d.unkeyed.length, 8192);
}

static void test_cmd_fields(void **state)
{
	struct nvme_cmd cmd;

	(void)state;
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_WRITE;
	cmd.psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	cmd.fuse = NVME_FUSE_SECOND;
	assert_int_equal(((const uint8_t *)&cmd)[1], 0x42);
	assert_int_equal(nvme_opc_data_transfer(cmd.opc), NVME_DATA_HOST_TO_CONTROLLER);
	assert_int_equal(nvme_opc_data_transfer(NVME_OPC_READ), NVME_DATA_CONTROLLER_TO_HOST);

	nvme_cmd_set_lba_range(&cmd, 0x100000002ull, 65536);
	assert_true(nvme_cmd_slba(&cmd) == 0x100000002ull);
	assert_int_equal(nvme_cmd_nlb(&cmd), 65536);
	assert_int_equal(cmd.cdw12 & NVME_RW_NLB_MASK, 0xFFFF);

	nvme_glp_set(&cmd, NVME_LOG_HEALTH_INFORMATION, 512, 0x200000000ull);
	assert_int_equal(cmd.cdw10, 0x007F0002u);
	assert_true(nvme_glp_len(&cmd) == 512);
	assert_true(nvme_glp_offset(&cmd) == 0x200000000ull);
	nvme_glp_set(&cmd, NVME_LOG_DISCOVERY, 1u << 20, 0);
	assert_int_equal(cmd.cdw11, 0x3);
	assert_true(nvme_glp_len(&cmd) == 1u << 20);

	/* fabrics fctype is byte 4 of the SQE */
	struct nvmf_connect_cmd cc;
	memset(&cc, 0, sizeof(cc));
	cc.opcode = NVME_OPC_FABRICS;
	cc.fctype = NVMF_FCTYPE_CONNECT;
	memcpy(&cmd, &cc, sizeof(cmd));
	assert_int_equal(nvmf_cmd_fctype(&cmd), NVMF_FCTYPE_CONNECT);
}

static void test_prp_rules(void **state)
{
	(void)state;
	assert_int_equal(nvme_prp_pages(0x1000, 4096, 4096), 1);
	assert_int_equal(nvme_prp_pages(0x1200, 4096, 4096), 2);
	assert_int_equal(nvme_prp_pages(0x1200, 0, 4096), 0);
	assert_false(nvme_prp_needs_list(0x1200, 4096, 4096));
	assert_true(nvme_prp_needs_list(0x1200, 8192, 4096));
	assert_int_equal(nvme_prp_pages(0x1FFF, 2, 4096), 2);
	assert_true(nvme_prp_entry_aligned(0x2000, 4096));
	assert_false(nvme_prp_entry_aligned(0x2004, 4096));
}

static void test_misc_helpers(void **state)
{
	struct nvme_id_ns ns;

	(void)state;
	memset(&ns, 0, sizeof(ns));
	ns.flbas = 0x21; /* index 0x11: low bits 1, high bits (6:5) 1 */
	ns.lbaf[17].lbads = 12;
	assert_int_equal(nvme_id_ns_flbas_index(&ns), 17);
	assert_int_equal(nvme_id_ns_block_size(&ns), 4096);

	assert_int_equal(nvme_tcp_pdu_hlen(NVME_TCP_PDU_CAPSULE_CMD), 72);
	assert_int_equal(nvme_tcp_pdu_hlen(NVME_TCP_PDU_ICREQ), 128);
	assert_int_equal(nvme_tcp_pdu_hlen(NVME_TCP_PDU_R2T), 24);
	assert_int_equal(nvme_tcp_pdu_hlen(0x08), 0);
	assert_int_equal(nvme_tcp_pda_bytes(0), 4);
	assert_int_equal(nvme_tcp_pda_bytes(31), 128);
	assert_int_equal(nvmf_prop_size_bytes(NVMF_PROP_SIZE_8), 8);
	assert_int_equal(nvmf_prop_size_bytes(2), 0);

	uint32_t cdw0 =
	    NVME_ASYNC_EVENT(NVME_AER_TYPE_NOTICE, NVME_AER_NOTICE_ANA_CHANGE, NVME_LOG_ANA);
	assert_int_equal(cdw0, 0x000C0302u);
	assert_int_equal(NVME_ASYNC_EVENT_LID(cdw0), NVME_LOG_ANA);
	assert_int_equal(NVMF_CONNECT_RSP_INVALID(NVMF_CONNECT_IATTR_DATA, 256), 0x01000001u);
	assert_int_equal(NVME_FEAT_NUM_QUEUES(3, 7), 0x00070003u);
}

static enum nvme_data_transfer dir_of(uint8_t opc, uint32_t nsid)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = opc;
	cmd.nsid = nsid;
	return nvmf_cmd_data_transfer(&cmd);
}

static void test_cmd_data_transfer(void **state)
{
	(void)state;
	/* NVM and admin commands: opcode bits 1:0, whatever the NSID. */
	assert_int_equal(dir_of(NVME_OPC_FLUSH, 1), NVME_DATA_NONE);
	assert_int_equal(dir_of(NVME_OPC_WRITE, 1), NVME_DATA_HOST_TO_CONTROLLER);
	assert_int_equal(dir_of(NVME_OPC_READ, 0xffffffff), NVME_DATA_CONTROLLER_TO_HOST);
	assert_int_equal(dir_of(NVME_OPC_COMPARE, 1), NVME_DATA_HOST_TO_CONTROLLER);
	assert_int_equal(dir_of(NVME_OPC_IDENTIFY, 0), NVME_DATA_CONTROLLER_TO_HOST);
	assert_int_equal(dir_of(0x0b, 1), NVME_DATA_BIDIRECTIONAL);
	/* Fabrics: the opcode's bits are 3 for every one; the fctype decides,
	 * and only the fctype byte of dword 1 counts. */
	assert_int_equal(NVME_OPC_FABRICS & 3, 3);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, NVMF_FCTYPE_CONNECT),
			 NVME_DATA_HOST_TO_CONTROLLER);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, 0xabcdef00u | NVMF_FCTYPE_CONNECT),
			 NVME_DATA_HOST_TO_CONTROLLER);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, NVMF_FCTYPE_PROPERTY_SET), NVME_DATA_NONE);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, NVMF_FCTYPE_PROPERTY_GET), NVME_DATA_NONE);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, NVMF_FCTYPE_DISCONNECT), NVME_DATA_NONE);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, NVMF_FCTYPE_AUTH_SEND),
			 NVME_DATA_HOST_TO_CONTROLLER);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, NVMF_FCTYPE_AUTH_RECV),
			 NVME_DATA_CONTROLLER_TO_HOST);
	assert_int_equal(dir_of(NVME_OPC_FABRICS, 0x07), NVME_DATA_BIDIRECTIONAL);
}

static void test_tcp_pdu_rules(void **state)
{
	(void)state;
	for (unsigned t = 0; t < 256; t++) {
		bool host = t == NVME_TCP_PDU_ICREQ || t == NVME_TCP_PDU_H2C_TERM_REQ ||
			    t == NVME_TCP_PDU_CAPSULE_CMD || t == NVME_TCP_PDU_H2C_DATA;
		bool known = nvme_tcp_pdu_hlen((uint8_t)t) != 0;

		assert_int_equal(nvme_tcp_pdu_from_host((uint8_t)t), host);
		/* No digest is ever added without negotiation. */
		assert_int_equal(nvme_tcp_pdu_hdgst_len((uint8_t)t, false), 0);
		if (host)
			assert_true(known);
		if (known && t > NVME_TCP_PDU_C2H_TERM_REQ)
			assert_int_equal(nvme_tcp_pdu_hdgst_len((uint8_t)t, true), 4);
	}
	/* Initialization and termination PDUs never carry a header digest. */
	assert_int_equal(nvme_tcp_pdu_hdgst_len(NVME_TCP_PDU_ICREQ, true), 0);
	assert_int_equal(nvme_tcp_pdu_hdgst_len(NVME_TCP_PDU_ICRESP, true), 0);
	assert_int_equal(nvme_tcp_pdu_hdgst_len(NVME_TCP_PDU_H2C_TERM_REQ, true), 0);
	assert_int_equal(nvme_tcp_pdu_hdgst_len(NVME_TCP_PDU_C2H_TERM_REQ, true), 0);
	/* Header lengths of the PDUs a target receives match their structures. */
	assert_int_equal(nvme_tcp_pdu_hlen(NVME_TCP_PDU_ICREQ), sizeof(struct nvme_tcp_icreq));
	assert_int_equal(nvme_tcp_pdu_hlen(NVME_TCP_PDU_H2C_TERM_REQ),
			 sizeof(struct nvme_tcp_term_req_hdr));
	assert_int_equal(nvme_tcp_pdu_hlen(NVME_TCP_PDU_CAPSULE_CMD), sizeof(struct nvme_tcp_cmd));
	assert_int_equal(nvme_tcp_pdu_hlen(NVME_TCP_PDU_H2C_DATA),
			 sizeof(struct nvme_tcp_data_hdr));
	assert_int_equal(nvme_tcp_pda_bytes(0), 4);
	assert_int_equal(nvme_tcp_pda_bytes(NVME_TCP_PDA_MAX), 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_le_store_byte_order),
	    cmocka_unit_test(test_le_roundtrip_unaligned),
	    cmocka_unit_test(test_le128_add_carry),
	    cmocka_unit_test(test_status_pack),
	    cmocka_unit_test(test_status_into_cpl),
	    cmocka_unit_test(test_doorbell_offset),
	    cmocka_unit_test(test_cap_fields),
	    cmocka_unit_test(test_cc_csts_fields),
	    cmocka_unit_test(test_sgl_layout),
	    cmocka_unit_test(test_cmd_fields),
	    cmocka_unit_test(test_prp_rules),
	    cmocka_unit_test(test_misc_helpers),
	    cmocka_unit_test(test_cmd_data_transfer),
	    cmocka_unit_test(test_tcp_pdu_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
