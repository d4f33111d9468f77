/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of admin commands (nvmf/admin.c, admin_identify.c,
 * admin_log.c, admin_features.c) through a connected admin queue.
 */
#include "fixture.h"

struct ax {
	struct fx fx;
	struct fx_qp *a;
	uint16_t cntlid;
};

static int setup(void **state)
{
	struct ax *ax = calloc(1, sizeof(*ax));

	fx_init(&ax->fx);
	fx_start(&ax->fx);
	ax->cntlid = fx_admin_up(&ax->fx, &ax->a, FX_SSNQN);
	*state = ax;
	return 0;
}

static int teardown(void **state)
{
	struct ax *ax = *state;

	fx_fini(&ax->fx);
	free(ax);
	return 0;
}

static void test_identify_ctrl(void **state)
{
	struct ax *ax = *state;
	struct nvme_id_ctrl id;

	memset(&id, 0xee, sizeof(id));
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER, 0, &id,
				  sizeof(id), NULL),
			 0);
	assert_int_equal(id.cntlid, ax->cntlid);
	assert_int_equal(id.mdts, 5); /* 128 KiB / 4 KiB = 32 = 2^5 */
	assert_int_equal(id.ioccsz, (64 + 4096) / 16);
	assert_int_equal(id.iorcsz, 1);
	assert_int_equal(id.msdbd, 1);
	assert_int_equal(id.nn, NVMF_DEFAULT_MAX_NSID);
	assert_string_equal(id.subnqn, FX_SSNQN);
	assert_int_equal(id.cntrltype, NVME_CNTRLTYPE_IO);
	assert_int_equal(id.sqes, 0x66);
	assert_int_equal(id.cqes, 0x44);
	assert_int_equal(id.kas, 1);
	assert_int_equal(id.maxcmd, 128);
	assert_int_equal(id.aerl, NVMF_AER_MAX - 1);
	assert_true(id.ver >= 0x00010300);
	assert_true(id.oaes & NVME_CTRL_OAES_NS_ATTR);
	assert_true(id.vwc & NVME_CTRL_VWC_PRESENT);
	assert_true(id.oncs & NVME_CTRL_ONCS_WRITE_ZEROES);
	assert_true(id.sgls & NVME_CTRL_SGLS_SUPPORTED);
	assert_true(id.lpa & NVME_CTRL_LPA_EXTENDED);
	assert_int_equal(id.fcatt, 0);
	assert_memory_equal(id.mn, "nvmf-tgt ", 9);
	assert_int_equal(id.mn[39], ' ');
}

static void test_identify_short_buffer(void **state)
{
	struct ax *ax = *state;
	uint8_t buf[600];

	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(
	    fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER, 0, buf, 512, NULL),
	    0);
	assert_int_equal(nvme_get_le16(buf + 78), ax->cntlid);
	assert_int_equal(buf[512], 0xee); /* nothing past the transfer */
}

static void test_identify_ns(void **state)
{
	struct ax *ax = *state;
	struct nvme_id_ns id;

	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 1, NVME_CNS_NAMESPACE, 0, &id,
				  sizeof(id), NULL),
			 0);
	assert_int_equal(id.nsze, FX_BLOCKS);
	assert_int_equal(id.ncap, FX_BLOCKS);
	assert_int_equal(id.lbaf[0].lbads, 9);
	assert_int_equal(nvme_id_ns_block_size(&id), FX_BS);
	assert_false(nvmf_mem_is_zero(id.nguid, 16));
	/* Inactive NSID: zeroes, success. */
	memset(&id, 0xee, sizeof(id));
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 2, NVME_CNS_NAMESPACE, 0, &id,
				  sizeof(id), NULL),
			 0);
	assert_true(nvmf_mem_is_zero(&id, sizeof(id)));
	/* NSID 0 and over NN: invalid namespace. */
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 0, NVME_CNS_NAMESPACE, 0, &id,
			       sizeof(id), NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, NVMF_DEFAULT_MAX_NSID + 1,
			       NVME_CNS_NAMESPACE, 0, &id, sizeof(id), NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	/* Unsupported CNS: invalid field. */
	assert_status(
	    fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 0, 0x1C, 0, &id, sizeof(id), NULL),
	    NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	/* CNS 05h for the NVM command set: zeroes, success. */
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 1, NVME_CNS_CSI_NAMESPACE, 0,
				  &id, sizeof(id), NULL),
			 0);
}

