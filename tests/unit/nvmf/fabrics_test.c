/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of Connect, Property Get/Set and Disconnect (nvmf/fabrics.c). */
#include <unistd.h>

#include "fixture.h"

static uint16_t connect_admin(struct fx *fx, struct fx_qp *q, const char *subnqn,
			      const char *hostnqn, struct nvme_cpl *cpl)
{
	return fx_connect_full(fx, q, 0, 31, subnqn, hostnqn, 0xab, 0xffff, cpl);
}

static void test_connect_admin_creates_ctrlr(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_cpl cpl;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	assert_int_equal(connect_admin(&fx, q, FX_SSNQN, FX_HOSTNQN, &cpl), 0);
	assert_int_equal(cpl.cdw0 & 0xffff, 1);
	assert_int_equal(fx.ss->num_ctrlrs, 1);
	assert_true(q->qp.connected);
	/* A second admin queue: a second controller, next CNTLID. */
	q = fx_qp_new(&fx);
	assert_int_equal(connect_admin(&fx, q, FX_SSNQN, FX_HOSTNQN, &cpl), 0);
	assert_int_equal(cpl.cdw0 & 0xffff, 2);
	/* Connect twice on one queue: sequence error. */
	assert_status(connect_admin(&fx, q, FX_SSNQN, FX_HOSTNQN, NULL), NVME_SCT_GENERIC,
		      NVME_SC_COMMAND_SEQUENCE_ERROR);
	fx_fini(&fx);
}

static void test_connect_disallowed_host(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	uint16_t st;

	(void)state;
	fx_init(&fx);
	nvmf_subsystem_set_allow_any_host(fx.ss, false);
	assert_int_equal(nvmf_subsystem_add_host(fx.ss, FX_HOSTNQN2), 0);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	st = connect_admin(&fx, q, FX_SSNQN, FX_HOSTNQN, NULL);
	assert_int_equal(nvme_status_sct(st), NVME_SCT_COMMAND_SPECIFIC);
	assert_int_equal(nvme_status_sc(st), 0x84);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	assert_false(q->qp.connected);
	/* The allowed one gets in. */
	q = fx_qp_new(&fx);
	assert_int_equal(connect_admin(&fx, q, FX_SSNQN, FX_HOSTNQN2, NULL), 0);
	fx_fini(&fx);
}

