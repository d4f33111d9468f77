/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of Abort (nvmf/abort.c): a parked I/O request, a command the
 * transport holds waiting for host data, a parked AER, and commands that
 * cannot be aborted (unknown, already done); CDW0 bit 0 tells which.
 *
 * A command in flight at a local drive (namespace 2 on the "nvme" backend
 * over the fake drive of fake_drive.h): the drive gets an Abort naming the
 * backend's own SQID and CID of it; CDW0 bit 0 follows the drive's answer
 * both ways; the command completes once, with Command Abort Requested
 * when the drive aborted it; a drive that is gone gives bit 0 = 1.
 */
#include "fixture.h"

#include "fake_drive.h"
#include "nvmf/backend_nvme.h"

struct bx {
	struct fx fx;
	struct fx_qp *a;
	struct fx_qp *q;
	uint16_t cntlid;
};

static int setup(void **state)
{
	struct bx *bx = calloc(1, sizeof(*bx));

	fx_init(&bx->fx);
	fx_start(&bx->fx);
	bx->cntlid = fx_admin_up(&bx->fx, &bx->a, FX_SSNQN);
	bx->q = fx_io_up(&bx->fx, bx->cntlid, 1);
	*state = bx;
	return 0;
}

static int teardown(void **state)
{
	struct bx *bx = *state;

	fx_fini(&bx->fx);
	free(bx);
	return 0;
}

/* Abort of (@sqid, @cid): @return CDW0 bit 0 (1 = not aborted). */
static uint32_t abort_cmd(struct bx *bx, uint16_t sqid, uint16_t cid)
{
	struct nvme_cpl cpl;

	assert_int_equal(fx_admin(&bx->fx, bx->a, NVME_OPC_ABORT, 0,
				  (uint32_t)sqid | (uint32_t)cid << NVME_ABORT_CID_SHIFT, 0, NULL,
				  0, &cpl),
			 0);
	return cpl.cdw0 & 1u;
}

static struct nvmf_request *submit_write(struct bx *bx, uint16_t cid, uint8_t *buf)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_WRITE;
	cmd.cid = cid;
	cmd.nsid = 1;
	nvme_cmd_set_lba_range(&cmd, 4, 1);
	return fx_submit_cmd(bx->q, &cmd, buf, FX_BS, NVMF_XFER_H2C);
}

static void test_abort_parked_io(void **state)
{
	struct bx *bx = *state;
	uint8_t buf[FX_BS];
	struct nvmf_request *w;

	memset(buf, 0xa5, sizeof(buf));
	bx->fx.be->busy = true;
	w = submit_write(bx, 7, buf);
	fx_poll(&bx->fx, 20);
	assert_false(fx_req_done(bx->q, w));      /* parked: the backend is busy */
	assert_int_equal(abort_cmd(bx, 1, 6), 1); /* another CID: nothing */
	assert_false(fx_req_done(bx->q, w));
	assert_int_equal(abort_cmd(bx, 1, 7), 0);
	assert_true(fx_req_done(bx->q, w));
	assert_status(nvme_cpl_get_status(&w->cpl), NVME_SCT_GENERIC, NVME_SC_ABORTED_BY_REQUEST);
	/* Gone from the pending list: the backend never sees it. */
	bx->fx.be->busy = false;
	fx_poll(&bx->fx, 20);
	assert_true(nvmf_mem_is_zero(bx->fx.be->data + 4 * FX_BS, FX_BS));
	/* Done commands cannot be aborted any more. */
	assert_int_equal(abort_cmd(bx, 1, 7), 1);
}

static void test_abort_waiting_for_data(void **state)
{
	struct bx *bx = *state;

	bx->q->holding = true;
	bx->q->held_cid = 12;
	assert_int_equal(abort_cmd(bx, 1, 11), 1);
	assert_true(bx->q->holding);
	assert_int_equal(abort_cmd(bx, 1, 12), 0);
	assert_false(bx->q->holding);
	assert_int_equal(abort_cmd(bx, 1, 12), 1);
	/* On the admin queue too. */
	bx->a->holding = true;
	bx->a->held_cid = 3;
	assert_int_equal(abort_cmd(bx, 0, 3), 0);
	assert_false(bx->a->holding);
}

static void test_abort_aer_and_unknown(void **state)
{
	struct bx *bx = *state;
	struct nvmf_request *aer;
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_ASYNC_EVENT_REQUEST;
	cmd.cid = 40;
	aer = fx_submit_cmd(bx->a, &cmd, NULL, 0, NVMF_XFER_NONE);
	fx_poll(&bx->fx, 5);
	assert_false(fx_req_done(bx->a, aer));
	assert_int_equal(abort_cmd(bx, 0, 40), 0);
	assert_true(fx_req_done(bx->a, aer));
	assert_status(nvme_cpl_get_status(&aer->cpl), NVME_SCT_GENERIC, NVME_SC_ABORTED_BY_REQUEST);
	/* No such queue, no such command: not aborted, still a success. */
	assert_int_equal(abort_cmd(bx, 2, 1), 1);
	assert_int_equal(abort_cmd(bx, 5, 1), 1);
	assert_int_equal(abort_cmd(bx, 0xffff, 1), 1);
	assert_int_equal(abort_cmd(bx, 0, 99), 1);
}

/* ------------------------------------------------- at a local drive */

static struct nvme_ctrlr *g_drive;

