/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of admin passthrough (nvmf/admin_passthru.c): Format NVM,
 * Sanitize and firmware commands reach the drive behind the subsystem only
 * when it allows it and every namespace is on that drive; the NSID is the
 * drive's, the data and the drive's answer go through unchanged.
 */
#include "fixture.h"

/* A drive behind the test backend: records the command, answers on poll. */
struct fake_drive {
	struct nvme_cmd cmd;
	uint8_t data[4096];
	uint32_t len;
	int submits;
	uint16_t answer; /* status to answer with */
	void (*done)(void *arg, const struct nvme_cpl *cpl);
	void *arg;
};

static struct fake_drive g_drive;
static struct nvme_id_ctrl g_drive_id; /* what the drive reported at attach */
static struct nvmf_backend_ops g_drive_ops;
static int g_other_device;

static int drive_submit(struct nvmf_backend *b, const struct nvme_cmd *cmd, void *buf, uint32_t len,
			void (*done)(void *arg, const struct nvme_cpl *cpl), void *arg)
{
	(void)b;
	g_drive.cmd = *cmd;
	g_drive.len = len;
	if (len > 0 && cmd->opc == NVME_OPC_GET_LOG_PAGE) /* the drive's log, to the host */
		memcpy(buf, g_drive.data, len < sizeof(g_drive.data) ? len : sizeof(g_drive.data));
	else if (len > 0)
		memcpy(g_drive.data, buf, len < sizeof(g_drive.data) ? len : sizeof(g_drive.data));
	g_drive.submits++;
	g_drive.done = done;
	g_drive.arg = arg;
	return 0;
}

static void drive_poll(struct nvmf_backend *b)
{
	struct nvme_cpl cpl;
	void (*done)(void *, const struct nvme_cpl *) = g_drive.done;

	(void)b;
	if (done == NULL)
		return;
	g_drive.done = NULL;
	memset(&cpl, 0, sizeof(cpl));
	cpl.cdw0 = 0x55;
	cpl.status.raw = (uint16_t)(g_drive.answer << 1);
	done(g_drive.arg, &cpl);
}

static const void *drive_device(const struct nvmf_backend *b)
{
	return strcmp(b->name, "other") == 0 ? (const void *)&g_other_device
					     : (const void *)&g_drive;
}

static const struct nvme_id_ctrl *drive_id(const struct nvmf_backend *b)
{
	(void)b;
	return &g_drive_id;
}

struct px {
	struct fx fx;
	struct fx_qp *a;
};

static int setup(void **state)
{
	struct px *px = calloc(1, sizeof(*px));

	memset(&g_drive, 0, sizeof(g_drive));
	memset(&g_drive_id, 0, sizeof(g_drive_id));
	fx_init(&px->fx);
	g_drive_ops = *px->fx.be->base.ops;
	g_drive_ops.admin_submit = drive_submit;
	g_drive_ops.admin_poll = drive_poll;
	g_drive_ops.device = drive_device;
	g_drive_ops.drive_id = drive_id;
	px->fx.be->base.ops = &g_drive_ops;
	px->fx.be->base.nsid = 7; /* the drive's NSID of subsystem namespace 1 */
	fx_start(&px->fx);
	fx_admin_up(&px->fx, &px->a, FX_SSNQN);
	*state = px;
	return 0;
}

static int teardown(void **state)
{
	struct px *px = *state;

	fx_fini(&px->fx);
	free(px);
	return 0;
}

static uint16_t format(struct px *px, uint32_t nsid, struct nvme_cpl *cpl)
{
	return fx_admin(&px->fx, px->a, NVME_OPC_FORMAT_NVM, nsid, 0x200, 0, NULL, 0, cpl);
}

