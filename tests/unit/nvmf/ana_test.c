/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of Asymmetric Namespace Access (nvmf/ana.c): the Identify
 * fields, the ANA log page with and without Return Groups Only, state
 * changes per listener and group with their ANA Change notice, and the
 * path status of I/O in each state.
 */
#include "fixture.h"

#define ANA_EVENT NVME_ASYNC_EVENT(NVME_AER_TYPE_NOTICE, NVME_AER_NOTICE_ANA_CHANGE, NVME_LOG_ANA)

/* Two listeners (4420, 4421), namespace 1 in group 1, namespace 2 in group 2. */
static void ana_setup(struct fx *fx, struct nvmf_listen_addr *a2)
{
	struct nvmf_ns_opts o = {.anagrpid = 2};

	fx_init(fx);
	fx_addr(a2, "127.0.0.1", "4421");
	assert_int_equal(nvmf_subsystem_add_listener(fx->ss, a2), 0);
	fx_backend_add(fx->tgt, "ram1", FX_BLOCKS, FX_BS, false);
	assert_int_equal(nvmf_subsystem_add_ns(fx->ss, "ram1", &o), 2);
	o.anagrpid = NVMF_ANA_GRP_MAX + 1;
	fx_backend_add(fx->tgt, "ram2", FX_BLOCKS, FX_BS, false);
	assert_int_equal(nvmf_subsystem_add_ns(fx->ss, "ram2", &o), -EINVAL);
	fx_start(fx);
}

/* An admin queue that came in through @local; @return its CNTLID. */
static uint16_t admin_via(struct fx *fx, const struct nvmf_listen_addr *local, struct fx_qp **out)
{
	struct fx_qp *q = fx_qp_new(fx);
	struct nvme_cpl cpl;

	q->qp.local = *local;
	assert_int_equal(fx_connect_full(fx, q, 0, 31, FX_SSNQN, FX_HOSTNQN, 0xab, 0xffff, &cpl),
			 0);
	assert_int_equal(fx_prop_set(fx, q, NVME_REG_CC, 1), 0);
	*out = q;
	return (uint16_t)cpl.cdw0;
}

static uint16_t ana_log(struct fx *fx, struct fx_qp *q, bool rgo, bool rae, uint8_t *buf,
			uint32_t len)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_GET_LOG_PAGE;
	cmd.nsid = NVME_NSID_ALL;
	nvme_glp_set(&cmd, NVME_LOG_ANA, len, 0);
	if (rgo)
		cmd.cdw10 |= NVME_ANA_LSP_RGO << NVME_GLP_LSP_SHIFT;
	if (rae)
		cmd.cdw10 |= NVME_GLP_RAE;
	return fx_cmd(fx, q, &cmd, buf, len, NVMF_XFER_C2H, NULL);
}

/* The descriptor at @off (copied: it may be only 4-byte aligned), NSIDs after it. */
static struct ana_desc {
	struct nvme_ana_group_desc d;
	uint32_t nsids[4];
} g_desc;

static const struct ana_desc *desc_at(const uint8_t *buf, size_t off)
{
	memcpy(&g_desc, buf + off, sizeof(g_desc));
	return &g_desc;
}

static void test_identify(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvmf_listen_addr a2;
	struct nvme_id_ctrl id;
	struct nvme_id_ns ns;

	(void)state;
	ana_setup(&fx, &a2);
	admin_via(&fx, &fx.addr, &q);
	assert_int_equal(
	    fx_admin(&fx, q, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER, 0, &id, sizeof(id), NULL),
	    0);
	assert_true(id.cmic & NVME_CTRL_CMIC_ANA);
	assert_true(id.cmic & NVME_CTRL_CMIC_MULTI_CTRL);
	assert_true(id.oaes & NVME_CTRL_OAES_ANA_CHANGE);
	assert_int_equal(id.anacap & 0x1f, 0x1f);
	assert_true(id.anacap & NVME_CTRL_ANACAP_GRPID_NOT_CHANGED);
	assert_int_equal(id.anagrpmax, NVMF_ANA_GRP_MAX);
	assert_int_equal(id.nanagrpid, NVMF_ANA_GRP_MAX);
	assert_true(id.anatt > 0);
	assert_int_equal(
	    fx_admin(&fx, q, NVME_OPC_IDENTIFY, 2, NVME_CNS_NAMESPACE, 0, &ns, sizeof(ns), NULL),
	    0);
	assert_int_equal(ns.anagrpid, 2);
	assert_int_equal(
	    fx_admin(&fx, q, NVME_OPC_IDENTIFY, 1, NVME_CNS_NAMESPACE, 0, &ns, sizeof(ns), NULL),
	    0);
	assert_int_equal(ns.anagrpid, 1);
	/* A discovery controller reports no ANA. */
	q = fx_disc_up(&fx, FX_HOSTNQN2);
	assert_int_equal(
	    fx_admin(&fx, q, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER, 0, &id, sizeof(id), NULL),
	    0);
	assert_int_equal(id.cmic & NVME_CTRL_CMIC_ANA, 0);
	assert_int_equal(id.anagrpmax, 0);
	fx_fini(&fx);
}

