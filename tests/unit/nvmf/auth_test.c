/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth_test.c - DH-HMAC-CHAP on the target (nvmf/auth.c) through the
 * fabrics commands: ATR on Connect; Authentication Required until done;
 * a full bidirectional transaction without and with FFDHE; then each bad
 * turn answered with Failure1 and its reason: wrong T_ID, wrong response,
 * a Receive out of turn, no common DH group, secure channel asked for,
 * a replayed S2 on re-authentication; and Authentication Send / Receive
 * with a bad SECP; the transaction timeout and the close after a failure;
 * a queue the host closes unauthenticated logged once as a failure; a slow
 * host's steps each restart the deadline and the keep-alive timer.
 */
#include "fixture.h"

#include <fcntl.h>
#include <unistd.h>

#include "env/fake/env_fake.h"
#include "nvmf/auth.h"
#include "util_dhchap.h"

#define HOST_KEY "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define CTRL_KEY                                                                                   \
	"DHHC-1:00:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5voBXMjQ==:"

/* Secrets of the same sizes set at run time (nvmf_subsystem_host_set_dhchap). */
#define NEW_HOST_KEY "DHHC-1:01:ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOeXryU:"
#define NEW_CTRL_KEY                                                                               \
	"DHHC-1:00:lpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFTr6jqQ==:"

struct host {
	const char *key, *ckey; /* the secrets the host uses */
	struct fx fx;
	struct fx_qp *q;
	uint8_t buf[DHCHAP_MSG_MAX];
	struct dhchap_msg m;
	uint8_t skey[DHCHAP_MAX_DH_LEN];
	uint8_t c2[64];
	uint32_t s2;
};

static uint16_t auth_cmd(struct host *h, bool send, uint32_t len, uint8_t secp)
{
	struct nvme_cmd cmd;
	struct nvmf_auth_cmd *a = (struct nvmf_auth_cmd *)&cmd;

	memset(&cmd, 0, sizeof(cmd));
	a->opcode = NVME_OPC_FABRICS;
	a->fctype = send ? NVMF_FCTYPE_AUTH_SEND : NVMF_FCTYPE_AUTH_RECV;
	a->secp = secp;
	a->spsp0 = NVMF_AUTH_SPSP0;
	a->spsp1 = NVMF_AUTH_SPSP1;
	a->len = len;
	return fx_cmd(&h->fx, h->q, &cmd, h->buf, len, send ? NVMF_XFER_H2C : NVMF_XFER_C2H, NULL);
}

static void send_msg(struct host *h, int len)
{
	assert_true(len > 0);
	assert_int_equal(auth_cmd(h, true, (uint32_t)len, NVMF_AUTH_SECP), 0);
}

/* Receive; the message parsed into h->m. @return its AUTH_ID. */
static uint8_t recv_msg(struct host *h)
{
	memset(h->buf, 0, sizeof(h->buf));
	assert_int_equal(auth_cmd(h, false, sizeof(h->buf), NVMF_AUTH_SECP), 0);
	for (size_t len = 8; len <= sizeof(h->buf); len++)
		if (dhchap_msg_parse(h->buf, len, &h->m) == 0)
			return h->m.auth_id;
	fail_msg("unparsable message");
	return 0;
}

static void setup_host(struct host *h)
{
	struct nvme_cpl cpl;

	h->key = HOST_KEY;
	h->ckey = CTRL_KEY;
	fx_init(&h->fx);
	nvmf_subsystem_set_allow_any_host(h->fx.ss, false);
	assert_int_equal(nvmf_subsystem_add_host(h->fx.ss, FX_HOSTNQN), 0);
	assert_int_equal(nvmf_subsystem_host_set_dhchap(h->fx.ss, FX_HOSTNQN, "bad", NULL),
			 -EINVAL);
	assert_int_equal(nvmf_subsystem_host_set_dhchap(h->fx.ss, FX_HOSTNQN, HOST_KEY, CTRL_KEY),
			 0);
	fx_start(&h->fx);
	h->q = fx_qp_new(&h->fx);
	assert_int_equal(
	    fx_connect_full(&h->fx, h->q, 0, 31, FX_SSNQN, FX_HOSTNQN, 0xab, 0xffff, &cpl), 0);
	assert_true(cpl.cdw0 & NVMF_CONNECT_RSP_AUTHREQ_ATR);
}

