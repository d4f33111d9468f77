/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth.c - DH-HMAC-CHAP on the target: Authentication Send / Receive run
 * one queue's transaction (steps in auth.h), on the queue's poll group.
 * Messages are built and parsed by util/dhchap_msg.c; the computation is
 * util/dhchap_crypto.c's. Failures are logged once per transaction, never
 * with a secret.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "env.h"
#include "util.h"
#include "nvmf/auth.h"
#include "nvmf/nvmf_internal.h"

#define ST_DNR(st) ((uint16_t)((st) | NVME_STATUS_DNR))
#define ST_INVALID_FIELD ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD))
#define ST_SEQUENCE ST_DNR(NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR))

static const char *const g_fail_names[] = {
    [NVMF_AUTH_FAIL_FAILED] = "response mismatch",
    [NVMF_AUTH_FAIL_PROTOCOL_UNUSABLE] = "no DH-HMAC-CHAP protocol descriptor",
    [NVMF_AUTH_FAIL_SCC_MISMATCH] = "secure channel concatenation asked for",
    [NVMF_AUTH_FAIL_HASH_UNUSABLE] = "no hash function in common",
    [NVMF_AUTH_FAIL_DHGROUP_UNUSABLE] = "no DH group in common",
    [NVMF_AUTH_FAIL_INCORRECT_PAYLOAD] = "malformed message",
    [NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG] = "unexpected message",
};

static uint64_t ms_from_now(uint32_t ms)
{
	return env_ticks() + env_ticks_hz() / 1000 * ms;
}

/* The one log line of a failed transaction. */
static void auth_log_failure(const struct nvmf_conn *c, const char *why)
{
	const struct nvmf_auth *a = c->auth;

	log_warn("nvmf",
		 "subsystem %s: host %s at %s:%s: queue %u: DH-HMAC-CHAP authentication failed: %s",
		 a->subnqn, a->hostnqn, c->qp->peer.traddr, c->qp->peer.trsvcid, c->qp->qid, why);
}

static void auth_reset_crypto(struct nvmf_auth *a)
{
	dhchap_dh_free(a->dh);
	a->dh = NULL;
	OPENSSL_cleanse(a->skey, sizeof(a->skey));
}

/*
 * The transaction fails with @exp (logged as @why, or as @exp's name): the
 * queue stops running commands, Failure1 goes out on the next Receive and
 * the queue is closed after a grace period.
 */
static void auth_fail(struct nvmf_conn *c, uint8_t exp, const char *why)
{
	struct nvmf_auth *a = c->auth;
	bool logged = a->step == NVMF_AUTH_FAILURE1 || a->step == NVMF_AUTH_FAILED;

	auth_reset_crypto(a);
	a->fail_exp = exp;
	a->step = NVMF_AUTH_FAILURE1;
	a->authenticated = false;
	if (logged)
		return; /* once per transaction, and no new grace: the queue is closing */
	a->deadline = ms_from_now(NVMF_AUTH_CLOSE_GRACE_MS);
	if (why == NULL && exp < sizeof(g_fail_names) / sizeof(g_fail_names[0]))
		why = g_fail_names[exp];
	auth_log_failure(c, why != NULL ? why : "?");
}

bool nvmf_auth_ok(const struct nvmf_conn *c)
{
	return c->auth == NULL || c->auth->authenticated;
}

void nvmf_auth_start(struct nvmf_conn *c)
{
	c->auth->step = NVMF_AUTH_NEGOTIATE;
	c->auth->deadline = ms_from_now(NVMF_AUTH_TIMEOUT_MS);
}

/*
 * The host moved the transaction on: its deadline restarts (a host that
 * stops for NVMF_AUTH_TIMEOUT_MS at any step is closed), and so does the
 * controller's keep-alive timer on the admin queue, where the host may send
 * no Keep Alive until authenticated (a slow FFDHE step must not expire KATO).
 */
static void auth_progress(struct nvmf_conn *c)
{
	struct nvmf_auth *a = c->auth;

	if (a->step == NVMF_AUTH_FAILURE1 || a->step == NVMF_AUTH_FAILED)
		return; /* the close grace runs */
	if (a->step != NVMF_AUTH_DONE)
		a->deadline = ms_from_now(NVMF_AUTH_TIMEOUT_MS);
	if (c->qp->qid == 0 && c->ctrlr != NULL)
		c->ctrlr->last_ka_tick = env_ticks();
}

/* ------------------------------------------------------------ Send steps */