static void test_active_ns_list(void **state)
{
	struct ax *ax = *state;
	uint32_t list[1024];

	fx_backend_add(ax->fx.tgt, "ram1", 64, 4096, false);
	struct nvmf_ns_opts o = {.nsid = 7};
	assert_int_equal(nvmf_subsystem_add_ns(ax->fx.ss, "ram1", &o), 7);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 0, NVME_CNS_ACTIVE_NS_LIST, 0,
				  list, sizeof(list), NULL),
			 0);
	assert_int_equal(list[0], 1);
	assert_int_equal(list[1], 7);
	assert_int_equal(list[2], 0);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 1, NVME_CNS_ACTIVE_NS_LIST, 0,
				  list, sizeof(list), NULL),
			 0);
	assert_int_equal(list[0], 7);
	assert_int_equal(list[1], 0);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 0xfffffffe,
			       NVME_CNS_ACTIVE_NS_LIST, 0, list, sizeof(list), NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
}

static void test_ns_id_descriptors(void **state)
{
	struct ax *ax = *state;
	uint8_t buf[4096];
	struct nvmf_ns *ns = nvmf_ss_ns(ax->fx.ss, 1);

	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 1,
				  NVME_CNS_NS_ID_DESCRIPTOR_LIST, 0, buf, sizeof(buf), NULL),
			 0);
	assert_int_equal(buf[0], NVME_NIDT_EUI64);
	assert_int_equal(buf[1], 8);
	assert_memory_equal(buf + 4, ns->eui64, 8);
	assert_int_equal(buf[12], NVME_NIDT_NGUID);
	assert_int_equal(buf[13], 16);
	assert_memory_equal(buf + 16, ns->nguid, 16);
	assert_int_equal(buf[32], NVME_NIDT_UUID);
	assert_memory_equal(buf + 36, ns->uuid, 16);
	assert_int_equal(buf[52], NVME_NIDT_CSI);
	assert_int_equal(buf[53], 1);
	assert_int_equal(buf[56], NVME_CSI_NVM);
	assert_int_equal(buf[57], 0);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_IDENTIFY, 3, NVME_CNS_NS_ID_DESCRIPTOR_LIST,
			       0, buf, sizeof(buf), NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
}

static void test_unknown_opcode(void **state)
{
	struct ax *ax = *state;

	assert_status(fx_admin(&ax->fx, ax->a, 0xC1, 0, 0, 0, NULL, 0, NULL), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_OPCODE);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_CREATE_IO_SQ, 0, 0, 0, NULL, 0, NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_FORMAT_NVM, 0, 0, 0, NULL, 0, NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE);
}

static void test_features_num_queues(void **state)
{
	struct ax *ax = *state;
	struct nvme_cpl cpl;

	/* Ask for 8/8: granted max_qpairs_per_ctrlr - 1 = 3 (0's based 2). */
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_NUMBER_OF_QUEUES, NVME_FEAT_NUM_QUEUES(7, 7), NULL, 0,
				  &cpl),
			 0);
	assert_int_equal(cpl.cdw0, NVME_FEAT_NUM_QUEUES(2, 2));
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0,
				  NVME_FEAT_NUMBER_OF_QUEUES, 0, NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0, NVME_FEAT_NUM_QUEUES(2, 2));
	/* Ask for 1: granted 1; QID 2 is then refused. */
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_NUMBER_OF_QUEUES, NVME_FEAT_NUM_QUEUES(0, 0), NULL, 0,
				  &cpl),
			 0);
	assert_int_equal(cpl.cdw0, 0);
	struct fx_qp *q = fx_qp_new(&ax->fx);
	assert_status(
	    fx_connect_full(&ax->fx, q, 2, 127, FX_SSNQN, FX_HOSTNQN, 0xab, ax->cntlid, NULL),
	    NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_NUMBER_OF_QUEUES,
			       0xffff, NULL, 0, &cpl),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
}