static int setup_drive(void **state)
{
	struct bx *bx = calloc(1, sizeof(*bx));

	memset(&g_fk, 0, sizeof(g_fk));
	fx_init(&bx->fx);
	g_drive = fk_ctrlr_new(64, 16);
	assert_int_equal(nvmf_bnvme_register(bx->fx.tgt, "fk", g_drive, NULL, 0), 0);
	assert_int_equal(nvmf_subsystem_add_ns(bx->fx.ss, "fkn1", NULL), 2);
	fx_start(&bx->fx);
	bx->cntlid = fx_admin_up(&bx->fx, &bx->a, FX_SSNQN);
	bx->q = fx_io_up(&bx->fx, bx->cntlid, 1);
	*state = bx;
	return 0;
}

/* A Write of one block with @cid to namespace 2, left at the drive. */
static struct nvmf_request *drive_write(struct bx *bx, uint16_t cid, uint8_t *buf)
{
	struct nvmf_request *w;
	struct nvme_cmd cmd;
	unsigned before = g_fk.nlog;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_WRITE;
	cmd.cid = cid;
	cmd.nsid = 2;
	nvme_cmd_set_lba_range(&cmd, 8, 1);
	w = fx_submit_cmd(bx->q, &cmd, buf, FX_BS, NVMF_XFER_H2C);
	fx_poll(&bx->fx, 10);
	assert_int_equal(g_fk.nlog, before + 1);
	assert_int_equal(g_fk.log[before].opc, NVME_OPC_WRITE);
	assert_false(fx_req_done(bx->q, w));
	return w;
}

/* The last command the drive got is an Abort of the one it logged at @io_i. */
static void assert_drive_abort_of(unsigned io_i)
{
	const struct fk_cmd *ab = &g_fk.log[g_fk.nlog - 1];

	assert_int_equal(ab->opc, NVME_OPC_ABORT);
	assert_int_equal(ab->qid, 0);
	assert_int_not_equal(g_fk.log[io_i].qid, 0);
	assert_int_equal(ab->cdw10,
			 (uint32_t)g_fk.log[io_i].cid << NVME_ABORT_CID_SHIFT | g_fk.log[io_i].qid);
}

static void test_abort_at_drive_aborted(void **state)
{
	struct bx *bx = *state;
	uint8_t buf[FX_BS];
	struct nvmf_request *w;
	int before;

	memset(buf, 0x5a, sizeof(buf));
	g_fk.hold_io = true;
	g_fk.abort_cdw0 = 0; /* the drive aborts it */
	w = drive_write(bx, 21, buf);
	before = bx->q->completions;
	assert_int_equal(abort_cmd(bx, 1, 21), 0);
	assert_int_equal(g_fk.aborts, 1);
	assert_drive_abort_of(g_fk.nlog - 2);
	/* The Write completes on its own path, with the drive's status, once. */
	for (int i = 0; i < 100 && !fx_req_done(bx->q, w); i++)
		fx_poll(&bx->fx, 1);
	assert_true(fx_req_done(bx->q, w));
	assert_status(nvme_cpl_get_status(&w->cpl), NVME_SCT_GENERIC, NVME_SC_ABORTED_BY_REQUEST);
	g_fk.hold_io = false;
	fx_poll(&bx->fx, 20);
	assert_int_equal(bx->q->completions, before + 1);
	/* Done now: a second Abort finds nothing and sends nothing. */
	assert_int_equal(abort_cmd(bx, 1, 21), 1);
	assert_int_equal(g_fk.aborts, 1);
}

static void test_abort_at_drive_not_aborted(void **state)
{
	struct bx *bx = *state;
	uint8_t buf[FX_BS];
	struct nvmf_request *w;
	int before;

	memset(buf, 0x3c, sizeof(buf));
	g_fk.hold_io = true;
	g_fk.abort_cdw0 = 1; /* the drive cannot abort it */
	w = drive_write(bx, 22, buf);
	before = bx->q->completions;
	assert_int_equal(abort_cmd(bx, 1, 22), 1);
	assert_int_equal(g_fk.aborts, 1);
	assert_drive_abort_of(g_fk.nlog - 2);
	fx_poll(&bx->fx, 20);
	assert_false(fx_req_done(bx->q, w)); /* still at the drive */
	g_fk.hold_io = false;
	fx_poll(&bx->fx, 20);
	assert_true(fx_req_done(bx->q, w));
	assert_int_equal(nvme_cpl_get_status(&w->cpl), NVME_STATUS_SUCCESS);
	assert_int_equal(bx->q->completions, before + 1);
}

static void test_abort_at_drive_gone(void **state)
{
	struct bx *bx = *state;
	uint8_t buf[FX_BS];
	struct nvmf_request *w;
	unsigned logged;

	memset(buf, 0x11, sizeof(buf));
	g_fk.hold_io = true;
	g_fk.abort_cdw0 = 0;
	w = drive_write(bx, 23, buf);
	logged = g_fk.nlog;
	nvme_ctrlr_mark_removed(g_drive);
	assert_int_equal(abort_cmd(bx, 1, 23), 1);
	assert_int_equal(g_fk.nlog, logged); /* no Abort went to the drive */
	assert_false(fx_req_done(bx->q, w));
	g_fk.hold_io = false;
	fx_poll(&bx->fx, 20);
	assert_true(fx_req_done(bx->q, w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_abort_parked_io, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_waiting_for_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_aer_and_unknown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_at_drive_aborted, setup_drive, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_at_drive_not_aborted, setup_drive, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_at_drive_gone, setup_drive, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