/* The first of our ids (in our order) that the host offers too; -1 if none. */
static int pick(const uint8_t *ours, unsigned nours, const uint8_t *theirs, unsigned ntheirs)
{
	for (unsigned i = 0; i < nours; i++)
		if (memchr(theirs, ours[i], ntheirs) != NULL)
			return ours[i];
	return -1;
}

static int on_negotiate(struct nvmf_auth *a, const struct dhchap_msg *m)
{
	int hash, gid;

	if (m->u.neg.sc_c != NVMF_AUTH_SC_C_NONE)
		return NVMF_AUTH_FAIL_SCC_MISMATCH;
	hash = pick(a->hashes, a->nhashes, m->u.neg.hashes, m->u.neg.nhash);
	if (hash < 0)
		return NVMF_AUTH_FAIL_HASH_UNUSABLE;
	gid = pick(a->groups, a->ngroups, m->u.neg.groups, m->u.neg.ngroup);
	if (gid < 0)
		return NVMF_AUTH_FAIL_DHGROUP_UNUSABLE;
	auth_reset_crypto(a);
	a->t_id = m->t_id;
	a->hash_id = (uint8_t)hash;
	a->gid = (uint8_t)gid;
	a->hl = (uint8_t)dhchap_hash_len(a->hash_id);
	a->bidir = false;
	do {
		if (dhchap_random(&a->s1, sizeof(a->s1)) != 0)
			return NVMF_AUTH_FAIL_FAILED;
	} while (a->s1 == 0);
	if (dhchap_random(a->c1, a->hl) != 0)
		return NVMF_AUTH_FAIL_FAILED;
	if (a->gid != NVMF_AUTH_DHGROUP_NULL && dhchap_dh_create(a->gid, &a->dh) != 0)
		return NVMF_AUTH_FAIL_FAILED;
	a->step = NVMF_AUTH_CHALLENGE;
	return 0;
}

/* The challenge a response covers: @chal, augmented when a DH group is in use. */
static int auth_chal(struct nvmf_auth *a, const uint8_t *chal, uint8_t *out)
{
	if (a->gid == NVMF_AUTH_DHGROUP_NULL) {
		memcpy(out, chal, a->hl);
		return 0;
	}
	return dhchap_augment(a->hash_id, a->skey, (size_t)dhchap_dhgroup_len(a->gid), chal, out);
}

static int on_reply(struct nvmf_auth *a, const struct dhchap_msg *m)
{
	uint8_t chal[DHCHAP_MAX_HASH_LEN], want[DHCHAP_MAX_HASH_LEN];
	struct dhchap_resp_in in = {.hash_id = a->hash_id,
				    .key = a->hkey,
				    .key_len = a->hkey_len,
				    .chal = chal,
				    .seqnum = a->s1,
				    .t_id = a->t_id,
				    .host = true,
				    .hostnqn = a->hostnqn,
				    .subnqn = a->subnqn};
	int rc;

	if (m->t_id != a->t_id || m->u.reply.hl != a->hl ||
	    m->u.reply.dhvlen != dhchap_dhgroup_len(a->gid))
		return NVMF_AUTH_FAIL_INCORRECT_PAYLOAD;
	if (m->u.reply.cvalid && (m->u.reply.seqnum == a->last_s2 || a->ckey_len == 0))
		return m->u.reply.seqnum == a->last_s2 ? NVMF_AUTH_FAIL_INCORRECT_PAYLOAD
						       : NVMF_AUTH_FAIL_FAILED;
	if (a->dh != NULL &&
	    dhchap_dh_shared(a->dh, m->u.reply.dhv, m->u.reply.dhvlen, a->skey) != 0)
		return NVMF_AUTH_FAIL_INCORRECT_PAYLOAD;
	rc = auth_chal(a, a->c1, chal);
	if (rc == 0)
		rc = dhchap_response(&in, want);
	if (rc == 0 && CRYPTO_memcmp(want, m->u.reply.rval, a->hl) != 0)
		rc = -EACCES;
	OPENSSL_cleanse(want, sizeof(want));
	if (rc != 0)
		return NVMF_AUTH_FAIL_FAILED;
	a->bidir = m->u.reply.cvalid;
	if (a->bidir) {
		memcpy(a->c2, m->u.reply.cval, a->hl);
		a->s2 = m->u.reply.seqnum;
		a->last_s2 = a->s2;
	}
	a->step = NVMF_AUTH_SUCCESS1;
	return 0;
}

static void auth_done(struct nvmf_conn *c)
{
	struct nvmf_auth *a = c->auth;

	auth_reset_crypto(a);
	a->step = NVMF_AUTH_DONE;
	a->deadline = 0;
	log_info("nvmf", "subsystem %s: host %s: queue %u: authenticated (%s, %s%s)", a->subnqn,
		 a->hostnqn, c->qp->qid, dhchap_hash_name(a->hash_id), dhchap_dhgroup_name(a->gid),
		 a->bidir ? ", bidirectional" : "");
	a->authenticated = true;
}