static void negotiate(struct host *h, uint16_t t_id, uint8_t group)
{
	const uint8_t hashes[] = {NVMF_AUTH_HASH_SHA384};

	send_msg(h, dhchap_msg_negotiate(h->buf, sizeof(h->buf), t_id, hashes, 1, &group, 1));
	assert_int_equal(recv_msg(h), NVMF_AUTH_ID_DHCHAP_CHALLENGE);
	assert_int_equal(h->m.u.chal.hash_id, NVMF_AUTH_HASH_SHA384);
	assert_int_equal(h->m.u.chal.gid, group);
}

/* Answer the challenge in h->m (R1 spoiled when @bad); C2 with S2 h->s2. */
static void reply(struct host *h, uint16_t t_id, bool bad)
{
	struct dhchap_key k;
	uint8_t tk[64], chal[64], r1[64], dhv[DHCHAP_MAX_DH_LEN];
	uint8_t gid = h->m.u.chal.gid, hl = h->m.u.chal.hl;
	int glen = dhchap_dhgroup_len(gid);
	struct dhchap_resp_in in = {.hash_id = h->m.u.chal.hash_id,
				    .key = tk,
				    .key_len = 32,
				    .chal = chal,
				    .seqnum = h->m.u.chal.seqnum,
				    .t_id = t_id,
				    .host = true,
				    .hostnqn = FX_HOSTNQN,
				    .subnqn = FX_SSNQN};

	assert_int_equal(dhchap_key_parse(h->key, &k), 0);
	assert_int_equal(dhchap_key_transform(&k, FX_HOSTNQN, tk), 32);
	memcpy(chal, h->m.u.chal.cval, hl);
	if (gid != 0) {
		struct dhchap_dh *dh;

		assert_int_equal(dhchap_dh_create(gid, &dh), 0);
		assert_int_equal(dhchap_dh_public(dh, dhv, (size_t)glen), 0);
		assert_int_equal(dhchap_dh_shared(dh, h->m.u.chal.dhv, (size_t)glen, h->skey), 0);
		assert_int_equal(dhchap_augment(in.hash_id, h->skey, (size_t)glen, chal, chal), 0);
		dhchap_dh_free(dh);
	}
	assert_int_equal(dhchap_response(&in, r1), 0);
	r1[0] ^= bad ? 1 : 0;
	memset(h->c2, 0x3c, sizeof(h->c2));
	send_msg(h, dhchap_msg_reply(h->buf, sizeof(h->buf), t_id, hl, r1, h->c2, h->s2, dhv,
				     (uint16_t)glen));
}

/* Success1 in h->m carries the controller's right R2. */
static void check_r2(struct host *h, uint16_t t_id, uint8_t gid)
{
	struct dhchap_key k;
	uint8_t tk[64], chal[64], r2[64];
	struct dhchap_resp_in in = {.hash_id = NVMF_AUTH_HASH_SHA384,
				    .key = tk,
				    .key_len = 48,
				    .chal = chal,
				    .seqnum = h->s2,
				    .t_id = t_id,
				    .host = false,
				    .hostnqn = FX_HOSTNQN,
				    .subnqn = FX_SSNQN};

	assert_true(h->m.u.succ1.rvalid);
	assert_int_equal(dhchap_key_parse(h->ckey, &k), 0);
	assert_int_equal(dhchap_key_transform(&k, FX_SSNQN, tk), 48);
	memcpy(chal, h->c2, 48);
	if (gid != 0)
		assert_int_equal(dhchap_augment(in.hash_id, h->skey,
						(size_t)dhchap_dhgroup_len(gid), h->c2, chal),
				 0);
	assert_int_equal(dhchap_response(&in, r2), 0);
	assert_memory_equal(r2, h->m.u.succ1.rval, 48);
}

static void transaction(struct host *h, uint16_t t_id, uint8_t gid)
{
	negotiate(h, t_id, gid);
	reply(h, t_id, false);
	assert_int_equal(recv_msg(h), NVMF_AUTH_ID_DHCHAP_SUCCESS1);
	check_r2(h, t_id, gid);
	send_msg(h, dhchap_msg_success2(h->buf, sizeof(h->buf), t_id));
}

static void expect_failure1(struct host *h, uint8_t exp)
{
	assert_int_equal(recv_msg(h), NVMF_AUTH_ID_FAILURE1);
	assert_int_equal(h->m.u.fail.exp, exp);
	assert_int_equal(fx_prop_set(&h->fx, h->q, NVME_REG_CC, 1),
			 NVME_STATUS_CMD(NVME_SC_FABRICS_AUTH_REQUIRED) | NVME_STATUS_DNR);
}

