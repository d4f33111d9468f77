/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of discovery changes as a host sees them: the generation
 * counter on every change, the Discovery Log Page Change event
 * (nvmf/events.c) and keep-alive of a long-lived (persistent) discovery
 * controller, over hours of a fake clock.
 */
#include "fixture.h"
#include "env/fake/env_fake.h"

#define SS2 "nqn.2016-06.io.example:ss2"
#define NS_PER_S 1000000000ull
#define DISC_EVENT                                                                                 \
	NVME_ASYNC_EVENT(NVME_AER_TYPE_NOTICE, NVME_AER_NOTICE_DISCOVERY_LOG_CHANGE,               \
			 NVME_LOG_DISCOVERY)

static struct nvmf_request *aer_post(struct fx_qp *q)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_ASYNC_EVENT_REQUEST;
	return fx_submit_cmd(q, &cmd, NULL, 0, NVMF_XFER_NONE);
}

static void identify_ctrlr(struct fx *fx, struct fx_qp *q, struct nvme_id_ctrl *id)
{
	assert_int_equal(
	    fx_admin(fx, q, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER, 0, id, sizeof(*id), NULL),
	    0);
}

/* Poll a while; @return whether @req completed. */
static bool settles_done(struct fx *fx, struct fx_qp *q, struct nvmf_request *req)
{
	for (int i = 0; i < 50 && !fx_req_done(q, req); i++)
		fx_poll(fx, 1);
	return fx_req_done(q, req);
}

/* Get Log Page 70h, the header only, with Retain Asynchronous Event as @rae. */
static uint64_t disc_genctr(struct fx *fx, struct fx_qp *q, bool rae)
{
	struct nvmf_discovery_log_hdr hdr;
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_GET_LOG_PAGE;
	nvme_glp_set(&cmd, NVME_LOG_DISCOVERY, sizeof(hdr), 0);
	if (rae)
		cmd.cdw10 |= NVME_GLP_RAE;
	assert_int_equal(fx_cmd(fx, q, &cmd, &hdr, sizeof(hdr), NVMF_XFER_C2H, NULL), 0);
	return hdr.genctr;
}

/* Enable both notice events; @return the configuration the controller kept. */
static uint32_t aec_set_both(struct fx *fx, struct fx_qp *q)
{
	struct nvme_cpl cpl;

	assert_int_equal(fx_admin(fx, q, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_ASYNC_EVENT_CONFIG,
				  NVME_AEC_DISCOVERY_LOG_CHANGE | NVME_AEC_NS_ATTR, NULL, 0, NULL),
			 0);
	assert_int_equal(fx_admin(fx, q, NVME_OPC_GET_FEATURES, 0, NVME_FEAT_ASYNC_EVENT_CONFIG, 0,
				  NULL, 0, &cpl),
			 0);
	return cpl.cdw0;
}

#define BUMPS(fx, call)                                                                            \
	do {                                                                                       \
		uint64_t before_ = (fx)->tgt->genctr;                                              \
		assert_int_equal((call), 0);                                                       \
		assert_true((fx)->tgt->genctr > before_);                                          \
	} while (0)

static void test_genctr_every_change(void **state)
{
	struct fx fx;
	struct nvmf_subsystem *ss2;
	struct nvmf_listen_addr a;
	uint64_t g;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	fx_addr(&a, "127.0.0.1", "4421");
	BUMPS(&fx, nvmf_subsystem_create(fx.tgt, SS2, &ss2));
	BUMPS(&fx, nvmf_subsystem_add_listener(ss2, &a));
	BUMPS(&fx, nvmf_subsystem_add_host(ss2, FX_HOSTNQN2));
	BUMPS(&fx, nvmf_subsystem_remove_host(ss2, FX_HOSTNQN2));
	g = fx.tgt->genctr;
	nvmf_subsystem_set_allow_any_host(ss2, true);
	assert_true(fx.tgt->genctr > g);
	g = fx.tgt->genctr;
	nvmf_subsystem_set_allow_any_host(ss2, false);
	assert_true(fx.tgt->genctr > g);
	BUMPS(&fx, nvmf_subsystem_remove_listener(ss2, &a));
	/* What changes nothing in the log leaves the generation alone. */
	g = fx.tgt->genctr;
	nvmf_subsystem_set_allow_any_host(ss2, false);
	assert_int_equal(nvmf_subsystem_add_listener(fx.ss, &fx.addr), -EEXIST);
	assert_int_equal(nvmf_subsystem_remove_host(ss2, FX_HOSTNQN2), -ENOENT);
	assert_int_equal(nvmf_subsystem_remove_ns(fx.ss, 1), 0);
	assert_int_equal(fx.tgt->genctr, g);
	BUMPS(&fx, nvmf_subsystem_destroy(ss2));
	fx_fini(&fx);
}