static void test_off_by_default(void **state)
{
	struct px *px = *state;
	uint8_t img[512] = {0};

	assert_status(format(px, 1, NULL), NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE);
	assert_status(fx_admin(&px->fx, px->a, NVME_OPC_SANITIZE, 0, 1, 0, NULL, 0, NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE);
	assert_status(fx_cmd(&px->fx, px->a,
			     &(struct nvme_cmd){.opc = NVME_OPC_FIRMWARE_IMAGE_DOWNLOAD,
						.cdw10 = sizeof(img) / 4 - 1},
			     img, sizeof(img), NVMF_XFER_H2C, NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE);
	assert_int_equal(g_drive.submits, 0);
}

static void test_passed_to_the_drive(void **state)
{
	struct px *px = *state;
	uint8_t img[512];
	struct nvme_cpl cpl;

	nvmf_subsystem_set_admin_passthru(px->fx.ss, true);
	assert_int_equal(format(px, 1, &cpl), 0);
	assert_int_equal(g_drive.submits, 1);
	assert_int_equal(g_drive.cmd.opc, NVME_OPC_FORMAT_NVM);
	assert_int_equal(g_drive.cmd.nsid, 7);
	assert_int_equal(g_drive.cmd.cdw10, 0x200);
	assert_int_equal(cpl.cdw0, 0x55);
	/* Whole drive: NSID FFFFFFFFh stays; an NSID the subsystem lacks is refused. */
	assert_int_equal(format(px, NVME_NSID_ALL, NULL), 0);
	assert_int_equal(g_drive.cmd.nsid, NVME_NSID_ALL);
	assert_status(format(px, 3, NULL), NVME_SCT_GENERIC, NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	assert_int_equal(g_drive.submits, 2);
	/* Firmware Image Download: the host's data reaches the drive. */
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(fx_cmd(&px->fx, px->a,
				&(struct nvme_cmd){.opc = NVME_OPC_FIRMWARE_IMAGE_DOWNLOAD,
						   .cdw10 = sizeof(img) / 4 - 1},
				img, sizeof(img), NVMF_XFER_H2C, NULL),
			 0);
	assert_int_equal(g_drive.len, sizeof(img));
	assert_memory_equal(g_drive.data, img, sizeof(img));
	/* The drive's error goes back as it is. */
	g_drive.answer = NVMF_ST_DNR(NVME_STATUS_CMD(NVME_SC_INVALID_FIRMWARE_SLOT));
	assert_int_equal(
	    fx_admin(&px->fx, px->a, NVME_OPC_FIRMWARE_COMMIT, 0, 0x9, 0, NULL, 0, NULL),
	    NVMF_ST_DNR(NVME_STATUS_CMD(NVME_SC_INVALID_FIRMWARE_SLOT)));
	assert_int_equal(g_drive.cmd.opc, NVME_OPC_FIRMWARE_COMMIT);
}

/* The fabric's data pointer stays behind: the drive gets PSDT PRP, no SGL, no MPTR. */
static void test_fabric_sgl_not_passed(void **state)
{
	struct px *px = *state;
	struct nvme_cmd cmd = {.opc = NVME_OPC_FORMAT_NVM,
			       .psdt = NVME_PSDT_SGL_MPTR_CONTIG,
			       .nsid = 1,
			       .mptr = 0x1234,
			       .cdw10 = 0x9};

	cmd.dptr.sgl1.address = 0xabcdef;
	cmd.dptr.sgl1.unkeyed.type = 0x5; /* transport SGL data block, as NVMe/TCP sends */
	cmd.dptr.sgl1.unkeyed.subtype = 0xa;
	nvmf_subsystem_set_admin_passthru(px->fx.ss, true);
	assert_int_equal(fx_cmd(&px->fx, px->a, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), 0);
	assert_int_equal(g_drive.submits, 1);
	assert_int_equal(g_drive.cmd.psdt, NVME_PSDT_PRP);
	assert_int_equal(g_drive.cmd.mptr, 0);
	assert_int_equal(g_drive.cmd.dptr.prp.prp1, 0);
	assert_int_equal(g_drive.cmd.dptr.prp.prp2, 0);
	assert_int_equal(g_drive.cmd.nsid, 7);
	assert_int_equal(g_drive.cmd.cdw10, 0x9);
}

/* OACS and the effects log name the passed commands only while passthrough is on. */
static void test_advertised(void **state)
{
	struct px *px = *state;
	struct nvme_cmd_effects_log *e = calloc(1, sizeof(*e));
	struct nvme_id_ctrl *id = calloc(1, sizeof(*id));
	const uint32_t log05 = NVME_LOG_COMMAND_EFFECTS | ((sizeof(*e) / 4 - 1) << 16);

	for (int on = 0; on <= 1; on++) {
		nvmf_subsystem_set_admin_passthru(px->fx.ss, on);
		assert_int_equal(fx_admin(&px->fx, px->a, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER,
					  0, id, sizeof(*id), NULL),
				 0);
		assert_int_equal(id->oacs,
				 on ? NVME_CTRL_OACS_FORMAT | NVME_CTRL_OACS_FIRMWARE : 0);
		assert_int_equal(fx_admin(&px->fx, px->a, NVME_OPC_GET_LOG_PAGE, 0, log05, 0, e,
					  sizeof(*e), NULL),
				 0);
		assert_int_equal(e->acs[NVME_OPC_IDENTIFY], NVME_CMD_EFFECTS_CSUPP);
		assert_int_equal(e->acs[NVME_OPC_FORMAT_NVM] & NVME_CMD_EFFECTS_CSUPP, on);
		assert_int_equal(e->acs[NVME_OPC_FIRMWARE_COMMIT] & NVME_CMD_EFFECTS_CSUPP, on);
		assert_int_equal(e->acs[NVME_OPC_SANITIZE] & NVME_CMD_EFFECTS_LBCC, on ? 2 : 0);
	}
	free(e);
	free(id);
}

static void identify(struct px *px, struct nvme_id_ctrl *id)
{
	assert_int_equal(fx_admin(&px->fx, px->a, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER, 0, id,
				  sizeof(*id), NULL),
			 0);
}

/*
 * SANICAP and FNA are the drive's while Sanitize and Format go to it (its
 * defined bits only), 0 otherwise: off, or namespaces on two drives.
 */
static void test_sanicap_of_the_drive(void **state)
{
	struct px *px = *state;
	struct nvme_id_ctrl *id = calloc(1, sizeof(*id));
	struct fx_backend *other;
	struct nvmf_ns_opts o = {.nsid = 2};

	/* Block Erase and Crypto Erase, No-Deallocate Inhibited, NODMMAS 10b;
	 * reserved bits set too. Format applies to all namespaces, crypto erase. */
	g_drive_id.sanicap = NVME_CTRL_SANICAP_CES | NVME_CTRL_SANICAP_BES | NVME_CTRL_SANICAP_NDI |
			     (2u << NVME_CTRL_SANICAP_NODMMAS_SHIFT) | (1u << 7) | (1u << 20);
	g_drive_id.fna = NVME_CTRL_FNA_FORMAT_ALL | NVME_CTRL_FNA_CRYPTO_ERASE | 0x80;
	identify(px, id);
	assert_int_equal(id->sanicap, 0);
	assert_int_equal(id->fna, 0);
	assert_int_equal(id->oacs, 0);

	nvmf_subsystem_set_admin_passthru(px->fx.ss, true);
	identify(px, id);
	assert_int_equal(id->sanicap, NVME_CTRL_SANICAP_CES | NVME_CTRL_SANICAP_BES |
					  NVME_CTRL_SANICAP_NDI |
					  (2u << NVME_CTRL_SANICAP_NODMMAS_SHIFT));
	assert_int_equal(id->fna, NVME_CTRL_FNA_FORMAT_ALL | NVME_CTRL_FNA_CRYPTO_ERASE);
	assert_int_equal(id->oacs, NVME_CTRL_OACS_FORMAT | NVME_CTRL_OACS_FIRMWARE);

	/* A drive that has no Sanitize: 0, the commands still pass (the drive refuses). */
	g_drive_id.sanicap = 0;
	identify(px, id);
	assert_int_equal(id->sanicap, 0);
	g_drive_id.sanicap = NVME_CTRL_SANICAP_OWS;

	/* A namespace on another drive: nothing is passed, nothing advertised. */
	other = fx_backend_add(px->fx.tgt, "other", FX_BLOCKS, FX_BS, false);
	other->base.ops = &g_drive_ops;
	assert_int_equal(nvmf_subsystem_add_ns(px->fx.ss, "other", &o), 2);
	identify(px, id);
	assert_int_equal(id->sanicap, 0);
	assert_int_equal(id->fna, 0);
	assert_int_equal(id->oacs, 0);
	assert_int_equal(nvmf_subsystem_remove_ns(px->fx.ss, 2), 0);
	identify(px, id);
	assert_int_equal(id->sanicap, NVME_CTRL_SANICAP_OWS);

	/* A backend that cannot say what its drive reports: OACS yes, SANICAP 0. */
	g_drive_ops.drive_id = NULL;
	identify(px, id);
	assert_int_equal(id->oacs, NVME_CTRL_OACS_FORMAT | NVME_CTRL_OACS_FIRMWARE);
	assert_int_equal(id->sanicap, 0);
	free(id);
}

/* Get Log Page 81h (Sanitize Status) is the drive's while Sanitize goes to it. */
static void test_sanitize_log_from_the_drive(void **state)
{
	struct px *px = *state;
	struct nvme_sanitize_log log, *dl = (struct nvme_sanitize_log *)g_drive.data;
	struct nvme_cmd cmd = {.opc = NVME_OPC_GET_LOG_PAGE, .nsid = NVME_NSID_ALL};

	memset(&log, 0xee, sizeof(log));
	assert_status(fx_get_log(&px->fx, px->a, NVME_LOG_SANITIZE_STATUS, 0, &log, sizeof(log)),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_LOG_PAGE);
	assert_int_equal(g_drive.submits, 0);

	nvmf_subsystem_set_admin_passthru(px->fx.ss, true);
	dl->sprog = 0x8000; /* half way */
	dl->sstat = 0x2;    /* in progress */
	dl->scdw10 = 0x2;   /* Block Erase */
	dl->etbe = 120;
	assert_int_equal(fx_get_log(&px->fx, px->a, NVME_LOG_SANITIZE_STATUS, 0, &log, sizeof(log)),
			 0);
	assert_int_equal(g_drive.submits, 1);
	assert_int_equal(g_drive.cmd.opc, NVME_OPC_GET_LOG_PAGE);
	assert_int_equal(g_drive.cmd.nsid, NVME_NSID_ALL);
	assert_int_equal(g_drive.cmd.cdw10 & NVME_GLP_LID_MASK, NVME_LOG_SANITIZE_STATUS);
	assert_int_equal(g_drive.len, sizeof(log));
	assert_memory_equal(&log, dl, sizeof(log));

	/* The drive's error goes back as it is, and no data with it. */
	g_drive.answer = NVMF_ST_DNR(NVME_STATUS_CMD(NVME_SC_INVALID_LOG_PAGE));
	assert_status(fx_get_log(&px->fx, px->a, NVME_LOG_SANITIZE_STATUS, 0, &log, sizeof(log)),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_LOG_PAGE);
	assert_int_equal(g_drive.submits, 2);

	/* Longer than one page: refused before it reaches the drive. */
	nvme_glp_set(&cmd, NVME_LOG_SANITIZE_STATUS, 8192, 0);
	assert_status(fx_cmd(&px->fx, px->a, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_FIELD);
	assert_int_equal(g_drive.submits, 2);
}

static void test_namespaces_on_two_drives(void **state)
{
	struct px *px = *state;
	struct fx_backend *other = fx_backend_add(px->fx.tgt, "other", FX_BLOCKS, FX_BS, false);
	struct nvmf_ns_opts o = {.nsid = 2};

	other->base.ops = &g_drive_ops;
	assert_int_equal(nvmf_subsystem_add_ns(px->fx.ss, "other", &o), 2);
	nvmf_subsystem_set_admin_passthru(px->fx.ss, true);
	assert_status(format(px, 1, NULL), NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE);
	assert_int_equal(g_drive.submits, 0);
	assert_int_equal(nvmf_subsystem_remove_ns(px->fx.ss, 2), 0);
	assert_int_equal(format(px, 1, NULL), 0);
	assert_int_equal(g_drive.submits, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_off_by_default, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_passed_to_the_drive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_namespaces_on_two_drives, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fabric_sgl_not_passed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_advertised, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sanicap_of_the_drive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sanitize_log_from_the_drive, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