static void test_full_null_and_dh(void **state)
{
	struct host h;

	(void)state;
	setup_host(&h);
	assert_int_equal(fx_prop_set(&h.fx, h.q, NVME_REG_CC, 1),
			 NVME_STATUS_CMD(NVME_SC_FABRICS_AUTH_REQUIRED) | NVME_STATUS_DNR);
	h.s2 = 11;
	transaction(&h, 5, NVMF_AUTH_DHGROUP_NULL);
	assert_int_equal(fx_prop_set(&h.fx, h.q, NVME_REG_CC, 1), 0);
	h.s2 = 12; /* re-authentication with FFDHE; the queue keeps working */
	transaction(&h, 6, NVMF_AUTH_DHGROUP_FFDHE2048);
	assert_int_equal(fx_prop_set(&h.fx, h.q, NVME_REG_CC, 1), 0);
	h.s2 = 12; /* the same S2 again: a replay */
	negotiate(&h, 7, NVMF_AUTH_DHGROUP_NULL);
	reply(&h, 7, false);
	expect_failure1(&h, NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	fx_fini(&h.fx);
}

/* New secrets at run time: the running queue re-authenticates with them only. */
static void test_rekey_running_queue(void **state)
{
	struct host h;

	(void)state;
	setup_host(&h);
	h.s2 = 21;
	transaction(&h, 1, NVMF_AUTH_DHGROUP_NULL);
	assert_int_equal(
	    nvmf_subsystem_host_set_dhchap(h.fx.ss, FX_HOSTNQN, NEW_HOST_KEY, NEW_CTRL_KEY), 0);
	fx_poll(&h.fx, 2); /* the keys reach the queue's group */
	assert_int_equal(fx_prop_set(&h.fx, h.q, NVME_REG_CC, 1), 0); /* still running */
	h.key = NEW_HOST_KEY;
	h.ckey = NEW_CTRL_KEY;
	h.s2 = 22;
	transaction(&h, 2, NVMF_AUTH_DHGROUP_FFDHE2048);
	assert_int_equal(fx_prop_set(&h.fx, h.q, NVME_REG_CC, 1), 0);
	h.key = HOST_KEY; /* the old secret no longer passes */
	h.s2 = 23;
	negotiate(&h, 3, NVMF_AUTH_DHGROUP_NULL);
	reply(&h, 3, false);
	expect_failure1(&h, NVMF_AUTH_FAIL_FAILED);
	fx_fini(&h.fx);
}

static void test_bad_turns(void **state)
{
	struct host h;
	const uint8_t hash = NVMF_AUTH_HASH_SHA256, group = 9;
	int len;

	(void)state;
	setup_host(&h); /* wrong T_ID in the Reply */
	h.s2 = 1;
	negotiate(&h, 5, NVMF_AUTH_DHGROUP_NULL);
	reply(&h, 6, false);
	expect_failure1(&h, NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	fx_fini(&h.fx);

	setup_host(&h); /* wrong response */
	h.s2 = 1;
	negotiate(&h, 5, NVMF_AUTH_DHGROUP_NULL);
	reply(&h, 5, true);
	expect_failure1(&h, NVMF_AUTH_FAIL_FAILED);
	fx_fini(&h.fx);

	setup_host(&h); /* a Receive before any Negotiate */
	expect_failure1(&h, NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG);
	fx_fini(&h.fx);

	setup_host(&h); /* no DH group in common */
	send_msg(&h, dhchap_msg_negotiate(h.buf, sizeof(h.buf), 1, &hash, 1, &group, 1));
	expect_failure1(&h, NVMF_AUTH_FAIL_DHGROUP_UNUSABLE);
	fx_fini(&h.fx);

	setup_host(&h); /* secure channel concatenation asked for; bad SECP refused */
	len = dhchap_msg_negotiate(h.buf, sizeof(h.buf), 1, &hash, 1, &(uint8_t){0}, 1);
	h.buf[6] = NVMF_AUTH_SC_C_NEW_TLS_PSK;
	send_msg(&h, len);
	expect_failure1(&h, NVMF_AUTH_FAIL_SCC_MISMATCH);
	assert_int_equal(auth_cmd(&h, false, 64, 0xEA),
			 NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD) | NVME_STATUS_DNR);
	fx_fini(&h.fx);
}

/* Poll until @q's close is asked, at most FX_WAIT_SECONDS. */
static bool closed_soon(struct host *h)
{
	for (double end = fx_now() + FX_WAIT_SECONDS; !h->q->close_asked && fx_now() < end;)
		fx_poll(&h->fx, 1);
	return h->q->close_asked;
}

/* A host that stops halfway is closed at the timeout; a failed one after the grace. */
static void test_timeouts(void **state)
{
	struct host h;

	(void)state;
	setup_host(&h); /* well before the keep-alive limit (KATO 10 s + margin) */
	env_fake_clock_advance((NVMF_AUTH_TIMEOUT_MS - 500) * 1000000ull);
	fx_poll(&h.fx, 4);
	assert_false(h.q->close_asked);
	env_fake_clock_advance(1000 * 1000000ull);
	assert_true(closed_soon(&h));
	fx_fini(&h.fx);

	setup_host(&h);
	expect_failure1(&h, NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG);
	expect_failure1(&h, NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG); /* again: no new grace */
	assert_false(h.q->close_asked);
	env_fake_clock_advance((NVMF_AUTH_CLOSE_GRACE_MS + 200) * 1000000ull);
	assert_true(closed_soon(&h));
	fx_fini(&h.fx);
}

#define SECONDS(n) ((uint64_t)(n)*1000000000ull)

/*
 * A slow host (FFDHE under load): each of its steps restarts the
 * transaction's deadline and the admin queue's keep-alive timer (KATO 10 s
 * plus margin from the Connect); one step silent past the deadline is closed.
 */
static void test_slow_steps(void **state)
{
	struct host h;

	(void)state;
	setup_host(&h);
	h.s2 = 1;
	env_fake_clock_advance(SECONDS(8));
	fx_poll(&h.fx, 4);
	negotiate(&h, 1, NVMF_AUTH_DHGROUP_FFDHE2048);
	env_fake_clock_advance(SECONDS(9)); /* 17 s from the Connect */
	fx_poll(&h.fx, 4);
	assert_false(h.q->close_asked);
	reply(&h, 1, false);
	assert_int_equal(recv_msg(&h), NVMF_AUTH_ID_DHCHAP_SUCCESS1);
	env_fake_clock_advance(SECONDS(9));
	fx_poll(&h.fx, 4);
	assert_false(h.q->close_asked);
	send_msg(&h, dhchap_msg_success2(h.buf, sizeof(h.buf), 1));
	assert_int_equal(fx_prop_set(&h.fx, h.q, NVME_REG_CC, 1), 0);
	assert_false(h.q->close_asked);
	fx_fini(&h.fx);

	setup_host(&h);
	negotiate(&h, 1, NVMF_AUTH_DHGROUP_NULL);
	env_fake_clock_advance(SECONDS(NVMF_AUTH_TIMEOUT_MS / 1000) + SECONDS(1) / 2);
	assert_true(closed_soon(&h));
	fx_fini(&h.fx);
}

/* The host closes its queue; @return the log lines that made (stderr). */
static char *close_by_host(struct host *h)
{
	char path[] = "/tmp/auth_test_log.XXXXXX", *text;
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	off_t len;

	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	h->q->closed_reported = true;
	h->q->qp.transport->up.qpair_closed(&h->q->qp);
	fx_poll(&h->fx, 10);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(h->q->freed);
	len = lseek(fd, 0, SEEK_END);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(pread(fd, text, (size_t)len, 0), len);
	close(fd);
	return text;
}

static unsigned count(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* The host closes @h's queue: one DH-HMAC-CHAP line naming @want, or none (NULL). */
static void gone(struct host *h, const char *want)
{
	char *log = close_by_host(h);

	assert_int_equal(count(log, "DH-HMAC-CHAP"), want != NULL ? 1 : 0);
	if (want != NULL) {
		assert_non_null(strstr(log, want));
		assert_non_null(strstr(log, FX_HOSTNQN));
	}
	free(log);
	fx_fini(&h->fx);
}

/* Closed before authenticating: one failure line; after a logged failure or success: none. */
static void test_host_gone(void **state)
{
	struct host h;

	(void)state;
	setup_host(&h);
	gone(&h, "authentication failed: queue closed before the host began");

	setup_host(&h);
	negotiate(&h, 1, NVMF_AUTH_DHGROUP_NULL);
	gone(&h, "authentication failed: queue closed before the transaction ended (waiting for "
		 "the Reply)");

	setup_host(&h);
	h.s2 = 1;
	negotiate(&h, 1, NVMF_AUTH_DHGROUP_NULL);
	reply(&h, 1, true);
	expect_failure1(&h, NVMF_AUTH_FAIL_FAILED); /* logged here, not again at the close */
	gone(&h, NULL);

	setup_host(&h);
	h.s2 = 1;
	transaction(&h, 1, NVMF_AUTH_DHGROUP_NULL);
	gone(&h, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_null_and_dh), cmocka_unit_test(test_rekey_running_queue),
	    cmocka_unit_test(test_bad_turns),        cmocka_unit_test(test_timeouts),
	    cmocka_unit_test(test_host_gone),        cmocka_unit_test(test_slow_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