/* Run the message @m (parse result @prc) of a Send at step a->step. */
static void auth_on_send(struct nvmf_conn *c, const struct dhchap_msg *m, int prc)
{
	struct nvmf_auth *a = c->auth;
	bool negotiate = prc == 0 && m->auth_type == NVMF_AUTH_TYPE_COMMON &&
			 m->auth_id == NVMF_AUTH_ID_NEGOTIATE;
	int rc;

	if (prc == 0 && m->auth_id == NVMF_AUTH_ID_FAILURE2) {
		auth_fail(c, NVMF_AUTH_FAIL_FAILED,
			  "the host refused the controller's response (AUTH_Failure2)");
		a->step = NVMF_AUTH_FAILED; /* the host gave up: no Failure1 to send */
		return;
	}
	if (a->step == NVMF_AUTH_NEGOTIATE || (a->step == NVMF_AUTH_DONE && negotiate)) {
		rc = negotiate ? on_negotiate(a, m)
		     : prc     ? prc
			       : NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG;
	} else if (a->step == NVMF_AUTH_REPLY) {
		rc = prc ? prc
		     : m->auth_id == NVMF_AUTH_ID_DHCHAP_REPLY
			 ? on_reply(a, m)
			 : NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG;
	} else if (a->step == NVMF_AUTH_SUCCESS2) {
		rc = prc ? prc
		     : m->auth_id != NVMF_AUTH_ID_DHCHAP_SUCCESS2
			 ? NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG
		     : m->t_id != a->t_id ? NVMF_AUTH_FAIL_INCORRECT_PAYLOAD
					  : 0;
		if (rc == 0)
			auth_done(c);
	} else {
		rc = NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG; /* a Receive was due */
	}
	if (rc != 0)
		auth_fail(c, (uint8_t)rc, NULL);
}

/* Check an authentication command's SECP / SPSP and length (@max: 0 any). */
static uint16_t auth_cmd_check(struct nvmf_request *req, uint32_t *len)
{
	const struct nvmf_auth_cmd *cmd = (const struct nvmf_auth_cmd *)&req->cmd;

	if (cmd->secp != NVMF_AUTH_SECP || cmd->spsp0 != NVMF_AUTH_SPSP0 ||
	    cmd->spsp1 != NVMF_AUTH_SPSP1 || cmd->len == 0 || cmd->len > req->length)
		return ST_INVALID_FIELD;
	*len = cmd->len;
	return nvmf_conn_of(req->qpair)->auth == NULL ? ST_SEQUENCE : NVME_STATUS_SUCCESS;
}

void nvmf_auth_send(struct nvmf_request *req)
{
	struct nvmf_conn *c = nvmf_conn_of(req->qpair);
	uint8_t *buf;
	struct dhchap_msg m;
	uint32_t len;
	uint16_t st = auth_cmd_check(req, &len);

	if (st == NVME_STATUS_SUCCESS && len > DHCHAP_MSG_MAX)
		st = ST_INVALID_FIELD;
	if (st != NVME_STATUS_SUCCESS) {
		nvmf_req_complete(req, st);
		return;
	}
	buf = malloc(len);
	if (buf == NULL) {
		nvmf_req_complete(req, NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR));
		return;
	}
	nvmf_req_copy_from(req, 0, buf, len);
	auth_on_send(c, &m, dhchap_msg_parse(buf, len, &m));
	auth_progress(c);
	OPENSSL_cleanse(buf, len);
	free(buf);
	nvmf_req_complete(req, NVME_STATUS_SUCCESS);
}

/* --------------------------------------------------------- Receive steps */

static int build_challenge(struct nvmf_auth *a, uint8_t *buf, size_t cap)
{
	uint8_t dhv[DHCHAP_MAX_DH_LEN];
	int glen = dhchap_dhgroup_len(a->gid);

	if (a->dh != NULL && dhchap_dh_public(a->dh, dhv, (size_t)glen) != 0)
		return -EIO;
	return dhchap_msg_challenge(buf, cap, a->t_id, a->hash_id, a->gid, a->s1, a->c1, dhv,
				    (uint16_t)glen);
}

