/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of a connection's life cycle (nvmf/conn.c): the table of legal
 * state changes, refusals, and the paths a connection takes through the
 * target (Connect, refusal, Disconnect, the transport closing on its own,
 * close asked before and during a Connect).
 */
#include "fixture.h"

#define CS(x) NVMF_CONN_##x
#define NCS NVMF_CONN_NSTATES

/* legal[from][to], written from the diagram in nvmf_internal.h. */
static const bool g_legal[NCS][NCS] = {
    [CS(NEW)] = {[CS(CONNECTING)] = true, [CS(CLOSING)] = true, [CS(CLOSED)] = true},
    [CS(CONNECTING)] = {[CS(NEW)] = true,
			[CS(LIVE)] = true,
			[CS(CLOSING_CONNECTING)] = true,
			[CS(CLOSED_CONNECTING)] = true},
    [CS(LIVE)] = {[CS(CLOSING_LIVE)] = true, [CS(CLOSED_LIVE)] = true},
    [CS(CLOSING)] = {[CS(CLOSING_CONNECTING)] = true, [CS(CLOSED)] = true},
    [CS(CLOSING_CONNECTING)] = {[CS(CLOSING)] = true,
				[CS(CLOSING_LIVE)] = true,
				[CS(CLOSED_CONNECTING)] = true},
    [CS(CLOSING_LIVE)] = {[CS(CLOSED_LIVE)] = true},
    [CS(CLOSED)] = {false}, /* the end: freed from here */
    [CS(CLOSED_CONNECTING)] = {[CS(CLOSED)] = true, [CS(CLOSED_LIVE)] = true},
    [CS(CLOSED_LIVE)] = {[CS(DETACHING)] = true},
    [CS(DETACHING)] = {[CS(CLOSED)] = true},
};

static void test_table(void **state)
{
	int n = 0;

	(void)state;
	for (int from = 0; from < NCS; from++)
		for (int to = 0; to < NCS; to++) {
			assert_int_equal(nvmf_conn_state_change_ok(from, to), g_legal[from][to]);
			n += g_legal[from][to];
		}
	assert_int_equal(n, 19);
	assert_false(nvmf_conn_state_change_ok(NCS, CS(NEW)));
	assert_false(nvmf_conn_state_change_ok(CS(NEW), NCS));
}

struct probe {
	struct nvmf_qpair qp;
	struct nvmf_poll_group *pg;
	struct nvmf_conn c;
	enum nvmf_conn_state to;
};

static void probe_init(struct probe *p, enum nvmf_conn_state from, enum nvmf_conn_state to)
{
	memset(&p->qp, 0, sizeof(p->qp));
	memset(&p->c, 0, sizeof(p->c));
	p->c.qp = &p->qp;
	p->c.pg = p->pg;
	p->c.state = from;
	p->to = to;
}

static void probe_set(void *arg)
{
	struct probe *p = arg;

	nvmf_conn_set_state(&p->c, p->to);
}

/* Every legal change goes through set_state; a sample of others aborts. */
static void test_set_state(void **state)
{
	static const int bad[][2] = {
	    {CS(LIVE), CS(CONNECTING)},
	    {CS(CLOSED), CS(LIVE)},
	    {CS(DETACHING), CS(DETACHING)},
	    {CS(CLOSED), CS(CLOSING)},
	    {CS(NEW), CS(LIVE)},
	    {CS(CLOSED_LIVE), CS(CLOSED)},
	    {CS(CLOSED), CS(CLOSED)},
	    {CS(CLOSING_LIVE), CS(LIVE)},
	    {CS(CLOSED), CS(CLOSED_CONNECTING)},
	};
	struct probe p;

	(void)state;
	p.pg = calloc(1, sizeof(*p.pg));
	assert_non_null(p.pg);
	for (int from = 0; from < NCS; from++)
		for (int to = 0; to < NCS; to++) {
			if (!g_legal[from][to])
				continue;
			probe_init(&p, from, to);
			uint64_t before = p.pg->conn_states[to];
			nvmf_conn_set_state(&p.c, to);
			assert_int_equal(p.c.state, to);
			assert_int_equal(p.pg->conn_states[to], before + 1);
			assert_int_equal(p.qp.closing, to >= CS(CLOSING));
		}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(g_legal[bad[i][0]][bad[i][1]]);
		probe_init(&p, bad[i][0], bad[i][1]);
		assert_true(fx_aborts(probe_set, &p));
	}
	free(p.pg);
}

static uint64_t count(struct fx *fx, enum nvmf_conn_state s)
{
	return fx->tgt->groups[0]->conn_states[s];
}

static uint16_t connect_admin(struct fx *fx, struct fx_qp *q, const char *subnqn)
{
	return fx_connect_full(fx, q, 0, 31, subnqn, FX_HOSTNQN, 0xab, 0xffff, NULL);
}

static void disconnect(struct fx *fx, struct fx_qp *q)
{
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_FABRICS;
	cmd.nsid = NVMF_FCTYPE_DISCONNECT;
	assert_int_equal(fx_cmd(fx, q, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), 0);
}