static void test_features_misc(void **state)
{
	struct ax *ax = *state;
	struct nvme_cpl cpl;
	uint8_t hostid[16];

	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0,
				  NVME_FEAT_KEEP_ALIVE_TIMER, 0, NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0, 10000);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_KEEP_ALIVE_TIMER, 15050, NULL, 0, NULL),
			 0);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0,
				  NVME_FEAT_KEEP_ALIVE_TIMER, 0, NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0, 15100);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0,
				  NVME_FEAT_HOST_IDENTIFIER, NVME_FEAT_HOSTID_EXHID, hostid,
				  sizeof(hostid), NULL),
			 0);
	assert_int_equal(hostid[0], 0xab);
	assert_int_equal(hostid[15], 0xab);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_HOST_IDENTIFIER,
			       1, hostid, sizeof(hostid), NULL),
		      NVME_SCT_GENERIC, NVME_SC_COMMAND_SEQUENCE_ERROR);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0,
				  NVME_FEAT_VOLATILE_WRITE_CACHE, 0, NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0, 1);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_VOLATILE_WRITE_CACHE, 0, NULL, 0, NULL),
			 0);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0,
				  NVME_FEAT_VOLATILE_WRITE_CACHE, 0, NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0, 0);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0,
				  NVME_FEAT_TEMPERATURE_THRESHOLD, 0, NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0, 343);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_GET_FEATURES, 0, 0x7e, 0, NULL, 0, NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	assert_status(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0,
			       NVME_FEAT_ARBITRATION | NVME_FEAT_SV, 0, NULL, 0, NULL),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FEATURE_ID_NOT_SAVEABLE);
}

static void test_abort_keep_alive(void **state)
{
	struct ax *ax = *state;
	struct nvme_cpl cpl;

	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_ABORT, 0, 5u << 16, 0, NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0 & 1, 1);
	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_KEEP_ALIVE, 0, 0, 0, NULL, 0, NULL), 0);
}