static void test_log_variants(void **state)
{
	struct fx fx;
	struct fx_qp *q1, *q2;
	struct nvmf_listen_addr a2;
	uint8_t buf[512] __attribute__((aligned(8)));
	const struct nvme_ana_log_hdr *hdr = (const void *)buf;

	(void)state;
	ana_setup(&fx, &a2);
	assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &a2, 2, NVME_ANA_NON_OPTIMIZED), 0);
	admin_via(&fx, &fx.addr, &q1);
	admin_via(&fx, &a2, &q2);

	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(ana_log(&fx, q1, false, true, buf, sizeof(buf)), 0);
	assert_int_equal(hdr->num_ana_group_desc, 2);
	assert_int_equal(desc_at(buf, 16)->d.anagrpid, 1);
	assert_int_equal(desc_at(buf, 16)->d.nnsids, 1);
	assert_int_equal(desc_at(buf, 16)->d.state, NVME_ANA_OPTIMIZED);
	assert_int_equal(desc_at(buf, 16)->nsids[0], 1);
	assert_int_equal(desc_at(buf, 52)->d.anagrpid, 2);
	assert_int_equal(desc_at(buf, 52)->nsids[0], 2);
	assert_int_equal(desc_at(buf, 52)->d.state, NVME_ANA_OPTIMIZED); /* 4420: untouched */

	/* Through 4421 group 2 is non-optimized; RGO leaves the NSIDs out. */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(ana_log(&fx, q2, true, true, buf, sizeof(buf)), 0);
	assert_int_equal(hdr->num_ana_group_desc, 2);
	assert_int_equal(desc_at(buf, 16)->d.nnsids, 0);
	assert_int_equal(desc_at(buf, 16)->d.state, NVME_ANA_OPTIMIZED);
	assert_int_equal(desc_at(buf, 48)->d.anagrpid, 2);
	assert_int_equal(desc_at(buf, 48)->d.nnsids, 0);
	assert_int_equal(desc_at(buf, 48)->d.state, NVME_ANA_NON_OPTIMIZED);
	/* What follows the page (80 bytes) is zero. */
	assert_int_equal(buf[80], 0);

	/* A group with no namespace has no descriptor. */
	assert_int_equal(nvmf_subsystem_remove_ns(fx.ss, 2), 0);
	fx_poll(&fx, 10);
	assert_int_equal(ana_log(&fx, q2, false, true, buf, sizeof(buf)), 0);
	assert_int_equal(hdr->num_ana_group_desc, 1);
	fx_fini(&fx);
}

static void test_state_change_event(void **state)
{
	struct fx fx;
	struct fx_qp *q1, *q2;
	struct nvmf_listen_addr a2, none;
	struct nvmf_request *aer1, *aer2;
	struct nvme_cmd cmd;
	uint8_t buf[256] __attribute__((aligned(8)));
	const struct nvme_ana_log_hdr *hdr = (const void *)buf;
	uint64_t cc;
	uint8_t st;

	(void)state;
	ana_setup(&fx, &a2);
	admin_via(&fx, &fx.addr, &q1);
	admin_via(&fx, &a2, &q2);
	assert_int_equal(fx_admin(&fx, q1, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_ASYNC_EVENT_CONFIG,
				  NVME_AEC_ANA_CHANGE, NULL, 0, NULL),
			 0);
	assert_int_equal(fx_admin(&fx, q2, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_ASYNC_EVENT_CONFIG,
				  NVME_AEC_ANA_CHANGE, NULL, 0, NULL),
			 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_ASYNC_EVENT_REQUEST;
	aer1 = fx_submit_cmd(q1, &cmd, NULL, 0, NVMF_XFER_NONE);
	aer2 = fx_submit_cmd(q2, &cmd, NULL, 0, NVMF_XFER_NONE);
	fx_poll(&fx, 10);
	assert_int_equal(ana_log(&fx, q1, true, true, buf, sizeof(buf)), 0);
	cc = hdr->change_count;

	/* Errors change nothing. */
	fx_addr(&none, "127.0.0.1", "4999");
	assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &none, 1, NVME_ANA_INACCESSIBLE),
			 -ENOENT);
	assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &fx.addr, 33, NVME_ANA_INACCESSIBLE),
			 -EINVAL);
	assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &fx.addr, 1, 7), -EINVAL);
	/* Setting the state a group has sends nothing. */
	assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &fx.addr, 1, NVME_ANA_OPTIMIZED), 0);
	fx_poll(&fx, 10);
	assert_false(fx_req_done(q1, aer1));

	/* 4420 group 1 inaccessible: only the controller on 4420 hears of it. */
	assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &fx.addr, 1, NVME_ANA_INACCESSIBLE),
			 0);
	assert_int_equal(nvmf_subsystem_get_ana_state(fx.ss, &fx.addr, 1, &st), 0);
	assert_int_equal(st, NVME_ANA_INACCESSIBLE);
	assert_int_equal(nvmf_subsystem_get_ana_state(fx.ss, &fx.addr, 2, &st), 0);
	assert_int_equal(st, NVME_ANA_OPTIMIZED);
	fx_poll(&fx, 10);
	assert_true(fx_req_done(q1, aer1));
	assert_int_equal(aer1->cpl.cdw0, ANA_EVENT);
	assert_false(fx_req_done(q2, aer2));
	assert_int_equal(ana_log(&fx, q1, true, false, buf, sizeof(buf)), 0);
	assert_true(hdr->change_count > cc);
	assert_int_equal(desc_at(buf, 16)->d.state, NVME_ANA_INACCESSIBLE);
	assert_int_equal(desc_at(buf, 16)->d.change_count, hdr->change_count);
	assert_int_equal(desc_at(buf, 48)->d.state, NVME_ANA_OPTIMIZED);

	/* Group 0 = every group, on 4421. */
	assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &a2, 0, NVME_ANA_CHANGE), 0);
	fx_poll(&fx, 10);
	assert_true(fx_req_done(q2, aer2));
	assert_int_equal(aer2->cpl.cdw0, ANA_EVENT);
	assert_int_equal(ana_log(&fx, q2, true, false, buf, sizeof(buf)), 0);
	assert_int_equal(desc_at(buf, 16)->d.state, NVME_ANA_CHANGE);
	assert_int_equal(desc_at(buf, 48)->d.state, NVME_ANA_CHANGE);
	/* A controller made after a change starts with the listener's states. */
	admin_via(&fx, &a2, &q1);
	assert_int_equal(ana_log(&fx, q1, true, true, buf, sizeof(buf)), 0);
	assert_int_equal(desc_at(buf, 48)->d.state, NVME_ANA_CHANGE);
	fx_fini(&fx);
}