/* NEW -> CONNECTING -> LIVE -> CLOSING_LIVE -> CLOSED_LIVE -> DETACHING -> CLOSED. */
static void test_life_disconnect(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvmf_conn *c;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	c = nvmf_conn_of(&q->qp);
	assert_int_equal(c->state, CS(NEW));
	assert_false(nvmf_conn_is_attached(c));
	assert_int_equal(connect_admin(&fx, q, FX_SSNQN), 0);
	assert_int_equal(c->state, CS(LIVE));
	assert_true(nvmf_conn_is_attached(c));
	assert_false(q->qp.closing);
	disconnect(&fx, q);
	assert_int_equal(c->state, CS(CLOSING_LIVE));
	assert_true(q->qp.closing);
	assert_false(nvmf_conn_is_closed(c));
	fx_poll(&fx, 10);
	assert_true(q->freed);
	assert_int_equal(count(&fx, CS(CONNECTING)), 1);
	assert_int_equal(count(&fx, CS(LIVE)), 1);
	assert_int_equal(count(&fx, CS(CLOSING_LIVE)), 1);
	assert_int_equal(count(&fx, CS(CLOSED_LIVE)), 1);
	assert_int_equal(count(&fx, CS(DETACHING)), 1);
	assert_int_equal(count(&fx, CS(CLOSED)), 1);
	assert_int_equal(count(&fx, CS(NEW)), 0);
	fx_fini(&fx);
}

/* A refused Connect goes back to NEW; the next one binds; then the
 * transport closes on its own: LIVE -> CLOSED_LIVE. */
static void test_life_refused_then_lost(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvmf_conn *c;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	c = nvmf_conn_of(&q->qp);
	assert_int_not_equal(connect_admin(&fx, q, "nqn.2016-06.io.example:none"), 0);
	assert_int_equal(c->state, CS(NEW));
	assert_int_equal(count(&fx, CS(NEW)), 1);
	assert_int_equal(connect_admin(&fx, q, FX_SSNQN), 0);
	assert_int_equal(c->state, CS(LIVE));
	q->closed_reported = true;
	q->qp.transport->up.qpair_closed(&q->qp);
	fx_poll(&fx, 10);
	assert_true(q->freed);
	assert_int_equal(count(&fx, CS(CONNECTING)), 2);
	assert_int_equal(count(&fx, CS(CLOSING_LIVE)), 0);
	assert_int_equal(count(&fx, CS(CLOSED_LIVE)), 1);
	assert_int_equal(count(&fx, CS(DETACHING)), 1);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

/* qpair_closed while the Connect is on the main thread: CLOSED_CONNECTING,
 * then bound (CLOSED_LIVE) and detached. */
static void test_life_closed_during_connect(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvmf_conn *c;
	struct nvme_cmd cmd;
	struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)&cmd;
	struct nvmf_connect_data data;
	struct nvmf_request *req;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	c = nvmf_conn_of(&q->qp);
	memset(&cmd, 0, sizeof(cmd));
	memset(&data, 0, sizeof(data));
	cc->opcode = NVME_OPC_FABRICS;
	cc->fctype = NVMF_FCTYPE_CONNECT;
	cc->sqsize = 31;
	data.cntlid = 0xffff;
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", FX_SSNQN);
	snprintf(data.hostnqn, sizeof(data.hostnqn), "%s", FX_HOSTNQN);
	req = fx_submit_cmd(q, &cmd, &data, sizeof(data), NVMF_XFER_H2C);
	assert_int_equal(c->state, CS(CONNECTING));
	q->closed_reported = true;
	q->qp.transport->up.qpair_closed(&q->qp);
	assert_int_equal(c->state, CS(CLOSED_CONNECTING));
	assert_false(q->freed);
	fx_poll(&fx, 10);
	assert_true(fx_req_done(q, req));
	assert_true(q->freed);
	assert_int_equal(count(&fx, CS(CLOSED_LIVE)), 1);
	assert_int_equal(count(&fx, CS(DETACHING)), 1);
	assert_int_equal(count(&fx, CS(CLOSED)), 1);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

/* A command before Connect: close asked (CLOSING), once; a Connect that
 * still comes in binds (CLOSING_CONNECTING) and is detached after. */
static void test_life_close_asked_then_connect(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvmf_conn *c;
	uint64_t v;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_qp_new(&fx);
	c = nvmf_conn_of(&q->qp);
	assert_int_not_equal(fx_prop_get(&fx, q, NVME_REG_CAP, NVMF_PROP_SIZE_8, &v), 0);
	assert_int_equal(c->state, CS(CLOSING));
	assert_true(q->close_asked && q->qp.closing);
	nvmf_conn_close(c);
	assert_int_equal(count(&fx, CS(CLOSING)), 1);
	assert_int_equal(connect_admin(&fx, q, FX_SSNQN), 0);
	fx_poll(&fx, 10);
	assert_true(q->freed);
	assert_int_equal(count(&fx, CS(CLOSING_CONNECTING)), 1);
	/* Bound before or after qpair_closed was seen: one of the two. */
	assert_int_equal(count(&fx, CS(CLOSING_LIVE)) + count(&fx, CS(CLOSED_CONNECTING)), 1);
	assert_int_equal(count(&fx, CS(DETACHING)), 1);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_set_state),
	    cmocka_unit_test(test_life_disconnect),
	    cmocka_unit_test(test_life_refused_then_lost),
	    cmocka_unit_test(test_life_closed_during_connect),
	    cmocka_unit_test(test_life_close_asked_then_connect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