static void test_aer_changed_ns(void **state)
{
	struct ax *ax = *state;
	struct nvme_cmd cmd;
	struct nvmf_request *aer[NVMF_AER_MAX];
	uint32_t list[1024];

	assert_int_equal(fx_admin(&ax->fx, ax->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_ASYNC_EVENT_CONFIG, NVME_AEC_NS_ATTR, NULL, 0, NULL),
			 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_ASYNC_EVENT_REQUEST;
	for (int i = 0; i < NVMF_AER_MAX; i++)
		aer[i] = fx_submit_cmd(ax->a, &cmd, NULL, 0, NVMF_XFER_NONE);
	fx_poll(&ax->fx, 2);
	for (int i = 0; i < NVMF_AER_MAX; i++)
		assert_false(fx_req_done(ax->a, aer[i]));
	/* One over AERL + 1: limit exceeded. */
	assert_status(fx_cmd(&ax->fx, ax->a, &cmd, NULL, 0, NVMF_XFER_NONE, NULL),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED);

	fx_backend_add(ax->fx.tgt, "ram1", 64, 512, false);
	struct nvmf_ns_opts o = {.nsid = 5};
	assert_int_equal(nvmf_subsystem_add_ns(ax->fx.ss, "ram1", &o), 5);
	fx_poll(&ax->fx, 4);
	int done = 0;
	struct nvmf_request *fired = NULL;
	for (int i = 0; i < NVMF_AER_MAX; i++) {
		if (fx_req_done(ax->a, aer[i])) {
			done++;
			fired = aer[i];
		}
	}
	assert_int_equal(done, 1);
	assert_int_equal(NVME_ASYNC_EVENT_TYPE(fired->cpl.cdw0), NVME_AER_TYPE_NOTICE);
	assert_int_equal(NVME_ASYNC_EVENT_INFO(fired->cpl.cdw0), NVME_AER_NOTICE_NS_ATTR_CHANGED);
	assert_int_equal(NVME_ASYNC_EVENT_LID(fired->cpl.cdw0), NVME_LOG_CHANGED_NS_LIST);
	/* A second change before the log is read: no second event. */
	assert_int_equal(nvmf_subsystem_remove_ns(ax->fx.ss, 1), 0);
	fx_poll(&ax->fx, 4);
	done = 0;
	for (int i = 0; i < NVMF_AER_MAX; i++)
		done += fx_req_done(ax->a, aer[i]);
	assert_int_equal(done, 1);
	/* The log lists both, ascending, then is cleared. */
	assert_int_equal(fx_get_log(&ax->fx, ax->a, NVME_LOG_CHANGED_NS_LIST, 0, list, 4096), 0);
	assert_int_equal(list[0], 1);
	assert_int_equal(list[1], 5);
	assert_int_equal(list[2], 0);
	assert_int_equal(fx_get_log(&ax->fx, ax->a, NVME_LOG_CHANGED_NS_LIST, 0, list, 4096), 0);
	assert_int_equal(list[0], 0);
}

static void test_get_log_pages(void **state)
{
	struct ax *ax = *state;
	uint8_t buf[4096];
	struct nvme_cmd_effects_log *e = (struct nvme_cmd_effects_log *)buf;
	struct nvme_firmware_log *fw = (struct nvme_firmware_log *)buf;

	assert_int_equal(fx_get_log(&ax->fx, ax->a, NVME_LOG_COMMAND_EFFECTS, 0, buf, 4096), 0);
	assert_true(e->acs[NVME_OPC_IDENTIFY] & NVME_CMD_EFFECTS_CSUPP);
	assert_true(e->iocs[NVME_OPC_WRITE] & NVME_CMD_EFFECTS_LBCC);
	assert_int_equal(e->acs[NVME_OPC_FORMAT_NVM], 0);
	assert_int_equal(fx_get_log(&ax->fx, ax->a, NVME_LOG_FIRMWARE_SLOT, 0, buf, 512), 0);
	assert_int_equal(fw->afi, 1);
	assert_memory_equal(fw->frs[0], NVMF_FW_REVISION, strlen(NVMF_FW_REVISION));
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(fx_get_log(&ax->fx, ax->a, NVME_LOG_ERROR, 0, buf, 64), 0);
	assert_true(nvmf_mem_is_zero(buf, 64));
	assert_int_equal(buf[64], 0xee);
	assert_status(fx_get_log(&ax->fx, ax->a, 0x6f, 0, buf, 512), NVME_SCT_COMMAND_SPECIFIC,
		      NVME_SC_INVALID_LOG_PAGE);
	assert_status(fx_get_log(&ax->fx, ax->a, NVME_LOG_FIRMWARE_SLOT, 2, buf, 64),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	assert_status(fx_get_log(&ax->fx, ax->a, NVME_LOG_FIRMWARE_SLOT, 1024, buf, 64),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	/* The discovery log is for discovery controllers only. */
	assert_status(fx_get_log(&ax->fx, ax->a, NVME_LOG_DISCOVERY, 0, buf, 1024),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_LOG_PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_identify_ctrl, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_identify_short_buffer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_identify_ns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_active_ns_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ns_id_descriptors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_opcode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_features_num_queues, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_features_misc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_keep_alive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aer_changed_ns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_get_log_pages, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