static void test_io_status_per_state(void **state)
{
	static const struct {
		uint8_t state;
		uint16_t sc; /* 0xffff: succeeds */
	} cases[] = {
	    {NVME_ANA_OPTIMIZED, 0xffff},
	    {NVME_ANA_NON_OPTIMIZED, 0xffff},
	    {NVME_ANA_INACCESSIBLE, NVME_SC_ANA_INACCESSIBLE},
	    {NVME_ANA_PERSISTENT_LOSS, NVME_SC_ANA_PERSISTENT_LOSS},
	    {NVME_ANA_CHANGE, NVME_SC_ANA_TRANSITION},
	};
	struct fx fx;
	struct fx_qp *aq, *io;
	struct nvmf_listen_addr a2;
	uint8_t data[FX_BS];
	uint16_t cntlid;

	(void)state;
	ana_setup(&fx, &a2);
	cntlid = admin_via(&fx, &fx.addr, &aq);
	io = fx_io_up(&fx, cntlid, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t st;

		assert_int_equal(nvmf_subsystem_set_ana_state(fx.ss, &fx.addr, 1, cases[i].state),
				 0);
		memset(data, (int)i, sizeof(data));
		st = fx_rw(&fx, io, NVME_OPC_WRITE, 1, 0, 1, data, sizeof(data));
		if (cases[i].sc == 0xffff) {
			assert_int_equal(st, 0);
			assert_int_equal(fx.be->data[0], (uint8_t)i);
		} else {
			/* A path status without DNR: the host may retry elsewhere. */
			assert_int_equal(st, NVME_STATUS(NVME_SCT_PATH, cases[i].sc));
			assert_int_not_equal(fx.be->data[0], (uint8_t)i);
			assert_int_equal(fx_rw(&fx, io, NVME_OPC_READ, 1, 0, 1, data, sizeof(data)),
					 NVME_STATUS(NVME_SCT_PATH, cases[i].sc));
		}
		/* Namespace 2 (group 2) is untouched. */
		assert_int_equal(fx_rw(&fx, io, NVME_OPC_READ, 2, 0, 1, data, sizeof(data)), 0);
	}
	fx_fini(&fx);
}

static void test_state_names(void **state)
{
	uint8_t st = 0;

	(void)state;
	assert_int_equal(nvmf_ana_state_parse("non-optimized", &st), 0);
	assert_int_equal(st, NVME_ANA_NON_OPTIMIZED);
	assert_int_equal(nvmf_ana_state_parse("Persistent_Loss", &st), 0);
	assert_int_equal(st, NVME_ANA_PERSISTENT_LOSS);
	assert_int_equal(nvmf_ana_state_parse("change", &st), 0);
	assert_int_equal(st, NVME_ANA_CHANGE);
	assert_int_equal(nvmf_ana_state_parse("fast", &st), -EINVAL);
	assert_string_equal(nvmf_ana_state_name(NVME_ANA_INACCESSIBLE), "inaccessible");
	assert_null(nvmf_ana_state_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identify),           cmocka_unit_test(test_log_variants),
	    cmocka_unit_test(test_state_change_event), cmocka_unit_test(test_io_status_per_state),
	    cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
