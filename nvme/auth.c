/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth.c - DH-HMAC-CHAP on the host driver: after a Connect whose answer
 * has ATR set, one transaction on that queue (Negotiate, Challenge, Reply,
 * Success1, and Success2 when the controller's secret is given), with the
 * messages and computation of util/dhchap_*.c that the target uses too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nvme_internal.h"
#include "util.h"
#include "util_dhchap.h"

/* One transaction's state; wiped when done. */
struct host_auth {
	struct nvme_qpair *q;
	const char *hostnqn, *subnqn;
	struct dhchap_key key, ckey;
	bool bidir;
	uint16_t t_id;
	uint8_t hash_id, gid, hl;
	uint32_t s2;
	uint8_t c2[DHCHAP_MAX_HASH_LEN];
	uint8_t skey[DHCHAP_MAX_DH_LEN];
	uint8_t buf[DHCHAP_MSG_MAX];
};

static int auth_cmd(struct host_auth *h, bool send, uint32_t len, struct nvme_cpl *cpl)
{
	struct nvmf_auth_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_OPC_FABRICS;
	cmd.fctype = send ? NVMF_FCTYPE_AUTH_SEND : NVMF_FCTYPE_AUTH_RECV;
	cmd.secp = NVMF_AUTH_SECP;
	cmd.spsp0 = NVMF_AUTH_SPSP0;
	cmd.spsp1 = NVMF_AUTH_SPSP1;
	cmd.len = len;
	return nvme_qpair_exec_sync(h->q, (const struct nvme_cmd *)&cmd, h->buf, len,
				    send ? NVME_DATA_HOST_TO_CONTROLLER
					 : NVME_DATA_CONTROLLER_TO_HOST,
				    cpl, h->q->ctrlr->opts.timeout_ms);
}

static int auth_send(struct host_auth *h, int len)
{
	struct nvme_cpl cpl;
	int rc = len < 0 ? len : auth_cmd(h, true, (uint32_t)len, &cpl);

	return rc != 0 ? rc : nvme_cpl_is_error(&cpl) ? -EPROTO : 0;
}

/* Receive the next message into h->buf, parsed into @m; a Failure1 is -EACCES. */
static int auth_recv(struct host_auth *h, struct dhchap_msg *m, uint8_t want_id)
{
	struct nvme_cpl cpl;
	int rc = auth_cmd(h, false, sizeof(h->buf), &cpl);

	if (rc != 0)
		return rc;
	if (nvme_cpl_is_error(&cpl))
		return -EPROTO;
	/* Every form has an exact length: the first length that parses is its own. */
	for (size_t len = 8; len <= sizeof(h->buf); len++)
		if (dhchap_msg_parse(h->buf, len, m) == 0)
			break;
	if (m->auth_id == NVMF_AUTH_ID_FAILURE1) {
		log_error(NVME_LOG,
			  "%s: queue %u: authentication refused by the controller "
			  "(reason 0x%02x)",
			  h->subnqn, h->q->qid, m->u.fail.exp);
		return -EACCES;
	}
	return m->auth_id == want_id && m->t_id == h->t_id ? 0 : -EPROTO;
}

static int reply(struct host_auth *h, const struct dhchap_msg *m)
{
	uint8_t tk[DHCHAP_MAX_KEY_LEN], chal[DHCHAP_MAX_HASH_LEN], r1[DHCHAP_MAX_HASH_LEN];
	uint8_t dhv[DHCHAP_MAX_DH_LEN];
	struct dhchap_dh *dh = NULL;
	int tkl = dhchap_key_transform(&h->key, h->hostnqn, tk), rc = tkl > 0 ? 0 : -EIO;
	int glen = dhchap_dhgroup_len(m->u.chal.gid);
	struct dhchap_resp_in in = {.hash_id = m->u.chal.hash_id,
				    .key = tk,
				    .key_len = (size_t)tkl,
				    .chal = chal,
				    .seqnum = m->u.chal.seqnum,
				    .t_id = h->t_id,
				    .host = true,
				    .hostnqn = h->hostnqn,
				    .subnqn = h->subnqn};

	h->hash_id = m->u.chal.hash_id;
	h->gid = m->u.chal.gid;
	h->hl = m->u.chal.hl;
	memcpy(chal, m->u.chal.cval, h->hl);
	if (rc == 0 && h->gid != 0) {
		rc = dhchap_dh_create(h->gid, &dh);
		if (rc == 0)
			rc = dhchap_dh_public(dh, dhv, (size_t)glen);
		if (rc == 0)
			rc = dhchap_dh_shared(dh, m->u.chal.dhv, m->u.chal.dhvlen, h->skey);
		if (rc == 0)
			rc =
			    dhchap_augment(h->hash_id, h->skey, (size_t)glen, m->u.chal.cval, chal);
		dhchap_dh_free(dh);
	}
	if (rc == 0)
		rc = dhchap_response(&in, r1);
	if (rc == 0 && h->bidir) {
		rc = dhchap_random(h->c2, h->hl);
		while (rc == 0 && h->s2 == 0)
			rc = dhchap_random(&h->s2, sizeof(h->s2));
	}
	OPENSSL_cleanse(tk, sizeof(tk));
	if (rc == 0)
		rc = auth_send(h, dhchap_msg_reply(h->buf, sizeof(h->buf), h->t_id, h->hl, r1,
						   h->bidir ? h->c2 : NULL, h->s2, dhv,
						   (uint16_t)(glen > 0 ? glen : 0)));
	return rc;
}

/* Check the controller's R2 in Success1 @m; answer Success2 or Failure2. */
static int check_ctrlr(struct host_auth *h, const struct dhchap_msg *m)
{
	uint8_t tk[DHCHAP_MAX_KEY_LEN], chal[DHCHAP_MAX_HASH_LEN], r2[DHCHAP_MAX_HASH_LEN];
	int tkl = dhchap_key_transform(&h->ckey, h->subnqn, tk);
	struct dhchap_resp_in in = {.hash_id = h->hash_id,
				    .key = tk,
				    .key_len = (size_t)tkl,
				    .chal = chal,
				    .seqnum = h->s2,
				    .t_id = h->t_id,
				    .host = false,
				    .hostnqn = h->hostnqn,
				    .subnqn = h->subnqn};
	bool ok = tkl > 0 && m->u.succ1.rvalid && m->u.succ1.hl == h->hl;

	if (ok && h->gid != 0)
		ok = dhchap_augment(h->hash_id, h->skey, (size_t)dhchap_dhgroup_len(h->gid), h->c2,
				    chal) == 0;
	else
		memcpy(chal, h->c2, h->hl);
	ok = ok && dhchap_response(&in, r2) == 0 && CRYPTO_memcmp(r2, m->u.succ1.rval, h->hl) == 0;
	OPENSSL_cleanse(tk, sizeof(tk));
	if (ok)
		return auth_send(h, dhchap_msg_success2(h->buf, sizeof(h->buf), h->t_id));
	log_error(NVME_LOG,
		  "%s: queue %u: the controller failed to authenticate itself "
		  "(wrong controller secret?)",
		  h->subnqn, h->q->qid);
	auth_send(h, dhchap_msg_failure(h->buf, sizeof(h->buf), NVMF_AUTH_ID_FAILURE2, h->t_id,
					NVMF_AUTH_FAIL_FAILED));
	return -EACCES;
}

static int transaction(struct host_auth *h)
{
	static const uint8_t hashes[] = {NVMF_AUTH_HASH_SHA256, NVMF_AUTH_HASH_SHA384,
					 NVMF_AUTH_HASH_SHA512};
	static const uint8_t groups[] = {0, 1, 2, 3, 4, 5};
	struct dhchap_msg m;
	int rc;

	rc = auth_send(h,
		       dhchap_msg_negotiate(h->buf, sizeof(h->buf), h->t_id, hashes, 3, groups, 6));
	if (rc == 0)
		rc = auth_recv(h, &m, NVMF_AUTH_ID_DHCHAP_CHALLENGE);
	if (rc == 0)
		rc = reply(h, &m);
	if (rc == 0)
		rc = auth_recv(h, &m, NVMF_AUTH_ID_DHCHAP_SUCCESS1);
	if (rc == 0 && h->bidir)
		rc = check_ctrlr(h, &m);
	return rc;
}

int nvme_auth_queue(struct nvme_qpair *q, const char *hostnqn, const char *subnqn)
{
	const struct nvme_ctrlr_opts *o = &q->ctrlr->opts;
	struct host_auth *h;
	int rc = -EINVAL;

	if (o->dhchap_secret == NULL) {
		log_error(NVME_LOG,
			  "%s: queue %u: the controller requires DH-HMAC-CHAP "
			  "authentication; give a host secret (--dhchap-secret)",
			  subnqn, q->qid);
		return -EACCES;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->q = q;
	h->hostnqn = hostnqn;
	h->subnqn = subnqn;
	h->t_id = q->qid;
	if (dhchap_key_parse(o->dhchap_secret, &h->key) == 0 &&
	    (o->dhchap_ctrl_secret == NULL ||
	     dhchap_key_parse(o->dhchap_ctrl_secret, &h->ckey) == 0)) {
		h->bidir = o->dhchap_ctrl_secret != NULL;
		rc = transaction(h);
	} else {
		log_error(NVME_LOG, "%s: a DH-HMAC-CHAP secret is malformed", subnqn);
	}
	if (rc == -EPROTO)
		log_error(NVME_LOG, "%s: queue %u: authentication failed: unexpected answer",
			  subnqn, q->qid);
	OPENSSL_cleanse(h, sizeof(*h));
	free(h);
	return rc == -EPROTO ? -EACCES : rc;
}