static void test_disc_change_event(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_id_ctrl id;
	struct nvmf_listen_addr a;
	struct nvmf_request *aer;
	uint64_t gen;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	fx_addr(&a, "127.0.0.1", "4421");
	q = fx_disc_up(&fx, FX_HOSTNQN);
	identify_ctrlr(&fx, q, &id);
	assert_int_equal(id.oaes, NVME_CTRL_OAES_DISCOVERY_LOG_CHANGE);
	gen = disc_genctr(&fx, q, false);

	/* Not enabled: a change is not reported. */
	aer = aer_post(q);
	assert_int_equal(nvmf_subsystem_add_listener(fx.ss, &a), 0);
	assert_false(settles_done(&fx, q, aer));
	/* Enabled (only the bit a discovery controller has is kept). */
	assert_int_equal(aec_set_both(&fx, q), NVME_AEC_DISCOVERY_LOG_CHANGE);
	assert_false(settles_done(&fx, q, aer));
	assert_int_equal(nvmf_subsystem_remove_listener(fx.ss, &a), 0);
	assert_true(settles_done(&fx, q, aer));
	assert_int_equal(nvme_cpl_get_status(&aer->cpl), 0);
	assert_int_equal(aer->cpl.cdw0, DISC_EVENT);

	/* Masked until the log is read with RAE clear; that read covers it. */
	aer = aer_post(q);
	nvmf_subsystem_set_allow_any_host(fx.ss, false);
	assert_false(settles_done(&fx, q, aer));
	assert_true(disc_genctr(&fx, q, true) > gen);
	assert_false(settles_done(&fx, q, aer));
	gen = disc_genctr(&fx, q, false);
	assert_false(settles_done(&fx, q, aer));
	/* The next change is reported again. */
	assert_int_equal(nvmf_subsystem_add_host(fx.ss, FX_HOSTNQN), 0);
	assert_true(settles_done(&fx, q, aer));
	assert_int_equal(aer->cpl.cdw0, DISC_EVENT);
	assert_true(disc_genctr(&fx, q, false) > gen);
	fx_fini(&fx);
}

/* An NVM controller neither advertises nor keeps the discovery event. */
static void test_nvm_ctrlr_no_disc_event(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_id_ctrl id;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	fx_admin_up(&fx, &q, FX_SSNQN);
	identify_ctrlr(&fx, q, &id);
	assert_int_equal(id.oaes & NVME_CTRL_OAES_DISCOVERY_LOG_CHANGE, 0);
	assert_int_equal(aec_set_both(&fx, q), NVME_AEC_NS_ATTR);
	fx_fini(&fx);
}

/* Four hours of Keep Alive every 5 s (KATO 10 s), then silence. */
static void test_disc_keep_alive_hours(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvmf_ctrlr *ctrlr;
	int completions;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_disc_up(&fx, FX_HOSTNQN);
	ctrlr = q->qp.ctrlr;
	assert_int_equal(ctrlr->kato_ms, 10000);
	completions = q->completions;
	for (int i = 0; i < 4 * 3600 / 5; i++) {
		env_fake_clock_advance(5 * NS_PER_S);
		assert_int_equal(fx_admin(&fx, q, NVME_OPC_KEEP_ALIVE, 0, 0, 0, NULL, 0, NULL), 0);
		fx_poll(&fx, 1); /* the keep-alive timers run */
		assert_false(q->close_asked);
	}
	assert_int_equal(ctrlr->state, NVMF_CTRLR_LIVE);
	assert_int_equal(q->completions - completions, 4 * 3600 / 5);
	assert_int_equal(ctrlr->naer, 0);
	assert_int_equal(nvmf_errlog_count(&ctrlr->errlog), 0);
	/* The host goes quiet: past KATO and the margin, the controller goes. */
	env_fake_clock_advance((10000 + NVMF_KATO_MARGIN_MS + 1000) * 1000000ull);
	for (double end = fx_now() + FX_WAIT_SECONDS; !q->close_asked && fx_now() < end;)
		fx_poll(&fx, 1);
	assert_true(q->close_asked);
	fx_fini(&fx);
}

/* The largest KATO a host may set neither wraps nor expires early. */
static void test_kato_no_wrap(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_cpl cpl;

	(void)state;
	assert_int_equal(nvmf_kato_round(0), 0);
	assert_int_equal(nvmf_kato_round(1), 100);
	assert_int_equal(nvmf_kato_round(30000), 30000);
	assert_int_equal(nvmf_kato_round(UINT32_MAX), UINT32_MAX - UINT32_MAX % 100);
	fx_init(&fx);
	fx_start(&fx);
	fx_admin_up(&fx, &q, FX_SSNQN);
	assert_int_equal(fx_admin(&fx, q, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_KEEP_ALIVE_TIMER,
				  UINT32_MAX, NULL, 0, NULL),
			 0);
	assert_int_equal(fx_admin(&fx, q, NVME_OPC_GET_FEATURES, 0, NVME_FEAT_KEEP_ALIVE_TIMER, 0,
				  NULL, 0, &cpl),
			 0);
	assert_int_equal(cpl.cdw0, UINT32_MAX - UINT32_MAX % 100);
	/* A day of silence is well inside 49 days. */
	env_fake_clock_advance(24 * 3600 * NS_PER_S);
	fx_poll(&fx, 5);
	assert_false(q->close_asked);
	assert_false(nvmf_ctrlr_kato_expired(q->qp.ctrlr, env_ticks()));
	fx_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_genctr_every_change),
	    cmocka_unit_test(test_disc_change_event),
	    cmocka_unit_test(test_nvm_ctrlr_no_disc_event),
	    cmocka_unit_test(test_disc_keep_alive_hours),
	    cmocka_unit_test(test_kato_no_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