static int build_success1(struct nvmf_auth *a, uint8_t *buf, size_t cap)
{
	uint8_t chal[DHCHAP_MAX_HASH_LEN], r2[DHCHAP_MAX_HASH_LEN];
	struct dhchap_resp_in in = {.hash_id = a->hash_id,
				    .key = a->ckey,
				    .key_len = a->ckey_len,
				    .chal = chal,
				    .seqnum = a->s2,
				    .t_id = a->t_id,
				    .host = false,
				    .hostnqn = a->hostnqn,
				    .subnqn = a->subnqn};

	if (!a->bidir)
		return dhchap_msg_success1(buf, cap, a->t_id, a->hl, NULL);
	if (auth_chal(a, a->c2, chal) != 0 || dhchap_response(&in, r2) != 0)
		return -EIO;
	return dhchap_msg_success1(buf, cap, a->t_id, a->hl, r2);
}

/* The message due at a->step into @buf, and the step after it. */
static int auth_build(struct nvmf_conn *c, uint8_t *buf, size_t cap, enum nvmf_auth_step *next)
{
	struct nvmf_auth *a = c->auth;

	switch (a->step) {
	case NVMF_AUTH_CHALLENGE:
		*next = NVMF_AUTH_REPLY;
		return build_challenge(a, buf, cap);
	case NVMF_AUTH_SUCCESS1:
		*next = a->bidir ? NVMF_AUTH_SUCCESS2 : NVMF_AUTH_DONE;
		return build_success1(a, buf, cap);
	case NVMF_AUTH_FAILURE1:
		*next = NVMF_AUTH_FAILED;
		return dhchap_msg_failure(buf, cap, NVMF_AUTH_ID_FAILURE1, a->t_id, a->fail_exp);
	default:
		return -EPROTO; /* a Send was due */
	}
}

void nvmf_auth_recv(struct nvmf_request *req)
{
	struct nvmf_conn *c = nvmf_conn_of(req->qpair);
	static __thread uint8_t buf[DHCHAP_MSG_MAX];
	enum nvmf_auth_step next = NVMF_AUTH_FAILED;
	uint32_t al;
	uint16_t st = auth_cmd_check(req, &al);
	int len;

	if (st != NVME_STATUS_SUCCESS) {
		nvmf_req_complete(req, st);
		return;
	}
	len = auth_build(c, buf, sizeof(buf), &next);
	if (len == -EPROTO || len == -EIO) {
		auth_fail(
		    c, len == -EIO ? NVMF_AUTH_FAIL_FAILED : NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG,
		    len == -EIO ? "internal error building the message" : NULL);
		len = auth_build(c, buf, sizeof(buf), &next);
	}
	if (len < 0 || (uint32_t)len > al) {
		nvmf_req_complete(req, ST_INVALID_FIELD); /* AL too small: may ask again */
		return;
	}
	nvmf_req_copy_to(req, 0, buf, (size_t)len);
	if (next == NVMF_AUTH_DONE)
		auth_done(c);
	else
		c->auth->step = next;
	auth_progress(c);
	nvmf_req_complete(req, NVME_STATUS_SUCCESS);
}

/* ------------------------------------------------------------ the close */

/* What the controller waits for at each step of a transaction. */
static const char *const g_waits[] = {
    [NVMF_AUTH_NEGOTIATE] = "Negotiate", [NVMF_AUTH_CHALLENGE] = "Receive of the Challenge",
    [NVMF_AUTH_REPLY] = "Reply",         [NVMF_AUTH_SUCCESS1] = "Receive of Success1",
    [NVMF_AUTH_SUCCESS2] = "Success2",
};

void nvmf_auth_closed(const struct nvmf_conn *c)
{
	const struct nvmf_auth *a = c->auth;
	char why[96];

	if (a == NULL || a->authenticated || a->step > NVMF_AUTH_SUCCESS2)
		return; /* none needed, done, or its failure logged */
	if (a->step == NVMF_AUTH_NEGOTIATE)
		snprintf(why, sizeof(why),
			 "queue closed before the host began (no secret on the host?)");
	else
		snprintf(why, sizeof(why),
			 "queue closed before the transaction ended (waiting for the %s)",
			 g_waits[a->step]);
	auth_log_failure(c, why);
}

/* --------------------------------------------------------------- timers */

void nvmf_auth_timers(struct nvmf_poll_group *pg, uint64_t now)
{
	struct nvmf_conn *c;

	TAILQ_FOREACH(c, &pg->conns, link)
	{
		struct nvmf_auth *a = c->auth;

		if (a == NULL || a->deadline == 0 || now < a->deadline)
			continue;
		a->deadline = 0;
		if (a->step != NVMF_AUTH_FAILURE1 && a->step != NVMF_AUTH_FAILED)
			auth_log_failure(c, "timed out waiting for the host");
		a->step = NVMF_AUTH_FAILED;
		a->authenticated = false;
		nvmf_conn_close(c);
	}
}
