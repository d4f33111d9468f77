/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of a controller's life cycle (nvmf/ctrlr.c): LIVE -> DYING ->
 * GONE, the table of legal changes, refusals, and teardown through the
 * target (a dying controller takes no new I/O queue).
 */
#include "fixture.h"

#define KS(x) NVMF_CTRLR_##x
#define NKS NVMF_CTRLR_NSTATES

/* legal[from][to], written from the diagram in nvmf_internal.h. */
static const bool g_legal[NKS][NKS] = {
    [KS(LIVE)] = {[KS(DYING)] = true},
    [KS(DYING)] = {[KS(GONE)] = true},
    [KS(GONE)] = {false},
};

static void test_table(void **state)
{
	int n = 0;

	(void)state;
	for (int from = 0; from < NKS; from++)
		for (int to = 0; to < NKS; to++) {
			assert_int_equal(nvmf_ctrlr_state_change_ok(from, to), g_legal[from][to]);
			n += g_legal[from][to];
		}
	assert_int_equal(n, 2);
	assert_false(nvmf_ctrlr_state_change_ok(NKS, KS(LIVE)));
	assert_false(nvmf_ctrlr_state_change_ok(KS(LIVE), NKS));
}

struct probe {
	struct nvmf_tgt *tgt;
	struct nvmf_subsystem *ss;
	struct nvmf_ctrlr ctrlr;
	enum nvmf_ctrlr_state to;
};

static void probe_init(struct probe *p, enum nvmf_ctrlr_state from, enum nvmf_ctrlr_state to)
{
	memset(&p->ctrlr, 0, sizeof(p->ctrlr));
	p->ctrlr.ss = p->ss;
	p->ctrlr.state = from;
	p->to = to;
}

static void probe_set(void *arg)
{
	struct probe *p = arg;

	nvmf_ctrlr_set_state(&p->ctrlr, p->to);
}

static void test_set_state(void **state)
{
	static const int bad[][2] = {
	    {KS(LIVE), KS(GONE)},  {KS(GONE), KS(LIVE)},  {KS(DYING), KS(DYING)},
	    {KS(GONE), KS(DYING)}, {KS(DYING), KS(LIVE)}, {KS(GONE), KS(GONE)},
	};
	struct probe p;

	(void)state;
	p.tgt = calloc(1, sizeof(*p.tgt));
	p.ss = calloc(1, sizeof(*p.ss));
	assert_true(p.tgt != NULL && p.ss != NULL);
	p.ss->tgt = p.tgt;
	for (int from = 0; from < NKS; from++)
		for (int to = 0; to < NKS; to++) {
			if (!g_legal[from][to])
				continue;
			probe_init(&p, from, to);
			uint64_t before = p.tgt->ctrlr_states[to];
			nvmf_ctrlr_set_state(&p.ctrlr, to);
			assert_int_equal(p.ctrlr.state, to);
			assert_int_equal(p.tgt->ctrlr_states[to], before + 1);
		}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(g_legal[bad[i][0]][bad[i][1]]);
		probe_init(&p, bad[i][0], bad[i][1]);
		assert_true(fx_aborts(probe_set, &p));
	}
	free(p.ss);
	free(p.tgt);
}

/* Teardown: DYING at once (twice is once); an I/O Connect that reaches the
 * main thread meanwhile is refused; GONE when its last queue is detached. */
static void test_life_teardown(void **state)
{
	struct fx fx;
	struct fx_qp *a, *io, *late;
	struct nvmf_ctrlr *ctrlr;
	struct nvme_cpl cpl;
	uint16_t cntlid, st;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	cntlid = fx_admin_up(&fx, &a, FX_SSNQN);
	io = fx_io_up(&fx, cntlid, 1);
	late = fx_qp_new(&fx);
	ctrlr = a->qp.ctrlr;
	assert_int_equal(ctrlr->state, KS(LIVE));
	assert_int_equal(fx.tgt->ctrlr_states[KS(LIVE)], 1);
	nvmf_ctrlr_teardown(ctrlr, "test");
	assert_int_equal(ctrlr->state, KS(DYING));
	nvmf_ctrlr_teardown(ctrlr, "test again");
	assert_int_equal(fx.tgt->ctrlr_states[KS(DYING)], 1);
	/* Queued behind the close messages: the controller is still registered. */
	st = fx_connect_full(&fx, late, 2, 127, FX_SSNQN, FX_HOSTNQN, 0xab, cntlid, &cpl);
	assert_status(st, NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	fx_poll(&fx, 10);
	assert_true(a->freed && io->freed);
	assert_int_equal(fx.tgt->ctrlr_states[KS(GONE)], 1);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

/* The admin queue goes away first: DYING then GONE, once each. */
static void test_life_admin_lost(void **state)
{
	struct fx fx;
	struct fx_qp *a, *io;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	fx_io_up(&fx, fx_admin_up(&fx, &a, FX_SSNQN), 1);
	io = fx.qps[fx.nqps - 1];
	a->closed_reported = true;
	a->qp.transport->up.qpair_closed(&a->qp);
	fx_poll(&fx, 10);
	assert_true(a->freed && io->freed);
	assert_int_equal(fx.tgt->ctrlr_states[KS(LIVE)], 1);
	assert_int_equal(fx.tgt->ctrlr_states[KS(DYING)], 1);
	assert_int_equal(fx.tgt->ctrlr_states[KS(GONE)], 1);
	fx_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_set_state),
	    cmocka_unit_test(test_life_teardown),
	    cmocka_unit_test(test_life_admin_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