static void test_connect_unknown_nqn(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_cpl cpl;
	uint16_t st;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	st = connect_admin(&fx, q, "nqn.2016-06.io.example:nope", FX_HOSTNQN, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_int_equal(NVMF_CONNECT_RSP_IATTR(cpl.cdw0), 1);
	assert_int_equal(NVMF_CONNECT_RSP_IPO(cpl.cdw0), 256);
	fx_fini(&fx);
}

static void test_connect_bad_fields(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_cpl cpl;
	uint16_t st;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	/* SQSIZE 0 */
	st = fx_connect_full(&fx, q, 0, 0, FX_SSNQN, FX_HOSTNQN, 1, 0xffff, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_int_equal(NVMF_CONNECT_RSP_IATTR(cpl.cdw0), 0);
	assert_int_equal(NVMF_CONNECT_RSP_IPO(cpl.cdw0), 44);
	/* SQSIZE over the admin queue depth (32) */
	st = fx_connect_full(&fx, q, 0, 32, FX_SSNQN, FX_HOSTNQN, 1, 0xffff, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	/* Admin connect must ask for a dynamic controller */
	st = fx_connect_full(&fx, q, 0, 31, FX_SSNQN, FX_HOSTNQN, 1, 5, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_int_equal(NVMF_CONNECT_RSP_IPO(cpl.cdw0), 16);
	/* RECFMT != 0 */
	{
		struct nvme_cmd cmd;
		struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)&cmd;
		struct nvmf_connect_data data;
		memset(&cmd, 0, sizeof(cmd));
		memset(&data, 0, sizeof(data));
		cc->opcode = NVME_OPC_FABRICS;
		cc->fctype = NVMF_FCTYPE_CONNECT;
		cc->recfmt = 1;
		cc->sqsize = 31;
		st = fx_cmd(&fx, q, &cmd, &data, sizeof(data), NVMF_XFER_H2C, NULL);
		assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_INCOMPATIBLE_FORMAT);
		/* Short Connect data */
		cc->recfmt = 0;
		st = fx_cmd(&fx, q, &cmd, &data, 512, NVMF_XFER_H2C, NULL);
		assert_status(st, NVME_SCT_GENERIC, NVME_SC_DATA_SGL_LENGTH_INVALID);
	}
	fx_fini(&fx);
}

/*
 * stderr into a temporary file while a test runs, to read the log lines the
 * code under test wrote.
 */
struct log_cap {
	int saved;
	FILE *f;
	char text[8192];
};

static void log_cap_begin(struct log_cap *lc)
{
	lc->f = tmpfile();
	assert_non_null(lc->f);
	fflush(stderr);
	lc->saved = dup(STDERR_FILENO);
	assert_true(lc->saved >= 0);
	assert_true(dup2(fileno(lc->f), STDERR_FILENO) >= 0);
}

/* Stop capturing; @return the number of lines that contain @needle. */
static int log_cap_end(struct log_cap *lc, const char *needle)
{
	size_t n;
	int count = 0;

	fflush(stderr);
	assert_true(dup2(lc->saved, STDERR_FILENO) >= 0);
	close(lc->saved);
	rewind(lc->f);
	n = fread(lc->text, 1, sizeof(lc->text) - 1, lc->f);
	lc->text[n] = '\0';
	fclose(lc->f);
	for (const char *p = lc->text; (p = strstr(p, needle)) != NULL; p++)
		count++;
	fputs(lc->text, stderr);
	return count;
}

/* Hosts that send an empty or malformed HOSTNQN get in where any host may. */
static void test_connect_liberal_hostnqn(void **state)
{
	static const char *const odd[] = {"", "host", "nqn.", "\001bad"};
	struct fx fx;
	struct fx_qp *q;
	struct nvme_cpl cpl;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		q = fx_qp_new(&fx);
		assert_int_equal(connect_admin(&fx, q, FX_SSNQN, odd[i], &cpl), 0);
		assert_true(q->qp.connected);
		/* Its I/O queue, with the same (odd) HOSTNQN. */
		assert_int_equal(fx_prop_set(&fx, q, NVME_REG_CC, 1), 0);
		struct fx_qp *io = fx_qp_new(&fx);
		assert_int_equal(fx_connect_full(&fx, io, 1, 127, FX_SSNQN, odd[i], 0xab,
						 (uint16_t)cpl.cdw0, NULL),
				 0);
	}
	/* The discovery subsystem too. */
	q = fx_qp_new(&fx);
	assert_int_equal(connect_admin(&fx, q, NVMF_DISCOVERY_NQN, "", NULL), 0);
	fx_fini(&fx);
}

/* Where a host list applies, such a HOSTNQN is an Invalid Host, and logged. */
static void test_connect_hostlist_refuses_odd_hostnqn(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct log_cap lc;

	(void)state;
	fx_init(&fx);
	nvmf_subsystem_set_allow_any_host(fx.ss, false);
	assert_int_equal(nvmf_subsystem_add_host(fx.ss, FX_HOSTNQN), 0);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	log_cap_begin(&lc);
	assert_status(connect_admin(&fx, q, FX_SSNQN, "", NULL), NVME_SCT_COMMAND_SPECIFIC,
		      NVME_SC_FABRICS_CONNECT_INVALID_HOST);
	assert_int_equal(log_cap_end(&lc, "connect refused"), 1);
	assert_non_null(strstr(lc.text, "host ''"));
	assert_non_null(strstr(lc.text, "subsystem '" FX_SSNQN "'"));
	assert_non_null(
	    strstr(lc.text, "HOSTNQN: not a valid NQN, and the subsystem has a host list"));
	assert_false(q->qp.connected);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

/* Every refused Connect: one line naming host, subsystem, field and reason. */
static void test_connect_refusals_logged_once(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct log_cap lc;
	uint16_t st;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	log_cap_begin(&lc);
	st = fx_connect_full(&fx, q, 0, 32, FX_SSNQN, FX_HOSTNQN, 1, 0xffff, NULL);
	assert_int_equal(log_cap_end(&lc, "connect refused"), 1);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_non_null(strstr(lc.text, "host '" FX_HOSTNQN "'"));
	assert_non_null(strstr(lc.text, "SQSIZE 32 (33 entries) > the admin queue depth 32"));

	log_cap_begin(&lc);
	fx_connect_full(&fx, q, 0, 31, "nqn.2016-06.io.example:nope", FX_HOSTNQN, 1, 0xffff, NULL);
	assert_int_equal(log_cap_end(&lc, "connect refused"), 1);
	assert_non_null(strstr(lc.text, "subsystem 'nqn.2016-06.io.example:nope'"));
	assert_non_null(strstr(lc.text, "SUBNQN: no such subsystem"));

	log_cap_begin(&lc);
	fx_connect_full(&fx, q, 0, 31, FX_SSNQN, FX_HOSTNQN, 1, 7, NULL);
	assert_int_equal(log_cap_end(&lc, "connect refused"), 1);
	assert_non_null(strstr(lc.text, "CNTLID 0x0007"));

	log_cap_begin(&lc);
	fx_connect_full(&fx, q, 1, 127, FX_SSNQN, FX_HOSTNQN, 1, 42, NULL);
	assert_int_equal(log_cap_end(&lc, "connect refused"), 1);
	assert_non_null(strstr(lc.text, "queue 1: CNTLID 42: no such live controller"));

	/* An accepted Connect logs no refusal. */
	log_cap_begin(&lc);
	assert_int_equal(fx_connect_full(&fx, q, 0, 31, FX_SSNQN, FX_HOSTNQN, 1, 0xffff, NULL), 0);
	assert_int_equal(log_cap_end(&lc, "connect refused"), 0);
	fx_fini(&fx);
}

static void test_connect_io_queue(void **state)
{
	struct fx fx;
	struct fx_qp *a, *q;
	struct nvme_cpl cpl;
	uint16_t cntlid, st;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	cntlid = fx_admin_up(&fx, &a, FX_SSNQN);
	/* Wrong CNTLID */
	q = fx_qp_new(&fx);
	st = fx_connect_full(&fx, q, 1, 127, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid + 7, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_int_equal(NVMF_CONNECT_RSP_IATTR(cpl.cdw0), 1);
	assert_int_equal(NVMF_CONNECT_RSP_IPO(cpl.cdw0), 16);
	/* Another host NQN */
	st = fx_connect_full(&fx, q, 1, 127, FX_SSNQN, FX_HOSTNQN2, 0xab, cntlid, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_int_equal(NVMF_CONNECT_RSP_IPO(cpl.cdw0), 512);
	/* Another host ID */
	st = fx_connect_full(&fx, q, 1, 127, FX_SSNQN, FX_HOSTNQN, 0xcd, cntlid, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_int_equal(NVMF_CONNECT_RSP_IPO(cpl.cdw0), 0);
	/* SQSIZE over MQES (128 entries) */
	st = fx_connect_full(&fx, q, 1, 128, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	/* QID over the granted queues (max_qpairs_per_ctrlr 4 -> 3 I/O queues) */
	st = fx_connect_full(&fx, q, 4, 127, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	assert_int_equal(NVMF_CONNECT_RSP_IATTR(cpl.cdw0), 0);
	assert_int_equal(NVMF_CONNECT_RSP_IPO(cpl.cdw0), 42);
	/* The right one */
	st = fx_connect_full(&fx, q, 1, 127, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, &cpl);
	assert_int_equal(st, 0);
	assert_int_equal(cpl.cdw0 & 0xffff, cntlid);
	assert_int_equal(q->qp.qid, 1);
	/* Same QID again from another connection */
	q = fx_qp_new(&fx);
	st = fx_connect_full(&fx, q, 1, 127, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	fx_fini(&fx);
}

/*
 * SQ flow control: the core decides from Connect's CATTR and records it on
 * the qpair for the transport; only a Connect that succeeded sets it, per
 * queue (admin and I/O alike).
 */
static void test_connect_sq_flow_control(void **state)
{
	struct fx fx;
	struct fx_qp *admin, *io, *plain, *refused;
	struct nvme_cpl cpl;
	uint16_t cntlid;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	admin = fx_qp_new(&fx);
	admin->cattr = NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL;
	assert_int_equal(connect_admin(&fx, admin, FX_SSNQN, FX_HOSTNQN, &cpl), 0);
	assert_true(admin->qp.sq_flow_disabled);
	cntlid = (uint16_t)cpl.cdw0;
	/* An I/O queue asking for it, with priority bits set as well. */
	io = fx_qp_new(&fx);
	io->cattr = NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL | NVMF_CONNECT_CATTR_PRIORITY_MASK;
	assert_int_equal(fx_connect_full(&fx, io, 1, 31, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, NULL),
			 0);
	assert_true(io->qp.sq_flow_disabled);
	/* Priority bits alone do not disable it. */
	plain = fx_qp_new(&fx);
	plain->cattr = NVMF_CONNECT_CATTR_PRIORITY_MASK;
	assert_int_equal(
	    fx_connect_full(&fx, plain, 2, 31, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, NULL), 0);
	assert_false(plain->qp.sq_flow_disabled);
	/* A refused Connect leaves the queue as it was. */
	refused = fx_qp_new(&fx);
	refused->cattr = NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL;
	assert_int_not_equal(
	    connect_admin(&fx, refused, "nqn.2016-06.io.example:nope", FX_HOSTNQN, NULL), 0);
	assert_false(refused->qp.connected);
	assert_false(refused->qp.sq_flow_disabled);
	fx_fini(&fx);
}

static void test_command_before_connect(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	uint64_t v;
	uint16_t st;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	st = fx_prop_get(&fx, q, NVME_REG_CAP, NVMF_PROP_SIZE_8, &v);
	assert_status(st, NVME_SCT_GENERIC, NVME_SC_COMMAND_SEQUENCE_ERROR);
	assert_true(q->close_asked);
	q = fx_qp_new(&fx);
	st = fx_admin(&fx, q, NVME_OPC_IDENTIFY, 0, 1, 0, NULL, 0, NULL);
	assert_status(st, NVME_SCT_GENERIC, NVME_SC_COMMAND_SEQUENCE_ERROR);
	assert_true(q->close_asked);
	fx_poll(&fx, 4);
	assert_true(q->freed);
	fx_fini(&fx);
}

static void test_property_get(void **state)
{
	struct fx fx;
	struct fx_qp *a;
	uint64_t v;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	fx_admin_up(&fx, &a, FX_SSNQN);
	assert_int_equal(fx_prop_get(&fx, a, NVME_REG_CAP, NVMF_PROP_SIZE_8, &v), 0);
	assert_int_equal(NVME_REG_GET(v, CAP_MQES), 127);
	assert_int_equal(NVME_REG_GET(v, CAP_CQR), 1);
	assert_int_equal(NVME_REG_GET(v, CAP_TO), 15);
	assert_int_equal(NVME_REG_GET(v, CAP_CSS) & NVME_CAP_CSS_NVM, NVME_CAP_CSS_NVM);
	assert_int_equal(NVME_REG_GET(v, CAP_DSTRD), 0);
	assert_int_equal(NVME_REG_GET(v, CAP_MPSMIN), 0);
	assert_int_equal(fx_prop_get(&fx, a, NVME_REG_VS, NVMF_PROP_SIZE_4, &v), 0);
	assert_true(v >= 0x00010300);
	assert_status(fx_prop_get(&fx, a, 0x24, NVMF_PROP_SIZE_4, &v), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_FIELD);
	fx_fini(&fx);
}

static void test_cc_enable_shutdown(void **state)
{
	struct fx fx;
	struct fx_qp *a, *io;
	uint64_t v;
	uint16_t cntlid;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	a = fx_qp_new(&fx);
	assert_int_equal(fx_connect_full(&fx, a, 0, 31, FX_SSNQN, FX_HOSTNQN, 0xab, 0xffff, NULL),
			 0);
	assert_int_equal(fx_prop_get(&fx, a, NVME_REG_CSTS, NVMF_PROP_SIZE_4, &v), 0);
	assert_int_equal(NVME_REG_GET(v, CSTS_RDY), 0);
	/* Admin commands need CC.EN first. */
	assert_status(fx_admin(&fx, a, NVME_OPC_KEEP_ALIVE, 0, 0, 0, NULL, 0, NULL),
		      NVME_SCT_GENERIC, NVME_SC_COMMAND_SEQUENCE_ERROR);
	assert_int_equal(fx_prop_set(&fx, a, NVME_REG_CC, 0x460001), 0);
	assert_int_equal(fx_prop_get(&fx, a, NVME_REG_CSTS, NVMF_PROP_SIZE_4, &v), 0);
	assert_int_equal(NVME_REG_GET(v, CSTS_RDY), 1);
	assert_int_equal(fx_prop_get(&fx, a, NVME_REG_CC, NVMF_PROP_SIZE_4, &v), 0);
	assert_int_equal(v, 0x460001);
	/* Property Get on an I/O queue: sequence error. */
	cntlid = ((struct nvmf_ctrlr *)a->qp.ctrlr)->cntlid;
	io = fx_io_up(&fx, cntlid, 1);
	assert_status(fx_prop_get(&fx, io, NVME_REG_CAP, NVMF_PROP_SIZE_8, &v), NVME_SCT_GENERIC,
		      NVME_SC_COMMAND_SEQUENCE_ERROR);
	/* Normal shutdown -> SHST complete. */
	assert_int_equal(fx_prop_set(&fx, a, NVME_REG_CC, 0x464001), 0);
	assert_int_equal(fx_prop_get(&fx, a, NVME_REG_CSTS, NVMF_PROP_SIZE_4, &v), 0);
	assert_int_equal(NVME_REG_GET(v, CSTS_SHST), NVME_CSTS_SHST_COMPLETE);
	/* Disable: RDY 0, I/O queues dropped. */
	assert_int_equal(fx_prop_set(&fx, a, NVME_REG_CC, 0), 0);
	assert_int_equal(fx_prop_get(&fx, a, NVME_REG_CSTS, NVMF_PROP_SIZE_4, &v), 0);
	assert_int_equal(NVME_REG_GET(v, CSTS_RDY), 0);
	fx_poll(&fx, 8);
	assert_true(io->close_asked);
	assert_true(io->freed);
	assert_false(a->close_asked);
	fx_fini(&fx);
}

static void test_disconnect_admin_tears_down(void **state)
{
	struct fx fx;
	struct fx_qp *a, *io;
	uint16_t cntlid;
	struct nvme_cmd cmd;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	cntlid = fx_admin_up(&fx, &a, FX_SSNQN);
	io = fx_io_up(&fx, cntlid, 1);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_FABRICS;
	cmd.nsid = NVMF_FCTYPE_DISCONNECT;
	assert_int_equal(fx_cmd(&fx, a, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), 0);
	fx_poll(&fx, 10);
	assert_true(a->freed);
	assert_true(io->close_asked);
	assert_true(io->freed);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

static void test_kato_expiry(void **state)
{
	struct fx fx;
	struct fx_qp *a;
	struct nvmf_ctrlr *ctrlr;
	uint64_t hz = env_ticks_hz();

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	fx_admin_up(&fx, &a, FX_SSNQN);
	ctrlr = a->qp.ctrlr;
	assert_int_equal(ctrlr->kato_ms, 10000);
	assert_false(nvmf_ctrlr_kato_expired(ctrlr, ctrlr->last_ka_tick + 10 * hz));
	assert_true(nvmf_ctrlr_kato_expired(ctrlr, ctrlr->last_ka_tick + 16 * hz));
	nvmf_ctrlr_timers(fx.tgt->groups[0], ctrlr->last_ka_tick + 16 * hz);
	fx_poll(&fx, 10);
	assert_true(a->close_asked);
	assert_true(a->freed);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

/* The peer goes away while its admin Connect is being bound. */
static void test_close_during_connect(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_cmd cmd;
	struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)&cmd;
	struct nvmf_connect_data data;
	struct nvmf_request *req;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	memset(&cmd, 0, sizeof(cmd));
	memset(&data, 0, sizeof(data));
	cc->opcode = NVME_OPC_FABRICS;
	cc->fctype = NVMF_FCTYPE_CONNECT;
	cc->sqsize = 31;
	cc->kato = 5000;
	data.cntlid = 0xffff;
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", FX_SSNQN);
	snprintf(data.hostnqn, sizeof(data.hostnqn), "%s", FX_HOSTNQN);
	req = fx_submit_cmd(q, &cmd, &data, sizeof(data), NVMF_XFER_H2C);
	q->closed_reported = true;
	q->qp.transport->up.qpair_closed(&q->qp);
	assert_false(q->freed); /* the Connect is still out */
	fx_poll(&fx, 10);
	assert_true(fx_req_done(q, req));
	assert_true(q->freed);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	assert_true(TAILQ_EMPTY(&fx.tgt->groups[0]->ctrlrs));
	fx_fini(&fx);
}

static void test_unknown_fctype(void **state)
{
	struct fx fx;
	struct fx_qp *a;
	struct nvme_cmd cmd;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	fx_admin_up(&fx, &a, FX_SSNQN);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_FABRICS;
	/* Authentication Send is known now: without SECP / SPSP / TL, Invalid Field. */
	cmd.nsid = NVMF_FCTYPE_AUTH_SEND;
	assert_status(fx_cmd(&fx, a, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_FIELD);
	cmd.nsid = 0x33;
	assert_status(fx_cmd(&fx, a, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_OPCODE);
	fx_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connect_admin_creates_ctrlr),
	    cmocka_unit_test(test_connect_disallowed_host),
	    cmocka_unit_test(test_connect_unknown_nqn),
	    cmocka_unit_test(test_connect_bad_fields),
	    cmocka_unit_test(test_connect_liberal_hostnqn),
	    cmocka_unit_test(test_connect_hostlist_refuses_odd_hostnqn),
	    cmocka_unit_test(test_connect_refusals_logged_once),
	    cmocka_unit_test(test_connect_io_queue),
	    cmocka_unit_test(test_connect_sq_flow_control),
	    cmocka_unit_test(test_command_before_connect),
	    cmocka_unit_test(test_property_get),
	    cmocka_unit_test(test_cc_enable_shutdown),
	    cmocka_unit_test(test_disconnect_admin_tears_down),
	    cmocka_unit_test(test_kato_expiry),
	    cmocka_unit_test(test_close_during_connect),
	    cmocka_unit_test(test_unknown_fctype),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
